//! `cargo codegen`: regenerates the server crates under `generated/` (and the protocol tests under
//! `conformance/tests/`) from the Smithy models in `model/`; `cargo codegen --check` only compares
//! and exits non-zero, naming the first stale file.

mod emit_constraints;
mod emit_crate;
mod emit_error_bindings;
mod emit_errors;
mod emit_event_stream;
mod emit_http;
mod emit_json;
mod emit_json_de;
mod emit_json_ser;
mod emit_request;
mod emit_response;
mod emit_service;
mod emit_types;
mod gen;
mod imports;
mod ir;
mod json_reach;
mod model;
mod names;
mod output;
mod protocol_tests;
mod template;

use gen::{Gen, ServiceConfig};
use model::Model;
use output::Files;
use std::path::{Path, PathBuf};

/// A crate to generate: its directory, the model it comes from and the services in it.
struct Target {
    dir: &'static str,
    package: &'static str,
    model: &'static str,
    services: Vec<ServiceConfig>,
}

fn targets() -> Vec<Target> {
    vec![
        Target {
            dir: "generated/lambda-server",
            package: "lambda-server",
            model: "model/lambda.json",
            services: vec![ServiceConfig {
                service: "com.amazonaws.lambda#AWSGirApiService",
                module: "lambda",
                trait_name: "LambdaApi",
                service_type: "LambdaService",
                serialization_error: "InvalidRequestContentException",
                error_type_field: true,
                lenient_content_type: true,
                // Lambda checks `Runtime` itself, against the runtimes that can still be created, with
                // a message of its own (not the model's enum list).
                handler_checked_enums: &[
                    ("com.amazonaws.lambda#CreateFunctionRequest", "Runtime"),
                    ("com.amazonaws.lambda#UpdateFunctionConfigurationRequest", "Runtime"),
                ],
                // Lambda models its 413 as `RequestTooLargeException`; AWS answers it as
                // `RequestEntityTooLargeException` (recorded).
                error_codes: &[("RequestTooLargeException", "RequestEntityTooLargeException")],
                // Lambda lists InvokeMode the other way round from the model (recorded).
                enum_value_orders: &[("com.amazonaws.lambda#InvokeMode", &["RESPONSE_STREAM", "BUFFERED"])],
                // The code uploads: a 50 MB zip in base64 JSON, and the rest (recorded 413s).
                request_limits: &[
                    ("CreateFunction", 70_167_211),
                    ("UpdateFunctionCode", 70_167_211),
                    ("PublishLayerVersion", 70_167_211),
                ],
            }],
        },
        Target {
            dir: "generated/restjson-protocol-server",
            package: "restjson-protocol-server",
            model: "model/restjson1-protocol-tests.json",
            services: vec![
                ServiceConfig {
                    service: "aws.protocoltests.restjson#RestJson",
                    module: "rest_json",
                    trait_name: "RestJsonApi",
                    service_type: "RestJsonService",
                    serialization_error: "SerializationException",
                    error_type_field: false,
                    lenient_content_type: false,
                    handler_checked_enums: &[],
                    error_codes: &[],
                    enum_value_orders: &[],
                    request_limits: &[],
                },
                ServiceConfig {
                    service: "com.amazonaws.glacier#Glacier",
                    module: "glacier",
                    trait_name: "GlacierApi",
                    service_type: "GlacierService",
                    serialization_error: "SerializationException",
                    error_type_field: false,
                    lenient_content_type: false,
                    handler_checked_enums: &[],
                    error_codes: &[],
                    enum_value_orders: &[],
                    request_limits: &[],
                },
                ServiceConfig {
                    service: "com.amazonaws.apigateway#BackplaneControlService",
                    module: "api_gateway",
                    trait_name: "ApiGatewayApi",
                    service_type: "ApiGatewayService",
                    serialization_error: "SerializationException",
                    error_type_field: false,
                    lenient_content_type: false,
                    handler_checked_enums: &[],
                    error_codes: &[],
                    enum_value_orders: &[],
                    request_limits: &[],
                },
                ServiceConfig {
                    service: model::SYNTHETIC_SERVICE,
                    module: "unbound",
                    trait_name: "UnboundApi",
                    service_type: "UnboundService",
                    serialization_error: "SerializationException",
                    error_type_field: false,
                    lenient_content_type: false,
                    handler_checked_enums: &[],
                    error_codes: &[],
                    enum_value_orders: &[],
                    request_limits: &[],
                },
                ServiceConfig {
                    service: "aws.protocoltests.restjson.validation#RestJsonValidation",
                    module: "rest_json_validation",
                    trait_name: "RestJsonValidationApi",
                    service_type: "RestJsonValidationService",
                    serialization_error: "SerializationException",
                    error_type_field: false,
                    lenient_content_type: false,
                    handler_checked_enums: &[],
                    error_codes: &[],
                    enum_value_orders: &[],
                    request_limits: &[],
                },
            ],
        },
    ]
}

