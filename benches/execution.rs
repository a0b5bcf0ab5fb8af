//! Execution benchmark of the release `fauxlambda` binary, side by side with the references in the
//! same run. Run with `scripts/bench-deps && cargo bench -p fauxlambda --bench execution`.
//!
//! Two functions, both echoing their event: Python (`python3.12`, benches/fixtures/python-echo)
//! and Rust (`provided.al2023`, benches/fixtures/rust-echo, built with the `lambda_runtime` crate
//! by `cargo build --release` into target/bench-fixtures/, cached by source hash). Each runs under
//! - fauxlambda with the process executor (`--max-environments 8`), invoked at
//!   `POST /2015-03-31/functions/<name>/invocations`;
//! - fauxlambda with the Docker executor (`--executor docker --docker-network host`, the local
//!   images of `scripts/test-images` through `--runtime-image`), likewise; skipped with a note when
//!   Docker or the images are missing;
//! - the AWS Runtime Interface Emulator (`aws-lambda-rie`, from the aws-sam-cli wheel) as a host
//!   process, invoked at `POST /2015-03-31/functions/function/invocations`. The Python function
//!   runs with `AWS_EXECUTION_ENV=AWS_Lambda_python3.12`, as the official image's bootstrap and
//!   fauxlambda export it (awslambdaric then polls `/next` from a thread of its own per invoke);
//!   a second row runs it without (awslambdaric's other mode, which no Lambda image uses);
//! - `cargo lambda watch` (Rust only; `--concurrency 8`);
//! - the floor (`execution/floor.rs`): each runtime behind a one-thread relay that does only the
//!   socket work of a warm invoke, the least any emulator can do on this machine.
//!
//! The Python echo also runs on fauxlambda with its own runtime client (`--own-runtime-clients`,
//! what runs when the interpreter has no awslambdaric), and under the floor likewise.
//!
//! The 2× goals are judged on warm latency measured side by side (`execution/side_by_side.rs`):
//! while each reference (and each floor) runs, a fauxlambda process-executor server with the same
//! function warm is measured in alternating batches with it, so the machine's drift falls on both.
//!
//! Figures: warm invoke latency p50/p99 (sequential invokes over one keep-alive connection), warm
//! throughput over 1 and 8 keep-alive connections for 2 s each (both from a minimal blocking
//! HTTP/1.1 client, a thread per connection, so the client adds little to what is measured), and cold start (median of 5:
//! fauxlambda `POST /_fauxlambda/functions/<name>/evict`, then, once the old environment is gone,
//! the next invoke's request → response, checked cold by its `Init Duration`; RIE and cargo lambda:
//! process spawn → first response). With Docker, also the cold start of a Node.js function with and
//! without 30,000 small files under `node_modules/` in its zip (after the first invoke unpacked it).
//! A reference that cannot be run here is printed as `n/a (<reason>)`. Everything is on loopback.
//!
//! Goals: process executor warm p50 ≤ 0.5 ms and ≥ 2× faster than both references, ≥ 3,000 warm
//! invokes/s across 8 environments, cold start ≤ 150 ms for the Python echo; Docker executor warm
//! p50 ≤ 1 ms, cold start ≤ 400 ms for the Python echo, `node_modules` adds ≤ 100 ms to a cold start.

#[path = "execution/floor.rs"]
mod floor;
#[path = "execution/side_by_side.rs"]
mod side_by_side;

use base64::Engine;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use side_by_side::{SideBySide, Target};
use std::collections::HashMap;
use std::time::{Duration, Instant};

const ROLE: &str = "arn:aws:iam::000000000000:role/bench";
const PAYLOAD: &str = r#"{"message":"hello","n":42}"#;
/// Each throughput figure runs this long.
const RUN_FOR: Duration = Duration::from_secs(2);
/// Warm latency: at most this many sequential invokes, for at most `LATENCY_FOR`.
const LATENCY_SAMPLES: usize = 5000;
const LATENCY_FOR: Duration = Duration::from_secs(2);
/// No single load may answer more than this many invokes (a bound besides the time).
const MAX_INVOKES: u64 = 2_000_000;
const COLD_RUNS: usize = 5;
const ENVIRONMENTS: usize = 8;
const PY_APP: &str = include_str!("fixtures/python-echo/app.py");
/// fauxlambda's own Python runtime client, which the floor runs as a script.
const PY_OWN_CLIENT: &str = include_str!("../src/runtime/clients/bootstrap.py");
const NODE_APP: &str = "exports.handler = async (event) => event;\n";
/// Files under `node_modules/` in the Node function's bigger zip.
const NODE_MODULES_FILES: usize = 30_000;
/// The images `scripts/test-images` builds, by the runtime they stand in for.
const DOCKER_IMAGES: &[(&str, &str)] = &[
    ("python3.12", "fauxlambda-test/python:3.11"),
    ("provided.al2023", "fauxlambda-test/provided:al2023"),
    ("nodejs20.x", "fauxlambda-test/nodejs:18"),
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A figure, or why there is none.
#[derive(Clone, Debug)]
enum Fig {
    Val(f64),
    Na(String),
}

impl Fig {
    fn val(&self) -> Option<f64> {
        match self {
            Fig::Val(v) => Some(*v),
            Fig::Na(_) => None,
        }
    }
    fn ms(&self) -> String {
        match self {
            Fig::Val(v) => format!("{:.3} ms", v * 1000.0),
            Fig::Na(r) => format!("n/a ({r})"),
        }
    }
    fn per_s(&self) -> String {
        match self {
            Fig::Val(v) => format!("{v:.0}"),
            Fig::Na(r) => format!("n/a ({r})"),
        }
    }
}

/// A process group we started: stopped with `signal`, then killed, when dropped.
struct Proc {
    child: Child,
    signal: &'static str,
}

impl Proc {
    fn spawn(mut cmd: Command, signal: &'static str) -> std::io::Result<Proc> {
        cmd.process_group(0).stdin(Stdio::null());
        Ok(Proc { child: cmd.spawn()?, signal })
    }
    fn exited(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(Some(_)))
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let pid = self.child.id();
        // fauxlambda stops its environments on SIGINT; the references on SIGTERM.
        let _ = Command::new("kill").arg(format!("-{}", self.signal)).arg(pid.to_string()).stderr(Stdio::null()).status();
        let deadline = Instant::now() + Duration::from_secs(3);
        while Instant::now() < deadline && !self.exited() {
            std::thread::sleep(Duration::from_millis(10));
        }
        // Whatever is left of the group (a runtime, `cargo run`'s child) goes too.
        let _ = Command::new("kill").args(["-KILL", "--", &format!("-{pid}")]).stderr(Stdio::null()).status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// --- HTTP ----------------------------------------------------------------------------------------

type Sender = hyper::client::conn::http1::SendRequest<Full<Bytes>>;

async fn connect(port: u16) -> Result<Sender, String> {
    let stream = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.map_err(|e| format!("connect: {e}"))?;
    stream.set_nodelay(true).unwrap();
    let (send, conn) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream)).await.map_err(|e| format!("handshake: {e}"))?;
    tokio::spawn(conn);
    Ok(send)
}

