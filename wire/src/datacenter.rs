//! Bitbucket Data Center's JSON shapes, only the fields the studio reads, per Atlassian's
//! Data Center 9.2 REST document. Every field the document does not mark required is
//! optional here: the studio never requires a field Atlassian does not define.

use serde::Deserialize;

/// Longest project key or repository slug accepted (Data Center allows 128 characters).
pub const MAX_NAME_CHARS: usize = 128;

/// Whether `value` is a project key (`DATA`, or `~ALEX` for a personal project) or repository
/// slug the studio puts in a URL: letters, digits, `-`, `_`, `.`, and `~` first for a personal
/// project; not only dots. What Data Center lists is held to the same rule as what the app
/// sends, so nothing is offered that a later step would refuse.
pub fn is_name(value: &str) -> bool {
    let plain = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    let body = value.strip_prefix('~').unwrap_or(value);
    !body.is_empty()
        && value.chars().count() <= MAX_NAME_CHARS
        && body.chars().all(plain)
        && !body.chars().all(|c| c == '.')
}

/// A page of a paged API: `start`/`limit` in, this out. The document types `size` and
/// `limit` as JSON `number` (not integer) and requires none of the fields, so every count is
/// read from any number (see [`any_count`]) and every field may be missing.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Paged<T> {
    #[serde(default = "Vec::new")]
    pub values: Vec<T>,
    #[serde(default, deserialize_with = "any_count")]
    pub size: Option<u64>,
    #[serde(default, deserialize_with = "any_count")]
    pub limit: Option<u64>,
    #[serde(default, deserialize_with = "any_count")]
    pub start: Option<u64>,
    #[serde(default)]
    pub is_last_page: Option<bool>,
    #[serde(default, deserialize_with = "any_count")]
    pub next_page_start: Option<u64>,
}

/// What a page says about the next one (see [`Paged::next_page`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NextPage {
    /// Ask again from this `start`.
    At(u64),
    /// The list is complete.
    Last,
    /// The page says there is more but not where, and has no values to count from: the
    /// list stops here, and the caller must say so in its log (it may be incomplete).
    Unknown,
}

impl<T> Paged<T> {
    /// Where the list goes on, by this rule. Atlassian's Data Center REST document declares
    /// a paged answer's `isLastPage` (boolean), `nextPageStart` (int32), `start`, `limit`
    /// and `size` but requires none of them, so a missing field is "not said", never "last":
    ///
    /// 1. `isLastPage: true` ends the list.
    /// 2. Otherwise a `nextPageStart` is where the next page starts.
    /// 3. Otherwise the next page starts after this one's values (`start` + their number,
    ///    the page's own `start` and `limit` when it gives them, else the ones asked for):
    ///    - with `isLastPage: false`, whenever the page has values (none is
    ///      [`NextPage::Unknown`]);
    ///    - with no `isLastPage`, only for a full page (as many values as `limit`): a
    ///      shorter page cannot be followed by another, so it is the last.
    ///
    /// Callers still stop at a start that does not move forward and at their page bound.
    pub fn next_page(&self, asked_start: u64, asked_limit: u64) -> NextPage {
        if self.is_last_page == Some(true) {
            return NextPage::Last;
        }
        if let Some(next) = self.next_page_start {
            return NextPage::At(next);
        }
        let shown = self.values.len() as u64;
        let after = self.start.unwrap_or(asked_start).saturating_add(shown);
        let limit = self.limit.filter(|l| *l > 0).unwrap_or(asked_limit);
        match self.is_last_page {
            Some(_) if shown > 0 => NextPage::At(after),
            Some(_) => NextPage::Unknown,
            None if shown > 0 && shown >= limit => NextPage::At(after),
            None => NextPage::Last,
        }
    }

    /// [`Paged::next_page`] as a start, `None` when the list stops here.
    pub fn next(&self, asked_start: u64, asked_limit: u64) -> Option<u64> {
        match self.next_page(asked_start, asked_limit) {
            NextPage::At(next) => Some(next),
            NextPage::Last | NextPage::Unknown => None,
        }
    }
}

/// A count the document types as JSON `number`: any number is read (`25`, `25.0`, `1e3`, one
/// past `u64::MAX`), rounded down and held within `u64`; a negative number, `null` or a value
/// of another type is "not said" rather than a page refused. (Only a number beyond what a
/// 64-bit float holds, such as `1e400`, is refused, by the JSON parser itself.)
fn any_count<'de, D>(deserializer: D) -> Result<Option<u64>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    let value = Option::<serde_json::Value>::deserialize(deserializer)?;
    let Some(serde_json::Value::Number(number)) = value else {
        return Ok(None);
    };
    if let Some(count) = number.as_u64() {
        return Ok(Some(count));
    }
    Ok(number
        .as_f64()
        .filter(|f| f.is_finite() && *f >= 0.0)
        // `as` saturates at `u64::MAX` and drops the fraction.
        .map(|f| f as u64))
}

