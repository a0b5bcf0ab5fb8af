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
    let arms: String = u.members.iter().map(|m| marshaller_arm(g, &ty, m)).collect();
    // `HeaderValue` is named only by events with header-bound members.
    let any_headers = u
        .members
        .iter()
        .any(|m| m.target != "smithy.api#Unit" && has_event_headers(g, m));
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
            ("uses", if any_headers { "{Header, HeaderValue}" } else { "Header" }),
            ("arms", &arms),
        ],
    ));
}

/// Whether the event of union member `m` has header-bound members.
fn has_event_headers(g: &Gen, m: &Member) -> bool {
    g.shape(&m.target).members.iter().any(|x| x.has("eventHeader"))
}

/// The match arm writing the event of union member `m` as a message.
fn marshaller_arm(g: &Gen, ty: &str, m: &Member) -> String {
    let var = crate::emit_types::variant(&m.name);
    let name = lit(&m.name);
    if m.target == "smithy.api#Unit" {
        return fill(
            r#"
        $ty::$var => rt::event_stream::event($name, None, rt::bytes::Bytes::new(), vec![]),
"#,
            &[("ty", ty), ("var", &var), ("name", &name)],
        );
    }
    let ev = g.shape(&m.target);
    let headers: String = ev
        .members
        .iter()
        .filter(|x| x.has("eventHeader"))
        .map(|hm| header_push(g, hm))
        .collect();
    let write = match ev.members.iter().find(|x| x.has("eventPayload")) {
        Some(p) => explicit_payload(g, p, &name),
        None if ev.has("error") => fill(
            r#"
let _ = hs;
let mut writer = rt::json_ser::JsonWriter::new(); let w = &mut writer;
w.begin_object();
${body}w.end_object();
rt::event_stream::exception($name, rt::bytes::Bytes::from(writer.finish()))
"#,
            &[("body", &ser_members(g, ev, "x", &|_| true)), ("name", &name)],
        ),
        None if ev.members.iter().all(|mm| mm.has("eventHeader")) => fill(
            r#"
rt::event_stream::event($name, None, rt::bytes::Bytes::new(), hs)
"#,
            &[("name", &name)],
        ),
        None => fill(
            r#"
let mut writer = rt::json_ser::JsonWriter::new(); let w = &mut writer;
w.begin_object();
${body}w.end_object();
rt::event_stream::event($name, Some("application/json"), rt::bytes::Bytes::from(writer.finish()), hs)
"#,
            &[
                ("body", &ser_members(g, ev, "x", &|mm: &Member| !mm.has("eventHeader"))),
                ("name", &name),
            ],
        ),
    };
    let body = fill(
        r#"
let ${hs_mut}hs: ::std::vec::Vec<Header> = ::std::vec::Vec::new();
$headers$write"#,
        &[
            ("hs_mut", if headers.is_empty() { "" } else { "mut " }),
            ("headers", &headers),
            ("write", &write),
        ],
    );
    fill(
        r#"
        $ty::$var(x) => {
$body        }
"#,
        &[("ty", ty), ("var", &var), ("body", &indent(&body, "            "))],
    )
}

/// The statement adding header-bound event member `hm` (when present) to the headers `hs`.
fn header_push(g: &Gen, hm: &Member) -> String {
    let value = match g.shape(&hm.target).kind {
        Kind::Boolean => "HeaderValue::Bool(*v)",
        Kind::Byte => "HeaderValue::Byte(*v)",
        Kind::Short => "HeaderValue::Int16(*v)",
        Kind::Integer => "HeaderValue::Int32(*v)",
        Kind::Long => "HeaderValue::Int64(*v)",
        Kind::Blob => "HeaderValue::ByteArray(rt::bytes::Bytes::copy_from_slice(v.as_ref()))",
        Kind::Timestamp => "HeaderValue::Timestamp(*v)",
        Kind::Enum => "HeaderValue::String(v.as_str().to_string().into())",
        _ => "HeaderValue::String(v.to_string().into())",
    };
    let template = if g.is_optional(hm) {
        r#"
if let Some(v) = &x.$f {
    hs.push(Header::new($h, $value));
}
"#
    } else {
        r#"
{
    let v = &x.$f;
    hs.push(Header::new($h, $value));
}
"#
    };
    fill(
        template,
        &[("f", &snake(&hm.name)), ("h", &lit(&hm.name)), ("value", value)],
    )
}

/// The statements writing event member `p` as the message payload, then the message.
fn explicit_payload(g: &Gen, p: &Member, name: &str) -> String {
    let (ct, bytes) = match g.shape(&p.target).kind {
        Kind::Blob => (
            "application/octet-stream",
            "rt::bytes::Bytes::copy_from_slice(v.as_ref())".to_string(),
        ),
        Kind::String => ("text/plain", "rt::bytes::Bytes::from(v.clone())".into()),
        _ => (
            "application/json",
            fill(
                r#"
{
    let mut writer = rt::json_ser::JsonWriter::new();
    let w = &mut writer;
    $write
    rt::bytes::Bytes::from(writer.finish())
}"#,
                &[("write", &ser_stmt(g, Some(p), &p.target, "v"))],
            ),
        ),
    };
    let template = if g.is_optional(p) {
        r#"
let payload = match &x.$f {
    Some(v) => $bytes,
    None => rt::bytes::Bytes::new(),
};
rt::event_stream::event($name, Some($ct), payload, hs)
"#
    } else {
        r#"
let payload = {
    let v = &x.$f;
    $bytes
};
rt::event_stream::event($name, Some($ct), payload, hs)
"#
    };
    fill(
        template,
        &[
            ("f", &snake(&p.name)),
            ("bytes", &bytes),
            ("name", name),
            ("ct", &lit(ct)),
        ],
    )
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
        // `invalid` is set by the JSON readers: of implicit members and of a structured payload.
        let reads_json = ev.members.iter().any(|f| {
            !f.has("eventHeader")
                && (!f.has("eventPayload") || !matches!(g.shape(&f.target).kind, Kind::Blob | Kind::String))
        });
        let invalid_mut = if reads_json { "mut " } else { "" };
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
