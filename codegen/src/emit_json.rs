//! Emits `json_de.rs` and `json_ser.rs`: a reader and a writer per aggregate shape for restJson1
//! documents, with the model's constraints checked as values are read.

use crate::gen::Gen;
use crate::model::{Kind, Member, Shape};
use crate::names::{lit, snake, snake_raw};
use crate::template::fill;
use std::fmt::Write;

pub const FMT: &str = "rt::aws_smithy_types::date_time::Format";

/// The function-name stem for an aggregate shape.
pub fn stem(g: &Gen, id: &str) -> String {
    snake_raw(&g.type_ident(id))
}

/// Timestamp format of a member: its own trait, its target's, else the context's default.
pub fn ts_format(g: &Gen, m: Option<&Member>, target: &str, default: &str) -> String {
    let f = m
        .and_then(|m| m.get("timestampFormat"))
        .or_else(|| g.shape(target).get("timestampFormat"))
        .and_then(|v| v.as_str())
        .unwrap_or(default);
    match f {
        "epoch-seconds" => format!("{FMT}::EpochSeconds"),
        "http-date" => format!("{FMT}::HttpDate"),
        _ => format!("{FMT}::DateTime"),
    }
}

pub fn json_name(m: &Member) -> String {
    m.get("jsonName")
        .and_then(|v| v.as_str())
        .unwrap_or(&m.name)
        .to_string()
}

fn is_aggregate(k: Kind) -> bool {
    matches!(k, Kind::Structure | Kind::Union | Kind::List | Kind::Map)
}

/// Shapes that get their own reader/writer function.
fn aggregates<'a>(g: &'a Gen) -> Vec<&'a Shape> {
    let mut v: Vec<&Shape> = g
        .closure
        .iter()
        .map(|id| g.shape(id))
        .filter(|s| is_aggregate(s.kind) && !s.has("unitType") && !s.has("streaming"))
        .filter(|s| {
            !s.members
                .iter()
                .any(|m| g.is_streaming_blob(&m.target) || g.is_event_stream(&m.target))
        })
        // Operation inputs and outputs are read and written by their operation's bindings, unless
        // some member also holds one.
        .filter(|s| !g.is_operation_io(&s.id) || g.is_member_target(&s.id))
        .collect();
    v.sort_by_key(|s| stem(g, &s.id));
    v.dedup_by_key(|s| stem(g, &s.id));
    v
}

// ---------------------------------------------------------------- reading

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

/// Statements checking the constraints of `member` (merged over its target's) on `&x`.
pub fn checks(g: &Gen, m: &Member, x: &str) -> String {
    checks_of(g, m, x, false)
}

/// Checks of a map key, which is held as a `String` even when the model makes it an enum.
pub fn key_checks(g: &Gen, m: &Member, x: &str) -> String {
    checks_of(g, m, x, true)
}

fn checks_of(g: &Gen, m: &Member, x: &str, key: bool) -> String {
    let x = &if x.chars().all(|c| c.is_alphanumeric() || c == '_') {
        x.to_string()
    } else {
        format!("({x})")
    };
    let t = g.shape(&m.target);
    let trait_of = |name: &str| m.get(name).or_else(|| t.get(name));
    let mut out = String::new();
    let shown_str = matches!(t.kind, Kind::String | Kind::Enum);
    if let Some(len) = trait_of("length") {
        let min = len
            .get("min")
            .and_then(|v| v.as_u64())
            .map_or("None".into(), |v| format!("Some({v})"));
        let max = len
            .get("max")
            .and_then(|v| v.as_u64())
            .map_or("None".into(), |v| format!("Some({v})"));
        let (n, shown) = match t.kind {
            Kind::String => (format!("{x}.chars().count()"), format!("Some({x}.as_str())")),
            Kind::Blob => (format!("{x}.as_ref().len()"), "None".into()),
            Kind::List | Kind::Map => (format!("{x}.len()"), "None".into()),
            _ => (String::new(), String::new()),
        };
        if !n.is_empty() {
            writeln!(out, "val.length({n}, {min}, {max}, {shown});").unwrap();
        }
    }
    if let Some(p) = trait_of("pattern").and_then(|p| p.as_str()) {
        if shown_str && t.kind == Kind::String {
            writeln!(
                out,
                "{{ static RE: ::std::sync::LazyLock<rt::regex::Regex> = ::std::sync::LazyLock::new(|| rt::regex::Regex::new({p}).expect(\"pattern checked by codegen\")); val.pattern({x}, &RE, {p}); }}",
                p = lit(p)
            )
            .unwrap();
        }
    }
    if let Some(r) = trait_of("range") {
        let num = matches!(
            t.kind,
            Kind::Byte | Kind::Short | Kind::Integer | Kind::Long | Kind::Float | Kind::Double | Kind::IntEnum
        );
        if num {
            let bound = |k: &str| match r.get(k) {
                Some(v) => format!("Some(({:?}, {}))", v.as_f64().unwrap_or(0.0), lit(&v.to_string())),
                None => "None".into(),
            };
            let as_f64 = if t.kind == Kind::Double { "" } else { " as f64" };
            writeln!(
                out,
                "val.range(*{x}{as_f64}, {}, {}, {x}.to_string());",
                bound("min"),
                bound("max")
            )
            .unwrap();
        }
    }
    if t.kind == Kind::Enum && key {
        writeln!(
            out,
            "if !{t}::VALUES.contains(&{x}.as_str()) {{ val.enum_value({x}, {t}::VALUES); }}",
            t = g.rust_type(&t.id)
        )
        .unwrap();
    } else if t.kind == Kind::Enum {
        writeln!(
            out,
            "if let {}::Unknown(s) = {x} {{ val.enum_value(s, {}::VALUES); }}",
            g.rust_type(&t.id),
            g.rust_type(&t.id)
        )
        .unwrap();
    }
    if t.kind == Kind::IntEnum {
        let vals: Vec<String> = t
            .members
            .iter()
            .filter_map(|m| m.get("enumValue"))
            .map(|v| v.to_string())
            .collect();
        writeln!(out, "val.int_enum(*{x}, &[{}]);", vals.join(", ")).unwrap();
    }
    if trait_of("uniqueItems").is_some() && t.kind == Kind::List {
        writeln!(out, "val.unique({x});").unwrap();
    }
    out
}

