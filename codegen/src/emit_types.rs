//! Emits `model.rs`: one Rust type per structure, union and enum shape, with `Default`, a `Debug`
//! that redacts sensitive values, and `Display`/`Error` for error shapes; under the crate's `serde`
//! feature, `Serialize`/`Deserialize` for storing values (member names as in the model, runtime
//! types through `rt::serde_support`).

use crate::gen::{Gen, ValidationStyle};
use crate::model::{Kind, Member, Shape};
use crate::names::{lit, pascal, snake};
use crate::template::fill;
use std::fmt::Write;

const REDACTED: &str = "\"*** Sensitive Data Redacted ***\"";

pub fn model_rs(g: &Gen) -> String {
    let mut types = String::new();
    for s in g.generated_shapes() {
        match s.kind {
            Kind::Structure => structure(g, s, &mut types),
            Kind::Union => union(g, s, &mut types),
            Kind::Enum => enumeration(g, s, &mut types),
            Kind::IntEnum => int_enum(g, s, &mut types),
            _ => {}
        }
    }
    // The runtime crate is imported when some field's type is one of its (blobs, timestamps,
    // streams, documents, big numbers), directly or inside a collection.
    let uses_runtime = g.generated_shapes().iter().any(|s| {
        matches!(s.kind, Kind::Structure | Kind::Union) && s.members.iter().any(|m| runtime_type(g, &m.target))
    });
    let rt = if uses_runtime {
        "use smithy_server_runtime as rt;\n\n"
    } else {
        ""
    };
    format!("//! The shapes of the service's model as Rust types.\n\n{rt}{types}")
}

/// Whether a value of shape `id` has a type of the runtime crate, directly or inside a collection.
fn runtime_type(g: &Gen, id: &str) -> bool {
    let s = g.shape(id);
    match s.kind {
        Kind::Blob | Kind::Timestamp | Kind::Document | Kind::BigInteger | Kind::BigDecimal => true,
        Kind::Union => s.has("streaming"),
        Kind::List => runtime_type(g, &s.members[0].target),
        Kind::Map => runtime_type(g, &s.members[1].target),
        _ => false,
    }
}

fn derives(g: &Gen, s: &Shape, extra: &[&str]) -> String {
    let mut d = vec![];
    if g.comparable(&s.id) {
        d.extend(["Clone", "PartialEq"]);
    }
    d.extend_from_slice(extra);
    if d.is_empty() {
        return String::new();
    }
    format!("#[derive({})]\n", d.join(", "))
}

/// Whether a shape's type gets `Serialize`/`Deserialize`: every value type but what holds a stream
/// (the types that are `Clone` and `PartialEq`).
fn serde(g: &Gen, s: &Shape) -> bool {
    g.comparable(&s.id)
}

/// The attributes that derive serde for a structure or union (`serde(default)` for a structure
/// with a `Default`: a member missing from a stored value reads as its default).
fn serde_derives(g: &Gen, s: &Shape) -> String {
    if !serde(g, s) {
        return String::new();
    }
    let mut a = "#[cfg_attr(feature = \"serde\", derive(::serde::Serialize, ::serde::Deserialize))]\n".to_string();
    if s.kind == Kind::Structure && g.defaultable(&s.id) {
        a.push_str("#[cfg_attr(feature = \"serde\", serde(default))]\n");
    }
    a
}

/// A member's serde attribute: its model name; runtime types through `rt::serde_support::via`;
/// an optional field skipped when `None`.
fn serde_member(g: &Gen, owner: &Shape, m: &Member, indent: &str) -> String {
    if !serde(g, owner) {
        return String::new();
    }
    let mut args = vec![format!("rename = {}", lit(&m.name))];
    if runtime_type(g, &m.target) {
        args.push("with = \"rt::serde_support::via\"".into());
    }
    if owner.kind == Kind::Structure && g.is_optional(m) {
        // `with` fields are not optional to serde by themselves.
        if runtime_type(g, &m.target) {
            args.push("default".into());
        }
        args.push("skip_serializing_if = \"::std::option::Option::is_none\"".into());
    }
    format!("{indent}#[cfg_attr(feature = \"serde\", serde({}))]\n", args.join(", "))
}

