//! Emits `json_de.rs`: a reader per aggregate shape from restJson1 documents, with the model's
//! constraints checked as values are read, and the pieces operations share to read members.

use crate::emit_constraints::{checks, key_checks};
use crate::emit_json::{aggregates, json_name, module, stem, ts_format};
use crate::gen::Gen;
use crate::ir::{constraints, Constraint};
use crate::model::{Kind, Member, Shape};
use crate::names::{lit, snake, snake_raw};
use crate::template::fill;
use std::collections::BTreeSet;
use std::fmt::Write;

/// An expression of type `DeResult<T>` reading the JSON value `v` as shape `target`.
pub fn de_expr(g: &Gen, m: Option<&Member>, target: &str, v: &str) -> String {
    let s = g.shape(target);
    let j = "rt::json_de";
    match s.kind {
        Kind::String => format!("{j}::string({v})"),
        Kind::Enum => format!("{j}::string({v}).map(|s| {}::from(s.as_str()))", g.rust_type(target)),
        Kind::Boolean => format!("{j}::boolean({v})"),
        Kind::Byte => format!("{j}::i8({v})"),
        Kind::Short => format!("{j}::i16({v})"),
        Kind::Integer | Kind::IntEnum => format!("{j}::i32({v})"),
        Kind::Long => format!("{j}::i64({v})"),
        Kind::Float => format!("{j}::f32({v})"),
        Kind::Double => format!("{j}::f64({v})"),
        Kind::BigInteger => format!("{j}::big_integer({v})"),
        Kind::BigDecimal => format!("{j}::big_decimal({v})"),
        Kind::Blob => format!("{j}::blob({v})"),
        Kind::Timestamp => format!("{j}::timestamp({v}, {})", ts_format(g, m, target, "epoch-seconds")),
        Kind::Document => format!("Ok({j}::document({v}))"),
        _ => format!("de_{}({v}, val)", stem(g, target)),
    }
}

/// Reads a value of member `m` from JSON `v` with path segment `seg`; an expression of type
/// `DeResult<T>` where T is the member's (unwrapped) type, constraints checked.
pub fn read_member_value(g: &Gen, owner: &Shape, m: &Member, v: &str, seg: &str) -> String {
    let read = de_expr(g, Some(m), &m.target, v);
    let handler_checked = g
        .cfg
        .handler_checked_enums
        .iter()
        .any(|(shape, member)| *shape == owner.id && *member == m.name);
    let check = if handler_checked {
        String::new()
    } else if g.shape(&m.target).kind == Kind::Enum {
        // An enum's only check is for an unknown value: one pattern reaches it.
        let t = g.rust_type(&m.target);
        format!("if let Ok({t}::Unknown(s)) = &r {{ val.enum_value(s, {t}::VALUES); }}\n")
    } else {
        let checks = checks(g, m, "x");
        if checks.is_empty() {
            checks
        } else {
            format!("if let Ok(x) = &r {{\n{checks}}}\n")
        }
    };
    let mut e = format!("val.enter({seg});\nlet r = {read};\n{check}val.leave();\n");
    if g.is_boxed(&owner.id, &m.name) {
        e.push_str("r.map(::std::boxed::Box::new)");
    } else {
        e.push('r');
    }
    format!("{{\n{e}\n}}")
}

/// The statements that turn `let f_<member>: Option<T>` locals into the struct literal, given
/// that missing required members were recorded.
pub fn finish_struct(g: &Gen, s: &Shape, ty: &str, err: &str) -> String {
    let mut out = format!("if invalid {{\n    return Err({err});\n}}\n");
    for m in &s.members {
        if !g.is_optional(m) && !g.is_streaming_blob(&m.target) && !g.is_event_stream(&m.target) {
            writeln!(
                out,
                "let Some(f_{n}) = f_{n} else {{ return Err({err}) }};",
                n = snake_raw(&m.name)
            )
            .unwrap();
        }
    }
    write!(out, "Ok({ty} {{").unwrap();
    for m in &s.members {
        write!(out, " {}: f_{},", snake(&m.name), snake_raw(&m.name)).unwrap();
    }
    out.push_str(" })\n");
    out
}

