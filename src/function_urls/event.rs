//! The event a function URL request becomes: payload format 2.0 as AWS builds it (lower-cased
//! header names with duplicates comma-joined, cookies apart, decoded query parameters, the raw
//! path and query, `requestContext`, the body as text or base64 by its content type).

use crate::clock;
use base64::Engine;
use serde_json::{json, Map, Value};

/// What the event is built from, besides the request's headers and body.
pub struct RequestFacts<'a> {
    pub url_id: &'a str,
    pub method: &'a str,
    /// The path within the URL (`/` at least), raw as sent.
    pub raw_path: &'a str,
    pub raw_query: &'a str,
    pub source_ip: String,
    /// The port the client reached (`x-forwarded-port`).
    pub port: u16,
    pub request_id: &'a str,
    pub trace_id: &'a str,
    /// `anonymous` for AuthType NONE, the caller's account for AWS_IAM.
    pub account_id: &'a str,
    /// `requestContext.authorizer` (AWS_IAM only).
    pub authorizer: Option<Value>,
}

/// The event's JSON.
pub fn build(facts: &RequestFacts, headers: &http::HeaderMap, body: &[u8]) -> Value {
    let mut hs: Map<String, Value> = Map::new();
    let mut cookies: Vec<Value> = Vec::new();
    for (name, value) in headers {
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        if name == http::header::COOKIE {
            cookies.extend(
                value
                    .split(';')
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .map(Value::from),
            );
            continue;
        }
        join(&mut hs, name.as_str(), value);
    }
    // What AWS's front end adds (there is no TLS here, so no x-amzn-tls-* headers).
    hs.insert("x-amzn-trace-id".into(), Value::from(facts.trace_id));
    hs.insert("x-forwarded-for".into(), Value::from(facts.source_ip.clone()));
    hs.insert("x-forwarded-port".into(), Value::from(facts.port.to_string()));
    hs.insert("x-forwarded-proto".into(), Value::from("http"));
    let host = hs.get("host").and_then(Value::as_str).unwrap_or_default().to_string();
    let user_agent = hs.get("user-agent").cloned().unwrap_or(Value::Null);
    let content_type = headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let now = clock::now_epoch_ms();
    let mut context = json!({
        "accountId": facts.account_id,
        "apiId": facts.url_id,
        "domainName": host,
        "domainPrefix": facts.url_id,
        "http": {
            "method": facts.method,
            "path": facts.raw_path,
            "protocol": "HTTP/1.1",
            "sourceIp": facts.source_ip,
            "userAgent": user_agent,
        },
        "requestId": facts.request_id,
        "routeKey": "$default",
        "stage": "$default",
        "time": clock::url_request_time(now),
        "timeEpoch": now,
    });
    if let Some(a) = &facts.authorizer {
        context["authorizer"] = a.clone();
    }
    let mut event = Map::new();
    event.insert("version".into(), Value::from("2.0"));
    event.insert("routeKey".into(), Value::from("$default"));
    event.insert("rawPath".into(), Value::from(facts.raw_path));
    event.insert("rawQueryString".into(), Value::from(facts.raw_query));
    if !cookies.is_empty() {
        event.insert("cookies".into(), Value::Array(cookies));
    }
    event.insert("headers".into(), Value::Object(hs));
    if !facts.raw_query.is_empty() {
        event.insert(
            "queryStringParameters".into(),
            Value::Object(query_parameters(facts.raw_query)),
        );
    }
    event.insert("requestContext".into(), context);
    // Text bodies that are UTF-8 go as they are; everything else as base64.
    let text = is_text(content_type).then(|| std::str::from_utf8(body).ok()).flatten();
    if !body.is_empty() {
        let b = match text {
            Some(s) => s.to_string(),
            None => base64::engine::general_purpose::STANDARD.encode(body),
        };
        event.insert("body".into(), Value::from(b));
    }
    event.insert(
        "isBase64Encoded".into(),
        Value::from(!body.is_empty() && text.is_none()),
    );
    Value::Object(event)
}

/// Adds a header, comma-joining it to one of the same name.
fn join(hs: &mut Map<String, Value>, name: &str, value: String) {
    match hs.get_mut(name) {
        Some(Value::String(old)) => {
            old.push(',');
            old.push_str(&value);
        }
        _ => {
            hs.insert(name.to_string(), Value::from(value));
        }
    }
}

/// Bodies sent as text (others are base64): none given, `text/*`, JSON, XML and JavaScript
/// (unverified beyond `text/plain` → text and `multipart/form-data` → base64, both recorded).
fn is_text(content_type: &str) -> bool {
    let mime = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    mime.is_empty()
        || mime.starts_with("text/")
        || mime == "application/json"
        || mime.ends_with("+json")
        || mime == "application/xml"
        || mime.ends_with("+xml")
        || mime == "application/javascript"
}

/// `a=1&a=2&b=%2Fx` → `{"a":"1,2","b":"/x"}`: decoded, duplicates comma-joined.
fn query_parameters(raw: &str) -> Map<String, Value> {
    let mut out = Map::new();
    for pair in raw.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        join(&mut out, &percent_decode(k), percent_decode(v));
    }
    out
}

/// `%XX` sequences decoded (a malformed one is kept as it is); `+` stays `+`.
pub fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        if b[i] == b'%' && i + 2 < b.len() {
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_decode_and_join() {
        let q = query_parameters("q=query&multiQuery=foo&multiQuery=%2Fbar&empty");
        assert_eq!(
            Value::Object(q),
            json!({"q": "query", "multiQuery": "foo,/bar", "empty": ""})
        );
        assert_eq!(percent_decode("a%2"), "a%2");
        assert_eq!(percent_decode("%41%zz"), "A%zz");
    }

    #[test]
    fn text_types() {
        assert!(is_text("text/plain; charset=utf-8"));
        assert!(is_text("application/json"));
        assert!(is_text(""));
        assert!(!is_text("multipart/form-data; boundary=x"));
        assert!(!is_text("application/octet-stream"));
    }
}
