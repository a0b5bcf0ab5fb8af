//! Function URLs served by the real binary, called by real HTTP clients (hyper with the URL's
//! `Host`, curl, which resolves `*.localhost` itself, and botocore's SigV4 signer from `.venv`):
//! every row of the recorded response table, the payload 2.0 event, each error, CORS, AWS_IAM and
//! RESPONSE_STREAM with a prelude.

mod common;

use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{Cors, FunctionCode, FunctionUrlAuthType, InvokeMode, Runtime};
use aws_sdk_lambda::Client;
use bytes::Bytes;
use common::{require_tool, wait_active, Server, ROLE};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use std::io::Write;
use std::time::Duration;

/// Answers as the request's body asks: `{"ret": <value>}` returns the value, `"echo"` the event,
/// `"raise"` raises; `{"sleep": s}` sleeps first.
const PY_APP: &str = r#"
import json, time
def handler(event, context):
    spec = json.loads(event.get("body") or "null") if not event.get("isBase64Encoded") else "echo"
    if spec is None or spec == "echo":
        return event
    if spec == "raise":
        raise ValueError("boom")
    if "sleep" in spec:
        time.sleep(spec["sleep"])
    return spec["ret"]
"#;

fn zip(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes) in files {
        w.start_file(*name, zip::write::SimpleFileOptions::default().unix_permissions(0o644))
            .unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap().into_inner()
}

async fn create(c: &Client, name: &str, runtime: Runtime, file: &str, code: &str) {
    c.create_function()
        .function_name(name)
        .runtime(runtime)
        .role(ROLE)
        .handler(format!("{}.handler", file.split('.').next().unwrap()))
        .timeout(3)
        .code(
            FunctionCode::builder()
                .zip_file(Blob::new(zip(&[(file, code.as_bytes())])))
                .build(),
        )
        .send()
        .await
        .unwrap();
    wait_active(c, name).await;
}

/// A URL config for `name` (NONE with the public permission unless `public` is false); its id.
async fn url(
    c: &Client,
    name: &str,
    auth: FunctionUrlAuthType,
    public: bool,
    mode: InvokeMode,
    cors: Option<Cors>,
) -> String {
    let out = c
        .create_function_url_config()
        .function_name(name)
        .auth_type(auth.clone())
        .invoke_mode(mode)
        .set_cors(cors)
        .send()
        .await
        .unwrap();
    if public {
        c.add_permission()
            .function_name(name)
            .statement_id("url")
            .action("lambda:InvokeFunctionUrl")
            .principal("*")
            .function_url_auth_type(auth)
            .send()
            .await
            .unwrap();
    }
    let u = out.function_url();
    u.strip_prefix("http://")
        .and_then(|r| r.split_once(".lambda-url.us-east-1.localhost:"))
        .map(|(id, _)| id.to_string())
        .unwrap_or_else(|| panic!("URL format: {u}"))
}

struct Answer {
    status: u16,
    headers: http::HeaderMap,
    body: Bytes,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.text()))
    }
}

