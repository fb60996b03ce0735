//! The pipeline check: YAML syntax, then a minimal schema, with every problem pointing at
//! its line.
//!
//! The schema is the part the studio relies on, and no more:
//!
//! ```yaml
//! type: "orchestration"        # or "transformation", matching the file's ending
//! version: "1.0"
//! pipeline:
//!   components:
//!     Start:                   # each component is named by its key
//!       type: "start"          # and has a type
//! ```
//!
//! Other keys are kept and not judged: the studio's components evolve faster than this check.
//! The YAML is read into a small tree by [`super::yaml_tree`], which bounds its depth, size
//! and node count, so the check is safe on any input (it runs in the server and, as the user
//! types, in the browser).

use std::collections::HashSet;

use super::yaml_tree::{self, Node, Value};
use super::PipelineKind;

/// Most problems reported at once: past this the first fixes matter more than the list.
const MAX_PROBLEMS: usize = 20;

/// One thing wrong with a pipeline file, at a 1-based line and column.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PipelineProblem {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl std::fmt::Display for PipelineProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}

/// Checks `content` as a pipeline of `kind`. `Err` lists the problems in file order.
pub fn check_pipeline(kind: PipelineKind, content: &str) -> Result<(), Vec<PipelineProblem>> {
    let root = yaml_tree::parse(content).map_err(|p| vec![p])?;
    let mut problems = Problems::default();
    match root {
        Some(root) => check_root(kind, &root, &mut problems),
        None => problems.add_at(
            1,
            1,
            "The file is empty. A pipeline starts with type, version and pipeline.".into(),
        ),
    }
    let mut list = problems.0;
    if list.is_empty() {
        return Ok(());
    }
    list.sort_by_key(|p| (p.line, p.column));
    list.truncate(MAX_PROBLEMS);
    Err(list)
}

#[derive(Default)]
struct Problems(Vec<PipelineProblem>);

impl Problems {
    fn add(&mut self, node: &Node, message: String) {
        self.add_at(node.line, node.column, message);
    }

    fn add_at(&mut self, line: usize, column: usize, message: String) {
        self.0.push(PipelineProblem {
            line,
            column,
            message,
        });
    }
}

/// A name from the file as quoted in a message: the file is the user's (or an attacker's),
/// and a key can be a megabyte long.
fn shown(name: &str) -> String {
    const MAX_CHARS: usize = 60;
    match name.char_indices().nth(MAX_CHARS) {
        Some((cut, _)) => format!("{}…", &name[..cut]),
        None => name.to_owned(),
    }
}

fn describe(node: &Node) -> &'static str {
    match node.value {
        Value::Map(_) => "a mapping",
        Value::Seq => "a list",
        Value::Alias => "an alias",
        Value::Scalar(_) if node.scalar().is_none() => "empty",
        Value::Scalar(_) => "a single value",
    }
}

/// Flags repeated keys (YAML forbids them; most loaders silently keep the last). One pass
/// with a set: a mapping can hold a hundred thousand keys.
fn check_keys(map: &Node, problems: &mut Problems) {
    let Value::Map(entries) = &map.value else {
        return;
    };
    let mut seen = HashSet::with_capacity(entries.len());
    for (key, _) in entries {
        match key.scalar() {
            None => problems.add(key, "A key must be a plain name.".into()),
            Some(name) => {
                if !seen.insert(name) {
                    let name = shown(name);
                    problems.add(key, format!("The key \"{name}\" appears twice here."));
                }
            }
        }
    }
}

