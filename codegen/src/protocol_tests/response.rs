//! Response tests: an operation's output or error, built from the case's params, is written as the
//! response the case expects.

use super::literal::literal;
use crate::gen::Gen;
use crate::ir::OperationIr;
use crate::model::Shape;
use crate::names::lit;
use serde_json::{json, Value};
use std::fmt::Write;

pub(super) fn response_checks(t: &Value) -> String {
    let code = t.get("code").and_then(Value::as_u64).unwrap_or(200);
    let headers: Vec<String> = t
        .get("headers")
        .and_then(Value::as_object)
        .map(|o| {
            o.iter()
                .map(|(k, v)| format!("({}, {})", lit(k), lit(v.as_str().unwrap_or(""))))
                .collect()
        })
        .unwrap_or_default();
    let body = t
        .get("body")
        .and_then(Value::as_str)
        .map_or("None".into(), |b| format!("Some({})", lit(b)));
    let media = t
        .get("bodyMediaType")
        .and_then(Value::as_str)
        .map_or("None".into(), |b| format!("Some({})", lit(b)));
    format!(
        "    check_response(resp, {code}, &[{}], {body}, {media}).await;\n",
        headers.join(", ")
    )
}

pub(super) fn response_test(g: &Gen, op: &OperationIr, t: &Value) -> Result<String, String> {
    let m = &op.module;
    let params = t.get("params").cloned().unwrap_or(json!({}));
    let mut out = String::new();
    match op.output {
        Some(o) => writeln!(out, "    let output = {};", literal(g, &o.id, &params, false)?).unwrap(),
        None => out.push_str("    let output = ();\n"),
    }
    writeln!(out, "    let resp = svc::operation::{m}::serialize_response(output);").unwrap();
    out.push_str(&response_checks(t));
    Ok(out)
}

pub(super) fn error_response_test(g: &Gen, op: &OperationIr, shape: &Shape, t: &Value) -> Result<String, String> {
    let m = &op.module;
    let params = t.get("params").cloned().unwrap_or(json!({}));
    let mut out = String::new();
    writeln!(
        out,
        "    let error = svc::error::{}::{}({});",
        op.error_type,
        g.type_ident(&shape.id),
        literal(g, &shape.id, &params, false)?
    )
    .unwrap();
    writeln!(out, "    let resp = svc::operation::{m}::serialize_error(error);").unwrap();
    out.push_str(&response_checks(t));
    Ok(out)
}