/// One request to URL `id` by its Host, with hyper.
async fn call(
    server: &Server,
    id: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: impl Into<Bytes>,
) -> Answer {
    let stream = tokio::net::TcpStream::connect(("127.0.0.1", server.port))
        .await
        .unwrap();
    let (mut send, conn) = hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(conn);
    let mut req = http::Request::builder()
        .method(method)
        .uri(path)
        .header("host", format!("{id}.lambda-url.us-east-1.localhost:{}", server.port));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = send
        .send_request(req.body(http_body_util::Full::new(body.into())).unwrap())
        .await
        .unwrap();
    let (parts, body) = resp.into_parts();
    Answer {
        status: parts.status.as_u16(),
        headers: parts.headers,
        body: body.collect().await.unwrap().to_bytes(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn buffered_urls_answer_as_aws() {
    let server = Server::start(&[]);
    let c = server.client();
    create(&c, "web", Runtime::Python312, "app.py", PY_APP).await;
    let id = url(&c, "web", FunctionUrlAuthType::None, true, InvokeMode::Buffered, None).await;

    // The recorded table (§4.3): body, content type, length.
    let rows: &[(Value, u16, &str)] = &[
        (json!({"hello": "world"}), 200, r#"{"hello":"world"}"#),
        (json!({"statusCode": 200, "body": "body123"}), 200, "body123"),
        (
            json!({"statusCode": 200, "body": "{\"hello\": \"world\"}"}),
            200,
            "{\"hello\": \"world\"}",
        ),
        (json!(["hello", 3, true]), 200, r#"["hello",3,true]"#),
        (json!("hello"), 200, "hello"),
        (json!(3), 200, "3"),
        (json!(3.1), 200, "3.1"),
        (json!(true), 200, "true"),
    ];
    for (ret, status, body) in rows {
        let a = call(
            &server,
            &id,
            "POST",
            "/custom_path/extend?test_param=1",
            &[],
            json!({"ret": ret}).to_string(),
        )
        .await;
        assert_eq!((a.status, a.text().as_str()), (*status, *body), "{ret}");
        assert_eq!(a.header("content-type"), Some("application/json"), "{ret}");
        assert_eq!(
            a.header("content-length"),
            Some(body.len().to_string().as_str()),
            "{ret}"
        );
        assert!(a.header("x-amzn-requestid").is_some());
    }
    // Structured: a status as a string, headers, one Set-Cookie per cookie, a base64 body.
    let ret = json!({"statusCode": "418", "headers": {"My-Custom-Header": "x", "content-type": "text/plain"},
        "cookies": ["a=1; Path=/", "b=2"], "body": "aGk=", "isBase64Encoded": true});
    let a = call(&server, &id, "POST", "/", &[], json!({"ret": ret}).to_string()).await;
    assert_eq!((a.status, a.text().as_str()), (418, "hi"));
    assert_eq!(a.header("my-custom-header"), Some("x"));
    assert_eq!(a.header("content-type"), Some("text/plain"));
    let cookies: Vec<&str> = a
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    assert_eq!(cookies, ["a=1; Path=/", "b=2"]);

    // The event: duplicate headers, cookies, a multi-value query; its request id is the answer's.
    let a = call(
        &server,
        &id,
        "POST",
        "/my/pa%2Fth?q=query&multiQuery=foo&multiQuery=%2Fbar",
        &[
            ("x-dup", "one"),
            ("x-dup", "two"),
            ("Extra-Headers", "With WeiRd CapS"),
            ("cookie", "c1=v1; c2=v2"),
            ("content-type", "text/plain"),
        ],
        "\"echo\"",
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.text());
    let e = a.json();
    assert_eq!(e["version"], "2.0");
    assert_eq!(e["routeKey"], "$default");
    assert_eq!(e["rawPath"], "/my/pa%2Fth");
    assert_eq!(e["rawQueryString"], "q=query&multiQuery=foo&multiQuery=%2Fbar");
    assert_eq!(
        e["queryStringParameters"],
        json!({"q": "query", "multiQuery": "foo,/bar"})
    );
    assert_eq!(e["cookies"], json!(["c1=v1", "c2=v2"]));
    assert_eq!(e["headers"]["x-dup"], "one,two");
    assert_eq!(e["headers"]["extra-headers"], "With WeiRd CapS");
    assert!(e["headers"].get("cookie").is_none(), "{e}");
    for h in [
        "x-amzn-trace-id",
        "x-forwarded-for",
        "x-forwarded-port",
        "x-forwarded-proto",
    ] {
        assert!(e["headers"][h].is_string(), "{h}: {e}");
    }
    assert_eq!(e["body"], "\"echo\"");
    assert_eq!(e["isBase64Encoded"], false);
    let rc = &e["requestContext"];
    assert_eq!(rc["requestId"].as_str(), a.header("x-amzn-requestid"));
    assert_eq!(rc["accountId"], "anonymous");
    assert_eq!(rc["apiId"], id.as_str());
    assert_eq!(rc["domainPrefix"], id.as_str());
    assert_eq!(rc["domainName"], e["headers"]["host"]);
    assert_eq!(rc["http"]["method"], "POST");
    assert_eq!(rc["http"]["path"], "/my/pa%2Fth");
    assert_eq!(rc["http"]["sourceIp"], "127.0.0.1");
    assert!(
        rc["timeEpoch"].is_u64() && rc["time"].as_str().unwrap().ends_with(" +0000"),
        "{rc}"
    );

    // Binary and multipart bodies arrive base64-encoded.
    for ct in ["application/octet-stream", "multipart/form-data; boundary=xyz"] {
        let raw: &[u8] = b"--xyz\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\n\x00\xff\r\n--xyz--\r\n";
        let a = call(
            &server,
            &id,
            "PUT",
            "/upload",
            &[("content-type", ct)],
            Bytes::from_static(raw),
        )
        .await;
        let e = a.json();
        assert_eq!(e["isBase64Encoded"], true, "{ct}");
        use base64::Engine;
        assert_eq!(
            base64::engine::general_purpose::STANDARD
                .decode(e["body"].as_str().unwrap())
                .unwrap(),
            raw
        );
    }

    // The path form, for clients that cannot set a host; and curl by the URL itself.
    let r = common::http_get(&format!("{}/_fauxlambda/url/{id}/p/q?x=1", server.endpoint)).await;
    let e: Value = serde_json::from_slice(&r).unwrap();
    assert_eq!((&e["rawPath"], &e["rawQueryString"]), (&json!("/p/q"), &json!("x=1")));
    require_tool("curl");
    let out = std::process::Command::new("curl")
        .args([
            "-sS",
            "-H",
            "content-type: application/json",
            "-d",
            r#"{"ret":"via curl"}"#,
        ])
        .arg(format!("http://{id}.lambda-url.us-east-1.localhost:{}/", server.port))
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "via curl",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn url_errors_answer_as_aws() {
    let server = Server::start(&[]);
    let c = server.client();
    create(&c, "web", Runtime::Python312, "app.py", PY_APP).await;
    let id = url(&c, "web", FunctionUrlAuthType::None, true, InvokeMode::Buffered, None).await;

    // A function error and a timeout: 502.
    for body in [r#""raise""#, r#"{"sleep": 5, "ret": 1}"#] {
        let a = call(&server, &id, "POST", "/", &[], body).await;
        assert_eq!((a.status, a.text().as_str()), (502, "Internal Server Error"), "{body}");
        assert!(a.header("x-amzn-requestid").is_some());
    }
    // An unknown id.
    let a = call(&server, "abcdefghijklmnopqrstuvwxyz012345", "GET", "/", &[], "").await;
    assert_eq!((a.status, a.text().as_str()), (403, r#"{"Message":null}"#));
    assert_eq!(a.header("x-amzn-errortype"), Some("AccessDeniedException"));
    assert_eq!(a.header("content-type"), Some("application/json"));
    // Over 6 MB.
    let a = call(&server, &id, "POST", "/", &[], vec![b'a'; 6 * 1024 * 1024 + 1]).await;
    assert_eq!(a.status, 413);
    // AuthType NONE without the permission.
    create(&c, "private", Runtime::Python312, "app.py", PY_APP).await;
    let private = url(
        &c,
        "private",
        FunctionUrlAuthType::None,
        false,
        InvokeMode::Buffered,
        None,
    )
    .await;
    let a = call(&server, &private, "GET", "/", &[], "").await;
    assert_eq!(
        (a.status, a.text().as_str()),
        (
            403,
            r#"{"Message":"Forbidden. For troubleshooting Function URL authorization issues, see: https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html"}"#
        )
    );
    assert_eq!(a.header("x-amzn-errortype"), Some("AccessDeniedException"));
    // Throttled: reserved concurrency 0.
    c.put_function_concurrency()
        .function_name("web")
        .reserved_concurrent_executions(0)
        .send()
        .await
        .unwrap();
    let a = call(&server, &id, "GET", "/", &[], "").await;
    assert_eq!(a.status, 429, "{}", a.text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cors_preflight_and_answers() {
    let server = Server::start(&[]);
    let c = server.client();
    create(&c, "web", Runtime::Python312, "app.py", PY_APP).await;
    let cors = Cors::builder()
        .allow_origins("http://page.example")
        .allow_methods("POST")
        .allow_headers("content-type")
        .expose_headers("x-mine")
        .max_age(300)
        .allow_credentials(true)
        .build();
    let id = url(
        &c,
        "web",
        FunctionUrlAuthType::None,
        true,
        InvokeMode::Buffered,
        Some(cors),
    )
    .await;
    // The preflight is answered without the function (nothing is invoked).
    let a = call(
        &server,
        &id,
        "OPTIONS",
        "/",
        &[
            ("origin", "http://page.example"),
            ("access-control-request-method", "POST"),
        ],
        "",
    )
    .await;
    assert_eq!(a.status, 200);
    assert_eq!(a.header("access-control-allow-origin"), Some("http://page.example"));
    assert_eq!(a.header("access-control-allow-methods"), Some("POST"));
    assert_eq!(a.header("access-control-allow-headers"), Some("content-type"));
    assert_eq!(a.header("access-control-max-age"), Some("300"));
    assert_eq!(a.header("access-control-allow-credentials"), Some("true"));
    let invoked: Value =
        serde_json::from_slice(&common::http_get(&format!("{}/_fauxlambda/invocations", server.endpoint)).await)
            .unwrap();
    assert_eq!(invoked["invocations"].as_array().map(Vec::len), Some(0), "{invoked}");
    // The actual request: the URL's headers win over the function's.
    let ret =
        json!({"statusCode": 200, "headers": {"Access-Control-Allow-Origin": "http://evil.example"}, "body": "ok"});
    let a = call(
        &server,
        &id,
        "POST",
        "/",
        &[("origin", "http://page.example")],
        json!({"ret": ret}).to_string(),
    )
    .await;
    assert_eq!((a.status, a.text().as_str()), (200, "ok"));
    assert_eq!(a.header("access-control-allow-origin"), Some("http://page.example"));
    assert_eq!(a.header("access-control-expose-headers"), Some("x-mine"));
    assert_eq!(a.header("access-control-allow-methods"), None);
}

/// Signs a request to `url` with botocore's SigV4 signer (service `lambda`) and prints the
/// headers it adds as JSON.
const SIGN: &str = r#"
import json, sys
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
url, body, key, secret = sys.argv[1:5]
req = AWSRequest(method="POST", url=url, data=body.encode(), headers={"content-type": "application/json"})
SigV4Auth(Credentials(key, secret), "lambda", "us-east-1").add_auth(req)
print(json.dumps(dict(req.headers.items())))
"#;

async fn signed_call(server: &Server, id: &str, key: &str, secret: &str, body: &str) -> Answer {
    let python = common::require_venv_python();
    let host = format!("{id}.lambda-url.us-east-1.localhost:{}", server.port);
    let out = std::process::Command::new(python)
        .args(["-c", SIGN, &format!("http://{host}/signed?a=1"), body, key, secret])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let signed: std::collections::BTreeMap<String, String> = serde_json::from_slice(&out.stdout).unwrap();
    let headers: Vec<(&str, &str)> = signed
        .iter()
        .filter(|(k, _)| !k.eq_ignore_ascii_case("host"))
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    call(server, id, "POST", "/signed?a=1", &headers, body.to_string()).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_iam_urls_check_signatures() {
    let server = Server::start(&["--iam-credentials", "AKIDKNOWN:knownsecret"]);
    let c = server.client();
    create(&c, "iam", Runtime::Python312, "app.py", PY_APP).await;
    let id = url(
        &c,
        "iam",
        FunctionUrlAuthType::AwsIam,
        false,
        InvokeMode::Buffered,
        None,
    )
    .await;
    // Signed by botocore with the known key: let in, the caller in the event.
    let a = signed_call(&server, &id, "AKIDKNOWN", "knownsecret", r#""echo""#).await;
    assert_eq!(a.status, 200, "{}", a.text());
    let e = a.json();
    assert_eq!(e["requestContext"]["authorizer"]["iam"]["accessKey"], "AKIDKNOWN");
    assert_eq!(e["requestContext"]["accountId"], "000000000000");
    // The wrong secret, an unknown key, no signature, a signature broken by a byte: refused.
    for (key, secret) in [("AKIDKNOWN", "wrong"), ("AKIDOTHER", "knownsecret")] {
        let a = signed_call(&server, &id, key, secret, r#""echo""#).await;
        assert_eq!(a.status, 403, "{key}:{secret}");
        assert_eq!(a.header("x-amzn-errortype"), Some("AccessDeniedException"));
    }
    let a = call(&server, &id, "POST", "/signed?a=1", &[], "\"echo\"").await;
    assert_eq!(a.status, 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_iam_urls_accept_any_well_formed_signature_by_default() {
    let server = Server::start(&[]);
    let c = server.client();
    create(&c, "iam", Runtime::Python312, "app.py", PY_APP).await;
    let id = url(
        &c,
        "iam",
        FunctionUrlAuthType::AwsIam,
        false,
        InvokeMode::Buffered,
        None,
    )
    .await;
    let a = signed_call(&server, &id, "ANYKEY", "anysecret", r#"{"ret": 7}"#).await;
    assert_eq!((a.status, a.text().as_str()), (200, "7"));
    let a = call(&server, &id, "POST", "/", &[("authorization", "Bearer x")], "1").await;
    assert_eq!(a.status, 403);
}

/// A streaming Node handler with a prelude: `first`, then (once the test sends a byte on a
/// connection to the query's `signal`) `second`.
const NODE_STREAMING: &str = r#"
const net = require("net");
exports.handler = awslambda.streamifyResponse(async (event, responseStream) => {
  responseStream = awslambda.HttpResponseStream.from(responseStream, {
    statusCode: 201, headers: { "content-type": "text/plain", "x-custom": "yes" }, cookies: ["a=1", "b=2"],
  });
  responseStream.write("first");
  const signal = (event.queryStringParameters || {}).signal;
  if (signal) {
    const [host, port] = signal.split(":");
    await new Promise((resolve) => {
      const s = net.connect({ host, port: Number(port) });
      const timer = setTimeout(() => done(), 20000);
      const done = () => { clearTimeout(timer); s.destroy(); resolve(); };
      s.on("data", done); s.on("error", done); s.on("close", done);
    });
  }
  responseStream.write("second");
  responseStream.end();
});
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn response_stream_urls_stream_with_the_prelude() {
    require_tool("node");
    let server = Server::start(&["--own-runtime-clients"]);
    let c = server.client();
    create(&c, "streamer", Runtime::Nodejs20x, "index.js", NODE_STREAMING).await;
    let id = url(
        &c,
        "streamer",
        FunctionUrlAuthType::None,
        true,
        InvokeMode::ResponseStream,
        None,
    )
    .await;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let signal = listener.local_addr().unwrap().to_string();

    let stream = tokio::net::TcpStream::connect(("127.0.0.1", server.port))
        .await
        .unwrap();
    let (mut send, conn) = hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(conn);
    let req = http::Request::builder()
        .uri(format!("/?signal={signal}"))
        .header("host", format!("{id}.lambda-url.us-east-1.localhost:{}", server.port))
        .body(http_body_util::Full::new(Bytes::new()))
        .unwrap();
    let resp = tokio::time::timeout(Duration::from_secs(10), send.send_request(req))
        .await
        .expect("the head before the function finished")
        .unwrap();
    assert_eq!(resp.status(), 201);
    assert_eq!(resp.headers()["content-type"], "text/plain");
    assert_eq!(resp.headers()["x-custom"], "yes");
    let cookies: Vec<&str> = resp
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    assert_eq!(cookies, ["a=1", "b=2"]);
    assert!(resp.headers().get("content-length").is_none());
    let mut body = resp.into_body();
    let mut got = Vec::new();
    // `first` arrives while the function still waits for the signal.
    while got != b"first" {
        let frame = tokio::time::timeout(Duration::from_secs(10), body.frame())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        got.extend_from_slice(&frame.into_data().unwrap());
    }
    let (mut s, _) = listener.accept().unwrap();
    s.write_all(b"!").unwrap();
    while let Some(frame) = body.frame().await {
        got.extend_from_slice(&frame.unwrap().into_data().unwrap_or_default());
    }
    assert_eq!(got, b"firstsecond");

    // A buffered handler in RESPONSE_STREAM mode: its result verbatim.
    create(&c, "plain", Runtime::Python312, "app.py", PY_APP).await;
    let plain = url(
        &c,
        "plain",
        FunctionUrlAuthType::None,
        true,
        InvokeMode::ResponseStream,
        None,
    )
    .await;
    let ret = json!({"statusCode": 200, "body": "x"});
    let a = call(&server, &plain, "POST", "/", &[], json!({"ret": ret}).to_string()).await;
    assert_eq!(a.status, 200);
    assert_eq!(a.json(), ret);
}

/// The page of the browser test: from its own origin it POSTs JSON to the function URL (a CORS
/// preflighted request) and writes the answer into `#answer`.
const PAGE: &str = r#"<!doctype html>
<html><body><div id="answer">waiting</div>
<script>
fetch("URL", {method: "POST", headers: {"content-type": "application/json"}, body: JSON.stringify({ret: {from: "the function"}})})
  .then(async (r) => { document.getElementById("answer").textContent = r.status + " " + await r.text(); })
  .catch((e) => { document.getElementById("answer").textContent = "failed: " + e; });
</script></body></html>"#;

/// Serves `page` at `/` of a port of its own (another origin than the function URL's).
fn serve_page(page: String) -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        use std::io::Read;
        for mut s in listener.incoming().flatten() {
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf);
            let _ = write!(
                s,
                "HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{page}",
                page.len()
            );
        }
    });
    port
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_browser_calls_a_url_from_another_origin() {
    require_tool("chromium");
    let server = Server::start(&[]);
    let c = server.client();
    create(&c, "web", Runtime::Python312, "app.py", PY_APP).await;
    // The page's origin is known only once its port is: the URL's CORS is set after.
    let id = url(&c, "web", FunctionUrlAuthType::None, true, InvokeMode::Buffered, None).await;
    let function_url = format!("http://{id}.lambda-url.us-east-1.localhost:{}/", server.port);
    let page_port = serve_page(PAGE.replace("URL", &function_url));
    let origin = format!("http://127.0.0.1:{page_port}");
    c.update_function_url_config()
        .function_name("web")
        .cors(
            Cors::builder()
                .allow_origins(&origin)
                .allow_methods("POST")
                .allow_headers("content-type")
                .build(),
        )
        .send()
        .await
        .unwrap();
    let profile = tempfile::tempdir().unwrap();
    let page = format!("{origin}/");
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new("chromium")
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--virtual-time-budget=10000",
                "--dump-dom",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg(&page)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let dom = String::from_utf8_lossy(&out.stdout);
    assert!(
        dom.contains(r#"<div id="answer">200 {"from":"the function"}</div>"#),
        "the page shows: {dom}\nchromium: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The preflight was answered by the URL, the POST ran the function once.
    let invoked: Value =
        serde_json::from_slice(&common::http_get(&format!("{}/_fauxlambda/invocations", server.endpoint)).await)
            .unwrap();
    assert_eq!(invoked["invocations"].as_array().map(Vec::len), Some(1), "{invoked}");
}