/// The path of one item of a `files` listing. The document's item schema
/// (`FileListResource`) is empty: it promises nothing. Data Center sends each path as a
/// string; an object with a `path` (a string, or a path object with `toString` or
/// `components`) is read too, and anything else is skipped rather than failing the list.
pub fn file_path(item: &serde_json::Value) -> Option<String> {
    match item {
        serde_json::Value::Object(fields) => path_of(fields.get("path")?),
        other => path_of(other),
    }
}

/// A path as Data Center writes one: a string, or a path object (`RestPath`) with
/// `toString` or `components`.
pub fn path_of(value: &serde_json::Value) -> Option<String> {
    use serde_json::Value;
    let path = match value {
        Value::String(path) => path.clone(),
        Value::Object(path) => match (path.get("toString"), path.get("components")) {
            (Some(Value::String(path)), _) => path.clone(),
            (_, Some(Value::Array(parts))) => parts
                .iter()
                .map(|p| p.as_str().filter(|p| !p.is_empty() && !p.contains('/')))
                .collect::<Option<Vec<_>>>()?
                .join("/"),
            _ => return None,
        },
        _ => return None,
    };
    Some(path).filter(|p| !p.is_empty())
}

/// `RestChange`: one file of `GET …/compare/changes`. Nothing is required by the document;
/// a change without a type or a path is dropped where it is read.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Change {
    /// `ADD`, `COPY`, `DELETE`, `MODIFY`, `MOVE` or `UNKNOWN`.
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    pub path: Option<serde_json::Value>,
    #[serde(default)]
    pub src_path: Option<serde_json::Value>,
}

/// `RestDiffLine`.
#[derive(Debug, Default, Deserialize)]
pub struct DiffLine {
    #[serde(default)]
    pub line: Option<String>,
    #[serde(default)]
    pub source: Option<u32>,
    #[serde(default)]
    pub destination: Option<u32>,
}

/// `RestDiffSegment`: lines of one kind (`ADDED`, `CONTEXT`, `REMOVED`).
#[derive(Debug, Default, Deserialize)]
pub struct DiffSegment {
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    pub lines: Vec<DiffLine>,
}

/// `RestDiffHunk`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DiffHunk {
    #[serde(default)]
    pub source_line: Option<u32>,
    #[serde(default)]
    pub destination_line: Option<u32>,
    #[serde(default)]
    pub segments: Vec<DiffSegment>,
}

/// `GET …/compare/diff{path}`: the document answers one `RestDiff`; Data Center's diff
/// resources also wrap diffs in `{"diffs": [...]}`, so both are read.
#[derive(Debug, Default, Deserialize)]
pub struct Diff {
    #[serde(default)]
    pub hunks: Vec<DiffHunk>,
    #[serde(default)]
    pub diffs: Vec<Diff>,
}

impl Diff {
    /// Data Center's hunks as the studio's, at most [`api::branch::MAX_DIFF_LINES`] lines
    /// (plus one, to tell that the bound was reached); a segment of an unknown type is skipped.
    pub fn into_hunks(self) -> Vec<api::DiffHunk> {
        use api::{DiffLine as Line, DiffLineKind as Kind};
        let mut kept = 0usize;
        let all = self
            .hunks
            .into_iter()
            .chain(self.diffs.into_iter().flat_map(|d| d.hunks));
        let mut out = Vec::new();
        for hunk in all {
            let mut lines = Vec::new();
            for segment in hunk.segments {
                let kind = match segment.kind.as_deref() {
                    Some("ADDED") => Kind::Added,
                    Some("REMOVED") => Kind::Removed,
                    Some("CONTEXT") => Kind::Context,
                    _ => continue,
                };
                for line in segment.lines {
                    if kept > api::branch::MAX_DIFF_LINES {
                        break;
                    }
                    kept += 1;
                    lines.push(Line {
                        kind,
                        old: line.source.filter(|_| kind != Kind::Added),
                        new: line.destination.filter(|_| kind != Kind::Removed),
                        text: line.line.unwrap_or_default(),
                    });
                }
            }
            out.push(api::DiffHunk {
                old_start: hunk.source_line.unwrap_or(0),
                new_start: hunk.destination_line.unwrap_or(0),
                lines,
            });
        }
        out
    }
}

