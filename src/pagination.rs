//! `Marker`/`MaxItems` pagination with opaque markers: a marker is the base64 of the sort key of the
//! last item a page returned, so pages stay consistent while items are added or removed.

use crate::errors;
use base64::Engine;
use lambda_server::error::ServiceError;

const ENGINE: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// One page of `items` (already sorted by `key`), after `marker`, at most `max_items` (default
/// `default_max`), and the marker of the next page when there is one.
pub fn page<T>(
    items: Vec<T>,
    key: impl Fn(&T) -> String,
    marker: Option<&str>,
    max_items: Option<i32>,
    default_max: usize,
) -> Result<(Vec<T>, Option<String>), ServiceError> {
    let after = match marker.filter(|m| !m.is_empty()) {
        Some(m) => Some(
            ENGINE
                .decode(m)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .ok_or_else(|| errors::invalid_parameter(format!("Invalid marker: {m}")))?,
        ),
        None => None,
    };
    let max = match max_items {
        Some(n) if n >= 1 => n as usize,
        Some(_) => return Err(errors::invalid_parameter("MaxItems must be greater than 0")),
        None => default_max,
    };
    let mut rest = items
        .into_iter()
        .filter(|i| after.as_deref().is_none_or(|a| key(i).as_str() > a))
        .peekable();
    let mut out = Vec::new();
    while out.len() < max {
        match rest.next() {
            Some(i) => out.push(i),
            None => break,
        }
    }
    let next = match (rest.peek(), out.last()) {
        (Some(_), Some(last)) => Some(ENGINE.encode(key(last))),
        _ => None,
    };
    Ok((out, next))
}

#[cfg(test)]
mod tests {
    use super::page;

    #[test]
    fn pages_follow_markers() {
        let items: Vec<String> = (0..5).map(|i| format!("f{i}")).collect();
        let (p1, m1) = page(items.clone(), |s| s.clone(), None, Some(2), 50).unwrap();
        assert_eq!(p1, ["f0", "f1"]);
        let (p2, m2) = page(items.clone(), |s| s.clone(), m1.as_deref(), Some(2), 50).unwrap();
        assert_eq!(p2, ["f2", "f3"]);
        let (p3, m3) = page(items.clone(), |s| s.clone(), m2.as_deref(), Some(2), 50).unwrap();
        assert_eq!(p3, ["f4"]);
        assert!(m3.is_none());
        assert!(page(items, |s| s.clone(), Some("%%%"), None, 50).is_err());
    }
}
