//! A small OpenAPI 3.0 response validator: as much of the Schema Object as
//! Atlassian's Bitbucket Cloud document uses, and nothing that would let an
//! answer pass unchecked.
//!
//! - `$ref` is resolved within the document (`#/…` JSON pointers).
//! - `allOf` branches are merged into one schema, the way OpenAPI tools read
//!   them: `properties` and `required` are the union of the branches, and an
//!   `additionalProperties: false` in any branch closes the merged object to
//!   that union. A property named in several branches gets all their schemas,
//!   merged the same way, so a closed `links` in one branch stays closed.
//! - Checked: `type` (object, array, string, integer, number, boolean),
//!   `nullable`, `properties`, `required`, `additionalProperties` (bool or
//!   schema), `items`, `minItems`, `uniqueItems`, `enum`, `minimum`, `maximum`,
//!   `minLength`, `maxLength`, `oneOf` and `anyOf` (at least one branch:
//!   GitHub's description writes `oneOf` over branches that overlap, such as
//!   `basic-error` and `repository-rule-violation-error`, which both accept a
//!   plain error, so "exactly one" would refuse GitHub's own answers), `pattern`
//!   (unanchored, as JSON Schema reads it) and `format` `date-time` (RFC 3339)
//!   and `uri` (an absolute URL). Other formats are ignored, as JSON Schema
//!   says.
//! - Ignored: `discriminator`, `title`, `description`, `example(s)` and the
//!   other annotations. Any other keyword is reported as a violation rather
//!   than silently skipped.
//!
//! Every violation names the JSON path of the offending value (`$.values[0]
//! .workspace.links.html`) and the rule it breaks.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;
use std::sync::OnceLock;

use regex::Regex;
use serde_json::Value;

/// Annotation keywords that say nothing about validity.
const ANNOTATIONS: &[&str] = &[
    "discriminator",
    "title",
    "description",
    "example",
    "examples",
    "readOnly",
    "writeOnly",
    "deprecated",
    "externalDocs",
    "xml",
    "default",
];

/// How deep `$ref`/`allOf` may nest at one level of the instance before the
/// document is taken to be cyclic.
const MAX_DEPTH: usize = 64;

/// One rule an answer breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// JSON path of the value, `$` for the whole answer.
    pub path: String,
    /// The keyword broken (`type`, `required`, `additionalProperties`, …), or
    /// `schema` when the document itself could not be read.
    pub rule: &'static str,
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.path, self.rule, self.message)
    }
}

/// An OpenAPI document.
#[derive(Debug)]
pub struct Document {
    root: Value,
}

/// What the document says a response with some status carries.
#[derive(Debug)]
pub enum Documented<'a> {
    /// The status is not listed for the operation.
    Undocumented,
    /// Listed, with no `application/json` body.
    NoBody,
    /// Listed with this JSON schema.
    Json(&'a Value),
}

impl Document {
    pub fn new(root: Value) -> Document {
        Document { root }
    }

    pub fn load(path: &Path) -> Document {
        let text = std::fs::read_to_string(path)
            .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
        Document::new(serde_json::from_str(&text).expect("the document is JSON"))
    }

    /// The Operation Object for `method` (lower or upper case) on a path
    /// template such as `/repositories/{workspace}`.
    pub fn operation(&self, template: &str, method: &str) -> Option<&Value> {
        self.root
            .get("paths")?
            .get(template)?
            .get(method.to_ascii_lowercase())
    }

