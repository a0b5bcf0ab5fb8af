//! Request tests: a case's HTTP request is routed to its operation and read into the input the
//! case expects.

use super::literal::{literal, member_literal};
use super::{header_pairs, subst_value, substitute};
use crate::gen::Gen;
use crate::ir::OperationIr;
use crate::names::{lit, snake};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::fmt::Write;

pub(super) fn request_expr(t: &Value, subs: &BTreeMap<String, String>) -> String {
    let r = if t.get("request").is_some() { &t["request"] } else { t };
    let method = r.get("method").and_then(Value::as_str).unwrap_or("GET");
    let uri = substitute(r.get("uri").and_then(Value::as_str).unwrap_or("/"), subs);
    let query: Vec<String> = r
        .get("queryParams")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(|q| lit(&substitute(q, subs)))
                .collect()
        })
        .unwrap_or_default();
    let headers = header_pairs(r, subs);
    let body = substitute(r.get("body").and_then(Value::as_str).unwrap_or(""), subs);
    format!(
        "request({}, {}, &[{}], &[{}], {}.as_bytes())",
        lit(method),
        lit(&uri),
        query.join(", "),
        headers.join(", "),
        lit(&body)
    )
}

pub(super) fn request_test(
    g: &Gen,
    op: &OperationIr,
    t: &Value,
    subs: &BTreeMap<String, String>,
) -> Result<String, String> {
    let m = &op.module;
    let params = subst_value(t.get("params").unwrap_or(&json!({})), subs);
    let mut out = format!("    let req = {};\n", request_expr(t, subs));
    writeln!(out, "    let (op, labels) = svc::route(req.method(), req.uri().path(), req.uri().query()).expect(\"the request routes\");").unwrap();
    writeln!(out, "    assert_eq!(op, svc::Operation::{});", op.variant).unwrap();
    let accepted =
        format!("svc::operation::{m}::deserialize_request(req, labels).await.expect(\"the request is accepted\");");
    let Some(s) = op.input else {
        // No input: acceptance is all there is to check.
        writeln!(out, "    {accepted}").unwrap();
        return Ok(out);
    };
    writeln!(out, "    let input = {accepted}").unwrap();
    let input = &s.id;
    let has_nan = params.to_string().contains("NaN");
    if has_nan {
        // NaN is never equal to itself: compare member by member.
        for mem in &s.members {
            let f = snake(&mem.name);
            match params.get(&mem.name) {
                Some(Value::String(x)) if x == "NaN" && g.is_optional(mem) => {
                    writeln!(out, "    assert!(input.{f}.expect(\"{f}\").is_nan());").unwrap()
                }
                Some(Value::String(x)) if x == "NaN" => writeln!(out, "    assert!(input.{f}.is_nan());").unwrap(),
                v => writeln!(out, "    assert_eq!(input.{f}, {});", member_literal(g, s, mem, v)?).unwrap(),
            }
        }
    } else if g.comparable(input) {
        writeln!(out, "    let expected = {};", literal(g, input, &params, false)?).unwrap();
        out.push_str("    assert_eq!(input, expected);\n");
    } else {
        // Streams cannot be compared directly: compare member by member.
        for mem in &s.members {
            let f = snake(&mem.name);
            let v = params.get(&mem.name).cloned().unwrap_or(Value::Null);
            if g.is_streaming_blob(&mem.target) {
                writeln!(
                    out,
                    "    assert_eq!(input.{f}.collect().await.expect(\"stream\").as_ref(), {}.as_bytes());",
                    lit(v.as_str().unwrap_or(""))
                )
                .unwrap();
            } else if g.is_event_stream(&mem.target) {
                return Err("event-stream request bodies are not supported".into());
            } else {
                writeln!(
                    out,
                    "    assert_eq!(input.{f}, {});",
                    member_literal(g, s, mem, params.get(&mem.name))?
                )
                .unwrap();
            }
        }
    }
    Ok(out)
}
