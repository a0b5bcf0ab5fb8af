//! Issue 16, answering like real AWS: the function state machine in its fields (rule 10), qualified
//! `$LATEST` ARNs in version listings (rule 11), size limits (rule 7) and error body shapes (rule 12),
//! each pinned to AWS's exact strings against the real binary.

mod common;

use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{
    FunctionCode, FunctionVersion, LastUpdateStatus, PackageType, Runtime, State, StateReasonCode,
};
use common::*;
use http_body_util::BodyExt;

/// A raw request to the server: the status, the `X-Amzn-ErrorType` header and the JSON body.
async fn raw(server: &Server, method: &str, path: &str, body: Vec<u8>) -> (u16, String, serde_json::Value) {
    raw_sent(server, method, path, body, false).await
}

/// As `raw`; `chunked`: the body in 1 MB chunks, without a `Content-Length`.
async fn raw_sent(
    server: &Server,
    method: &str,
    path: &str,
    body: Vec<u8>,
    chunked: bool,
) -> (u16, String, serde_json::Value) {
    let stream = tokio::net::TcpStream::connect(("127.0.0.1", server.port))
        .await
        .expect("connect");
    let (mut send, conn) = hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
        .await
        .expect("handshake");
    tokio::spawn(conn);
    let mut req = http::Request::builder()
        .method(method)
        .uri(path)
        .header("host", format!("127.0.0.1:{}", server.port))
        .header("content-type", "application/json");
    let body = if chunked {
        let chunks: Vec<Result<hyper::body::Frame<bytes::Bytes>, std::convert::Infallible>> = body
            .chunks(1 << 20)
            .map(|c| Ok(hyper::body::Frame::data(bytes::Bytes::copy_from_slice(c))))
            .collect();
        http_body_util::StreamBody::new(futures_util::stream::iter(chunks)).boxed()
    } else {
        req = req.header("content-length", body.len());
        http_body_util::Full::new(bytes::Bytes::from(body)).boxed()
    };
    let req = req.body(body).expect("request");
    let resp = send.send_request(req).await.expect("response");
    let status = resp.status().as_u16();
    let code = resp
        .headers()
        .get("x-amzn-errortype")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let bytes = resp.into_body().collect().await.expect("body").to_bytes();
    let json = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null);
    (status, code, json)
}

fn create_body(name: &str, runtime: &str) -> serde_json::Value {
    use base64::Engine;
    serde_json::json!({
        "FunctionName": name,
        "Runtime": runtime,
        "Role": ROLE,
        "Handler": "app.handler",
        "Code": {"ZipFile": base64::engine::general_purpose::STANDARD.encode(echo_zip())},
    })
}

