//! Emits an operation's `deserialize_request`: reading the typed input from an HTTP request
//! (URI labels, query, headers, payload or JSON body), with the model's constraints checked.

use crate::emit_constraints::checks;
use crate::emit_json::{json_name, stem, ts_format};
use crate::emit_json_de::{absent, finish_struct, read_member_value};
use crate::gen::Gen;
use crate::ir::{Binding, OperationIr};
use crate::model::{Kind, Member, Shape};
use crate::names::{lit, snake_raw};
use crate::template::fill;
use std::fmt::Write;

/// An expression of type `Result<T, ValueError>` reading the text `raw` as shape `target` (labels,
/// query values, header values).
fn from_text(g: &Gen, m: &Member, target: &str, raw: &str, ts_default: &str, in_header: bool) -> String {
    let t = g.shape(target);
    let hv = "rt::http_values";
    match t.kind {
        Kind::String if in_header && t.has("mediaType") => format!("rt::json_de::string_from_base64({raw})"),
        Kind::String => format!("Ok::<_, {hv}::ValueError>({raw}.to_string())"),
        Kind::Enum => format!("Ok::<_, {hv}::ValueError>({}::from({raw}))", g.rust_type(target)),
        Kind::Boolean => format!("{hv}::parse_bool({raw})"),
        Kind::Byte => format!("{hv}::parse_i8({raw})"),
        Kind::Short => format!("{hv}::parse_i16({raw})"),
        Kind::Integer | Kind::IntEnum => format!("{hv}::parse_i32({raw})"),
        Kind::Long => format!("{hv}::parse_i64({raw})"),
        Kind::Float => format!("{hv}::parse_f32({raw})"),
        Kind::Double => format!("{hv}::parse_f64({raw})"),
        Kind::Timestamp => format!(
            "{hv}::parse_timestamp({raw}, {})",
            ts_format(g, Some(m), target, ts_default)
        ),
        Kind::Blob => format!("rt::json_de::blob_from_base64({raw})"),
        Kind::BigInteger | Kind::BigDecimal => format!(
            "{raw}.parse::<{}>().map_err(|_| {hv}::ValueError(format!(\"invalid number {{}}\", {raw})))",
            g.rust_type(target)
        ),
        _ => format!(
            "Err::<{}, _>({hv}::ValueError(\"unsupported binding\".into()))",
            g.rust_type(target)
        ),
    }
}

/// A block reading text value(s) for member `m` into its type, with constraints checked.
/// For lists, `raws` is an expression of type `Vec<String>`; otherwise `raw` is a `&str`.
fn text_member(g: &Gen, m: &Member, src: &str, ts_default: &str, in_header: bool) -> String {
    let t = g.shape(&m.target);
    let seg = format!("PathSeg::Member({})", lit(&m.name));
    if t.kind == Kind::List {
        let item = &t.members[0];
        let parse = from_text(g, item, &item.target, "raw.as_str()", ts_default, in_header);
        let item_checks = bind_checks(&checks(g, item, "xr"), "xr", "x");
        let push = if t.has("sparse") {
            "out.push(Some(x));"
        } else {
            "out.push(x);"
        };
        fill(
            r#"
{
    val.enter($seg);
    let mut out = ::std::vec::Vec::new();
    for (i, raw) in $src.iter().enumerate() {
        val.enter(PathSeg::Index(i));
        let x = $parse?;
$item_checks        val.leave();
        $push
    }
$checks    val.leave();
    out
}"#,
            &[
                ("seg", &seg),
                ("src", src),
                ("parse", &parse),
                ("item_checks", &item_checks),
                ("push", push),
                ("checks", &bind_checks(&checks(g, m, "xr"), "xr", "out")),
            ],
        )
    } else {
        let parse = from_text(g, m, &m.target, src, ts_default, in_header);
        fill(
            r#"
{
    val.enter($seg);
    let x = $parse?;
$checks    val.leave();
    x
}"#,
            &[
                ("seg", &seg),
                ("parse", &parse),
                ("checks", &bind_checks(&checks(g, m, "xr"), "xr", "x")),
            ],
        )
    }
}

/// Checks on `name`, preceded by `let name = &value;` when there are any.
fn bind_checks(checks: &str, name: &str, value: &str) -> String {
    if checks.is_empty() {
        String::new()
    } else {
        format!("let {name} = &{value};\n{checks}")
    }
}

