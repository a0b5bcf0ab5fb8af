//! Event-stream tests: which side of a case the server plays, and the tests reading the events a
//! client sends or writing the events the server sends.

use super::literal::{literal, member_literal};
use crate::gen::Gen;
use crate::ir::OperationIr;
use crate::names::{lit, snake};
use crate::template::fill;
use serde_json::Value;
use std::fmt::Write;

/// Which side of an event-stream case the server plays: reading what a client sends, or writing.
pub(super) fn event_stream_servable(t: &Value) -> bool {
    event_stream_direction(t).is_ok()
}

pub(super) enum Direction {
    Input,
    Output,
}

pub(super) fn event_stream_direction(t: &Value) -> Result<Direction, String> {
    let events = t.get("events").and_then(Value::as_array).cloned().unwrap_or_default();
    let requests = events.iter().all(|e| e["type"] == "request");
    let responses = events.iter().all(|e| e["type"] == "response");
    let initial_request = t.get("initialRequestParams").is_some() || t.get("initialRequest").is_some();
    let initial_response = t.get("initialResponseParams").is_some() || t.get("initialResponse").is_some();
    let reads = (!events.is_empty() && requests && !initial_response) || (events.is_empty() && initial_request);
    let writes = (events.is_empty() && initial_response && !initial_request)
        || (responses
            && !initial_request
            && events.iter().all(|e| e.get("params").is_some())
            && t.get("expectation").is_none());
    if reads {
        Ok(Direction::Input)
    } else if writes {
        Ok(Direction::Output)
    } else {
        Err("the case describes how a client reacts to a message a server never builds from params (no params, or an expected failure)".into())
    }
}

pub(super) fn event_stream_skip(t: &Value) -> String {
    event_stream_direction(t).err().unwrap_or_default()
}

