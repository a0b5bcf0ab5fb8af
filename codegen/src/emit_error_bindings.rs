//! Emits `error_bindings.rs`: how every error shape of a service is written as a response (status,
//! `X-Amzn-ErrorType`, header-bound members and the JSON body).

use crate::emit_json::{indent, json_name, ser_members};
use crate::emit_response::header_stmts;
use crate::gen::Gen;
use crate::imports::with_imports;
use crate::ir::{output_binding, Binding};
use crate::model::{short, Member};
use crate::names::{lit, snake};
use std::fmt::Write;

/// `error_bindings.rs`: how every error shape of the service is written as a response.
pub fn error_bindings_rs(g: &Gen) -> String {
    let root = g.root();
    let mut out = format!(
        "//! The HTTP bindings of the service's error shapes: status, `X-Amzn-ErrorType`, header-bound\n//! members and the JSON body.\n\nuse smithy_server_runtime as rt;\n\n/// Writes any error of the service as a response.\npub fn serialize(err: {root}::error::ServiceError) -> rt::http::Response<rt::body::Body> {{\n    match err {{\n"
    );
    let all = crate::emit_errors::service_errors(g);
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
