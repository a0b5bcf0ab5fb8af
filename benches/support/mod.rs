//! What the single-file benchmarks share: the release `fauxlambda` on a free loopback port, raw
//! HTTP/1.1 keep-alive requests to it, its resident memory, and function packages.

#![allow(dead_code)]

use base64::Engine;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use std::io::Write;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const ROLE: &str = "arn:aws:iam::000000000000:role/bench";

pub struct Server {
    pub child: Child,
    pub port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn rss_kb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

pub type Sender = hyper::client::conn::http1::SendRequest<Full<Bytes>>;

pub async fn connect(port: u16) -> Sender {
    let stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect");
    stream.set_nodelay(true).unwrap();
    let (send, conn) = hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
        .await
        .expect("handshake");
    tokio::spawn(conn);
    send
}

pub async fn request(send: &mut Sender, method: &str, path: &str, body: Option<String>) -> (u16, Bytes) {
    request_with(send, method, path, &[], body).await
}

/// A request with extra headers: its status and body.
pub async fn request_with(
    send: &mut Sender,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<String>,
) -> (u16, Bytes) {
    let mut b = http::Request::builder()
        .method(method)
        .uri(path)
        .header("host", "127.0.0.1");
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    if body.is_some() {
        b = b.header("content-type", "application/json");
    }
    let req = b.body(Full::new(Bytes::from(body.unwrap_or_default()))).unwrap();
    send.ready().await.expect("ready");
    let resp = send.send_request(req).await.expect("send");
    let status = resp.status().as_u16();
    (status, resp.into_body().collect().await.expect("body").to_bytes())
}

/// Starts the server (process executor, `extra` arguments, no data directory: the state in
/// memory) and measures the time until the first request is answered.
pub async fn start(extra: &[&str]) -> (Server, Duration) {
    start_on(free_port(), extra).await
}

/// As `start`, keeping the state in data directory `dir` (`--data-dir`).
pub async fn start_with_data(dir: &std::path::Path, extra: &[&str]) -> (Server, Duration) {
    let mut args = vec!["--data-dir", dir.to_str().expect("a UTF-8 path")];
    args.extend_from_slice(extra);
    start_on(free_port(), &args).await
}

async fn start_on(port: u16, extra: &[&str]) -> (Server, Duration) {
    let t0 = Instant::now();
    let child = Command::new(env!("CARGO_BIN_EXE_fauxlambda"))
        .args([
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--log-level",
            "error",
            "--executor",
            "process",
        ])
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn fauxlambda");
    loop {
        if let Ok(stream) = tokio::net::TcpStream::connect(("127.0.0.1", port)).await {
            drop(stream);
            let mut s = connect(port).await;
            let (status, _) = request(&mut s, "GET", "/_fauxlambda/health", None).await;
            if status == 200 {
                break;
            }
        }
        tokio::time::sleep(Duration::from_micros(200)).await;
        assert!(t0.elapsed() < Duration::from_secs(10), "fauxlambda did not start");
    }
    (Server { child, port }, t0.elapsed())
}

/// GET requests per second of `path` over `conns` keep-alive connections for `run_for` (each
/// answer must be 200).
pub async fn get_rps(port: u16, path: &'static str, conns: usize, run_for: Duration) -> f64 {
    let deadline = Instant::now() + run_for;
    let mut tasks = Vec::new();
    for _ in 0..conns {
        tasks.push(tokio::spawn(async move {
            let mut s = connect(port).await;
            let mut n = 0u64;
            while Instant::now() < deadline {
                let (status, _) = request(&mut s, "GET", path, None).await;
                assert_eq!(status, 200, "{path}");
                n += 1;
            }
            n
        }));
    }
    let mut total = 0;
    for t in tasks {
        total += t.await.unwrap();
    }
    total as f64 / run_for.as_secs_f64()
}

/// A zip holding `app.py` with `code`, base64-encoded for CreateFunction's `ZipFile`.
pub fn zip_b64(code: &str) -> String {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    w.start_file("app.py", zip::write::SimpleFileOptions::default())
        .unwrap();
    w.write_all(code.as_bytes()).unwrap();
    base64::engine::general_purpose::STANDARD.encode(w.finish().unwrap().into_inner())
}