/// `RestErrorMessage` inside `{"errors": [...]}`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorMessage {
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub exception_name: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ErrorBody {
    #[serde(default)]
    pub errors: Vec<ErrorMessage>,
}

impl ErrorBody {
    pub fn message(&self) -> String {
        self.errors
            .iter()
            .filter_map(|e| e.message.as_deref())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// `RestApplicationUser`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    #[serde(default)]
    pub id: Option<i64>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub slug: Option<String>,
    #[serde(default)]
    pub display_name: Option<String>,
}

/// `RestProject`.
#[derive(Debug, Deserialize)]
pub struct Project {
    #[serde(default)]
    pub key: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
}

/// `RestRepository`.
#[derive(Debug, Deserialize)]
pub struct Repository {
    #[serde(default)]
    pub slug: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub public: Option<bool>,
    #[serde(default)]
    pub archived: Option<bool>,
    #[serde(default)]
    pub project: Option<Project>,
    /// The document marks `links` write-only and gives it no properties: an answer need not
    /// carry it, and what it holds is read tolerantly (see [`Repository::html_url`]).
    #[serde(default)]
    pub links: Option<serde_json::Value>,
}

impl Repository {
    /// The repository as the app sees it; `None` for an entry without a slug or project key
    /// the studio can name.
    pub fn into_api(self) -> Option<api::Repository> {
        let slug = self.slug.filter(|s| is_name(s))?;
        let key = self.project?.key.filter(|k| is_name(k))?;
        Some(api::Repository {
            full_name: format!("{key}/{slug}"),
            name: self.name.unwrap_or_else(|| slug.clone()),
            group: key,
            slug,
            is_private: !self.public.unwrap_or(false),
            main_branch: None,
            updated_on: None,
        })
    }

    /// The repository's page, when the answer links it with a web link (see
    /// [`crate::web_link`]) as `links.self[].href`; `None` otherwise, and the caller builds
    /// the page's address from the instance's base (the document promises no link).
    pub fn html_url(&self) -> Option<String> {
        self.links
            .as_ref()?
            .get("self")?
            .as_array()?
            .iter()
            .find_map(|l| crate::web_link(l.get("href")?.as_str().map(str::to_owned)))
    }
}

/// `RestBranch` (also what `…/default-branch` answers, a `RestMinimalRef`).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Branch {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub display_id: Option<String>,
    #[serde(default)]
    pub latest_commit: Option<String>,
}

impl Branch {
    /// The branch's short name: `displayId`, else `id` without `refs/heads/`.
    pub fn name(&self) -> Option<&str> {
        self.display_id
            .as_deref()
            .or_else(|| {
                self.id
                    .as_deref()
                    .map(|id| id.trim_start_matches("refs/heads/"))
            })
            .filter(|n| !n.is_empty())
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Person {
    #[serde(default)]
    pub name: Option<String>,
}

/// `RestCommit`, as sent: the document requires none of its fields, `id` included.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WireCommit {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub author: Option<Person>,
    /// Unix milliseconds.
    #[serde(default)]
    pub author_timestamp: Option<i64>,
    /// `RestMinimalCommit`s, whose `id` the document does not require either.
    #[serde(default)]
    pub parents: Option<Vec<WireParent>>,
}

/// `RestMinimalCommit`, as sent.
#[derive(Debug, Deserialize)]
pub struct WireParent {
    #[serde(default)]
    pub id: Option<String>,
}

impl WireCommit {
    /// The commit, `None` without an id (of no use to the studio: nothing can name it).
    pub fn into_commit(self) -> Option<Commit> {
        Some(Commit {
            id: self.id.filter(|id| !id.is_empty())?,
            message: self.message,
            author: self.author,
            author_timestamp: self.author_timestamp,
            parents: self
                .parents
                .map(|parents| parents.into_iter().map(|parent| parent.id).collect()),
        })
    }
}

/// A commit the studio can name.
#[derive(Debug)]
pub struct Commit {
    pub id: String,
    pub message: Option<String>,
    pub author: Option<Person>,
    /// Unix milliseconds.
    pub author_timestamp: Option<i64>,
    /// The parents' ids as sent (`None` where one had none), when the answer listed them.
    pub parents: Option<Vec<Option<String>>>,
}

impl Commit {
    /// The one parent the answer names, when it names exactly one by its id.
    pub fn only_parent(&self) -> Option<&str> {
        match self.parents.as_deref()? {
            [Some(id)] if !id.is_empty() => Some(id),
            _ => None,
        }
    }

