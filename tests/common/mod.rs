//! What the integration tests share: starting the real `fauxlambda` binary on a free loopback port
//! with its own data directory, an `aws-sdk-lambda` client pointed at it, and test packages.

#![allow(dead_code)]

pub mod json_order;
pub mod moto;
pub mod rust_functions;

use std::future::Future;
use std::io::Write;
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

// ---- waiting for conditions -------------------------------------------------------------------

/// How often [`eventually`] and [`eventually_sync`] look again.
const POLL_EVERY: Duration = Duration::from_millis(20);

/// What a check given to [`eventually`] returns: done (with a value), or not yet.
///
/// `bool` (done when true, value `()`), `Option<T>` (done when `Some`), and `Result<T, E>` (done
/// when `Ok`; the last `Err` is shown in the failure message, so make it the state seen so far).
pub trait Check {
    type Value;
    /// `Ok(value)` when done, else `Err` with what was seen instead, if the check says.
    fn check(self) -> Result<Self::Value, Option<String>>;
}

impl Check for bool {
    type Value = ();
    fn check(self) -> Result<(), Option<String>> {
        if self {
            Ok(())
        } else {
            Err(None)
        }
    }
}

impl<T> Check for Option<T> {
    type Value = T;
    fn check(self) -> Result<T, Option<String>> {
        self.ok_or(None)
    }
}

impl<T, E: std::fmt::Display> Check for Result<T, E> {
    type Value = T;
    fn check(self) -> Result<T, Option<String>> {
        self.map_err(|e| Some(e.to_string()))
    }
}

fn not_within(what: &str, deadline: Duration, last: Option<String>) -> ! {
    match last {
        Some(last) => panic!("{what}: not true within {deadline:?} (last seen: {last})"),
        None => panic!("{what}: not true within {deadline:?}"),
    }
}

/// Waits for a condition instead of for a time: runs `check` at once and then every 20 ms until
/// it says done (see [`Check`]) and returns its value, or panics with
/// `"{what}: not true within {deadline:?}"` (plus the last `Err` it returned) once `deadline`
/// has passed. Make `what` the condition waited for ("fn-a is Active").
///
/// ```ignore
/// let envs = eventually("one environment of f", Duration::from_secs(10), || async {
///     let v = introspect(&s, "environments?function=f").await;
///     (v["environments"].as_array().unwrap().len() == 1).then_some(v)
/// })
/// .await;
/// ```
///
/// The check runs once more after the deadline, so a slow check cannot fail a condition that
/// holds. Use a plain sleep only where time itself is the subject (a timeout, a keepalive, or
/// showing that something does not happen), and say so where it is.
pub async fn eventually<C, F, Fut>(what: &str, deadline: Duration, mut check: F) -> C::Value
where
    C: Check,
    F: FnMut() -> Fut,
    Fut: Future<Output = C>,
{
    let until = Instant::now() + deadline;
    loop {
        let past = Instant::now() >= until;
        match check().await.check() {
            Ok(value) => return value,
            Err(last) if past => not_within(what, deadline, last),
            Err(_) => tokio::time::sleep(POLL_EVERY).await,
        }
    }
}

/// [`eventually`] for synchronous code (blocks the thread between checks).
pub fn eventually_sync<C: Check>(what: &str, deadline: Duration, mut check: impl FnMut() -> C) -> C::Value {
    let until = Instant::now() + deadline;
    loop {
        let past = Instant::now() >= until;
        match check().check() {
            Ok(value) => return value,
            Err(last) if past => not_within(what, deadline, last),
            Err(_) => std::thread::sleep(POLL_EVERY),
        }
    }
}

/// A running fauxlambda; killed when dropped.
pub struct Server {
    pub child: Child,
    /// Stopped with SIGTERM (so it removes its containers) rather than SIGKILL.
    graceful: bool,
    pub endpoint: String,
    pub port: u16,
    /// Where its log goes, when the test reads it (`start_logged`).
    log: Option<std::path::PathBuf>,
    /// The data directory, when the server owns it (a temporary one).
    _data: Option<tempfile::TempDir>,
}

