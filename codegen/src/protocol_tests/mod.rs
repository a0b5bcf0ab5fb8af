//! Emits the restJson1 protocol-compliance suite as Rust tests (`conformance/tests/protocol/`), one
//! test per server-applicable case after expanding `testParameters`, and `conformance/cases.json`,
//! the list of every case with its category, whether it is in the "Lambda slice" (uses only
//! features the Lambda model uses), and why a case is not generated.

use crate::gen::{Gen, ServiceConfig};
use crate::ir::OperationIr;
use crate::model::{short, Kind, Model};
use crate::names::{lit, snake_raw};
use crate::output::Files;
use crate::template::fill;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;
use std::path::{Path, PathBuf};

mod event_stream;
mod literal;
mod malformed;
mod request;
mod response;

use event_stream::{event_stream_servable, event_stream_skip, event_stream_test};
use malformed::malformed_test;
use request::request_test;
use response::{error_response_test, response_test};

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
pub(super) fn features(model: &Model, roots: &[String]) -> BTreeSet<String> {
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

/// The shapes an operation starts from: itself, its input, output and errors.
pub(super) fn op_roots(op: &OperationIr) -> Vec<String> {
    let mut r: Vec<String> = vec![op.id.clone()];
    r.extend(op.input.into_iter().chain(op.output).map(|s| s.id.clone()));
    r.extend(op.errors.iter().cloned());
    r
}

/// Expands `testParameters` into one map of substitutions per case.
pub(super) fn expand(t: &Value) -> Vec<(String, BTreeMap<String, String>)> {
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

/// The `headers` of a test's request or response as `("name", "value")` tuple literals, values
/// substituted.
pub(super) fn header_pairs(r: &Value, subs: &BTreeMap<String, String>) -> Vec<String> {
    r.get("headers")
        .and_then(Value::as_object)
        .map(|o| {
            o.iter()
                .map(|(k, v)| format!("({}, {})", lit(k), lit(&substitute(v.as_str().unwrap_or(""), subs))))
                .collect()
        })
        .unwrap_or_default()
}

/// `$name:S` becomes a JSON string, `$name:L` the raw text, `$$` a `$`.
pub(super) fn substitute(text: &str, subs: &BTreeMap<String, String>) -> String {
    let mut s = text.to_string();
    for (k, v) in subs {
        s = s.replace(&format!("${k}:S"), &serde_json::to_string(v).unwrap_or_default());
        s = s.replace(&format!("${k}:L"), v);
    }
    s.replace("$$", "$")
}

pub(super) fn subst_value(v: &Value, subs: &BTreeMap<String, String>) -> Value {
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
    let (lambda_configs, configs): (Vec<ServiceConfig>, Vec<ServiceConfig>) = crate::targets()
        .into_iter()
        .flat_map(|t| t.services)
        .partition(|s| s.service.starts_with("com.amazonaws.lambda"));
    let mut lambda_features = BTreeSet::new();
    for cfg in &lambda_configs {
        let g = Gen::new(&lambda, cfg);
        for op in &g.ops {
            lambda_features.extend(features(&lambda, &op_roots(&OperationIr::new(&g, op))));
        }
    }
    let gens: Vec<Gen> = configs.iter().map(|c| Gen::new(&model, c)).collect();
    // Each service's operations, as the server emitters see them.
    let irs: Vec<Vec<OperationIr>> = gens
        .iter()
        .map(|g| g.ops.iter().map(|op| OperationIr::new(g, op)).collect())
        .collect();
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
                    .position(|g| g.closure.contains(&shape.id) || g.ops.contains(&shape.id));
                for (case_id, subs) in expand(t) {
                    let mut case = Case {
                        id: case_id.clone(),
                        category,
                        service: owner
                            .map(|i| short(gens[i].cfg.service).to_string())
                            .unwrap_or_else(|| service_of(&model, &shape.id)),
                        shape: shape.id.clone(),
                        test_fn: None,
                        skip: None,
                        lambda_slice: false,
                    };
                    let Some(i) = owner else {
                        case.skip = Some("no generated service holds the shape".into());
                        cases.push(case);
                        continue;
                    };
                    let g = &gens[i];
                    // The operation the case exercises: the shape itself, or one that can fail with it.
                    let op = if shape.kind == Kind::Operation {
                        irs[i].iter().find(|o| o.id == shape.id)
                    } else {
                        irs[i].iter().find(|o| o.errors.contains(&shape.id))
                    };
                    if let Some(op) = op {
                        case.lambda_slice = features(&model, &op_roots(op)).is_subset(&lambda_features);
                    }
                    let cat = snake_raw(category);
                    let fn_name = format!("{}_{cat}", snake_raw(&case_id));
                    let body = match (category, op) {
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
                            m.push_str(&fill(
                                r#"
/// $case
#[tokio::test]
${ignore}async fn $name() {
$body}

"#,
                                &[
                                    ("case", &case_id),
                                    ("ignore", ignore),
                                    ("name", &fn_name),
                                    ("body", &body),
                                ],
                            ));
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

pub(super) fn service_of(model: &Model, shape: &str) -> String {
    for s in model.shapes.values().filter(|s| s.kind == Kind::Service) {
        if s.id == shape || model.operations(&s.id).iter().any(|o| o == shape) {
            return short(&s.id).to_string();
        }
    }
    "(unbound)".into()
}
