//! Writing JSON documents: a small streaming writer that generated serializers drive, with the
//! restJson1 encodings of blobs (base64), timestamps and non-finite floats.

use aws_smithy_types::date_time::Format;
use aws_smithy_types::{Blob, DateTime, Document, Number};
use base64::Engine;
use std::fmt::Write;

/// Standard base64 (blobs in JSON, headers and query strings).
pub fn base64_encode(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Builds a JSON text; commas are inserted automatically.
pub struct JsonWriter {
    out: String,
    /// For each open object/array: whether a value was already written in it.
    stack: Vec<bool>,
    after_key: bool,
}

impl Default for JsonWriter {
    fn default() -> Self {
        Self::new()
    }
}

impl JsonWriter {
    pub fn new() -> JsonWriter {
        JsonWriter {
            out: String::with_capacity(256),
            stack: Vec::new(),
            after_key: false,
        }
    }

    pub fn finish(self) -> String {
        self.out
    }

    fn sep(&mut self) {
        if self.after_key {
            self.after_key = false;
            return;
        }
        if let Some(seen) = self.stack.last_mut() {
            if *seen {
                self.out.push(',');
            }
            *seen = true;
        }
    }

    pub fn begin_object(&mut self) {
        self.sep();
        self.out.push('{');
        self.stack.push(false);
    }

    pub fn end_object(&mut self) {
        self.stack.pop();
        self.out.push('}');
    }

    pub fn begin_array(&mut self) {
        self.sep();
        self.out.push('[');
        self.stack.push(false);
    }

    pub fn end_array(&mut self) {
        self.stack.pop();
        self.out.push(']');
    }

    pub fn key(&mut self, k: &str) {
        self.sep();
        self.escaped(k);
        self.out.push(':');
        self.after_key = true;
    }

    fn escaped(&mut self, s: &str) {
        self.out.push('"');
        let mut start = 0;
        for (i, b) in s.bytes().enumerate() {
            let esc = match b {
                b'"' => "\\\"",
                b'\\' => "\\\\",
                b'\n' => "\\n",
                b'\r' => "\\r",
                b'\t' => "\\t",
                0..=0x1f => "",
                _ => continue,
            };
            self.out.push_str(&s[start..i]);
            if esc.is_empty() {
                let _ = write!(self.out, "\\u{:04x}", b);
            } else {
                self.out.push_str(esc);
            }
            start = i + 1;
        }
        self.out.push_str(&s[start..]);
        self.out.push('"');
    }

    pub fn string(&mut self, s: &str) {
        self.sep();
        self.escaped(s);
    }

    pub fn null(&mut self) {
        self.sep();
        self.out.push_str("null");
    }

    pub fn boolean(&mut self, b: bool) {
        self.sep();
        self.out.push_str(if b { "true" } else { "false" });
    }

    pub fn integer(&mut self, v: i64) {
        self.sep();
        let _ = write!(self.out, "{v}");
    }

    pub fn float(&mut self, v: f64) {
        if v.is_nan() {
            self.string("NaN")
        } else if v.is_infinite() {
            self.string(if v > 0.0 { "Infinity" } else { "-Infinity" })
        } else {
            self.sep();
            // serde_json prints the shortest representation that round-trips.
            self.out.push_str(
                &serde_json::Number::from_f64(v)
                    .map(|n| n.to_string())
                    .unwrap_or_default(),
            );
        }
    }

    pub fn float32(&mut self, v: f32) {
        if v.is_finite() {
            // Print the f32's own shortest form (1.1f32 as 1.1, not 1.100000023841858).
            self.sep();
            let _ = write!(self.out, "{v:?}");
        } else {
            self.float(v as f64)
        }
    }

    pub fn blob(&mut self, b: &Blob) {
        self.string(&base64::engine::general_purpose::STANDARD.encode(b.as_ref()))
    }

    pub fn timestamp(&mut self, t: &DateTime, format: Format) {
        match format {
            Format::EpochSeconds => {
                self.sep();
                if t.subsec_nanos() == 0 {
                    let _ = write!(self.out, "{}", t.secs());
                } else {
                    let s = t.fmt(Format::EpochSeconds).unwrap_or_default();
                    self.out.push_str(&s);
                }
            }
            f => self.string(&t.fmt(f).unwrap_or_default()),
        }
    }

    pub fn raw_number(&mut self, text: &str) {
        self.sep();
        self.out.push_str(text);
    }

    pub fn document(&mut self, d: &Document) {
        match d {
            Document::Null => self.null(),
            Document::Bool(b) => self.boolean(*b),
            Document::String(s) => self.string(s),
            Document::Number(Number::PosInt(n)) => {
                self.sep();
                let _ = write!(self.out, "{n}");
            }
            Document::Number(Number::NegInt(n)) => self.integer(*n),
            Document::Number(Number::Float(f)) => self.float(*f),
            Document::Array(a) => {
                self.begin_array();
                for x in a {
                    self.document(x);
                }
                self.end_array();
            }
            Document::Object(o) => {
                self.begin_object();
                for (k, v) in o {
                    self.key(k);
                    self.document(v);
                }
                self.end_object();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn writes_nested() {
        let mut w = JsonWriter::new();
        w.begin_object();
        w.key("a");
        w.begin_array();
        w.integer(1);
        w.string("x\"\n\u{1}");
        w.float(f64::NAN);
        w.end_array();
        w.key("b");
        w.begin_object();
        w.end_object();
        w.key("c");
        w.float32(1.1);
        w.end_object();
        assert_eq!(w.finish(), r#"{"a":[1,"x\"\n\u0001","NaN"],"b":{},"c":1.1}"#);
    }
}
