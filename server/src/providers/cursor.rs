//! The app's cursors for the next page of a repository list, for every provider.
//!
//! A provider's own cursor (Cloud's `next` link, Data Center's `nextPageStart`) says where
//! the next page starts, but also *what* is listed: Cloud's link carries `role=contributor`
//! and the search in its query. Handed to the app as it was, a crafted one could ask for
//! another list (`role=member`: repositories the user can only read). So the app never holds a
//! provider cursor, only a sealed one: AES-256-GCM under the token key (the same on every
//! instance), with the user, the provider, the group and the search as associated data. The
//! app can hand it back, for exactly the list it came from, and nothing else: a cursor edited,
//! made up, or taken to another list, user or provider is refused before any provider call.
//! (SECURITY.md, "Following `next` links elsewhere".)

use api::GitProvider;
use secrecy::{ExposeSecret, SecretString};

use super::ProviderError;
use crate::crypto::TokenCipher;

/// The list a cursor belongs to: everything but the page position, which the server decides.
#[derive(Clone, Copy, Debug)]
pub struct ListOf<'a> {
    pub user_id: i64,
    pub provider: GitProvider,
    pub group: &'a str,
    pub search: Option<&'a str>,
}

impl ListOf<'_> {
    /// The associated data: JSON, so no two lists can spell the same bytes.
    fn context(&self) -> String {
        serde_json::json!([
            "page-cursor",
            self.user_id,
            self.provider.slug(),
            self.group,
            self.search.unwrap_or_default(),
        ])
        .to_string()
    }

    /// The app's cursor for the provider's cursor `raw` of this list.
    pub fn seal(&self, cipher: &TokenCipher, raw: &str) -> String {
        cipher.encrypt(&SecretString::from(raw.to_owned()), &self.context())
    }

    /// The provider's cursor an app cursor of this list stands for; any other is refused.
    pub fn open(&self, cipher: &TokenCipher, sealed: &str) -> Result<String, ProviderError> {
        cipher
            .decrypt(sealed, &self.context())
            .map(|raw| raw.expose_secret().to_owned())
            .map_err(|_| ProviderError::InvalidName("page"))
    }

    /// A page with its provider cursor sealed for the app.
    pub fn sealed_page<T>(&self, cipher: &TokenCipher, mut page: api::Page<T>) -> api::Page<T> {
        page.next = page.next.map(|raw| self.seal(cipher, &raw));
        page
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;

    fn cipher() -> TokenCipher {
        let key = base64::engine::general_purpose::STANDARD.encode([7u8; 32]);
        TokenCipher::new(&[SecretString::from(key)]).unwrap()
    }

    fn list(user_id: i64, group: &'static str, search: Option<&'static str>) -> ListOf<'static> {
        ListOf {
            user_id,
            provider: GitProvider::BitbucketCloud,
            group,
            search,
        }
    }

    #[test]
    fn a_cursor_opens_only_for_the_list_it_was_sealed_for() {
        let cipher = cipher();
        let raw = "/repositories/acme?role=contributor&page=2";
        let sealed = list(1, "acme", Some("etl")).seal(&cipher, raw);
        assert!(
            !sealed.contains("role"),
            "the provider cursor is not readable"
        );
        assert_eq!(
            list(1, "acme", Some("etl")).open(&cipher, &sealed).unwrap(),
            raw
        );
        for other in [
            list(2, "acme", Some("etl")),
            list(1, "acme-data", Some("etl")),
            list(1, "acme", None),
            list(1, "acme", Some("et")),
            ListOf {
                provider: GitProvider::BitbucketDataCenter,
                ..list(1, "acme", Some("etl"))
            },
        ] {
            assert!(other.open(&cipher, &sealed).is_err(), "{other:?}");
        }
    }

    #[test]
    fn a_cursor_made_or_edited_by_the_client_is_refused() {
        let cipher = cipher();
        let this = list(1, "acme", None);
        let sealed = this.seal(&cipher, "/repositories/acme?page=2");
        let mut edited = sealed.clone().into_bytes();
        let last = edited.len() - 3;
        edited[last] = if edited[last] == b'A' { b'B' } else { b'A' };
        let forged = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode("/repositories/acme?role=member&pagelen=50");
        for bad in [
            String::from_utf8(edited).unwrap(),
            forged,
            "25".to_owned(),
            String::new(),
        ] {
            assert!(this.open(&cipher, &bad).is_err(), "{bad}");
        }
    }
}