fn structure(g: &Gen, s: &Shape, out: &mut String) {
    let name = g.type_ident(&s.id);
    // `Default` is derived unless some member's model default differs from its type's own.
    let default = g.defaultable(&s.id)
        && s.members
            .iter()
            .all(|m| g.default_value(m).is_none_or(|v| is_type_default(g, &m.target, v)));
    let fields: String = s
        .members
        .iter()
        .map(|m| {
            format!(
                "{}{}    pub {}: {},\n",
                g.doc(&m.traits, "    "),
                serde_member(g, s, m, "    "),
                snake(&m.name),
                g.member_type(s, m)
            )
        })
        .collect();
    out.push_str(&fill(
        r#"
$doc${derives}${serde}pub struct $name {
$fields}

"#,
        &[
            ("doc", &g.doc(&s.traits, "")),
            ("derives", &derives(g, s, if default { &["Default"] } else { &[] })),
            ("serde", &serde_derives(g, s)),
            ("name", &name),
            ("fields", &fields),
        ],
    ));
    // Members with model defaults get them from `Default`.
    if g.defaultable(&s.id) && !default {
        let values: String = s
            .members
            .iter()
            .map(|m| {
                let v = match g.default_value(m) {
                    Some(v) if !g.is_optional(m) => default_expr(g, &m.target, v),
                    _ => "::std::default::Default::default()".into(),
                };
                format!("            {}: {v},\n", snake(&m.name))
            })
            .collect();
        out.push_str(&fill(
            r#"
impl ::std::default::Default for $name {
    fn default() -> Self {
        Self {
$values        }
    }
}

"#,
            &[("name", &name), ("values", &values)],
        ));
    }
    // Debug, with sensitive values redacted.
    let debug = if g.sensitive(&s.id) {
        format!("f.write_str({REDACTED})")
    } else {
        let fields: String = s
            .members
            .iter()
            .map(|m| {
                let v = if g.sensitive(&m.target) {
                    format!("&{REDACTED}")
                } else {
                    format!("&self.{}", snake(&m.name))
                };
                format!(".field({}, {v})\n", lit(&snake(&m.name).replace("r#", "")))
            })
            .collect();
        format!("f.debug_struct({})\n{fields}.finish()", lit(&name))
    };
    out.push_str(&fill(
        r#"
impl ::std::fmt::Debug for $name {
    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
        $debug
    }
}

"#,
        &[("name", &name), ("debug", &debug)],
    ));
    if s.has("error") {
        let display = match s.members.iter().find(|m| m.name.eq_ignore_ascii_case("message")) {
            Some(m) if g.is_optional(m) => fill(
                r#"
match &self.$m {
    Some(m) => write!(f, "$name: {m}"),
    None => f.write_str($lit),
}"#,
                &[("m", &snake(&m.name)), ("name", &name), ("lit", &lit(&name))],
            ),
            Some(m) => format!("write!(f, \"{name}: {{}}\", self.{})", snake(&m.name)),
            None => format!("f.write_str({})", lit(&name)),
        };
        out.push_str(&fill(
            r#"
impl ::std::fmt::Display for $name {
    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
        $display
    }
}

impl ::std::error::Error for $name {}

"#,
            &[("name", &name), ("display", &display)],
        ));
    }
}

/// Whether a model default value is what the Rust type's `Default` gives anyway.
fn is_type_default(g: &Gen, target: &str, v: &serde_json::Value) -> bool {
    let s = g.shape(target);
    match s.kind {
        Kind::Boolean => v.as_bool() == Some(false),
        Kind::Byte | Kind::Short | Kind::Integer | Kind::Long | Kind::IntEnum => v.as_i64() == Some(0),
        Kind::String => v.as_str() == Some(""),
        Kind::Blob => s.has("streaming"),
        _ => default_expr(g, target, v) == "::std::default::Default::default()",
    }
}

