//! fauxlambda's own endpoints under `/_fauxlambda/` (health, packages, invocations, environments,
//! evict, reset) on the real binary over plain HTTP, and the pool's environment listing they read.

mod common;

use aws_sdk_lambda::primitives::Blob;
use common::{eventually, Server};
use fauxlambda::execution::pool::EnvironmentState;
use fauxlambda::execution::{ExecutorConfig, FunctionSpec, Invocation, Pool, PoolConfig, ProcessExecutor};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::time::Duration;

/// One plain HTTP request: (status, headers, body).
async fn call(server: &Server, method: &str, path: &str) -> (u16, http::HeaderMap, Vec<u8>) {
    use http_body_util::BodyExt;
    let stream = tokio::net::TcpStream::connect(("127.0.0.1", server.port))
        .await
        .expect("connect");
    let (mut send, conn) = hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
        .await
        .expect("handshake");
    tokio::spawn(conn);
    let req = http::Request::builder()
        .method(method)
        .uri(path)
        .header("host", format!("127.0.0.1:{}", server.port))
        .body(http_body_util::Empty::<bytes::Bytes>::new())
        .expect("request");
    let resp = send.send_request(req).await.expect("request");
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let body = resp.into_body().collect().await.expect("body").to_bytes().to_vec();
    (status, headers, body)
}

/// A JSON endpoint: (status, body), checking the content type.
async fn call_json(server: &Server, method: &str, path: &str) -> (u16, Value) {
    let (status, headers, body) = call(server, method, path).await;
    assert_eq!(
        headers.get("content-type").and_then(|v| v.to_str().ok()),
        Some("application/json"),
        "{method} {path}"
    );
    let v = serde_json::from_slice(&body)
        .unwrap_or_else(|e| panic!("{method} {path}: {e}: {}", String::from_utf8_lossy(&body)));
    (status, v)
}

#[tokio::test]
async fn health() {
    let server = Server::start(&[]);
    assert_eq!(
        call_json(&server, "GET", "/_fauxlambda/health").await,
        (200, json!({"status": "ok"}))
    );
}

#[tokio::test]
async fn unknown_endpoints_methods_and_parameters() {
    let server = Server::start(&[]);
    let (status, body) = call_json(&server, "GET", "/_fauxlambda/nope").await;
    assert_eq!(status, 404);
    assert_eq!(body, json!({"message": "no fauxlambda endpoint /_fauxlambda/nope"}));
    assert_eq!(
        call_json(&server, "POST", "/_fauxlambda/functions/f/evict/more")
            .await
            .0,
        404
    );

    let (status, headers, body) = call(&server, "GET", "/_fauxlambda/reset").await;
    assert_eq!(status, 405);
    assert_eq!(headers.get("allow").and_then(|v| v.to_str().ok()), Some("POST"));
    let body: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(body["message"], "method GET not allowed here (allowed: POST)");
    assert_eq!(call_json(&server, "POST", "/_fauxlambda/health").await.0, 405);
    assert_eq!(call_json(&server, "GET", "/_fauxlambda/functions/f/evict").await.0, 405);
    assert_eq!(
        call_json(&server, "POST", "/_fauxlambda/functions/f/environments")
            .await
            .0,
        405
    );

    let (status, body) = call_json(&server, "GET", "/_fauxlambda/invocations?limit=0").await;
    assert_eq!(
        (status, body),
        (400, json!({"message": "limit must be a positive integer, got '0'"}))
    );
    let (status, body) = call_json(&server, "GET", "/_fauxlambda/environments?function=a%20b").await;
    assert_eq!((status, body), (400, json!({"message": "Invalid function name: a b"})));
    let (status, body) = call_json(&server, "POST", "/_fauxlambda/functions/a.b/evict").await;
    assert_eq!((status, body), (400, json!({"message": "Invalid function name: a.b"})));
    let (status, body) = call_json(&server, "GET", "/_fauxlambda/packages/0000.zip").await;
    assert_eq!((status, body), (404, json!({"message": "no such package"})));
}

