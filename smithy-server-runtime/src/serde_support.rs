//! Serde encodings of the runtime types that generated model types hold (timestamps, blobs,
//! documents, big numbers), for storing model values and reading them back exactly (compiled with
//! the `serde` feature).
//!
//! Generated code marks a field whose type is one of these, directly or inside `Option`, `Box`,
//! `Vec` or `HashMap<String, _>`, with `#[serde(with = "rt::serde_support::via")]`; [`Persist`]
//! says how each is written:
//!
//! - `DateTime`: `{"seconds": i64, "nanos": u32}` (seconds since the epoch and the nanoseconds
//!   after them; every `DateTime` round-trips).
//! - `Blob`: a standard base64 string (with padding).
//! - `Document`: its JSON value; a non-negative integer is a `PosInt`, a negative one a `NegInt`, a
//!   number with a fraction or exponent a `Float`. A non-finite float, and a `NegInt` holding a
//!   non-negative value, cannot be written (they would not read back equal).
//! - `BigInteger`, `BigDecimal`: their decimal string.
//!
//! The wire encodings (restJson1) are elsewhere (`json_ser`, `json_de`): those follow the model's
//! formats and may lose precision (a timestamp as epoch seconds in a float); these must not.

use crate::{json_de, json_ser};
use aws_smithy_types::{BigDecimal, BigInteger, Blob, DateTime, Document, Number};
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{self, SerializeMap, SerializeSeq, Serializer};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt;

/// A type with a stored encoding of its own, for `#[serde(with = "rt::serde_support::via")]`.
pub trait Persist: Sized {
    fn persist<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error>;
    fn restore<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error>;
}

/// The `with` module generated fields name: any [`Persist`] type.
pub mod via {
    use super::Persist;
    use serde::{Deserializer, Serializer};

    pub fn serialize<T: Persist, S: Serializer>(v: &T, s: S) -> Result<S::Ok, S::Error> {
        v.persist(s)
    }

    pub fn deserialize<'de, T: Persist, D: Deserializer<'de>>(d: D) -> Result<T, D::Error> {
        T::restore(d)
    }
}

/// A reference that serializes through [`Persist`].
struct Out<'a, T>(&'a T);

impl<T: Persist> Serialize for Out<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.persist(s)
    }
}

/// A value that deserializes through [`Persist`].
struct In<T>(T);

impl<'de, T: Persist> Deserialize<'de> for In<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        T::restore(d).map(In)
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Instant {
    seconds: i64,
    nanos: u32,
}

impl Persist for DateTime {
    fn persist<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        Instant {
            seconds: self.secs(),
            nanos: self.subsec_nanos(),
        }
        .serialize(s)
    }

    fn restore<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let t = Instant::deserialize(d)?;
        if t.nanos >= 1_000_000_000 {
            return Err(de::Error::custom(format!("nanos {} is not below 1000000000", t.nanos)));
        }
        Ok(DateTime::from_secs_and_nanos(t.seconds, t.nanos))
    }
}

impl Persist for Blob {
    fn persist<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&json_ser::base64_encode(self.as_ref()))
    }

    fn restore<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        json_de::base64_decode(&text).map(Blob::new).map_err(de::Error::custom)
    }
}

impl Persist for BigInteger {
    fn persist<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_ref())
    }

    fn restore<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?.parse().map_err(de::Error::custom)
    }
}

impl Persist for BigDecimal {
    fn persist<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_ref())
    }

    fn restore<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?.parse().map_err(de::Error::custom)
    }
}

