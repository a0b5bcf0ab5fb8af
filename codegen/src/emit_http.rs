//! Emits `operation/<name>.rs` for each operation: reading the typed input from an HTTP request
//! (labels, query, headers, payload or JSON body), and writing the output and errors as HTTP
//! responses, following the operation's `@http` bindings.

use crate::emit_json::{
    absent, checks, finish_struct, indent, json_name, read_member_value, ser_members, ser_stmt, stem, ts_format,
};
use crate::gen::Gen;
use crate::ir::{body_media_type, output_binding, Binding, OperationIr};
use crate::model::{short, Kind, Member, Shape};
use crate::names::{lit, snake, snake_raw};
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

fn deserializer(g: &Gen, op: &OperationIr, out: &mut String) {
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

fn header_stmts(g: &Gen, s: &Shape, x: &str) -> String {
    let mut out = String::new();
    let bound: Vec<String> = s
        .members
        .iter()
        .filter_map(|m| m.get("httpHeader").and_then(|v| v.as_str()))
        .map(|h| lit(&h.to_ascii_lowercase()))
        .collect();
    for m in &s.members {
        let f = snake(&m.name);
        let t = g.shape(&m.target);
        let (get, close) = if g.is_optional(m) {
            (format!("if let Some(v) = &{x}.{f} {{\n"), "}\n")
        } else {
            (format!("{{\n    let v = &{x}.{f};\n"), "}\n")
        };
        if let Some(h) = m.get("httpHeader").and_then(|v| v.as_str()) {
            let text = if t.kind == Kind::List {
                let item = &t.members[0];
                let it = g.shape(&item.target);
                let quote = matches!(it.kind, Kind::String | Kind::Enum);
                let one = if quote {
                    format!(
                        "rt::http_values::quote_header_list_item({}).into_owned()",
                        text_ref(g, item, &item.target, "i")
                    )
                } else {
                    to_text(g, item, &item.target, "i")
                };
                format!("&v.iter().map(|i| {one}).collect::<::std::vec::Vec<_>>().join(\", \")")
            } else {
                text_ref(g, m, &m.target, "v")
            };
            let skip_empty = if t.kind == Kind::List { "if !v.is_empty() " } else { "" };
            write!(
                out,
                "{get}    {skip_empty}{{ rt::headers::insert(&mut headers, {}, {text}); }}\n{close}",
                lit(h)
            )
            .unwrap();
        } else if let Some(p) = m.get("httpPrefixHeaders").and_then(|v| v.as_str()) {
            write!(out, "{get}    for (k, val) in v {{ rt::headers::insert_unless_bound(&mut headers, &format!(\"{{}}{{}}\", {}, k), val, &[{}]); }}\n{close}", lit(p), bound.join(", ")).unwrap();
        }
    }
    out
}

fn serializer(g: &Gen, op: &OperationIr, out: &mut String) {
    let code = op.code;
    let out_type = &op.output_type;
    out.push_str("/// Writes the operation's output as a response.\n");
    let param = match op.output {
        Some(o) if !o.members.is_empty() => "out",
        Some(_) => "_out",
        None => "_",
    };
    writeln!(
        out,
        "pub fn serialize_response({param}: {out_type}) -> rt::http::Response<rt::body::Body> {{"
    )
    .unwrap();
    let output = op.output;
    // The status is the operation's, unless a member carries it.
    let status = match output.and_then(|s| s.members.iter().find(|m| m.has("httpResponseCode"))) {
        Some(m) if g.is_optional(m) => format!("out.{}.map_or({code}, |c| c as u16)", snake(&m.name)),
        Some(m) => format!("out.{} as u16", snake(&m.name)),
        None => code.to_string(),
    };
    let headers_mut = if output.is_some() { "mut " } else { "" };
    writeln!(
        out,
        "    let status: u16 = {status};\n    let {headers_mut}headers = rt::http::HeaderMap::new();"
    )
    .unwrap();
    let Some(s) = output else {
        out.push_str("    rt::headers::response(status, headers, rt::body::empty())\n}\n\n");
        return;
    };
    out.push_str(&indent(&header_stmts(g, s, "out"), "    "));
    let media = body_media_type(g, Some(s));
    if let Some(p) = s.members.iter().find(|m| m.has("httpPayload")) {
        let f = snake(&p.name);
        let t = g.shape(&p.target);
        let media = media.unwrap_or_default();
        let ct = format!("rt::headers::default_content_type(&mut headers, {});", lit(&media));
        let body = if g.is_streaming_blob(&p.target) {
            format!("{{ {ct} out.{f}.into_body() }}")
        } else if g.is_event_stream(&p.target) {
            format!(
                "{{ {ct} rt::event_stream::into_body(out.{f}, marshall_{}) }}",
                stem(g, &p.target)
            )
        } else {
            let (get, none) = if g.is_optional(p) {
                (
                    format!("match &out.{f} {{\n        Some(v) => {{\n"),
                    "        }\n        None => rt::body::empty(),\n    }",
                )
            } else {
                (
                    format!("{{\n        let v = &out.{f};\n        {{\n"),
                    "        }\n    }",
                )
            };
            let make = match t.kind {
                Kind::Blob => format!("            {ct}\n            rt::body::full(rt::bytes::Bytes::copy_from_slice(v.as_ref()))\n"),
                Kind::String => format!("            {ct}\n            rt::body::full(v.clone())\n"),
                Kind::Enum => format!("            {ct}\n            rt::body::full(v.as_str().to_string())\n"),
                _ => format!(
                    "            {ct}\n            let mut writer = rt::json_ser::JsonWriter::new(); let w = &mut writer;\n            {}\n            rt::body::full(writer.finish())\n",
                    ser_stmt(g, Some(p), &p.target, "v")
                ),
            };
            format!("{get}{make}{none}")
        };
        writeln!(out, "    let body = {body};").unwrap();
    } else {
        // Outputs without a payload answer a JSON object, even an empty one; 204 has no body.
        writeln!(
            out,
            "    let body = if status == 204 {{ rt::body::empty() }} else {{\n    rt::headers::default_content_type(&mut headers, \"application/json\");\n    let mut writer = rt::json_ser::JsonWriter::new(); let w = &mut writer;\n    w.begin_object();\n{}    w.end_object();\n    rt::body::full(writer.finish())\n    }};",
            indent(&ser_members(g, s, "out", &|m: &Member| output_binding(m) == Binding::Body), "    ")
        )
        .unwrap();
    }
    let _ = media;
    out.push_str("    rt::headers::response(status, headers, body)\n}\n\n");
}

fn error_serializer(g: &Gen, op: &OperationIr, out: &mut String) {
    let root = g.root();
    out.push_str("/// Writes one of the operation's errors as a response.\n");
    let ty = &op.error_type;
    // A service without error shapes has no error to write: `Unmodelled` holds an empty enum.
    let write = if crate::emit_types::service_errors(g).is_empty() {
        format!("let {root}::error::{ty}::Unmodelled(e) = err;\n    match e {{}}")
    } else {
        format!("{root}::error_bindings::serialize(err.into())")
    };
    writeln!(
        out,
        "pub fn serialize_error(err: {root}::error::{ty}) -> rt::http::Response<rt::body::Body> {{\n    {write}\n}}\n"
    )
    .unwrap();
}

/// `error_bindings.rs`: how every error shape of the service is written as a response.
pub fn error_bindings_rs(g: &Gen) -> String {
    let root = g.root();
    let mut out = format!(
        "//! The HTTP bindings of the service's error shapes: status, `X-Amzn-ErrorType`, header-bound\n//! members and the JSON body.\n\nuse smithy_server_runtime as rt;\n\n/// Writes any error of the service as a response.\npub fn serialize(err: {root}::error::ServiceError) -> rt::http::Response<rt::body::Body> {{\n    match err {{\n"
    );
    let all = crate::emit_types::service_errors(g);
    for e in &all {
        let e = e.clone();
        let s = g.shape(&e);
        let client = s.get("error").and_then(|v| v.as_str()) == Some("client");
        let status = s
            .get("httpError")
            .and_then(|v| v.as_u64())
            .unwrap_or(if client { 400 } else { 500 });
        // With a `Type` field in error bodies, a modelled `Type` member supplies its value instead
        // of being written a second time.
        let type_member = s
            .members
            .iter()
            .find(|m| g.cfg.error_type_field && json_name(m) == "Type" && output_binding(m) == Binding::Body);
        let fault = format!("rt::rejection::fault_type({client})");
        let type_value = match type_member {
            Some(m) if g.is_optional(m) => format!("e.{}.as_deref().unwrap_or({fault})", snake(&m.name)),
            Some(m) => format!("e.{}.as_str()", snake(&m.name)),
            None => fault,
        };
        let body = ser_members(g, s, "e", &|m: &Member| {
            output_binding(m) == Binding::Body && type_member.is_none_or(|t| t.name != m.name)
        });
        let hdrs = indent(
            &header_stmts(g, s, "e").replace("&mut headers", "headers"),
            "            ",
        );
        let w = if body.is_empty() { "_" } else { "w" };
        let respond = format!(
            "rt::rejection::error_response({status}, {code}, &{root}::service::PROTOCOL, {type_value}, |{w}| {{\n{body}            }})",
            code = lit(short(&e)),
            body = indent(&body, "                "),
        );
        let binding = if format!("{type_value}{body}{hdrs}").contains("e.") {
            "e"
        } else {
            "_"
        };
        let v = g.type_ident(&e);
        if hdrs.is_empty() {
            writeln!(out, "        {root}::error::ServiceError::{v}({binding}) => {respond},").unwrap();
        } else {
            writeln!(
                out,
                "        {root}::error::ServiceError::{v}({binding}) => {{\n            let mut resp = {respond};\n            let headers = resp.headers_mut();\n{hdrs}            resp\n        }}"
            )
            .unwrap();
        }
    }
    out.push_str("    }\n}\n");
    with_imports(out, &[("use {root}::json_ser::*;\n", "ser_")], &root)
}

/// The file with each `use` line inserted whose module the code calls into (a function name
/// starting with the given prefix; an empty prefix always), after `use smithy_server_runtime as rt;`.
pub fn with_imports(code: String, imports: &[(&str, &str)], root: &str) -> String {
    let lines: String = imports
        .iter()
        .filter(|(_, prefix)| prefix.is_empty() || calls_prefixed(&code, prefix))
        .map(|(line, _)| line.replace("{root}", root))
        .collect();
    code.replacen(
        "use smithy_server_runtime as rt;\n",
        &format!("use smithy_server_runtime as rt;\n{lines}"),
        1,
    )
}

/// Whether `code` names an identifier starting with `prefix` (at a word boundary).
pub fn calls_prefixed(code: &str, prefix: &str) -> bool {
    code.match_indices(prefix)
        .any(|(i, _)| !code[..i].ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_' || c == ':'))
}

/// For an event-stream output: the function building each event's message.
fn marshaller(g: &Gen, union_id: &str, out: &mut String) {
    let u = g.shape(union_id);
    let ty = format!("{}::model::{}", g.root(), g.type_ident(union_id));
    writeln!(
        out,
        "fn marshall_{}(e: &{ty}) -> rt::aws_smithy_types::event_stream::Message {{",
        stem(g, union_id)
    )
    .unwrap();
    let head = out.len();
    out.push_str("    match e {\n");
    for m in &u.members {
        let var = crate::emit_types::variant(&m.name);
        let ev = g.shape(&m.target);
        let hs_mut = if ev.members.iter().any(|x| x.has("eventHeader")) {
            "mut "
        } else {
            ""
        };
        let mut b = format!("let {hs_mut}hs: ::std::vec::Vec<Header> = ::std::vec::Vec::new();\n");
        for hm in ev.members.iter().filter(|x| x.has("eventHeader")) {
            let f = snake(&hm.name);
            let (get, close) = if g.is_optional(hm) {
                (format!("if let Some(v) = &x.{f} {{ "), " }")
            } else {
                (format!("{{ let v = &x.{f}; "), " }")
            };
            let hv = match g.shape(&hm.target).kind {
                Kind::Boolean => "HeaderValue::Bool(*v)".to_string(),
                Kind::Byte => "HeaderValue::Byte(*v)".into(),
                Kind::Short => "HeaderValue::Int16(*v)".into(),
                Kind::Integer => "HeaderValue::Int32(*v)".into(),
                Kind::Long => "HeaderValue::Int64(*v)".into(),
                Kind::Blob => "HeaderValue::ByteArray(rt::bytes::Bytes::copy_from_slice(v.as_ref()))".into(),
                Kind::Timestamp => "HeaderValue::Timestamp(*v)".into(),
                Kind::Enum => "HeaderValue::String(v.as_str().to_string().into())".into(),
                _ => "HeaderValue::String(v.to_string().into())".into(),
            };
            writeln!(b, "{get}hs.push(Header::new({}, {hv}));{close}", lit(&hm.name)).unwrap();
        }
        let payload = ev.members.iter().find(|x| x.has("eventPayload"));
        match payload {
            Some(p) => {
                let f = snake(&p.name);
                let pt = g.shape(&p.target);
                let (ct, bytes) = match pt.kind {
                    Kind::Blob => ("application/octet-stream", "rt::bytes::Bytes::copy_from_slice(v.as_ref())".to_string()),
                    Kind::String => ("text/plain", "rt::bytes::Bytes::from(v.clone())".into()),
                    _ => ("application/json", format!("{{ let mut writer = rt::json_ser::JsonWriter::new(); let w = &mut writer; {} rt::bytes::Bytes::from(writer.finish()) }}", ser_stmt(g, Some(p), &p.target, "v"))),
                };
                if g.is_optional(p) {
                    writeln!(
                        b,
                        "let payload = match &x.{f} {{ Some(v) => {bytes}, None => rt::bytes::Bytes::new() }};"
                    )
                    .unwrap();
                } else {
                    writeln!(b, "let payload = {{ let v = &x.{f}; {bytes} }};").unwrap();
                }
                writeln!(
                    b,
                    "rt::event_stream::event({}, Some({}), payload, hs)",
                    lit(&m.name),
                    lit(ct)
                )
                .unwrap();
            }
            None if ev.has("error") => {
                let body = ser_members(g, ev, "x", &|_| true);
                writeln!(b, "let _ = hs;\nlet mut writer = rt::json_ser::JsonWriter::new(); let w = &mut writer;\nw.begin_object();\n{body}w.end_object();\nrt::event_stream::exception({}, rt::bytes::Bytes::from(writer.finish()))", lit(&m.name)).unwrap();
            }
            None if ev.members.iter().all(|mm| mm.has("eventHeader")) => {
                writeln!(
                    b,
                    "rt::event_stream::event({}, None, rt::bytes::Bytes::new(), hs)",
                    lit(&m.name)
                )
                .unwrap();
            }
            None => {
                let body = ser_members(g, ev, "x", &|mm: &Member| !mm.has("eventHeader"));
                writeln!(b, "let mut writer = rt::json_ser::JsonWriter::new(); let w = &mut writer;\nw.begin_object();\n{body}w.end_object();\nrt::event_stream::event({}, Some(\"application/json\"), rt::bytes::Bytes::from(writer.finish()), hs)", lit(&m.name)).unwrap();
            }
        }
        if m.target == "smithy.api#Unit" {
            writeln!(
                out,
                "        {ty}::{var} => rt::event_stream::event({}, None, rt::bytes::Bytes::new(), vec![]),",
                lit(&m.name)
            )
            .unwrap();
        } else {
            writeln!(
                out,
                "        {ty}::{var}(x) => {{\n{}        }}",
                indent(&b, "            ")
            )
            .unwrap();
        }
    }
    writeln!(out, "        {ty}::Unknown => rt::event_stream::event(\"Unknown\", None, rt::bytes::Bytes::new(), vec![]),\n    }}\n}}\n").unwrap();
    let uses = if out[head..].contains("HeaderValue::") {
        "{Header, HeaderValue}"
    } else {
        "Header"
    };
    out.insert_str(head, &format!("    use rt::aws_smithy_types::event_stream::{uses};\n"));
}

/// For an event-stream input: the function reading each message into an event. Messages that are
/// not events (exceptions, errors), lack `:message-type` or `:event-type`, or do not fit the event's
/// shape end the stream with an error.
fn unmarshaller(g: &Gen, union_id: &str, out: &mut String) {
    let u = g.shape(union_id);
    let ty = format!("{}::model::{}", g.root(), g.type_ident(union_id));
    writeln!(out, "fn unmarshall_{}(m: &rt::aws_smithy_types::event_stream::Message) -> ::std::result::Result<{ty}, rt::BoxError> {{", stem(g, union_id)).unwrap();
    out.push_str(
        "    use rt::aws_smithy_types::event_stream::HeaderValue;
    use rt::event_stream::header;
",
    );
    out.push_str("    match header(m, \":message-type\") {
        Some(HeaderValue::String(t)) if t.as_str() == \"event\" => {}
        Some(HeaderValue::String(t)) => return Err(format!(\"the client sent a message of type {}\", t.as_str()).into()),
        Some(_) => return Err(\":message-type is not a string\".into()),
        None => return Err(\"the message has no :message-type\".into()),
    }
");
    out.push_str(
        "    let event_type = match header(m, \":event-type\") {
        Some(HeaderValue::String(t)) => t.as_str(),
        Some(_) => return Err(\":event-type is not a string\".into()),
        None => return Err(\"the event has no :event-type\".into()),
    };
",
    );
    out.push_str(
        "    let mut validator = Validator::new();
    let val = &mut validator;
    let de = |e: rt::json_de::DeError| -> rt::BoxError { format!(\"{e:?}\").into() };
    match event_type {
",
    );
    for m in &u.members {
        let var = crate::emit_types::variant(&m.name);
        let ev = g.shape(&m.target);
        if m.target == "smithy.api#Unit" {
            writeln!(out, "        {} => Ok({ty}::{var}),", lit(&m.name)).unwrap();
            continue;
        }
        if ev.has("error") {
            writeln!(
                out,
                "        {} => Err(\"error events are sent by servers, not clients\".into()),",
                lit(&m.name)
            )
            .unwrap();
            continue;
        }
        let mut b = String::new();
        let implicit: Vec<&Member> = ev
            .members
            .iter()
            .filter(|x| !x.has("eventHeader") && !x.has("eventPayload"))
            .collect();
        if !implicit.is_empty() {
            b.push_str("let doc = rt::json_de::parse_body(m.payload()).map_err(de)?;\nlet obj = rt::json_de::object(&doc).map_err(de)?;\n");
        }
        for f in &ev.members {
            let n = snake_raw(&f.name);
            let code = if f.has("eventHeader") {
                let conv = match g.shape(&f.target).kind {
                    Kind::Boolean => "HeaderValue::Bool(v) => Some(*v),".to_string(),
                    Kind::Byte => "HeaderValue::Byte(v) => Some(*v),".into(),
                    Kind::Short => "HeaderValue::Int16(v) => Some(*v),".into(),
                    Kind::Integer | Kind::IntEnum => "HeaderValue::Int32(v) => Some(*v),".into(),
                    Kind::Long => "HeaderValue::Int64(v) => Some(*v),".into(),
                    Kind::Blob => {
                        "HeaderValue::ByteArray(v) => Some(rt::aws_smithy_types::Blob::new(v.to_vec())),".into()
                    }
                    Kind::Timestamp => "HeaderValue::Timestamp(v) => Some(*v),".into(),
                    Kind::Enum => format!(
                        "HeaderValue::String(v) => Some({}::from(v.as_str())),",
                        g.rust_type(&f.target)
                    ),
                    _ => "HeaderValue::String(v) => Some(v.as_str().to_string()),".into(),
                };
                format!(
                    "match header(m, {h}) {{\n    Some(v) => match v {{\n        {conv}\n        _ => return Err(format!(\"header {{}} has the wrong type\", {h}).into()),\n    }},\n    None => {a},\n}}",
                    h = lit(&f.name),
                    a = absent(g, f)
                )
            } else if f.has("eventPayload") {
                match g.shape(&f.target).kind {
                    Kind::Blob => "Some(rt::aws_smithy_types::Blob::new(m.payload().to_vec()))".to_string(),
                    Kind::String => "Some(::std::string::String::from_utf8(m.payload().to_vec()).map_err(|_| \"the payload is not UTF-8\")?)".into(),
                    _ => format!(
                        "{{ let v = rt::json_de::parse_body(m.payload()).map_err(de)?; rt::json_de::keep({}, &mut invalid).map_err(de)? }}",
                        read_member_value(g, ev, f, "&v", &format!("PathSeg::Member({})", lit(&f.name)))
                    ),
                }
            } else {
                format!(
                    "match obj.get({k}) {{\n    Some(v) if !v.is_null() => rt::json_de::keep({r}, &mut invalid).map_err(de)?,\n    _ => {a},\n}}",
                    k = lit(&json_name(f)),
                    r = read_member_value(g, ev, f, "v", &format!("PathSeg::Member({})", lit(&f.name))),
                    a = absent(g, f)
                )
            };
            writeln!(b, "let f_{n} = {code};").unwrap();
        }
        let invalid_mut = if b.contains("&mut invalid") { "mut " } else { "" };
        b.insert_str(0, &format!("let {invalid_mut}invalid = false;\n"));
        b.push_str("let invalid = invalid || !val.is_valid();\n");
        let build = finish_struct(
            g,
            ev,
            &g.rust_type(&m.target),
            "\"the event does not satisfy its shape's constraints\".into()",
        );
        b.push_str(
            &build
                .replace(
                    &format!("Ok({} {{", g.rust_type(&m.target)),
                    &format!("Ok({ty}::{var}({} {{", g.rust_type(&m.target)),
                )
                .replace(" })\n", " }))\n"),
        );
        writeln!(
            out,
            "        {} => {{\n{}        }}",
            lit(&m.name),
            indent(&b, "            ")
        )
        .unwrap();
    }
    out.push_str("        _ => Ok(Default::default()),\n    }\n}\n\n");
}

pub fn operation_rs(g: &Gen, op: &OperationIr) -> String {
    let mut out = fill(
        r#"
//! HTTP bindings of the `$name` operation: `$method $uri` (success: $code).

use smithy_server_runtime as rt;
use rt::rejection::Rejection;

/// The operation's HTTP method.
pub const METHOD: &str = $method_lit;
/// The operation's URI pattern.
pub const URI: &str = $uri_lit;

"#,
        &[
            ("name", &op.name),
            ("method", &op.method),
            ("uri", &op.uri),
            ("code", &op.code.to_string()),
            ("method_lit", &lit(&op.method)),
            ("uri_lit", &lit(&op.uri)),
        ],
    );
    deserializer(g, op, &mut out);
    serializer(g, op, &mut out);
    error_serializer(g, op, &mut out);
    if let Some(s) = op.input {
        for m in s.members.iter().filter(|m| g.is_event_stream(&m.target)) {
            unmarshaller(g, &m.target, &mut out);
        }
    }
    if let Some(s) = op.output {
        for m in s.members.iter().filter(|m| g.is_event_stream(&m.target)) {
            marshaller(g, &m.target, &mut out);
        }
    }
    let validation = match (calls_prefixed(&out, "PathSeg"), calls_prefixed(&out, "Validator")) {
        (true, true) => "use rt::validation::{PathSeg, Validator};\n",
        (true, false) => "use rt::validation::PathSeg;\n",
        (false, true) => "use rt::validation::Validator;\n",
        (false, false) => "",
    };
    with_imports(
        out,
        &[
            (validation, ""),
            ("use {root}::json_de::*;\n", "de_"),
            ("use {root}::json_ser::*;\n", "ser_"),
        ],
        &g.root(),
    )
}
