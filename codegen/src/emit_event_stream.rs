//! Emits the event-stream functions of an operation: `marshall_<union>` writing each event of an
//! output stream as a message, `unmarshall_<union>` reading each message of an input stream.

use crate::emit_json::{indent, json_name, stem};
use crate::emit_json_de::{absent, finish_struct, read_member_value};
use crate::emit_json_ser::{ser_members, ser_stmt};
use crate::gen::Gen;
use crate::model::{Kind, Member};
use crate::names::{lit, snake, snake_raw};
use crate::template::fill;
use std::fmt::Write;

/// For an event-stream output: the function building each event's message.
pub fn marshaller(g: &Gen, union_id: &str, file: &mut String) {
    let u = g.shape(union_id);
    let ty = format!("{}::model::{}", g.root(), g.type_ident(union_id));
    // The arms of the match, one per event.
    let mut out = String::new();
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
    let uses = if out.contains("HeaderValue::") {
        "{Header, HeaderValue}"
    } else {
        "Header"
    };
    file.push_str(&fill(
        r#"
fn marshall_$stem(e: &$ty) -> rt::aws_smithy_types::event_stream::Message {
    use rt::aws_smithy_types::event_stream::$uses;
    match e {
$arms        $ty::Unknown => rt::event_stream::event("Unknown", None, rt::bytes::Bytes::new(), vec![]),
    }
}

"#,
        &[
            ("stem", &stem(g, union_id)),
            ("ty", &ty),
            ("uses", uses),
            ("arms", &out),
        ],
    ));
}

/// For an event-stream input: the function reading each message into an event. Messages that are
/// not events (exceptions, errors), lack `:message-type` or `:event-type`, or do not fit the event's
/// shape end the stream with an error.
pub fn unmarshaller(g: &Gen, union_id: &str, file: &mut String) {
    let u = g.shape(union_id);
    let ty = format!("{}::model::{}", g.root(), g.type_ident(union_id));
    // The arms of the match, one per event type.
    let mut out = String::new();
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
                fill(
                    r#"
match header(m, $h) {
    Some(v) => match v {
        $conv
        _ => return Err(format!("header {} has the wrong type", $h).into()),
    },
    None => $absent,
}"#,
                    &[("h", &lit(&f.name)), ("conv", &conv), ("absent", &absent(g, f))],
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
                fill(
                    r#"
match obj.get($k) {
    Some(v) if !v.is_null() => rt::json_de::keep($read, &mut invalid).map_err(de)?,
    _ => $absent,
}"#,
                    &[
                        ("k", &lit(&json_name(f))),
                        (
                            "read",
                            &read_member_value(g, ev, f, "v", &format!("PathSeg::Member({})", lit(&f.name))),
                        ),
                        ("absent", &absent(g, f)),
                    ],
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
    file.push_str(&fill(
        r#"
fn unmarshall_$stem(m: &rt::aws_smithy_types::event_stream::Message) -> ::std::result::Result<$ty, rt::BoxError> {
    use rt::aws_smithy_types::event_stream::HeaderValue;
    use rt::event_stream::header;
    match header(m, ":message-type") {
        Some(HeaderValue::String(t)) if t.as_str() == "event" => {}
        Some(HeaderValue::String(t)) => return Err(format!("the client sent a message of type {}", t.as_str()).into()),
        Some(_) => return Err(":message-type is not a string".into()),
        None => return Err("the message has no :message-type".into()),
    }
    let event_type = match header(m, ":event-type") {
        Some(HeaderValue::String(t)) => t.as_str(),
        Some(_) => return Err(":event-type is not a string".into()),
        None => return Err("the event has no :event-type".into()),
    };
    let mut validator = Validator::new();
    let val = &mut validator;
    let de = |e: rt::json_de::DeError| -> rt::BoxError { format!("{e:?}").into() };
    match event_type {
$arms        _ => Ok(Default::default()),
    }
}

"#,
        &[("stem", &stem(g, union_id)), ("ty", &ty), ("arms", &out)],
    ));
}