    pub fn to_change(&self) -> api::Change {
        api::Change {
            revision: self.id.clone(),
            label: self.id.chars().take(7).collect(),
            author: self
                .author
                .as_ref()
                .and_then(|a| a.name.clone())
                .unwrap_or_default(),
            at: self.author_timestamp.unwrap_or(0) / 1000,
            message: self.message.as_deref().unwrap_or("").trim_end().to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(json: &str) -> Paged<serde_json::Value> {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn the_smallest_page_is_empty_and_the_last() {
        let empty = page("{}");
        assert!(empty.values.is_empty());
        assert_eq!(empty.size, None);
        assert_eq!(empty.next_page(0, 25), NextPage::Last);
    }

    #[test]
    fn a_page_without_is_last_page_goes_on_where_it_says_or_when_it_is_full() {
        // `nextPageStart` alone is enough to go on.
        assert_eq!(
            page(r#"{"values":["a"],"nextPageStart":25}"#).next_page(0, 25),
            NextPage::At(25)
        );
        // Saying nothing, a full page goes on after its values; a short one is the last.
        assert_eq!(
            page(r#"{"values":["a","b"]}"#).next_page(10, 2),
            NextPage::At(12)
        );
        assert_eq!(
            page(r#"{"values":["a","b"],"start":4,"limit":2}"#).next_page(0, 1000),
            NextPage::At(6)
        );
        assert_eq!(
            page(r#"{"values":["a","b"],"limit":25}"#).next_page(0, 25),
            NextPage::Last
        );
        assert_eq!(page(r#"{"values":["a"]}"#).next_page(0, 25), NextPage::Last);
    }

    #[test]
    fn is_last_page_decides_when_it_is_there() {
        assert_eq!(
            page(r#"{"values":["a"],"isLastPage":true,"nextPageStart":25}"#).next_page(0, 1),
            NextPage::Last
        );
        assert_eq!(
            page(r#"{"values":["a"],"isLastPage":false,"nextPageStart":25}"#).next(0, 25),
            Some(25)
        );
        // "More" without saying where: after this page's values, or unknown without any.
        assert_eq!(
            page(r#"{"values":["a","b"],"isLastPage":false}"#).next_page(0, 25),
            NextPage::At(2)
        );
        let unknown = page(r#"{"isLastPage":false}"#);
        assert_eq!(unknown.next_page(0, 25), NextPage::Unknown);
        assert_eq!(unknown.next(0, 25), None);
    }

    #[test]
    fn counts_are_any_json_number() {
        let size = |json: &str| page(&format!(r#"{{"size":{json}}}"#)).size;
        assert_eq!(size("3"), Some(3));
        assert_eq!(size("3.0"), Some(3));
        assert_eq!(size("2.5"), Some(2));
        assert_eq!(size("1e3"), Some(1000));
        assert_eq!(size("18446744073709551616"), Some(u64::MAX));
        assert_eq!(size("-1"), None);
        assert_eq!(size("null"), None);
        assert_eq!(size(r#""3""#), None);
        let limit = page(r#"{"values":["a"],"limit":1.0,"nextPageStart":1.0}"#);
        assert_eq!((limit.limit, limit.next_page_start), (Some(1), Some(1)));
    }

    #[test]
    fn file_items_are_read_tolerantly() {
        let listing = page(
            r#"{"values":["a.yaml",{"path":"b.yaml"},{"path":{"toString":"c/d.yaml"}},
                {"path":{"components":["e","f.yaml"]}},3,null,{},{"path":7},"",
                {"path":{"components":["x/y","z"]}},{"path":{"components":[1]}}]}"#,
        );
        let paths: Vec<String> = listing.values.iter().filter_map(file_path).collect();
        assert_eq!(paths, ["a.yaml", "b.yaml", "c/d.yaml", "e/f.yaml"]);
    }

    #[test]
    fn an_error_body_needs_no_field() {
        let body: ErrorBody = serde_json::from_str("{}").unwrap();
        assert_eq!(body.message(), "");
        let body: ErrorBody = serde_json::from_str(r#"{"errors":[{}]}"#).unwrap();
        assert_eq!(body.message(), "");
        let body: ErrorBody =
            serde_json::from_str(r#"{"errors":[{"message":"expired"}]}"#).unwrap();
        assert_eq!(body.message(), "expired");
    }

    #[test]
    fn repositories_need_only_a_slug_and_a_project_key() {
        let repo: Repository =
            serde_json::from_str(r#"{"slug":"etl","project":{"key":"DATA"}}"#).unwrap();
        let repo = repo.into_api().unwrap();
        assert_eq!(repo.full_name, "DATA/etl");
        assert!(repo.is_private);
        let orphan: Repository = serde_json::from_str(r#"{"slug":"etl"}"#).unwrap();
        assert!(orphan.into_api().is_none());
    }

    #[test]
    fn a_listed_name_a_later_step_would_refuse_is_not_offered() {
        for (slug, key) in [
            ("../etl", "DATA"),
            ("etl", "DA/TA"),
            ("a b", "DATA"),
            ("etl", ".."),
        ] {
            let json = serde_json::json!({"slug": slug, "project": {"key": key}});
            let repo: Repository = serde_json::from_value(json).unwrap();
            assert!(repo.into_api().is_none(), "{slug} in {key}");
        }
        let personal: Repository =
            serde_json::from_str(r#"{"slug":"notes","project":{"key":"~ALEX"}}"#).unwrap();
        assert_eq!(personal.into_api().unwrap().group, "~ALEX");
    }

    #[test]
    fn only_a_web_link_is_kept_as_the_repository_page() {
        let with = |href: &str| -> Repository {
            serde_json::from_value(serde_json::json!({
                "slug": "etl", "project": {"key": "DATA"},
                "links": {"self": [{"href": href}]}
            }))
            .unwrap()
        };
        assert_eq!(
            with("https://git.example.com/projects/DATA/repos/etl/browse")
                .html_url()
                .as_deref(),
            Some("https://git.example.com/projects/DATA/repos/etl/browse")
        );
        assert_eq!(with("javascript:alert(document.cookie)").html_url(), None);
    }

    #[test]
    fn links_are_not_needed_and_any_shape_of_them_is_read() {
        for links in [
            serde_json::json!(null),
            serde_json::json!({}),
            serde_json::json!("x"),
            serde_json::json!({"self": {"href": "https://git.example.com/x"}}),
            serde_json::json!({"self": [{"href": 3}, "x"]}),
        ] {
            let repo: Repository = serde_json::from_value(serde_json::json!({
                "slug": "etl", "project": {"key": "DATA"}, "links": links
            }))
            .unwrap();
            assert_eq!(repo.html_url(), None, "{links}");
            assert_eq!(repo.into_api().unwrap().full_name, "DATA/etl");
        }
        let bare: Repository =
            serde_json::from_str(r#"{"slug":"etl","project":{"key":"DATA"}}"#).unwrap();
        assert_eq!(bare.html_url(), None);
    }

    #[test]
    fn the_smallest_commit_names_nothing() {
        let commit: WireCommit = serde_json::from_str("{}").unwrap();
        assert!(commit.into_commit().is_none());
        let commit: WireCommit = serde_json::from_str(r#"{"id":""}"#).unwrap();
        assert!(commit.into_commit().is_none());
    }

    #[test]
    fn a_commit_without_an_id_is_skipped_not_fatal() {
        let page: Paged<WireCommit> = serde_json::from_str(
            r#"{"values":[{"message":"no id"},{"id":"8d51122def","message":"Add orders"}],"isLastPage":true}"#,
        )
        .unwrap();
        let commits: Vec<Commit> = page
            .values
            .into_iter()
            .filter_map(WireCommit::into_commit)
            .collect();
        assert_eq!(commits.len(), 1);
        assert_eq!(commits[0].to_change().label, "8d51122");
    }

    #[test]
    fn a_commit_names_its_parent_only_when_its_answer_names_exactly_one() {
        let parent = |json: &str| {
            let commit: WireCommit = serde_json::from_str(json).unwrap();
            commit
                .into_commit()
                .unwrap()
                .only_parent()
                .map(str::to_owned)
        };
        assert_eq!(
            parent(r#"{"id":"b2","parents":[{"id":"a1","displayId":"a1"}]}"#).as_deref(),
            Some("a1")
        );
        for none in [
            r#"{"id":"b2"}"#,
            r#"{"id":"b2","parents":[]}"#,
            r#"{"id":"b2","parents":[{"displayId":"a1"}]}"#,
            r#"{"id":"b2","parents":[{"id":""}]}"#,
            r#"{"id":"b2","parents":[{"id":"a1"},{"id":"c3"}]}"#,
        ] {
            assert_eq!(parent(none), None, "{none}");
        }
    }
}
