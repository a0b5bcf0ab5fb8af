//! What the generated protocol tests (`tests/protocol/`) share: building a request from a test case,
//! and comparing a response with a case's expectations (status, headers, JSON-aware body).

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use serde_json::Value;
use smithy_server_runtime::body::Body;

/// A request as a test case describes it; `query` items are already encoded `k=v` pairs.
pub fn request(method: &str, uri: &str, query: &[&str], headers: &[(&str, &str)], body: &[u8]) -> http::Request<Full<Bytes>> {
    let mut full = uri.to_string();
    if !query.is_empty() {
        full.push(if uri.contains('?') { '&' } else { '?' });
        full.push_str(&query.join("&"));
    }
    let mut b = http::Request::builder().method(method).uri(full);
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    b.body(Full::new(Bytes::copy_from_slice(body))).expect("a valid test request")
}

/// A document from JSON text.
pub fn doc(json: &str) -> smithy_server_runtime::aws_smithy_types::Document {
    smithy_server_runtime::json_de::document_from_json_str(json).expect("valid JSON")
}

async fn body_bytes(body: Body) -> Bytes {
    body.collect().await.expect("the body reads").to_bytes()
}

fn check_headers(resp: &http::Response<Body>, headers: &[(&str, &str)]) {
    for (k, v) in headers {
        let got: Vec<&str> = resp.headers().get_all(*k).iter().map(|h| h.to_str().unwrap_or("<binary>")).collect();
        assert_eq!(got.join(", "), *v, "header {k}");
    }
}

/// Compares two bodies: as JSON when the media type says so, else byte for byte.
fn check_body(got: &[u8], expected: &str, media: Option<&str>) {
    if media.is_some_and(|m| m.contains("json")) && !expected.is_empty() {
        let g: Value = serde_json::from_slice(got).unwrap_or_else(|e| panic!("body is not JSON ({e}): {}", String::from_utf8_lossy(got)));
        let e: Value = serde_json::from_str(expected).expect("expected body is JSON");
        assert_eq!(g, e, "body");
    } else {
        assert_eq!(String::from_utf8_lossy(got), expected, "body");
    }
}

pub async fn check_response(resp: http::Response<Body>, code: u16, headers: &[(&str, &str)], body: Option<&str>, media: Option<&str>) {
    assert_eq!(resp.status().as_u16(), code, "status");
    check_headers(&resp, headers);
    let got = body_bytes(resp.into_body()).await;
    if let Some(b) = body {
        check_body(&got, b, media);
    }
}

pub async fn check_malformed(
    resp: http::Response<Body>,
    code: u16,
    headers: &[(&str, &str)],
    media: Option<&str>,
    contents: Option<&str>,
    message_regex: Option<&str>,
) {
    assert_eq!(resp.status().as_u16(), code, "status");
    check_headers(&resp, headers);
    let got = body_bytes(resp.into_body()).await;
    if let Some(c) = contents {
        check_body(&got, c, media);
    }
    if let Some(re) = message_regex {
        let v: Value = serde_json::from_slice(&got).expect("the error body is JSON");
        let msg = v.get("message").or_else(|| v.get("Message")).and_then(Value::as_str).unwrap_or("");
        let re = smithy_server_runtime::regex::Regex::new(re).expect("test regex");
        assert!(re.is_match(msg).unwrap_or(false), "message {msg:?} does not match {re}");
    }
}
