//! CORS of a function URL, from its config: the preflight `OPTIONS` answered without invoking
//! the function, and the `Access-Control-*` headers on every answer (replacing the function's own).

use http::{HeaderMap, HeaderName, HeaderValue, Method};
use lambda_server::model::Cors;

/// Whether a request is a CORS preflight (`OPTIONS` with `Origin` and
/// `Access-Control-Request-Method`).
pub fn is_preflight(method: &Method, headers: &HeaderMap) -> bool {
    method == Method::OPTIONS
        && headers.contains_key(http::header::ORIGIN)
        && headers.contains_key(http::header::ACCESS_CONTROL_REQUEST_METHOD)
}

/// Sets the `Access-Control-*` headers of an answer to a request from `origin`, dropping any the
/// function set; `preflight` adds the methods, headers and max age.
pub fn apply(cors: &Cors, origin: Option<&str>, preflight: bool, headers: &mut HeaderMap) {
    let theirs: Vec<HeaderName> = headers
        .keys()
        .filter(|k| k.as_str().starts_with("access-control-"))
        .cloned()
        .collect();
    for k in theirs {
        headers.remove(k);
    }
    let origins = cors.allow_origins.as_deref().unwrap_or_default();
    let allowed = if origins.iter().any(|o| o == "*") {
        Some("*")
    } else {
        origin.filter(|o| origins.iter().any(|a| a.eq_ignore_ascii_case(o)))
    };
    let Some(allowed) = allowed else { return };
    let mut set = |name: HeaderName, value: &str| {
        if let Ok(v) = HeaderValue::from_str(value) {
            headers.insert(name, v);
        }
    };
    set(http::header::ACCESS_CONTROL_ALLOW_ORIGIN, allowed);
    if cors.allow_credentials == Some(true) {
        set(http::header::ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
    }
    if let Some(e) = cors.expose_headers.as_ref().filter(|e| !e.is_empty()) {
        set(http::header::ACCESS_CONTROL_EXPOSE_HEADERS, &e.join(","));
    }
    if preflight {
        if let Some(m) = cors.allow_methods.as_ref().filter(|m| !m.is_empty()) {
            set(http::header::ACCESS_CONTROL_ALLOW_METHODS, &m.join(","));
        }
        if let Some(h) = cors.allow_headers.as_ref().filter(|h| !h.is_empty()) {
            set(http::header::ACCESS_CONTROL_ALLOW_HEADERS, &h.join(","));
        }
        if let Some(age) = cors.max_age {
            set(http::header::ACCESS_CONTROL_MAX_AGE, &age.to_string());
        }
    }
}