fn header(model: &str) -> String {
    format!("// Code generated by `cargo codegen` from {model}. DO NOT EDIT: change codegen/ and regenerate.\n\n")
}

fn generate_crate(root: &Path, t: &Target, files: &mut Files) -> Result<(), String> {
    let model = Model::load(&root.join(t.model))?;
    let h = header(t.model);
    let dir = PathBuf::from(t.dir);
    files.add(dir.join("Cargo.toml"), emit_crate::cargo_toml(t.model, t.package));
    files.add(
        dir.join("src/lib.rs"),
        format!("{h}{}", emit_crate::lib_rs(t.model, &t.services)),
    );
    for cfg in &t.services {
        let g = Gen::new(&model, cfg);
        check_patterns(&g)?;
        let m = dir.join("src").join(cfg.module);
        files.add(m.join("mod.rs"), format!("{h}{}", emit_crate::service_mod_rs(cfg)));
        let ops: Vec<ir::OperationIr> = g.ops.iter().map(|op| ir::OperationIr::new(&g, op)).collect();
        files.add(m.join("model.rs"), format!("{h}{}", emit_types::model_rs(&g)));
        files.add(m.join("error.rs"), format!("{h}{}", emit_errors::error_rs(&g, &ops)));
        files.add(
            m.join("error_bindings.rs"),
            format!("{h}{}", emit_error_bindings::error_bindings_rs(&g)),
        );
        files.add(
            m.join("service.rs"),
            format!("{h}{}", emit_service::service_rs(&g, &ops)),
        );
        for op in &ops {
            let name = &op.module;
            let code = emit_http::operation_rs(&g, op);
            files.add(
                m.join("operation")
                    .join(format!("{}.rs", name.trim_start_matches("r#"))),
                format!("{h}{code}"),
            );
        }
        files.add(
            m.join("operation").join("mod.rs"),
            format!("{h}{}", emit_crate::operations_mod_rs(&ops)),
        );
        // The readers and writers kept are those the operation and error modules call.
        let read: Vec<&model::Member> = ops.iter().flat_map(|op| json_reach::read_members(&g, op)).collect();
        let mut written: Vec<&model::Member> = ops.iter().flat_map(|op| json_reach::written_members(&g, op)).collect();
        written.extend(json_reach::error_written_members(&g));
        files.add(
            m.join("json_de.rs"),
            format!("{h}{}", emit_json_de::json_de_rs(&g, &json_reach::reached(&g, &read))),
        );
        files.add(
            m.join("json_ser.rs"),
            format!(
                "{h}{}",
                emit_json_ser::json_ser_rs(&g, &json_reach::reached(&g, &written))
            ),
        );
    }
    Ok(())
}

/// Every `pattern` the generated code compiles at run time must compile now.
fn check_patterns(g: &Gen) -> Result<(), String> {
    for id in &g.closure {
        let s = g.shape(id);
        let mut pats: Vec<&str> = s.get("pattern").and_then(|p| p.as_str()).into_iter().collect();
        for m in &s.members {
            pats.extend(m.get("pattern").and_then(|p| p.as_str()));
        }
        for p in pats {
            fancy_regex::Regex::new(p).map_err(|e| format!("{id}: pattern {p:?} does not compile: {e}"))?;
        }
    }
    Ok(())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let check = args.iter().any(|a| a == "--check");
    let root = workspace_root();
    let mut files = Files::default();
    let result = (|| -> Result<(), String> {
        for t in targets() {
            generate_crate(&root, &t, &mut files)?;
        }
        protocol_tests::generate(&root, &mut files)?;
        Ok(())
    })();
    if let Err(e) = result {
        eprintln!("codegen: {e}");
        std::process::exit(2);
    }
    let code = if check { files.check(&root) } else { files.write(&root) };
    std::process::exit(code);
}

/// `cargo run` gives the running program its manifest directory; a binary built for another checkout
/// (a shared target directory) must not write into that one, so the run-time value wins.
fn workspace_root() -> PathBuf {
    let here =
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").to_string()));
    here.parent().map(Path::to_path_buf).unwrap_or(here)
}
