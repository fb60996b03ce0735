//! What must hold for every input to the studio's parsers and rules, one function per fuzz
//! target. Each takes raw bytes, runs the code under test and panics when a property fails;
//! a fuzzer treats the panic (or a crash, a stack overflow, a timeout) as a finding.
//!
//! `./scripts/fuzz.sh` runs the targets under cargo fuzz (libFuzzer, nightly). The inputs it
//! keeps (`fuzz/corpus/<target>/`) and every finding (`fuzz/regressions/<target>/`) are run
//! through these same functions by `tests/regressions.rs` in the ordinary test suite, so a
//! fixed finding stays fixed.

use api::pipeline::MAX_PIPELINE_BYTES;
use api::{
    check_pipeline, PipelineDraft, PipelineFolder, PipelineKind, PipelinePath, ProjectDraft,
};

/// A property: panics when `data` breaks it.
pub type Property = fn(&[u8]);

/// The targets, by name: the folder names under `corpus/` and `regressions/`.
pub const TARGETS: [(&str, Property); 7] = [
    ("yaml_check", yaml_check),
    ("pipeline_path", pipeline_path),
    ("return_to", return_to),
    ("oauth_callback", oauth_callback),
    ("draft", draft),
    ("provider_answers", provider_answers),
    ("github_answers", github_answers),
];

fn text(data: &[u8]) -> Option<&str> {
    std::str::from_utf8(data).ok()
}

/// The YAML and schema check (server and editor): never panics or recurses out of stack,
/// and every problem points inside the file.
pub fn yaml_check(data: &[u8]) {
    let Some(content) = text(data) else { return };
    // YAML's line breaks: `\r\n`, a lone `\r` and `\n` (the fuzzer found that `lines()`,
    // which knows no lone `\r`, is not the parser's count).
    let lines = content.replace("\r\n", "\n").matches(['\r', '\n']).count() + 1;
    for kind in PipelineKind::ALL {
        match check_pipeline(kind, content) {
            Ok(()) => assert!(content.len() <= MAX_PIPELINE_BYTES),
            Err(problems) => {
                assert!(!problems.is_empty() && problems.len() <= 20, "{problems:?}");
                for problem in &problems {
                    assert!(problem.line >= 1 && problem.line <= lines + 1, "{problem}");
                    assert!(problem.column >= 1, "{problem}");
                    assert!(!problem.message.is_empty());
                }
            }
        }
    }
}

/// The pipeline path rule: an accepted path can never leave the repository or the folder.
pub fn pipeline_path(data: &[u8]) {
    let Some(raw) = text(data) else { return };
    let (folder_raw, path_raw) = raw.split_once('\n').unwrap_or(("", raw));
    if let Ok(path) = PipelinePath::parse(path_raw) {
        let p = path.as_str();
        assert!(!p.starts_with('/') && !p.ends_with('/'), "{p:?}");
        assert!(
            p.split('/').all(|s| !s.is_empty() && s != "." && s != ".."),
            "{p:?}"
        );
        assert!(
            !p.contains(['\\', ':', '*', '?', '"', '<', '>', '|']),
            "{p:?}"
        );
        assert!(!p.chars().any(char::is_control), "{p:?}");
        assert!(p.ends_with(path.kind().suffix()), "{p:?}");
        assert!(!path.name().is_empty(), "{p:?}");
        assert_eq!(
            PipelinePath::parse(p).as_ref(),
            Ok(&path),
            "parsing is stable"
        );
        if let Ok(folder) = PipelineFolder::parse(folder_raw) {
            let inside = folder.contains(&path);
            assert_eq!(inside, p.starts_with(&folder.prefix()), "{folder:?} {p:?}");
        }
    }
    if let Ok(folder) = PipelineFolder::parse(folder_raw) {
        let f = folder.as_str();
        assert!(
            f.is_empty() || f.split('/').all(|s| !s.is_empty() && s != "." && s != ".."),
            "{f:?}"
        );
    }
}

