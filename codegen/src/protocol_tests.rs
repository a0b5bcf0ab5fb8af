//! Emits the restJson1 protocol-compliance suite as Rust tests (`conformance/tests/protocol/`), one
//! test per server-applicable case after expanding `testParameters`, and `conformance/cases.json`,
//! the list of every case with its category, whether it is in the "Lambda slice" (uses only
//! features the Lambda model uses), and why a case is not generated.

use crate::emit_types::{default_expr, variant};
use crate::gen::{Gen, ServiceConfig};
use crate::ir::module_name;
use crate::model::{short, Kind, Model, Shape};
use crate::names::{lit, snake, snake_raw};
use crate::output::Files;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;
use std::path::{Path, PathBuf};

const KINDS: [(&str, &str); 4] = [
    ("smithy.test#httpRequestTests", "request"),
    ("smithy.test#httpResponseTests", "response"),
    ("smithy.test#httpMalformedRequestTests", "malformed"),
    ("smithy.test#eventStreamTests", "eventStream"),
];

struct Case {
    id: String,
    category: &'static str,
    service: String,
    shape: String,
    test_fn: Option<String>,
    skip: Option<String>,
    lambda_slice: bool,
}

/// The features a shape closure uses, for the Lambda-slice comparison.
fn features(model: &Model, roots: &[String]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut seen = BTreeSet::new();
    let mut stack: Vec<String> = roots.to_vec();
    const TRAITS: &[&str] = &[
        "httpLabel",
        "httpQuery",
        "httpQueryParams",
        "httpHeader",
        "httpPrefixHeaders",
        "httpPayload",
        "httpResponseCode",
        "jsonName",
        "timestampFormat",
        "mediaType",
        "sparse",
        "uniqueItems",
        "length",
        "range",
        "pattern",
        "required",
        "default",
        "streaming",
        "eventHeader",
        "eventPayload",
        "idempotencyToken",
        "sensitive",
        "httpError",
        "error",
        "enum",
        "requestCompression",
        "endpoint",
        "hostLabel",
        "httpChecksumRequired",
        "mixin",
    ];
    while let Some(id) = stack.pop() {
        if !seen.insert(id.clone()) {
            continue;
        }
        let s = model.shape(&id);
        out.insert(format!("kind:{:?}", s.kind));
        for t in TRAITS {
            if s.has(t) {
                out.insert(format!("trait:{t}"));
            }
        }
        for m in &s.members {
            let target = model.shape(&m.target);
            for t in TRAITS {
                if m.has(t) {
                    // Bindings matter together with what they bind.
                    out.insert(format!("member:{t}:{:?}", target.kind));
                }
            }
            if let Some(f) = m.get("timestampFormat").and_then(|v| v.as_str()) {
                out.insert(format!("format:{f}"));
            }
            if m.target != "smithy.api#Unit" {
                stack.push(m.target.clone());
            }
        }
    }
    out
}

fn op_roots(model: &Model, service: &str, op: &str) -> Vec<String> {
    let s = model.shape(op);
    let mut r: Vec<String> = vec![op.to_string()];
    r.extend(s.input().into_iter().chain(s.output()));
    r.extend(model.operation_errors(service, op));
    r
}

/// Expands `testParameters` into one map of substitutions per case.
fn expand(t: &Value) -> Vec<(String, BTreeMap<String, String>)> {
    let id = t["id"].as_str().unwrap_or("").to_string();
    let Some(params) = t.get("testParameters").and_then(Value::as_object) else {
        return vec![(id, BTreeMap::new())];
    };
    let n = params
        .values()
        .filter_map(Value::as_array)
        .map(Vec::len)
        .max()
        .unwrap_or(0);
    (0..n)
        .map(|i| {
            let subs = params
                .iter()
                .map(|(k, v)| (k.clone(), v.get(i).and_then(Value::as_str).unwrap_or("").to_string()))
                .collect();
            (format!("{id}_case{i}"), subs)
        })
        .collect()
}

/// `$name:S` becomes a JSON string, `$name:L` the raw text, `$$` a `$`.
fn substitute(text: &str, subs: &BTreeMap<String, String>) -> String {
    let mut s = text.to_string();
    for (k, v) in subs {
        s = s.replace(&format!("${k}:S"), &serde_json::to_string(v).unwrap_or_default());
        s = s.replace(&format!("${k}:L"), v);
    }
    s.replace("$$", "$")
}

