//! Reading bound header values from a request and writing them into a response.

use crate::body::Body;
use crate::http_values::ValueError;
use http::{HeaderMap, HeaderName, HeaderValue};
use std::collections::HashMap;

/// All values of a header joined with ", " (as a list header is read), or `None` when absent.
pub fn value(headers: &HeaderMap, name: &str) -> Result<Option<String>, ValueError> {
    let mut out: Option<String> = None;
    for v in headers.get_all(name) {
        let s = v
            .to_str()
            .map_err(|_| ValueError(format!("header {name} is not valid text")))?;
        match &mut out {
            Some(o) => {
                o.push_str(", ");
                o.push_str(s);
            }
            None => out = Some(s.to_string()),
        }
    }
    Ok(out)
}

/// Headers whose names start with `prefix` (case-insensitively), keyed by the rest of the name.
pub fn prefixed(headers: &HeaderMap, prefix: &str) -> Result<HashMap<String, String>, ValueError> {
    let prefix = prefix.to_ascii_lowercase();
    let mut out = HashMap::new();
    for name in headers.keys() {
        if let Some(rest) = name.as_str().strip_prefix(&prefix) {
            if let Some(v) = value(headers, name.as_str())? {
                out.insert(rest.to_string(), v);
            }
        }
    }
    Ok(out)
}

/// Adds a header to a response; a value that cannot be a header value is left out.
pub fn insert(headers: &mut HeaderMap, name: &str, value: &str) {
    if let (Ok(n), Ok(v)) = (HeaderName::from_bytes(name.as_bytes()), HeaderValue::from_str(value)) {
        headers.append(n, v);
    }
}

/// Adds a header from a prefix-headers map unless a member bound to that exact header has it.
pub fn insert_unless_bound(headers: &mut HeaderMap, name: &str, value: &str, bound: &[&str]) {
    if !bound.contains(&name.to_ascii_lowercase().as_str()) {
        insert(headers, name, value);
    }
}

/// Sets `Content-Type` unless a bound member already did.
pub fn default_content_type(headers: &mut HeaderMap, value: &'static str) {
    if !headers.contains_key(http::header::CONTENT_TYPE) {
        headers.insert(http::header::CONTENT_TYPE, HeaderValue::from_static(value));
    }
}

/// Assembles a response.
pub fn response(status: u16, mut headers: HeaderMap, body: Body) -> http::Response<Body> {
    use http_body::Body as _;
    if let Some(n) = body.size_hint().exact() {
        if !headers.contains_key(http::header::CONTENT_LENGTH) && status != 204 && status != 304 {
            headers.insert(http::header::CONTENT_LENGTH, HeaderValue::from(n));
        }
    }
    let mut r = http::Response::new(body);
    *r.status_mut() = http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::OK);
    *r.headers_mut() = headers;
    r
}