struct Answer {
    status: u16,
    headers: http::HeaderMap,
    body: Bytes,
}

async fn request(send: &mut Sender, method: &str, path: &str, body: Option<String>, headers: &[(&str, &str)]) -> Result<Answer, String> {
    let mut b = http::Request::builder().method(method).uri(path).header("host", "127.0.0.1");
    if body.is_some() {
        b = b.header("content-type", "application/json");
    }
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    let req = b.body(Full::new(Bytes::from(body.unwrap_or_default()))).unwrap();
    send.ready().await.map_err(|e| format!("connection: {e}"))?;
    let resp = send.send_request(req).await.map_err(|e| format!("send: {e}"))?;
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let body = resp.into_body().collect().await.map_err(|e| format!("body: {e}"))?.to_bytes();
    Ok(Answer { status, headers, body })
}

/// One invoke; Ok only for a 200 that echoes the payload.
async fn invoke(send: &mut Sender, path: &str) -> Result<(), String> {
    let a = request(send, "POST", path, Some(PAYLOAD.into()), &[]).await?;
    if a.status != 200 || a.headers.contains_key("x-amz-function-error") {
        return Err(format!("status {}: {}", a.status, String::from_utf8_lossy(&a.body)));
    }
    let got: serde_json::Value = serde_json::from_slice(&a.body).map_err(|e| format!("not JSON: {e}"))?;
    if got != serde_json::from_str::<serde_json::Value>(PAYLOAD).unwrap() {
        return Err(format!("not an echo: {}", String::from_utf8_lossy(&a.body)));
    }
    Ok(())
}

