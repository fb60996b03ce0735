//! Query parameters and DC's paged answers: `start`/`limit` in, `{size, limit, isLastPage,
//! start, nextPageStart?, values}` out. Unknown parameters are ignored, as DC ignores them;
//! of a repeated one the first counts.

use serde_json::{json, Value};

pub(crate) struct Query(Vec<(String, String)>);

impl Query {
    pub(crate) fn parse(raw: Option<&str>) -> Query {
        Query(
            url::form_urlencoded::parse(raw.unwrap_or("").as_bytes())
                .into_owned()
                .collect(),
        )
    }

    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A trimmed, non-empty value.
    pub(crate) fn text(&self, name: &str) -> Option<&str> {
        self.get(name).map(str::trim).filter(|v| !v.is_empty())
    }

    /// DC's `size`/`type` style: only an explicit `true` is true.
    pub(crate) fn is_true(&self, name: &str) -> bool {
        self.get(name)
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    }
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Paging {
    pub start: usize,
    pub limit: usize,
}

/// DC's page size: 25 unless asked, at most 1,000.
pub(crate) const DEFAULT_LIMIT: usize = 25;
pub(crate) const MAX_LIMIT: usize = 1000;

impl Paging {
    /// `start` and `limit` from the query; unparsable values fall back to the defaults, a
    /// limit is at least 1 and at most `max`.
    pub(crate) fn from_query(q: &Query, default: usize, max: usize) -> Paging {
        let number = |name| q.get(name).and_then(|v| v.trim().parse::<usize>().ok());
        Paging {
            start: number("start").unwrap_or(0),
            limit: number("limit").unwrap_or(default).clamp(1, max),
        }
    }

    /// The usual page: 25 by default, at most 1,000.
    pub(crate) fn standard(q: &Query) -> Paging {
        Paging::from_query(q, DEFAULT_LIMIT, MAX_LIMIT)
    }

    /// The page of `items` this paging selects, rendered.
    pub(crate) fn page<T>(self, items: &[T], render: impl Fn(&T) -> Value) -> Value {
        let start = self.start.min(items.len());
        let end = start.saturating_add(self.limit).min(items.len());
        let values: Vec<Value> = items[start..end].iter().map(render).collect();
        self.wrap(values, items.len())
    }

    /// Wraps an already selected page of a collection of `total` items.
    pub(crate) fn wrap(self, values: Vec<Value>, total: usize) -> Value {
        let start = self.start.min(total);
        let last = start + values.len() >= total;
        let mut page = json!({
            "size": values.len(),
            "limit": self.limit,
            "isLastPage": last,
            "start": self.start,
            "values": values,
        });
        if !last {
            page["nextPageStart"] = json!(start + page["size"].as_u64().unwrap_or(0) as usize);
        }
        page
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_walk_to_the_end() {
        let items: Vec<u32> = (0..5).collect();
        let q = Query::parse(Some("limit=2&start=2&limit=9"));
        let p = Paging::standard(&q);
        let page = p.page(&items, |i| json!(i));
        assert_eq!(page["values"], json!([2, 3]));
        assert_eq!(page["nextPageStart"], 4);
        assert_eq!(page["isLastPage"], false);
        let last = Paging { start: 4, limit: 2 }.page(&items, |i| json!(i));
        assert_eq!(last["isLastPage"], true);
        assert!(last.get("nextPageStart").is_none());
        let beyond = Paging {
            start: 50,
            limit: 2,
        }
        .page(&items, |i| json!(i));
        assert_eq!(beyond["size"], 0);
        assert_eq!(beyond["isLastPage"], true);
    }

    #[test]
    fn limits_are_clamped() {
        let q = Query::parse(Some("limit=100000&start=x"));
        let p = Paging::standard(&q);
        assert_eq!((p.start, p.limit), (0, MAX_LIMIT));
        let zero = Paging::standard(&Query::parse(Some("limit=0")));
        assert_eq!(zero.limit, 1);
    }
}
