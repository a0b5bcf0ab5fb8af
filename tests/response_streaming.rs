//! Response streaming end to end: functions whose runtime posts `/response` with
//! `Lambda-Runtime-Function-Response-Mode: streaming`, called through `InvokeWithResponseStream`
//! (aws-sdk-lambda) on the real binary. Each chunk reaches the client before the function writes
//! the next one (the function waits for a file the test creates once it has the first chunk);
//! error trailers, timeouts and log tails end up in `InvokeComplete`, the runtime's content type
//! in `ResponseStreamContentType`.

mod common;

use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{FunctionCode, InvokeWithResponseStreamResponseEvent as Event, LogType, Runtime};
use aws_sdk_lambda::Client;
use base64::Engine;
use common::{require_tool, wait_active, Server, ROLE};
use serde_json::json;
use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

/// A `provided.al2023` runtime written for these tests, in Python: it streams `first`, waits for
/// the file named by the event's `signal` (when given), streams `second`, and ends with the error
/// trailers when the event says `fail`. `sleep` delays the second chunk (for timeouts).
const STREAMING_BOOTSTRAP: &str = r#"#!/usr/bin/env python3
import base64, http.client, json, os, time
host, port = os.environ["AWS_LAMBDA_RUNTIME_API"].split(":")
c = http.client.HTTPConnection(host, int(port))
while True:
    c.request("GET", "/2018-06-01/runtime/invocation/next")
    r = c.getresponse()
    event = json.loads(r.read())
    rid = r.getheader("Lambda-Runtime-Aws-Request-Id")
    print("streaming", rid, flush=True)
    c.putrequest("POST", "/2018-06-01/runtime/invocation/%s/response" % rid)
    c.putheader("Lambda-Runtime-Function-Response-Mode", "streaming")
    c.putheader("Transfer-Encoding", "chunked")
    c.putheader("Content-Type", "text/x-test")
    c.putheader("Trailer", "Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body")
    c.endheaders()
    def chunk(b):
        c.send(b"%x\r\n%s\r\n" % (len(b), b))
    chunk(b"first")
    if event.get("signal"):
        until = time.time() + 20
        while not os.path.exists(event["signal"]) and time.time() < until:
            time.sleep(0.005)
    time.sleep(event.get("sleep", 0))
    chunk(b"second")
    trailers = b""
    if event.get("fail"):
        err = json.dumps({"errorType": "Boom", "errorMessage": "it broke", "stackTrace": []}).encode()
        trailers = b"Lambda-Runtime-Function-Error-Type: Boom\r\nLambda-Runtime-Function-Error-Body: " + base64.b64encode(err) + b"\r\n"
    c.send(b"0\r\n" + trailers + b"\r\n")
    r = c.getresponse()
    r.read()
"#;