    /// What the document gives for `status` of `method template`. Panics if
    /// the operation itself is not in the document: a test naming a path that
    /// is not there is a broken test.
    pub fn response(&self, template: &str, method: &str, status: u16) -> Documented<'_> {
        let op = self
            .operation(template, method)
            .unwrap_or_else(|| panic!("the document has no {method} {template}"));
        let Some(response) = op
            .get("responses")
            .and_then(|r| r.get(status.to_string()).or_else(|| r.get("default")))
        else {
            return Documented::Undocumented;
        };
        let response = self.deref(response);
        match response
            .get("content")
            .and_then(|c| c.get("application/json"))
            .and_then(|c| c.get("schema"))
        {
            Some(schema) => Documented::Json(schema),
            None => Documented::NoBody,
        }
    }

    /// A reference to a named component schema, to validate against.
    pub fn component(name: &str) -> Value {
        serde_json::json!({ "$ref": format!("#/components/schemas/{name}") })
    }

    /// Whether `#/components/schemas/{name}` exists.
    pub fn has_component(&self, name: &str) -> bool {
        self.root
            .pointer(&format!("/components/schemas/{}", escape_pointer(name)))
            .is_some()
    }

    fn deref<'a>(&'a self, mut value: &'a Value) -> &'a Value {
        for _ in 0..MAX_DEPTH {
            match value.get("$ref").and_then(Value::as_str) {
                Some(r) => match self.resolve(r) {
                    Some(target) => value = target,
                    None => return value,
                },
                None => return value,
            }
        }
        value
    }

    fn resolve(&self, reference: &str) -> Option<&Value> {
        let pointer = reference.strip_prefix('#')?;
        self.root.pointer(pointer)
    }

    /// Every rule `instance` breaks in `schema` (empty: it conforms).
    pub fn validate(&self, schema: &Value, instance: &Value) -> Vec<Violation> {
        let mut out = Vec::new();
        self.check(&[schema], instance, "$", &mut out);
        out
    }

    fn check(&self, schemas: &[&Value], instance: &Value, path: &str, out: &mut Vec<Violation>) {
        let mut merged = Merged::default();
        for schema in schemas {
            self.flatten(schema, &mut merged, 0, path, out);
        }
        self.apply(&merged, instance, path, out);
    }

    /// Folds `schema` (following `$ref` and `allOf`) into `m`.
    fn flatten<'a>(
        &'a self,
        schema: &'a Value,
        m: &mut Merged<'a>,
        depth: usize,
        path: &str,
        out: &mut Vec<Violation>,
    ) {
        let schema_error = |out: &mut Vec<Violation>, message: String| {
            out.push(Violation {
                path: path.to_owned(),
                rule: "schema",
                message,
            })
        };
        if depth > MAX_DEPTH {
            schema_error(out, "$ref/allOf nest too deeply (a cycle?)".into());
            return;
        }
        let obj = match schema {
            Value::Object(obj) => obj,
            Value::Bool(true) => return,
            Value::Bool(false) => {
                m.never = true;
                return;
            }
            other => {
                schema_error(out, format!("a schema must be an object, found {other}"));
                return;
            }
        };
        if let Some(reference) = obj.get("$ref") {
            // OpenAPI 3.0: a Reference Object's siblings are ignored.
            match reference.as_str().and_then(|r| self.resolve(r)) {
                Some(target) => self.flatten(target, m, depth + 1, path, out),
                None => schema_error(out, format!("cannot resolve $ref {reference}")),
            }
            return;
        }
        for (key, value) in obj {
            let key = key.as_str();
            match key {
                "allOf" => match value.as_array() {
                    Some(branches) => {
                        for branch in branches {
                            self.flatten(branch, m, depth + 1, path, out);
                        }
                    }
                    None => schema_error(out, "allOf must be an array".into()),
                },
                "type" => match value.as_str() {
                    Some(t) => m.types.push(t),
                    None => schema_error(out, format!("type must be a string, found {value}")),
                },
                "nullable" => m.nullable |= value.as_bool() == Some(true),
                "properties" => match value.as_object() {
                    Some(props) => {
                        for (name, s) in props {
                            m.properties.entry(name.as_str()).or_default().push(s);
                        }
                    }
                    None => schema_error(out, "properties must be an object".into()),
                },
                "required" => match value.as_array() {
                    Some(names) => m.required.extend(names.iter().filter_map(Value::as_str)),
                    None => schema_error(out, "required must be an array".into()),
                },
                "additionalProperties" => match value {
                    Value::Bool(false) => m.closed = true,
                    Value::Bool(true) => {}
                    Value::Object(_) => m.additional.push(value),
                    _ => schema_error(out, "additionalProperties must be a bool or schema".into()),
                },
                "items" => m.items.push(value),
                "minItems" => match value.as_u64() {
                    Some(n) => m.min_items = m.min_items.max(Some(n)),
                    None => schema_error(out, "minItems must be a non-negative integer".into()),
                },
                "uniqueItems" => m.unique_items |= value.as_bool() == Some(true),
                "enum" => match value.as_array() {
                    Some(values) => m.enums.push(values),
                    None => schema_error(out, "enum must be an array".into()),
                },
                "minimum" => match value.as_f64() {
                    Some(n) => m.minimum = Some(m.minimum.map_or(n, |old: f64| old.max(n))),
                    None => schema_error(out, "minimum must be a number".into()),
                },
                "maximum" => match value.as_f64() {
                    Some(n) => m.maximum = Some(m.maximum.map_or(n, |old: f64| old.min(n))),
                    None => schema_error(out, "maximum must be a number".into()),
                },
                "minLength" | "maxLength" => match value.as_u64() {
                    Some(n) if key == "minLength" => m.min_length = m.min_length.max(Some(n)),
                    Some(n) => m.max_length = Some(m.max_length.map_or(n, |old| old.min(n))),
                    None => schema_error(out, format!("{key} must be a non-negative integer")),
                },
                "oneOf" | "anyOf" => match value.as_array() {
                    Some(branches) => m.alternatives.push((key == "oneOf", branches)),
                    None => schema_error(out, format!("{key} must be an array")),
                },
                "pattern" => match value.as_str() {
                    Some(p) => m.patterns.push(p),
                    None => schema_error(out, "pattern must be a string".into()),
                },
                "format" => match value.as_str() {
                    Some(f) => m.formats.push(f),
                    None => schema_error(out, "format must be a string".into()),
                },
                k if ANNOTATIONS.contains(&k) || k.starts_with("x-") => {}
                other => schema_error(out, format!("unsupported keyword `{other}`")),
            }
        }
    }

    fn apply(&self, m: &Merged<'_>, instance: &Value, path: &str, out: &mut Vec<Violation>) {
        let mut fail = |rule: &'static str, message: String| {
            out.push(Violation {
                path: path.to_owned(),
                rule,
                message,
            })
        };
        if m.never {
            fail("schema", "no value is allowed here".into());
            return;
        }
        if instance.is_null() && m.nullable {
            return;
        }
        for t in &m.types {
            match type_matches(t, instance) {
                Some(true) => {}
                Some(false) => {
                    fail(
                        "type",
                        format!("expected {t}, found {} {}", kind(instance), short(instance)),
                    );
                    // Nothing else about a value of the wrong type is worth saying.
                    return;
                }
                None => fail("schema", format!("unknown type `{t}`")),
            }
        }
        for (exactly_one, branches) in &m.alternatives {
            let passing = branches
                .iter()
                .filter(|b| self.validate(b, instance).is_empty())
                .count();
            let rule = if *exactly_one { "oneOf" } else { "anyOf" };
            if passing == 0 {
                fail(
                    rule,
                    format!(
                        "{passing} of {} branches match {}",
                        branches.len(),
                        short(instance)
                    ),
                );
            }
        }
        for allowed in &m.enums {
            if !allowed.contains(instance) {
                fail(
                    "enum",
                    format!(
                        "{} is not one of {}",
                        short(instance),
                        Value::Array(allowed.to_vec())
                    ),
                );
            }
        }
        match instance {
            Value::Number(n) => {
                if let (Some(min), Some(x)) = (m.minimum, n.as_f64()) {
                    if x < min {
                        fail("minimum", format!("{n} is less than {min}"));
                    }
                }
                if let (Some(max), Some(x)) = (m.maximum, n.as_f64()) {
                    if x > max {
                        fail("maximum", format!("{n} is more than {max}"));
                    }
                }
            }
            Value::String(s) => {
                let len = s.chars().count() as u64;
                if m.min_length.is_some_and(|min| len < min)
                    || m.max_length.is_some_and(|max| len > max)
                {
                    fail(
                        "length",
                        format!("{s:?} has {len} characters, outside the allowed length"),
                    );
                }
                for p in &m.patterns {
                    match compiled(p) {
                        Ok(re) if re.is_match(s) => {}
                        Ok(_) => fail("pattern", format!("{s:?} does not match /{p}/")),
                        Err(e) => fail("schema", format!("bad pattern /{p}/: {e}")),
                    }
                }
                for f in &m.formats {
                    match *f {
                        "date-time" if !is_rfc3339(s) => {
                            fail("format", format!("{s:?} is not an RFC 3339 date-time"))
                        }
                        "uri" if url::Url::parse(s).is_err() => {
                            fail("format", format!("{s:?} is not an absolute URI"))
                        }
                        _ => {}
                    }
                }
            }
            Value::Array(items) => {
                if let Some(min) = m.min_items {
                    if (items.len() as u64) < min {
                        fail(
                            "minItems",
                            format!("{} items, fewer than {min}", items.len()),
                        );
                    }
                }
                if m.unique_items {
                    for (i, a) in items.iter().enumerate() {
                        if let Some(j) = items[..i].iter().position(|b| b == a) {
                            fail("uniqueItems", format!("item [{i}] repeats item [{j}]"));
                        }
                    }
                }
                if !m.items.is_empty() {
                    for (i, item) in items.iter().enumerate() {
                        self.check(&m.items, item, &format!("{path}[{i}]"), out);
                    }
                }
            }
            Value::Object(obj) => {
                for name in &m.required {
                    if !obj.contains_key(*name) {
                        out.push(Violation {
                            path: path.to_owned(),
                            rule: "required",
                            message: format!("missing property `{name}`"),
                        });
                    }
                }
                for (name, value) in obj {
                    let child = child_path(path, name);
                    if let Some(schemas) = m.properties.get(name.as_str()) {
                        self.check(schemas, value, &child, out);
                    } else if m.closed {
                        let allowed: Vec<&str> = m.properties.keys().copied().collect();
                        out.push(Violation {
                            path: child,
                            rule: "additionalProperties",
                            message: format!(
                                "property `{name}` is not allowed here (allowed: {})",
                                if allowed.is_empty() {
                                    "none".to_owned()
                                } else {
                                    allowed.join(", ")
                                }
                            ),
                        });
                    } else if !m.additional.is_empty() {
                        self.check(&m.additional, value, &child, out);
                    }
                }
            }
            Value::Bool(_) | Value::Null => {}
        }
    }
}