fn check_root(kind: PipelineKind, root: &Node, problems: &mut Problems) {
    if !matches!(root.value, Value::Map(_)) {
        if root.scalar().is_none() && matches!(root.value, Value::Scalar(_)) {
            problems.add_at(
                1,
                1,
                "The file is empty. A pipeline starts with type, version and pipeline.".into(),
            );
        } else {
            problems.add(
                root,
                format!(
                    "A pipeline is a mapping with the keys type, version and pipeline, not {}.",
                    describe(root)
                ),
            );
        }
        return;
    }
    check_keys(root, problems);
    let wanted = kind.type_name();
    match root.get("type") {
        None => problems.add_at(
            root.line,
            1,
            format!("The key type is missing. Add type: \"{wanted}\"."),
        ),
        Some(node) => match node.scalar() {
            Some(t) if t == wanted => {}
            Some(t) => problems.add(
                node,
                format!(
                    "The type is \"{}\", but a {} file holds an {wanted} pipeline: use type: \"{wanted}\".",
                    shown(t),
                    kind.suffix()
                ),
            ),
            None => problems.add(node, format!("The type must be \"{wanted}\".")),
        },
    }
    match root.get("version") {
        None => problems.add_at(
            root.line,
            1,
            "The key version is missing. Add version: \"1.0\".".into(),
        ),
        Some(node) if node.scalar().is_none() => problems.add(
            node,
            format!(
                "The version must be a single value such as \"1.0\", not {}.",
                describe(node)
            ),
        ),
        Some(_) => {}
    }
    let Some((pipeline_key, pipeline)) = root.entry("pipeline") else {
        problems.add_at(
            root.line,
            1,
            "The key pipeline is missing. Add pipeline: with its components:.".into(),
        );
        return;
    };
    if !matches!(pipeline.value, Value::Map(_)) {
        problems.add(
            pipeline,
            format!(
                "pipeline must be a mapping with components, not {}.",
                describe(pipeline)
            ),
        );
        return;
    }
    check_keys(pipeline, problems);
    let Some(components) = pipeline.get("components") else {
        problems.add(
            pipeline_key,
            "The pipeline has no components: add components: with at least one named step.".into(),
        );
        return;
    };
    let Value::Map(entries) = &components.value else {
        problems.add(
            components,
            format!(
                "components must map each step's name to its settings, not be {}.",
                describe(components)
            ),
        );
        return;
    };
    check_keys(components, problems);
    for (key, step) in entries {
        let Some(name) = key.scalar() else { continue };
        let name = shown(name);
        if !matches!(step.value, Value::Map(_)) {
            problems.add(
                key,
                format!(
                    "The step \"{name}\" must be a mapping with a type, not {}.",
                    describe(step)
                ),
            );
            continue;
        }
        check_keys(step, problems);
        match step.get("type") {
            None => problems.add(key, format!("The step \"{name}\" has no type.")),
            Some(t) if t.scalar().is_none() => problems.add(
                t,
                format!("The type of step \"{name}\" must be a single value."),
            ),
            Some(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORCH: PipelineKind = PipelineKind::Orchestration;

    fn problems(content: &str) -> Vec<String> {
        match check_pipeline(ORCH, content) {
            Ok(()) => Vec::new(),
            Err(list) => list.iter().map(ToString::to_string).collect(),
        }
    }

    #[test]
    fn a_complete_pipeline_passes() {
        let yaml = "type: orchestration\nversion: \"1.0\"\npipeline:\n  components:\n    Start:\n      type: start\n      transitions:\n        unconditional: [\"Load\"]\n    Load:\n      type: \"run-transformation\"\n";
        assert_eq!(check_pipeline(ORCH, yaml), Ok(()));
    }

    #[test]
    fn syntax_errors_point_at_their_line() {
        let found = problems("type: orchestration\nversion: \"1.0\npipeline: x\n");
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].contains("not valid YAML"), "{found:?}");
        let found = problems("type: orchestration\n  version: 1\n");
        assert!(found[0].starts_with("Line 2,"), "{found:?}");
    }

    #[test]
    fn schema_errors_name_the_key_and_line() {
        let yaml = "type: transformation\nversion: [1]\npipeline:\n  components:\n    Start:\n      kind: start\n    End: 3\n";
        let found = problems(yaml);
        assert_eq!(found.len(), 4, "{found:?}");
        assert!(
            found[0].starts_with("Line 1, column 7:")
                && found[0].contains("type: \"orchestration\""),
            "{found:?}"
        );
        assert!(
            found[1].starts_with("Line 2, column 10:") && found[1].contains("version"),
            "{found:?}"
        );
        assert!(
            found[2].starts_with("Line 5, column 5:") && found[2].contains("\"Start\" has no type"),
            "{found:?}"
        );
        assert!(
            found[3].starts_with("Line 7, column 5:") && found[3].contains("\"End\""),
            "{found:?}"
        );
    }

    #[test]
    fn hostile_files_get_one_clear_problem() {
        let deep = format!("{}x", "- ".repeat(1_000));
        let found = problems(&deep);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].contains("deeper than 64 levels"), "{found:?}");
        // Ninety thousand distinct keys, then one repeated: linear, not quadratic.
        let mut wide: String = (0..90_000).map(|i| format!("k{i}: 1\n")).collect();
        wide.push_str("k7: 2\n");
        let found = problems(&wide);
        assert!(
            found.iter().any(|p| p.contains("\"k7\" appears twice")),
            "{found:?}"
        );
        let long_key = "k".repeat(10_000);
        let found = problems(&format!("{long_key}: 1\n{long_key}: 2\n"));
        assert!(found.iter().all(|p| p.len() < 200), "{found:?}");
    }

    #[test]
    fn missing_keys_and_duplicates_are_reported() {
        let found = problems("version: \"1.0\"\nversion: \"2\"\n");
        assert!(
            found
                .iter()
                .any(|p| p.starts_with("Line 2, column 1:") && p.contains("twice")),
            "{found:?}"
        );
        assert!(
            found.iter().any(|p| p.contains("type is missing")),
            "{found:?}"
        );
        assert!(
            found.iter().any(|p| p.contains("pipeline is missing")),
            "{found:?}"
        );
        assert_eq!(problems("").len(), 1);
        assert!(problems("- a\n- b\n")[0].contains("not a list"));
        assert!(
            problems("type: orchestration\nversion: 1\npipeline:\n  steps: {}\n")[0]
                .contains("no components")
        );
    }
}
