//! Unsaved editor text, kept in this tab's `sessionStorage` while it differs from what was
//! read. Reconnecting Bitbucket is a full-page trip through bitbucket.org, and a reload or a
//! stray click leaves the page too: the text must survive all three. `sessionStorage` (not
//! the server) because the text has not been accepted anywhere yet, and it stays with the
//! tab that typed it; it holds no secret.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unsaved {
    pub path: String,
    pub content: String,
    /// The revision the edit started from; `None` for a new pipeline.
    pub base_revision: Option<String>,
    pub message: String,
}

/// One slot per project and pipeline (`new` for a pipeline not saved yet).
pub fn key(project: i64, path: Option<&str>) -> String {
    format!(
        "studio.unsaved-pipeline.{project}.{}",
        path.unwrap_or("(new)")
    )
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

pub fn load(key: &str) -> Option<Unsaved> {
    let text = storage()?.get_item(key).ok().flatten()?;
    serde_json::from_str(&text).ok()
}

/// Best effort: a full or disabled storage must not stop the editor.
pub fn keep(key: &str, unsaved: &Unsaved) {
    if let (Some(storage), Ok(text)) = (storage(), serde_json::to_string(unsaved)) {
        let _ = storage.set_item(key, &text);
    }
}

pub fn forget(key: &str) {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_per_project_and_pipeline() {
        assert_eq!(
            key(3, Some("a.orch.yaml")),
            "studio.unsaved-pipeline.3.a.orch.yaml"
        );
        assert_eq!(key(3, None), "studio.unsaved-pipeline.3.(new)");
        assert_ne!(key(3, Some("a.orch.yaml")), key(4, Some("a.orch.yaml")));
    }
}