/// What to do when a member is absent: record it when required, use its default, or leave None.
pub fn absent(g: &Gen, m: &Member) -> String {
    if let Some(d) = g.default_value(m) {
        format!("Some({})", crate::emit_types::default_expr(g, &m.target, d))
    } else if constraints(g, m).contains(&Constraint::Required) {
        format!("{{ val.missing({}); None }}", lit(&m.name))
    } else {
        "None".into()
    }
}

/// The signature line of the reader of shape `s`; `val` unused is `_val`.
fn de_signature(g: &Gen, s: &Shape, uses_val: bool) -> String {
    format!(
        "pub(crate) fn de_{}(v: &Value, {}: &mut Validator) -> DeResult<{}> {{\n",
        stem(g, &s.id),
        if uses_val { "val" } else { "_val" },
        g.rust_type(&s.id)
    )
}

fn de_struct(g: &Gen, s: &Shape, out: &mut String) {
    let ty = g.rust_type(&s.id);
    out.push_str(&de_signature(g, s, !s.members.is_empty()));
    if s.members.is_empty() {
        out.push_str(&format!("    rt::json_de::object(v)?;\n    Ok({ty} {{}})\n}}\n\n"));
        return;
    }
    let members: String = s
        .members
        .iter()
        .map(|m| {
            fill(
                r#"
let f_$n = match obj.get($k) {
    Some(v) if !v.is_null() => rt::json_de::keep($read, &mut invalid)?,
    _ => $absent,
};
"#,
                &[
                    ("n", &snake_raw(&m.name)),
                    ("k", &lit(&json_name(m))),
                    (
                        "read",
                        &read_member_value(g, s, m, "v", &format!("PathSeg::Member({})", lit(&m.name))),
                    ),
                    ("absent", &absent(g, m)),
                ],
            )
        })
        .collect();
    out.push_str(&fill(
        r#"
    let obj = rt::json_de::object(v)?;
    let mut invalid = false;
$members$finish}

"#,
        &[
            ("members", &members),
            ("finish", &finish_struct(g, s, &ty, "rt::json_de::DeError::Invalid")),
        ],
    ));
}

fn de_union(g: &Gen, s: &Shape, out: &mut String) {
    let ty = g.rust_type(&s.id);
    out.push_str(&de_signature(
        g,
        s,
        !s.members.iter().all(|m| m.target == "smithy.api#Unit"),
    ));
    let arms: String = s
        .members
        .iter()
        .map(|m| {
            let var = crate::emit_types::variant(&m.name);
            let key = lit(&json_name(m));
            if m.target == "smithy.api#Unit" {
                format!("{key} => {{ rt::json_de::object(v)?; Ok({ty}::{var}) }}\n")
            } else {
                let read = read_member_value(g, s, m, "v", &format!("PathSeg::Member({})", lit(&m.name)));
                format!("{key} => {read}.map({ty}::{var}),\n")
            }
        })
        .collect();
    out.push_str(&fill(
        r#"
    let obj = rt::json_de::object(v)?;
    let mut set = obj.iter().filter(|(k, v)| !v.is_null() && k.as_str() != "__type");
    let (Some((k, v)), None) = (set.next(), set.next()) else {
        return Err(rt::json_de::DeError::Malformed("a union must have exactly one member set".into()));
    };
    match k.as_str() {
$arms        other => Err(rt::json_de::DeError::Malformed(format!("unknown union member {other}"))),
    }
}

"#,
        &[("arms", &arms)],
    ));
}