/// One level of the instance, with every schema that applies to it folded in.
#[derive(Default)]
struct Merged<'a> {
    never: bool,
    types: Vec<&'a str>,
    nullable: bool,
    properties: BTreeMap<&'a str, Vec<&'a Value>>,
    required: BTreeSet<&'a str>,
    /// Some branch said `additionalProperties: false`.
    closed: bool,
    additional: Vec<&'a Value>,
    items: Vec<&'a Value>,
    min_items: Option<u64>,
    unique_items: bool,
    enums: Vec<&'a Vec<Value>>,
    minimum: Option<f64>,
    maximum: Option<f64>,
    min_length: Option<u64>,
    max_length: Option<u64>,
    /// `oneOf` (true) and `anyOf` (false) branch lists, each checked whole on its own; the
    /// flag only names the rule in messages (see the module comment).
    alternatives: Vec<(bool, &'a Vec<Value>)>,
    patterns: Vec<&'a str>,
    formats: Vec<&'a str>,
}

/// `pattern` compiled once per pattern: a page of 1,000 objects would otherwise compile the
/// same expression 1,000 times, which dominates a debug-build test run.
fn compiled(pattern: &str) -> Result<Regex, regex::Error> {
    thread_local! {
        static CACHE: std::cell::RefCell<BTreeMap<String, Regex>> = const { std::cell::RefCell::new(BTreeMap::new()) };
    }
    CACHE.with(|cache| {
        if let Some(re) = cache.borrow().get(pattern) {
            return Ok(re.clone());
        }
        let re = Regex::new(pattern)?;
        cache.borrow_mut().insert(pattern.to_owned(), re.clone());
        Ok(re)
    })
}