pub fn deserializer(g: &Gen, op: &OperationIr, out: &mut String) {
    let binds = &op.input_bindings;
    let labels_param = if binds.iter().any(|(_, b)| matches!(b, Binding::Label(_))) {
        "labels"
    } else {
        "_labels"
    };
    let accept = if g.cfg.lenient_content_type {
        String::new()
    } else {
        format!(
            "rt::media_type::check_accept(&parts.headers, {})?;\n",
            lit(&op.response_content_type)
        )
    };
    let read = match op.input {
        Some(s) => read_input(g, op, s),
        None => "Ok(())\n".to_string(),
    };
    // The validator is declared only for an input, `invalid` mutable only where a JSON reader sets it.
    let validator = match op.input {
        Some(_) if op.reads_json => VALIDATOR.replace("let invalid", "let mut invalid"),
        Some(_) => VALIDATOR.to_string(),
        None => String::new(),
    };
    out.push_str(&fill(
        r#"
/// Reads the operation's input from a request; `labels` are the raw label values the router matched.
pub async fn deserialize_request<B>(req: rt::http::Request<B>, $labels: ::std::vec::Vec<::std::string::String>) -> ::std::result::Result<$input, Rejection>
where
    B: rt::http_body::Body<Data = rt::bytes::Bytes> + Send + 'static,
    B::Error: Into<rt::BoxError>,
{
    let (parts, body) = req.into_parts();
$validator$body$accept$read}

"#,
        &[
            ("labels", labels_param),
            ("input", &op.input_type),
            ("validator", &validator),
            ("body", &read_body(g, op)),
            ("accept", &accept),
            ("read", &read),
        ],
    ));
}

const VALIDATOR: &str = "let mut validator = Validator::new();\nlet val = &mut validator;\nlet invalid = false;\n";

/// Statements taking the request body: a stream handed to the streaming member as it is, or the
/// whole body collected, its content type checked and its content encoding decoded (the decoding
/// may reject the request even when no member reads the body).
fn read_body(g: &Gen, op: &OperationIr) -> String {
    let expected = op
        .request_content_type
        .as_ref()
        .map_or("None".into(), |m| format!("Some({})", lit(m)));
    let stream = op
        .input_bindings
        .iter()
        .find(|(m, b)| *b == Binding::Payload && is_stream(g, m));
    if let Some((m, _)) = stream {
        let take = if g.is_event_stream(&m.target) {
            format!("rt::event_stream::from_body(body, unmarshall_{})", stem(g, &m.target))
        } else {
            "rt::body::ByteStream::from_body(body)".to_string()
        };
        return fill(
            r#"
rt::media_type::check_content_type(&parts.headers, $expected, 0, false)?;
let f_$name = $take;
"#,
            &[("expected", &expected), ("name", &snake_raw(&m.name)), ("take", &take)],
        );
    }
    let uses_bytes = op
        .input_bindings
        .iter()
        .any(|(m, b)| *b == Binding::Body || (*b == Binding::Payload && !is_stream(g, m)));
    let (limit, operation) = match g.cfg.request_limits.iter().find(|(name, _)| *name == op.name) {
        Some((name, bytes)) => (bytes.to_string(), format!("Some({})", lit(name))),
        None => ("rt::body::REQUEST_LIMIT".to_string(), "None".to_string()),
    };
    fill(
        r#"
let bytes = match rt::body::collect(body, $limit).await {
    Ok(b) => b,
    Err(Ok(_)) => return Err(Rejection::TooLarge { limit: $limit, operation: $operation }),
    Err(Err(e)) => return Err(Rejection::Body(e.to_string())),
};
rt::media_type::check_content_type(&parts.headers, $expected, bytes.len(), $strict)?;
${bind}rt::body::decode_content_encoding(&parts.headers, bytes, rt::body::REQUEST_LIMIT).map_err(Rejection::Serialization)?;
"#,
        &[
            ("expected", &expected),
            ("strict", &(!g.cfg.lenient_content_type).to_string()),
            ("bind", if uses_bytes { "let bytes = " } else { "" }),
            ("limit", &limit),
            ("operation", &operation),
        ],
    )
}

fn is_stream(g: &Gen, m: &Member) -> bool {
    g.is_streaming_blob(&m.target) || g.is_event_stream(&m.target)
}

/// Statements reading every member of input `s` into `f_<member>` locals, then the input value.
fn read_input(g: &Gen, op: &OperationIr, s: &Shape) -> String {
    let binds = &op.input_bindings;
    let mut out = String::new();
    if binds
        .iter()
        .any(|(_, b)| matches!(b, Binding::Query(_) | Binding::QueryParams))
    {
        out.push_str("let query = rt::http_values::parse_query(parts.uri.query().unwrap_or(\"\"))?;\n");
    }
    if binds.iter().any(|(_, b)| *b == Binding::Body) {
        out.push_str("let doc = rt::json_de::parse_body(&bytes)?;\nlet obj = rt::json_de::object(&doc)?;\n");
    }
    for (m, b) in binds {
        if let Some(code) = read_member(g, s, m, b) {
            writeln!(out, "let f_{} = {code};", snake_raw(&m.name)).unwrap();
        }
    }
    out.push_str("let invalid = invalid || !val.is_valid();\n");
    out.push_str(&finish_struct(
        g,
        s,
        &op.input_type,
        "Rejection::Validation(::std::mem::take(&mut val.violations))",
    ));
    out
}