fn de_list(g: &Gen, s: &Shape, out: &mut String) {
    out.push_str(&de_signature(g, s, true));
    let read = read_member_value(g, s, &s.members[0], "v", "PathSeg::Index(i)");
    let item = if s.has("sparse") {
        "if v.is_null() { out.push(None); continue; }\nif let Some(x) = rt::json_de::keep($read, &mut invalid)? { out.push(Some(x)); }"
    } else {
        "if v.is_null() { return Err(rt::json_de::DeError::Malformed(\"null is not allowed in a non-sparse list\".into())); }\nif let Some(x) = rt::json_de::keep($read, &mut invalid)? { out.push(x); }"
    };
    out.push_str(&fill(
        r#"
    let arr = rt::json_de::array(v)?;
    let mut out = ::std::vec::Vec::with_capacity(arr.len());
    let mut invalid = false;
    for (i, v) in arr.iter().enumerate() {
        $item
    }
    if invalid {
        return Err(rt::json_de::DeError::Invalid);
    }
    Ok(out)
}

"#,
        &[("item", &fill(item, &[("read", &read)]))],
    ));
}

fn de_map(g: &Gen, s: &Shape, out: &mut String) {
    let (key, value) = (&s.members[0], &s.members[1]);
    out.push_str(&de_signature(g, s, true));
    // Key violations are reported at the map itself.
    let key_checks = match key_checks(g, key, "k") {
        c if c.is_empty() => c,
        c => format!("{{\n{c}}}\n"),
    };
    let read = read_member_value(g, s, value, "v", "PathSeg::Key(k.clone())");
    let item = if s.has("sparse") {
        "if v.is_null() { out.insert(k.clone(), None); continue; }\nif let Some(x) = rt::json_de::keep($read, &mut invalid)? { out.insert(k.clone(), Some(x)); }"
    } else {
        "if v.is_null() { return Err(rt::json_de::DeError::Malformed(\"null is not allowed as a value of a non-sparse map\".into())); }\nif let Some(x) = rt::json_de::keep($read, &mut invalid)? { out.insert(k.clone(), x); }"
    };
    out.push_str(&fill(
        r#"
    let obj = rt::json_de::object(v)?;
    let mut out = ::std::collections::HashMap::with_capacity(obj.len());
    let mut invalid = false;
    for (k, v) in obj.iter() {
$key_checks        $item
    }
    if invalid {
        return Err(rt::json_de::DeError::Invalid);
    }
    Ok(out)
}

"#,
        &[("key_checks", &key_checks), ("item", &fill(item, &[("read", &read)]))],
    ));
}

/// `json_de.rs`: the readers of the aggregates whose stems are `reached`.
pub fn json_de_rs(g: &Gen, reached: &BTreeSet<String>) -> String {
    let shapes: Vec<&Shape> = aggregates(g)
        .into_iter()
        .filter(|s| reached.contains(&stem(g, &s.id)))
        .collect();
    // `PathSeg` names the members, items and entries read: every reader but that of an empty
    // structure or of a union of unit members.
    let names_path = shapes.iter().any(|s| match s.kind {
        Kind::Structure => !s.members.is_empty(),
        Kind::Union => !s.members.iter().all(|m| m.target == "smithy.api#Unit"),
        _ => true,
    });
    let any = !shapes.is_empty();
    let fns: String = shapes
        .into_iter()
        .map(|s| {
            let mut out = String::new();
            match s.kind {
                Kind::Structure => de_struct(g, s, &mut out),
                Kind::Union => de_union(g, s, &mut out),
                Kind::List => de_list(g, s, &mut out),
                Kind::Map => de_map(g, s, &mut out),
                _ => {}
            }
            out
        })
        .collect();
    module(
        "//! Readers of the model's aggregate shapes from restJson1 documents.\n\n",
        &[
            ("use smithy_server_runtime as rt;\n", any),
            ("use rt::json_de::DeResult;\n", any),
            ("use rt::serde_json::Value;\n", any),
            ("use rt::validation::{PathSeg, Validator};\n", names_path),
        ],
        &fns,
    )
}
