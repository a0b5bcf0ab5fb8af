//! Rust literals for the values of a case's params: a model value as the generated types hold it.

use crate::emit_types::{default_expr, variant};
use crate::gen::Gen;
use crate::model::{Kind, Shape};
use crate::names::{lit, snake};
use serde_json::Value;

pub(super) fn member_literal(
    g: &Gen,
    owner: &Shape,
    m: &crate::model::Member,
    v: Option<&Value>,
) -> Result<String, String> {
    let optional = g.is_optional(m);
    let boxed = g.is_boxed(&owner.id, &m.name);
    let wrap = |e: String| {
        if boxed {
            format!("::std::boxed::Box::new({e})")
        } else {
            e
        }
    };
    Ok(match v {
        Some(v) if !v.is_null() => {
            let e = wrap(literal(g, &m.target, v, false)?);
            if optional {
                format!("Some({e})")
            } else {
                e
            }
        }
        _ if optional => "None".into(),
        _ => match g.default_value(m) {
            Some(d) => wrap(default_expr(g, &m.target, d)),
            None => "::std::default::Default::default()".into(),
        },
    })
}

/// A Rust expression building the value `v` (Smithy node form) of shape `id`.
pub(super) fn literal(g: &Gen, id: &str, v: &Value, _in_sparse: bool) -> Result<String, String> {
    let s = g.shape(id);
    let ty = g.rust_type(id).replace("crate::", "restjson_protocol_server::");
    Ok(match s.kind {
        Kind::Structure => {
            let mut fields = Vec::new();
            for m in &s.members {
                fields.push(format!(
                    "{}: {}",
                    snake(&m.name),
                    member_literal(g, s, m, v.get(&m.name))?
                ));
            }
            format!("{ty} {{ {} }}", fields.join(", "))
        }
        Kind::Union => {
            let ty =
                format!("{}::model::{}", g.root(), g.type_ident(id)).replace("crate::", "restjson_protocol_server::");
            let (k, x) = v.as_object().and_then(|o| o.iter().next()).ok_or("empty union value")?;
            let m = s
                .members
                .iter()
                .find(|m| &m.name == k)
                .ok_or_else(|| format!("unknown union member {k}"))?;
            if m.target == "smithy.api#Unit" {
                format!("{ty}::{}", variant(k))
            } else {
                let inner = literal(g, &m.target, x, false)?;
                let inner = if g.is_boxed(&s.id, &m.name) {
                    format!("::std::boxed::Box::new({inner})")
                } else {
                    inner
                };
                format!("{ty}::{}({inner})", variant(k))
            }
        }
        Kind::String => format!("::std::string::String::from({})", lit(v.as_str().unwrap_or(""))),
        Kind::Enum => format!("{ty}::from({})", lit(v.as_str().unwrap_or(""))),
        Kind::Boolean => format!("{}", v.as_bool().unwrap_or(false)),
        Kind::Byte | Kind::Short | Kind::Integer | Kind::Long | Kind::IntEnum => {
            format!("{}{}", v.as_i64().unwrap_or(0), "")
        }
        Kind::Float | Kind::Double => {
            let t = if s.kind == Kind::Float { "f32" } else { "f64" };
            match v {
                Value::String(x) if x == "NaN" => format!("{t}::NAN"),
                Value::String(x) if x == "Infinity" => format!("{t}::INFINITY"),
                Value::String(x) if x == "-Infinity" => format!("{t}::NEG_INFINITY"),
                _ => format!("{:?}{t}", v.as_f64().unwrap_or(0.0)),
            }
        }
        Kind::Blob if s.has("streaming") => format!(
            "rt::body::ByteStream::new({}.as_bytes().to_vec())",
            lit(v.as_str().unwrap_or(""))
        ),
        Kind::Blob => format!(
            "rt::aws_smithy_types::Blob::new({}.as_bytes().to_vec())",
            lit(v.as_str().unwrap_or(""))
        ),
        Kind::Timestamp if v.is_string() => format!(
            "rt::aws_smithy_types::DateTime::from_str({}, rt::aws_smithy_types::date_time::Format::DateTime).unwrap()",
            lit(v.as_str().unwrap_or(""))
        ),
        Kind::Timestamp => {
            let text = v.to_string();
            let (secs, frac) = text.split_once('.').unwrap_or((&text, ""));
            let nanos: String = frac.chars().chain(std::iter::repeat('0')).take(9).collect();
            format!(
                "rt::aws_smithy_types::DateTime::from_secs_and_nanos({secs}, {})",
                nanos.trim_start_matches('0').parse::<u32>().unwrap_or(0)
            )
        }
        Kind::Document => format!("doc({})", lit(&v.to_string())),
        Kind::BigInteger | Kind::BigDecimal => format!("{}.parse::<{ty}>().unwrap()", lit(&v.to_string())),
        Kind::List => {
            let m = &s.members[0];
            let items: Result<Vec<String>, String> = v
                .as_array()
                .ok_or("list value is not an array")?
                .iter()
                .map(|x| {
                    if s.has("sparse") {
                        if x.is_null() {
                            Ok("None".into())
                        } else {
                            literal(g, &m.target, x, true).map(|e| format!("Some({e})"))
                        }
                    } else {
                        literal(g, &m.target, x, false)
                    }
                })
                .collect();
            format!("vec![{}]", items?.join(", "))
        }
        Kind::Map => {
            let m = &s.members[1];
            let items: Result<Vec<String>, String> = v
                .as_object()
                .ok_or("map value is not an object")?
                .iter()
                .map(|(k, x)| {
                    let val = if s.has("sparse") {
                        if x.is_null() {
                            Ok("None".to_string())
                        } else {
                            literal(g, &m.target, x, true).map(|e| format!("Some({e})"))
                        }
                    } else {
                        literal(g, &m.target, x, false)
                    }?;
                    Ok(format!("(::std::string::String::from({}), {val})", lit(k)))
                })
                .collect();
            format!("::std::collections::HashMap::from([{}])", items?.join(", "))
        }
        _ => return Err(format!("no literal for {id}")),
    })
}