/// An expression reading member `m` of input `s` from where `b` binds it (`None` for a stream,
/// which the body itself provides).
fn read_member(g: &Gen, s: &Shape, m: &Member, b: &Binding) -> Option<String> {
    let t = g.shape(&m.target);
    let absent = absent(g, m);
    let seg = format!("PathSeg::Member({})", lit(&m.name));
    let code = match b {
        Binding::Label(i) => fill(
            r#"
{
    let raw = rt::http_values::percent_decode($label.map(::std::string::String::as_str).unwrap_or(""))?;
    let raw = raw.as_str();
    Some($value)
}"#,
            &[
                (
                    "label",
                    &if *i == 0 {
                        "labels.first()".to_string()
                    } else {
                        format!("labels.get({i})")
                    },
                ),
                ("value", &text_member(g, m, "raw", "date-time", false)),
            ],
        ),
        Binding::Query(q) if t.kind == Kind::List => fill(
            r#"
{
    let raws: ::std::vec::Vec<&::std::string::String> = query.iter().filter(|(k, _)| k == $q).map(|(_, v)| v).collect();
    if raws.is_empty() { $absent } else { Some($value) }
}"#,
            &[
                ("q", &lit(q)),
                ("absent", &absent),
                ("value", &text_member(g, m, "raws", "date-time", false)),
            ],
        ),
        Binding::Query(q) => fill(
            r#"
match query.iter().find(|(k, _)| k == $q) {
    Some((_, raw)) => { let raw = raw.as_str(); Some($value) }
    None => $absent,
}"#,
            &[
                ("q", &lit(q)),
                ("absent", &absent),
                ("value", &text_member(g, m, "raw", "date-time", false)),
            ],
        ),
        Binding::QueryParams => {
            let insert = if g.shape(&t.members[1].target).kind == Kind::List {
                "m.entry(k.clone()).or_insert_with(::std::vec::Vec::new).push(v.clone());"
            } else {
                "m.entry(k.clone()).or_insert_with(|| v.clone());"
            };
            fill(
                r#"
{
    let mut m = ::std::collections::HashMap::new();
    for (k, v) in &query {
        $insert
    }
    val.enter($seg);
$checks    val.leave();
    if m.is_empty() { $absent } else { Some(m) }
}"#,
                &[
                    ("insert", insert),
                    ("seg", &seg),
                    ("checks", &bind_checks(&checks(g, m, "mr"), "mr", "m")),
                    ("absent", &absent),
                ],
            )
        }
        Binding::Header(h) if t.kind == Kind::List => {
            let item = g.shape(&t.members[0].target);
            let http_date = item.kind == Kind::Timestamp
                && ts_format(g, Some(&t.members[0]), &item.id, "http-date").ends_with("HttpDate");
            fill(
                r#"
match rt::headers::value(&parts.headers, $h)? {
    Some(joined) => { let raws = rt::http_values::$split(&joined)?; Some($value) }
    None => $absent,
}"#,
                &[
                    ("h", &lit(h)),
                    (
                        "split",
                        if http_date {
                            "split_http_date_list"
                        } else {
                            "split_header_list"
                        },
                    ),
                    ("value", &text_member(g, m, "raws", "http-date", true)),
                    ("absent", &absent),
                ],
            )
        }
        Binding::Header(h) => fill(
            r#"
match rt::headers::value(&parts.headers, $h)? {
    Some(raw) => { let raw = raw.trim(); Some($value) }
    None => $absent,
}"#,
            &[
                ("h", &lit(h)),
                ("value", &text_member(g, m, "raw", "http-date", true)),
                ("absent", &absent),
            ],
        ),
        Binding::PrefixHeaders(p) => fill(
            r#"
{
    let m = rt::headers::prefixed(&parts.headers, $p)?;
    if m.is_empty() { $absent } else { Some(m) }
}"#,
            &[("p", &lit(p)), ("absent", &absent)],
        ),
        Binding::Payload if is_stream(g, m) => return None,
        Binding::Payload if t.kind == Kind::Blob => fill(
            "if bytes.is_empty() { $absent } else { Some(rt::aws_smithy_types::Blob::new(bytes.to_vec())) }",
            &[("absent", &absent)],
        ),
        Binding::Payload if matches!(t.kind, Kind::String | Kind::Enum) => fill(
            r#"
if bytes.is_empty() { $absent } else {
    let s = ::std::str::from_utf8(&bytes).map_err(|_| Rejection::Serialization("the payload is not UTF-8 text".into()))?;
    Some($value)
}"#,
            &[
                ("absent", &absent),
                (
                    "value",
                    &if t.kind == Kind::Enum {
                        format!("{}::from(s)", g.rust_type(&m.target))
                    } else {
                        "s.to_string()".into()
                    },
                ),
            ],
        ),
        Binding::Payload => fill(
            r#"
match rt::json_de::parse_optional_body(&bytes)? {
    Some(v) if !v.as_object().is_some_and(|o| o.is_empty()) => rt::json_de::keep($read, &mut invalid)?,
    _ => $absent,
}"#,
            &[("read", &read_member_value(g, s, m, "&v", &seg)), ("absent", &absent)],
        ),
        Binding::Body => fill(
            r#"
match obj.get($k) {
    Some(v) if !v.is_null() => rt::json_de::keep($read, &mut invalid)?,
    _ => $absent,
}"#,
            &[
                ("k", &lit(&json_name(m))),
                ("read", &read_member_value(g, s, m, "v", &seg)),
                ("absent", &absent),
            ],
        ),
        Binding::ResponseCode => "None".into(),
    };
    Some(code)
}
