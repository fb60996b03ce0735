//! A pipeline file's YAML as a small tree of positioned nodes, built by walking the parser's
//! events in a loop with explicit bounds.
//!
//! The input is attacker-controlled: anyone who can push to a shared repository can commit a
//! pipeline that every collaborator's editor then checks, and the server checks whatever a
//! save sends. So nothing here recurses on the input, and every resource is bounded:
//! - **depth**: at most [`MAX_DEPTH`] nested mappings and lists. A loaded value (the parser's
//!   own `load`) recurses once per level, and `- - - … x` at 1 MiB is 500,000 levels: enough to
//!   overflow any thread's stack, in the server and in the browser's wasm alike.
//! - **size**: at most [`MAX_PIPELINE_BYTES`](super::MAX_PIPELINE_BYTES) of text.
//! - **nodes**: at most [`MAX_NODES`] events, so memory and the schema check's time are linear
//!   in a bounded count.
//! - **documents**: one. A second document is reported, not silently skipped.
//!
//! Aliases are kept as [`Value::Alias`] and never expanded, so no "billion laughs".
//!
//! Only mappings keep their children (the schema looks at keys, never at list items), so the
//! tree's own depth is bounded by [`MAX_DEPTH`] too, and dropping it cannot recurse deeply.

use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::Marker;

use super::{PipelineProblem, MAX_PIPELINE_BYTES};

/// Deepest nesting of mappings and lists accepted. A pipeline's schema needs four levels;
/// real component settings rarely need ten.
pub const MAX_DEPTH: usize = 64;
/// Most YAML events (scalars, mappings, lists) in one file.
pub const MAX_NODES: usize = 200_000;

#[derive(Debug)]
pub(super) enum Value {
    Map(Vec<(Node, Node)>),
    Seq,
    Scalar(String),
    Alias,
}

#[derive(Debug)]
pub(super) struct Node {
    pub(super) value: Value,
    pub(super) line: usize,
    pub(super) column: usize,
}

impl Node {
    /// The scalar's text, unless it is empty or YAML's null.
    pub(super) fn scalar(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar(s) if !matches!(s.as_str(), "" | "~" | "null" | "Null" | "NULL") => {
                Some(s)
            }
            _ => None,
        }
    }

    pub(super) fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(_, v)| v)
    }

    /// The key node and the value of `key`: problems with a whole mapping point at its key,
    /// where a reader looks (a mapping's own position is where its first key ends).
    pub(super) fn entry(&self, key: &str) -> Option<&(Node, Node)> {
        match &self.value {
            Value::Map(entries) => entries.iter().find(|(k, _)| k.scalar() == Some(key)),
            _ => None,
        }
    }
}

/// Reads `content` into a tree: `Ok(None)` for a file with no document (empty, or comments
/// only), `Err` for invalid YAML or a file past one of the bounds.
pub(super) fn parse(content: &str) -> Result<Option<Node>, PipelineProblem> {
    if content.len() > MAX_PIPELINE_BYTES {
        return Err(problem_at(
            1,
            1,
            format!(
                "The file is too large: a pipeline holds at most {} KiB.",
                MAX_PIPELINE_BYTES / 1024
            ),
        ));
    }
    let mut parser = Parser::new_from_str(content);
    let mut builder = Builder::default();
    let mut events = 0usize;
    let mut documents = 0usize;
    loop {
        let (event, mark) = parser.next_token().map_err(|e| {
            // The scanner reads ahead, and stops flow collections (`[[[…`) at 255 levels on
            // its own: the same problem as ours, said the same way.
            let message = if e.info() == "recursion limit exceeded" {
                too_deep()
            } else {
                format!("This is not valid YAML: {}.", e.info())
            };
            problem_at(e.marker().line(), e.marker().col() + 1, message)
        })?;
        match event {
            Event::StreamEnd => break,
            Event::DocumentStart => {
                documents += 1;
                if documents > 1 {
                    return Err(problem(
                        mark,
                        "A pipeline file holds one YAML document: remove this --- and what follows, or move it to a file of its own.".into(),
                    ));
                }
                continue;
            }
            Event::MappingStart(..) | Event::SequenceStart(..) if builder.depth() >= MAX_DEPTH => {
                return Err(problem(mark, too_deep()));
            }
            _ => {}
        }
        events += 1;
        if events > MAX_NODES {
            return Err(problem(
                mark,
                format!(
                    "The file holds more than {MAX_NODES} YAML values. Split the pipeline into smaller ones."
                ),
            ));
        }
        builder.on_event(event, mark);
    }
    Ok(builder.root)
}

