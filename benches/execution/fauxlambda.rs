//! fauxlambda as a runner: the release binary started with the process or the Docker executor,
//! its functions created and warmed, its cold starts (evict, then time the next invoke), its rows,
//! and the servers kept warm for the side-by-side latency.

use crate::fixtures::{node_zip_b64, repo_python, rust_zip, zip_b64, NODE_APP, NODE_MODULES_FILES, PY_APP};
use crate::http::{connect, first_answer, request};
use crate::measure::{measure_warm, median, median_cold, Fig, Row};
use crate::process::{free_port, Proc};
use crate::side_by_side::Target;
use crate::{COLD_RUNS, ENVIRONMENTS, FAUX, PAYLOAD, PY_OWN};
use base64::Engine;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const ROLE: &str = "arn:aws:iam::000000000000:role/bench";
/// The images `scripts/test-images` builds, by the runtime they stand in for.
const DOCKER_IMAGES: &[(&str, &str)] = &[
    ("python3.12", "fauxlambda-test/python:3.11"),
    ("provided.al2023", "fauxlambda-test/provided:al2023"),
    ("nodejs20.x", "fauxlambda-test/nodejs:18"),
];

/// A fauxlambda server the benchmark started: its process, its port, its executor.
pub struct Faux {
    pub proc: Proc,
    pub port: u16,
    pub docker: bool,
    _data: tempfile::TempDir,
}

