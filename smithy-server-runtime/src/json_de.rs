//! Reading JSON documents into typed values: strict type checks that turn a wrong JSON type into a
//! serialization error, and the restJson1 decodings of blobs, timestamps and non-finite floats.

use aws_smithy_types::date_time::Format;
use aws_smithy_types::{Blob, DateTime, Document, Number};
use base64::Engine;
use serde_json::{Map, Value};

/// Why a value could not be built.
#[derive(Debug)]
pub enum DeError {
    /// The input is not what the protocol allows (wrong JSON type, bad base64, ...): a
    /// serialization error, reported at once.
    Malformed(String),
    /// A constraint violation (e.g. a missing required member) was recorded in the validator and the
    /// value cannot be built; the caller keeps going to collect the other violations.
    Invalid,
}

pub type DeResult<T> = Result<T, DeError>;

fn malformed<T>(what: &str, v: &Value) -> DeResult<T> {
    let kind = match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    };
    Err(DeError::Malformed(format!("expected {what}, found {kind}")))
}

/// Turns a recorded-violation failure into `None` (noting it in `invalid`) so that reading goes on
/// and collects every violation; serialization errors pass through.
pub fn keep<T>(r: DeResult<T>, invalid: &mut bool) -> DeResult<Option<T>> {
    match r {
        Ok(x) => Ok(Some(x)),
        Err(DeError::Invalid) => {
            *invalid = true;
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// Parses a JSON body; an empty (or all-whitespace) body is an empty object.
pub fn parse_body(bytes: &[u8]) -> DeResult<Value> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(Map::new()));
    }
    serde_json::from_slice(bytes).map_err(|e| DeError::Malformed(e.to_string()))
}

/// Parses a JSON payload that may be absent: `None` for an empty body.
pub fn parse_optional_body(bytes: &[u8]) -> DeResult<Option<Value>> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    serde_json::from_slice(bytes)
        .map(Some)
        .map_err(|e| DeError::Malformed(e.to_string()))
}

pub fn object(v: &Value) -> DeResult<&Map<String, Value>> {
    v.as_object().map_or_else(|| malformed("an object", v), Ok)
}

pub fn array(v: &Value) -> DeResult<&Vec<Value>> {
    v.as_array().map_or_else(|| malformed("an array", v), Ok)
}

pub fn string(v: &Value) -> DeResult<String> {
    v.as_str()
        .map_or_else(|| malformed("a string", v), |s| Ok(s.to_string()))
}

pub fn boolean(v: &Value) -> DeResult<bool> {
    v.as_bool().map_or_else(|| malformed("a boolean", v), Ok)
}

fn int(v: &Value, min: i64, max: i64) -> DeResult<i64> {
    match v {
        Value::Number(n) => match n.as_i64() {
            Some(i) if i >= min && i <= max => Ok(i),
            Some(i) => Err(DeError::Malformed(format!("{i} is out of range"))),
            None if n.is_u64() => Err(DeError::Malformed(format!("{n} is out of range"))),
            None => Err(DeError::Malformed(format!("expected an integer, found {n}"))),
        },
        _ => malformed("an integer", v),
    }
}

pub fn i8(v: &Value) -> DeResult<i8> {
    int(v, i8::MIN as i64, i8::MAX as i64).map(|i| i as i8)
}
pub fn i16(v: &Value) -> DeResult<i16> {
    int(v, i16::MIN as i64, i16::MAX as i64).map(|i| i as i16)
}
pub fn i32(v: &Value) -> DeResult<i32> {
    int(v, i32::MIN as i64, i32::MAX as i64).map(|i| i as i32)
}
pub fn i64(v: &Value) -> DeResult<i64> {
    int(v, i64::MIN, i64::MAX)
}

pub fn f64(v: &Value) -> DeResult<f64> {
    match v {
        Value::Number(n) => n.as_f64().map_or_else(|| malformed("a number", v), Ok),
        Value::String(s) => match s.as_str() {
            "NaN" => Ok(f64::NAN),
            "Infinity" => Ok(f64::INFINITY),
            "-Infinity" => Ok(f64::NEG_INFINITY),
            _ => malformed("a number", v),
        },
        _ => malformed("a number", v),
    }
}