/// Waits until `port` answers `path` with an echo (the first answer may start the runtime).
async fn first_answer(port: u16, path: &str, within: Duration, proc: &mut Proc) -> Result<Sender, String> {
    let deadline = Instant::now() + within;
    let mut last = String::from("no answer");
    loop {
        if proc.exited() {
            return Err("the process exited".into());
        }
        if let Ok(mut s) = connect(port).await {
            match invoke(&mut s, path).await {
                Ok(()) => return Ok(s),
                Err(e) => last = e,
            }
        }
        if Instant::now() > deadline {
            return Err(format!("did not answer within {} s: {last}", within.as_secs()));
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

// --- Loads ---------------------------------------------------------------------------------------

/// The client of the warm figures: HTTP/1.1 over one blocking keep-alive socket in a thread of its
/// own (a request is one write, a response one or two reads), so that its own cost and wake-ups
/// add as little as possible to what is measured — the same for every runner.
struct RawClient {
    stream: std::net::TcpStream,
    request: Vec<u8>,
    buf: Vec<u8>,
}

impl RawClient {
    fn connect(port: u16, path: &str) -> Result<RawClient, String> {
        let stream = std::net::TcpStream::connect(("127.0.0.1", port)).map_err(|e| format!("connect: {e}"))?;
        stream.set_nodelay(true).map_err(|e| e.to_string())?;
        stream.set_read_timeout(Some(Duration::from_secs(60))).map_err(|e| e.to_string())?;
        let request = format!(
            "POST {path} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{PAYLOAD}",
            PAYLOAD.len()
        )
        .into_bytes();
        Ok(RawClient { stream, request, buf: Vec::with_capacity(16 * 1024) })
    }

    /// One invoke; Ok only for a 200 without `X-Amz-Function-Error` that echoes the payload.
    fn invoke(&mut self) -> Result<(), String> {
        use std::io::{Read, Write};
        self.stream.write_all(&self.request).map_err(|e| format!("send: {e}"))?;
        self.buf.clear();
        let mut chunk = [0u8; 16 * 1024];
        let mut read = |buf: &mut Vec<u8>, stream: &mut std::net::TcpStream| -> Result<(), String> {
            let n = stream.read(&mut chunk).map_err(|e| format!("receive: {e}"))?;
            if n == 0 {
                return Err("connection closed".into());
            }
            buf.extend_from_slice(&chunk[..n]);
            Ok(())
        };
        let head_end = loop {
            if let Some(i) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            read(&mut self.buf, &mut self.stream)?;
        };
        let head = String::from_utf8_lossy(&self.buf[..head_end]).to_ascii_lowercase();
        let status = head.split(' ').nth(1).unwrap_or("");
        let header = |name: &str| head.lines().find_map(|l| l.strip_prefix(name).map(|v| v.trim().to_owned()));
        let body = if let Some(len) = header("content-length:") {
            let len: usize = len.parse().map_err(|_| format!("bad content-length {len}"))?;
            while self.buf.len() < head_end + len {
                read(&mut self.buf, &mut self.stream)?;
            }
            self.buf[head_end..head_end + len].to_vec()
        } else if header("transfer-encoding:").is_some_and(|t| t.contains("chunked")) {
            // Chunks until the empty one (no trailers expected).
            let mut body = Vec::new();
            let mut at = head_end;
            loop {
                let line_end = loop {
                    if let Some(i) = self.buf[at..].windows(2).position(|w| w == b"\r\n") {
                        break at + i;
                    }
                    read(&mut self.buf, &mut self.stream)?;
                };
                let size = usize::from_str_radix(String::from_utf8_lossy(&self.buf[at..line_end]).split(';').next().unwrap_or("").trim(), 16)
                    .map_err(|_| "bad chunk size".to_string())?;
                while self.buf.len() < line_end + 2 + size + 2 {
                    read(&mut self.buf, &mut self.stream)?;
                }
                body.extend_from_slice(&self.buf[line_end + 2..line_end + 2 + size]);
                at = line_end + 2 + size + 2;
                if size == 0 {
                    break;
                }
            }
            body
        } else {
            return Err(format!("a response without a length: {head}"));
        };
        if status != "200" || header("x-amz-function-error:").is_some() {
            return Err(format!("status {status}: {}", String::from_utf8_lossy(&body)));
        }
        let got: serde_json::Value = serde_json::from_slice(&body).map_err(|e| format!("not JSON: {e}"))?;
        if got != serde_json::from_str::<serde_json::Value>(PAYLOAD).unwrap() {
            return Err(format!("not an echo: {}", String::from_utf8_lossy(&body)));
        }
        Ok(())
    }
}

/// Warm latency p50 and p99 (seconds) of sequential invokes over one keep-alive connection.
async fn latency(port: u16, path: &str) -> (Fig, Fig) {
    let path = path.to_string();
    let run = move || {
        let mut c = RawClient::connect(port, &path)?;
        for _ in 0..100 {
            c.invoke()?;
        }
        let mut samples = Vec::with_capacity(LATENCY_SAMPLES);
        let end = Instant::now() + LATENCY_FOR;
        while samples.len() < LATENCY_SAMPLES && Instant::now() < end {
            let t = Instant::now();
            c.invoke()?;
            samples.push(t.elapsed());
        }
        samples.sort();
        let at = |q: f64| samples[((samples.len() as f64 * q) as usize).min(samples.len() - 1)].as_secs_f64();
        Ok::<_, String>((at(0.50), at(0.99)))
    };
    match tokio::task::spawn_blocking(run).await.map_err(|e| e.to_string()).and_then(|r| r) {
        Ok((p50, p99)) => (Fig::Val(p50), Fig::Val(p99)),
        Err(e) => (Fig::Na(e.clone()), Fig::Na(e)),
    }
}

/// Successful invokes per second over `conns` keep-alive connections (a thread each) for `for_`;
/// errors counted.
async fn load(port: u16, path: &str, conns: usize, for_: Duration) -> Result<(f64, u64, Option<String>), String> {
    let deadline = Instant::now() + for_;
    let mut tasks = Vec::new();
    for _ in 0..conns {
        let path = path.to_string();
        tasks.push(tokio::task::spawn_blocking(move || {
            let mut c = RawClient::connect(port, &path)?;
            let (mut ok, mut errors, mut first_error) = (0u64, 0u64, None);
            while Instant::now() < deadline && ok + errors < MAX_INVOKES / conns as u64 {
                match c.invoke() {
                    Ok(()) => ok += 1,
                    Err(e) => {
                        errors += 1;
                        first_error.get_or_insert(e);
                        // The response may not have been read whole: start afresh.
                        c = RawClient::connect(port, &path)?;
                    }
                }
            }
            Ok::<_, String>((ok, errors, first_error))
        }));
    }
    let (mut ok, mut errors, mut first) = (0, 0, None);
    for t in tasks {
        let (o, e, f) = t.await.map_err(|e| e.to_string())??;
        ok += o;
        errors += e;
        first = first.or(f);
    }
    Ok((ok as f64 / for_.as_secs_f64(), errors, first))
}

/// Throughput over `conns` connections after a warm-up that starts the environments.
async fn throughput(port: u16, path: &str, conns: usize) -> (Fig, String) {
    if conns > 1 {
        let _ = load(port, path, conns, Duration::from_millis(1500)).await;
    }
    match load(port, path, conns, RUN_FOR).await {
        Ok((rps, 0, _)) => (Fig::Val(rps), String::new()),
        Ok((rps, errors, first)) => {
            (Fig::Val(rps), format!(" ({errors} errors, first: {})", first.unwrap_or_default().chars().take(80).collect::<String>()))
        }
        Err(e) => (Fig::Na(e), String::new()),
    }
}

fn median(mut v: Vec<Duration>) -> f64 {
    v.sort();
    v[v.len() / 2].as_secs_f64()
}

// --- Fixtures ------------------------------------------------------------------------------------

/// The Rust echo's `bootstrap`, built once per source hash.
fn rust_bootstrap() -> Result<PathBuf, String> {
    let src = root().join("benches/fixtures/rust-echo");
    let mut h = Sha256::new();
    for f in ["Cargo.toml", "Cargo.lock", "src/main.rs"] {
        h.update(f.as_bytes());
        h.update(std::fs::read(src.join(f)).unwrap_or_default());
    }
    let hash: String = h.finalize().iter().take(8).map(|b| format!("{b:02x}")).collect();
    let cache = root().join("target/bench-fixtures").join(format!("rust-echo-{hash}"));
    let bootstrap = cache.join("bootstrap");
    if bootstrap.is_file() {
        return Ok(bootstrap);
    }
    eprintln!("building benches/fixtures/rust-echo (cargo build --release)…");
    let target_dir = rust_target_dir();
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["build", "--release", "--quiet", "--manifest-path"])
        .arg(src.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(&target_dir)
        .env_remove("CARGO_TARGET_DIR")
        .status()
        .map_err(|e| format!("cargo: {e}"))?;
    if !status.success() {
        return Err(format!("cargo build of the fixture failed ({status})"));
    }
    std::fs::create_dir_all(&cache).map_err(|e| e.to_string())?;
    std::fs::copy(target_dir.join("release/rust-echo"), &bootstrap).map_err(|e| format!("copying the build: {e}"))?;
    Ok(bootstrap)
}

fn rust_target_dir() -> PathBuf {
    root().join("target/bench-fixtures/rust-echo")
}

fn zip_b64(files: &[(&str, &[u8], u32)]) -> String {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, data, mode) in files {
        w.start_file(*name, zip::write::SimpleFileOptions::default().unix_permissions(*mode)).unwrap();
        w.write_all(data).unwrap();
    }
    base64::engine::general_purpose::STANDARD.encode(w.finish().unwrap().into_inner())
}

/// The Node function, with `files` tiny modules under `node_modules/` (1,000 packages of
/// `files / 1000` files each).
fn node_zip_b64(files: usize) -> String {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().unix_permissions(0o644).compression_method(zip::CompressionMethod::Stored);
    w.start_file("index.js", opts).unwrap();
    w.write_all(NODE_APP.as_bytes()).unwrap();
    let per_package = files.div_ceil(1000).max(1);
    for i in 0..files {
        w.start_file(format!("node_modules/pkg-{:03}/lib/m{:03}.js", i / per_package, i % per_package), opts).unwrap();
        w.write_all(b"module.exports = 1;\n").unwrap();
    }
    base64::engine::general_purpose::STANDARD.encode(w.finish().unwrap().into_inner())
}

fn repo_python() -> Option<PathBuf> {
    Some(root().join(".venv/bin/python")).filter(|p| p.is_file())
}

fn has_awslambdaric(python: &Path) -> bool {
    Command::new(python).args(["-c", "import awslambdaric"]).stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok_and(|s| s.success())
}

// --- Runners -------------------------------------------------------------------------------------

/// One row of the table.
struct Row {
    runner: &'static str,
    function: &'static str,
    p50: Fig,
    p99: Fig,
    c1: Fig,
    c8: Fig,
    note: String,
    cold: Fig,
    /// A reference's warm latency measured in turn with fauxlambda's (its p50/p99 above are
    /// the reference's side of it).
    side: Option<SideBySide>,
}

impl Row {
    fn na(runner: &'static str, function: &'static str, why: &str) -> Row {
        let n = Fig::Na(why.to_string());
        Row { runner, function, p50: n.clone(), p99: n.clone(), c1: n.clone(), c8: n.clone(), note: String::new(), cold: n, side: None }
    }
    /// A row not run at all: the reason once.
    fn skipped(runner: &'static str, function: &'static str, why: &str) -> Row {
        let n = Fig::Na("skipped".into());
        Row { runner, function, p50: Fig::Na(why.to_string()), p99: n.clone(), c1: n.clone(), c8: n.clone(), note: String::new(), cold: n, side: None }
    }
    fn has_figures(&self) -> bool {
        [&self.p50, &self.p99, &self.c1, &self.c8, &self.cold].iter().any(|f| f.val().is_some())
    }
}

/// Warm figures of a runner; a reference's latency is measured side by side with `faux`, the
/// same function on fauxlambda, when given.
async fn measure_warm(runner: &'static str, function: &'static str, port: u16, path: &str, faux: Option<&Target>) -> Row {
    let (p50, p99, side) = match faux {
        Some(faux) => {
            let side = side_by_side::measure(faux, &Target { port, path: path.to_owned() }).await;
            (side.reference_p50.clone(), side.reference_p99.clone(), Some(side))
        }
        None => {
            let (p50, p99) = latency(port, path).await;
            (p50, p99, None)
        }
    };
    let (c1, n1) = throughput(port, path, 1).await;
    let (c8, n8) = throughput(port, path, ENVIRONMENTS).await;
    let note = [n1, n8].into_iter().filter(|n| !n.is_empty()).collect::<Vec<_>>().join(";");
    Row { runner, function, p50, p99, c1, c8, note, cold: Fig::Na("not measured".into()), side }
}

struct Faux {
    proc: Proc,
    port: u16,
    docker: bool,
    _data: tempfile::TempDir,
}

/// Why the Docker rows cannot run here (no engine, or the images of `scripts/test-images`
/// missing), if they cannot.
fn docker_unavailable() -> Option<String> {
    let info = Command::new("docker").args(["info", "--format", "{{.ServerVersion}}"]).stdout(Stdio::null()).stderr(Stdio::null()).status();
    match info {
        Err(e) => return Some(format!("no docker CLI: {e}")),
        Ok(s) if !s.success() => return Some("the Docker engine does not answer".into()),
        Ok(_) => {}
    }
    let missing: Vec<&str> = DOCKER_IMAGES
        .iter()
        .map(|(_, image)| *image)
        .filter(|image| !Command::new("docker").args(["image", "inspect", image]).stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok_and(|s| s.success()))
        .collect();
    (!missing.is_empty()).then(|| format!("image(s) {} missing: run scripts/test-images", missing.join(", ")))
}

/// fauxlambda with the process executor, or the Docker executor on host networking with the
/// local test images.
async fn start_fauxlambda(docker: bool, own_clients: bool) -> Result<Faux, String> {
    let port = free_port();
    let data = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_fauxlambda"));
    cmd.args(["--listen", &format!("127.0.0.1:{port}"), "--log-level", "error", "--max-environments", &ENVIRONMENTS.to_string()])
        .arg("--data-dir")
        .arg(data.path())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
    if docker {
        cmd.args(["--executor", "docker", "--docker-network", "host"]);
        for (runtime, image) in DOCKER_IMAGES {
            cmd.arg("--runtime-image").arg(format!("{runtime}={image}"));
        }
    } else {
        cmd.args(["--executor", "process"]);
        // The same interpreter and runtime client (awslambdaric) as the Python function under RIE.
        if let Some(py) = repo_python() {
            cmd.arg("--runtime-command").arg(format!("python={}", py.display()));
        }
        if own_clients {
            cmd.arg("--own-runtime-clients");
        }
    }
    let mut proc = Proc::spawn(cmd, "INT").map_err(|e| format!("spawn fauxlambda: {e}"))?;
    let t0 = Instant::now();
    loop {
        if let Ok(mut s) = connect(port).await {
            if request(&mut s, "GET", "/_fauxlambda/health", None, &[]).await.is_ok_and(|a| a.status == 200) {
                break;
            }
        }
        if proc.exited() || t0.elapsed() > Duration::from_secs(10) {
            return Err("fauxlambda did not start".into());
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    Ok(Faux { proc, port, docker, _data: data })
}

/// Creates a function and waits until it answers an invoke.
async fn faux_create(f: &mut Faux, name: &str, runtime: &str, handler: &str, zip: &str) -> Result<String, String> {
    let mut s = connect(f.port).await?;
    let body = format!(
        r#"{{"FunctionName":"{name}","Runtime":"{runtime}","Role":"{ROLE}","Handler":"{handler}","Timeout":30,"Code":{{"ZipFile":"{zip}"}}}}"#
    );
    let a = request(&mut s, "POST", "/2015-03-31/functions", Some(body), &[]).await?;
    if a.status != 201 {
        return Err(format!("CreateFunction: {} {}", a.status, String::from_utf8_lossy(&a.body)));
    }
    let path = format!("/2015-03-31/functions/{name}/invocations");
    // The first invoke unpacks the code (and may inspect the image).
    first_answer(f.port, &path, Duration::from_secs(120), &mut f.proc).await?;
    Ok(path)
}

/// The process ids of a function's live environments (0 for containers).
async fn environment_pids(f: &Faux, name: &str) -> Result<Vec<u64>, String> {
    let mut s = connect(f.port).await?;
    let a = request(&mut s, "GET", &format!("/_fauxlambda/environments?function={name}"), None, &[]).await?;
    let v: serde_json::Value = serde_json::from_slice(&a.body).map_err(|e| format!("environments: {e}"))?;
    Ok(v.get("environments").and_then(|e| e.as_array()).into_iter().flatten().filter_map(|e| e.get("pid").and_then(|p| p.as_u64())).collect())
}

/// Waits until a function's evicted environments are gone: its processes `pids` have exited, or
/// its containers were removed.
async fn evicted(f: &Faux, name: &str, pids: &[u64]) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let gone = if f.docker {
            let out = Command::new("docker")
                .args(["ps", "-aq", "--filter", &format!("label=fauxlambda.function={name}")])
                .output()
                .map_err(|e| format!("docker ps: {e}"))?;
            out.stdout.iter().all(u8::is_ascii_whitespace)
        } else {
            pids.iter().all(|p| *p == 0 || !Path::new(&format!("/proc/{p}")).exists())
        };
        if gone {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!("the environments of {name} were not stopped within 10 s of the eviction"));
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// One cold start of fauxlambda: evict the function's environments (`/_fauxlambda/.../evict`), wait
/// until they are gone, then time the next invoke, which must report an `Init Duration`.
async fn faux_cold_once(f: &Faux, name: &str) -> Result<Duration, String> {
    let pids = environment_pids(f, name).await?;
    let mut s = connect(f.port).await?;
    let a = request(&mut s, "POST", &format!("/_fauxlambda/functions/{name}/evict"), None, &[]).await?;
    if a.status != 200 {
        return Err(format!("evict: {} {}", a.status, String::from_utf8_lossy(&a.body)));
    }
    evicted(f, name, &pids).await?;
    let path = format!("/2015-03-31/functions/{name}/invocations");
    let t = Instant::now();
    let a = request(&mut s, "POST", &path, Some(PAYLOAD.into()), &[("x-amz-log-type", "Tail")]).await?;
    let elapsed = t.elapsed();
    if a.status != 200 || a.headers.contains_key("x-amz-function-error") {
        return Err(format!("cold invoke: {} {}", a.status, String::from_utf8_lossy(&a.body)));
    }
    let log = a
        .headers
        .get("x-amz-log-result")
        .and_then(|v| base64::engine::general_purpose::STANDARD.decode(v.as_bytes()).ok())
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    if !log.contains("Init Duration") {
        return Err("the invoke after an eviction was not cold".into());
    }
    Ok(elapsed)
}

/// fauxlambda's cold start, median of `COLD_RUNS`.
async fn faux_cold(f: &Faux, name: &str) -> Fig {
    let mut times = Vec::new();
    for _ in 0..COLD_RUNS {
        match faux_cold_once(f, name).await {
            Ok(t) => times.push(t),
            Err(e) => return Fig::Na(e),
        }
    }
    Fig::Val(median(times))
}

/// Cold starts of the Node function without and with `node_modules` (alternating, so drift hits
/// both alike), after the first invoke of each unpacked its code.
/// The Node cold starts (index.js only, with node_modules), and the time of CreateFunction + the
/// first invoke of each (which stores and unpacks the zip).
struct NodeCold {
    plain: Fig,
    modules: Fig,
    plain_first: Fig,
    modules_first: Fig,
}

async fn node_modules_cold(f: &mut Faux) -> NodeCold {
    let t = Instant::now();
    let plain = faux_create(f, "node-plain", "nodejs20.x", "index.handler", &zip_b64(&[("index.js", NODE_APP.as_bytes(), 0o644)])).await;
    let plain_first = Fig::Val(t.elapsed().as_secs_f64());
    let zip = node_zip_b64(NODE_MODULES_FILES);
    let t = Instant::now();
    let modules = faux_create(f, "node-modules", "nodejs20.x", "index.handler", &zip).await;
    let modules_first = Fig::Val(t.elapsed().as_secs_f64());
    let (Ok(_), Ok(_)) = (&plain, &modules) else {
        let e = Fig::Na(plain.err().or(modules.err()).unwrap_or_default());
        return NodeCold { plain: e.clone(), modules: e.clone(), plain_first: e.clone(), modules_first: e };
    };
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for _ in 0..COLD_RUNS {
        for (name, times) in [("node-plain", &mut a), ("node-modules", &mut b)] {
            match faux_cold_once(f, name).await {
                Ok(t) => times.push(t),
                Err(e) => {
                    let e = Fig::Na(e);
                    return NodeCold { plain: e.clone(), modules: e, plain_first, modules_first };
                }
            }
        }
    }
    NodeCold { plain: Fig::Val(median(a)), modules: Fig::Val(median(b)), plain_first, modules_first }
}

/// The fauxlambda rows of one executor; with Docker, also the Node cold starts.
async fn run_fauxlambda(runner: &'static str, docker: bool, rust: &Result<PathBuf, String>) -> (Vec<Row>, Option<NodeCold>) {
    let mut f = match start_fauxlambda(docker, false).await {
        Ok(f) => f,
        Err(e) => return (vec![Row::na(runner, "python echo", &e), Row::na(runner, "rust echo", &e)], None),
    };
    let mut rows = Vec::new();
    let py_zip = zip_b64(&[("app.py", PY_APP.as_bytes(), 0o644)]);
    match faux_create(&mut f, "echo-python", "python3.12", "app.handler", &py_zip).await {
        Ok(path) => {
            let mut row = measure_warm(runner, "python echo", f.port, &path, None).await;
            row.cold = faux_cold(&f, "echo-python").await;
            rows.push(row);
        }
        Err(e) => rows.push(Row::na(runner, "python echo", &e)),
    }
    let created = match rust_zip(rust) {
        Ok(zip) => faux_create(&mut f, "echo-rust", "provided.al2023", "bootstrap", &zip).await,
        Err(e) => Err(e),
    };
    match created {
        Ok(path) => {
            let mut row = measure_warm(runner, "rust echo", f.port, &path, None).await;
            row.cold = faux_cold(&f, "echo-rust").await;
            rows.push(row);
        }
        Err(e) => rows.push(Row::na(runner, "rust echo", &e)),
    }
    let node = if docker { Some(node_modules_cold(&mut f).await) } else { None };
    (rows, node)
}

/// The Rust echo's package (base64 zip), from its built bootstrap.
fn rust_zip(rust: &Result<PathBuf, String>) -> Result<String, String> {
    let bin = std::fs::read(rust.as_ref().map_err(Clone::clone)?).map_err(|e| e.to_string())?;
    Ok(zip_b64(&[("bootstrap", &bin, 0o755)]))
}

/// fauxlambda's process executor kept running through the references' runs, its functions warm,
/// for the side-by-side latency: the Python echo (awslambdaric) and the Rust echo on one server,
/// the Python echo under fauxlambda's own client on another. A function that cannot run here has
/// no target (its references are then measured alone).
async fn start_side_by_side(rust: &Result<PathBuf, String>) -> (Vec<Faux>, HashMap<&'static str, Target>) {
    let mut servers = Vec::new();
    let mut targets = HashMap::new();
    let py_zip = zip_b64(&[("app.py", PY_APP.as_bytes(), 0o644)]);
    for own_clients in [false, true] {
        let mut f = match start_fauxlambda(false, own_clients).await {
            Ok(f) => f,
            Err(e) => {
                eprintln!("side by side: {e}");
                continue;
            }
        };
        let mut functions = vec![(if own_clients { PY_OWN } else { "python echo" }, "echo-python", "python3.12", "app.handler", Ok(py_zip.clone()))];
        if !own_clients {
            functions.push(("rust echo", "echo-rust", "provided.al2023", "bootstrap", rust_zip(rust)));
        }
        for (function, name, runtime, handler, zip) in functions {
            let created = match zip {
                Ok(zip) => faux_create(&mut f, name, runtime, handler, &zip).await,
                Err(e) => Err(e),
            };
            match created {
                Ok(path) => {
                    targets.insert(function, Target { port: f.port, path });
                }
                Err(e) => eprintln!("side by side: {function}: {e}"),
            }
        }
        servers.push(f);
    }
    (servers, targets)
}

/// RIE running `command` in `dir`, started and answering.
async fn start_rie(rie: &Path, command: &[String], env: &[(&str, &str)], dir: &Path, log: &Path) -> Result<(Proc, u16, Sender, Duration), String> {
    let port = free_port();
    let stderr = std::fs::File::create(log).map_err(|e| e.to_string())?;
    let api_port = free_port();
    let mut cmd = Command::new(rie);
    cmd.args(["--log-level", "error", "--runtime-interface-emulator-address", &format!("127.0.0.1:{port}")])
        .args(["--runtime-api-address", &format!("127.0.0.1:{api_port}")])
        .args(command)
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("AWS_LAMBDA_FUNCTION_TIMEOUT", "30")
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(stderr);
    let t0 = Instant::now();
    let mut proc = Proc::spawn(cmd, "TERM").map_err(|e| format!("spawn RIE: {e}"))?;
    let s = first_answer(port, "/2015-03-31/functions/function/invocations", Duration::from_secs(30), &mut proc).await?;
    let cold = t0.elapsed();
    Ok((proc, port, s, cold))
}

async fn run_rie(
    runner: &'static str,
    rie: &Result<PathBuf, String>,
    function: &'static str,
    command: Result<Vec<String>, String>,
    env: &[(&str, &str)],
    dir: &Path,
    faux: Option<&Target>,
) -> Row {
    let rie = match rie {
        Ok(r) => r,
        Err(e) => return Row::na(runner, function, e),
    };
    let command = match command {
        Ok(c) => c,
        Err(e) => return Row::na(runner, function, &e),
    };
    let path = "/2015-03-31/functions/function/invocations";
    let logs = tempfile::tempdir().unwrap();
    let log = logs.path().join("rie.log");
    let mut colds = Vec::new();
    for _ in 0..COLD_RUNS {
        match start_rie(rie, &command, env, dir, &log).await {
            Ok((_p, _, _, cold)) => colds.push(cold),
            Err(e) => return Row::na(runner, function, &e),
        }
    }
    let (mut proc, port, _s, _) = match start_rie(rie, &command, env, dir, &log).await {
        Ok(x) => x,
        Err(e) => return Row::na(runner, function, &e),
    };
    let mut row = measure_warm(runner, function, port, path, faux).await;
    row.cold = Fig::Val(median(colds));
    // RIE serves one invoke at a time; say so if concurrent invokes brought it down (it may still
    // be on its way out when the load sees its port closed).
    let t = Instant::now();
    while row.c8.val().is_none() && !proc.exited() && t.elapsed() < Duration::from_secs(2) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    if proc.exited() {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        let panic = text.lines().find(|l| l.starts_with("panic:")).unwrap_or("exited").to_string();
        row.c8 = Fig::Na(format!("RIE crashed under {ENVIRONMENTS} concurrent invokes: {panic}"));
        row.note.clear();
    }
    row
}

/// `cargo lambda watch` serving the Rust echo, started and answering.
async fn start_cargo_lambda(cl: &Path) -> Result<(Proc, u16, Duration), String> {
    let port = free_port();
    let mut cmd = Command::new(cl);
    cmd.args(["lambda", "watch", "--release", "--ignore-changes", "--concurrency", &ENVIRONMENTS.to_string()])
        .args(["--invoke-address", "127.0.0.1", "--invoke-port", &port.to_string()])
        .current_dir(root().join("benches/fixtures/rust-echo"))
        // Its `cargo metadata` takes no --target-dir: the build directory goes by environment.
        .env("CARGO_TARGET_DIR", rust_target_dir())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let t0 = Instant::now();
    let mut proc = Proc::spawn(cmd, "TERM").map_err(|e| format!("spawn cargo-lambda: {e}"))?;
    // The invoke server first: then time the first invoke (it starts the function with `cargo run`).
    loop {
        if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
            break;
        }
        if proc.exited() || t0.elapsed() > Duration::from_secs(60) {
            return Err("cargo lambda watch did not start".into());
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let t1 = Instant::now();
    first_answer(port, "/2015-03-31/functions/rust-echo/invocations", Duration::from_secs(120), &mut proc).await?;
    Ok((proc, port, t1.elapsed()))
}

async fn run_cargo_lambda(cl: &Result<PathBuf, String>, rust: &Result<PathBuf, String>, faux: Option<&Target>) -> Row {
    let (cl, _) = match (cl, rust) {
        (Ok(c), Ok(r)) => (c, r),
        (Err(e), _) | (_, Err(e)) => return Row::na("cargo lambda watch", "rust echo", e),
    };
    let mut colds = Vec::new();
    for _ in 0..COLD_RUNS {
        match start_cargo_lambda(cl).await {
            Ok((_p, _, cold)) => colds.push(cold),
            Err(e) => return Row::na("cargo lambda watch", "rust echo", &e),
        }
    }
    let (_proc, port, _) = match start_cargo_lambda(cl).await {
        Ok(x) => x,
        Err(e) => return Row::na("cargo lambda watch", "rust echo", &e),
    };
    let mut row = measure_warm("cargo lambda watch", "rust echo", port, "/2015-03-31/functions/rust-echo/invocations", faux).await;
    row.cold = Fig::Val(median(colds));
    row
}

/// The Python echo on fauxlambda's process executor with fauxlambda's own runtime client (what
/// runs when the interpreter has no awslambdaric, or with `--own-runtime-clients`).
async fn run_fauxlambda_own_client() -> Row {
    let mut f = match start_fauxlambda(false, true).await {
        Ok(f) => f,
        Err(e) => return Row::na(FAUX, PY_OWN, &e),
    };
    let py_zip = zip_b64(&[("app.py", PY_APP.as_bytes(), 0o644)]);
    match faux_create(&mut f, "echo-python", "python3.12", "app.handler", &py_zip).await {
        Ok(path) => {
            let mut row = measure_warm(FAUX, PY_OWN, f.port, &path, None).await;
            row.cold = faux_cold(&f, "echo-python").await;
            row
        }
        Err(e) => Row::na(FAUX, PY_OWN, &e),
    }
}

/// A function's runtime under the floor relay: warm latency and one-connection throughput (the
/// relay runs one environment, so it has no 8-connection figure).
async fn run_floor(function: &'static str, command: Result<Vec<String>, String>, env: &[(&str, &str)], dir: &Path, faux: Option<&Target>) -> Row {
    let command = match command {
        Ok(c) => c,
        Err(e) => return Row::na(FLOOR, function, &e),
    };
    let relay = match floor::Floor::start() {
        Ok(r) => r,
        Err(e) => return Row::na(FLOOR, function, &format!("floor relay: {e}")),
    };
    let mut cmd = Command::new(&command[0]);
    cmd.args(&command[1..])
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("AWS_LAMBDA_RUNTIME_API", format!("127.0.0.1:{}", relay.api_port))
        .env("AWS_LAMBDA_FUNCTION_NAME", "floor")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        .env("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/floor")
        .env("AWS_LAMBDA_LOG_STREAM_NAME", "floor")
        .env("LAMBDA_TASK_ROOT", dir)
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let mut proc = match Proc::spawn(cmd, "TERM") {
        Ok(p) => p,
        Err(e) => return Row::na(FLOOR, function, &format!("spawn {}: {e}", command[0])),
    };
    let path = "/2015-03-31/functions/floor/invocations";
    if let Err(e) = first_answer(relay.port, path, Duration::from_secs(30), &mut proc).await {
        return Row::na(FLOOR, function, &e);
    }
    let (p50, p99, side) = match faux {
        Some(faux) => {
            let side = side_by_side::measure(faux, &Target { port: relay.port, path: path.to_owned() }).await;
            (side.reference_p50.clone(), side.reference_p99.clone(), Some(side))
        }
        None => {
            let (p50, p99) = latency(relay.port, path).await;
            (p50, p99, None)
        }
    };
    let (c1, note) = throughput(relay.port, path, 1).await;
    let one = Fig::Na("one environment".into());
    Row { runner: FLOOR, function, p50, p99, c1, c8: one.clone(), note, cold: one, side }
}

// --- Report --------------------------------------------------------------------------------------

fn ratio(a: &Fig, b: &Fig) -> String {
    match (a, b) {
        (Fig::Val(x), Fig::Val(y)) if *y > 0.0 => format!("{:.2}", x / y),
        (_, Fig::Na(r)) => format!("n/a ({r})"),
        _ => "n/a".into(),
    }
}

fn verdict(ok: Option<bool>) -> &'static str {
    match ok {
        Some(true) => "met",
        Some(false) => "MISSED",
        None => "n/a",
    }
}

/// The runners' names in the table.
const FAUX: &str = "fauxlambda process";
const FAUX_DOCKER: &str = "fauxlambda docker";
const RIE: &str = "RIE";
const RIE_UNSET: &str = "RIE, AWS_EXECUTION_ENV unset";
const CARGO_LAMBDA: &str = "cargo lambda watch";
const FLOOR: &str = "floor (minimal relay)";
/// The Python echo run by fauxlambda's own runtime client.
const PY_OWN: &str = "python echo, fauxlambda's client";

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let started = Instant::now();
    let rust = rust_bootstrap();
    if let Err(e) = &rust {
        eprintln!("rust echo unavailable: {e}");
    }
    let deps = root().join("target/bench-deps");
    let rie = Some(deps.join("rie/aws-lambda-rie")).filter(|p| p.is_file()).ok_or_else(|| "aws-lambda-rie not installed: run scripts/bench-deps".to_string());
    let cl = Some(deps.join("cargo-lambda-venv/bin/cargo-lambda"))
        .filter(|p| p.is_file())
        .ok_or_else(|| "cargo-lambda not installed: run scripts/bench-deps".to_string());

    let (mut rows, _) = run_fauxlambda(FAUX, false, &rust).await;
    rows.push(run_fauxlambda_own_client().await);
    let docker_note = docker_unavailable();
    let node = match &docker_note {
        None => {
            let (docker_rows, node) = run_fauxlambda(FAUX_DOCKER, true, &rust).await;
            rows.extend(docker_rows);
            node
        }
        Some(why) => {
            let why = format!("Docker rows skipped: {why}");
            eprintln!("{why}");
            rows.push(Row::skipped(FAUX_DOCKER, "python echo", &why));
            rows.push(Row::skipped(FAUX_DOCKER, "rust echo", &why));
            None
        }
    };

    let (side_servers, side) = start_side_by_side(&rust).await;
    let faux = |function: &str| side.get(function);

    // The Python echo under RIE runs from a copy of its source, like fauxlambda's unpacked code.
    let py_dir = tempfile::tempdir().unwrap();
    std::fs::write(py_dir.path().join("app.py"), PY_APP).unwrap();
    let py_command = match repo_python() {
        Some(py) if has_awslambdaric(&py) => {
            Ok(vec![py.display().to_string(), "-m".into(), "awslambdaric".into(), "app.handler".into()])
        }
        _ => Err("no .venv with awslambdaric: run scripts/test-deps".to_string()),
    };
    // As the python3.12 image's bootstrap exports it (and fauxlambda sets it).
    let py_env = [("AWS_EXECUTION_ENV", "AWS_Lambda_python3.12")];
    rows.push(run_rie(RIE, &rie, "python echo", py_command.clone(), &py_env, py_dir.path(), faux("python echo")).await);
    rows.push(run_rie(RIE_UNSET, &rie, "python echo", py_command.clone(), &[], py_dir.path(), faux("python echo")).await);
    let rust_command = rust.clone().map(|b| vec![b.display().to_string()]);
    rows.push(run_rie(RIE, &rie, "rust echo", rust_command.clone(), &[], py_dir.path(), faux("rust echo")).await);
    rows.push(run_cargo_lambda(&cl, &rust, faux("rust echo")).await);

    // The floor: the same runtimes behind a relay that does nothing but the socket work.
    std::fs::write(py_dir.path().join("fauxlambda_bootstrap.py"), PY_OWN_CLIENT).unwrap();
    let own_command = repo_python()
        .map(|py| vec![py.display().to_string(), "fauxlambda_bootstrap.py".into(), "app.handler".into()])
        .ok_or_else(|| "no .venv: run scripts/test-deps".to_string());
    rows.push(run_floor("python echo", py_command, &py_env, py_dir.path(), faux("python echo")).await);
    rows.push(run_floor(PY_OWN, own_command, &py_env, py_dir.path(), faux(PY_OWN)).await);
    rows.push(run_floor("rust echo", rust_command, &[], py_dir.path(), faux("rust echo")).await);
    drop(side_servers);

    println!(
        "\nexecution benchmark (release binary, loopback, {} cores; payload {PAYLOAD}; {} s per throughput figure)\n",
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
        RUN_FOR.as_secs()
    );
    println!("| runner | function | warm p50 | warm p99 | invokes/s, 1 conn | invokes/s, 8 conns | cold start (median of {COLD_RUNS}) |");
    println!("|---|---|---:|---:|---:|---:|---:|");
    for r in &rows {
        println!(
            "| {} | {} | {} | {} | {} | {}{} | {} |",
            r.runner,
            r.function,
            r.p50.ms(),
            r.p99.ms(),
            r.c1.per_s(),
            r.c8.per_s(),
            r.note,
            r.cold.ms()
        );
    }

    let find = |runner: &str, function: &str| rows.iter().find(|r| r.runner == runner && r.function == function);
    println!("\nwarm latency side by side: fauxlambda process and each reference in the same minute ({})\n", side_by_side::method());
    println!("| function | reference | fauxlambda p50 | reference p50 | fauxlambda p99 | reference p99 |");
    println!("|---|---|---:|---:|---:|---:|");
    for r in rows.iter() {
        if let Some(s) = &r.side {
            println!("| {} | {} | {} | {} | {} | {} |", r.function, r.runner, s.faux_p50.ms(), s.reference_p50.ms(), s.faux_p99.ms(), s.reference_p99.ms());
        }
    }
    println!("\nratios fauxlambda / reference (latency and cold start: lower is better, ≤ 0.50 is 2× faster; throughput: higher is better, ≥ 2.00 is 2× faster; fauxlambda process's latency ratios from the side-by-side figures)\n");
    println!("| fauxlambda | function | reference | warm p50 | warm p99 | invokes/s, 1 conn | invokes/s, 8 conns | cold start |");
    println!("|---|---|---|---:|---:|---:|---:|---:|");
    let mut two_x = Vec::new();
    for runner in [FAUX, FAUX_DOCKER] {
        for function in ["python echo", PY_OWN, "rust echo"] {
            let Some(f) = find(runner, function).filter(|f| f.has_figures()) else { continue };
            for reference in [RIE, RIE_UNSET, CARGO_LAMBDA, FLOOR] {
                let Some(r) = find(reference, function) else { continue };
                let (fp50, fp99, rp50, rp99) = match r.side.as_ref().filter(|_| runner == FAUX) {
                    Some(s) => (&s.faux_p50, &s.faux_p99, &s.reference_p50, &s.reference_p99),
                    None => (&f.p50, &f.p99, &r.p50, &r.p99),
                };
                println!(
                    "| {runner} | {function} | {reference} | {} | {} | {} | {} | {} |",
                    ratio(fp50, rp50),
                    ratio(fp99, rp99),
                    ratio(&f.c1, &r.c1),
                    ratio(&f.c8, &r.c8),
                    ratio(&f.cold, &r.cold)
                );
                if runner == FAUX && reference != FLOOR {
                    let floor = find(FLOOR, function).and_then(|r| r.p50.val());
                    two_x.push((format!("{function} vs {reference}"), fp50.val(), rp50.val().map(|b| b / 2.0), floor));
                }
            }
        }
    }

    if let Some(n) = &node {
        println!("\nDocker cold start of a Node.js function (nodejs20.x on fauxlambda-test/nodejs:18), code already unpacked (median of {COLD_RUNS}, alternating)\n");
        println!("| zip | cold start | CreateFunction + first invoke (stores and unpacks the zip) |");
        println!("|---|---:|---:|");
        println!("| index.js only | {} | {} |", n.plain.ms(), n.plain_first.ms());
        println!("| index.js + {NODE_MODULES_FILES} files under node_modules/ | {} | {} |", n.modules.ms(), n.modules_first.ms());
        let delta = |a: &Fig, b: &Fig| match (a.val(), b.val()) {
            (Some(a), Some(b)) => Fig::Val(b - a),
            _ => Fig::Na("no figure".into()),
        };
        println!("| difference | {} | {} |", delta(&n.plain, &n.modules).ms(), delta(&n.plain_first, &n.modules_first).ms());
    }

    let faux_py = find(FAUX, "python echo");
    let faux_rs = find(FAUX, "rust echo");
    let dock_py = find(FAUX_DOCKER, "python echo");
    let dock_rs = find(FAUX_DOCKER, "rust echo");
    let at_most = |r: Option<&Row>, fig: fn(&Row) -> &Fig, limit: f64| r.and_then(|r| fig(r).val()).map(|v| v <= limit);
    let ms = |r: Option<&Row>, fig: fn(&Row) -> &Fig| r.map(|r| fig(r).ms()).unwrap_or_default();
    fn p50(r: &Row) -> &Fig {
        &r.p50
    }
    fn cold(r: &Row) -> &Fig {
        &r.cold
    }
    println!("\n| goal | fauxlambda | verdict |");
    println!("|---|---|---|");
    let faux_own = find(FAUX, PY_OWN);
    for (label, r) in [
        ("process: warm p50 ≤ 0.5 ms, python echo (awslambdaric)", faux_py),
        ("process: warm p50 ≤ 0.5 ms, python echo (fauxlambda's client)", faux_own),
        ("process: warm p50 ≤ 0.5 ms, rust echo", faux_rs),
    ] {
        println!("| {label} | {} | {} |", ms(r, p50), verdict(at_most(r, p50, 0.0005)));
    }
    for (pair, got, needed, floor) in &two_x {
        let ok = got.zip(*needed).map(|(g, n)| g <= n);
        let why = match (ok, needed, floor) {
            (Some(false), Some(n), Some(fl)) if n < fl => format!(" (needs ≤ {}, below the floor's {})", Fig::Val(*n).ms(), Fig::Val(*fl).ms()),
            (Some(false), Some(n), _) => format!(" (needs ≤ {})", Fig::Val(*n).ms()),
            _ => String::new(),
        };
        let got = got.map(|g| Fig::Val(g).ms()).unwrap_or_default();
        println!("| process: warm p50 ≥ 2× faster, {pair} | {got} | {}{why} |", verdict(ok));
    }
    for (label, r) in [
        ("process: ≥ 3,000 warm invokes/s across 8 environments, python echo (awslambdaric)", faux_py),
        ("process: ≥ 3,000 warm invokes/s across 8 environments, python echo (fauxlambda's client)", faux_own),
        ("process: ≥ 3,000 warm invokes/s across 8 environments, rust echo", faux_rs),
    ] {
        let v = r.and_then(|r| r.c8.val());
        println!("| {label} | {} | {} |", r.map(|r| r.c8.per_s()).unwrap_or_default(), verdict(v.map(|v| v >= 3000.0)));
    }
    println!("| process: cold start ≤ 150 ms, python echo | {} | {} |", ms(faux_py, cold), verdict(at_most(faux_py, cold, 0.150)));
    for (label, r) in [("docker: warm p50 ≤ 1 ms, python echo", dock_py), ("docker: warm p50 ≤ 1 ms, rust echo", dock_rs)] {
        println!("| {label} | {} | {} |", ms(r, p50), verdict(at_most(r, p50, 0.001)));
    }
    println!("| docker: cold start ≤ 400 ms, python echo | {} | {} |", ms(dock_py, cold), verdict(at_most(dock_py, cold, 0.400)));
    let node_delta = node.as_ref().and_then(|n| Some(n.modules.val()? - n.plain.val()?));
    println!(
        "| docker: {NODE_MODULES_FILES} files in node_modules add ≤ 100 ms to a cold start | {} | {} |",
        node_delta.map(|d| Fig::Val(d).ms()).unwrap_or_else(|| docker_note.clone().unwrap_or_else(|| "n/a".into())),
        verdict(node_delta.map(|d| d <= 0.100))
    );
    println!(
        "\ncold start: fauxlambda = POST /_fauxlambda/functions/<name>/evict, wait until the old environment is gone (process exited / container removed), then the next invoke's request → response (checked cold); RIE = process spawn → first response; cargo lambda watch = invoke server up → first response (it starts the function with `cargo run`)."
    );
    println!("floor (minimal relay) = the same runtime behind a one-thread relay that does only the socket work of a warm invoke (benches/execution/floor.rs): no emulator can go below it on this machine.");
    println!("RIE runs the Python echo with AWS_EXECUTION_ENV=AWS_Lambda_python3.12 as the python3.12 image's bootstrap exports it (as fauxlambda does); awslambdaric then polls /next from a new thread per invoke. The `{RIE_UNSET}` row shows awslambdaric's other mode, which no Lambda image runs.");
    if let Some(why) = &docker_note {
        println!("Docker rows skipped: {why}.");
    }
    println!("whole run: {:.0} s", started.elapsed().as_secs_f64());
}
