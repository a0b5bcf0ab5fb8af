//! The Lambda wire format at the request/response level, without a network: hand-built HTTP
//! requests go through the generated `lambda-server` layer (routing, reading, constraint checks) and
//! typed outputs and errors go through its serializers; the tests check status codes,
//! `X-Amzn-ErrorType`, headers and JSON bodies against what AWS Lambda answers (AWS's validation
//! wording, `"Type": "User" | "Service"`, the error members' spelling in the model, raw Invoke
//! payloads, event-stream frames of InvokeWithResponseStream) and that sensitive members stay out
//! of `Debug` output.

use bytes::{Buf, Bytes};
use http::Method;
use http_body_util::{BodyExt, Full};
use lambda_server::error::{GetFunctionError, InvokeError};
use lambda_server::model::{
    CreateFunctionRequest, Environment, FunctionCode, InvocationResponse, InvokeResponseStreamUpdate,
    InvokeWithResponseStreamCompleteEvent, InvokeWithResponseStreamResponse, InvokeWithResponseStreamResponseEvent,
    RequestTooLargeException, ResourceNotFoundException, ServiceException, ThrottleReason, TooManyRequestsException,
};
use lambda_server::operation;
use lambda_server::Operation;
use serde_json::{json, Value};
use smithy_server_runtime::aws_smithy_types::event_stream::Message;
use smithy_server_runtime::aws_smithy_types::Blob;
use smithy_server_runtime::body::Body;
use smithy_server_runtime::event_stream::EventStream;

const ROLE: &str = "arn:aws:iam::123456789012:role/lambda-exec";
const FUNCTION_ARN: &str = "arn:aws:lambda:us-east-1:123456789012:function:my-function";

// ---------------------------------------------------------------------------------------------
// helpers

fn request(method: &str, uri: &str, headers: &[(&str, &str)], body: &[u8]) -> http::Request<Full<Bytes>> {
    let mut b = http::Request::builder().method(method).uri(uri);
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    b.body(Full::new(Bytes::copy_from_slice(body)))
        .expect("a valid request")
}

fn json_request(method: &str, uri: &str, body: &Value) -> http::Request<Full<Bytes>> {
    request(
        method,
        uri,
        &[("content-type", "application/json")],
        body.to_string().as_bytes(),
    )
}

async fn bytes_of(body: Body) -> Bytes {
    body.collect().await.expect("the body reads").to_bytes()
}

/// Status, headers and the body parsed as JSON.
async fn json_response(resp: http::Response<Body>) -> (u16, http::HeaderMap, Value, String) {
    let (parts, body) = resp.into_parts();
    let raw = bytes_of(body).await;
    let text = String::from_utf8(raw.to_vec()).expect("a UTF-8 body");
    let value: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("body is not JSON ({e}): {text}"));
    (parts.status.as_u16(), parts.headers, value, text)
}

fn header<'a>(headers: &'a http::HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).map(|v| v.to_str().expect("a text header"))
}

/// The error response the service answers for `req` (it must be refused).
async fn refused(req: http::Request<Full<Bytes>>) -> (u16, http::HeaderMap, Value, String) {
    match lambda_server::read_request(req).await {
        Ok(op) => panic!("the request was accepted as {op:?}"),
        Err(resp) => json_response(resp).await,
    }
}

/// A shape's `@pattern` as AWS quotes it in a violation: without its outer `^` and `$` anchors.
fn model_pattern(shape: &str) -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../model/lambda.json");
    let model: Value = serde_json::from_str(&std::fs::read_to_string(path).expect("model/lambda.json reads"))
        .expect("the model is JSON");
    let p = model["shapes"][format!("com.amazonaws.lambda#{shape}")]["traits"]["smithy.api#pattern"]
        .as_str()
        .unwrap_or_else(|| panic!("{shape} has a pattern"));
    let p = p.strip_prefix('^').unwrap_or(p);
    p.strip_suffix('$').unwrap_or(p).to_string()
}