pub fn f32(v: &Value) -> DeResult<f32> {
    let f = f64(v)?;
    if f.is_finite() && (f > f32::MAX as f64 || f < f32::MIN as f64) {
        return Err(DeError::Malformed(format!("{f} is out of range")));
    }
    Ok(f as f32)
}

/// Decodes standard base64 (padding required, as the protocol tests expect).
pub fn base64_decode(s: &str) -> Result<Vec<u8>, String> {
    base64::engine::general_purpose::STANDARD
        .decode(s)
        .map_err(|e| format!("invalid base64: {e}"))
}

pub fn blob(v: &Value) -> DeResult<Blob> {
    let s = v.as_str().map_or_else(|| malformed("a base64 string", v), Ok)?;
    base64_decode(s).map(Blob::new).map_err(DeError::Malformed)
}

pub fn timestamp(v: &Value, format: Format) -> DeResult<DateTime> {
    match (format, v) {
        (Format::EpochSeconds, Value::Number(n)) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => Ok(DateTime::from_secs(i)),
            (None, Some(f)) if f.is_finite() => Ok(DateTime::from_secs_f64(f)),
            _ => malformed("epoch seconds", v),
        },
        (Format::EpochSeconds, _) => malformed("epoch seconds as a number", v),
        (f, Value::String(s)) => crate::http_values::parse_timestamp(s, f).map_err(|e| DeError::Malformed(e.0)),
        _ => malformed("a timestamp string", v),
    }
}

pub fn document(v: &Value) -> Document {
    match v {
        Value::Null => Document::Null,
        Value::Bool(b) => Document::Bool(*b),
        Value::Number(n) => Document::Number(if let Some(u) = n.as_u64() {
            Number::PosInt(u)
        } else if let Some(i) = n.as_i64() {
            Number::NegInt(i)
        } else {
            Number::Float(n.as_f64().unwrap_or(0.0))
        }),
        Value::String(s) => Document::String(s.clone()),
        Value::Array(a) => Document::Array(a.iter().map(document).collect()),
        Value::Object(o) => Document::Object(o.iter().map(|(k, v)| (k.clone(), document(v))).collect()),
    }
}

/// A document from JSON text (model defaults).
pub fn document_from_json_str(s: &str) -> Result<Document, serde_json::Error> {
    serde_json::from_str::<Value>(s).map(|v| document(&v))
}

pub fn big_integer(v: &Value) -> DeResult<aws_smithy_types::BigInteger> {
    match v {
        Value::Number(n) if n.is_i64() || n.is_u64() => n
            .to_string()
            .parse()
            .map_err(|_| DeError::Malformed(format!("invalid big integer {n}"))),
        _ => malformed("an integer", v),
    }
}

pub fn big_decimal(v: &Value) -> DeResult<aws_smithy_types::BigDecimal> {
    match v {
        Value::Number(n) => n
            .to_string()
            .parse()
            .map_err(|_| DeError::Malformed(format!("invalid big decimal {n}"))),
        _ => malformed("a number", v),
    }
}

/// A blob carried as base64 text in a header or query value.
pub fn blob_from_base64(s: &str) -> Result<Blob, crate::http_values::ValueError> {
    base64_decode(s).map(Blob::new).map_err(crate::http_values::ValueError)
}

/// A string carried as base64 text (a header of a `mediaType` string).
pub fn string_from_base64(s: &str) -> Result<String, crate::http_values::ValueError> {
    let bytes = base64_decode(s).map_err(crate::http_values::ValueError)?;
    String::from_utf8(bytes).map_err(|_| crate::http_values::ValueError("not UTF-8 text".into()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    #[test]
    fn strict_types() {
        assert!(i32(&json!(1.5)).is_err());
        assert!(i32(&json!("1")).is_err());
        assert!(i8(&json!(300)).is_err());
        assert_eq!(i64(&json!(-5)).unwrap(), -5);
        assert!(f64(&json!("NaN")).unwrap().is_nan());
        assert!(blob(&json!("not base64!")).is_err());
        assert_eq!(blob(&json!("YWJj")).unwrap().as_ref(), b"abc");
        assert!(matches!(parse_body(b"  ").unwrap(), Value::Object(_)));
    }
}
