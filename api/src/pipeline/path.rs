//! Which paths a pipeline may have. Checked on the server before any storage call (the
//! proxy is an allowlist: a path can never climb out of the repository or name a URL) and in
//! the editor, for an inline error.

use super::PipelineKind;

/// Longest pipeline path, in bytes.
pub const MAX_PATH_BYTES: usize = 512;
/// Characters refused in any segment: separators of other systems and Git's trouble-makers.
const REFUSED: &[char] = &['\\', ':', '*', '?', '"', '<', '>', '|'];

/// A pipeline's path in its repository (or in the studio's store): relative, `/`-separated,
/// no empty, `.` or `..` segment, ending in `.orch.yaml` or `.tran.yaml`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PipelinePath {
    path: String,
    kind: PipelineKind,
}

impl PipelinePath {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let path = raw.trim();
        if path.is_empty() {
            return Err(
                "Enter the pipeline's path, for example pipelines/daily-load.orch.yaml.".into(),
            );
        }
        if path.starts_with('/') {
            return Err("Use a path relative to the repository, without a leading /.".into());
        }
        check_segments(path, MAX_PATH_BYTES)?;
        let Some(kind) = PipelineKind::ALL.into_iter().find(|k| {
            let name = path.rsplit('/').next().unwrap_or(path);
            name.len() > k.suffix().len() && name.ends_with(k.suffix())
        }) else {
            return Err(
                "A pipeline's file name ends in .orch.yaml (orchestration) or .tran.yaml (transformation)."
                    .into(),
            );
        };
        Ok(Self {
            path: path.to_owned(),
            kind,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.path
    }

    pub fn kind(&self) -> PipelineKind {
        self.kind
    }

    /// The file name without its pipeline ending: what people call the pipeline.
    pub fn name(&self) -> &str {
        let file = self.path.rsplit('/').next().unwrap_or(&self.path);
        &file[..file.len() - self.kind.suffix().len()]
    }

    pub fn segments(&self) -> impl Iterator<Item = &str> {
        self.path.split('/')
    }
}

/// The folder a project keeps its pipelines in: empty (the repository root) or a relative
/// path with the same segment rules as [`PipelinePath`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PipelineFolder(String);

impl PipelineFolder {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let folder = raw.trim().trim_matches('/');
        if folder.is_empty() {
            return Ok(Self::default());
        }
        check_segments(folder, MAX_PATH_BYTES / 2)?;
        Ok(Self(folder.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn contains(&self, path: &PipelinePath) -> bool {
        self.0.is_empty()
            || path
                .as_str()
                .strip_prefix(&self.0)
                .is_some_and(|rest| rest.starts_with('/'))
    }

    /// `folder/` (or nothing for the root): what a new pipeline's path starts with.
    pub fn prefix(&self) -> String {
        if self.0.is_empty() {
            String::new()
        } else {
            format!("{}/", self.0)
        }
    }

    pub fn segments(&self) -> impl Iterator<Item = &str> {
        self.0.split('/').filter(|s| !s.is_empty())
    }
}

fn check_segments(path: &str, max_bytes: usize) -> Result<(), String> {
    if path.len() > max_bytes {
        return Err(format!(
            "The path is too long: use at most {max_bytes} bytes."
        ));
    }
    if path.chars().any(|c| c.is_control() || REFUSED.contains(&c)) {
        return Err("The path contains a character that is not allowed (control characters and \\ : * ? \" < > |).".into());
    }
    for segment in path.split('/') {
        match segment {
            "" => return Err("The path has an empty folder name (//, or a trailing /).".into()),
            "." | ".." => return Err("The path cannot contain . or .. folders.".into()),
            s if s != s.trim() => {
                return Err("Folder and file names cannot start or end with a space.".into())
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pipeline_paths_stay_inside_the_repository() {
        for bad in [
            "",
            "/etc/x.orch.yaml",
            "../x.orch.yaml",
            "a/../../x.orch.yaml",
            "a/./x.orch.yaml",
            "a//x.orch.yaml",
            "a\\x.orch.yaml",
            "c:x.orch.yaml",
            "a/x.orch.yaml/",
            "x\n.orch.yaml",
            "x.yaml",
            ".orch.yaml",
            "dir/.tran.yaml",
            "x.orch.yml",
            " a /x.orch.yaml",
        ] {
            assert!(PipelinePath::parse(bad).is_err(), "{bad:?} must be refused");
        }
        let long = format!("{}.orch.yaml", "a".repeat(MAX_PATH_BYTES));
        assert!(PipelinePath::parse(&long).is_err());
    }

    #[test]
    fn a_valid_path_knows_its_kind_and_name() {
        let path = PipelinePath::parse(" pipelines/Daily load.orch.yaml ").unwrap();
        assert_eq!(path.as_str(), "pipelines/Daily load.orch.yaml");
        assert_eq!(path.kind(), PipelineKind::Orchestration);
        assert_eq!(path.name(), "Daily load");
        let path = PipelinePath::parse("x.tran.yaml").unwrap();
        assert_eq!(path.kind(), PipelineKind::Transformation);
        assert_eq!(path.segments().collect::<Vec<_>>(), ["x.tran.yaml"]);
    }

    #[test]
    fn folders_contain_paths_below_them_only() {
        let folder = PipelineFolder::parse("/pipelines/").unwrap();
        assert_eq!(folder.as_str(), "pipelines");
        assert_eq!(folder.prefix(), "pipelines/");
        let inside = PipelinePath::parse("pipelines/a.orch.yaml").unwrap();
        let beside = PipelinePath::parse("pipelines-old/a.orch.yaml").unwrap();
        assert!(folder.contains(&inside));
        assert!(!folder.contains(&beside));
        assert!(PipelineFolder::default().contains(&beside));
        assert!(PipelineFolder::parse("a/../b").is_err());
        assert_eq!(PipelineFolder::parse("  ").unwrap().prefix(), "");
    }
}