/// The top-level keys of a JSON object as written, duplicates included (serde_json keeps only one).
fn top_level_keys(text: &str) -> Vec<String> {
    let mut keys = Vec::new();
    let mut depth = 0i32;
    let mut chars = text.chars().peekable();
    let mut expect_key = false;
    while let Some(c) = chars.next() {
        match c {
            '{' | '[' => {
                depth += 1;
                expect_key = depth == 1 && c == '{';
            }
            '}' | ']' => depth -= 1,
            ',' if depth == 1 => expect_key = true,
            '"' => {
                let mut s = String::new();
                while let Some(d) = chars.next() {
                    match d {
                        '\\' => {
                            s.push(d);
                            if let Some(e) = chars.next() {
                                s.push(e);
                            }
                        }
                        '"' => break,
                        _ => s.push(d),
                    }
                }
                if expect_key && depth == 1 {
                    keys.push(s);
                    expect_key = false;
                }
            }
            _ => {}
        }
    }
    keys
}

fn valid_create_function_body() -> Value {
    json!({
        "FunctionName": "my-function",
        "Role": ROLE,
        "Runtime": "python3.12",
        "Handler": "app.handler",
        "Code": { "ZipFile": "UEsDBAoAAAAAAA==" },
    })
}

// ---------------------------------------------------------------------------------------------
// constraint violations, in AWS's wording

#[tokio::test]
async fn function_name_label_breaking_the_pattern_is_a_validation_exception() {
    let (status, headers, body, _) = refused(request("GET", "/2015-03-31/functions/x%20y", &[], b"")).await;
    assert_eq!(status, 400);
    assert_eq!(header(&headers, "x-amzn-errortype"), Some("ValidationException"));
    let pattern = model_pattern("NamespacedFunctionName");
    assert_eq!(
        body["message"].as_str(),
        Some(
            format!(
                "1 validation error detected: Value 'x y' at 'functionName' failed to satisfy constraint: \
                 Member must satisfy regular expression pattern: {pattern}"
            )
            .as_str()
        ),
        "body: {body}"
    );
}

#[tokio::test]
async fn two_range_violations_are_counted_and_joined_with_semicolons() {
    let mut input = valid_create_function_body();
    input["MemorySize"] = json!(40000);
    input["Timeout"] = json!(0);
    let (status, headers, body, _) = refused(json_request("POST", "/2015-03-31/functions", &input)).await;
    assert_eq!(status, 400);
    assert_eq!(header(&headers, "x-amzn-errortype"), Some("ValidationException"));
    let message = body["message"].as_str().expect("a message");
    let items = message
        .strip_prefix("2 validation errors detected: ")
        .unwrap_or_else(|| panic!("unexpected message: {message}"));
    let mut items: Vec<&str> = items.split("; ").collect();
    items.sort();
    assert_eq!(
        items,
        vec![
            "Value '0' at 'timeout' failed to satisfy constraint: Member must have value greater than or equal to 1",
            "Value '40000' at 'memorySize' failed to satisfy constraint: Member must have value less than or equal to 32768",
        ]
    );
}

#[tokio::test]
async fn missing_required_member_is_reported_as_null() {
    let mut input = valid_create_function_body();
    input.as_object_mut().unwrap().remove("Role");
    let (status, headers, body, _) = refused(json_request("POST", "/2015-03-31/functions", &input)).await;
    assert_eq!(status, 400);
    assert_eq!(header(&headers, "x-amzn-errortype"), Some("ValidationException"));
    assert_eq!(
        body["message"].as_str(),
        Some("1 validation error detected: Value null at 'role' failed to satisfy constraint: Member must not be null")
    );
}

