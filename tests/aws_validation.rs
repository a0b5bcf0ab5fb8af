//! Validation answers in real AWS Lambda's exact words, from the real binary over raw HTTP: patterns
//! quoted without their outer `^`/`$` anchors, enum value sets in the model's declaration order,
//! and every violated constraint of a member reported (length before pattern).

mod common;

use common::*;
use http_body_util::BodyExt;

/// `NamespacedFunctionName`'s pattern as AWS quotes it.
const FUNCTION_NAME: &str = r#"(arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_\.]+)(:(\$LATEST(\.PUBLISHED)?|[a-zA-Z0-9-_]+))?"#;
/// `FunctionName`'s (CreateFunction, PublishVersion, aliases, concurrency).
const PLAIN_FUNCTION_NAME: &str = r#"(arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?"#;
const ROLE: &str = r#"arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+"#;
const ZIP: &str = "UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==";

struct Case {
    what: &'static str,
    method: &'static str,
    path: String,
    headers: &'static [(&'static str, &'static str)],
    body: String,
    message: String,
}

fn case(what: &'static str, method: &'static str, path: &str, body: &str, message: String) -> Case {
    Case {
        what,
        method,
        path: path.to_string(),
        headers: &[],
        body: body.to_string(),
        message,
    }
}

fn one(value: &str, at: &str, constraint: &str) -> String {
    format!("1 validation error detected: Value '{value}' at '{at}' failed to satisfy constraint: {constraint}")
}

fn pattern(p: &str) -> String {
    format!("Member must satisfy regular expression pattern: {p}")
}

fn enum_set(values: &str) -> String {
    format!("Member must satisfy enum value set: [{values}]")
}

