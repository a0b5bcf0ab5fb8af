//! The Runtime API server driven over HTTP by a hyper client playing the runtime (and extensions),
//! plus one run of the official Python runtime interface client (awslambdaric) against it.

mod common;

use bytes::Bytes;
use common::eventually;
use fauxlambda::execution::{
    EnvironmentInfo, Invocation, InvocationOutcome, NotReady, RuntimeApi, RuntimeApiHandle, RuntimeState,
    ShutdownReason, MAX_PAYLOAD_SIZE,
};
use http::{HeaderMap, Request};
use http_body_util::{BodyExt, Full};
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpStream;

const ARN: &str = "arn:aws:lambda:us-east-1:000000000000:function:f:live";
const RT: &str = "/2018-06-01/runtime";

struct Resp {
    status: u16,
    headers: HeaderMap,
    body: Bytes,
}

impl Resp {
    fn text(&self) -> &str {
        std::str::from_utf8(&self.body).unwrap_or("<binary>")
    }
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }
    fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.text()))
    }
}

/// One request on a fresh connection, as a runtime client would send it.
async fn call(addr: SocketAddr, method: &str, path: &str, headers: &[(&str, &str)], body: impl Into<Bytes>) -> Resp {
    let stream = TcpStream::connect(addr).await.unwrap();
    let (mut sender, conn) =
        hyper::client::conn::http1::handshake::<_, Full<Bytes>>(hyper_util::rt::TokioIo::new(stream))
            .await
            .unwrap();
    tokio::spawn(conn);
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .header("Host", addr.to_string());
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = sender
        .send_request(req.body(Full::new(body.into())).unwrap())
        .await
        .unwrap();
    let (parts, body) = resp.into_parts();
    Resp {
        status: parts.status.as_u16(),
        headers: parts.headers,
        body: body.collect().await.unwrap().to_bytes(),
    }
}

async fn within<T>(f: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(10), f)
        .await
        .expect("timed out")
}

fn info(expected_extensions: usize) -> EnvironmentInfo {
    EnvironmentInfo {
        function_name: "f".into(),
        function_version: "7".into(),
        handler: "app.handler".into(),
        account_id: Some("000000000000".into()),
        expected_extensions,
    }
}

async fn env() -> (RuntimeApiHandle, SocketAddr) {
    let h = RuntimeApi::start("127.0.0.1:0".parse().unwrap(), info(0))
        .await
        .unwrap();
    let addr = h.local_addr();
    (h, addr)
}

fn inv(id: &str, payload: &'static str) -> Invocation {
    Invocation::new(id, payload, ARN, Duration::from_secs(30))
}

/// Parks a runtime's `/next` in a task.
fn next(addr: SocketAddr) -> tokio::task::JoinHandle<Resp> {
    tokio::spawn(async move { call(addr, "GET", &format!("{RT}/invocation/next"), &[], "").await })
}