#[tokio::test]
async fn a_valid_create_function_is_accepted() {
    // The counterpart of the refusals above: the same body without violations reads.
    let (op, labels) = lambda_server::route(&Method::POST, "/2015-03-31/functions", None).expect("routes");
    assert_eq!(op, Operation::CreateFunction);
    let input = operation::create_function::deserialize_request(
        json_request("POST", "/2015-03-31/functions", &valid_create_function_body()),
        labels,
    )
    .await
    .expect("a valid request reads");
    assert_eq!(input.function_name, "my-function");
    assert_eq!(input.role, ROLE);
    assert_eq!(input.runtime, Some(lambda_server::model::Runtime::Python312));
    assert_eq!(
        input.code.zip_file.as_ref().map(|b| b.as_ref().to_vec()),
        Some(b"PK\x03\x04\n\0\0\0\0\0".to_vec())
    );
    assert!(!input.publish, "Publish defaults to false");
}

// ---------------------------------------------------------------------------------------------
// framework refusals

#[tokio::test]
async fn malformed_json_is_invalid_request_content() {
    let req = request(
        "POST",
        "/2015-03-31/functions",
        &[("content-type", "application/json")],
        b"{\"FunctionName\": ",
    );
    let (status, headers, body, _) = refused(req).await;
    assert_eq!(status, 400);
    assert_eq!(
        header(&headers, "x-amzn-errortype"),
        Some("InvalidRequestContentException")
    );
    assert_eq!(body["Type"], json!("User"));
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()), "body: {body}");
}

#[tokio::test]
async fn unknown_route_is_unknown_operation() {
    let (status, headers, body, _) = refused(request("GET", "/nope", &[], b"")).await;
    assert_eq!(status, 404);
    assert_eq!(header(&headers, "x-amzn-errortype"), Some("UnknownOperationException"));
    assert_eq!(body["Type"], json!("User"));
    assert!(matches!(
        lambda_server::route(&Method::GET, "/nope", None),
        Err(smithy_server_runtime::rejection::Rejection::UnknownOperation)
    ));
}

#[tokio::test]
async fn create_function_as_text_plain_is_unsupported_media_type() {
    let req = request(
        "POST",
        "/2015-03-31/functions",
        &[("content-type", "text/plain")],
        valid_create_function_body().to_string().as_bytes(),
    );
    let (status, headers, _, _) = refused(req).await;
    assert_eq!(status, 415);
    assert_eq!(
        header(&headers, "x-amzn-errortype"),
        Some("UnsupportedMediaTypeException")
    );
}

// ---------------------------------------------------------------------------------------------
// routing

#[tokio::test]
async fn layers_route_on_the_find_query_literal() {
    let arn = "arn:aws:lambda:us-east-1:123456789012:layer:my-layer:3";
    let query = format!("find=LayerVersion&Arn={}", arn.replace(':', "%3A"));
    let (op, labels) = lambda_server::route(&Method::GET, "/2018-10-31/layers", Some(&query)).expect("routes");
    assert_eq!(op, Operation::GetLayerVersionByArn);
    let input = operation::get_layer_version_by_arn::deserialize_request(
        request("GET", &format!("/2018-10-31/layers?{query}"), &[], b""),
        labels,
    )
    .await
    .expect("reads");
    assert_eq!(input.arn, arn);

    let (op, _) = lambda_server::route(&Method::GET, "/2018-10-31/layers", None).expect("routes");
    assert_eq!(op, Operation::ListLayers);
    let (op, _) = lambda_server::route(&Method::GET, "/2018-10-31/layers", Some("MaxItems=5")).expect("routes");
    assert_eq!(op, Operation::ListLayers);
}

#[tokio::test]
async fn provisioned_concurrency_routes_on_the_list_query_literal() {
    let path = "/2019-09-30/functions/f/provisioned-concurrency";
    let (op, labels) = lambda_server::route(&Method::GET, path, Some("List=ALL")).expect("routes");
    assert_eq!(op, Operation::ListProvisionedConcurrencyConfigs);
    assert_eq!(labels, vec!["f".to_string()]);
    let (op, labels) = lambda_server::route(&Method::GET, path, Some("Qualifier=prod")).expect("routes");
    assert_eq!(op, Operation::GetProvisionedConcurrencyConfig);
    let input = operation::get_provisioned_concurrency_config::deserialize_request(
        request("GET", &format!("{path}?Qualifier=prod"), &[], b""),
        labels,
    )
    .await
    .expect("reads");
    assert_eq!(input.function_name, "f");
    assert_eq!(input.qualifier, "prod");
    let (op, _) = lambda_server::route(&Method::GET, path, None).expect("routes");
    assert_eq!(op, Operation::GetProvisionedConcurrencyConfig);
}