fn create_function(extra: &str) -> String {
    format!(r#"{{"FunctionName":"f","Role":"arn:aws:iam::123456789012:role/r","Code":{{"ZipFile":"{ZIP}"}}{extra}}}"#)
}

/// Sends one request; the status, the `x-amzn-errortype` header and the body's `message`.
async fn send(server: &Server, c: &Case) -> (u16, String, String) {
    let stream = tokio::net::TcpStream::connect(("127.0.0.1", server.port))
        .await
        .expect("connect");
    let (mut sender, conn) = hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
        .await
        .expect("handshake");
    tokio::spawn(conn);
    let mut req = http::Request::builder()
        .method(c.method)
        .uri(c.path.as_str())
        .header("host", format!("127.0.0.1:{}", server.port));
    if !c.body.is_empty() {
        req = req.header("content-type", "application/json");
    }
    for (k, v) in c.headers {
        req = req.header(*k, *v);
    }
    let req = req
        .body(http_body_util::Full::new(bytes::Bytes::from(c.body.clone())))
        .expect("request");
    let resp = sender.send_request(req).await.expect("response");
    let status = resp.status().as_u16();
    let kind = resp
        .headers()
        .get("x-amzn-errortype")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let body = resp.into_body().collect().await.expect("body").to_bytes();
    let json: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    let message = json["message"]
        .as_str()
        .or(json["Message"].as_str())
        .unwrap_or("")
        .to_string();
    (status, kind, message)
}

async fn check_all(cases: Vec<Case>) {
    let server = Server::start(&[]);
    let mut failures = Vec::new();
    for c in &cases {
        let (status, kind, message) = send(&server, c).await;
        if (status, kind.as_str(), message.as_str()) != (400, "ValidationException", c.message.as_str()) {
            failures.push(format!(
                "{}: {} {}\n  got      {status} {kind} {message}\n  expected 400 ValidationException {}",
                c.what, c.method, c.path, c.message
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn patterns_are_quoted_without_their_outer_anchors() {
    check_all(vec![
        case(
            "function name (label)",
            "GET",
            "/2015-03-31/functions/x%20y",
            "",
            one("x y", "functionName", &pattern(FUNCTION_NAME)),
        ),
        case(
            "function name (CreateFunction body)",
            "POST",
            "/2015-03-31/functions",
            &create_function("").replace(r#""FunctionName":"f""#, r#""FunctionName":"a.b""#),
            one("a.b", "functionName", &pattern(PLAIN_FUNCTION_NAME)),
        ),
        case(
            "role",
            "POST",
            "/2015-03-31/functions",
            &create_function("").replace("arn:aws:iam::123456789012:role/r", "not-a-role"),
            one("not-a-role", "role", &pattern(ROLE)),
        ),
        case(
            "alias name, inner anchors kept",
            "POST",
            "/2015-03-31/functions/f/aliases",
            r#"{"Name":"123","FunctionVersion":"1"}"#,
            one("123", "name", &pattern("(?!^[0-9]+$)([a-zA-Z0-9-_]+)")),
        ),
        case(
            "statement id",
            "POST",
            "/2015-03-31/functions/f/policy",
            r#"{"StatementId":"bad!","Action":"lambda:InvokeFunction","Principal":"s3.amazonaws.com"}"#,
            one("bad!", "statementId", &pattern("([a-zA-Z0-9-_]+)")),
        ),
        case(
            "action",
            "POST",
            "/2015-03-31/functions/f/policy",
            r#"{"StatementId":"s","Action":"invoke","Principal":"s3.amazonaws.com"}"#,
            one("invoke", "action", &pattern("(lambda:[*]|lambda:[a-zA-Z]+|[*])")),
        ),
        case(
            "layer permission action",
            "POST",
            "/2018-10-31/layers/l/versions/1/policy",
            r#"{"StatementId":"s","Action":"lambda:Invoke","Principal":"*"}"#,
            one("lambda:Invoke", "action", &pattern("lambda:GetLayerVersion")),
        ),
        case(
            "qualifier",
            "GET",
            "/2015-03-31/functions/f?Qualifier=bad!",
            "",
            one(
                "bad!",
                "qualifier",
                &pattern(r#"\$(LATEST(\.PUBLISHED)?)|[a-zA-Z0-9-_$]+"#),
            ),
        ),
        case(
            "layer name",
            "GET",
            "/2018-10-31/layers/bad!/versions/1",
            "",
            one(
                "bad!",
                "layerName",
                &pattern(
                    r#"(arn:(aws[a-zA-Z-]*)?:lambda:(eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:\d{12}:layer:[a-zA-Z0-9-_]+)|[a-zA-Z0-9-_]+"#,
                ),
            ),
        ),
        case(
            "layer version ARN in a list",
            "PUT",
            "/2015-03-31/functions/f/configuration",
            r#"{"Layers":["bad!"]}"#,
            one(
                "bad!",
                "layers.1.member",
                &pattern(
                    r#"((arn:(aws[a-zA-Z-]*)?:lambda:(eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+)|(arn:[a-zA-Z0-9-]+:lambda:::awslayer:[a-zA-Z0-9-_]+))"#,
                ),
            ),
        ),
    ])
    .await;
}

#[tokio::test]
async fn enum_value_sets_are_listed_in_declaration_order() {
    check_all(vec![
        case(
            "architectures",
            "POST",
            "/2015-03-31/functions",
            &create_function(r#","Architectures":["arm"]"#),
            one("arm", "architectures.1.member", &enum_set("x86_64, arm64")),
        ),
        case(
            "SnapStart ApplyOn",
            "POST",
            "/2015-03-31/functions",
            &create_function(r#","SnapStart":{"ApplyOn":"Always"}"#),
            one("Always", "snapStart.applyOn", &enum_set("PublishedVersions, None")),
        ),
        case(
            "package type",
            "POST",
            "/2015-03-31/functions",
            &create_function(r#","PackageType":"Jar""#),
            one("Jar", "packageType", &enum_set("Zip, Image")),
        ),
        case(
            "tracing mode",
            "PUT",
            "/2015-03-31/functions/f/configuration",
            r#"{"TracingConfig":{"Mode":"On"}}"#,
            one("On", "tracingConfig.mode", &enum_set("Active, PassThrough")),
        ),
        Case {
            headers: &[("x-amz-invocation-type", "Sync")],
            ..case(
                "invocation type (header)",
                "POST",
                "/2015-03-31/functions/f/invocations",
                "",
                one("Sync", "invocationType", &enum_set("Event, RequestResponse, DryRun")),
            )
        },
        case(
            "update runtime on",
            "PUT",
            "/2021-07-20/functions/f/runtime-management-config",
            r#"{"UpdateRuntimeOn":"Never"}"#,
            one("Never", "updateRuntimeOn", &enum_set("Auto, Manual, FunctionUpdate")),
        ),
        // The one enum Lambda lists in an order of its own (codegen's `enum_value_orders`).
        case(
            "invoke mode",
            "POST",
            "/2021-10-31/functions/f/url",
            r#"{"AuthType":"NONE","InvokeMode":"STREAM"}"#,
            one("STREAM", "invokeMode", &enum_set("RESPONSE_STREAM, BUFFERED")),
        ),
    ])
    .await;
}

#[tokio::test]
async fn every_violated_constraint_is_reported_length_before_pattern() {
    let long_bad = format!("{}!", "a".repeat(256));
    let long_plain = format!("{}!", "a".repeat(140));
    let long_statement = format!("{}!", "s".repeat(100));
    let two = |value: &str, at: &str, first: String, second: String| {
        format!(
            "2 validation errors detected: Value '{value}' at '{at}' failed to satisfy constraint: {first}; \
             Value '{value}' at '{at}' failed to satisfy constraint: {second}"
        )
    };
    check_all(vec![
        case(
            "function name label: length and pattern",
            "GET",
            &format!("/2015-03-31/functions/{long_bad}"),
            "",
            two(
                &long_bad,
                "functionName",
                "Member must have length less than or equal to 256".into(),
                pattern(FUNCTION_NAME),
            ),
        ),
        case(
            "CreateFunction name: length and pattern",
            "POST",
            "/2015-03-31/functions",
            &create_function("").replace(r#""FunctionName":"f""#, &format!(r#""FunctionName":"{long_plain}""#)),
            two(
                &long_plain,
                "functionName",
                "Member must have length less than or equal to 140".into(),
                pattern(PLAIN_FUNCTION_NAME),
            ),
        ),
        // Lambda's own limit on a new function's name (64), beyond the model's 140, worded alike.
        case(
            "CreateFunction name of 65 characters",
            "POST",
            "/2015-03-31/functions",
            &create_function("").replace(
                r#""FunctionName":"f""#,
                &format!(r#""FunctionName":"{}""#, "n".repeat(65)),
            ),
            format!(
                "1 validation error detected: Value '{}' at 'functionName' failed to satisfy constraint: \
                 Member must have length less than or equal to 64",
                "n".repeat(65)
            ),
        ),
        case(
            "statement id: length and pattern",
            "POST",
            "/2015-03-31/functions/f/policy",
            &format!(r#"{{"StatementId":"{long_statement}","Action":"lambda:InvokeFunction","Principal":"*"}}"#),
            two(
                &long_statement,
                "statementId",
                "Member must have length less than or equal to 100".into(),
                pattern("([a-zA-Z0-9-_]+)"),
            ),
        ),
        case(
            "several members",
            "GET",
            "/2015-03-31/functions/?MaxItems=0&FunctionVersion=SOME",
            "",
            "2 validation errors detected: Value 'SOME' at 'functionVersion' failed to satisfy constraint: \
             Member must satisfy enum value set: [ALL]; Value '0' at 'maxItems' failed to satisfy constraint: \
             Member must have value greater than or equal to 1"
                .into(),
        ),
    ])
    .await;
}
