//! Bitbucket's paginated envelope:
//! `{"pagelen","size","page","values","next","previous"}`.
//!
//! - `pagelen` defaults to 10 and is capped at 100 (larger values are capped,
//!   not refused); `0`, negatives and non-numbers are a 400 "Invalid pagelen".
//! - `page` starts at 1. A page past the last one, or below 1, is a 404
//!   "Invalid page" (Bitbucket's answer when a client walks off the end);
//!   a non-number is a 400 "Invalid page". Page 1 of an empty list is a
//!   normal, empty page.
//! - `next`/`previous` are absolute URLs that repeat every other query
//!   parameter (`q`, `sort`, `role`, `pagelen`…) verbatim, and appear only
//!   when that page exists, so clients can follow `next` blindly.

use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::errors::ApiError;
use crate::Sandbox;

pub(crate) const DEFAULT_PAGELEN: usize = 10;
pub(crate) const MAX_PAGELEN: usize = 100;

/// The request's query parameters, in order.
#[derive(Debug, Clone, Default)]
pub(crate) struct Params(pub Vec<(String, String)>);

impl Params {
    pub(crate) fn from_uri(uri: &Uri) -> Params {
        Params(
            url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
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

    /// Every value of a repeatable parameter (`include`, `path`…), in order.
    pub(crate) fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// A boolean parameter (`true`/`false`, any case), `default` when absent; anything else
    /// is a 400.
    pub(crate) fn flag(&self, name: &str, default: bool) -> Result<bool, ApiError> {
        match self.get(name) {
            None => Ok(default),
            Some(v) if v.eq_ignore_ascii_case("true") => Ok(true),
            Some(v) if v.eq_ignore_ascii_case("false") => Ok(false),
            Some(v) => Err(ApiError::bad_request(format!(
                "Invalid {name} '{v}': use true or false"
            ))),
        }
    }
}

/// A list's page sizes: most lists `pagelen` 10 by default and at most 100; some (diffstat:
/// 500 and 5,000) say otherwise in the document.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PageLen {
    pub default: usize,
    pub max: usize,
}

pub(crate) const STANDARD: PageLen = PageLen {
    default: DEFAULT_PAGELEN,
    max: MAX_PAGELEN,
};

/// Renders only the requested page of `rows`: a 500-repository workspace
/// costs one page of JSON, not 500 objects.
pub(crate) fn paginate<T>(
    sb: &Sandbox,
    uri: &Uri,
    params: &Params,
    rows: &[T],
    render: impl Fn(&T) -> Value,
) -> Response {
    paginate_by(sb, uri, params, rows, STANDARD, render)
}

/// [`paginate`] with other page sizes.
pub(crate) fn paginate_by<T>(
    sb: &Sandbox,
    uri: &Uri,
    params: &Params,
    rows: &[T],
    sizes: PageLen,
    render: impl Fn(&T) -> Value,
) -> Response {
    match page(sb, uri, params, rows, sizes, render) {
        Ok(body) => Json(body).into_response(),
        Err(e) => e.into_response(),
    }
}

fn page<T>(
    sb: &Sandbox,
    uri: &Uri,
    params: &Params,
    rows: &[T],
    sizes: PageLen,
    render: impl Fn(&T) -> Value,
) -> Result<Value, ApiError> {
    let pagelen = match params.get("pagelen") {
        None => sizes.default,
        Some(s) => match s.parse::<i64>() {
            Ok(n) if n >= 1 => (n as usize).min(sizes.max),
            _ => return Err(ApiError::bad_request("Invalid pagelen")),
        },
    };
    let page = match (params.get("cursor"), params.get("page")) {
        (Some(cursor), _) => {
            page_of_cursor(cursor).ok_or_else(|| ApiError::bad_request("Invalid cursor"))?
        }
        (None, None) => 1,
        (None, Some(s)) => match s.parse::<i64>() {
            Ok(n) if n >= 1 => n as usize,
            Ok(_) => return Err(ApiError::new(StatusCode::NOT_FOUND, "Invalid page")),
            Err(_) => return Err(ApiError::bad_request("Invalid page")),
        },
    };
    let size = rows.len();
    let last = size.div_ceil(pagelen).max(1);
    if page > last {
        return Err(ApiError::new(StatusCode::NOT_FOUND, "Invalid page"));
    }
    let start = (page - 1) * pagelen;
    let values: Vec<Value> = rows.iter().skip(start).take(pagelen).map(render).collect();
    let mut body = json!({
        "pagelen": pagelen,
        "size": size,
        "page": page,
        "values": values,
    });
    if page < last {
        body["next"] = Value::String(link(sb, uri, params, page + 1));
    }
    if page > 1 {
        body["previous"] = Value::String(link(sb, uri, params, page - 1));
    }
    Ok(body)
}

fn link(sb: &Sandbox, uri: &Uri, params: &Params, page: usize) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    let (name, value) = if sb.cursor_pagination() {
        ("cursor", cursor_of_page(page))
    } else {
        ("page", page.to_string())
    };
    let mut replaced = false;
    for (k, v) in &params.0 {
        if k == "page" || k == "cursor" {
            if !replaced {
                query.append_pair(name, &value);
                replaced = true;
            }
        } else {
            query.append_pair(k, v);
        }
    }
    if !replaced {
        query.append_pair(name, &value);
    }
    format!("{}{}?{}", sb.base_url(), uri.path(), query.finish())
}

/// An opaque cursor for a page: nothing a client could compute from a page number.
fn cursor_of_page(page: usize) -> String {
    use base64::Engine;
    let salted = format!(
        "sandbox-cursor:{page}:{:016x}",
        page.wrapping_mul(0x9E37_79B9_7F4A_7C15)
    );
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(salted)
}

fn page_of_cursor(cursor: &str) -> Option<usize> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let page: usize = text
        .strip_prefix("sandbox-cursor:")?
        .split(':')
        .next()?
        .parse()
        .ok()?;
    (cursor_of_page(page) == cursor && page >= 1).then_some(page)
}
