//! The invocation record an asynchronous event's destination receives, byte for byte in AWS's
//! shape (events-urls-streaming §1.4): keys in AWS's order, the qualified function ARN, the
//! condition, the attempt count, and the event and the function's answer embedded as JSON values
//! (compacted, their own key order kept).

use bytes::Bytes;

/// Why a record is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Condition {
    Success,
    RetriesExhausted,
    EventAgeExceeded,
    ZeroReservedConcurrency,
}

impl Condition {
    pub fn as_str(self) -> &'static str {
        match self {
            Condition::Success => "Success",
            Condition::RetriesExhausted => "RetriesExhausted",
            Condition::EventAgeExceeded => "EventAgeExceeded",
            Condition::ZeroReservedConcurrency => "ZeroReservedConcurrency",
        }
    }

    pub fn is_success(self) -> bool {
        self == Condition::Success
    }
}

/// What the last attempt answered.
#[derive(Clone, Debug)]
pub struct Response {
    pub executed_version: String,
    pub function_error: bool,
    /// The function's result, or its error object.
    pub payload: Bytes,
}

/// The facts a record is made of.
pub struct Record<'a> {
    pub timestamp: String,
    pub request_id: &'a str,
    /// Qualified: the invoked qualifier, or `$LATEST`.
    pub function_arn: &'a str,
    pub condition: Condition,
    pub attempts: u32,
    pub request_payload: &'a [u8],
    /// None when the function never ran (`ZeroReservedConcurrency`).
    pub response: Option<&'a Response>,
}

impl Record<'_> {
    /// The record as AWS sends it: one line of JSON.
    pub fn to_json(&self) -> String {
        let mut out = String::with_capacity(256 + self.request_payload.len());
        out.push_str(r#"{"version":"1.0","timestamp":"#);
        out.push_str(&string(&self.timestamp));
        out.push_str(r#","requestContext":{"requestId":"#);
        out.push_str(&string(self.request_id));
        out.push_str(r#","functionArn":"#);
        out.push_str(&string(self.function_arn));
        out.push_str(r#","condition":"#);
        out.push_str(&string(self.condition.as_str()));
        out.push_str(r#","approximateInvokeCount":"#);
        out.push_str(&self.attempts.to_string());
        out.push_str(r#"},"requestPayload":"#);
        out.push_str(&embedded(self.request_payload));
        if let Some(r) = self.response {
            out.push_str(r#","responseContext":{"statusCode":200,"executedVersion":"#);
            out.push_str(&string(&r.executed_version));
            if r.function_error {
                out.push_str(r#","functionError":"Unhandled""#);
            }
            out.push_str(r#"},"responsePayload":"#);
            out.push_str(&embedded(&r.payload));
        }
        out.push('}');
        out
    }
}

/// The `detail-type` of an EventBridge destination's event.
pub fn detail_type(condition: Condition) -> &'static str {
    if condition.is_success() {
        "Lambda Function Invocation Result - Success"
    } else {
        "Lambda Function Invocation Result - Failure"
    }
}

fn string(s: &str) -> String {
    serde_json::Value::from(s).to_string()
}

/// A payload as an embedded JSON value: compacted when it is JSON (its key order kept), `null`
/// when empty, else a JSON string of its text.
pub fn embedded(payload: &[u8]) -> String {
    if payload.iter().all(u8::is_ascii_whitespace) {
        return "null".into();
    }
    if serde_json::from_slice::<serde::de::IgnoredAny>(payload).is_ok() {
        return compact(payload);
    }
    string(&String::from_utf8_lossy(payload))
}

/// Valid JSON without the whitespace between its tokens (strings untouched).
fn compact(json: &[u8]) -> String {
    let mut out = Vec::with_capacity(json.len());
    let (mut in_string, mut escaped) = (false, false);
    for &b in json {
        if in_string {
            out.push(b);
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
        } else if b == b'"' {
            in_string = true;
            out.push(b);
        } else if !b.is_ascii_whitespace() {
            out.push(b);
        }
    }
    // Valid JSON in, valid UTF-8 out: only ASCII whitespace was removed.
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_in_aws_shape() {
        let response = Response {
            executed_version: "$LATEST".into(),
            function_error: true,
            payload: Bytes::from_static(br#"{"errorMessage": "boom", "errorType": "Exception"}"#),
        };
        let r = Record {
            timestamp: "2019-11-14T18:16:05.568Z".into(),
            request_id: "id-1",
            function_arn: "arn:aws:lambda:us-east-1:000000000000:function:f:$LATEST",
            condition: Condition::RetriesExhausted,
            attempts: 3,
            request_payload: br#"{ "z": 1, "a": "x y" }"#,
            response: Some(&response),
        };
        assert_eq!(
            r.to_json(),
            r#"{"version":"1.0","timestamp":"2019-11-14T18:16:05.568Z","requestContext":{"requestId":"id-1","functionArn":"arn:aws:lambda:us-east-1:000000000000:function:f:$LATEST","condition":"RetriesExhausted","approximateInvokeCount":3},"requestPayload":{"z":1,"a":"x y"},"responseContext":{"statusCode":200,"executedVersion":"$LATEST","functionError":"Unhandled"},"responsePayload":{"errorMessage":"boom","errorType":"Exception"}}"#
        );
        let zero = Record {
            condition: Condition::ZeroReservedConcurrency,
            attempts: 0,
            response: None,
            request_payload: b"{}",
            ..r
        };
        assert!(zero
            .to_json()
            .ends_with(r#""approximateInvokeCount":0},"requestPayload":{}}"#));
    }

    #[test]
    fn embedded_payloads() {
        assert_eq!(embedded(b""), "null");
        assert_eq!(embedded(b"null"), "null");
        assert_eq!(embedded(b"[1, \"a \\\" b\"]"), r#"[1,"a \" b"]"#);
        assert_eq!(embedded(b"not json"), r#""not json""#);
    }
}