/// The `return_to` rule: whatever it accepts, a browser (the WHATWG URL parser) resolves to
/// that very path on the studio's origin, and adding the callback's parameter keeps it so
/// (unless that makes it longer than the rule's limit, which the callback handles: the
/// fuzzer found that case).
pub fn return_to(data: &[u8]) {
    let Some(raw) = text(data) else { return };
    let (candidate, value) = raw.split_once('\n').unwrap_or((raw, "access_denied"));
    if !api::return_to::is_safe(candidate) {
        return;
    }
    let origin = url::Url::parse("https://studio.example/projects/new").unwrap();
    let resolved = origin.join(candidate).expect("an accepted path resolves");
    assert_eq!(resolved.origin(), origin.origin(), "{candidate:?}");
    assert_eq!(
        &resolved[url::Position::BeforePath..],
        candidate,
        "{candidate:?} is rewritten by a browser"
    );
    let with = api::return_to::with_query_param(candidate, "oauth_error", value);
    assert!(
        api::return_to::is_safe(&with) || with.len() > api::return_to::MAX_BYTES,
        "{with:?}"
    );
}

/// The OAuth callback's query: parsed without panicking, and only bounded, well-formed values
/// kept.
pub fn oauth_callback(data: &[u8]) {
    let Some(raw) = text(data) else { return };
    let query = api::oauth::CallbackQuery::parse(raw);
    if let Some(state) = &query.state {
        assert!(!state.is_empty() && state.chars().count() <= 512);
    }
    if let Some(code) = &query.code {
        assert!(!code.is_empty() && code.chars().count() <= 4096);
    }
    if let Some(error) = &query.error {
        assert!(error
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-')));
        assert!(!error.is_empty() && error.len() <= 64);
    }
    if let Some(description) = &query.error_description {
        assert!(description.chars().count() <= 500);
    }
    let _ = api::query::single(raw, "return_to");
}

/// A draft as the server reads it back from storage (the wizard's and an editor's): JSON in,
/// never a panic, and a draft that parses survives a round trip unchanged and is bounded as
/// its rule says.
pub fn draft(data: &[u8]) {
    pipeline_draft(data);
    let Ok(draft) = serde_json::from_slice::<ProjectDraft>(data) else {
        return;
    };
    let again = serde_json::to_string(&draft).unwrap();
    assert_eq!(serde_json::from_str::<ProjectDraft>(&again).unwrap(), draft);
    match draft.oversized_field() {
        Some("name") => assert!(draft.name.chars().count() > api::draft::DRAFT_MAX_NAME_CHARS),
        Some(field) => assert_eq!(field, "description"),
        None => {
            assert!(draft.name.chars().count() <= api::draft::DRAFT_MAX_NAME_CHARS);
            assert!(draft.description.chars().count() <= api::draft::DRAFT_MAX_DESCRIPTION_CHARS);
        }
    }
    let _ = draft.is_empty();
}

fn pipeline_draft(data: &[u8]) {
    let Ok(draft) = serde_json::from_slice::<PipelineDraft>(data) else {
        return;
    };
    let again = serde_json::to_string(&draft).unwrap();
    assert_eq!(
        serde_json::from_str::<PipelineDraft>(&again).unwrap(),
        draft
    );
    if draft.oversized_field().is_none() {
        assert!(draft.content.len() <= MAX_PIPELINE_BYTES);
        assert!(draft.message.chars().count() <= api::pipeline::MAX_MESSAGE_CHARS);
        assert!(draft.path.len() <= 2 * api::pipeline::MAX_PATH_BYTES);
    }
}

/// What Bitbucket Cloud and Data Center answer, as the server reads it (the `wire` crate):
/// any JSON parses or is refused without a panic, and whatever comes out is safe to use. A
/// repository or group the studio offers has a name the studio's own routes accept (so no
/// step after the picker refuses it, and no name can steer a URL), a link is a plain web
/// link (never `javascript:`), and a page goes on only by the paging rule
/// (`wire::datacenter::Paged::next_page`). The first byte picks the answer's shape; the rest
/// is its body.
pub fn provider_answers(data: &[u8]) {
    use wire::{cloud, datacenter};
    let Some((&shape, body)) = data.split_first() else {
        return;
    };
    let web = |link: &Option<String>| {
        if let Some(link) = link {
            let lower = link.to_ascii_lowercase();
            assert!(
                lower.starts_with("https://") || lower.starts_with("http://"),
                "{link:?}"
            );
            assert!(!link
                .chars()
                .any(|c| c.is_control() || c.is_whitespace() || c == '"'));
        }
    };
    match shape % 11 {
        8 => {
            // A comparison's changes: a path read is a non-empty path of non-empty parts.
            if let Ok(page) = serde_json::from_slice::<datacenter::Paged<datacenter::Change>>(body)
            {
                for change in page.values {
                    for path in [&change.path, &change.src_path].into_iter().flatten() {
                        if let Some(path) = datacenter::path_of(path) {
                            assert!(!path.is_empty());
                        }
                    }
                }
            }
        }
        9 => {
            if let Ok(diff) = serde_json::from_slice::<datacenter::Diff>(body) {
                hunks_hold(&diff.into_hunks(), false);
            }
        }
        10 => {
            if let Ok(page) = serde_json::from_slice::<cloud::Paginated<cloud::DiffStat>>(body) {
                assert!(page.values.len() <= body.len());
            }
        }
        0 => {
            let Ok(page) =
                serde_json::from_slice::<datacenter::Paged<datacenter::Repository>>(body)
            else {
                return;
            };
            // The paging rule: never on past `isLastPage: true`, and only forward of a
            // page's values when the page names no next start.
            if let Some(next) = page.next(0, 25) {
                assert_ne!(page.is_last_page, Some(true));
                if page.next_page_start.is_none() {
                    assert!(!page.values.is_empty());
                    assert_eq!(
                        next,
                        page.start
                            .unwrap_or(0)
                            .saturating_add(page.values.len() as u64)
                    );
                }
            }
            for repository in page.values {
                web(&repository.html_url());
                if let Some(shown) = repository.into_api() {
                    assert!(datacenter::is_name(&shown.slug), "{shown:?}");
                    assert!(datacenter::is_name(&shown.group), "{shown:?}");
                    assert!(!shown.slug.contains(['/', '?', '#', '%']));
                    assert_eq!(shown.full_name, format!("{}/{}", shown.group, shown.slug));
                }
            }
        }
        1 => {
            let Ok(body) = serde_json::from_slice::<datacenter::ErrorBody>(body) else {
                return;
            };
            let message = body.message();
            assert!(message.len() <= data.len() * 2);
        }
        2 => {
            if let Ok(branch) = serde_json::from_slice::<datacenter::Branch>(body) {
                assert!(branch.name().is_none_or(|n| !n.is_empty()));
            }
        }
        3 => {
            if let Ok(commit) = serde_json::from_slice::<datacenter::WireCommit>(body) {
                if let Some(commit) = commit.into_commit() {
                    assert!(!commit.id.is_empty());
                    let change = commit.to_change();
                    assert!(change.label.chars().count() <= 7);
                    assert_eq!(change.revision, commit.id);
                    // A parent is named only when it is the one, with an id.
                    if let Some(parent) = commit.only_parent() {
                        assert!(!parent.is_empty());
                        assert_eq!(commit.parents.as_ref().map(Vec::len), Some(1));
                    }
                }
            }
        }
        4 => {
            let Ok(page) = serde_json::from_slice::<cloud::Paginated<cloud::WireRepository>>(body)
            else {
                return;
            };
            for repository in page.values {
                web(&repository.html_url());
                if let Some(shown) = repository.into_api("acme") {
                    assert!(cloud::is_slug(&shown.slug), "{shown:?}");
                    assert_eq!(shown.full_name, format!("acme/{}", shown.slug));
                }
            }
        }
        5 => {
            let Ok(page) = serde_json::from_slice::<cloud::Paginated<cloud::WorkspaceAccess>>(body)
            else {
                return;
            };
            for access in page.values {
                if let Some(workspace) = access.into_workspace() {
                    assert!(cloud::is_slug(&workspace.slug), "{workspace:?}");
                }
            }
        }
        6 => {
            if let Ok(account) = serde_json::from_slice::<cloud::WireAccount>(body) {
                if let Some(account) = account.into_account() {
                    assert!(!account.uuid.is_empty());
                    web(&account.avatar_url);
                }
            }
        }
        _ => {
            if let Ok(commit) = serde_json::from_slice::<cloud::WireCommit>(body) {
                if let Some(commit) = commit.into_commit() {
                    assert!(!commit.hash.is_empty());
                }
            }
        }
    }
}

/// GitHub's answers as the studio reads them (`wire::github`): the first byte picks the
/// shape. Whatever GitHub (or something posing as it) sends, nothing panics, nothing offered
/// has a name that could leave its URL segment, a repository is writable only when its
/// `permissions` say so, and links are plain web links.
pub fn github_answers(data: &[u8]) {
    use wire::github;
    let Some((&shape, body)) = data.split_first() else {
        return;
    };
    match shape % 7 {
        5 => {
            if let Ok(found) = serde_json::from_slice::<github::Comparison>(body) {
                for file in found.files {
                    if let Some(patch) = file.patch {
                        hunks_hold(&wire::diff::hunks(&patch), true);
                    }
                }
            }
        }
        6 => {
            // Bitbucket Cloud's raw diff, any bytes.
            hunks_hold(&wire::diff::hunks(&String::from_utf8_lossy(body)), true);
        }
        0 => {
            let Ok(listed) = serde_json::from_slice::<github::InstallationRepositories>(body)
            else {
                return;
            };
            for repository in listed.repositories {
                let writable = repository.writable();
                if writable {
                    assert!(repository
                        .permissions
                        .as_ref()
                        .is_some_and(|p| p.can_write()));
                    assert_ne!(repository.archived, Some(true));
                }
                if let Some(link) = repository.html_url() {
                    assert!(link.starts_with("http"), "{link:?}");
                }
                if let Some(shown) = repository.into_api("acme") {
                    assert!(github::is_name(&shown.slug), "{shown:?}");
                    assert_eq!(shown.full_name, format!("acme/{}", shown.slug));
                }
            }
        }
        1 => {
            if let Ok(listed) = serde_json::from_slice::<github::Installations>(body) {
                for installation in &listed.installations {
                    if let Some(login) = installation.login() {
                        assert!(github::is_name(login), "{login:?}");
                    }
                }
            }
        }
        2 => {
            if let Ok(tree) = serde_json::from_slice::<github::GitTree>(body) {
                for path in tree.files_under("pipelines") {
                    assert!(path.starts_with("pipelines/"), "{path:?}");
                }
            }
        }
        3 => {
            if let Ok(commit) = serde_json::from_slice::<github::Commit>(body) {
                let change = commit.to_change();
                assert_eq!(change.revision, commit.sha);
                assert!(change.label.chars().count() <= 7);
            }
        }
        _ => {
            if let Ok(user) = serde_json::from_slice::<github::User>(body) {
                if let Some(link) = wire::web_link(user.avatar_url) {
                    assert!(link.starts_with("http"));
                }
            }
        }
    }
}

/// What any diff's hunks hold, from any answer: at most the studio's bound of lines (and one
/// more, to tell), an added line with no old number, a removed one with no new number, and,
/// where the studio numbers the lines itself (`numbered`: unified text), numbers that only go
/// up within a hunk (Data Center numbers its own lines; they are shown as given).
fn hunks_hold(hunks: &[api::DiffHunk], numbered: bool) {
    use api::DiffLineKind;
    let lines: usize = hunks.iter().map(|h| h.lines.len()).sum();
    assert!(lines <= api::branch::MAX_DIFF_LINES + 1, "{lines}");
    for hunk in hunks {
        let (mut old, mut new) = (None::<u32>, None::<u32>);
        for line in &hunk.lines {
            match line.kind {
                DiffLineKind::Added => assert!(line.old.is_none()),
                DiffLineKind::Removed => assert!(line.new.is_none()),
                DiffLineKind::Context => {}
            }
            if !numbered {
                continue;
            }
            for (seen, now) in [(&mut old, line.old), (&mut new, line.new)] {
                if let (Some(before), Some(now)) = (*seen, now) {
                    assert!(now >= before, "{before} then {now}");
                }
                if now.is_some() {
                    *seen = now;
                }
            }
        }
    }
}
