//! `per_page` (default 30, at most 100) and `page` (from 1), and the `Link` header with
//! `rel="next"`, `"last"`, `"first"` and `"prev"` ("Using pagination in the REST API").

use axum::http::{HeaderValue, Uri};
use axum::response::Response;

use crate::oauth::with_params;

pub(crate) struct Paging {
    pub per_page: usize,
    pub page: usize,
}

pub(crate) fn query_pairs(uri: &Uri) -> Vec<(String, String)> {
    url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
        .into_owned()
        .collect()
}

pub(crate) fn param<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

impl Paging {
    pub(crate) fn of(pairs: &[(String, String)]) -> Paging {
        let number = |k| param(pairs, k).and_then(|v| v.trim().parse::<usize>().ok());
        Paging {
            per_page: number("per_page").unwrap_or(30).clamp(1, 100),
            page: number("page").unwrap_or(1).max(1),
        }
    }

    /// The slice of `total` items this page covers.
    pub(crate) fn range(&self, total: usize) -> std::ops::Range<usize> {
        let start = (self.page - 1).saturating_mul(self.per_page).min(total);
        start..(start + self.per_page).min(total)
    }

    /// Adds the `Link` header for a collection of `total` items at `url` (the request's
    /// absolute URL without its query) with the request's other parameters.
    pub(crate) fn link(
        &self,
        response: &mut Response,
        url: &str,
        pairs: &[(String, String)],
        total: usize,
    ) {
        let last = total.div_ceil(self.per_page).max(1);
        let at = |page: usize| {
            let mut params: Vec<(&str, String)> = pairs
                .iter()
                .filter(|(k, _)| k != "page" && k != "per_page")
                .map(|(k, v)| (k.as_str(), v.clone()))
                .collect();
            params.push(("per_page", self.per_page.to_string()));
            params.push(("page", page.to_string()));
            let refs: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
            with_params(url, &refs)
        };
        let mut links = Vec::new();
        if self.page > 1 {
            links.push(format!("<{}>; rel=\"prev\"", at((self.page - 1).min(last))));
        }
        if self.page < last {
            links.push(format!("<{}>; rel=\"next\"", at(self.page + 1)));
            links.push(format!("<{}>; rel=\"last\"", at(last)));
        }
        if self.page > 1 {
            links.push(format!("<{}>; rel=\"first\"", at(1)));
        }
        if let Ok(v) = HeaderValue::from_str(&links.join(", ")) {
            if !links.is_empty() {
                response.headers_mut().insert("link", v);
            }
        }
    }
}