/// Why the Docker rows cannot run here (no engine, or the images of `scripts/test-images`
/// missing), if they cannot.
pub fn docker_unavailable() -> Option<String> {
    let info = Command::new("docker")
        .args(["info", "--format", "{{.ServerVersion}}"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    match info {
        Err(e) => return Some(format!("no docker CLI: {e}")),
        Ok(s) if !s.success() => return Some("the Docker engine does not answer".into()),
        Ok(_) => {}
    }
    let missing: Vec<&str> = DOCKER_IMAGES
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
    (!missing.is_empty()).then(|| format!("image(s) {} missing: run scripts/test-images", missing.join(", ")))
}

/// fauxlambda with the process executor, or the Docker executor on host networking with the
/// local test images.
pub async fn start_fauxlambda(docker: bool, own_clients: bool) -> Result<Faux, String> {
    let port = free_port();
    let data = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_fauxlambda"));
    cmd.args([
        "--listen",
        &format!("127.0.0.1:{port}"),
        "--log-level",
        "error",
        "--max-environments",
        &ENVIRONMENTS.to_string(),
    ])
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
            if request(&mut s, "GET", "/_fauxlambda/health", None, &[])
                .await
                .is_ok_and(|a| a.status == 200)
            {
                break;
            }
        }
        if proc.exited() || t0.elapsed() > Duration::from_secs(10) {
            return Err("fauxlambda did not start".into());
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    Ok(Faux {
        proc,
        port,
        docker,
        _data: data,
    })
}

/// Creates a function and waits until it answers an invoke.
pub async fn faux_create(f: &mut Faux, name: &str, runtime: &str, handler: &str, zip: &str) -> Result<String, String> {
    let mut s = connect(f.port).await?;
    let body = format!(
        r#"{{"FunctionName":"{name}","Runtime":"{runtime}","Role":"{ROLE}","Handler":"{handler}","Timeout":30,"Code":{{"ZipFile":"{zip}"}}}}"#
    );
    let a = request(&mut s, "POST", "/2015-03-31/functions", Some(body), &[]).await?;
    if a.status != 201 {
        return Err(format!(
            "CreateFunction: {} {}",
            a.status,
            String::from_utf8_lossy(&a.body)
        ));
    }
    let path = format!("/2015-03-31/functions/{name}/invocations");
    // The first invoke unpacks the code (and may inspect the image).
    first_answer(f.port, &path, Duration::from_secs(120), &mut f.proc).await?;
    Ok(path)
}

/// The process ids of a function's live environments (0 for containers).
pub async fn environment_pids(f: &Faux, name: &str) -> Result<Vec<u64>, String> {
    let mut s = connect(f.port).await?;
    let a = request(
        &mut s,
        "GET",
        &format!("/_fauxlambda/environments?function={name}"),
        None,
        &[],
    )
    .await?;
    let v: serde_json::Value = serde_json::from_slice(&a.body).map_err(|e| format!("environments: {e}"))?;
    Ok(v.get("environments")
        .and_then(|e| e.as_array())
        .into_iter()
        .flatten()
        .filter_map(|e| e.get("pid").and_then(|p| p.as_u64()))
        .collect())
}

/// Waits until a function's evicted environments are gone: its processes `pids` have exited, or
/// its containers were removed.
pub async fn evicted(f: &Faux, name: &str, pids: &[u64]) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let gone = if f.docker {
            let out = Command::new("docker")
                .args(["ps", "-aq", "--filter", &format!("label=fauxlambda.function={name}")])
                .output()
                .map_err(|e| format!("docker ps: {e}"))?;
            out.stdout.iter().all(u8::is_ascii_whitespace)
        } else {
            pids.iter()
                .all(|p| *p == 0 || !Path::new(&format!("/proc/{p}")).exists())
        };
        if gone {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!(
                "the environments of {name} were not stopped within 10 s of the eviction"
            ));
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// One cold start of fauxlambda: evict the function's environments (`/_fauxlambda/.../evict`), wait
/// until they are gone, then time the next invoke, which must report an `Init Duration`.
pub async fn faux_cold_once(f: &Faux, name: &str) -> Result<Duration, String> {
    let pids = environment_pids(f, name).await?;
    let mut s = connect(f.port).await?;
    let a = request(
        &mut s,
        "POST",
        &format!("/_fauxlambda/functions/{name}/evict"),
        None,
        &[],
    )
    .await?;
    if a.status != 200 {
        return Err(format!("evict: {} {}", a.status, String::from_utf8_lossy(&a.body)));
    }
    evicted(f, name, &pids).await?;
    let path = format!("/2015-03-31/functions/{name}/invocations");
    let t = Instant::now();
    let a = request(
        &mut s,
        "POST",
        &path,
        Some(PAYLOAD.into()),
        &[("x-amz-log-type", "Tail")],
    )
    .await?;
    let elapsed = t.elapsed();
    if a.status != 200 || a.headers.contains_key("x-amz-function-error") {
        return Err(format!(
            "cold invoke: {} {}",
            a.status,
            String::from_utf8_lossy(&a.body)
        ));
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
pub async fn faux_cold(f: &Faux, name: &str) -> Fig {
    match median_cold(|| faux_cold_once(f, name)).await {
        Ok(t) => Fig::Val(t),
        Err(e) => Fig::Na(e),
    }
}

/// The Node cold starts (index.js only, with node_modules), and the time of CreateFunction + the
/// first invoke of each (which stores and unpacks the zip).
pub struct NodeCold {
    pub plain: Fig,
    pub modules: Fig,
    pub plain_first: Fig,
    pub modules_first: Fig,
}

/// Cold starts of the Node function without and with `node_modules` (alternating, so drift hits
/// both alike), after the first invoke of each unpacked its code.
pub async fn node_modules_cold(f: &mut Faux) -> NodeCold {
    let t = Instant::now();
    let plain = faux_create(
        f,
        "node-plain",
        "nodejs20.x",
        "index.handler",
        &zip_b64(&[("index.js", NODE_APP.as_bytes(), 0o644)]),
    )
    .await;
    let plain_first = Fig::Val(t.elapsed().as_secs_f64());
    let zip = node_zip_b64(NODE_MODULES_FILES);
    let t = Instant::now();
    let modules = faux_create(f, "node-modules", "nodejs20.x", "index.handler", &zip).await;
    let modules_first = Fig::Val(t.elapsed().as_secs_f64());
    let (Ok(_), Ok(_)) = (&plain, &modules) else {
        let e = Fig::Na(plain.err().or(modules.err()).unwrap_or_default());
        return NodeCold {
            plain: e.clone(),
            modules: e.clone(),
            plain_first: e.clone(),
            modules_first: e,
        };
    };
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for _ in 0..COLD_RUNS {
        for (name, times) in [("node-plain", &mut a), ("node-modules", &mut b)] {
            match faux_cold_once(f, name).await {
                Ok(t) => times.push(t),
                Err(e) => {
                    let e = Fig::Na(e);
                    return NodeCold {
                        plain: e.clone(),
                        modules: e,
                        plain_first,
                        modules_first,
                    };
                }
            }
        }
    }
    NodeCold {
        plain: Fig::Val(median(a)),
        modules: Fig::Val(median(b)),
        plain_first,
        modules_first,
    }
}

/// The fauxlambda rows of one executor; with Docker, also the Node cold starts.
pub async fn run_fauxlambda(
    runner: &'static str,
    docker: bool,
    rust: &Result<PathBuf, String>,
) -> (Vec<Row>, Option<NodeCold>) {
    let mut f = match start_fauxlambda(docker, false).await {
        Ok(f) => f,
        Err(e) => {
            return (
                vec![Row::na(runner, "python echo", &e), Row::na(runner, "rust echo", &e)],
                None,
            )
        }
    };
    let mut rows = Vec::new();
    let py_zip = zip_b64(&[("app.py", PY_APP.as_bytes(), 0o644)]);
    match faux_create(&mut f, "echo-python", "python3.12", "app.handler", &py_zip).await {
        Ok(path) => {
            let mut row = measure_warm(runner, "python echo", f.port, &path, f.proc.pid(), None).await;
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
            let mut row = measure_warm(runner, "rust echo", f.port, &path, f.proc.pid(), None).await;
            row.cold = faux_cold(&f, "echo-rust").await;
            rows.push(row);
        }
        Err(e) => rows.push(Row::na(runner, "rust echo", &e)),
    }
    let node = if docker {
        Some(node_modules_cold(&mut f).await)
    } else {
        None
    };
    (rows, node)
}

/// fauxlambda's process executor kept running through the references' runs, its functions warm,
/// for the side-by-side latency: the Python echo (awslambdaric) and the Rust echo on one server,
/// the Python echo under fauxlambda's own client on another. A function that cannot run here has
/// no target (its references are then measured alone).
pub async fn start_side_by_side(rust: &Result<PathBuf, String>) -> (Vec<Faux>, HashMap<&'static str, Target>) {
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
        let mut functions = vec![(
            if own_clients { PY_OWN } else { "python echo" },
            "echo-python",
            "python3.12",
            "app.handler",
            Ok(py_zip.clone()),
        )];
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

/// The Python echo on fauxlambda's process executor with fauxlambda's own runtime client (what
/// runs when the interpreter has no awslambdaric, or with `--own-runtime-clients`).
pub async fn run_fauxlambda_own_client() -> Row {
    let mut f = match start_fauxlambda(false, true).await {
        Ok(f) => f,
        Err(e) => return Row::na(FAUX, PY_OWN, &e),
    };
    let py_zip = zip_b64(&[("app.py", PY_APP.as_bytes(), 0o644)]);
    match faux_create(&mut f, "echo-python", "python3.12", "app.handler", &py_zip).await {
        Ok(path) => {
            let mut row = measure_warm(FAUX, PY_OWN, f.port, &path, f.proc.pid(), None).await;
            row.cold = faux_cold(&f, "echo-python").await;
            row
        }
        Err(e) => Row::na(FAUX, PY_OWN, &e),
    }
}
