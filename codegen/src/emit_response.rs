//! Emits an operation's `serialize_response` and `serialize_error`: writing the output (status,
//! header-bound members, payload or JSON body) and the errors as HTTP responses.

use crate::emit_json::{indent, stem, ts_format};
use crate::emit_json_ser::{ser_members, ser_stmt};
use crate::gen::Gen;
use crate::ir::{body_media_type, output_binding, Binding, OperationIr};
use crate::model::{Kind, Member, Shape};
use crate::names::{lit, snake};
use crate::template::fill;

/// An expression of type `&str` for the header text of `v` (a reference) of shape `target`.
fn text_ref(g: &Gen, m: &Member, target: &str, v: &str) -> String {
    match g.shape(target).kind {
        Kind::Enum => format!("{v}.as_str()"),
        _ => format!("&{}", to_text(g, m, target, v)),
    }
}

/// An expression of type `String` writing `v` (a reference) of shape `target` as header text.
fn to_text(g: &Gen, m: &Member, target: &str, v: &str) -> String {
    let t = g.shape(target);
    let hv = "rt::http_values";
    match t.kind {
        Kind::String if t.has("mediaType") => format!("rt::json_ser::base64_encode({v}.as_bytes())"),
        Kind::String => format!("{v}.to_string()"),
        Kind::Enum => format!("{v}.as_str().to_string()"),
        Kind::Float => format!("{hv}::format_f32(*{v})"),
        Kind::Double => format!("{hv}::format_f64(*{v})"),
        Kind::Timestamp => format!(
            "{hv}::format_timestamp({v}, {})",
            ts_format(g, Some(m), target, "http-date")
        ),
        Kind::Blob => format!("rt::json_ser::base64_encode({v}.as_ref())"),
        Kind::BigInteger | Kind::BigDecimal => format!("{v}.as_ref().to_string()"),
        _ => format!("{v}.to_string()"),
    }
}

/// Statements writing the header-bound members of `x` (of shape `s`) into `headers`.
pub fn header_stmts(g: &Gen, s: &Shape, x: &str) -> String {
    // Prefix headers do not overwrite the headers members are bound to.
    let bound: Vec<String> = s
        .members
        .iter()
        .filter_map(|m| m.get("httpHeader").and_then(|v| v.as_str()))
        .map(|h| lit(&h.to_ascii_lowercase()))
        .collect();
    let mut out = String::new();
    for m in &s.members {
        let write = if let Some(h) = m.get("httpHeader").and_then(|v| v.as_str()) {
            header_insert(g, m, h)
        } else if let Some(p) = m.get("httpPrefixHeaders").and_then(|v| v.as_str()) {
            fill(
                r#"
for (k, val) in v {
    rt::headers::insert_unless_bound(&mut headers, &format!("{}{}", $p, k), val, &[$bound]);
}
"#,
                &[("p", &lit(p)), ("bound", &bound.join(", "))],
            )
        } else {
            continue;
        };
        let template = if g.is_optional(m) {
            r#"
if let Some(v) = &$x.$f {
$write}
"#
        } else {
            r#"
{
    let v = &$x.$f;
$write}
"#
        };
        out.push_str(&fill(
            template,
            &[("x", x), ("f", &snake(&m.name)), ("write", &indent(&write, "    "))],
        ));
    }
    out
}

/// The statement inserting member `m` (a reference `v`) as header `h`: a list joined with commas
/// (its strings quoted where needed), skipped when empty.
fn header_insert(g: &Gen, m: &Member, h: &str) -> String {
    let t = g.shape(&m.target);
    if t.kind != Kind::List {
        // The block is kept so the generated output stays as it was.
        return fill(
            r#"
{
    rt::headers::insert(&mut headers, $h, $text);
}
"#,
            &[("h", &lit(h)), ("text", &text_ref(g, m, &m.target, "v"))],
        );
    }
    let item = &t.members[0];
    let one = if matches!(g.shape(&item.target).kind, Kind::String | Kind::Enum) {
        format!(
            "rt::http_values::quote_header_list_item({}).into_owned()",
            text_ref(g, item, &item.target, "i")
        )
    } else {
        to_text(g, item, &item.target, "i")
    };
    fill(
        r#"
if !v.is_empty() {
    rt::headers::insert(&mut headers, $h, &v.iter().map(|i| $one).collect::<::std::vec::Vec<_>>().join(", "));
}
"#,
        &[("h", &lit(h)), ("one", &one)],
    )
}