impl Drop for Server {
    fn drop(&mut self) {
        if self.graceful && self.child.try_wait().ok().flatten().is_none() {
            let _ = Command::new("kill")
                .args(["-TERM", &self.child.id().to_string()])
                .status();
            let until = Instant::now() + Duration::from_secs(10);
            while Instant::now() < until && self.child.try_wait().ok().flatten().is_none() {
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("a free port")
        .local_addr()
        .expect("addr")
        .port()
}

impl Server {
    /// Starts `target/.../fauxlambda` with extra arguments and waits until it answers.
    pub fn start(extra: &[&str]) -> Server {
        Server::start_with_env(extra, &[])
    }

    /// As `start`, with environment variables set for fauxlambda (and so seen by its lookups,
    /// such as the runtime clients on `PATH`).
    pub fn start_with_env(extra: &[&str], vars: &[(&str, std::ffi::OsString)]) -> Server {
        Server::spawn(extra, vars, false)
    }

    /// As `start_with_env`, its log (warnings and errors) kept for [`Server::log`].
    pub fn start_logged(extra: &[&str], vars: &[(&str, std::ffi::OsString)]) -> Server {
        Server::spawn(extra, vars, true)
    }

    fn spawn(extra: &[&str], vars: &[(&str, std::ffi::OsString)], logged: bool) -> Server {
        let data = tempfile::tempdir().expect("data dir");
        let log = logged.then(|| data.path().join("fauxlambda.log"));
        let dir = data.path().to_path_buf();
        Server::spawn_in(&dir, free_port(), extra, vars, log, Some(data))
    }

    /// Starts fauxlambda on data directory `dir` (kept by the caller: a restart finds what was
    /// left there) and `port`, logging to `log` (`info` unless `--log-level` is given).
    pub fn start_in(dir: &std::path::Path, port: u16, extra: &[&str], log: &std::path::Path) -> Server {
        let mut args = vec!["--log-level", "info"];
        args.extend_from_slice(extra);
        Server::spawn_in(dir, port, &args, &[], Some(log.to_path_buf()), None)
    }

    /// SIGKILL: no shutdown at all.
    pub fn kill(mut self) {
        self.graceful = false;
    }

    /// SIGTERM, and waits until it has exited.
    pub fn stop(mut self) {
        self.graceful = true;
    }

    fn spawn_in(
        dir: &std::path::Path,
        port: u16,
        extra: &[&str],
        vars: &[(&str, std::ffi::OsString)],
        log: Option<std::path::PathBuf>,
        data: Option<tempfile::TempDir>,
    ) -> Server {
        // fauxlambda logs to stdout.
        let stdout = match &log {
            Some(path) => Stdio::from(
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)
                    .expect("log file"),
            ),
            None => Stdio::null(),
        };
        let child = Command::new(env!("CARGO_BIN_EXE_fauxlambda"))
            .args(["--listen", &format!("127.0.0.1:{port}"), "--data-dir"])
            .arg(dir)
            // Warnings and errors only, unless the test chooses.
            .args(if extra.contains(&"--log-level") {
                &[][..]
            } else {
                &["--log-level", "warn"][..]
            })
            // Local processes unless the test chooses (the default `auto` would pick Docker).
            .args(if extra.contains(&"--executor") {
                &[][..]
            } else {
                &["--executor", "process"][..]
            })
            .args(extra)
            .envs(vars.iter().map(|(k, v)| (k, v)))
            .stdout(stdout)
            .stderr(Stdio::inherit())
            .spawn()
            .expect("starting fauxlambda");
        let endpoint = format!("http://127.0.0.1:{port}");
        eventually_sync("fauxlambda listens", Duration::from_secs(10), || {
            std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
        });
        // Containers may run unless the test chose processes: stop it so it removes them.
        let chose_processes = extra.windows(2).any(|w| w == ["--executor", "process"]);
        Server {
            child,
            graceful: extra.contains(&"--executor") && !chose_processes,
            endpoint,
            port,
            log,
            _data: data,
        }
    }

    /// What it has logged so far (started with `start_logged`).
    pub fn log(&self) -> String {
        let path = self.log.as_ref().expect("a server started with start_logged");
        std::fs::read_to_string(path).unwrap_or_default()
    }

    /// An `aws-sdk-lambda` client for this server (any credentials work).
    pub fn client(&self) -> aws_sdk_lambda::Client {
        self.client_in("us-east-1")
    }

    pub fn client_in(&self, region: &str) -> aws_sdk_lambda::Client {
        let config = aws_sdk_lambda::Config::builder()
            .behavior_version(aws_sdk_lambda::config::BehaviorVersion::latest())
            .endpoint_url(&self.endpoint)
            .region(aws_sdk_lambda::config::Region::new(region.to_string()))
            .credentials_provider(aws_sdk_lambda::config::Credentials::new(
                "AKIDTEST", "secret", None, None, "test",
            ))
            .http_client(aws_smithy_http_client::Builder::new().build_http())
            .build();
        aws_sdk_lambda::Client::from_conf(config)
    }
}

/// The repository root.
pub fn root() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `.venv/bin/python` when the official Python runtime client (awslambdaric) imports there.
pub fn venv_python() -> Option<std::path::PathBuf> {
    let p = root().join(".venv/bin/python");
    let ok = Command::new(&p)
        .args(["-c", "import awslambdaric"])
        .output()
        .ok()?
        .status
        .success();
    ok.then_some(p)
}

/// The vendored official Node runtime client, when scripts/test-deps unpacked it.
pub fn node_ric() -> Option<std::path::PathBuf> {
    let d = root().join("tests/js/node_modules/aws-lambda-ric");
    d.join("dist/rapid-client.node").is_file().then_some(d)
}

/// A zip holding the given files.
pub fn zip(files: &[(&str, &str)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, text) in files {
        w.start_file(*name, zip::write::SimpleFileOptions::default())
            .expect("zip entry");
        w.write_all(text.as_bytes()).expect("zip write");
    }
    w.finish().expect("zip").into_inner()
}

/// A Python echo function's package.
pub fn echo_zip() -> Vec<u8> {
    zip(&[("app.py", "def handler(event, context):\n    return event\n")])
}

pub const ROLE: &str = "arn:aws:iam::000000000000:role/lambda-role";

/// Creates a Python function `name` from `echo_zip()` and waits until it is Active.
pub async fn create_echo(
    client: &aws_sdk_lambda::Client,
    name: &str,
) -> aws_sdk_lambda::operation::create_function::CreateFunctionOutput {
    use aws_sdk_lambda::primitives::Blob;
    use aws_sdk_lambda::types::{FunctionCode, Runtime};
    let out = client
        .create_function()
        .function_name(name)
        .runtime(Runtime::Python312)
        .role(ROLE)
        .handler("app.handler")
        .code(FunctionCode::builder().zip_file(Blob::new(echo_zip())).build())
        .send()
        .await
        .expect("create_function");
    wait_active(client, name).await;
    out
}

/// Polls until the function is Active and its last update finished.
pub async fn wait_active(client: &aws_sdk_lambda::Client, name: &str) {
    use aws_sdk_lambda::types::{LastUpdateStatus, State};
    eventually(&format!("{name} is Active"), Duration::from_secs(10), || async move {
        let c = client
            .get_function_configuration()
            .function_name(name)
            .send()
            .await
            .expect("get_function_configuration");
        let done = c.state() == Some(&State::Active) && c.last_update_status() != Some(&LastUpdateStatus::InProgress);
        if done {
            Ok(())
        } else {
            Err(format!("{:?}, last update {:?}", c.state(), c.last_update_status()))
        }
    })
    .await
}

/// GETs one of the server's own URLs (`Code.Location`, `Content.Location`) over plain HTTP.
pub async fn http_get(url: &str) -> Vec<u8> {
    http_request(http::Method::GET, url, &[]).await
}

/// POSTs `body` to one of the server's own URLs (`/_fauxlambda/reset`) over plain HTTP.
pub async fn http_post(url: &str, body: &[u8]) -> Vec<u8> {
    http_request(http::Method::POST, url, body).await
}

async fn http_request(method: http::Method, url: &str, body: &[u8]) -> Vec<u8> {
    use http_body_util::BodyExt;
    let uri: http::Uri = url.parse().expect("url");
    let host = uri.host().expect("host").to_string();
    let port = uri.port_u16().unwrap_or(80);
    let stream = tokio::net::TcpStream::connect((host.as_str(), port))
        .await
        .expect("connect");
    let (mut send, conn) = hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
        .await
        .expect("handshake");
    tokio::spawn(conn);
    let path = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let req = http::Request::builder()
        .method(method.clone())
        .uri(path)
        .header("host", format!("{host}:{port}"))
        .body(http_body_util::Full::new(bytes::Bytes::copy_from_slice(body)))
        .expect("request");
    let resp = send.send_request(req).await.expect("request");
    assert_eq!(resp.status(), 200, "{method} {url}");
    resp.into_body().collect().await.expect("body").to_bytes().to_vec()
}

/// The images `scripts/test-images` builds, for `--runtime-image`.
pub const TEST_IMAGES: &[(&str, &str)] = &[
    ("python3.12", "fauxlambda-test/python:3.11"),
    ("nodejs20.x", "fauxlambda-test/nodejs:18"),
    ("provided.al2023", "fauxlambda-test/provided:al2023"),
];

// ---- what the tests need on the machine -------------------------------------------------------
// In CI nothing is optional: a test that needs a tool fails, naming it, when it is missing.

/// Where to get each tool a test may need.
fn how_to_get(tool: &str) -> &'static str {
    match tool {
        "node" => "install Node.js 18+",
        "python3" => "install Python 3.9+",
        "curl" => "install curl, e.g. `apt-get install curl`",
        "docker" => "install the Docker CLI, and run an engine it reaches",
        "chromium" => "run scripts/test-deps (it installs Debian's chromium)",
        _ => "install it",
    }
}

/// Fails the test unless `tool --version` runs, with a message naming the tool and how to get it.
pub fn require_tool(tool: &str) {
    let runs = Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        runs,
        "this test needs `{tool}` on PATH ({}); scripts/test-deps installs the rest of what the tests need",
        how_to_get(tool)
    );
}