#[tokio::test]
async fn function_arn_label_decodes_with_and_without_percent_encoding() {
    for path in [
        format!("/2015-03-31/functions/{}", FUNCTION_ARN.replace(':', "%3A")),
        format!("/2015-03-31/functions/{FUNCTION_ARN}"),
    ] {
        let (op, labels) = lambda_server::route(&Method::GET, &path, None).unwrap_or_else(|e| panic!("{path}: {e:?}"));
        assert_eq!(op, Operation::GetFunction, "{path}");
        let input = operation::get_function::deserialize_request(request("GET", &path, &[], b""), labels)
            .await
            .unwrap_or_else(|e| panic!("{path}: {e:?}"));
        assert_eq!(input.function_name, FUNCTION_ARN, "{path}");
        assert_eq!(input.qualifier, None);
    }
    // An ARN with a version suffix, on Invoke.
    let arn = format!("{FUNCTION_ARN}:$LATEST");
    let path = format!(
        "/2015-03-31/functions/{}/invocations",
        arn.replace(':', "%3A").replace('$', "%24")
    );
    let (op, labels) = lambda_server::route(&Method::POST, &path, None).expect("routes");
    assert_eq!(op, Operation::Invoke);
    let input = operation::invoke::deserialize_request(request("POST", &path, &[], b"{}"), labels)
        .await
        .expect("reads");
    assert_eq!(input.function_name, arn);
    assert_eq!(
        input.payload.as_ref().map(|b| b.as_ref().to_vec()),
        Some(b"{}".to_vec())
    );
}

// ---------------------------------------------------------------------------------------------
// modelled errors

#[tokio::test]
async fn resource_not_found_renders_as_lambda_does() {
    let message = format!("Function not found: {FUNCTION_ARN}");
    let resp = operation::get_function::serialize_error(GetFunctionError::ResourceNotFoundException(
        ResourceNotFoundException {
            message: Some(message.clone()),
            r#type: Some("User".into()),
        },
    ));
    let (status, headers, body, _) = json_response(resp).await;
    assert_eq!(status, 404);
    assert_eq!(header(&headers, "x-amzn-errortype"), Some("ResourceNotFoundException"));
    assert_eq!(header(&headers, "content-type"), Some("application/json"));
    // The model spells this member `Message` (capitalised), unlike e.g. InvalidParameterValueException's `message`.
    assert_eq!(body, json!({ "Type": "User", "Message": message }));
}

#[tokio::test]
async fn unset_type_member_leaves_type_out() {
    // Some of AWS's error bodies have no `Type` (e.g. a missing code signing configuration's
    // ResourceNotFoundException); a handler says so by leaving the member unset.
    let resp = operation::get_function::serialize_error(GetFunctionError::ResourceNotFoundException(
        ResourceNotFoundException {
            message: Some("gone".into()),
            r#type: None,
        },
    ));
    let (status, _, body, _) = json_response(resp).await;
    assert_eq!(status, 404);
    assert_eq!(body, json!({ "Message": "gone" }));
}

#[tokio::test]
async fn request_too_large_is_request_entity_too_large_on_the_wire() {
    // Modelled as RequestTooLargeException; AWS answers `RequestEntityTooLargeException`.
    let resp = operation::invoke::serialize_error(InvokeError::RequestTooLargeException(RequestTooLargeException {
        r#type: None,
        message: Some("big".into()),
    }));
    let (status, headers, body, _) = json_response(resp).await;
    assert_eq!(status, 413);
    assert_eq!(
        header(&headers, "x-amzn-errortype"),
        Some("RequestEntityTooLargeException")
    );
    assert_eq!(body, json!({ "message": "big" }));
}

