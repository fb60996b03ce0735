//! Identifiers: deterministic ones for seeded objects, random ones for secrets.
//!
//! Seeded UUIDs and commit hashes are derived from a label with SHA-256 so a
//! restart (or `POST /_control/reset`) yields byte-identical objects: tests and
//! recorded fixtures can hard-code them. Codes and tokens come from the OS RNG
//! because the studio must treat them as secrets, and a predictable sandbox
//! would hide bugs such as logging or reusing them.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use uuid::Uuid;

fn digest(label: &str) -> [u8; 32] {
    Sha256::digest(label.as_bytes()).into()
}

/// A stable v4-shaped UUID for a seeded object.
pub(crate) fn stable_uuid(label: &str) -> Uuid {
    let d = digest(label);
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&d[..16]);
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}

/// Bitbucket writes UUIDs inside braces: `{7c0b…}`.
pub(crate) fn braced(uuid: &Uuid) -> String {
    format!("{{{uuid}}}")
}

/// A stable 40-hex-digit commit hash for a seeded commit.
pub(crate) fn stable_hash(label: &str) -> String {
    hex(&digest(label)[..20])
}

/// A 40-hex-digit hash for a commit created through the API: unique (it
/// mixes in random bytes), not reproducible.
pub(crate) fn new_commit_hash(label: &str) -> String {
    let mut nonce = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut nonce);
    let mut h = Sha256::new();
    h.update(label.as_bytes());
    h.update(nonce);
    let d: [u8; 32] = h.finalize().into();
    hex(&d[..20])
}

/// Git's way of naming an object: a digest of `{kind} {len}\0{body}`, so the same content
/// always has the same id (SHA-256 cut to 40 hex digits here, Git's own SHA-1 not being a
/// dependency).
pub(crate) fn object_id(kind: &str, body: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(format!("{kind} {}\0", body.len()).as_bytes());
    h.update(body);
    hex(&h.finalize()[..20])
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[(b >> 4) as usize] as char);
        out.push(DIGITS[(b & 0xf) as usize] as char);
    }
    out
}

/// A 40-hex-digit id from a number, for the generated repositories: distinct per
/// repository, reproducible, and far cheaper than hashing 10,000 labels.
pub(crate) fn derived_id(n: u64, salt: u64) -> String {
    let mut x = n.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ salt;
    let mut out = String::with_capacity(40);
    while out.len() < 40 {
        // splitmix64
        x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = x;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        out.push_str(&format!("{z:016x}"));
    }
    out.truncate(40);
    out
}

/// `len` random letters and digits: GitHub's tokens (`ghu_…`, `ghr_…`) use no other
/// characters.
pub(crate) fn random_alphanumeric(len: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::thread_rng();
    (0..len)
        .map(|_| ALPHABET[(rng.next_u32() % ALPHABET.len() as u32) as usize] as char)
        .collect()
}

/// `bytes` random bytes, base64url without padding.
pub(crate) fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::thread_rng().fill_bytes(&mut buf);
    URL_SAFE_NO_PAD.encode(buf)
}

/// Comparison whose duration does not depend on where the inputs differ, for
/// client secrets: the sandbox should not teach the studio's tests that a
/// timing oracle is acceptable anywhere.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Bitbucket's timestamp style: microseconds and an explicit `+00:00` offset.
pub(crate) fn timestamp(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}+00:00",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.microsecond()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_ids_are_stable_and_distinct() {
        assert_eq!(stable_uuid("a"), stable_uuid("a"));
        assert_ne!(stable_uuid("a"), stable_uuid("b"));
        let h = stable_hash("x");
        assert_eq!(h.len(), 40);
        assert!(h.bytes().all(|b| b.is_ascii_hexdigit()));
    }

    #[test]
    fn derived_ids_are_hex_distinct_and_stable() {
        let a = derived_id(1, 7);
        assert_eq!(a.len(), 40);
        assert!(a.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_eq!(a, derived_id(1, 7));
        assert_ne!(a, derived_id(2, 7));
    }

    #[test]
    fn timestamps_look_like_bitbucket() {
        let t = time::macros::datetime!(2024-03-05 09:07:01.25 UTC);
        assert_eq!(timestamp(t), "2024-03-05T09:07:01.250000+00:00");
    }

    #[test]
    fn random_tokens_have_the_requested_entropy() {
        let t = random_token(32);
        assert_eq!(t.len(), 43);
        assert_ne!(t, random_token(32));
    }
}
