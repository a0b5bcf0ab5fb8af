//! What a function URL answers for a function's result (§4.3 of the reference): a structured
//! response (`statusCode` as a number or a string, `headers`, `cookies` → one `Set-Cookie` each,
//! `body`, `isBase64Encoded`), or, without `statusCode`, 200 with the result re-serialised
//! compactly (a string sent as its raw content); and the head of a `RESPONSE_STREAM` answer from
//! its `http-integration-response` prelude.

use base64::Engine;
use bytes::Bytes;
use http::{HeaderName, HeaderValue, StatusCode};
use serde_json::Value;

/// A response's status and headers (the body travels apart).
#[derive(Debug)]
pub struct Head {
    pub status: StatusCode,
    pub headers: http::HeaderMap,
}

impl Head {
    fn ok_json() -> Head {
        let mut headers = http::HeaderMap::new();
        headers.insert(http::header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        Head {
            status: StatusCode::OK,
            headers,
        }
    }
}

/// A buffered result as the client gets it.
pub fn buffered(result: &[u8]) -> (Head, Bytes) {
    let Ok(value) = serde_json::from_slice::<Value>(result) else {
        return (Head::ok_json(), Bytes::copy_from_slice(result));
    };
    match value {
        Value::Object(o) if o.contains_key("statusCode") => structured(&o),
        Value::String(s) => (Head::ok_json(), Bytes::from(s)),
        other => (Head::ok_json(), Bytes::from(other.to_string())),
    }
}

/// A result with `statusCode`.
fn structured(o: &serde_json::Map<String, Value>) -> (Head, Bytes) {
    let mut head = Head::ok_json();
    head.status = status_of(o.get("statusCode"));
    apply_headers(&mut head, o);
    let body = match o.get("body") {
        None | Some(Value::Null) => Bytes::new(),
        Some(Value::String(s)) if o.get("isBase64Encoded") == Some(&Value::Bool(true)) => {
            Bytes::from(base64::engine::general_purpose::STANDARD.decode(s).unwrap_or_default())
        }
        Some(Value::String(s)) => Bytes::from(s.clone()),
        Some(other) => Bytes::from(other.to_string()),
    };
    (head, body)
}

/// `statusCode` (a number, or a string of one); anything else is 200 (the recorded Node fixture
/// passes `status`, not `statusCode`, and AWS still answers 200).
fn status_of(v: Option<&Value>) -> StatusCode {
    let code = match v {
        Some(Value::Number(n)) => n.as_u64(),
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    };
    code.and_then(|c| u16::try_from(c).ok())
        .and_then(|c| StatusCode::from_u16(c).ok())
        .unwrap_or(StatusCode::OK)
}

/// `headers` (values as given; numbers and booleans as their text) and `cookies`.
fn apply_headers(head: &mut Head, o: &serde_json::Map<String, Value>) {
    if let Some(Value::Object(hs)) = o.get("headers") {
        for (k, v) in hs {
            let text = match v {
                Value::String(s) => s.clone(),
                Value::Null => continue,
                other => other.to_string(),
            };
            if let (Ok(name), Ok(value)) = (HeaderName::from_bytes(k.as_bytes()), HeaderValue::from_str(&text)) {
                head.headers.insert(name, value);
            }
        }
    }
    if let Some(Value::Array(cookies)) = o.get("cookies") {
        for c in cookies.iter().filter_map(Value::as_str) {
            if let Ok(v) = HeaderValue::from_str(c) {
                head.headers.append(http::header::SET_COOKIE, v);
            }
        }
    }
}

/// The head a `http-integration-response` prelude (`{"statusCode","headers","cookies"}`) sets;
/// the content type defaults to `application/octet-stream` (unverified).
pub fn from_prelude(prelude: &[u8]) -> Head {
    let mut head = Head {
        status: StatusCode::OK,
        headers: http::HeaderMap::new(),
    };
    if let Ok(Value::Object(o)) = serde_json::from_slice::<Value>(prelude) {
        head.status = status_of(o.get("statusCode"));
        apply_headers(&mut head, &o);
    }
    if !head.headers.contains_key(http::header::CONTENT_TYPE) {
        head.headers.insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/octet-stream"),
        );
    }
    head
}

/// Splits a streamed body at its prelude's end (8 NUL bytes), byte by byte, whatever the chunk
/// boundaries were.
#[derive(Default)]
pub struct PreludeReader {
    prelude: Vec<u8>,
    /// NUL bytes seen in a row at the end of `prelude` (not yet part of it).
    nuls: usize,
}

/// The prelude separator's length.
const SEPARATOR: usize = 8;

impl PreludeReader {
    /// Feeds a chunk: `Some((prelude, rest of the chunk))` once the separator has been read.
    pub fn feed(&mut self, chunk: &[u8]) -> Option<(Vec<u8>, Bytes)> {
        for (i, b) in chunk.iter().enumerate() {
            if *b == 0 {
                self.nuls += 1;
                if self.nuls == SEPARATOR {
                    let prelude = std::mem::take(&mut self.prelude);
                    return Some((prelude, Bytes::copy_from_slice(&chunk[i + 1..])));
                }
            } else {
                self.prelude.extend(std::iter::repeat_n(0u8, self.nuls));
                self.nuls = 0;
                self.prelude.push(*b);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body_of(result: &str) -> (u16, String, Option<String>) {
        let (h, b) = buffered(result.as_bytes());
        (
            h.status.as_u16(),
            String::from_utf8(b.to_vec()).unwrap(),
            h.headers.get("content-type").map(|v| v.to_str().unwrap().to_string()),
        )
    }

    #[test]
    fn the_recorded_table() {
        let json = Some("application/json".to_string());
        assert_eq!(
            body_of(r#"{"hello": "world"}"#),
            (200, r#"{"hello":"world"}"#.into(), json.clone())
        );
        assert_eq!(
            body_of(r#"{"statusCode":200,"body":"body123"}"#),
            (200, "body123".into(), json.clone())
        );
        assert_eq!(
            body_of(r#"["hello", 3, true]"#),
            (200, r#"["hello",3,true]"#.into(), json.clone())
        );
        assert_eq!(body_of(r#""hello""#), (200, "hello".into(), json.clone()));
        assert_eq!(body_of("3.1"), (200, "3.1".into(), json.clone()));
        assert_eq!(body_of("true"), (200, "true".into(), json.clone()));
        assert_eq!(
            body_of(r#"{"statusCode":"418","body":{"a":1}}"#),
            (418, r#"{"a":1}"#.into(), json)
        );
    }

    #[test]
    fn preludes_split_byte_wise() {
        let mut r = PreludeReader::default();
        assert_eq!(r.feed(b"{\"statusCode\":201}\0\0\0"), None);
        assert_eq!(r.feed(b"\0\0"), None);
        let (prelude, rest) = r.feed(b"\0\0\0body").unwrap();
        assert_eq!(prelude, b"{\"statusCode\":201}");
        assert_eq!(&rest[..], b"body");
        let head = from_prelude(&prelude);
        assert_eq!(head.status, StatusCode::CREATED);
    }
}