impl Persist for Document {
    fn persist<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Document::Object(o) => {
                let mut m = s.serialize_map(Some(o.len()))?;
                for (k, v) in o {
                    m.serialize_entry(k, &Out(v))?;
                }
                m.end()
            }
            Document::Array(a) => {
                let mut q = s.serialize_seq(Some(a.len()))?;
                for v in a {
                    q.serialize_element(&Out(v))?;
                }
                q.end()
            }
            Document::Number(Number::PosInt(n)) => s.serialize_u64(*n),
            Document::Number(Number::NegInt(n)) if *n < 0 => s.serialize_i64(*n),
            Document::Number(Number::NegInt(n)) => Err(ser::Error::custom(format!(
                "the document number NegInt({n}) is not negative: it would read back as PosInt"
            ))),
            Document::Number(Number::Float(f)) if f.is_finite() => s.serialize_f64(*f),
            Document::Number(Number::Float(f)) => Err(ser::Error::custom(format!(
                "the document number {f} is not finite: JSON cannot hold it"
            ))),
            Document::String(t) => s.serialize_str(t),
            Document::Bool(b) => s.serialize_bool(*b),
            Document::Null => s.serialize_unit(),
        }
    }

    fn restore<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(DocumentVisitor)
    }
}

struct DocumentVisitor;