#[tokio::test]
async fn package_download() {
    let server = Server::start(&[]);
    let client = server.client();
    let out = client
        .create_function()
        .function_name("pkg")
        .runtime(aws_sdk_lambda::types::Runtime::Python312)
        .role(common::ROLE)
        .handler("app.handler")
        .code(
            aws_sdk_lambda::types::FunctionCode::builder()
                .zip_file(Blob::new(common::echo_zip()))
                .build(),
        )
        .send()
        .await
        .unwrap();
    let sha = out.code_sha256().unwrap().to_string();
    let location = client
        .get_function()
        .function_name("pkg")
        .send()
        .await
        .unwrap()
        .code()
        .unwrap()
        .location()
        .unwrap()
        .to_string();
    assert!(location.contains("/_fauxlambda/packages/"), "{location}");
    let zip = common::http_get(&location).await;
    assert_eq!(zip, common::echo_zip());
    let (status, headers, _) = call(
        &server,
        "GET",
        location.split_once(&format!(":{}", server.port)).unwrap().1,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(headers.get("content-type").unwrap(), "application/zip");
    // The location names the package by content.
    use base64::Engine;
    let hex: String = base64::engine::general_purpose::STANDARD
        .decode(sha)
        .unwrap()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert!(location.ends_with(&format!("/{hex}.zip")), "{location}");
}

#[tokio::test]
async fn empty_listings_and_evict_without_environments() {
    let server = Server::start(&[]);
    let client = server.client();
    assert_eq!(
        call_json(&server, "GET", "/_fauxlambda/invocations").await,
        (200, json!({"invocations": []}))
    );
    assert_eq!(
        call_json(&server, "GET", "/_fauxlambda/environments").await,
        (200, json!({"environments": []}))
    );
    common::create_echo(&client, "idle-fn").await;
    assert_eq!(
        call_json(&server, "POST", "/_fauxlambda/functions/idle-fn/evict").await,
        (200, json!({"evicted": 0}))
    );
    assert_eq!(
        call_json(&server, "DELETE", "/_fauxlambda/functions/idle-fn/environments").await,
        (200, json!({"evicted": 0}))
    );
    let arn = "arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Aidle-fn";
    assert_eq!(
        call_json(&server, "POST", &format!("/_fauxlambda/functions/{arn}/evict")).await,
        (200, json!({"evicted": 0}))
    );
    let (status, body) = call_json(&server, "POST", "/_fauxlambda/functions/ghost/evict").await;
    assert_eq!((status, body), (404, json!({"message": "Function not found: ghost"})));
}

#[tokio::test]
async fn reset_empties_the_control_plane() {
    let server = Server::start(&[]);
    let client = server.client();
    common::create_echo(&client, "r1").await;
    common::create_echo(&client, "r2").await;
    client.publish_version().function_name("r1").send().await.unwrap();
    client
        .create_alias()
        .function_name("r1")
        .name("live")
        .function_version("1")
        .send()
        .await
        .unwrap();
    let layer = common::zip(&[("python/x.py", "X = 1\n")]);
    client
        .publish_layer_version()
        .layer_name("lay")
        .content(
            aws_sdk_lambda::types::LayerVersionContentInput::builder()
                .zip_file(Blob::new(layer))
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(client.list_functions().send().await.unwrap().functions().len(), 2);

    assert_eq!(
        call_json(&server, "POST", "/_fauxlambda/reset").await,
        (200, json!({"status": "ok", "evicted": 0}))
    );

    assert!(client.list_functions().send().await.unwrap().functions().is_empty());
    assert!(client.list_layers().send().await.unwrap().layers().is_empty());
    let err = client.get_function().function_name("r1").send().await.unwrap_err();
    let err = err.into_service_error();
    assert!(err.is_resource_not_found_exception(), "{err:?}");
    assert_eq!(
        call_json(&server, "GET", "/_fauxlambda/invocations").await,
        (200, json!({"invocations": []}))
    );
    assert_eq!(
        call_json(&server, "GET", "/_fauxlambda/environments").await,
        (200, json!({"environments": []}))
    );
    // The same names can be created again.
    common::create_echo(&client, "r1").await;
    assert_eq!(client.list_functions().send().await.unwrap().functions().len(), 1);
}

// ---- Through Invoke (end to end). ----

async fn invoke(client: &aws_sdk_lambda::Client, name: &str, payload: &str) {
    let out = client
        .invoke()
        .function_name(name)
        .payload(Blob::new(payload))
        .send()
        .await
        .expect("invoke");
    assert_eq!(out.status_code(), 200);
    assert_eq!(out.function_error(), None);
}

#[tokio::test]
async fn invocations_environments_and_evict_through_invoke() {
    let server = Server::start(&[]);
    let client = server.client();
    common::create_echo(&client, "inv-a").await;
    common::create_echo(&client, "inv-b").await;
    invoke(&client, "inv-a", r#"{"n":1}"#).await;
    invoke(&client, "inv-a", r#"{"n":2}"#).await;
    invoke(&client, "inv-b", r#"{"n":3}"#).await;

    // Newest first, with their logs.
    let (status, body) = call_json(&server, "GET", "/_fauxlambda/invocations").await;
    assert_eq!(status, 200);
    let list = body["invocations"].as_array().unwrap();
    assert_eq!(list.len(), 3);
    let functions: Vec<&str> = list.iter().map(|i| i["function"].as_str().unwrap()).collect();
    assert_eq!(functions, ["inv-b", "inv-a", "inv-a"]);
    let first_a = &list[2];
    let second_a = &list[1];
    for i in list {
        let id = i["requestId"].as_str().unwrap();
        assert_eq!(i["executedVersion"], "$LATEST");
        assert_eq!(i["invocationType"], "RequestResponse");
        assert_eq!(i["status"], "success");
        assert_eq!(i["errorType"], Value::Null);
        assert!(i["startMs"].as_u64().unwrap() > 1_600_000_000_000);
        assert!(i["start"].as_str().unwrap().ends_with('Z'));
        assert!(i["durationMs"].as_f64().unwrap() >= 0.0);
        assert_eq!(i["environmentId"].as_str().unwrap().len(), 32);
        let log = i["log"].as_str().unwrap();
        assert!(
            log.contains(&format!("START RequestId: {id} Version: $LATEST")),
            "{log}"
        );
        assert!(log.contains(&format!("END RequestId: {id}")), "{log}");
        assert!(log.contains(&format!("REPORT RequestId: {id}\tDuration: ")), "{log}");
    }
    assert_eq!(first_a["coldStart"], true);
    assert_eq!(second_a["coldStart"], false);
    assert_eq!(first_a["environmentId"], second_a["environmentId"]);
    assert!(first_a["startMs"].as_u64() <= second_a["startMs"].as_u64());

    let (_, body) = call_json(&server, "GET", "/_fauxlambda/invocations?function=inv-a&limit=1").await;
    let list = body["invocations"].as_array().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["requestId"], second_a["requestId"]);

    // One warm environment per function.
    let (_, body) = call_json(&server, "GET", "/_fauxlambda/environments?function=inv-a").await;
    let envs = body["environments"].as_array().unwrap();
    assert_eq!(envs.len(), 1, "{body}");
    let e = &envs[0];
    assert_eq!(e["function"], "inv-a");
    assert_eq!(e["version"], "$LATEST");
    assert_eq!(e["environmentId"], first_a["environmentId"]);
    assert_eq!(e["state"], "idle");
    assert_eq!(e["invocations"], 2);
    assert!(e["pid"].as_u64().unwrap() > 0);
    assert!(e["ageMs"].as_u64().unwrap() >= e["idleMs"].as_u64().unwrap());
    let (_, body) = call_json(&server, "GET", "/_fauxlambda/environments").await;
    assert_eq!(body["environments"].as_array().unwrap().len(), 2);

    // Evicted: gone from the listing, and the next invoke is a cold start on a new environment.
    assert_eq!(
        call_json(&server, "POST", "/_fauxlambda/functions/inv-a/evict").await,
        (200, json!({"evicted": 1}))
    );
    assert_eq!(
        call_json(&server, "GET", "/_fauxlambda/environments?function=inv-a")
            .await
            .1,
        json!({"environments": []})
    );
    invoke(&client, "inv-a", "{}").await;
    let (_, body) = call_json(&server, "GET", "/_fauxlambda/invocations?limit=1").await;
    let newest = &body["invocations"][0];
    assert_eq!(newest["coldStart"], true);
    assert_ne!(newest["environmentId"], first_a["environmentId"]);
    assert_eq!(
        call_json(&server, "DELETE", "/_fauxlambda/functions/inv-a/environments").await,
        (200, json!({"evicted": 1}))
    );

    // Reset: no environments, no invocations, no functions.
    assert_eq!(
        call_json(&server, "POST", "/_fauxlambda/reset").await,
        (200, json!({"status": "ok", "evicted": 1}))
    );
    assert_eq!(
        call_json(&server, "GET", "/_fauxlambda/environments").await.1,
        json!({"environments": []})
    );
    assert_eq!(
        call_json(&server, "GET", "/_fauxlambda/invocations").await.1,
        json!({"invocations": []})
    );
    assert!(client.list_functions().send().await.unwrap().functions().is_empty());
}

#[tokio::test]
async fn failed_and_event_invocations_are_recorded() {
    let server = Server::start(&[]);
    let client = server.client();
    let code =
        "def handler(event, context):\n    if event.get('fail'):\n        raise ValueError('boom')\n    return event\n";
    client
        .create_function()
        .function_name("rec")
        .runtime(aws_sdk_lambda::types::Runtime::Python312)
        .role(common::ROLE)
        .handler("app.handler")
        .code(
            aws_sdk_lambda::types::FunctionCode::builder()
                .zip_file(Blob::new(common::zip(&[("app.py", code)])))
                .build(),
        )
        .send()
        .await
        .unwrap();
    common::wait_active(&client, "rec").await;
    client.publish_version().function_name("rec").send().await.unwrap();
    let out = client
        .invoke()
        .function_name("rec")
        .qualifier("1")
        .payload(Blob::new(r#"{"fail":true}"#))
        .send()
        .await
        .unwrap();
    assert_eq!(out.function_error(), Some("Unhandled"));
    let (_, body) = call_json(&server, "GET", "/_fauxlambda/invocations").await;
    let i = &body["invocations"][0];
    assert_eq!(
        (&i["function"], &i["qualifier"], &i["executedVersion"]),
        (&json!("rec"), &json!("1"), &json!("1"))
    );
    assert_eq!((&i["status"], &i["errorType"]), (&json!("error"), &json!("ValueError")));
    assert!(i["log"].as_str().unwrap().contains("boom"), "{i}");

    let out = client
        .invoke()
        .function_name("rec")
        .invocation_type(aws_sdk_lambda::types::InvocationType::Event)
        .payload(Blob::new("{}"))
        .send()
        .await
        .unwrap();
    assert_eq!(out.status_code(), 202);
    let body = eventually("the Event invocation is recorded", Duration::from_secs(20), || async {
        let (_, body) = call_json(&server, "GET", "/_fauxlambda/invocations?function=rec").await;
        if body["invocations"].as_array().unwrap().len() == 2 {
            Ok(body)
        } else {
            Err(body)
        }
    })
    .await;
    let i = &body["invocations"][0];
    assert_eq!(
        (&i["invocationType"], &i["status"], &i["qualifier"]),
        (&json!("Event"), &json!("success"), &json!("$LATEST"))
    );
}

// ---- The pool's listing, driven directly (no Invoke needed). ----

fn spec(dir: &std::path::Path, name: &str, code: &str) -> FunctionSpec {
    use sha2::Digest;
    let zip = common::zip(&[("app.py", code)]);
    let sha: String = sha2::Sha256::digest(&zip).iter().map(|b| format!("{b:02x}")).collect();
    let path = dir.join("packages").join(format!("{sha}.zip"));
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, &zip).unwrap();
    FunctionSpec {
        function_name: name.into(),
        version: "$LATEST".into(),
        runtime: "python3.12".into(),
        handler: "app.handler".into(),
        memory_mb: 128,
        timeout: Duration::from_secs(10),
        region: "us-east-1".into(),
        account_id: "000000000000".into(),
        environment: BTreeMap::new(),
        code_sha256_hex: sha,
        code_zip: path,
        layers: vec![],
        ..Default::default()
    }
}

async fn run(pool: &Pool, spec: &FunctionSpec, payload: &str) -> fauxlambda::execution::InvocationResult {
    let arn = format!("arn:aws:lambda:us-east-1:000000000000:function:{}", spec.function_name);
    let inv = Invocation::new(uuid::Uuid::new_v4().to_string(), payload.to_owned(), arn, spec.timeout);
    tokio::time::timeout(Duration::from_secs(30), pool.invoke(spec, inv))
        .await
        .expect("invoke took over 30 s")
}

#[tokio::test]
async fn pool_lists_idle_and_busy_environments() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = ExecutorConfig::new(dir.path());
    config.force_own_clients = true;
    let pool = Pool::new(ProcessExecutor::new(config), PoolConfig::default());
    let code = "import time\n\ndef handler(event, context):\n    time.sleep(event.get('sleep', 0))\n    return event\n";
    let a = spec(dir.path(), "pa", code);
    let b = spec(dir.path(), "pb", code);
    assert!(pool.environments(None).is_empty());

    let r1 = run(&pool, &a, "{}").await;
    assert!(r1.init_duration.is_some(), "{:#?}", r1.log_lines);
    let r2 = run(&pool, &a, "{}").await;
    assert_eq!(r2.environment_id, r1.environment_id);
    let envs = pool.environments(Some("pa"));
    assert_eq!(envs.len(), 1);
    let e = &envs[0];
    assert_eq!(
        (e.function.as_str(), e.version.as_str(), e.environment_id.as_str()),
        ("pa", "$LATEST", r1.environment_id.as_str())
    );
    assert_eq!(e.state, EnvironmentState::Idle);
    assert_eq!(e.invocations, 2);
    assert!(e.pid > 0);
    assert!(e.last_used.unwrap() >= e.created_at);

    // A running invocation shows its environment busy.
    let pool2 = pool.clone();
    let b2 = b.clone();
    // The handler sleeps to hold its environment busy while the listing is looked at.
    let slow = tokio::spawn(async move { run(&pool2, &b2, r#"{"sleep": 1.5}"#).await });
    eventually("a busy pb environment", Duration::from_secs(10), || async {
        pool.environments(Some("pb"))
            .iter()
            .any(|e| e.state == EnvironmentState::Busy)
    })
    .await;
    let busy = pool.environments(Some("pb"));
    assert_eq!(busy.len(), 1);
    assert_eq!((busy[0].invocations, busy[0].last_used), (0, None));
    assert_eq!(pool.environments(None).len(), 2);
    let done = slow.await.unwrap();
    assert_eq!(done.environment_id, busy[0].environment_id);
    let pb = pool.environments(Some("pb"));
    assert_eq!((pb[0].state, pb[0].invocations), (EnvironmentState::Idle, 1));

    // Retiring a function takes its environments off the listing; the next run is cold.
    pool.retire("pa", None);
    assert!(pool.environments(Some("pa")).is_empty());
    assert_eq!(pool.environments(None).len(), 1);
    let r3 = run(&pool, &a, "{}").await;
    assert!(r3.init_duration.is_some());
    assert_ne!(r3.environment_id, r1.environment_id);

    assert_eq!(pool.retire_all(), 2);
    assert!(pool.environments(None).is_empty());
    // The pool still serves after retire_all.
    let r4 = run(&pool, &b, "{}").await;
    assert!(r4.init_duration.is_some());
    assert_eq!(pool.environments(None).len(), 1);
    pool.shutdown().await;
    assert!(pool.environments(None).is_empty());
}
