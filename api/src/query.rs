//! Reading `application/x-www-form-urlencoded` query strings, for the routes a browser
//! navigates to (the OAuth start and callback), where every input is a URL someone else may
//! have crafted. Decoding is total: it never fails and never panics, whatever the bytes;
//! a malformed escape stays as it is, and invalid UTF-8 becomes U+FFFD.

/// Longest query string read; the rest is ignored (browsers and proxies cap URLs near 8 KiB,
/// and nothing the studio is sent needs more).
pub const MAX_QUERY_BYTES: usize = 16 * 1024;

/// The decoded `(name, value)` pairs of `raw` (without its leading `?`), in order.
pub fn pairs(raw: &str) -> impl Iterator<Item = (String, String)> + '_ {
    let mut cut = raw.len().min(MAX_QUERY_BYTES);
    while !raw.is_char_boundary(cut) {
        cut -= 1;
    }
    let raw = &raw[..cut];
    raw.split('&').filter(|pair| !pair.is_empty()).map(|pair| {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        (decode(name), decode(value))
    })
}

/// A parameter appeared more than once (two values for one parameter is tampering, not a
/// choice to make).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Repeated;

/// The value of `name` when it appears at most once.
pub fn single(raw: &str, name: &str) -> Result<Option<String>, Repeated> {
    let mut found = None;
    for (key, value) in pairs(raw) {
        if key == name {
            if found.is_some() {
                return Err(Repeated);
            }
            found = Some(value);
        }
    }
    Ok(found)
}

/// Decodes one component: `+` is a space, `%XX` a byte.
pub fn decode(component: &str) -> String {
    let bytes = component.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => match (hex(bytes.get(i + 1)), hex(bytes.get(i + 2))) {
                (Some(high), Some(low)) => {
                    out.push(high << 4 | low);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            byte => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(byte: Option<&u8>) -> Option<u8> {
    let byte = *byte?;
    (byte as char).to_digit(16).map(|d| d as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_like_a_form() {
        let found: Vec<_> = pairs("a=1&b=x+y%21&&c&d=%zz%4&e=%C3%A9&f=%FF").collect();
        assert_eq!(
            found,
            [
                ("a".into(), "1".into()),
                ("b".into(), "x y!".into()),
                ("c".into(), String::new()),
                ("d".into(), "%zz%4".into()),
                ("e".into(), "é".into()),
                ("f".into(), "\u{fffd}".into()),
            ]
        );
    }

    #[test]
    fn a_repeated_parameter_is_refused() {
        assert_eq!(single("state=a&code=b", "state"), Ok(Some("a".into())));
        assert_eq!(single("code=b", "state"), Ok(None));
        assert_eq!(single("state=a&state=b", "state"), Err(Repeated));
    }

    #[test]
    fn long_queries_are_cut() {
        let long = format!("a={}", "é".repeat(MAX_QUERY_BYTES));
        let (_, value) = pairs(&long).next().unwrap();
        assert!(value.len() <= MAX_QUERY_BYTES);
    }
}
