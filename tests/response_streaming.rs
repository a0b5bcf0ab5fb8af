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

/// Invokes `name` with `event`; `on_first` runs when the chunk `first` arrives.
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
                if seen.chunks.last().unwrap() == b"first" {
                    if let Some(f) = on_first.take() {
                        f();
                    }
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

/// A signal a function reaches over TCP (`host:port`, on loopback: a process, or a container on
/// the host's network): it connects and waits for a byte, which `send` writes.
struct TcpSignal {
    listener: std::net::TcpListener,
}

impl TcpSignal {
    fn new() -> TcpSignal {
        TcpSignal {
            listener: std::net::TcpListener::bind("127.0.0.1:0").unwrap(),
        }
    }

    fn address(&self) -> String {
        self.listener.local_addr().unwrap().to_string()
    }

    /// Sends the signal (from a thread: the function may not have connected yet).
    fn send(self) {
        std::thread::spawn(move || {
            if let Ok((mut s, _)) = self.listener.accept() {
                let _ = s.write_all(b"!");
            }
        });
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chunks_reach_the_client_as_the_runtime_writes_them() {
    require_tool("python3");
    // Without the sandbox: the runtime waits for a file the test creates on the host.
    let server = Server::start(&["--no-bwrap"]);
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

/// A Node.js handler wrapped by `awslambda.streamifyResponse`: `first`, then (once the test sends
/// a byte on a connection to the event's `signal`, `host:port`) `second`; `fail` throws after both; `http` uses `HttpResponseStream.from`.
const NODE_STREAMING: &str = r#"
const net = require("net");
exports.handler = awslambda.streamifyResponse(async (event, responseStream, context) => {
  if (event.http) {
    responseStream = awslambda.HttpResponseStream.from(responseStream, {
      statusCode: 201, headers: { "x-custom": "yes" }, cookies: ["a=1"],
    });
  } else {
    responseStream.setContentType("text/plain");
  }
  responseStream.write("first");
  if (event.signal) {
    const [host, port] = event.signal.split(":");
    await new Promise((resolve) => {
      const s = net.connect({ host, port: Number(port) });
      // The timer is cleared: the official client waits for an empty event loop between invokes.
      const timer = setTimeout(() => done(), 20000);
      const done = () => { clearTimeout(timer); s.destroy(); resolve(); };
      s.on("data", done); s.on("error", done); s.on("close", done);
    });
  }
  responseStream.write(Buffer.from("second"));
  if (event.fail) throw new Error("it broke");
  responseStream.end();
});
"#;

async fn node_streaming(server: Server) {
    let c = server.client();
    c.create_function()
        .function_name("node-streamer")
        .runtime(Runtime::Nodejs20x)
        .role(ROLE)
        .handler("index.handler")
        .timeout(10)
        .code(
            FunctionCode::builder()
                .zip_file(Blob::new(zip(&[("index.js", NODE_STREAMING.as_bytes(), 0o644)])))
                .build(),
        )
        .send()
        .await
        .unwrap();
    wait_active(&c, "node-streamer").await;
    for _ in 0..2 {
        let signal = TcpSignal::new();
        let seen = invoke_streamed(
            &c,
            "node-streamer",
            json!({"signal": signal.address()}),
            false,
            move || signal.send(),
        )
        .await;
        assert_eq!(seen.chunks.concat(), b"firstsecond", "{seen:?}");
        assert_eq!(seen.chunks.first().map(Vec::as_slice), Some(&b"first"[..]), "{seen:?}");
        assert_eq!(seen.content_type.as_deref(), Some("text/plain"));
        assert_eq!(seen.error_code, None, "{seen:?}");
    }
    // Thrown after writing: the chunks, then the error in InvokeComplete.
    let seen = invoke_streamed(&c, "node-streamer", json!({"fail": true}), false, || {}).await;
    assert_eq!(seen.chunks.concat(), b"firstsecond", "{seen:?}");
    assert_eq!(seen.error_code.as_deref(), Some("Error"), "{seen:?}");
    let details: serde_json::Value = serde_json::from_str(seen.error_details.as_deref().unwrap()).unwrap();
    assert_eq!(
        (&details["errorType"], &details["errorMessage"]),
        (&json!("Error"), &json!("it broke"))
    );
    // HttpResponseStream.from: the prelude and its 8 NUL bytes come first, unparsed here.
    let seen = invoke_streamed(&c, "node-streamer", json!({"http": true}), false, || {}).await;
    assert_eq!(
        seen.content_type.as_deref(),
        Some("application/vnd.awslambda.http-integration-response")
    );
    let body = seen.chunks.concat();
    let prelude = br#"{"statusCode":201,"headers":{"x-custom":"yes"},"cookies":["a=1"]}"#;
    assert_eq!(&body[..prelude.len()], prelude, "{}", String::from_utf8_lossy(&body));
    assert_eq!(&body[prelude.len()..], b"\0\0\0\0\0\0\0\0firstsecond");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn node_streaming_handler_with_our_client() {
    require_tool("node");
    node_streaming(Server::start(&["--own-runtime-clients"])).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn node_streaming_handler_with_the_official_client() {
    require_tool("node");
    let ric = common::require_node_ric();
    node_streaming(Server::start(&["--node-ric", &ric.display().to_string()])).await;
}

/// The Rust `lambda_runtime` streaming function (tests/fixtures/rust-stream), on a server
/// started with `args`: its first chunk reaches the client before it writes the second.
async fn rust_streaming(args: &[&str]) {
    if std::env::var("FAUXLAMBDA_SKIP_RUST_FUNCTION").as_deref() == Ok("1") {
        eprintln!("skipped: FAUXLAMBDA_SKIP_RUST_FUNCTION=1");
        return;
    }
    let bootstrap = tokio::task::spawn_blocking(|| common::rust_functions::rust_function("rust-stream"))
        .await
        .unwrap()
        .unwrap_or_else(|e| panic!("{e}"));
    let server = Server::start(args);
    let c = server.client();
    c.create_function()
        .function_name("rust-stream")
        .runtime(Runtime::Providedal2023)
        .role(ROLE)
        .handler("bootstrap")
        .timeout(30)
        .code(
            FunctionCode::builder()
                .zip_file(Blob::new(zip(&[(
                    "bootstrap",
                    &std::fs::read(&bootstrap).unwrap(),
                    0o755,
                )])))
                .build(),
        )
        .send()
        .await
        .unwrap();
    wait_active(&c, "rust-stream").await;
    for round in 0..2 {
        let signal = TcpSignal::new();
        let t = Instant::now();
        let first_at = std::sync::Arc::new(std::sync::Mutex::new(None));
        let first = first_at.clone();
        let seen = invoke_streamed(
            &c,
            "rust-stream",
            json!({"signal": signal.address()}),
            false,
            move || {
                *first.lock().unwrap() = Some(t.elapsed());
                signal.send();
            },
        )
        .await;
        // lambda_runtime streams as an HTTP integration response: its prelude, 8 NUL bytes, the body.
        assert_eq!(
            seen.content_type.as_deref(),
            Some("application/vnd.awslambda.http-integration-response")
        );
        let body = seen.chunks.concat();
        let prelude = br#"{"statusCode":200,"headers":{"content-type":"application/octet-stream"},"cookies":[]}"#;
        assert_eq!(
            body,
            [&prelude[..], b"\0\0\0\0\0\0\0\0firstsecond"].concat(),
            "{seen:?}"
        );
        assert_eq!(seen.error_code, None, "{seen:?}");
        let first = first_at.lock().unwrap().unwrap();
        assert!(first < Duration::from_secs(15), "first chunk after {first:?}");
        eprintln!(
            "round {round}: first chunk after {first:?}, all after {:?}",
            t.elapsed()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rust_streaming_function() {
    rust_streaming(&[]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rust_streaming_function_in_docker() {
    let args = common::docker_args();
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    rust_streaming(&refs).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn node_streaming_handler_in_docker() {
    let args = common::docker_args();
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    node_streaming(Server::start(&refs)).await;
}
