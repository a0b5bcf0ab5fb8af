//! Malformed-request tests: a request the service must reject is answered with the case's status
//! and error.

use super::request::request_expr;
use super::{header_pairs, substitute};
use crate::gen::Gen;
use crate::names::lit;
use crate::template::fill;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt::Write;

pub(super) fn malformed_test(_g: &Gen, t: &Value, subs: &BTreeMap<String, String>) -> Result<String, String> {
    let mut out = fill(
        r#"
    let req = $req;
    let resp = match svc::read_request(req).await {
        Ok(op) => panic!("the request was accepted as {op:?}"),
        Err(resp) => resp,
    };
"#,
        &[("req", &request_expr(t, subs))],
    );
    let r = &t["response"];
    let code = r.get("code").and_then(Value::as_u64).unwrap_or(400);
    let headers = header_pairs(r, subs);
    let body = r.get("body");
    let media = body
        .and_then(|b| b.get("mediaType"))
        .and_then(Value::as_str)
        .map_or("None".into(), |m| format!("Some({})", lit(m)));
    let assertion = body.and_then(|b| b.get("assertion"));
    let (contents, regex) = match assertion {
        Some(a) if a.get("contents").is_some() => (
            format!("Some({})", lit(&substitute(a["contents"].as_str().unwrap_or(""), subs))),
            "None".to_string(),
        ),
        Some(a) if a.get("messageRegex").is_some() => (
            "None".to_string(),
            format!(
                "Some({})",
                lit(&substitute(a["messageRegex"].as_str().unwrap_or(""), subs))
            ),
        ),
        _ => ("None".into(), "None".into()),
    };
    writeln!(
        out,
        "    check_malformed(resp, {code}, &[{}], {media}, {contents}, {regex}).await;",
        headers.join(", ")
    )
    .unwrap();
    Ok(out)
}