fn sha256_hex(s: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

// ---- Rule 10: the state machine shows in the function's fields ----

#[tokio::test]
async fn create_answers_pending_without_last_update_status() {
    let server = Server::start(&[]);
    let (status, _, body) = raw(
        &server,
        "POST",
        "/2015-03-31/functions",
        create_body("st-create", "python3.12").to_string().into_bytes(),
    )
    .await;
    assert_eq!(status, 201);
    assert_eq!(body["State"], "Pending");
    assert_eq!(body["StateReason"], "The function is being created.");
    assert_eq!(body["StateReasonCode"], "Creating");
    let obj = body.as_object().expect("object");
    assert!(!obj.contains_key("LastUpdateStatus"), "{body}");
    assert!(!obj.contains_key("RuntimeVersionConfig"), "{body}");
}

#[tokio::test]
async fn activation_and_update_change_the_revision_and_show_the_runtime_version() {
    let server = Server::start(&[]);
    let c = server.client();
    let created = create_echo(&c, "st-rev").await;
    assert_eq!(created.state(), Some(&State::Pending));
    assert_eq!(created.state_reason(), Some("The function is being created."));
    assert_eq!(created.state_reason_code(), Some(&StateReasonCode::Creating));
    assert_eq!(created.last_update_status(), None);
    assert_eq!(created.runtime_version_config(), None);

    let active = c
        .get_function_configuration()
        .function_name("st-rev")
        .send()
        .await
        .unwrap();
    assert_eq!(active.state(), Some(&State::Active));
    assert_eq!(active.state_reason(), None);
    assert_eq!(active.last_update_status(), Some(&LastUpdateStatus::Successful));
    assert_ne!(
        active.revision_id(),
        created.revision_id(),
        "Active gets a new RevisionId"
    );
    let expected = format!("arn:aws:lambda:us-east-1::runtime:{}", sha256_hex("python3.12"));
    assert_eq!(
        active.runtime_version_config().and_then(|r| r.runtime_version_arn()),
        Some(expected.as_str())
    );

    // An update: InProgress with its own revision, then Successful with another.
    let updated = c
        .update_function_configuration()
        .function_name("st-rev")
        .description("d")
        .send()
        .await
        .unwrap();
    assert_eq!(updated.last_update_status(), Some(&LastUpdateStatus::InProgress));
    assert_ne!(updated.revision_id(), active.revision_id());
    wait_active(&c, "st-rev").await;
    let done = c
        .get_function_configuration()
        .function_name("st-rev")
        .send()
        .await
        .unwrap();
    assert_eq!(done.last_update_status(), Some(&LastUpdateStatus::Successful));
    assert_ne!(
        done.revision_id(),
        updated.revision_id(),
        "a finished update gets a new RevisionId"
    );

    // Same for a code update.
    let code = c
        .update_function_code()
        .function_name("st-rev")
        .zip_file(Blob::new(zip(&[("app.py", "def handler(e, c):\n    return 1\n")])))
        .send()
        .await
        .unwrap();
    assert_eq!(code.last_update_status(), Some(&LastUpdateStatus::InProgress));
    wait_active(&c, "st-rev").await;
    let done2 = c
        .get_function_configuration()
        .function_name("st-rev")
        .send()
        .await
        .unwrap();
    assert_ne!(done2.revision_id(), code.revision_id());
}

#[tokio::test]
async fn runtime_version_arn_is_stable_per_runtime_and_absent_for_images() {
    let server = Server::start(&[]);
    let c = server.client();
    for (name, runtime) in [
        ("rv-py", Runtime::Python312),
        ("rv-py2", Runtime::Python312),
        ("rv-node", Runtime::Nodejs22x),
        ("rv-prov", Runtime::Providedal2023),
    ] {
        c.create_function()
            .function_name(name)
            .runtime(runtime.clone())
            .role(ROLE)
            .handler("app.handler")
            .code(FunctionCode::builder().zip_file(Blob::new(echo_zip())).build())
            .send()
            .await
            .unwrap();
        wait_active(&c, name).await;
        let got = c.get_function().function_name(name).send().await.unwrap();
        let arn = got
            .configuration()
            .and_then(|c| c.runtime_version_config())
            .and_then(|r| r.runtime_version_arn())
            .expect("RuntimeVersionArn")
            .to_string();
        assert_eq!(
            arn,
            format!("arn:aws:lambda:us-east-1::runtime:{}", sha256_hex(runtime.as_str())),
            "{name}"
        );
    }
    // In another region the ARN names that region.
    let west = server.client_in("eu-west-1");
    create_echo(&west, "rv-west").await;
    let got = west
        .get_function_configuration()
        .function_name("rv-west")
        .send()
        .await
        .unwrap();
    assert_eq!(
        got.runtime_version_config().and_then(|r| r.runtime_version_arn()),
        Some(format!("arn:aws:lambda:eu-west-1::runtime:{}", sha256_hex("python3.12")).as_str())
    );

    c.create_function()
        .function_name("rv-image")
        .package_type(PackageType::Image)
        .role(ROLE)
        .code(
            FunctionCode::builder()
                .image_uri("000000000000.dkr.ecr.us-east-1.amazonaws.com/x:latest")
                .build(),
        )
        .send()
        .await
        .unwrap();
    wait_active(&c, "rv-image").await;
    let img = c
        .get_function_configuration()
        .function_name("rv-image")
        .send()
        .await
        .unwrap();
    assert_eq!(img.runtime_version_config(), None);
}

#[tokio::test]
async fn versions_published_during_an_update_start_pending() {
    let server = Server::start(&[]);
    let c = server.client();
    create_echo(&c, "st-pub").await;
    // Published by the update itself: Pending, like AWS, then Active.
    let v = c
        .update_function_code()
        .function_name("st-pub")
        .zip_file(Blob::new(zip(&[("app.py", "def handler(e, c):\n    return 2\n")])))
        .publish(true)
        .send()
        .await
        .unwrap();
    assert_eq!(v.version(), Some("1"));
    assert_eq!(v.state(), Some(&State::Pending));
    assert_eq!(v.state_reason(), Some("The function is being created."));
    assert_eq!(v.state_reason_code(), Some(&StateReasonCode::Creating));
    wait_active(&c, "st-pub").await;
    let got = eventually("version 1 is Active", std::time::Duration::from_secs(5), || {
        let c = c.clone();
        async move {
            let v = c
                .get_function_configuration()
                .function_name("st-pub")
                .qualifier("1")
                .send()
                .await
                .unwrap();
            if v.state() == Some(&State::Active) {
                Ok(v)
            } else {
                Err(format!("{:?}", v.state()))
            }
        }
    })
    .await;
    assert_eq!(got.last_update_status(), Some(&LastUpdateStatus::Successful));
    assert_ne!(got.revision_id(), v.revision_id());

    // Published from an Active, settled function: Active at once.
    c.update_function_configuration()
        .function_name("st-pub")
        .memory_size(256)
        .send()
        .await
        .unwrap();
    wait_active(&c, "st-pub").await;
    let v2 = c.publish_version().function_name("st-pub").send().await.unwrap();
    assert_eq!(v2.version(), Some("2"));
    assert_eq!(v2.state(), Some(&State::Active));
    assert_eq!(v2.last_update_status(), Some(&LastUpdateStatus::Successful));

    // CreateFunction with Publish: the version is Pending with the function.
    let created = c
        .create_function()
        .function_name("st-pub-create")
        .runtime(Runtime::Python312)
        .role(ROLE)
        .handler("app.handler")
        .code(FunctionCode::builder().zip_file(Blob::new(echo_zip())).build())
        .publish(true)
        .send()
        .await
        .unwrap();
    assert_eq!(created.version(), Some("1"));
    assert_eq!(created.state(), Some(&State::Pending));
    assert_eq!(created.last_update_status(), None);
}

// ---- Rule 11: qualified `$LATEST` ARNs in version listings ----

#[tokio::test]
async fn version_listings_qualify_latest() {
    let server = Server::start(&[]);
    let c = server.client();
    create_echo(&c, "ls-a").await;
    c.publish_version().function_name("ls-a").send().await.unwrap();
    let base = "arn:aws:lambda:us-east-1:000000000000:function:ls-a";

    let versions = c
        .list_versions_by_function()
        .function_name("ls-a")
        .send()
        .await
        .unwrap();
    let arns: Vec<&str> = versions.versions().iter().filter_map(|v| v.function_arn()).collect();
    assert_eq!(arns, vec![format!("{base}:$LATEST"), format!("{base}:1")]);

    let all = c
        .list_functions()
        .function_version(FunctionVersion::All)
        .send()
        .await
        .unwrap();
    let arns: Vec<&str> = all.functions().iter().filter_map(|v| v.function_arn()).collect();
    assert_eq!(arns, vec![format!("{base}:$LATEST"), format!("{base}:1")]);

    // Without FunctionVersion=ALL, ListFunctions gives the unqualified ARN; so do the reads.
    let plain = c.list_functions().send().await.unwrap();
    let arns: Vec<&str> = plain.functions().iter().filter_map(|v| v.function_arn()).collect();
    assert_eq!(arns, vec![base]);
    let got = c
        .get_function_configuration()
        .function_name("ls-a")
        .send()
        .await
        .unwrap();
    assert_eq!(got.function_arn(), Some(base));
}

// ---- Rule 7: size limits answer 413 RequestEntityTooLargeException ----

/// A JSON body with a base64 `ZipFile` of `zip_len` bytes (not a real zip: the size is checked
/// first), for each upload operation.
fn upload_body(op: &str, zip_len: usize) -> Vec<u8> {
    use base64::Engine;
    let zip = base64::engine::general_purpose::STANDARD.encode(vec![b'z'; zip_len]);
    let v = match op {
        "CreateFunction" => serde_json::json!({
            "FunctionName": "big", "Runtime": "python3.12", "Role": ROLE, "Handler": "app.handler",
            "Code": {"ZipFile": zip},
        }),
        "UpdateFunctionCode" => serde_json::json!({"ZipFile": zip}),
        _ => serde_json::json!({"Content": {"ZipFile": zip}}),
    };
    v.to_string().into_bytes()
}

const UPLOADS: &[(&str, &str, &str)] = &[
    ("CreateFunction", "POST", "/2015-03-31/functions"),
    ("UpdateFunctionCode", "PUT", "/2015-03-31/functions/target/code"),
    ("PublishLayerVersion", "POST", "/2018-10-31/layers/big-layer/versions"),
];

#[tokio::test]
async fn oversized_upload_requests_answer_413_with_the_operation() {
    let server = Server::start(&[]);
    create_echo(&server.client(), "target").await;
    for (op, method, path) in UPLOADS {
        // One byte over AWS's limit for the whole request.
        let mut body = upload_body(op, 10);
        body.resize(70_167_212, b' ');
        let (status, code, json) = raw(&server, method, path, body).await;
        assert_eq!(status, 413, "{op}");
        assert_eq!(code, "RequestEntityTooLargeException", "{op}");
        assert_eq!(
            json,
            serde_json::json!({"message": format!("Request must be smaller than 70167211 bytes for the {op} operation")}),
            "{op}: no Type in AWS's 413 body"
        );
    }
    // Sent in chunks, without a Content-Length: read up to the limit, then the same 413.
    for (op, method, path) in UPLOADS {
        let mut body = upload_body(op, 10);
        body.resize(70_167_212, b' ');
        let (status, code, json) = raw_sent(&server, method, path, body, true).await;
        assert_eq!(
            (status, code.as_str()),
            (413, "RequestEntityTooLargeException"),
            "{op} chunked"
        );
        assert_eq!(
            json,
            serde_json::json!({"message": format!("Request must be smaller than 70167211 bytes for the {op} operation")}),
            "{op} chunked"
        );
    }
    // At the limit, the request is read (and answered by the operation's own rules).
    let mut body = upload_body("UpdateFunctionCode", 10);
    body.resize(70_167_211, b' ');
    let (status, code, _) = raw(&server, "PUT", "/2015-03-31/functions/target/code", body).await;
    assert_ne!(status, 413, "{code}");
}

#[tokio::test]
async fn oversized_zips_answer_413_zipped_size() {
    let server = Server::start(&[]);
    let c = server.client();
    create_echo(&c, "target").await;
    for (op, method, path) in UPLOADS {
        let (status, code, json) = raw(&server, method, path, upload_body(op, 52_428_801)).await;
        assert_eq!(status, 413, "{op}");
        assert_eq!(code, "RequestEntityTooLargeException", "{op}");
        assert_eq!(
            json,
            serde_json::json!({"message": "Zipped size must be smaller than 52428800 bytes"}),
            "{op}"
        );
    }
    // Through the SDK: the code AWS sends, the message.
    use aws_sdk_lambda::error::ProvideErrorMetadata;
    let e = c
        .update_function_code()
        .function_name("target")
        .zip_file(Blob::new(vec![b'z'; 52_428_801]))
        .send()
        .await
        .expect_err("too large");
    assert_eq!(e.code(), Some("RequestEntityTooLargeException"));
    assert_eq!(e.message(), Some("Zipped size must be smaller than 52428800 bytes"));
    assert_eq!(e.raw_response().map(|r| r.status().as_u16()), Some(413));
}

// ---- Rule 12: `Type` in error bodies only where AWS's bodies have it ----

#[tokio::test]
async fn error_bodies_carry_type_only_where_aws_does() {
    let server = Server::start(&[]);
    let c = server.client();
    create_echo(&c, "eb").await;
    c.publish_version().function_name("eb").send().await.unwrap();
    let csc = "arn:aws:lambda:us-east-1:000000000000:code-signing-config:csc-0123456789abcdef0";
    // (what, method, path, body, status, code, exact body)
    let cases: Vec<(&str, &str, String, serde_json::Value, u16, &str, serde_json::Value)> = vec![
        (
            "CreateAlias routing from $LATEST",
            "POST",
            "/2015-03-31/functions/eb/aliases".into(),
            serde_json::json!({"Name": "live", "FunctionVersion": "$LATEST",
                "RoutingConfig": {"AdditionalVersionWeights": {"1": 0.5}}}),
            400,
            "InvalidParameterValueException",
            serde_json::json!({"message": "$LATEST is not supported for an alias pointing to more than 1 version"}),
        ),
        (
            "PutFunctionConcurrency below the unreserved minimum",
            "PUT",
            "/2017-10-31/functions/eb/concurrency".into(),
            serde_json::json!({"ReservedConcurrentExecutions": 950}),
            400,
            "InvalidParameterValueException",
            serde_json::json!({"message": "Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [100]."}),
        ),
        (
            "PutProvisionedConcurrencyConfig below the unreserved minimum",
            "PUT",
            "/2019-09-30/functions/eb/provisioned-concurrency?Qualifier=1".into(),
            serde_json::json!({"ProvisionedConcurrentExecutions": 950}),
            400,
            "InvalidParameterValueException",
            serde_json::json!({"message": "Specified ConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [100]."}),
        ),
        (
            "GetCodeSigningConfig of a missing config (issue 16: no Type)",
            "GET",
            format!("/2020-04-22/code-signing-configs/{csc}"),
            serde_json::Value::Null,
            404,
            "CodeSigningConfigNotFoundException",
            serde_json::Value::Null,
        ),
        (
            "PutFunctionCodeSigningConfig with a missing config (Type kept, recorded)",
            "PUT",
            "/2020-06-30/functions/eb/code-signing-config".into(),
            serde_json::json!({"CodeSigningConfigArn": csc}),
            404,
            "CodeSigningConfigNotFoundException",
            serde_json::json!({"Type": "User", "Message": format!("The code signing configuration cannot be found. Check that the provided configuration is not deleted: {csc}.")}),
        ),
        (
            "GetFunction of a missing function (Type kept)",
            "GET",
            "/2015-03-31/functions/nope".into(),
            serde_json::Value::Null,
            404,
            "ResourceNotFoundException",
            serde_json::json!({"Type": "User", "Message": "Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope"}),
        ),
        (
            "PublishVersion with a stale revision (Type kept)",
            "POST",
            "/2015-03-31/functions/eb/versions".into(),
            serde_json::json!({"RevisionId": "stale"}),
            412,
            "PreconditionFailedException",
            serde_json::json!({"Type": "User", "message": "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id"}),
        ),
    ];
    for (what, method, path, body, status, code, expected) in cases {
        let bytes = if body.is_null() {
            Vec::new()
        } else {
            body.to_string().into_bytes()
        };
        let (got_status, got_code, got) = raw(&server, method, &path, bytes).await;
        assert_eq!(got_status, status, "{what}: {got}");
        assert_eq!(got_code, code, "{what}");
        if expected.is_null() {
            // The wording is another rule's; the shape is this one's: a message and no `Type`.
            let obj = got.as_object().expect("object");
            assert!(!obj.contains_key("Type"), "{what}: {got}");
            assert!(obj.contains_key("Message"), "{what}: {got}");
        } else {
            assert_eq!(got, expected, "{what}");
        }
    }
}
