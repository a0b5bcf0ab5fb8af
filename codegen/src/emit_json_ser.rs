//! Emits `json_ser.rs`: a writer per aggregate shape as restJson1 documents, and the pieces
//! operations share to write members.

use crate::emit_json::{aggregates, json_name, module, stem, ts_format};
use crate::gen::Gen;
use crate::model::{Kind, Member, Shape};
use crate::names::{lit, snake};
use crate::template::fill;
use std::collections::BTreeSet;

/// Statements writing value `x` (a reference) of shape `target` to the writer `w`.
pub fn ser_stmt(g: &Gen, m: Option<&Member>, target: &str, x: &str) -> String {
    let s = g.shape(target);
    match s.kind {
        Kind::String => format!("w.string({x});"),
        Kind::Enum => format!("w.string({x}.as_str());"),
        Kind::Boolean => format!("w.boolean(*{x});"),
        Kind::Long => format!("w.integer(*{x});"),
        Kind::Byte | Kind::Short | Kind::Integer | Kind::IntEnum => format!("w.integer(*{x} as i64);"),
        Kind::Float => format!("w.float32(*{x});"),
        Kind::Double => format!("w.float(*{x});"),
        Kind::BigInteger | Kind::BigDecimal => format!("w.raw_number({x}.as_ref());"),
        Kind::Blob => format!("w.blob({x});"),
        Kind::Timestamp => format!("w.timestamp({x}, {});", ts_format(g, m, target, "epoch-seconds")),
        Kind::Document => format!("w.document({x});"),
        _ => format!("ser_{}({x}, w);", stem(g, target)),
    }
}

/// Writes the members of structure `s` held in `x` (not the surrounding braces); `include`
/// selects which members belong to the body.
pub fn ser_members(g: &Gen, s: &Shape, x: &str, include: &dyn Fn(&Member) -> bool) -> String {
    let optional = r#"
if let Some(v) = &$x.$f {
    w.key($key);
    $write
}
"#;
    let required = r#"
{
    let v = &$x.$f;
    w.key($key);
    $write
}
"#;
    s.members
        .iter()
        .filter(|m| include(m))
        .map(|m| {
            fill(
                if g.is_optional(m) { optional } else { required },
                &[
                    ("x", x),
                    ("f", &snake(&m.name)),
                    ("key", &lit(&json_name(m))),
                    ("write", &ser_stmt(g, Some(m), &m.target, "v")),
                ],
            )
        })
        .collect()
}

fn ser_fn(g: &Gen, s: &Shape, out: &mut String) {
    let ty = g.rust_type(&s.id);
    let write = |m: &Member| ser_stmt(g, Some(m), &m.target, "v");
    let body = match s.kind {
        Kind::Structure => format!(
            "w.begin_object();\n{}w.end_object();\n",
            ser_members(g, s, "x", &|_| true)
        ),
        Kind::Union => {
            let arms: String = s
                .members
                .iter()
                .map(|m| {
                    let var = crate::emit_types::variant(&m.name);
                    let key = lit(&json_name(m));
                    if m.target == "smithy.api#Unit" {
                        format!("{ty}::{var} => {{ w.key({key}); w.begin_object(); w.end_object(); }}\n")
                    } else {
                        format!("{ty}::{var}(v) => {{ w.key({key}); {} }}\n", write(m))
                    }
                })
                .collect();
            format!("w.begin_object();\nmatch x {{\n{arms}{ty}::Unknown => {{}}\n}}\nw.end_object();\n")
        }
        Kind::List if s.has("sparse") => fill(
            r#"
w.begin_array();
for item in x {
    match item {
        Some(v) => { $write }
        None => w.null(),
    }
}
w.end_array();
"#,
            &[("write", &write(&s.members[0]))],
        ),
        Kind::List => fill(
            r#"
w.begin_array();
for v in x {
    $write
}
w.end_array();
"#,
            &[("write", &write(&s.members[0]))],
        ),
        Kind::Map if s.has("sparse") => fill(
            r#"
w.begin_object();
for (k, item) in x {
    w.key(k);
    match item {
        Some(v) => { $write }
        None => w.null(),
    }
}
w.end_object();
"#,
            &[("write", &write(&s.members[1]))],
        ),
        Kind::Map => fill(
            r#"
w.begin_object();
for (k, v) in x {
    w.key(k);
    $write
}
w.end_object();
"#,
            &[("write", &write(&s.members[1]))],
        ),
        _ => String::new(),
    };
    let x = if s.kind == Kind::Structure && s.members.is_empty() {
        "_x"
    } else {
        "x"
    };
    out.push_str(&format!(
        "pub(crate) fn ser_{}({x}: &{ty}, w: &mut JsonWriter) {{\n{body}}}\n\n",
        stem(g, &s.id)
    ));
}

/// `json_ser.rs`: the writers of the aggregates whose stems are `reached`.
pub fn json_ser_rs(g: &Gen, reached: &BTreeSet<String>) -> String {
    let fns: String = aggregates(g)
        .into_iter()
        .filter(|s| reached.contains(&stem(g, &s.id)))
        .map(|s| {
            let mut out = String::new();
            ser_fn(g, s, &mut out);
            out
        })
        .collect();
    let any = !fns.is_empty();
    module(
        "//! Writers of the model's aggregate shapes as restJson1 documents.\n\n",
        &[
            ("use smithy_server_runtime as rt;\n", any),
            ("use rt::json_ser::JsonWriter;\n", any),
        ],
        &fns,
    )
}
