//! What the generated protocol tests (`tests/protocol/`) share: building a request from a test case,
//! and comparing a response with a case's expectations (status, headers, JSON-aware body).

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use serde_json::Value;
use smithy_server_runtime::body::Body;

/// A request as a test case describes it; `query` items are already encoded `k=v` pairs.
pub fn request(
    method: &str,
    uri: &str,
    query: &[&str],
    headers: &[(&str, &str)],
    body: &[u8],
) -> http::Request<Full<Bytes>> {
    let mut full = uri.to_string();
    if !query.is_empty() {
        full.push(if uri.contains('?') { '&' } else { '?' });
        full.push_str(&query.join("&"));
    }
    let mut b = http::Request::builder().method(method).uri(full);
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    b.body(Full::new(Bytes::copy_from_slice(body)))
        .expect("a valid test request")
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
        let got: Vec<&str> = resp
            .headers()
            .get_all(*k)
            .iter()
            .map(|h| h.to_str().unwrap_or("<binary>"))
            .collect();
        assert_eq!(got.join(", "), *v, "header {k}");
    }
}

/// Compares two bodies: as JSON when the media type says so, else byte for byte.
fn check_body(got: &[u8], expected: &str, media: Option<&str>) {
    if media.is_some_and(|m| m.contains("json")) && !expected.is_empty() {
        let g: Value = serde_json::from_slice(got)
            .unwrap_or_else(|e| panic!("body is not JSON ({e}): {}", String::from_utf8_lossy(got)));
        let e: Value = serde_json::from_str(expected).expect("expected body is JSON");
        assert_eq!(g, e, "body");
    } else {
        assert_eq!(String::from_utf8_lossy(got), expected, "body");
    }
}

pub async fn check_response(
    resp: http::Response<Body>,
    code: u16,
    headers: &[(&str, &str)],
    body: Option<&str>,
    media: Option<&str>,
) {
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
        let msg = v
            .get("message")
            .or_else(|| v.get("Message"))
            .and_then(Value::as_str)
            .unwrap_or("");
        let re = smithy_server_runtime::regex::Regex::new(re).expect("test regex");
        assert!(re.is_match(msg).unwrap_or(false), "message {msg:?} does not match {re}");
    }
}

/// One event a test expects on an event stream: its headers as (name, type, value text), its
/// payload and the payload's media type.
pub struct ExpectedEvent<'a> {
    pub headers: &'a [(&'a str, &'a str, &'a str)],
    pub body: Option<&'a str>,
    pub media: Option<&'a str>,
}

fn header_text(v: &smithy_server_runtime::aws_smithy_types::event_stream::HeaderValue) -> (&'static str, String) {
    use base64::Engine;
    use smithy_server_runtime::aws_smithy_types::event_stream::HeaderValue as H;
    match v {
        H::Bool(b) => ("boolean", b.to_string()),
        H::Byte(b) => ("byte", b.to_string()),
        H::Int16(i) => ("short", i.to_string()),
        H::Int32(i) => ("integer", i.to_string()),
        H::Int64(i) => ("long", i.to_string()),
        H::ByteArray(b) => ("blob", base64::engine::general_purpose::STANDARD.encode(b)),
        H::String(s) => ("string", s.as_str().to_string()),
        H::Timestamp(t) => (
            "timestamp",
            t.fmt(smithy_server_runtime::aws_smithy_types::date_time::Format::DateTime)
                .unwrap_or_default(),
        ),
        _ => ("unknown", String::new()),
    }
}

/// Decodes the frames of an event-stream response and compares them with the expected events.
pub async fn check_event_stream(resp: http::Response<Body>, expected: &[ExpectedEvent<'_>]) {
    assert_eq!(resp.status().as_u16(), 200, "status");
    assert_eq!(
        resp.headers().get("content-type").and_then(|v| v.to_str().ok()),
        Some("application/vnd.amazon.eventstream"),
        "content-type"
    );
    let mut bytes = body_bytes(resp.into_body()).await;
    for (i, e) in expected.iter().enumerate() {
        let message = aws_smithy_eventstream::frame::read_message_from(&mut bytes)
            .unwrap_or_else(|err| panic!("frame {i}: {err}"));
        let mut got: Vec<(String, String, String)> = message
            .headers()
            .iter()
            .map(|h| {
                let (t, v) = header_text(h.value());
                (h.name().as_str().to_string(), t.to_string(), v)
            })
            .collect();
        let mut want: Vec<(String, String, String)> = e
            .headers
            .iter()
            .map(|(n, t, v)| (n.to_string(), t.to_string(), v.to_string()))
            .collect();
        got.sort();
        want.sort();
        assert_eq!(got, want, "headers of event {i}");
        if let Some(b) = e.body {
            check_body(message.payload(), b, e.media);
        }
    }
    assert!(bytes.is_empty(), "{} bytes after the expected events", bytes.len());
}

/// One event-stream frame with the given headers, as (name, type, value text), and payload.
pub fn event_frame(headers: &[(&str, &str, &str)], payload: &[u8]) -> Vec<u8> {
    use base64::Engine;
    use smithy_server_runtime::aws_smithy_types::event_stream::{Header, HeaderValue, Message};
    use smithy_server_runtime::aws_smithy_types::{date_time::Format, DateTime};
    let mut m = Message::new(Bytes::copy_from_slice(payload));
    for (name, ty, v) in headers {
        let value = match *ty {
            "boolean" => HeaderValue::Bool(*v == "true"),
            "byte" => HeaderValue::Byte(v.parse().expect("byte")),
            "short" => HeaderValue::Int16(v.parse().expect("short")),
            "integer" => HeaderValue::Int32(v.parse().expect("integer")),
            "long" => HeaderValue::Int64(v.parse().expect("long")),
            "blob" => HeaderValue::ByteArray(Bytes::from(
                base64::engine::general_purpose::STANDARD.decode(v).expect("base64"),
            )),
            "timestamp" => HeaderValue::Timestamp(DateTime::from_str(v, Format::DateTime).expect("timestamp")),
            _ => HeaderValue::String(v.to_string().into()),
        };
        m = m.add_header(Header::new(name.to_string(), value));
    }
    let mut out = Vec::new();
    aws_smithy_eventstream::frame::write_message_to(&m, &mut out).expect("frame");
    out
}