fn subst_value(v: &Value, subs: &BTreeMap<String, String>) -> Value {
    match v {
        Value::String(s) => Value::String(substitute(s, subs)),
        Value::Array(a) => Value::Array(a.iter().map(|x| subst_value(x, subs)).collect()),
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, x)| (substitute(k, subs), subst_value(x, subs)))
                .collect(),
        ),
        other => other.clone(),
    }
}

pub fn generate(root: &Path, files: &mut Files) -> Result<(), String> {
    let model = Model::load(&root.join("model/restjson1-protocol-tests.json"))?;
    let lambda = Model::load(&root.join("model/lambda.json"))?;
    let lambda_service = "com.amazonaws.lambda#AWSGirApiService";
    let mut lambda_features = BTreeSet::new();
    for op in lambda.operations(lambda_service) {
        lambda_features.extend(features(&lambda, &op_roots(&lambda, lambda_service, &op)));
    }
    let configs: Vec<ServiceConfig> = crate::targets()
        .into_iter()
        .flat_map(|t| t.services)
        .filter(|s| !s.service.starts_with("com.amazonaws.lambda"))
        .collect();
    let gens: Vec<Gen> = configs.iter().map(|c| Gen::new(&model, c)).collect();
    // Cases known not to pass are generated `#[ignore]`d, with the explanation the report shows.
    let known: BTreeMap<String, String> = std::fs::read_to_string(root.join("conformance/known-failures.json"))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default();

    let mut cases = Vec::new();
    let mut modules: BTreeMap<String, String> = BTreeMap::new();
    for shape in model.shapes.values() {
        for (trait_name, category) in KINDS {
            let Some(tests) = shape.traits.get(trait_name).and_then(Value::as_array) else {
                continue;
            };
            for t in tests {
                if t.get("appliesTo").and_then(Value::as_str) == Some("client") {
                    continue;
                }
                if t.get("protocol").and_then(Value::as_str) != Some("aws.protocols#restJson1") {
                    continue;
                }
                // Which generated service owns the shape?
                let owner = gens
                    .iter()
                    .find(|g| g.closure.contains(&shape.id) || g.ops.contains(&shape.id));
                for (case_id, subs) in expand(t) {
                    let mut case = Case {
                        id: case_id.clone(),
                        category,
                        service: owner
                            .map(|g| short(g.cfg.service).to_string())
                            .unwrap_or_else(|| service_of(&model, &shape.id)),
                        shape: shape.id.clone(),
                        test_fn: None,
                        skip: None,
                        lambda_slice: false,
                    };
                    let Some(g) = owner else {
                        case.skip = Some("no generated service holds the shape".into());
                        cases.push(case);
                        continue;
                    };
                    let op = if shape.kind == Kind::Operation {
                        Some(shape.id.clone())
                    } else {
                        g.ops
                            .iter()
                            .find(|o| model.operation_errors(g.cfg.service, o).contains(&shape.id))
                            .cloned()
                    };
                    if let Some(op) = &op {
                        case.lambda_slice =
                            features(&model, &op_roots(&model, g.cfg.service, op)).is_subset(&lambda_features);
                    }
                    let cat = snake_raw(category);
                    let fn_name = format!("{}_{cat}", snake_raw(&case_id));
                    let body = match (category, &op) {
                        ("request", Some(op)) => request_test(g, op, t, &subs),
                        ("response", Some(op)) if shape.kind == Kind::Operation => response_test(g, op, t),
                        ("response", Some(op)) => error_response_test(g, op, shape, t),
                        ("malformed", Some(_)) => malformed_test(g, t, &subs),
                        ("eventStream", Some(op)) if event_stream_servable(t) => event_stream_test(g, op, t),
                        ("eventStream", _) => Err(event_stream_skip(t)),
                        _ => Err("no operation of the service uses this shape".to_string()),
                    };
                    match body {
                        Ok(body) => {
                            let body = body.replace("crate::", "restjson_protocol_server::");
                            let m = modules.entry(format!("{}_{cat}", g.cfg.module)).or_default();
                            let ignore = if known.contains_key(&case_id) {
                                "#[ignore = \"known failure, see conformance/known-failures.json\"]\n"
                            } else {
                                ""
                            };
                            writeln!(
                                m,
                                "/// {}\n#[tokio::test]\n{ignore}async fn {fn_name}() {{\n{body}}}\n",
                                case_id
                            )
                            .unwrap();
                            case.test_fn = Some(format!("{}_{cat}::{fn_name}", g.cfg.module));
                        }
                        Err(why) => case.skip = Some(why),
                    }
                    cases.push(case);
                }
            }
        }
    }
    let h = "// Code generated by `cargo codegen` from model/restjson1-protocol-tests.json. DO NOT EDIT.\n\n";
    let dir = PathBuf::from("conformance/tests/protocol");
    let mut main = format!("{h}//! The restJson1 protocol-compliance suite, one test per server-applicable case.\n\n");
    for (name, body) in &modules {
        writeln!(main, "mod {name};").unwrap();
        let svc = ["_event_stream", "_request", "_response", "_malformed"]
            .iter()
            .find_map(|c| name.strip_suffix(c))
            .unwrap_or(name);
        files.add(
            dir.join(format!("{name}.rs")),
            format!(
                "{h}use conformance::*;\nuse restjson_protocol_server::{svc} as svc;\n{rt}\n{body}",
                rt = if body.contains("rt::") {
                    "use smithy_server_runtime as rt;\n"
                } else {
                    ""
                }
            ),
        );
    }
    files.add(dir.join("main.rs"), main);
    let list: Vec<Value> = cases
        .iter()
        .map(|c| {
            json!({"id": c.id, "category": c.category, "service": c.service, "shape": short(&c.shape),
                   "test": c.test_fn, "skip": c.skip, "lambda_slice": c.lambda_slice})
        })
        .collect();
    files.add(
        PathBuf::from("conformance/cases.json"),
        serde_json::to_string_pretty(&list).unwrap_or_default() + "\n",
    );
    Ok(())
}

