//! `Content-Type` and `Accept` checks: a request must declare the media type its operation reads,
//! and must accept the one it answers with.

use crate::rejection::Rejection;
use http::HeaderMap;

fn essence(v: &str) -> &str {
    v.split(';').next().unwrap_or("").trim()
}

/// `expected`: the media type of the operation's body, `None` when the input has no body.
/// `strict`: whether a body without a `Content-Type` is refused (Smithy's rule) or accepted (AWS
/// services accept it).
pub fn check_content_type(
    headers: &HeaderMap,
    expected: Option<&str>,
    body_len: usize,
    strict: bool,
) -> Result<(), Rejection> {
    let given = headers
        .get(http::header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap_or(""));
    match (expected, given) {
        (None, Some(_)) if strict && body_len > 0 => Err(Rejection::UnsupportedMediaType),
        (None, _) => Ok(()),
        (Some("*/*"), _) => Ok(()),
        (Some(_), None) if strict && body_len > 0 => Err(Rejection::UnsupportedMediaType),
        (Some(_), None) => Ok(()),
        (Some(e), Some(g)) => {
            if essence(g).eq_ignore_ascii_case(e) {
                Ok(())
            } else {
                Err(Rejection::UnsupportedMediaType)
            }
        }
    }
}

/// `produced`: the media type of the operation's response body.
pub fn check_accept(headers: &HeaderMap, produced: &str) -> Result<(), Rejection> {
    if produced == "*/*" {
        return Ok(());
    }
    let (ty, _) = produced.split_once('/').unwrap_or((produced, ""));
    let mut any = false;
    for value in headers.get_all(http::header::ACCEPT) {
        let Ok(value) = value.to_str() else { continue };
        for item in value.split(',') {
            any = true;
            let item = essence(item);
            let ok = item == "*/*"
                || item.eq_ignore_ascii_case(produced)
                || item.strip_suffix("/*").is_some_and(|t| t.eq_ignore_ascii_case(ty));
            if ok {
                return Ok(());
            }
        }
    }
    if any {
        Err(Rejection::NotAcceptable)
    } else {
        Ok(())
    }
}