/// A Rust expression for a model default value of the given shape.
pub fn default_expr(g: &Gen, target: &str, v: &serde_json::Value) -> String {
    let s = g.shape(target);
    match s.kind {
        Kind::Boolean => format!("{}", v.as_bool().unwrap_or(false)),
        Kind::Byte | Kind::Short | Kind::Integer | Kind::Long | Kind::IntEnum => {
            format!("{}", v.as_i64().unwrap_or(0))
        }
        Kind::Float | Kind::Double => format!("{:?}", v.as_f64().unwrap_or(0.0)),
        Kind::String => format!("::std::string::String::from({})", lit(v.as_str().unwrap_or(""))),
        Kind::Enum => format!("{}::from({})", g.rust_type(target), lit(v.as_str().unwrap_or(""))),
        Kind::Blob if s.has("streaming") => "rt::body::ByteStream::default()".into(),
        Kind::Blob => format!(
            "rt::aws_smithy_types::Blob::new(rt::json_de::base64_decode({}).unwrap_or_default())",
            lit(v.as_str().unwrap_or(""))
        ),
        Kind::Timestamp => match v {
            serde_json::Value::String(t) => format!(
                "rt::aws_smithy_types::DateTime::from_str({}, rt::aws_smithy_types::date_time::Format::DateTime).expect(\"model default\")",
                lit(t)
            ),
            _ => format!("rt::aws_smithy_types::DateTime::from_secs_f64({:?})", v.as_f64().unwrap_or(0.0)),
        },
        Kind::Document => format!("rt::json_de::document_from_json_str({}).expect(\"model default\")", lit(&v.to_string())),
        Kind::BigInteger | Kind::BigDecimal => {
            format!("{}::from_str({}).expect(\"model default\")", g.rust_type(target), lit(&v.to_string()))
        }
        _ => "::std::default::Default::default()".into(),
    }
}

fn union(g: &Gen, s: &Shape, out: &mut String) {
    let mut variants = String::new();
    let mut debug_arms = String::new();
    for m in &s.members {
        let v = variant(&m.name);
        variants.push_str(&g.doc(&m.traits, "    "));
        variants.push_str(&serde_member(g, s, m, "    "));
        if m.target == "smithy.api#Unit" {
            writeln!(variants, "    {v},").unwrap();
            writeln!(debug_arms, "            Self::{v} => f.write_str({}),", lit(&v)).unwrap();
            continue;
        }
        let mut t = g.rust_type(&m.target);
        if g.is_boxed(&s.id, &m.name) {
            t = format!("::std::boxed::Box<{t}>");
        }
        writeln!(variants, "    {v}({t}),").unwrap();
        if g.sensitive(&m.target) {
            writeln!(
                debug_arms,
                "            Self::{v}(_) => f.debug_tuple({}).field(&{REDACTED}).finish(),",
                lit(&v)
            )
            .unwrap();
        } else {
            writeln!(
                debug_arms,
                "            Self::{v}(x) => f.debug_tuple({}).field(x).finish(),",
                lit(&v)
            )
            .unwrap();
        }
    }
    let debug = if g.sensitive(&s.id) {
        format!("f.write_str({REDACTED})")
    } else {
        format!("match self {{\n{debug_arms}            Self::Unknown => f.write_str(\"Unknown\"),\n        }}")
    };
    out.push_str(&fill(
        r#"
$doc${derives}${serde}pub enum $name {
$variants    /// A member this server does not know; never produced by the server itself.
    #[doc(hidden)]
    #[default]
${unknown}    Unknown,
}

impl ::std::fmt::Debug for $name {
    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
        $debug
    }
}

"#,
        &[
            ("doc", &g.doc(&s.traits, "")),
            ("derives", &derives(g, s, &["Default"])),
            ("serde", &serde_derives(g, s)),
            // `$` is in no member name.
            (
                "unknown",
                if serde(g, s) {
                    "    #[cfg_attr(feature = \"serde\", serde(rename = \"$unknown\"))]\n"
                } else {
                    ""
                },
            ),
            ("name", &g.type_ident(&s.id)),
            ("variants", &variants),
            ("debug", &debug),
        ],
    ));
}

