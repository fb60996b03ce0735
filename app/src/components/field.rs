//! Small helpers for labelled form fields and their messages.

/// The `aria-describedby` value for the ids present, or `None` when there are none (so the
/// attribute is left out rather than empty).
pub fn described_by(ids: &[Option<&str>]) -> Option<String> {
    let ids: Vec<&str> = ids.iter().flatten().copied().collect();
    (!ids.is_empty()).then(|| ids.join(" "))
}

/// `aria-invalid="true"` while a field has an error, absent otherwise.
pub fn aria_invalid(has_error: bool) -> Option<&'static str> {
    has_error.then_some("true")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describedby_joins_present_ids() {
        assert_eq!(described_by(&[None, None]), None);
        assert_eq!(
            described_by(&[Some("password-hint"), Some("password-error")]).as_deref(),
            Some("password-hint password-error")
        );
        assert_eq!(
            described_by(&[None, Some("email-error")]).as_deref(),
            Some("email-error")
        );
        assert_eq!(aria_invalid(false), None);
    }
}
