//! Emits `error_bindings.rs`: how every error shape of a service is written as a response (status,
//! `X-Amzn-ErrorType`, header-bound members and the JSON body).

use crate::emit_json::json_name;
use crate::emit_json_ser::ser_members;
use crate::emit_response::header_stmts;
use crate::gen::Gen;
use crate::imports::with_imports;
use crate::ir::{output_binding, Binding};
use crate::json_reach::{calls_function, error_written_members};
use crate::model::{short, Member, Shape};
use crate::names::{lit, snake};
use crate::template::fill;

/// With a `Type` field in error bodies, the modelled `Type` member of error `s` (bound to the
/// body) supplies its value instead of being written a second time.
pub fn type_member<'m>(g: &Gen<'m>, s: &'m Shape) -> Option<&'m Member> {
    s.members
        .iter()
        .find(|m| g.cfg.error_type_field && json_name(m) == "Type" && output_binding(m) == Binding::Body)
}

/// `error_bindings.rs`: how every error shape of the service is written as a response.
pub fn error_bindings_rs(g: &Gen) -> String {
    let root = g.root();
    let mut arms = String::new();
    let all = crate::emit_errors::service_errors(g);
    for e in &all {
        let e = e.clone();
        let s = g.shape(&e);
        let client = s.get("error").and_then(|v| v.as_str()) == Some("client");
        let status = s
            .get("httpError")
            .and_then(|v| v.as_u64())
            .unwrap_or(if client { 400 } else { 500 });
        let type_member = type_member(g, s);
        let fault = format!("rt::rejection::fault_type({client})");
        // A `Type` member left unset leaves `Type` out of the body, as AWS does for some errors.
        let type_value = match type_member {
            Some(m) if g.is_optional(m) => format!("e.{}.as_deref()", snake(&m.name)),
            Some(m) => format!("Some(e.{}.as_str())", snake(&m.name)),
            None => format!("Some({fault})"),
        };
        let name = short(&e);
        let code = g
            .cfg
            .error_codes
            .iter()
            .find(|(shape, _)| *shape == name)
            .map_or(name, |(_, code)| code);
        let body = ser_members(g, s, "e", &|m: &Member| {
            output_binding(m) == Binding::Body && type_member.is_none_or(|t| t.name != m.name)
        });
        let hdrs = header_stmts(g, s, "e").replace("&mut headers", "headers");
        let respond = fill(
            r#"
rt::rejection::error_response($status, $code, &$root::service::PROTOCOL, $type_value, |$w| {
$body})"#,
            &[
                ("status", &status.to_string()),
                ("code", &lit(code)),
                ("root", &root),
                ("type_value", &type_value),
                ("w", if body.is_empty() { "_" } else { "w" }),
                ("body", &body),
            ],
        );
        // The error value is read when some member is written: in the body (the `Type` member
        // included) or in a header.
        let writes_members = s.members.iter().any(|m| {
            matches!(
                output_binding(m),
                Binding::Body | Binding::Header(_) | Binding::PrefixHeaders(_)
            )
        });
        let binding = if writes_members { "e" } else { "_" };
        let v = g.type_ident(&e);
        let arm = if hdrs.is_empty() {
            "$root::error::ServiceError::$v($binding) => $respond,\n"
        } else {
            r#"
$root::error::ServiceError::$v($binding) => {
    let mut resp = $respond;
    let headers = resp.headers_mut();
$hdrs    resp
}
"#
        };
        arms.push_str(&fill(
            arm,
            &[
                ("root", &root),
                ("v", &v),
                ("binding", binding),
                ("respond", &respond),
                ("hdrs", &hdrs),
            ],
        ));
    }
    let out = fill(
        r#"
//! The HTTP bindings of the service's error shapes: status, `X-Amzn-ErrorType`, header-bound
//! members and the JSON body.

use smithy_server_runtime as rt;

/// Writes any error of the service as a response.
pub fn serialize(err: $root::error::ServiceError) -> rt::http::Response<rt::body::Body> {
    match err {
$arms        $root::error::ServiceError::Validation(violations) => {
            rt::rejection::Rejection::Validation(violations).into_response(&$root::service::PROTOCOL)
        }
    }
}
"#,
        &[("root", &root), ("arms", &arms)],
    );
    let calls_ser = calls_function(g, &error_written_members(g));
    with_imports(out, &[("use {root}::json_ser::*;\n", calls_ser)], &root)
}