fn type_matches(t: &str, v: &Value) -> Option<bool> {
    Some(match t {
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "boolean" => v.is_boolean(),
        "number" => v.is_number(),
        "integer" => {
            v.is_i64()
                || v.is_u64()
                || v.as_f64()
                    .is_some_and(|f| f.fract() == 0.0 && f.is_finite())
        }
        _ => return None,
    })
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// A value as shown in a message: short ones whole, long ones cut.
fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() <= 80 {
        s
    } else {
        format!("{}…", s.chars().take(77).collect::<String>())
    }
}

fn child_path(parent: &str, name: &str) -> String {
    let plain = !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if plain {
        format!("{parent}.{name}")
    } else {
        format!("{parent}[{}]", Value::String(name.to_owned()))
    }
}

fn escape_pointer(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

/// RFC 3339 `date-time`: `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`, with the
/// ranges checked (no 30 February, no hour 24).
pub fn is_rfc3339(s: &str) -> bool {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        Regex::new(
            r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:[Zz]|[+-](\d{2}):(\d{2}))$",
        )
        .unwrap()
    });
    let Some(c) = re.captures(s) else {
        return false;
    };
    let n = |i: usize| -> u32 { c.get(i).map_or(0, |m| m.as_str().parse().unwrap_or(99)) };
    let (year, month, day) = (n(1), n(2), n(3));
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day) && n(4) <= 23 && n(5) <= 59 && n(6) <= 60 && n(7) <= 23 && n(8) <= 59
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// A document with a few schemas of its own, to test one rule at a time.
    fn doc() -> Document {
        Document::new(json!({
            "openapi": "3.0.0",
            "paths": {
                "/thing": { "get": { "responses": {
                    "200": { "content": { "application/json": { "schema": { "$ref": "#/components/schemas/thing" } } } },
                    "201": { "description": "" }
                } } }
            },
            "components": { "schemas": {
                "object": {
                    "type": "object",
                    "properties": { "type": { "type": "string" } },
                    "required": ["type"],
                    "additionalProperties": true,
                    "discriminator": { "propertyName": "type" }
                },
                "link": {
                    "type": "object",
                    "properties": { "href": { "type": "string", "format": "uri" } },
                    "additionalProperties": false
                },
                "thing": { "allOf": [
                    { "$ref": "#/components/schemas/object" },
                    { "type": "object", "title": "Thing", "description": "ignored",
                      "properties": {
                        "links": { "type": "object",
                                   "properties": { "self": { "$ref": "#/components/schemas/link" } },
                                   "additionalProperties": false },
                        "count": { "type": "integer", "minimum": 0 },
                        "hash": { "type": "string", "pattern": "[0-9a-f]{7,}?" },
                        "when": { "type": "string", "format": "date-time" },
                        "kind": { "type": "string", "enum": ["a", "b"] },
                        "tags": { "type": "array", "items": { "type": "string" },
                                  "minItems": 1, "uniqueItems": true },
                        "parent": { "$ref": "#/components/schemas/thing" }
                      },
                      "additionalProperties": true }
                ] },
                "closed_thing": { "allOf": [
                    { "$ref": "#/components/schemas/object" },
                    { "type": "object", "properties": { "name": { "type": "string" } },
                      "additionalProperties": false }
                ] },
                "links_open": { "type": "object", "properties": {
                    "links": { "type": "object", "properties": { "avatar": { "$ref": "#/components/schemas/link" } },
                               "additionalProperties": true } } },
                "links_closed": { "type": "object", "properties": {
                    "links": { "type": "object", "properties": { "self": { "$ref": "#/components/schemas/link" } },
                               "additionalProperties": false } } },
                "both_links": { "allOf": [
                    { "$ref": "#/components/schemas/links_open" },
                    { "$ref": "#/components/schemas/links_closed" }
                ] },
                "maybe": { "type": "string", "nullable": true },
                "map": { "type": "object", "additionalProperties": { "type": "integer" } },
                "odd": { "type": "string", "multipleOf": 3 },
                "short": { "type": "string", "maxLength": 3 }
            } }
        }))
    }

    fn errors(schema: &str, instance: Value) -> Vec<String> {
        doc()
            .validate(&Document::component(schema), &instance)
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    fn assert_one(schema: &str, instance: Value, path: &str, rule: &str) {
        let d = doc();
        let v = d.validate(&Document::component(schema), &instance);
        assert_eq!(v.len(), 1, "{v:#?}");
        assert_eq!((v[0].path.as_str(), v[0].rule), (path, rule), "{}", v[0]);
    }

    #[test]
    fn a_conforming_instance_has_no_violations() {
        let ok = json!({
            "type": "thing",
            "links": { "self": { "href": "https://api.example/2.0/thing" } },
            "count": 3,
            "hash": "0123abcdef",
            "when": "2024-03-05T09:07:01.250000+00:00",
            "kind": "a",
            "tags": ["x", "y"],
            "parent": { "type": "thing", "count": 0 },
            "anything": { "else": null }
        });
        assert_eq!(errors("thing", ok), Vec::<String>::new());
    }

    #[test]
    fn types_are_checked_with_their_path() {
        assert_one("thing", json!({ "type": 1 }), "$.type", "type");
        assert_one(
            "thing",
            json!({ "type": "t", "count": 1.5 }),
            "$.count",
            "type",
        );
        assert_one(
            "thing",
            json!({ "type": "t", "count": "3" }),
            "$.count",
            "type",
        );
        assert_one("thing", json!([]), "$", "type");
        // A whole-number float is an integer.
        assert_eq!(
            errors("thing", json!({ "type": "t", "count": 2.0 })),
            Vec::<String>::new()
        );
        let e = errors("thing", json!({ "type": "t", "tags": [true] }));
        assert_eq!(e, ["$.tags[0]: type: expected string, found boolean true"]);
    }

    #[test]
    fn null_is_a_type_error_unless_nullable() {
        assert_one(
            "thing",
            json!({ "type": "t", "parent": null }),
            "$.parent",
            "type",
        );
        assert_eq!(errors("maybe", json!(null)), Vec::<String>::new());
        assert_one("maybe", json!(3), "$", "type");
    }

    #[test]
    fn required_properties_come_from_every_allof_branch() {
        let e = errors("thing", json!({ "count": 1 }));
        assert_eq!(e, ["$: required: missing property `type`"]);
        assert_one("closed_thing", json!({ "name": "x" }), "$", "required");
    }

    #[test]
    fn refs_resolve_recursively() {
        assert_one(
            "thing",
            json!({ "type": "t", "parent": { "type": "t", "parent": { "count": -1, "type": "t", "parent": { "type": "t" } } } }),
            "$.parent.parent.count",
            "minimum",
        );
        let v = doc().validate(
            &json!({ "$ref": "#/components/schemas/missing" }),
            &json!({}),
        );
        assert_eq!(v[0].rule, "schema");
    }

    #[test]
    fn closed_objects_refuse_unknown_properties() {
        let e = errors(
            "thing",
            json!({ "type": "t", "links": { "self": { "href": "https://x.example/" }, "html": {} } }),
        );
        assert_eq!(
            e,
            ["$.links.html: additionalProperties: property `html` is not allowed here (allowed: self)"]
        );
        assert_one(
            "thing",
            json!({ "type": "t", "links": { "self": { "href": "https://x.example/", "title": "x" } } }),
            "$.links.self.title",
            "additionalProperties",
        );
    }

    #[test]
    fn allof_closes_the_union_of_its_branches() {
        // `type` comes from the open branch, `name` from the closed one: both allowed.
        assert_eq!(
            errors("closed_thing", json!({ "type": "x", "name": "n" })),
            Vec::<String>::new()
        );
        assert_one(
            "closed_thing",
            json!({ "type": "x", "name": "n", "extra": 1 }),
            "$.extra",
            "additionalProperties",
        );
    }

    #[test]
    fn a_property_closed_in_any_branch_is_closed_in_the_merge() {
        // `links` is open in one branch and closed in the other: the merge allows the
        // union (avatar, self) and nothing else.
        let ok = json!({ "links": { "avatar": { "href": "https://a.example/" }, "self": { "href": "https://s.example/" } } });
        assert_eq!(errors("both_links", ok), Vec::<String>::new());
        assert_one(
            "both_links",
            json!({ "links": { "html": { "href": "https://h.example/" } } }),
            "$.links.html",
            "additionalProperties",
        );
    }

    #[test]
    fn additional_properties_may_be_a_schema() {
        assert_eq!(
            errors("map", json!({ "a": 1, "b": 2 })),
            Vec::<String>::new()
        );
        assert_one("map", json!({ "a": 1, "b": "2" }), "$.b", "type");
    }

    #[test]
    fn arrays_check_items_min_items_and_uniqueness() {
        assert_one(
            "thing",
            json!({ "type": "t", "tags": [] }),
            "$.tags",
            "minItems",
        );
        assert_one(
            "thing",
            json!({ "type": "t", "tags": ["a", "a"] }),
            "$.tags",
            "uniqueItems",
        );
        let objects_equal_in_any_key_order = doc().validate(
            &json!({ "type": "array", "uniqueItems": true }),
            &serde_json::from_str::<Value>(r#"[{"a":1,"b":2},{"b":2,"a":1}]"#).unwrap(),
        );
        assert_eq!(objects_equal_in_any_key_order.len(), 1);
    }

    #[test]
    fn enums_minimums_and_patterns() {
        assert_one(
            "thing",
            json!({ "type": "t", "kind": "c" }),
            "$.kind",
            "enum",
        );
        assert_one(
            "thing",
            json!({ "type": "t", "count": -1 }),
            "$.count",
            "minimum",
        );
        assert_one(
            "thing",
            json!({ "type": "t", "hash": "xyz" }),
            "$.hash",
            "pattern",
        );
        // Patterns are unanchored (JSON Schema's reading of ECMA 262 `test`).
        assert_eq!(
            errors("thing", json!({ "type": "t", "hash": "commit 0123abc" })),
            Vec::<String>::new()
        );
    }

    #[test]
    fn date_times_are_rfc_3339() {
        for ok in [
            "2024-03-05T09:07:01.250000+00:00",
            "2024-03-05T09:07:01Z",
            "2024-02-29T23:59:60-07:00",
            "2000-02-29t00:00:00z",
        ] {
            assert!(is_rfc3339(ok), "{ok}");
        }
        for bad in [
            "2024-03-05",
            "2024-03-05 09:07:01Z",
            "2024-03-05T09:07:01",
            "2023-02-29T00:00:00Z",
            "2024-13-01T00:00:00Z",
            "2024-04-31T00:00:00Z",
            "2024-03-05T24:00:00Z",
            "2024-03-05T09:07:01+0000",
            "2024-03-05T09:07:01.+00:00",
        ] {
            assert!(!is_rfc3339(bad), "{bad}");
        }
        assert_one(
            "thing",
            json!({ "type": "t", "when": "yesterday" }),
            "$.when",
            "format",
        );
    }

    #[test]
    fn uris_must_be_absolute() {
        let link = Document::component("link");
        let d = doc();
        for ok in [
            "https://bitbucket.org/a/b",
            "ssh://git@bitbucket.org/a/b.git",
            "http://127.0.0.1:9/x?y=1",
        ] {
            assert!(d.validate(&link, &json!({ "href": ok })).is_empty(), "{ok}");
        }
        for bad in [
            "git@bitbucket.org:a/b.git",
            "/2.0/user",
            "bitbucket.org/a",
            "",
        ] {
            let v = d.validate(&link, &json!({ "href": bad }));
            assert_eq!(v.len(), 1, "{bad}");
            assert_eq!((v[0].path.as_str(), v[0].rule), ("$.href", "format"));
        }
    }

    #[test]
    fn unsupported_keywords_are_reported_not_ignored() {
        assert_one("odd", json!("abcd"), "$", "schema");
    }

    #[test]
    fn lengths_are_checked() {
        assert_one("short", json!("abcd"), "$", "length");
        let d = doc();
        assert!(d
            .validate(&Document::component("short"), &json!("abc"))
            .is_empty());
    }

    #[test]
    fn odd_property_names_are_quoted_in_paths() {
        assert_one("map", json!({ "a b": "x" }), r#"$["a b"]"#, "type");
    }

    #[test]
    fn responses_are_looked_up_by_path_method_and_status() {
        let d = doc();
        assert!(matches!(
            d.response("/thing", "GET", 200),
            Documented::Json(_)
        ));
        assert!(matches!(
            d.response("/thing", "get", 201),
            Documented::NoBody
        ));
        assert!(matches!(
            d.response("/thing", "get", 404),
            Documented::Undocumented
        ));
    }

    /// The rules above, against Atlassian's own document.
    mod bitbucket {
        use super::*;

        fn bitbucket() -> Document {
            Document::load(&crate::common::document_path())
        }

        #[test]
        fn the_error_envelope_allows_message_detail_and_data_only() {
            let d = bitbucket();
            let error = Document::component("error");
            let ok = json!({ "type": "error", "error": { "message": "m", "detail": "d", "data": { "k": 1 } } });
            assert!(d.validate(&error, &ok).is_empty());
            let v = d.validate(
                &error,
                &json!({ "type": "error", "error": { "message": "m", "code": "X" } }),
            );
            assert_eq!(
                (v[0].path.as_str(), v[0].rule),
                ("$.error.code", "additionalProperties")
            );
            let v = d.validate(&error, &json!({ "type": "error", "error": { "message": "m", "detail": { "required": [] } } }));
            assert_eq!((v[0].path.as_str(), v[0].rule), ("$.error.detail", "type"));
            let v = d.validate(&error, &json!({ "error": {} }));
            assert_eq!(v.len(), 2, "{v:#?}");
        }

        #[test]
        fn workspace_base_links_are_avatar_and_self_only() {
            let d = bitbucket();
            let Documented::Json(schema) = d.response("/user/workspaces", "get", 200) else {
                panic!("documented");
            };
            let page = json!({ "values": [ { "type": "workspace_access", "administrator": true, "workspace": {
                "type": "workspace_base", "uuid": "{u}", "slug": "s",
                "links": { "self": { "href": "https://api.bitbucket.org/2.0/workspaces/s" },
                           "html": { "href": "https://bitbucket.org/s/" } } } } ] });
            let v = d.validate(schema, &page);
            assert_eq!(v.len(), 1, "{v:#?}");
            assert_eq!(v[0].path, "$.values[0].workspace.links.html");
            assert_eq!(v[0].rule, "additionalProperties");
        }

        #[test]
        fn the_smallest_answers_the_document_allows_pass() {
            let d = bitbucket();
            for (name, instance) in [
                ("account", json!({ "type": "user" })),
                ("paginated_repositories", json!({})),
                ("repository", json!({ "type": "repository" })),
                ("branch", json!({ "type": "branch" })),
                ("commit", json!({ "type": "commit" })),
                ("commit_file", json!({ "type": "commit_file" })),
                ("workspace", json!({ "type": "workspace" })),
            ] {
                assert!(d.has_component(name), "{name}");
                let v = d.validate(&Document::component(name), &instance);
                assert!(v.is_empty(), "{name}: {v:#?}");
            }
            // The pagination envelope is closed.
            let v = d.validate(
                &Document::component("paginated_branches"),
                &json!({ "values": [], "total": 1 }),
            );
            assert_eq!(
                (v[0].path.as_str(), v[0].rule),
                ("$.total", "additionalProperties")
            );
        }

        #[test]
        fn src_201_has_no_body_and_410_is_undocumented() {
            let d = bitbucket();
            assert!(matches!(
                d.response("/repositories/{workspace}/{repo_slug}/src", "post", 201),
                Documented::NoBody
            ));
            assert!(matches!(
                d.response("/repositories", "get", 410),
                Documented::Undocumented
            ));
        }
    }
}
