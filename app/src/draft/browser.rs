//! The browser's copy of each draft, in `localStorage`: written on every keystroke, so it
//! survives a reload, a closed tab and a lost network at any moment after the keystroke.
//!
//! Each entry belongs to one signed-in user (the key starts with their id) and remembers
//! whether the server has it yet (`synced`). Signing out removes every entry, and signing in
//! removes other users' entries, so nothing typed stays in the browser for the next person at
//! that computer (see [`super::kept`]).

use serde::{Deserialize, Serialize};

/// Every key the app writes to the browser's storage starts with this.
const APP_PREFIX: &str = "studio.";
const PREFIX: &str = "studio.draft.";

/// One draft as the browser keeps it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// The contract's JSON of the draft, as text: sent as it is, and read as its own type
    /// (no `serde_json::Value`, whose code would weigh on the first screen).
    pub body: String,
    /// Whether the server has accepted exactly this body.
    pub synced: bool,
    /// When it was typed, in Unix seconds (shown as "last saved").
    pub saved_at: i64,
}

/// The key of `endpoint`'s draft for `user`: the endpoint names the draft uniquely.
pub fn key(user: i64, endpoint: &str) -> String {
    format!("{PREFIX}{user}:{endpoint}")
}

/// The user and endpoint of a draft key, or `None` for any other key.
pub fn parse_key(key: &str) -> Option<(i64, &str)> {
    let (user, endpoint) = key.strip_prefix(PREFIX)?.split_once(':')?;
    Some((user.parse().ok()?, endpoint))
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

pub fn load(user: i64, endpoint: &str) -> Option<Entry> {
    let text = storage()?.get_item(&key(user, endpoint)).ok().flatten()?;
    serde_json::from_str(&text).ok()
}

/// Best effort: a full or disabled storage must not stop typing (the server copy remains).
pub fn store(user: i64, endpoint: &str, entry: &Entry) {
    if let (Some(storage), Ok(text)) = (storage(), serde_json::to_string(entry)) {
        if storage.set_item(&key(user, endpoint), &text).is_err() {
            leptos::logging::warn!("the browser's storage refused a draft; the server keeps it");
        }
    }
}

pub fn remove(user: i64, endpoint: &str) {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(&key(user, endpoint));
    }
}

/// The endpoints of `user`'s drafts the server does not have yet.
pub fn unsynced(user: i64) -> Vec<String> {
    keys(storage())
        .iter()
        .filter_map(|key| parse_key(key))
        .filter(|(owner, _)| *owner == user)
        .filter(|(_, endpoint)| load(user, endpoint).is_some_and(|entry| !entry.synced))
        .map(|(_, endpoint)| endpoint.to_owned())
        .collect()
}

/// Removes every draft the app keeps in this browser whose owner `keep` refuses, from both
/// storages (`sessionStorage` held editors' text before it moved here).
pub fn remove_where(keep: impl Fn(Option<i64>) -> bool) {
    let session = web_sys::window().and_then(|w| w.session_storage().ok().flatten());
    for storage in [storage(), session].into_iter().flatten() {
        for key in keys(Some(storage.clone())) {
            let owner = parse_key(&key).map(|(user, _)| user);
            let is_draft = owner.is_some() || key.starts_with("studio.unsaved-pipeline.");
            if key.starts_with(APP_PREFIX) && is_draft && !keep(owner) {
                let _ = storage.remove_item(&key);
            }
        }
    }
}

fn keys(storage: Option<web_sys::Storage>) -> Vec<String> {
    let Some(storage) = storage else {
        return Vec::new();
    };
    let count = storage.length().unwrap_or(0);
    (0..count)
        .filter_map(|index| storage.key(index).ok().flatten())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_name_the_user_and_the_draft() {
        let key = key(7, "/api/projects/3/pipelines/draft?path=a%2Fb.orch.yaml");
        assert_eq!(
            parse_key(&key),
            Some((7, "/api/projects/3/pipelines/draft?path=a%2Fb.orch.yaml"))
        );
        assert_eq!(parse_key("studio.draft.x:/api"), None);
        assert_eq!(parse_key("studio.theme"), None);
    }
}
