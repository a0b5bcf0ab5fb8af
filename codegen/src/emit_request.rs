//! Emits an operation's `deserialize_request`: reading the typed input from an HTTP request
//! (URI labels, query, headers, payload or JSON body), with the model's constraints checked.

use crate::emit_json::{absent, checks, finish_struct, indent, json_name, read_member_value, stem, ts_format};
use crate::gen::Gen;
use crate::ir::{Binding, OperationIr};
use crate::model::{Kind, Member};
use crate::names::{lit, snake_raw};
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
        format!(
            "{{\n    val.enter({seg});\n    let mut out = ::std::vec::Vec::new();\n    for (i, raw) in {src}.iter().enumerate() {{\n        val.enter(PathSeg::Index(i));\n        let x = {parse}?;\n{}        val.leave();\n        {push}\n    }}\n{}    val.leave();\n    out\n}}",
            indent(&item_checks, "        "),
            indent(&bind_checks(&checks(g, m, "xr"), "xr", "out"), "    ")
        )
    } else {
        let parse = from_text(g, m, &m.target, src, ts_default, in_header);
        format!(
            "{{\n    val.enter({seg});\n    let x = {parse}?;\n{}    val.leave();\n    x\n}}",
            indent(&bind_checks(&checks(g, m, "xr"), "xr", "x"), "    ")
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
    let input = op.input;
    let in_type = &op.input_type;
    let strict = !g.cfg.lenient_content_type;
    let expected = op
        .request_content_type
        .as_ref()
        .map_or("None".into(), |m| format!("Some({})", lit(m)));
    let produced = &op.response_content_type;
    out.push_str(
        "/// Reads the operation's input from a request; `labels` are the raw label values the router matched.\n",
    );
    let binds = &op.input_bindings;
    let labels_param = if binds.iter().any(|(_, b)| matches!(b, Binding::Label(_))) {
        "labels"
    } else {
        "_labels"
    };
    writeln!(out, "pub async fn deserialize_request<B>(req: rt::http::Request<B>, {labels_param}: ::std::vec::Vec<::std::string::String>) -> ::std::result::Result<{in_type}, Rejection>").unwrap();
    out.push_str("where\n    B: rt::http_body::Body<Data = rt::bytes::Bytes> + Send + 'static,\n    B::Error: Into<rt::BoxError>,\n{\n");
    out.push_str("    let (parts, body) = req.into_parts();\n");
    // The validator and `invalid` are declared once the members show whether they are needed.
    let head = out.len();
    let streaming = input.and_then(|s| {
        s.members
            .iter()
            .find(|m| m.has("httpPayload") && (g.is_streaming_blob(&m.target) || g.is_event_stream(&m.target)))
    });
    if let Some(m) = streaming {
        writeln!(
            out,
            "    rt::media_type::check_content_type(&parts.headers, {expected}, 0, false)?;"
        )
        .unwrap();
        if g.is_event_stream(&m.target) {
            writeln!(
                out,
                "    let f_{} = rt::event_stream::from_body(body, unmarshall_{});",
                snake_raw(&m.name),
                stem(g, &m.target)
            )
            .unwrap();
        } else {
            writeln!(
                out,
                "    let f_{} = rt::body::ByteStream::from_body(body);",
                snake_raw(&m.name)
            )
            .unwrap();
        }
    } else {
        out.push_str("    let bytes = match rt::body::collect(body, rt::body::REQUEST_LIMIT).await {\n        Ok(b) => b,\n        Err(Ok(_)) => return Err(Rejection::TooLarge(rt::body::REQUEST_LIMIT)),\n        Err(Err(e)) => return Err(Rejection::Body(e.to_string())),\n    };\n");
        writeln!(
            out,
            "    rt::media_type::check_content_type(&parts.headers, {expected}, bytes.len(), {strict})?;"
        )
        .unwrap();
        // The body is decoded (and may be rejected) even when no member reads it.
        let uses_bytes = binds.iter().any(|(m, b)| {
            *b == Binding::Body
                || (*b == Binding::Payload && !g.is_streaming_blob(&m.target) && !g.is_event_stream(&m.target))
        });
        let bind = if uses_bytes { "let bytes = " } else { "" };
        writeln!(out, "    {bind}rt::body::decode_content_encoding(&parts.headers, bytes, rt::body::REQUEST_LIMIT).map_err(Rejection::Serialization)?;").unwrap();
    }
    if strict {
        writeln!(
            out,
            "    rt::media_type::check_accept(&parts.headers, {})?;",
            lit(produced)
        )
        .unwrap();
    }
    let Some(s) = input else {
        out.push_str("    Ok(())\n}\n\n");
        return;
    };
    if binds
        .iter()
        .any(|(_, b)| matches!(b, Binding::Query(_) | Binding::QueryParams))
    {
        out.push_str("    let query = rt::http_values::parse_query(parts.uri.query().unwrap_or(\"\"))?;\n");
    }
    if binds.iter().any(|(_, b)| *b == Binding::Body) {
        out.push_str("    let doc = rt::json_de::parse_body(&bytes)?;\n    let obj = rt::json_de::object(&doc)?;\n");
    }
    for (m, b) in binds {
        let n = snake_raw(&m.name);
        let t = g.shape(&m.target);
        let code = match b {
            Binding::Label(i) => format!(
                "{{\n    let raw = rt::http_values::percent_decode({label}.map(::std::string::String::as_str).unwrap_or(\"\"))?;\n    let raw = raw.as_str();\n    Some({})\n}}",
                text_member(g, m, "raw", "date-time", false),
                label = if *i == 0 { "labels.first()".to_string() } else { format!("labels.get({i})") }
            ),
            Binding::Query(q) => {
                if t.kind == Kind::List {
                    format!(
                        "{{\n    let raws: ::std::vec::Vec<&::std::string::String> = query.iter().filter(|(k, _)| k == {q}).map(|(_, v)| v).collect();\n    if raws.is_empty() {{ {a} }} else {{ Some({}) }}\n}}",
                        text_member(g, m, "raws", "date-time", false),
                        q = lit(q),
                        a = absent(g, m)
                    )
                } else {
                    format!(
                        "match query.iter().find(|(k, _)| k == {q}) {{\n    Some((_, raw)) => {{ let raw = raw.as_str(); Some({}) }}\n    None => {a},\n}}",
                        text_member(g, m, "raw", "date-time", false),
                        q = lit(q),
                        a = absent(g, m)
                    )
                }
            }
            Binding::QueryParams => {
                let value = g.shape(&t.members[1].target);
                let insert = if value.kind == Kind::List {
                    "m.entry(k.clone()).or_insert_with(::std::vec::Vec::new).push(v.clone());"
                } else {
                    "m.entry(k.clone()).or_insert_with(|| v.clone());"
                };
                format!(
                    "{{\n    let mut m = ::std::collections::HashMap::new();\n    for (k, v) in &query {{\n        {insert}\n    }}\n    val.enter(PathSeg::Member({}));\n{}    val.leave();\n    if m.is_empty() {{ {} }} else {{ Some(m) }}\n}}",
                    lit(&m.name),
                    indent(&bind_checks(&checks(g, m, "mr"), "mr", "m"), "    "),
                    absent(g, m)
                )
            }
            Binding::Header(h) => {
                if t.kind == Kind::List {
                    let item = g.shape(&t.members[0].target);
                    let http_date = item.kind == Kind::Timestamp
                        && ts_format(g, Some(&t.members[0]), &item.id, "http-date").ends_with("HttpDate");
                    let split = if http_date { "split_http_date_list" } else { "split_header_list" };
                    format!(
                        "match rt::headers::value(&parts.headers, {h})? {{\n    Some(joined) => {{ let raws = rt::http_values::{split}(&joined)?; Some({}) }}\n    None => {a},\n}}",
                        text_member(g, m, "raws", "http-date", true),
                        h = lit(h),
                        a = absent(g, m)
                    )
                } else {
                    format!(
                        "match rt::headers::value(&parts.headers, {h})? {{\n    Some(raw) => {{ let raw = raw.trim(); Some({}) }}\n    None => {a},\n}}",
                        text_member(g, m, "raw", "http-date", true),
                        h = lit(h),
                        a = absent(g, m)
                    )
                }
            }
            Binding::PrefixHeaders(p) => format!(
                "{{\n    let m = rt::headers::prefixed(&parts.headers, {})?;\n    if m.is_empty() {{ {} }} else {{ Some(m) }}\n}}",
                lit(p),
                absent(g, m)
            ),
            Binding::Payload => match t.kind {
                _ if g.is_streaming_blob(&m.target) || g.is_event_stream(&m.target) => continue,
                Kind::Blob => format!(
                    "if bytes.is_empty() {{ {} }} else {{ Some(rt::aws_smithy_types::Blob::new(bytes.to_vec())) }}",
                    absent(g, m)
                ),
                Kind::String | Kind::Enum => format!(
                    "if bytes.is_empty() {{ {} }} else {{\n    let s = ::std::str::from_utf8(&bytes).map_err(|_| Rejection::Serialization(\"the payload is not UTF-8 text\".into()))?;\n    Some({})\n}}",
                    absent(g, m),
                    if t.kind == Kind::Enum { format!("{}::from(s)", g.rust_type(&m.target)) } else { "s.to_string()".into() }
                ),
                _ => format!(
                    "match rt::json_de::parse_optional_body(&bytes)? {{\n    Some(v) if !v.as_object().is_some_and(|o| o.is_empty()) => rt::json_de::keep({}, &mut invalid)?,\n    _ => {},\n}}",
                    read_member_value(g, s, m, "&v", &format!("PathSeg::Member({})", lit(&m.name))),
                    absent(g, m)
                ),
            },
            Binding::Body => format!(
                "match obj.get({k}) {{\n    Some(v) if !v.is_null() => rt::json_de::keep({r}, &mut invalid)?,\n    _ => {a},\n}}",
                k = lit(&json_name(m)),
                r = read_member_value(g, s, m, "v", &format!("PathSeg::Member({})", lit(&m.name))),
                a = absent(g, m)
            ),
            Binding::ResponseCode => "None".into(),
        };
        writeln!(out, "    let f_{n} = {};", indent(&code, "    ").trim_start()).unwrap();
    }
    let invalid_mut = if out[head..].contains("&mut invalid") {
        "mut "
    } else {
        ""
    };
    out.insert_str(
        head,
        &format!("    let mut validator = Validator::new();\n    let val = &mut validator;\n    let {invalid_mut}invalid = false;\n"),
    );
    out.push_str("    let invalid = invalid || !val.is_valid();\n");
    let finish = finish_struct(
        g,
        s,
        in_type,
        "Rejection::Validation(::std::mem::take(&mut val.violations))",
    );
    out.push_str(&indent(&finish, "    "));
    out.push_str("}\n\n");
}