/// Reads a value of member `m` from JSON `v` with path segment `seg`; an expression of type
/// `DeResult<T>` where T is the member's (unwrapped) type, constraints checked.
pub fn read_member_value(g: &Gen, owner: &Shape, m: &Member, v: &str, seg: &str) -> String {
    let read = de_expr(g, Some(m), &m.target, v);
    let check = if g.shape(&m.target).kind == Kind::Enum {
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
    } else if m.has("required") {
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

/// `json_de.rs`: the readers that `callers` (the operation modules) reach.
pub fn json_de_rs(g: &Gen, callers: &str) -> String {
    let fns = aggregates(g)
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
            (format!("de_{}", stem(g, &s.id)), out)
        })
        .collect();
    module(
        "//! Readers of the model's aggregate shapes from restJson1 documents.\n\n",
        &[
            ("use smithy_server_runtime as rt;\n", ""),
            ("use rt::json_de::DeResult;\n", "DeResult<"),
            ("use rt::serde_json::Value;\n", "&Value"),
            ("use rt::validation::{PathSeg, Validator};\n", "PathSeg::"),
        ],
        &reachable(fns, callers, "de_"),
    )
}

/// A module of functions: its doc, each import whose marker the functions contain (an empty
/// marker: any function at all), the functions.
fn module(doc: &str, imports: &[(&str, &str)], fns: &str) -> String {
    let mut out = doc.to_string();
    for (line, marker) in imports {
        if !fns.is_empty() && fns.contains(marker) {
            out.push_str(line);
        }
    }
    out.push('\n');
    out.push_str(fns);
    out
}

/// The functions (name, text) that `callers` call, directly or through one another, in order.
fn reachable(fns: Vec<(String, String)>, callers: &str, prefix: &str) -> String {
    let mut used = called(callers, prefix);
    let mut todo: Vec<String> = used.iter().cloned().collect();
    while let Some(name) = todo.pop() {
        if let Some((_, text)) = fns.iter().find(|(n, _)| *n == name) {
            for callee in called(text, prefix) {
                if used.insert(callee.clone()) {
                    todo.push(callee);
                }
            }
        }
    }
    fns.into_iter()
        .filter(|(n, _)| used.contains(n))
        .map(|(_, text)| text)
        .collect()
}

/// The identifiers starting with `prefix` (at a word boundary) that `code` calls.
fn called(code: &str, prefix: &str) -> std::collections::BTreeSet<String> {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    code.match_indices(prefix)
        .filter(|(i, _)| !code[..*i].ends_with(|c: char| ident(c) || c == ':'))
        .filter_map(|(i, _)| {
            let name: String = code[i..].chars().take_while(|c| ident(*c)).collect();
            code[i + name.len()..].starts_with('(').then_some(name)
        })
        .collect()
}

// ---------------------------------------------------------------- writing

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

/// `json_ser.rs`: the writers that `callers` (the operation and error modules) reach.
pub fn json_ser_rs(g: &Gen, callers: &str) -> String {
    let fns = aggregates(g)
        .into_iter()
        .map(|s| {
            let mut out = String::new();
            ser_fn(g, s, &mut out);
            (format!("ser_{}", stem(g, &s.id)), out)
        })
        .collect();
    module(
        "//! Writers of the model's aggregate shapes as restJson1 documents.\n\n",
        &[
            ("use smithy_server_runtime as rt;\n", ""),
            ("use rt::json_ser::JsonWriter;\n", "JsonWriter)"),
        ],
        &reachable(fns, callers, "ser_"),
    )
}

pub fn indent(s: &str, pre: &str) -> String {
    s.lines()
        .map(|l| {
            if l.is_empty() {
                "\n".to_string()
            } else {
                format!("{pre}{l}\n")
            }
        })
        .collect()
}