/// The Rust variant name of a union or enum member.
pub fn variant(member: &str) -> String {
    let v = pascal(member);
    if v == "Unknown" {
        "UnknownValue".into()
    } else {
        v
    }
}

fn enumeration(g: &Gen, s: &Shape, out: &mut String) {
    let values: Vec<(String, String)> = s
        .members
        .iter()
        .map(|m| {
            (
                variant(&m.name),
                m.get("enumValue").and_then(|v| v.as_str()).unwrap_or("").to_string(),
            )
        })
        .collect();
    let mut variants = String::new();
    for ((v, val), m) in values.iter().zip(&s.members) {
        let d = g.doc(&m.traits, "    ");
        if d.is_empty() {
            writeln!(variants, "    /// `{val}`").unwrap();
        } else {
            variants.push_str(&d);
        }
        writeln!(variants, "    {v},").unwrap();
    }
    // AWS lists an enum's values in the model's declaration order; Smithy's `ValidationException`
    // wording, pinned by the protocol tests, keeps them in member-name order.
    let mut public: Vec<(&str, String)> = values
        .iter()
        .zip(&s.members)
        .filter(|(_, m)| !m.has("internal"))
        .map(|((_, val), m)| (m.name.as_str(), lit(val)))
        .collect();
    if g.validation_style() == ValidationStyle::Smithy {
        public.sort_by_key(|(name, _)| *name);
    }
    let mut public: Vec<String> = public.into_iter().map(|(_, v)| v).collect();
    if let Some((_, order)) = g.cfg.enum_value_orders.iter().find(|(id, _)| *id == s.id) {
        let given: Vec<String> = order.iter().map(|v| lit(v)).collect();
        assert!(
            given.len() == public.len() && given.iter().all(|v| public.contains(v)),
            "enum_value_orders for {} must list exactly its values {public:?}",
            s.id
        );
        public = given;
    }
    let as_str: String = values
        .iter()
        .map(|(v, val)| format!("            Self::{v} => {},\n", lit(val)))
        .collect();
    let from: String = values
        .iter()
        .map(|(v, val)| format!("            {} => Self::{v},\n", lit(val)))
        .collect();
    out.push_str(&fill(
        r#"
$doc#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum $name {
$variants    /// A value outside the model's set; requests carrying one are rejected by validation.
    Unknown(::std::string::String),
}

impl $name {
    /// The values of the model's enum, as the wire carries them (internal ones excluded).
    pub const VALUES: &'static [&'static str] = &[$public];
    /// The wire value.
    pub fn as_str(&self) -> &str {
        match self {
$as_str            Self::Unknown(s) => s.as_str(),
        }
    }
}

impl ::std::convert::From<&str> for $name {
    fn from(s: &str) -> Self {
        match s {
$from            other => Self::Unknown(other.to_string()),
        }
    }
}

impl ::std::fmt::Display for $name {
    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl ::std::default::Default for $name {
    fn default() -> Self {
        Self::Unknown(::std::string::String::new())
    }
}

/// Stored as its wire value.
#[cfg(feature = "serde")]
impl ::serde::Serialize for $name {
    fn serialize<S: ::serde::Serializer>(&self, s: S) -> ::std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Read from its wire value; one outside the model's set is kept as `Unknown`.
#[cfg(feature = "serde")]
impl<'de> ::serde::Deserialize<'de> for $name {
    fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> ::std::result::Result<Self, D::Error> {
        let s = <::std::string::String as ::serde::Deserialize>::deserialize(d)?;
        ::std::result::Result::Ok(Self::from(s.as_str()))
    }
}

"#,
        &[
            ("doc", &g.doc(&s.traits, "")),
            ("name", &g.type_ident(&s.id)),
            ("variants", &variants),
            ("public", &public.join(", ")),
            ("as_str", &as_str),
            ("from", &from),
        ],
    ));
}

fn int_enum(g: &Gen, s: &Shape, out: &mut String) {
    let name = g.type_ident(&s.id);
    out.push_str(&g.doc(&s.traits, ""));
    writeln!(out, "pub type {name} = i32;\n").unwrap();
}