pub fn serializer(g: &Gen, op: &OperationIr, out: &mut String) {
    let code = op.code;
    let param = match op.output {
        Some(o) if !o.members.is_empty() => "out",
        Some(_) => "_out",
        None => "_",
    };
    // The status is the operation's, unless a member carries it.
    let status = match op
        .output
        .and_then(|s| s.members.iter().find(|m| m.has("httpResponseCode")))
    {
        Some(m) if g.is_optional(m) => format!("out.{}.map_or({code}, |c| c as u16)", snake(&m.name)),
        Some(m) => format!("out.{} as u16", snake(&m.name)),
        None => code.to_string(),
    };
    let write = match op.output {
        Some(s) => format!("{}let body = {};\n", header_stmts(g, s, "out"), body(g, s)),
        None => String::new(),
    };
    out.push_str(&fill(
        r#"
/// Writes the operation's output as a response.
pub fn serialize_response($param: $output) -> rt::http::Response<rt::body::Body> {
    let status: u16 = $status;
    let ${headers_mut}headers = rt::http::HeaderMap::new();
$write    rt::headers::response(status, headers, $body)
}

"#,
        &[
            ("param", param),
            ("output", &op.output_type),
            ("status", &status),
            ("headers_mut", if op.output.is_some() { "mut " } else { "" }),
            ("write", &write),
            (
                "body",
                if op.output.is_some() {
                    "body"
                } else {
                    "rt::body::empty()"
                },
            ),
        ],
    ));
}

/// An expression for the response body of output `s`: its payload member, or a JSON object of its
/// body members (even an empty one; a 204 has no body).
fn body(g: &Gen, s: &Shape) -> String {
    let Some(p) = s.members.iter().find(|m| m.has("httpPayload")) else {
        return fill(
            r#"
if status == 204 { rt::body::empty() } else {
    rt::headers::default_content_type(&mut headers, "application/json");
    let mut writer = rt::json_ser::JsonWriter::new(); let w = &mut writer;
    w.begin_object();
$members    w.end_object();
    rt::body::full(writer.finish())
}"#,
            &[(
                "members",
                &ser_members(g, s, "out", &|m: &Member| output_binding(m) == Binding::Body),
            )],
        );
    };
    let f = snake(&p.name);
    let ct = format!(
        "rt::headers::default_content_type(&mut headers, {});",
        lit(&body_media_type(g, Some(s)).unwrap_or_default())
    );
    if g.is_streaming_blob(&p.target) {
        return format!("{{ {ct} out.{f}.into_body() }}");
    }
    if g.is_event_stream(&p.target) {
        return format!(
            "{{ {ct} rt::event_stream::into_body(out.{f}, marshall_{}) }}",
            stem(g, &p.target)
        );
    }
    let make = match g.shape(&p.target).kind {
        Kind::Blob => "rt::body::full(rt::bytes::Bytes::copy_from_slice(v.as_ref()))".to_string(),
        Kind::String => "rt::body::full(v.clone())".into(),
        Kind::Enum => "rt::body::full(v.as_str().to_string())".into(),
        _ => format!(
            "let mut writer = rt::json_ser::JsonWriter::new(); let w = &mut writer;\n{}\nrt::body::full(writer.finish())",
            ser_stmt(g, Some(p), &p.target, "v")
        ),
    };
    let template = if g.is_optional(p) {
        r#"
match &out.$f {
    Some(v) => {
        $ct
        $make
    }
    None => rt::body::empty(),
}"#
    } else {
        r#"
{
    let v = &out.$f;
    {
        $ct
        $make
    }
}"#
    };
    fill(template, &[("f", &f), ("ct", &ct), ("make", &make)])
}

pub fn error_serializer(g: &Gen, op: &OperationIr, out: &mut String) {
    let root = g.root();
    let ty = &op.error_type;
    // Every service has at least `ServiceError::Validation` to write.
    let write = format!("{root}::error_bindings::serialize(err.into())");
    out.push_str(&fill(
        r#"
/// Writes one of the operation's errors as a response.
pub fn serialize_error(err: $root::error::$ty) -> rt::http::Response<rt::body::Body> {
    $write
}

"#,
        &[("root", &root), ("ty", ty), ("write", &write)],
    ));
}