#[tokio::test]
async fn error_type_member_set_by_a_handler_is_written_once() {
    // Lambda's errors model `Type` as a member; a handler that fills it in (as AWS does, "User")
    // must still get a body with a single `Type` key.
    let resp = operation::get_function::serialize_error(GetFunctionError::ResourceNotFoundException(
        ResourceNotFoundException {
            message: Some("Function not found".into()),
            r#type: Some("User".into()),
        },
    ));
    let (status, _, body, text) = json_response(resp).await;
    assert_eq!(status, 404);
    assert_eq!(body["Type"], json!("User"));
    let keys = top_level_keys(&text);
    assert_eq!(
        keys.iter().filter(|k| *k == "Type").count(),
        1,
        "duplicate keys in {text}"
    );
}

#[tokio::test]
async fn too_many_requests_carries_retry_after_and_reason() {
    let resp = operation::invoke::serialize_error(InvokeError::TooManyRequestsException(TooManyRequestsException {
        reason: Some(ThrottleReason::ReservedFunctionConcurrentInvocationLimitExceeded),
        r#type: Some("User".into()),
        message: Some("Rate Exceeded.".into()),
        retry_after_seconds: Some("3".into()),
    }));
    let (status, headers, body, _) = json_response(resp).await;
    assert_eq!(status, 429);
    assert_eq!(header(&headers, "x-amzn-errortype"), Some("TooManyRequestsException"));
    assert_eq!(header(&headers, "retry-after"), Some("3"));
    assert_eq!(
        body,
        json!({
            "Type": "User",
            "Reason": "ReservedFunctionConcurrentInvocationLimitExceeded",
            "message": "Rate Exceeded.",
        })
    );
}

#[tokio::test]
async fn service_exception_is_a_service_fault() {
    let resp = operation::get_function::serialize_error(GetFunctionError::ServiceException(ServiceException {
        message: Some("internal".into()),
        r#type: Some("Service".into()),
    }));
    let (status, headers, body, _) = json_response(resp).await;
    assert_eq!(status, 500);
    assert_eq!(header(&headers, "x-amzn-errortype"), Some("ServiceException"));
    assert_eq!(body, json!({ "Type": "Service", "Message": "internal" }));
}

// ---------------------------------------------------------------------------------------------
// sensitive members

#[test]
fn debug_output_redacts_environment_and_code() {
    let secret = "s3cr3t-db-password-0xDEADBEEF";
    let request = CreateFunctionRequest {
        function_name: "my-function".into(),
        role: ROLE.into(),
        code: FunctionCode {
            zip_file: Some(Blob::new(b"zip-bytes-ZIPSECRET".to_vec())),
            ..Default::default()
        },
        environment: Some(Environment {
            variables: Some([("DB_PASSWORD".to_string(), secret.to_string())].into_iter().collect()),
        }),
        ..Default::default()
    };
    let shown = format!("{request:?}");
    assert!(
        shown.contains("my-function"),
        "non-sensitive members are shown: {shown}"
    );
    assert!(!shown.contains(secret), "the secret leaks: {shown}");
    assert!(
        !shown.contains("DB_PASSWORD"),
        "environment keys are sensitive too: {shown}"
    );
    assert!(!shown.contains("ZIPSECRET"), "the zip file leaks: {shown}");
    let pretty = format!("{request:#?}");
    assert!(!pretty.contains(secret));
}

// ---------------------------------------------------------------------------------------------
// Invoke and InvokeWithResponseStream responses

#[tokio::test]
async fn invoke_response_is_the_raw_payload_with_header_members() {
    let payload = br#"{"errorMessage":"boom","errorType":"RuntimeError"}"#;
    let resp = operation::invoke::serialize_response(InvocationResponse {
        status_code: 200,
        payload: Some(Blob::new(payload.to_vec())),
        function_error: Some("Unhandled".into()),
        executed_version: Some("$LATEST".into()),
        log_result: Some("U1RBUlQgUmVxdWVzdElk".into()),
        durable_execution_arn: None,
    });
    let (parts, body) = resp.into_parts();
    assert_eq!(parts.status.as_u16(), 200);
    assert_eq!(header(&parts.headers, "x-amz-function-error"), Some("Unhandled"));
    assert_eq!(header(&parts.headers, "x-amz-executed-version"), Some("$LATEST"));
    assert_eq!(header(&parts.headers, "x-amz-log-result"), Some("U1RBUlQgUmVxdWVzdElk"));
    assert!(parts.headers.get("x-amz-durable-execution-arn").is_none());
    assert_eq!(bytes_of(body).await.as_ref(), payload);
}