fn too_deep() -> String {
    format!(
        "The YAML nests deeper than {MAX_DEPTH} levels here. A pipeline needs far fewer: flatten this part."
    )
}

fn problem(mark: Marker, message: String) -> PipelineProblem {
    problem_at(mark.line(), mark.col() + 1, message)
}

fn problem_at(line: usize, column: usize, message: String) -> PipelineProblem {
    PipelineProblem {
        line: line.max(1),
        column,
        message,
    }
}

/// Builds the tree of [`Node`]s from events, each with the position of its first character.
/// The open mappings and lists are an explicit stack, never the call stack.
#[derive(Default)]
struct Builder {
    stack: Vec<(Node, Option<Node>)>,
    root: Option<Node>,
}

impl Builder {
    fn depth(&self) -> usize {
        self.stack.len()
    }

    fn push(&mut self, node: Node) {
        match self.stack.last_mut() {
            None => {
                if self.root.is_none() {
                    self.root = Some(node);
                }
            }
            Some((parent, pending_key)) => {
                // Sequence items are not judged by the schema: only mappings keep children.
                if let Value::Map(entries) = &mut parent.value {
                    match pending_key.take() {
                        None => *pending_key = Some(node),
                        Some(key) => entries.push((key, node)),
                    }
                }
            }
        }
    }

    fn on_event(&mut self, event: Event, mark: Marker) {
        let at = |value| Node {
            value,
            line: mark.line(),
            column: mark.col() + 1,
        };
        match event {
            Event::Scalar(value, ..) => self.push(at(Value::Scalar(value))),
            Event::Alias(_) => self.push(at(Value::Alias)),
            Event::MappingStart(..) => self.stack.push((at(Value::Map(Vec::new())), None)),
            Event::SequenceStart(..) => self.stack.push((at(Value::Seq), None)),
            Event::MappingEnd | Event::SequenceEnd => {
                if let Some((node, _)) = self.stack.pop() {
                    self.push(node);
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(content: &str) -> PipelineProblem {
        parse(content).expect_err("refused")
    }

    /// Each of these overflowed the stack (and aborted the process) when the tree was loaded
    /// recursively: keep them at full size.
    #[test]
    fn deep_nesting_is_refused_without_recursing() {
        let block_lists = format!("{}x", "- ".repeat(500_000));
        let complex_keys = format!("{}x", "? ".repeat(500_000));
        let flow_lists = "[".repeat(MAX_PIPELINE_BYTES - 1);
        let flow_maps = "{a: ".repeat(200_000);
        let block_maps: String = (0..1_000)
            .map(|depth| format!("{}k:\n", " ".repeat(depth)))
            .collect();
        for (name, content) in [
            ("block lists", &block_lists),
            ("complex keys", &complex_keys),
            ("flow lists", &flow_lists),
            ("flow mappings", &flow_maps),
            ("block mappings", &block_maps),
        ] {
            let problem = refused(content);
            assert!(
                problem.message.contains("deeper than 64"),
                "{name}: {problem}"
            );
        }
    }

    #[test]
    fn depth_up_to_the_limit_is_fine() {
        let nested = format!("{}1{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(parse(&nested).is_ok());
        let deeper = format!(
            "{}1{}",
            "[".repeat(MAX_DEPTH + 1),
            "]".repeat(MAX_DEPTH + 1)
        );
        assert!(parse(&deeper).is_err());
    }

    #[test]
    fn size_and_node_count_are_bounded() {
        let huge = format!("a: \"{}\"\n", "x".repeat(MAX_PIPELINE_BYTES));
        assert!(refused(&huge).message.contains("too large"));
        let many = "[".to_owned() + &"1,".repeat(MAX_NODES + 1) + "]";
        assert!(refused(&many).message.contains("more than"));
    }

    #[test]
    fn a_second_document_is_reported_at_its_line() {
        let problem = refused("a: 1\n---\nb: 2\n");
        assert_eq!(problem.line, 2, "{problem}");
        assert!(problem.message.contains("one YAML document"), "{problem}");
        assert!(parse("---\na: 1\n...\n").is_ok());
    }

    #[test]
    fn aliases_are_not_expanded() {
        let laughs = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b, *b, *b]\n";
        assert!(parse(laughs).is_ok());
    }
}
