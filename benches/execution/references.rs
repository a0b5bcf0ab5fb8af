//! The references fauxlambda is measured against: the AWS Runtime Interface Emulator as a host
//! process, `cargo lambda watch` (both installed by `scripts/bench-deps`), and the floor (the
//! same runtimes behind `floor.rs`'s relay).

use crate::fixtures::rust_target_dir;
use crate::floor;
use crate::http::{first_answer, Sender};
use crate::measure::{measure_warm, median_cold, throughput_and_cpu, warm_latency, Fig, Row};
use crate::process::{cpu_time, descendants_cpu_time, free_port, Proc};
use crate::side_by_side::Target;
use crate::{root, CARGO_LAMBDA, ENVIRONMENTS, FLOOR};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// RIE running `command` in `dir`, started and answering.
pub async fn start_rie(
    rie: &Path,
    command: &[String],
    env: &[(&str, &str)],
    dir: &Path,
    log: &Path,
) -> Result<(Proc, u16, Sender, Duration), String> {
    let port = free_port();
    let stderr = std::fs::File::create(log).map_err(|e| e.to_string())?;
    let api_port = free_port();
    let mut cmd = Command::new(rie);
    cmd.args([
        "--log-level",
        "error",
        "--runtime-interface-emulator-address",
        &format!("127.0.0.1:{port}"),
    ])
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
    let s = first_answer(
        port,
        "/2015-03-31/functions/function/invocations",
        Duration::from_secs(30),
        &mut proc,
    )
    .await?;
    let cold = t0.elapsed();
    Ok((proc, port, s, cold))
}

pub async fn run_rie(
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
    let cold = match median_cold(|| async {
        start_rie(rie, &command, env, dir, &log)
            .await
            .map(|(_proc, _, _, cold)| cold)
    })
    .await
    {
        Ok(c) => c,
        Err(e) => return Row::na(runner, function, &e),
    };
    let (mut proc, port, _s, _) = match start_rie(rie, &command, env, dir, &log).await {
        Ok(x) => x,
        Err(e) => return Row::na(runner, function, &e),
    };
    let mut row = measure_warm(runner, function, port, path, proc.pid(), faux).await;
    row.cold = Fig::Val(cold);
    // RIE serves one invoke at a time; say so if concurrent invokes brought it down (it may still
    // be on its way out when the load sees its port closed).
    let t = Instant::now();
    while row.c8.val().is_none() && !proc.exited() && t.elapsed() < Duration::from_secs(2) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    if proc.exited() {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        let panic = text
            .lines()
            .find(|l| l.starts_with("panic:"))
            .unwrap_or("exited")
            .to_string();
        row.c8 = Fig::Na(format!("RIE crashed under {ENVIRONMENTS} concurrent invokes: {panic}"));
        row.note.clear();
    }
    row
}

/// `cargo lambda watch` serving the Rust echo, started and answering.
pub async fn start_cargo_lambda(cl: &Path) -> Result<(Proc, u16, Duration), String> {
    let port = free_port();
    let mut cmd = Command::new(cl);
    cmd.args([
        "lambda",
        "watch",
        "--release",
        "--ignore-changes",
        "--concurrency",
        &ENVIRONMENTS.to_string(),
    ])
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
    first_answer(
        port,
        "/2015-03-31/functions/rust-echo/invocations",
        Duration::from_secs(120),
        &mut proc,
    )
    .await?;
    Ok((proc, port, t1.elapsed()))
}

pub async fn run_cargo_lambda(
    cl: &Result<PathBuf, String>,
    rust: &Result<PathBuf, String>,
    faux: Option<&Target>,
) -> Row {
    let (cl, _) = match (cl, rust) {
        (Ok(c), Ok(r)) => (c, r),
        (Err(e), _) | (_, Err(e)) => return Row::na(CARGO_LAMBDA, "rust echo", e),
    };
    let cold = match median_cold(|| async { start_cargo_lambda(cl).await.map(|(_proc, _, cold)| cold) }).await {
        Ok(c) => c,
        Err(e) => return Row::na(CARGO_LAMBDA, "rust echo", &e),
    };
    let (proc, port, _) = match start_cargo_lambda(cl).await {
        Ok(x) => x,
        Err(e) => return Row::na(CARGO_LAMBDA, "rust echo", &e),
    };
    let mut row = measure_warm(
        CARGO_LAMBDA,
        "rust echo",
        port,
        "/2015-03-31/functions/rust-echo/invocations",
        proc.pid(),
        faux,
    )
    .await;
    row.cold = Fig::Val(cold);
    row
}

/// A function's runtime under the floor relay: warm latency and one-connection throughput (the
/// relay runs one environment, so it has no 8-connection figure).
pub async fn run_floor(
    function: &'static str,
    command: Result<Vec<String>, String>,
    env: &[(&str, &str)],
    dir: &Path,
    faux: Option<&Target>,
) -> Row {
    let command = match command {
        Ok(c) => c,
        Err(e) => return Row::na(FLOOR, function, &e),
    };
    let relay = match floor::Floor::start().await {
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
    let (p50, p99, side) = warm_latency(relay.port, path, faux).await;
    let runtime = proc.pid();
    let runtime_cpu = || Ok(cpu_time(runtime)? + descendants_cpu_time(runtime).unwrap_or_default());
    let (c1, note, cpu, runtime_cpu) = throughput_and_cpu(relay.port, path, 1, || relay.cpu_time(), runtime_cpu).await;
    let one = Fig::Na("one environment".into());
    Row {
        runner: FLOOR,
        function,
        p50,
        p99,
        c1,
        c8: one.clone(),
        cpu,
        runtime_cpu,
        runtime_cpu8: one.clone(),
        note,
        cold: one,
        side,
    }
}