impl<'de> Visitor<'de> for DocumentVisitor {
    type Value = Document;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Document, E> {
        Ok(Document::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Document, E> {
        Ok(Document::Number(if v < 0 {
            Number::NegInt(v)
        } else {
            Number::PosInt(v as u64)
        }))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Document, E> {
        Ok(Document::Number(Number::PosInt(v)))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Document, E> {
        Ok(Document::Number(Number::Float(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Document, E> {
        Ok(Document::String(v.to_string()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Document, E> {
        Ok(Document::String(v))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Document, E> {
        Ok(Document::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Document, E> {
        Ok(Document::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Document, D::Error> {
        Document::restore(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Document, A::Error> {
        let mut v = Vec::with_capacity(a.size_hint().unwrap_or(0).min(4096));
        while let Some(In(x)) = a.next_element::<In<Document>>()? {
            v.push(x);
        }
        Ok(Document::Array(v))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Document, A::Error> {
        let mut o = HashMap::with_capacity(a.size_hint().unwrap_or(0).min(4096));
        while let Some((k, In(v))) = a.next_entry::<String, In<Document>>()? {
            o.insert(k, v);
        }
        Ok(Document::Object(o))
    }
}

impl<T: Persist> Persist for Option<T> {
    fn persist<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Some(v) => s.serialize_some(&Out(v)),
            None => s.serialize_none(),
        }
    }

    fn restore<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Option::<In<T>>::deserialize(d)?.map(|In(v)| v))
    }
}

impl<T: Persist> Persist for Box<T> {
    fn persist<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        (**self).persist(s)
    }

    fn restore<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        T::restore(d).map(Box::new)
    }
}

impl<T: Persist> Persist for Vec<T> {
    fn persist<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter().map(Out))
    }

    fn restore<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Vec::<In<T>>::deserialize(d)?.into_iter().map(|In(v)| v).collect())
    }
}

impl<T: Persist> Persist for HashMap<String, T> {
    fn persist<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.iter().map(|(k, v)| (k, Out(v))))
    }

    fn restore<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(HashMap::<String, In<T>>::deserialize(d)?
            .into_iter()
            .map(|(k, In(v))| (k, v))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A field of type `T` as generated code declares it.
    #[derive(Serialize, Deserialize, PartialEq, Debug)]
    struct Field<T: Persist>(#[serde(with = "via")] T);

    fn round_trip<T: Persist + PartialEq + fmt::Debug>(v: T) -> String {
        let json = serde_json::to_string(&Field(v)).unwrap();
        let back: Field<T> = serde_json::from_str(&json).unwrap();
        let again = serde_json::to_string(&back).unwrap();
        assert_eq!(json, again, "{json} reads back as written");
        json
    }

    fn exact<T: Persist + PartialEq + fmt::Debug + Clone>(v: T) -> String {
        let json = serde_json::to_string(&Field(v.clone())).unwrap();
        let back: Field<T> = serde_json::from_str(&json).unwrap();
        assert_eq!(back.0, v, "{json}");
        json
    }

    #[test]
    fn date_times_keep_every_nanosecond() {
        assert_eq!(
            exact(DateTime::from_secs_and_nanos(1_700_000_000, 123_456_789)),
            r#"{"seconds":1700000000,"nanos":123456789}"#
        );
        for t in [
            DateTime::from_secs(0),
            DateTime::from_secs_and_nanos(-1, 999_999_999),
            DateTime::from_secs_and_nanos(i64::MIN, 1),
            DateTime::from_secs_and_nanos(i64::MAX, 999_999_999),
            DateTime::from_secs_and_nanos(253_402_300_800, 5),
        ] {
            exact(t);
        }
    }

    #[test]
    fn a_date_time_with_too_many_nanos_is_refused() {
        let r = serde_json::from_str::<Field<DateTime>>(r#"{"seconds":1,"nanos":1000000000}"#);
        assert!(r.unwrap_err().to_string().contains("nanos"));
        assert!(serde_json::from_str::<Field<DateTime>>(r#"{"seconds":1,"nanos":0,"x":1}"#).is_err());
    }

    #[test]
    fn blobs_are_base64() {
        assert_eq!(exact(Blob::new(b"hi\x00\xff".to_vec())), r#""aGkA/w==""#);
        assert_eq!(exact(Blob::new(Vec::new())), r#""""#);
        let all: Vec<u8> = (0..=255).collect();
        exact(Blob::new(all));
        assert!(serde_json::from_str::<Field<Blob>>(r#""not base64!""#).is_err());
    }

    #[test]
    fn documents_are_their_json() {
        let doc = Document::Object(HashMap::from([
            ("n".to_string(), Document::Null),
            ("b".to_string(), Document::Bool(true)),
            ("s".to_string(), Document::String("x\"y".into())),
            ("u".to_string(), Document::Number(Number::PosInt(u64::MAX))),
            ("i".to_string(), Document::Number(Number::NegInt(i64::MIN))),
            ("f".to_string(), Document::Number(Number::Float(1.0))),
            ("g".to_string(), Document::Number(Number::Float(-2.5e-300))),
            (
                "a".to_string(),
                Document::Array(vec![
                    Document::Null,
                    Document::Array(vec![]),
                    Document::Object(HashMap::new()),
                ]),
            ),
        ]));
        exact(doc);
        assert_eq!(exact(Document::Number(Number::Float(3.0))), "3.0");
        assert_eq!(exact(Document::Null), "null");
    }

    #[test]
    fn documents_that_would_not_read_back_equal_are_refused() {
        assert!(serde_json::to_string(&Field(Document::Number(Number::NegInt(3)))).is_err());
        assert!(serde_json::to_string(&Field(Document::Number(Number::Float(f64::NAN)))).is_err());
        assert!(serde_json::to_string(&Field(Document::Number(Number::Float(f64::INFINITY)))).is_err());
    }

    #[test]
    fn big_numbers_are_their_strings() {
        assert_eq!(
            exact("-123456789012345678901234567890".parse::<BigInteger>().unwrap()),
            r#""-123456789012345678901234567890""#
        );
        let d: BigDecimal = "1.50e-7".parse().unwrap();
        assert_eq!(round_trip(d.clone()), r#""1.50e-7""#);
        exact(d);
        assert!(serde_json::from_str::<Field<BigInteger>>(r#""1.5""#).is_err());
    }

    #[test]
    fn collections_nest() {
        let t = DateTime::from_secs_and_nanos(5, 6);
        assert_eq!(exact(Some(t)), r#"{"seconds":5,"nanos":6}"#);
        assert_eq!(exact(None::<DateTime>), "null");
        assert_eq!(exact(Box::new(Blob::new(*b"a"))), r#""YQ==""#);
        assert_eq!(exact(vec![Some(Blob::new(*b"a")), None]), r#"["YQ==",null]"#);
        exact(HashMap::from([
            ("k".to_string(), vec![t]),
            ("empty".to_string(), vec![]),
        ]));
        exact(Some(HashMap::from([("k".to_string(), Some(Document::Bool(false)))])));
    }
}