fn service_of(model: &Model, shape: &str) -> String {
    for s in model.shapes.values().filter(|s| s.kind == Kind::Service) {
        if s.id == shape || model.operations(&s.id).iter().any(|o| o == shape) {
            return short(&s.id).to_string();
        }
    }
    "(unbound)".into()
}

// ------------------------------------------------------------------ request tests

fn request_expr(t: &Value, subs: &BTreeMap<String, String>) -> String {
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
    let host = r.get("host").and_then(Value::as_str).unwrap_or("");
    let _ = host;
    let headers: Vec<String> = r
        .get("headers")
        .and_then(Value::as_object)
        .map(|o| {
            o.iter()
                .map(|(k, v)| format!("({}, {})", lit(k), lit(&substitute(v.as_str().unwrap_or(""), subs))))
                .collect()
        })
        .unwrap_or_default();
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

fn request_test(g: &Gen, op: &str, t: &Value, subs: &BTreeMap<String, String>) -> Result<String, String> {
    let m = module_name(op);
    let params = subst_value(t.get("params").unwrap_or(&json!({})), subs);
    let mut out = format!("    let req = {};\n", request_expr(t, subs));
    writeln!(out, "    let (op, labels) = svc::route(req.method(), req.uri().path(), req.uri().query()).expect(\"the request routes\");").unwrap();
    writeln!(
        out,
        "    assert_eq!(op, svc::Operation::{});",
        crate::names::pascal(short(op))
    )
    .unwrap();
    let accepted =
        format!("svc::operation::{m}::deserialize_request(req, labels).await.expect(\"the request is accepted\");");
    let Some(input) = g.shape(op).input() else {
        // No input: acceptance is all there is to check.
        writeln!(out, "    {accepted}").unwrap();
        return Ok(out);
    };
    writeln!(out, "    let input = {accepted}").unwrap();
    let s = g.shape(&input);
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
    } else if g.comparable(&input) {
        writeln!(out, "    let expected = {};", literal(g, &input, &params, false)?).unwrap();
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

// ------------------------------------------------------------------ response tests

fn response_checks(t: &Value) -> String {
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

fn response_test(g: &Gen, op: &str, t: &Value) -> Result<String, String> {
    let m = module_name(op);
    let params = t.get("params").cloned().unwrap_or(json!({}));
    let mut out = String::new();
    match g.shape(op).output() {
        Some(o) => writeln!(out, "    let output = {};", literal(g, &o, &params, false)?).unwrap(),
        None => out.push_str("    let output = ();\n"),
    }
    writeln!(out, "    let resp = svc::operation::{m}::serialize_response(output);").unwrap();
    out.push_str(&response_checks(t));
    Ok(out)
}

fn error_response_test(g: &Gen, op: &str, shape: &Shape, t: &Value) -> Result<String, String> {
    let m = module_name(op);
    let params = t.get("params").cloned().unwrap_or(json!({}));
    let mut out = String::new();
    writeln!(
        out,
        "    let error = svc::error::{}::{}({});",
        g.op_error_type(op),
        g.type_ident(&shape.id),
        literal(g, &shape.id, &params, false)?
    )
    .unwrap();
    writeln!(out, "    let resp = svc::operation::{m}::serialize_error(error);").unwrap();
    out.push_str(&response_checks(t));
    Ok(out)
}

// ------------------------------------------------------------------ malformed tests

fn malformed_test(_g: &Gen, t: &Value, subs: &BTreeMap<String, String>) -> Result<String, String> {
    let mut out = format!("    let req = {};\n", request_expr(t, subs));
    out.push_str("    let resp = match svc::read_request(req).await {\n        Ok(op) => panic!(\"the request was accepted as {op:?}\"),\n        Err(resp) => resp,\n    };\n");
    let r = &t["response"];
    let code = r.get("code").and_then(Value::as_u64).unwrap_or(400);
    let headers: Vec<String> = r
        .get("headers")
        .and_then(Value::as_object)
        .map(|o| {
            o.iter()
                .map(|(k, v)| format!("({}, {})", lit(k), lit(&substitute(v.as_str().unwrap_or(""), subs))))
                .collect()
        })
        .unwrap_or_default();
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

// ------------------------------------------------------------------ event-stream tests

/// Which side of an event-stream case the server plays: reading what a client sends, or writing.
fn event_stream_servable(t: &Value) -> bool {
    event_stream_direction(t).is_ok()
}

enum Direction {
    Input,
    Output,
}

fn event_stream_direction(t: &Value) -> Result<Direction, String> {
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

fn event_stream_skip(t: &Value) -> String {
    event_stream_direction(t).err().unwrap_or_default()
}

fn header_specs(e: &Value) -> String {
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

fn event_stream_test(g: &Gen, op: &str, t: &Value) -> Result<String, String> {
    match event_stream_direction(t)? {
        Direction::Input => event_stream_input_test(g, op, t),
        Direction::Output => event_stream_output_test(g, op, t),
    }
}

fn event_stream_input_test(g: &Gen, op: &str, t: &Value) -> Result<String, String> {
    let in_id = g.shape(op).input().ok_or("the operation has no input")?;
    let in_shape = g.shape(&in_id);
    let stream = in_shape
        .members
        .iter()
        .find(|m| g.is_event_stream(&m.target))
        .ok_or("the input has no event stream")?;
    let uri = crate::ir::OperationIr::new(g, op).uri;
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
        .unwrap_or(&uri)
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
        module_name(op)
    )
    .unwrap();
    let stream_field = snake(&stream.name);
    if t.get("expectation").and_then(|x| x.get("failure")).is_some() {
        writeln!(out, "    if let Ok(input) = read {{\n        let events: Vec<_> = futures_util::StreamExt::collect(input.{stream_field}.into_inner()).await;\n        assert!(events.iter().any(|e: &Result<_, rt::BoxError>| e.is_err()), \"every event was accepted\");\n    }}").unwrap();
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

fn event_stream_output_test(g: &Gen, op: &str, t: &Value) -> Result<String, String> {
    let out_id = g.shape(op).output().ok_or("the operation has no output")?;
    let out_shape = g.shape(&out_id);
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
        g.rust_type(&out_id),
        fields.join(", ")
    )
    .unwrap();
    writeln!(
        out,
        "    let resp = svc::operation::{}::serialize_response(output);",
        module_name(op)
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

// ------------------------------------------------------------------ literals

fn member_literal(g: &Gen, owner: &Shape, m: &crate::model::Member, v: Option<&Value>) -> Result<String, String> {
    let optional = g.is_optional(m);
    let boxed = g.is_boxed(&owner.id, &m.name);
    let wrap = |e: String| {
        if boxed {
            format!("::std::boxed::Box::new({e})")
        } else {
            e
        }
    };
    Ok(match v {
        Some(v) if !v.is_null() => {
            let e = wrap(literal(g, &m.target, v, false)?);
            if optional {
                format!("Some({e})")
            } else {
                e
            }
        }
        _ if optional => "None".into(),
        _ => match g.default_value(m) {
            Some(d) => wrap(default_expr(g, &m.target, d)),
            None => "::std::default::Default::default()".into(),
        },
    })
}

/// A Rust expression building the value `v` (Smithy node form) of shape `id`.
fn literal(g: &Gen, id: &str, v: &Value, _in_sparse: bool) -> Result<String, String> {
    let s = g.shape(id);
    let ty = g.rust_type(id).replace("crate::", "restjson_protocol_server::");
    Ok(match s.kind {
        Kind::Structure => {
            let mut fields = Vec::new();
            for m in &s.members {
                fields.push(format!(
                    "{}: {}",
                    snake(&m.name),
                    member_literal(g, s, m, v.get(&m.name))?
                ));
            }
            format!("{ty} {{ {} }}", fields.join(", "))
        }
        Kind::Union => {
            let ty =
                format!("{}::model::{}", g.root(), g.type_ident(id)).replace("crate::", "restjson_protocol_server::");
            let (k, x) = v.as_object().and_then(|o| o.iter().next()).ok_or("empty union value")?;
            let m = s
                .members
                .iter()
                .find(|m| &m.name == k)
                .ok_or_else(|| format!("unknown union member {k}"))?;
            if m.target == "smithy.api#Unit" {
                format!("{ty}::{}", variant(k))
            } else {
                let inner = literal(g, &m.target, x, false)?;
                let inner = if g.is_boxed(&s.id, &m.name) {
                    format!("::std::boxed::Box::new({inner})")
                } else {
                    inner
                };
                format!("{ty}::{}({inner})", variant(k))
            }
        }
        Kind::String => format!("::std::string::String::from({})", lit(v.as_str().unwrap_or(""))),
        Kind::Enum => format!("{ty}::from({})", lit(v.as_str().unwrap_or(""))),
        Kind::Boolean => format!("{}", v.as_bool().unwrap_or(false)),
        Kind::Byte | Kind::Short | Kind::Integer | Kind::Long | Kind::IntEnum => {
            format!("{}{}", v.as_i64().unwrap_or(0), "")
        }
        Kind::Float | Kind::Double => {
            let t = if s.kind == Kind::Float { "f32" } else { "f64" };
            match v {
                Value::String(x) if x == "NaN" => format!("{t}::NAN"),
                Value::String(x) if x == "Infinity" => format!("{t}::INFINITY"),
                Value::String(x) if x == "-Infinity" => format!("{t}::NEG_INFINITY"),
                _ => format!("{:?}{t}", v.as_f64().unwrap_or(0.0)),
            }
        }
        Kind::Blob if s.has("streaming") => format!(
            "rt::body::ByteStream::new({}.as_bytes().to_vec())",
            lit(v.as_str().unwrap_or(""))
        ),
        Kind::Blob => format!(
            "rt::aws_smithy_types::Blob::new({}.as_bytes().to_vec())",
            lit(v.as_str().unwrap_or(""))
        ),
        Kind::Timestamp if v.is_string() => format!(
            "rt::aws_smithy_types::DateTime::from_str({}, rt::aws_smithy_types::date_time::Format::DateTime).unwrap()",
            lit(v.as_str().unwrap_or(""))
        ),
        Kind::Timestamp => {
            let text = v.to_string();
            let (secs, frac) = text.split_once('.').unwrap_or((&text, ""));
            let nanos: String = frac.chars().chain(std::iter::repeat('0')).take(9).collect();
            format!(
                "rt::aws_smithy_types::DateTime::from_secs_and_nanos({secs}, {})",
                nanos.trim_start_matches('0').parse::<u32>().unwrap_or(0)
            )
        }
        Kind::Document => format!("doc({})", lit(&v.to_string())),
        Kind::BigInteger | Kind::BigDecimal => format!("{}.parse::<{ty}>().unwrap()", lit(&v.to_string())),
        Kind::List => {
            let m = &s.members[0];
            let items: Result<Vec<String>, String> = v
                .as_array()
                .ok_or("list value is not an array")?
                .iter()
                .map(|x| {
                    if s.has("sparse") {
                        if x.is_null() {
                            Ok("None".into())
                        } else {
                            literal(g, &m.target, x, true).map(|e| format!("Some({e})"))
                        }
                    } else {
                        literal(g, &m.target, x, false)
                    }
                })
                .collect();
            format!("vec![{}]", items?.join(", "))
        }
        Kind::Map => {
            let m = &s.members[1];
            let items: Result<Vec<String>, String> = v
                .as_object()
                .ok_or("map value is not an object")?
                .iter()
                .map(|(k, x)| {
                    let val = if s.has("sparse") {
                        if x.is_null() {
                            Ok("None".to_string())
                        } else {
                            literal(g, &m.target, x, true).map(|e| format!("Some({e})"))
                        }
                    } else {
                        literal(g, &m.target, x, false)
                    }?;
                    Ok(format!("(::std::string::String::from({}), {val})", lit(k)))
                })
                .collect();
            format!("::std::collections::HashMap::from([{}])", items?.join(", "))
        }
        _ => return Err(format!("no literal for {id}")),
    })
}