fn zip(files: &[(&str, &[u8], u32)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes, mode) in files {
        w.start_file(*name, zip::write::SimpleFileOptions::default().unix_permissions(*mode))
            .unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap().into_inner()
}

async fn create_streaming(c: &Client, name: &str, timeout: i32) {
    c.create_function()
        .function_name(name)
        .runtime(Runtime::Providedal2023)
        .role(ROLE)
        .handler("bootstrap")
        .timeout(timeout)
        .code(
            FunctionCode::builder()
                .zip_file(Blob::new(zip(&[("bootstrap", STREAMING_BOOTSTRAP.as_bytes(), 0o755)])))
                .build(),
        )
        .send()
        .await
        .unwrap();
    wait_active(c, name).await;
}

/// What a client saw of one streamed invocation.
#[derive(Debug)]
struct Streamed {
    content_type: Option<String>,
    chunks: Vec<Vec<u8>>,
    error_code: Option<String>,
    error_details: Option<String>,
    log_result: Option<String>,
}

/// Invokes `name` with `event`; `on_first` runs when the first chunk arrives.
async fn invoke_streamed(
    c: &Client,
    name: &str,
    event: serde_json::Value,
    tail: bool,
    on_first: impl FnOnce(),
) -> Streamed {
    let mut req = c
        .invoke_with_response_stream()
        .function_name(name)
        .payload(Blob::new(event.to_string()));
    if tail {
        req = req.log_type(LogType::Tail);
    }
    let mut out = req.send().await.unwrap();
    let mut seen = Streamed {
        content_type: out.response_stream_content_type().map(str::to_owned),
        chunks: vec![],
        error_code: None,
        error_details: None,
        log_result: None,
    };
    let mut on_first = Some(on_first);
    let mut completed = 0;
    while let Some(event) = out.event_stream.recv().await.unwrap() {
        match event {
            Event::PayloadChunk(p) => {
                assert_eq!(completed, 0, "a chunk after InvokeComplete");
                seen.chunks.push(p.payload().unwrap().as_ref().to_vec());
                if let Some(f) = on_first.take() {
                    f();
                }
            }
            Event::InvokeComplete(done) => {
                completed += 1;
                seen.error_code = done.error_code().map(str::to_owned);
                seen.error_details = done.error_details().map(str::to_owned);
                seen.log_result = done.log_result().map(str::to_owned);
            }
            other => panic!("unexpected event {other:?}"),
        }
    }
    assert_eq!(completed, 1, "{seen:?}");
    seen
}

fn signal_file(dir: &Path, name: &str) -> String {
    dir.join(name).display().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chunks_reach_the_client_as_the_runtime_writes_them() {
    require_tool("python3");
    let server = Server::start(&[]);
    let c = server.client();
    create_streaming(&c, "streamer", 10).await;
    let dir = tempfile::tempdir().unwrap();
    for round in 0..2 {
        // The function writes its second chunk only once the test has the first one.
        let signal = signal_file(dir.path(), &format!("go-{round}"));
        let s = signal.clone();
        let t = Instant::now();
        let seen = invoke_streamed(&c, "streamer", json!({"signal": signal}), false, move || {
            std::fs::write(&s, b"").unwrap();
        })
        .await;
        assert_eq!(seen.chunks, vec![b"first".to_vec(), b"second".to_vec()], "{seen:?}");
        assert_eq!(seen.content_type.as_deref(), Some("text/x-test"));
        assert_eq!((seen.error_code, seen.error_details), (None, None));
        assert!(t.elapsed() < Duration::from_secs(15), "{:?}", t.elapsed());
    }
    // Invoke (buffered) gets the whole stream as its payload.
    let out = c
        .invoke()
        .function_name("streamer")
        .payload(Blob::new("{}"))
        .send()
        .await
        .unwrap();
    assert_eq!(out.function_error(), None);
    assert_eq!(out.payload().unwrap().as_ref(), b"firstsecond");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_after_the_start_are_told_by_invoke_complete() {
    require_tool("python3");
    let server = Server::start(&[]);
    let c = server.client();
    create_streaming(&c, "failing", 1).await;
    // Error trailers: the chunks, then the error (the decoded body) and the log tail.
    let seen = invoke_streamed(&c, "failing", json!({"fail": true}), true, || {}).await;
    assert_eq!(seen.chunks, vec![b"first".to_vec(), b"second".to_vec()]);
    assert_eq!(seen.error_code.as_deref(), Some("Boom"));
    let details: serde_json::Value = serde_json::from_str(seen.error_details.as_deref().unwrap()).unwrap();
    assert_eq!(
        details,
        json!({"errorType": "Boom", "errorMessage": "it broke", "stackTrace": []})
    );
    let log = base64::engine::general_purpose::STANDARD
        .decode(seen.log_result.unwrap())
        .unwrap();
    let log = String::from_utf8(log).unwrap();
    assert!(
        log.contains("START RequestId:") && log.contains("REPORT RequestId:"),
        "{log}"
    );
    assert!(log.contains("streaming "), "{log}");

    // A deadline in the middle of the stream: HTTP 200 and the first chunk, then the timeout.
    let seen = invoke_streamed(&c, "failing", json!({"sleep": 3}), false, || {}).await;
    assert_eq!(seen.chunks, vec![b"first".to_vec()]);
    assert_eq!(seen.error_code.as_deref(), Some("Sandbox.Timedout"), "{seen:?}");
    assert!(
        seen.error_details
            .as_deref()
            .unwrap()
            .contains("Task timed out after 1.00 seconds"),
        "{seen:?}"
    );
}