#[tokio::test]
async fn next_carries_the_invocation_and_response_completes_it() {
    let (h, addr) = env().await;
    assert_eq!(h.runtime_api_address(), addr.to_string());
    let mut i = inv("11111111-1111-1111-1111-111111111111", r#"{"hello":"world"}"#);
    i.client_context = Some(r#"{"custom":{"k":"v"}}"#.into());
    i.cognito_identity = Some(r#"{"cognitoIdentityId":"id","cognitoIdentityPoolId":"pool"}"#.into());
    let deadline = i.deadline_ms;
    let trace = i.trace_id.clone();
    let done = h.invoke_timed(i);
    let r = within(next(addr)).await.unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(r.text(), r#"{"hello":"world"}"#);
    assert_eq!(
        r.header("Lambda-Runtime-Aws-Request-Id"),
        Some("11111111-1111-1111-1111-111111111111")
    );
    assert_eq!(
        r.header("Lambda-Runtime-Deadline-Ms"),
        Some(deadline.to_string().as_str())
    );
    assert_eq!(r.header("Lambda-Runtime-Invoked-Function-Arn"), Some(ARN));
    assert_eq!(r.header("Lambda-Runtime-Trace-Id"), Some(trace.as_str()));
    assert_eq!(
        r.header("Lambda-Runtime-Client-Context"),
        Some(r#"{"custom":{"k":"v"}}"#)
    );
    assert_eq!(
        r.header("Lambda-Runtime-Cognito-Identity"),
        Some(r#"{"cognitoIdentityId":"id","cognitoIdentityPoolId":"pool"}"#)
    );
    assert_eq!(r.header("Content-Type"), Some("application/json"));
    assert_eq!(
        h.runtime_state(),
        (
            RuntimeState::Running,
            Some("11111111-1111-1111-1111-111111111111".into())
        )
    );

    let r = call(
        addr,
        "POST",
        &format!("{RT}/invocation/11111111-1111-1111-1111-111111111111/response"),
        &[],
        "\"result\"",
    )
    .await;
    assert_eq!((r.status, r.text()), (202, r#"{"status":"OK"}"#));
    let c = within(done).await;
    assert_eq!(
        c.outcome,
        InvocationOutcome::Response(Bytes::from_static(b"\"result\""))
    );
    assert!(c.timing.delivered_at.is_some() && c.timing.completed_at >= c.timing.delivered_at.unwrap());

    // Optional headers are left out when absent.
    let done = h.invoke(inv("r2", "{}"));
    let r = within(next(addr)).await.unwrap();
    assert_eq!(r.header("Lambda-Runtime-Client-Context"), None);
    assert_eq!(r.header("Lambda-Runtime-Cognito-Identity"), None);
    assert_eq!(r.header("Lambda-Runtime-Aws-Tenant-Id"), None);
    call(addr, "POST", &format!("{RT}/invocation/r2/response"), &[], "1").await;
    assert_eq!(
        within(done).await,
        InvocationOutcome::Response(Bytes::from_static(b"1"))
    );
}

#[tokio::test]
async fn next_is_a_long_poll_and_ready_waits_for_it() {
    let (h, addr) = env().await;
    let ready = tokio::spawn(h.ready());
    // A sleep on purpose: showing that ready does not resolve early takes time.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(!ready.is_finished(), "ready before the runtime asked for work");
    let parked = next(addr);
    assert!(within(ready).await.unwrap().is_ok());
    // A sleep on purpose: showing that /next stays parked (a long poll) takes time.
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert!(!parked.is_finished(), "/next must not answer without an invocation");
    let done = h.invoke(inv("r1", "[1,2]"));
    let r = within(parked).await.unwrap();
    assert_eq!((r.status, r.text()), (200, "[1,2]"));
    call(addr, "POST", &format!("{RT}/invocation/r1/response"), &[], "").await;
    assert_eq!(within(done).await, InvocationOutcome::Response(Bytes::new()));
}

#[tokio::test]
async fn error_payload_passes_through_verbatim() {
    let (h, addr) = env().await;
    let done = h.invoke(inv("r1", "{}"));
    within(next(addr)).await.unwrap();
    let body = r#"{"errorMessage":"boom","errorType":"ValueError","requestId":"r1","stackTrace":["  File \"/var/task/app.py\", line 2\n"]}"#;
    let r = call(
        addr,
        "POST",
        &format!("{RT}/invocation/r1/error"),
        &[
            ("Lambda-Runtime-Function-Error-Type", "ValueError"),
            ("Content-Type", "application/vnd.aws.lambda.error+json"),
        ],
        body,
    )
    .await;
    assert_eq!((r.status, r.text()), (202, r#"{"status":"OK"}"#));
    let out = within(done).await;
    assert_eq!(
        out,
        InvocationOutcome::FunctionError {
            error_type: Some("ValueError".into()),
            payload: Bytes::from(body)
        }
    );
    assert!(out.is_function_error());
}

#[tokio::test]
async fn state_errors_answer_as_aws() {
    let (h, addr) = env().await;
    const INVALID_ID: &str = r#"{"errorMessage":"Invalid request ID","errorType":"InvalidRequestID"}"#;
    // Nothing delivered yet.
    let r = call(addr, "POST", &format!("{RT}/invocation/nope/response"), &[], "{}").await;
    assert_eq!((r.status, r.text()), (400, INVALID_ID));
    let r = call(addr, "POST", &format!("{RT}/invocation/nope/error"), &[], "{}").await;
    assert_eq!((r.status, r.text()), (400, INVALID_ID));

    let done = h.invoke(inv("r1", "{}"));
    within(next(addr)).await.unwrap();
    // A second /next while the invocation is held.
    let r = within(call(addr, "GET", &format!("{RT}/invocation/next"), &[], "")).await;
    assert_eq!(r.status, 403);
    assert_eq!(
        r.text(),
        r#"{"errorMessage":"State transition from Running to Ready failed for runtime. Error: State transition is not allowed","errorType":"InvalidStateTransition"}"#
    );
    // Init error after init.
    let r = call(addr, "POST", &format!("{RT}/init/error"), &[], "{}").await;
    assert_eq!(
        (r.status, r.text()),
        (
            403,
            r#"{"errorMessage":"State transition from Running to InitError failed for runtime. Error: State transition is not allowed","errorType":"InvalidStateTransition"}"#
        )
    );
    // Wrong id while one is held.
    let r = call(addr, "POST", &format!("{RT}/invocation/r0/response"), &[], "{}").await;
    assert_eq!((r.status, r.text()), (400, INVALID_ID));
    // Answered once, then again.
    assert_eq!(
        call(addr, "POST", &format!("{RT}/invocation/r1/response"), &[], "1")
            .await
            .status,
        202
    );
    let r = call(addr, "POST", &format!("{RT}/invocation/r1/response"), &[], "2").await;
    assert_eq!((r.status, r.text()), (400, INVALID_ID));
    let r = call(addr, "POST", &format!("{RT}/invocation/r1/error"), &[], "{}").await;
    assert_eq!((r.status, r.text()), (400, INVALID_ID));
    assert_eq!(
        within(done).await,
        InvocationOutcome::Response(Bytes::from_static(b"1"))
    );

    // A bad response mode fails the invocation.
    let done = h.invoke(inv("r2", "{}"));
    within(next(addr)).await.unwrap();
    let r = call(
        addr,
        "POST",
        &format!("{RT}/invocation/r2/response"),
        &[("Lambda-Runtime-Function-Response-Mode", "bogus")],
        "1",
    )
    .await;
    assert_eq!(
        (r.status, r.text()),
        (
            400,
            r#"{"errorMessage":"Invalid function response mode","errorType":"InvalidFunctionResponseMode"}"#
        )
    );
    assert_eq!(
        within(done).await.error_type().as_deref(),
        Some("Runtime.InvalidResponseModeHeader")
    );

    // Unknown paths and methods.
    let r = call(addr, "GET", "/2018-06-01/runtime/nothing", &[], "").await;
    assert_eq!((r.status, r.text()), (404, "404 page not found\n"));
    assert_eq!(
        call(addr, "POST", &format!("{RT}/invocation/next"), &[], "")
            .await
            .status,
        405
    );
    assert_eq!(
        call(addr, "GET", &format!("{RT}/invocation/r2/response"), &[], "")
            .await
            .status,
        405
    );
    let r = call(addr, "PUT", "/2022-07-01/telemetry", &[], "{}").await;
    assert_eq!(
        (r.status, r.text()),
        (
            202,
            r#"{"errorMessage":"Telemetry API is not supported","errorType":"Telemetry.NotSupported"}"#
        )
    );
    let r = call(addr, "PUT", "/2020-08-15/logs", &[], "{}").await;
    assert_eq!(
        (r.status, r.text()),
        (
            202,
            r#"{"errorMessage":"Logs API is not supported","errorType":"Logs.NotSupported"}"#
        )
    );
}

#[tokio::test]
async fn responses_over_six_mib_are_refused() {
    let (h, addr) = env().await;
    // Exactly at the limit: accepted.
    let done = h.invoke(inv("r1", "{}"));
    within(next(addr)).await.unwrap();
    let r = within(call(
        addr,
        "POST",
        &format!("{RT}/invocation/r1/response"),
        &[],
        vec![b'a'; MAX_PAYLOAD_SIZE],
    ))
    .await;
    assert_eq!(r.status, 202);
    match within(done).await {
        InvocationOutcome::Response(b) => assert_eq!(b.len(), MAX_PAYLOAD_SIZE),
        other => panic!("{other:?}"),
    }
    // One byte over: the runtime gets 413, the caller Function.ResponseSizeTooLarge.
    let done = h.invoke(inv("r2", "{}"));
    within(next(addr)).await.unwrap();
    let r = within(call(
        addr,
        "POST",
        &format!("{RT}/invocation/r2/response"),
        &[],
        vec![b'a'; MAX_PAYLOAD_SIZE + 1],
    ))
    .await;
    assert_eq!(
        (r.status, r.text()),
        (
            413,
            r#"{"errorMessage":"Exceeded maximum allowed payload size (6291556 bytes).","errorType":"RequestEntityTooLarge"}"#
        )
    );
    let out = within(done).await;
    assert_eq!(
        out,
        InvocationOutcome::FunctionError {
            error_type: Some("Function.ResponseSizeTooLarge".into()),
            payload: Bytes::from_static(
                br#"{"errorMessage":"Response payload size exceeded maximum allowed payload size (6291556 bytes).","errorType":"Function.ResponseSizeTooLarge"}"#
            ),
        }
    );
    // The runtime carries on.
    let done = h.invoke(inv("r3", "{}"));
    within(next(addr)).await.unwrap();
    call(addr, "POST", &format!("{RT}/invocation/r3/response"), &[], "ok").await;
    assert_eq!(
        within(done).await,
        InvocationOutcome::Response(Bytes::from_static(b"ok"))
    );
}

#[tokio::test]
async fn init_error_is_the_first_invocations_result() {
    let (h, addr) = env().await;
    let observed = tokio::spawn(h.init_error());
    let done = h.invoke(inv("r1", "{}"));
    let body = r#"{"errorMessage":"Unable to import module 'app': No module named 'x'","errorType":"Runtime.ImportModuleError","requestId":"","stackTrace":[]}"#;
    let r = call(
        addr,
        "POST",
        &format!("{RT}/init/error"),
        &[("Lambda-Runtime-Function-Error-Type", "Runtime.ImportModuleError")],
        body,
    )
    .await;
    assert_eq!((r.status, r.text()), (202, r#"{"status":"OK"}"#));
    let expected = InvocationOutcome::InitError {
        error_type: Some("Runtime.ImportModuleError".into()),
        payload: Bytes::from(body),
    };
    assert_eq!(within(done).await, expected);
    let report = within(observed).await.unwrap().expect("init error observed");
    assert_eq!(report.outcome(), expected);
    assert!(matches!(within(h.ready()).await, Err(NotReady::InitError(_))));
    assert_eq!(within(h.invoke(inv("r2", "{}"))).await, expected);
    let r = call(addr, "GET", &format!("{RT}/invocation/next"), &[], "").await;
    assert_eq!(r.status, 403);
    assert_eq!(r.json()["errorType"], "InvalidStateTransition");
}

#[tokio::test]
async fn the_pool_ends_invocations_and_late_answers_are_refused() {
    let (h, addr) = env().await;
    let done = h.invoke(inv("r1", "{}"));
    within(next(addr)).await.unwrap();
    assert!(h.fail_current(InvocationOutcome::Timeout {
        timeout: Duration::from_secs(3)
    }));
    let out = within(done).await;
    assert_eq!(
        &out.caller_payload("r1")[..],
        br#"{"errorType":"Sandbox.Timedout","errorMessage":"RequestId: r1 Error: Task timed out after 3.00 seconds"}"#
    );
    let r = call(addr, "POST", &format!("{RT}/invocation/r1/response"), &[], "late").await;
    assert_eq!(r.status, 400);
    // A queued invocation (runtime never asked) can be ended too, e.g. when the process died.
    let done = h.invoke(inv("r2", "{}"));
    assert!(h.fail_current(InvocationOutcome::RuntimeExited {
        status: Some("exit status 1".into()),
        out_of_memory: false,
    }));
    assert_eq!(within(done).await.error_type().as_deref(), Some("Runtime.ExitError"));
    // Busy environments refuse a second invocation.
    let _first = h.invoke(inv("r3", "{}"));
    assert!(matches!(
        within(h.invoke(inv("r4", "{}"))).await,
        InvocationOutcome::NotAccepted(_)
    ));
}

#[tokio::test]
async fn a_runtime_that_reconnects_gets_the_invocation() {
    use tokio::io::AsyncWriteExt;
    let (h, addr) = env().await;
    // A /next whose connection dies before any invocation arrives.
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(format!("GET {RT}/invocation/next HTTP/1.1\r\nHost: {addr}\r\n\r\n").as_bytes())
        .await
        .unwrap();
    within(h.ready()).await.unwrap();
    drop(s);
    // Sleeps: the handle shows neither the server noticing the dead connection nor the new
    // /next arriving (the runtime's state is Ready throughout), so there is nothing to poll.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let parked = next(addr);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let done = h.invoke(inv("r1", "\"again\""));
    let r = within(parked).await.unwrap();
    assert_eq!((r.status, r.text()), (200, "\"again\""));
    call(addr, "POST", &format!("{RT}/invocation/r1/response"), &[], "1").await;
    assert!(matches!(within(done).await, InvocationOutcome::Response(_)));
}

#[tokio::test]
async fn extensions_register_get_invoke_and_shutdown() {
    let h = RuntimeApi::start("127.0.0.1:0".parse().unwrap(), info(1))
        .await
        .unwrap();
    let addr = h.local_addr();
    const EXT: &str = "/2020-01-01/extension";

    let r = call(
        addr,
        "POST",
        &format!("{EXT}/register"),
        &[],
        r#"{"events":["INVOKE"]}"#,
    )
    .await;
    assert_eq!(
        (r.status, r.text()),
        (
            403,
            r#"{"errorMessage":"Empty extension name","errorType":"Extension.InvalidExtensionName"}"#
        )
    );
    let r = call(
        addr,
        "POST",
        &format!("{EXT}/register"),
        &[("Lambda-Extension-Name", "x")],
        r#"{"events":["FOO"]}"#,
    )
    .await;
    assert_eq!(
        (r.status, r.text()),
        (
            403,
            r#"{"errorMessage":"FOO: ErrorInvalidEventType","errorType":"Extension.InvalidEventType"}"#
        )
    );

    let r = call(
        addr,
        "POST",
        &format!("{EXT}/register"),
        &[
            ("Lambda-Extension-Name", "my-ext"),
            ("Lambda-Extension-Accept-Feature", "accountId"),
        ],
        r#"{"events":["INVOKE","SHUTDOWN"]}"#,
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.text(),
        r#"{"functionName":"f","functionVersion":"7","handler":"app.handler","accountId":"000000000000"}"#
    );
    let id = r.header("Lambda-Extension-Identifier").unwrap().to_owned();
    assert!(uuid::Uuid::parse_str(&id).is_ok(), "{id}");
    let r = call(
        addr,
        "POST",
        &format!("{EXT}/register"),
        &[("Lambda-Extension-Name", "my-ext")],
        "{}",
    )
    .await;
    assert_eq!(
        (r.status, r.json()["errorType"].as_str()),
        (403, Some("Extension.InvalidExtensionState"))
    );

    // Identifier checks.
    let r = call(addr, "GET", &format!("{EXT}/event/next"), &[], "").await;
    assert_eq!(
        (r.status, r.text()),
        (
            403,
            r#"{"errorMessage":"Missing Lambda-Extension-Identifier header","errorType":"Extension.MissingExtensionIdentifier"}"#
        )
    );
    let r = call(
        addr,
        "GET",
        &format!("{EXT}/event/next"),
        &[("Lambda-Extension-Identifier", "zzz")],
        "",
    )
    .await;
    assert_eq!(
        (r.status, r.text()),
        (
            403,
            r#"{"errorMessage":"Invalid Lambda-Extension-Identifier","errorType":"Extension.InvalidExtensionIdentifier"}"#
        )
    );
    let other = uuid::Uuid::new_v4().to_string();
    let r = call(
        addr,
        "GET",
        &format!("{EXT}/event/next"),
        &[("Lambda-Extension-Identifier", other.as_str())],
        "",
    )
    .await;
    assert_eq!(
        (r.status, r.json()["errorMessage"].as_str().map(str::to_owned)),
        (403, Some(format!("Unknown extension {other}")))
    );
    let r = call(
        addr,
        "POST",
        &format!("{EXT}/exit/error"),
        &[("Lambda-Extension-Identifier", id.as_str())],
        "",
    )
    .await;
    assert_eq!(
        (r.status, r.text()),
        (
            403,
            r#"{"errorMessage":"Lambda-Extension-Function-Error-Type not found","errorType":"Extension.MissingHeader"}"#
        )
    );

    // Init completes when the runtime and the extension both wait.
    let runtime_next = next(addr);
    let ext_next = |addr: SocketAddr, id: String| {
        tokio::spawn(async move {
            call(
                addr,
                "GET",
                &format!("{EXT}/event/next"),
                &[("Lambda-Extension-Identifier", id.as_str())],
                "",
            )
            .await
        })
    };
    eventually("the runtime waits in /next", Duration::from_secs(10), || async {
        h.runtime_state().0 == RuntimeState::Ready
    })
    .await;
    assert!(
        h.status().ready_at.is_none(),
        "ready while the extension has not asked for an event"
    );
    let ev = ext_next(addr, id.clone());
    within(h.ready()).await.unwrap();
    let r = call(
        addr,
        "POST",
        &format!("{EXT}/register"),
        &[("Lambda-Extension-Name", "late")],
        "{}",
    )
    .await;
    assert_eq!(
        (r.status, r.text()),
        (
            403,
            r#"{"errorMessage":"Extension registration closed already","errorType":"Extension.RegistrationClosed"}"#
        )
    );

    let i = inv("r1", "{}");
    let (deadline, trace) = (i.deadline_ms, i.trace_id.clone());
    let done = h.invoke(i);
    let r = within(runtime_next).await.unwrap();
    assert_eq!(r.header("Lambda-Runtime-Aws-Request-Id"), Some("r1"));
    let e = within(ev).await.unwrap();
    assert_eq!(e.status, 200);
    assert!(uuid::Uuid::parse_str(e.header("Lambda-Extension-Event-Identifier").unwrap()).is_ok());
    assert_eq!(
        e.json(),
        serde_json::json!({"eventType": "INVOKE", "deadlineMs": deadline, "requestId": "r1", "invokedFunctionArn": ARN,
                           "tracing": {"type": "X-Amzn-Trace-Id", "value": trace}})
    );
    call(addr, "POST", &format!("{RT}/invocation/r1/response"), &[], "1").await;
    assert!(matches!(within(done).await, InvocationOutcome::Response(_)));

    // SHUTDOWN goes to the extension; shutdown completes when it asks again.
    let ev = ext_next(addr, id.clone());
    eventually("the extension waits in event/next", Duration::from_secs(10), || async {
        h.extensions()[0].state == fauxlambda::execution::extensions::ExtensionState::Ready
    })
    .await;
    let down = tokio::spawn(h.shutdown(ShutdownReason::Spindown, Duration::from_secs(5)));
    let e = within(ev).await.unwrap();
    let j = e.json();
    assert_eq!(
        (j["eventType"].as_str(), j["shutdownReason"].as_str()),
        (Some("SHUTDOWN"), Some("spindown"))
    );
    assert!(j["deadlineMs"].as_u64().unwrap() > fauxlambda::clock::now_epoch_ms());
    assert!(!down.is_finished());
    let _parked = ext_next(addr, id.clone());
    assert!(within(down).await.unwrap(), "shutdown acknowledged");
    let r = call(
        addr,
        "POST",
        &format!("{EXT}/exit/error"),
        &[
            ("Lambda-Extension-Identifier", id.as_str()),
            ("Lambda-Extension-Function-Error-Type", "Extension.ExitError"),
        ],
        "",
    )
    .await;
    assert_eq!((r.status, r.text()), (202, r#"{"status":"OK"}"#));
    assert_eq!(h.extensions()[0].error_type.as_deref(), Some("Extension.ExitError"));
}

#[tokio::test]
async fn shutdown_without_an_answer_times_out() {
    let h = RuntimeApi::start("127.0.0.1:0".parse().unwrap(), info(0))
        .await
        .unwrap();
    let addr = h.local_addr();
    let r = call(
        addr,
        "POST",
        "/2020-01-01/extension/register",
        &[("Lambda-Extension-Name", "e")],
        r#"{"events":["SHUTDOWN"]}"#,
    )
    .await;
    let id = r.header("Lambda-Extension-Identifier").unwrap().to_owned();
    // Extension init error: the environment's init fails.
    let r = call(
        addr,
        "POST",
        "/2020-01-01/extension/init/error",
        &[
            ("Lambda-Extension-Identifier", id.as_str()),
            ("Lambda-Extension-Function-Error-Type", "Extension.InitError"),
        ],
        "",
    )
    .await;
    assert_eq!(r.status, 202);
    assert!(matches!(within(h.ready()).await, Err(NotReady::InitError(r)) if r.extension.as_deref() == Some("e")));
    // Nobody left to acknowledge: immediate.
    assert!(within(h.shutdown(ShutdownReason::Failure, Duration::from_millis(200))).await);

    let h = RuntimeApi::start("127.0.0.1:0".parse().unwrap(), info(0))
        .await
        .unwrap();
    let addr = h.local_addr();
    call(
        addr,
        "POST",
        "/2020-01-01/extension/register",
        &[("Lambda-Extension-Name", "e")],
        r#"{"events":["SHUTDOWN"]}"#,
    )
    .await;
    assert!(
        !within(h.shutdown(ShutdownReason::Timeout, Duration::from_millis(200))).await,
        "nobody picked SHUTDOWN up"
    );
}

#[tokio::test]
async fn closing_frees_the_port_and_ends_the_invocation() {
    let (h, addr) = env().await;
    let done = h.invoke(inv("r1", "{}"));
    h.close();
    assert!(matches!(within(done).await, InvocationOutcome::NotAccepted(_)));
    eventually("the port is released", Duration::from_secs(10), || async {
        tokio::net::TcpListener::bind(addr).await.is_ok()
    })
    .await;
}

// ---- the official Python runtime interface client ---------------------------------------------

const APP_PY: &str = r#"import os

def handler(event, context):
    if event.get("fail"):
        raise ValueError("boom: " + event["fail"])
    return {
        "echo": event,
        "remaining": context.get_remaining_time_in_millis(),
        "request_id": context.aws_request_id,
        "arn": context.invoked_function_arn,
        "function_name": context.function_name,
        "trace": os.environ.get("_X_AMZN_TRACE_ID"),
    }
"#;

/// Starts `python -m awslambdaric app.handler` in `dir` against `h`, with the environment of
/// lambda-semantics §3.
fn spawn_ric(python: &std::path::Path, dir: &std::path::Path, h: &RuntimeApiHandle) -> tokio::process::Child {
    let mut cmd = tokio::process::Command::new(python);
    cmd.args(["-m", "awslambdaric", "app.handler"])
        .current_dir(dir)
        .env_remove("AWS_LAMBDA_MAX_CONCURRENCY")
        .env("AWS_LAMBDA_RUNTIME_API", h.runtime_api_address())
        .env("_HANDLER", "app.handler")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("AWS_EXECUTION_ENV", "AWS_Lambda_python3.11")
        .env("AWS_LAMBDA_FUNCTION_NAME", "f")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand")
        .env("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/f")
        .env(
            "AWS_LAMBDA_LOG_STREAM_NAME",
            "2025/01/01/[$LATEST]0123456789abcdef0123456789abcdef",
        )
        .env("LAMBDA_TASK_ROOT", dir)
        .env("TZ", ":UTC")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true);
    cmd.spawn().expect("spawn awslambdaric")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn official_python_runtime_interface_client() {
    let python = common::require_venv_python();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("app.py"), APP_PY).unwrap();
    let (h, _) = env().await;
    let mut child = spawn_ric(&python, dir.path(), &h);
    let ready = tokio::time::timeout(Duration::from_secs(30), h.ready())
        .await
        .expect("awslambdaric reached /next")
        .unwrap();
    let _ = ready;

    // Echo: payload in, handler result out; remaining time comes from the deadline.
    let i = Invocation::new(
        "a1b2c3d4-0000-4000-8000-000000000001",
        r#"{"k":[1,2,3]}"#,
        ARN,
        Duration::from_secs(30),
    );
    let trace = i.trace_id.clone();
    let out = within(h.invoke(i)).await;
    let InvocationOutcome::Response(body) = out else {
        panic!("{out:?}")
    };
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["echo"], serde_json::json!({"k": [1, 2, 3]}));
    assert_eq!(v["request_id"], "a1b2c3d4-0000-4000-8000-000000000001");
    assert_eq!(v["arn"], ARN);
    assert_eq!(v["function_name"], "f");
    assert_eq!(v["trace"], trace.as_str());
    let remaining = v["remaining"].as_i64().unwrap();
    assert!((20_000..=30_000).contains(&remaining), "remaining {remaining}");

    // A shorter deadline shows up as less remaining time.
    let out = within(h.invoke(Invocation::new("r-short", "{}", ARN, Duration::from_secs(5)))).await;
    let InvocationOutcome::Response(body) = out else {
        panic!("{out:?}")
    };
    let remaining = serde_json::from_slice::<serde_json::Value>(&body).unwrap()["remaining"]
        .as_i64()
        .unwrap();
    assert!((1_000..=5_000).contains(&remaining), "remaining {remaining}");

    // An exception: the runtime's error object reaches the caller verbatim.
    let out = within(h.invoke(Invocation::new(
        "r-fail",
        r#"{"fail":"x"}"#,
        ARN,
        Duration::from_secs(30),
    )))
    .await;
    // (awslambdaric 4.2.2 sends no Lambda-Runtime-Function-Error-Type header on /error, only the
    // X-Ray cause, so error_type stays None: the body is what matters.)
    let InvocationOutcome::FunctionError { payload, .. } = out else {
        panic!("{out:?}")
    };
    let e: serde_json::Value = serde_json::from_slice(&payload).unwrap();
    assert_eq!(e["errorType"], "ValueError");
    assert_eq!(e["errorMessage"], "boom: x");
    assert_eq!(e["requestId"], "r-fail");
    assert!(e["stackTrace"].as_array().is_some_and(|s| !s.is_empty()), "{e}");

    // The environment stays warm.
    let out = within(h.invoke(Invocation::new("r-again", r#"{"n":1}"#, ARN, Duration::from_secs(30)))).await;
    assert!(matches!(out, InvocationOutcome::Response(_)), "{out:?}");
    child.kill().await.unwrap();

    // A module that fails to import: awslambdaric posts /runtime/init/error and exits.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("app.py"), "import module_that_does_not_exist\n").unwrap();
    let (h, _) = env().await;
    let mut child = spawn_ric(&python, dir.path(), &h);
    let out = tokio::time::timeout(
        Duration::from_secs(30),
        h.invoke(Invocation::new("r-init", "{}", ARN, Duration::from_secs(30))),
    )
    .await
    .expect("init error reported");
    let InvocationOutcome::InitError { error_type, payload } = out else {
        panic!("{out:?}")
    };
    assert_eq!(error_type.as_deref(), Some("Runtime.ImportModuleError"));
    let e: serde_json::Value = serde_json::from_slice(&payload).unwrap();
    assert_eq!(e["errorType"], "Runtime.ImportModuleError");
    assert!(
        e["errorMessage"]
            .as_str()
            .unwrap()
            .contains("module_that_does_not_exist"),
        "{e}"
    );
    let status = tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .expect("runtime exits")
        .unwrap();
    assert!(!status.success());
}

/// Posts a streamed `/response` (chunked, the mode header, `content_type`), its body taken from
/// `chunks` as they come and `trailers` at the end; resolves with the runtime's answer.
fn post_streamed(
    addr: SocketAddr,
    id: &str,
    content_type: &'static str,
    chunks: tokio::sync::mpsc::Receiver<Bytes>,
    trailers: Option<HeaderMap>,
) -> tokio::task::JoinHandle<u16> {
    use futures_util::StreamExt;
    let path = format!("{RT}/invocation/{id}/response");
    tokio::spawn(async move {
        let stream = TcpStream::connect(addr).await.unwrap();
        let data = futures_util::stream::unfold(chunks, |mut rx| async move {
            rx.recv()
                .await
                .map(|b| (Ok::<_, std::convert::Infallible>(hyper::body::Frame::data(b)), rx))
        });
        let frames = data.chain(futures_util::stream::iter(
            trailers.map(|t| Ok(hyper::body::Frame::trailers(t))),
        ));
        let body = http_body_util::StreamBody::new(frames);
        let (mut sender, conn) = hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
            .await
            .unwrap();
        tokio::spawn(conn);
        let req = Request::builder()
            .method("POST")
            .uri(path)
            .header("Host", addr.to_string())
            .header("Lambda-Runtime-Function-Response-Mode", "streaming")
            .header("Content-Type", content_type)
            .header(
                "Trailer",
                "Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body",
            )
            .body(body)
            .unwrap();
        let resp = sender.send_request(req).await.unwrap();
        resp.status().as_u16()
    })
}

#[tokio::test]
async fn streamed_responses_pass_on_chunk_by_chunk() {
    use fauxlambda::execution::{response_stream, StreamPart};
    let (h, addr) = env().await;
    let (sink, mut parts) = response_stream::channel();
    let done = h.invoke_streamed(inv("s1", "{}"), Some(sink));
    within(next(addr)).await.unwrap();
    let (tx, rx) = tokio::sync::mpsc::channel(1);
    let mut t = HeaderMap::new();
    t.insert("Lambda-Runtime-Function-Error-Type", "Oops".parse().unwrap());
    t.insert("Lambda-Runtime-Function-Error-Body", "eyJhIjoxfQ==".parse().unwrap());
    let posted = post_streamed(addr, "s1", "text/event-stream", rx, Some(t));
    assert_eq!(
        within(parts.recv()).await,
        Some(StreamPart::Start {
            content_type: Some("text/event-stream".into())
        })
    );
    // Each chunk reaches the caller before the next one is written.
    for word in ["one", "two", "three"] {
        tx.send(Bytes::from(word)).await.unwrap();
        assert_eq!(within(parts.recv()).await, Some(StreamPart::Chunk(Bytes::from(word))));
    }
    drop(tx);
    assert_eq!(within(posted).await.unwrap(), 202);
    // The trailers are the outcome.
    assert_eq!(
        within(done).await.outcome,
        InvocationOutcome::FunctionError {
            error_type: Some("Oops".into()),
            payload: Bytes::from_static(br#"{"a":1}"#)
        }
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streamed_responses_stop_at_200_mb() {
    use fauxlambda::execution::{response_stream, StreamPart, STREAM_LIMIT};
    let (h, addr) = env().await;
    let (sink, mut parts) = response_stream::channel();
    let done = h.invoke_streamed(inv("big", "{}"), Some(sink));
    within(next(addr)).await.unwrap();
    let (tx, rx) = tokio::sync::mpsc::channel(4);
    let posted = post_streamed(addr, "big", "application/octet-stream", rx, None);
    let reader = tokio::spawn(async move {
        let mut n = 0usize;
        while let Some(p) = parts.recv().await {
            if let StreamPart::Chunk(b) = p {
                n += b.len();
            }
        }
        n
    });
    let mib = Bytes::from(vec![b'x'; 1024 * 1024]);
    let writer = tokio::spawn(async move {
        for _ in 0..(STREAM_LIMIT / mib.len() + 1) {
            if tx.send(mib.clone()).await.is_err() {
                break;
            }
        }
    });
    let out = tokio::time::timeout(Duration::from_secs(60), done).await.unwrap();
    assert_eq!(
        out.outcome,
        InvocationOutcome::FunctionError {
            error_type: Some("Function.ResponseSizeTooLarge".into()),
            payload: Bytes::from_static(
                br#"{"errorMessage":"Response payload size exceeded maximum allowed payload size (209715200 bytes).","errorType":"Function.ResponseSizeTooLarge"}"#
            ),
        }
    );
    writer.await.unwrap();
    assert_eq!(
        tokio::time::timeout(Duration::from_secs(60), posted)
            .await
            .unwrap()
            .unwrap(),
        413
    );
    assert_eq!(reader.await.unwrap(), STREAM_LIMIT);
}