pub(super) fn header_specs(e: &Value) -> String {
    let items: Vec<String> = e
        .get("headers")
        .and_then(Value::as_object)
        .map(|o| {
            o.iter()
                .filter_map(|(name, v)| {
                    let (ty, val) = v.as_object()?.iter().next()?;
                    let text = match val {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    Some(format!("({}, {}, {})", lit(name), lit(ty), lit(&text)))
                })
                .collect()
        })
        .unwrap_or_default();
    format!("&[{}]", items.join(", "))
}

pub(super) fn event_stream_test(g: &Gen, op: &OperationIr, t: &Value) -> Result<String, String> {
    match event_stream_direction(t)? {
        Direction::Input => event_stream_input_test(g, op, t),
        Direction::Output => event_stream_output_test(g, op, t),
    }
}

pub(super) fn event_stream_input_test(g: &Gen, op: &OperationIr, t: &Value) -> Result<String, String> {
    let in_shape = op.input.ok_or("the operation has no input")?;
    let stream = in_shape
        .members
        .iter()
        .find(|m| g.is_event_stream(&m.target))
        .ok_or("the input has no event stream")?;
    let uri = &op.uri;
    let events: Vec<Value> = t.get("events").and_then(Value::as_array).cloned().unwrap_or_default();
    let mut frames = Vec::new();
    for e in &events {
        let body = e.get("body").and_then(Value::as_str).unwrap_or("");
        frames.push(format!("event_frame({}, {}.as_bytes())", header_specs(e), lit(body)));
    }
    let initial = t.get("initialRequest");
    let method = initial
        .and_then(|r| r.get("method"))
        .and_then(Value::as_str)
        .unwrap_or("POST");
    let uri = initial
        .and_then(|r| r.get("uri"))
        .and_then(Value::as_str)
        .unwrap_or(uri)
        .to_string();
    let mut headers = vec!["(\"content-type\", \"application/vnd.amazon.eventstream\")".to_string()];
    if let Some(h) = initial.and_then(|r| r.get("headers")).and_then(Value::as_object) {
        headers.extend(
            h.iter()
                .map(|(k, v)| format!("({}, {})", lit(k), lit(v.as_str().unwrap_or("")))),
        );
    }
    let mut out = format!(
        "    let body: Vec<u8> = [{}].concat();\n",
        frames
            .iter()
            .map(|f| format!("{f}.as_slice()"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    if frames.is_empty() {
        out = "    let body: Vec<u8> = Vec::new();\n".into();
    }
    writeln!(
        out,
        "    let req = request({}, {}, &[], &[{}], &body);",
        lit(method),
        lit(&uri),
        headers.join(", ")
    )
    .unwrap();
    writeln!(out, "    let (_, labels) = svc::route(req.method(), req.uri().path(), req.uri().query()).expect(\"the request routes\");").unwrap();
    writeln!(
        out,
        "    let read = svc::operation::{}::deserialize_request(req, labels).await;",
        op.module
    )
    .unwrap();
    let stream_field = snake(&stream.name);
    if t.get("expectation").and_then(|x| x.get("failure")).is_some() {
        out.push_str(&fill(
            r#"
    if let Ok(input) = read {
        let events: Vec<_> = futures_util::StreamExt::collect(input.$field.into_inner()).await;
        assert!(events.iter().any(|e: &Result<_, rt::BoxError>| e.is_err()), "every event was accepted");
    }
"#,
            &[("field", &stream_field)],
        ));
        return Ok(out);
    }
    out.push_str("    let input = read.expect(\"the request is accepted\");\n");
    if let Some(params) = t.get("initialRequestParams").and_then(Value::as_object) {
        for (k, v) in params {
            let m = in_shape
                .members
                .iter()
                .find(|m| &m.name == k)
                .ok_or_else(|| format!("no member {k}"))?;
            writeln!(
                out,
                "    assert_eq!(input.{}, {});",
                snake(&m.name),
                member_literal(g, in_shape, m, Some(v))?
            )
            .unwrap();
        }
    }
    writeln!(
        out,
        "    let events: Vec<_> = futures_util::StreamExt::collect(input.{stream_field}.into_inner()).await;"
    )
    .unwrap();
    writeln!(out, "    assert_eq!(events.len(), {});", events.len()).unwrap();
    for (i, e) in events.iter().enumerate() {
        let expected = literal(g, &stream.target, &e["params"], false)?;
        writeln!(
            out,
            "    assert_eq!(events[{i}].as_ref().expect(\"event {i}\"), &{expected});"
        )
        .unwrap();
    }
    Ok(out)
}

pub(super) fn event_stream_output_test(g: &Gen, op: &OperationIr, t: &Value) -> Result<String, String> {
    let out_shape = op.output.ok_or("the operation has no output")?;
    let out_id = &out_shape.id;
    let stream = out_shape
        .members
        .iter()
        .find(|m| g.is_event_stream(&m.target))
        .ok_or("the output has no event stream")?;
    let mut events = Vec::new();
    let mut expected = Vec::new();
    for e in t["events"].as_array().into_iter().flatten() {
        events.push(format!("Ok({})", literal(g, &stream.target, &e["params"], false)?));
        let headers = header_specs(e);
        let body = e
            .get("body")
            .and_then(Value::as_str)
            .map_or("None".into(), |b| format!("Some({})", lit(b)));
        let media = e
            .get("bodyMediaType")
            .and_then(Value::as_str)
            .map_or("None".into(), |b| format!("Some({})", lit(b)));
        expected.push(format!(
            "ExpectedEvent {{ headers: {headers}, body: {body}, media: {media} }}"
        ));
    }
    let mut fields = Vec::new();
    for m in &out_shape.members {
        if m.name == stream.name {
            fields.push(format!(
                "{}: rt::event_stream::EventStream::new(futures_util::stream::iter(events))",
                snake(&m.name)
            ));
        } else {
            let v = t.get("initialResponseParams").and_then(|p| p.get(&m.name));
            fields.push(format!("{}: {}", snake(&m.name), member_literal(g, out_shape, m, v)?));
        }
    }
    let initial_headers: Vec<(String, String)> = t
        .get("initialResponse")
        .and_then(|r| r.get("headers"))
        .and_then(Value::as_object)
        .map(|o| {
            o.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string()))
                .collect()
        })
        .unwrap_or_default();
    let mut out = format!(
        "    let events: Vec<Result<_, rt::BoxError>> = vec![{}];
",
        events.join(", ")
    );
    writeln!(
        out,
        "    let output = {} {{ {} }};",
        g.rust_type(out_id),
        fields.join(", ")
    )
    .unwrap();
    writeln!(
        out,
        "    let resp = svc::operation::{}::serialize_response(output);",
        op.module
    )
    .unwrap();
    for (k, v) in &initial_headers {
        writeln!(
            out,
            "    assert_eq!(resp.headers().get({}).and_then(|v| v.to_str().ok()), Some({}));",
            lit(k),
            lit(v)
        )
        .unwrap();
    }
    writeln!(out, "    check_event_stream(resp, &[{}]).await;", expected.join(", ")).unwrap();
    Ok(out)
}