/// `.venv/bin/python`, which must import the official Python runtime client (awslambdaric).
pub fn require_venv_python() -> std::path::PathBuf {
    let p = root().join(".venv/bin/python");
    let why = match Command::new(&p).args(["-c", "import awslambdaric"]).output() {
        Ok(out) if out.status.success() => return p,
        Ok(out) => String::from_utf8_lossy(&out.stderr).trim().to_owned(),
        Err(e) => e.to_string(),
    };
    panic!(
        "this test needs {} importing awslambdaric ({why}): run scripts/test-deps",
        p.display()
    )
}

/// `node` on PATH and the vendored official Node runtime client, which scripts/test-deps unpacks.
pub fn require_node_ric() -> std::path::PathBuf {
    require_tool("node");
    node_ric().unwrap_or_else(|| {
        panic!(
            "this test needs {} (the vendored aws-lambda-ric): run scripts/test-deps",
            root().join("tests/js/node_modules/aws-lambda-ric").display()
        )
    })
}

/// Fails the test unless a Docker engine answers and the images of `scripts/test-images` are
/// there, saying which is missing. Checked once per test binary.
pub fn require_docker() {
    static MISSING: OnceLock<Option<String>> = OnceLock::new();
    let missing = MISSING.get_or_init(|| {
        let info = match Command::new("docker")
            .args(["info", "--format", "{{.ServerVersion}}"])
            .output()
        {
            Err(e) => {
                return Some(format!(
                    "this test needs `docker` on PATH ({}): {e}",
                    how_to_get("docker")
                ))
            }
            Ok(out) => out,
        };
        if !info.status.success() {
            return Some(format!(
                "this test needs a Docker engine, and none answers (`docker info`: {}); start one, or point DOCKER_HOST at one",
                String::from_utf8_lossy(&info.stderr).trim()
            ));
        }
        let absent: Vec<&str> = TEST_IMAGES
            .iter()
            .map(|(_, image)| *image)
            .filter(|image| {
                !Command::new("docker")
                    .args(["image", "inspect", image])
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status()
                    .is_ok_and(|s| s.success())
            })
            .collect();
        (!absent.is_empty()).then(|| format!("this test needs the Docker test images {absent:?}: run scripts/test-images"))
    });
    if let Some(why) = missing {
        panic!("{why}");
    }
}

/// The arguments of a fauxlambda running functions in the local test images with host
/// networking; fails the test (see [`require_docker`]) without an engine or the images.
pub fn docker_args() -> Vec<String> {
    require_docker();
    let mut args: Vec<String> = ["--executor", "docker", "--docker-network", "host"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    for (runtime, image) in TEST_IMAGES {
        args.push("--runtime-image".into());
        args.push(format!("{runtime}={image}"));
    }
    args
}