#[tokio::test]
async fn invoke_status_comes_from_the_status_code_member() {
    // An asynchronous (Event) invocation answers 202 with no payload.
    let resp = operation::invoke::serialize_response(InvocationResponse {
        status_code: 202,
        ..Default::default()
    });
    let (parts, body) = resp.into_parts();
    assert_eq!(parts.status.as_u16(), 202);
    assert!(parts.headers.get("x-amz-function-error").is_none());
    assert!(bytes_of(body).await.is_empty());
}

fn decode_frames(mut buf: Bytes) -> Vec<Message> {
    let mut out = Vec::new();
    while buf.has_remaining() {
        out.push(aws_smithy_eventstream::frame::read_message_from(&mut buf).expect("a well-formed frame"));
    }
    out
}

fn string_header(m: &Message, name: &str) -> Option<String> {
    m.headers()
        .iter()
        .find(|h| h.name().as_str() == name)
        .map(|h| h.value().as_string().expect("a string header").as_str().to_string())
}

#[tokio::test]
async fn invoke_with_response_stream_frames_each_event() {
    let events: Vec<Result<InvokeWithResponseStreamResponseEvent, smithy_server_runtime::BoxError>> = vec![
        Ok(InvokeWithResponseStreamResponseEvent::PayloadChunk(
            InvokeResponseStreamUpdate {
                payload: Some(Blob::new(b"Hello, ".to_vec())),
            },
        )),
        Ok(InvokeWithResponseStreamResponseEvent::PayloadChunk(
            InvokeResponseStreamUpdate {
                payload: Some(Blob::new(b"\x00\xffworld".to_vec())),
            },
        )),
        Ok(InvokeWithResponseStreamResponseEvent::InvokeComplete(
            InvokeWithResponseStreamCompleteEvent {
                error_code: Some("Unhandled".into()),
                error_details: Some("boom".into()),
                log_result: Some("TG9ncw==".into()),
            },
        )),
    ];
    let resp = operation::invoke_with_response_stream::serialize_response(InvokeWithResponseStreamResponse {
        event_stream: EventStream::new(futures_util::stream::iter(events)),
        executed_version: Some("4".into()),
        response_stream_content_type: None,
        status_code: 200,
    });
    let (parts, body) = resp.into_parts();
    assert_eq!(parts.status.as_u16(), 200);
    assert_eq!(
        header(&parts.headers, "content-type"),
        Some("application/vnd.amazon.eventstream")
    );
    assert_eq!(header(&parts.headers, "x-amz-executed-version"), Some("4"));

    let frames = decode_frames(bytes_of(body).await);
    assert_eq!(frames.len(), 3);
    for m in &frames {
        assert_eq!(string_header(m, ":message-type").as_deref(), Some("event"));
    }
    assert_eq!(
        string_header(&frames[0], ":event-type").as_deref(),
        Some("PayloadChunk")
    );
    assert_eq!(frames[0].payload().as_ref(), b"Hello, ");
    assert_eq!(
        string_header(&frames[1], ":event-type").as_deref(),
        Some("PayloadChunk")
    );
    assert_eq!(frames[1].payload().as_ref(), b"\x00\xffworld");
    assert_eq!(
        string_header(&frames[2], ":event-type").as_deref(),
        Some("InvokeComplete")
    );
    let complete: Value = serde_json::from_slice(frames[2].payload()).expect("InvokeComplete is JSON");
    assert_eq!(
        complete,
        json!({ "ErrorCode": "Unhandled", "ErrorDetails": "boom", "LogResult": "TG9ncw==" })
    );
}
