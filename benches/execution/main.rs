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
//! - the floor (`execution/floor.rs`): each runtime behind a one-thread relay process that does only the
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
//! HTTP/1.1 client, a thread per connection, so the client adds little to what is measured), the
//! emulator's own CPU time per warm invoke (its process, not the runtime's; the floor's relay
//! process) and the runtime's (the emulator's descendant processes; the floor's runtime process),
//! and cold start (median of 5:
//! fauxlambda `POST /_fauxlambda/functions/<name>/evict`, then, once the old environment is gone,
//! the next invoke's request → response, checked cold by its `Init Duration`; RIE and cargo lambda:
//! process spawn → first response). With Docker, also the cold start of a Node.js function with and
//! without 30,000 small files under `node_modules/` in its zip (after the first invoke unpacked it).
//! Below the table, function URLs and response streaming (`execution/urls_streaming.rs`): a URL's
//! warm p50 side by side with `Invoke` of the same function, and the first-chunk latency of
//! `InvokeWithResponseStream` (`FAUXLAMBDA_BENCH_ONLY=urls-streaming` runs that section alone).
//! A reference that cannot be run here is printed as `n/a (<reason>)`. Everything is on loopback.
//!
//! Goals: process executor warm p50 ≤ 0.5 ms and ≥ 2× faster than both references, ≥ 3,000 warm
//! invokes/s across 8 environments, cold start ≤ 150 ms for the Python echo; Docker executor warm
//! p50 ≤ 1 ms, cold start ≤ 400 ms for the Python echo, `node_modules` adds ≤ 100 ms to a cold start.

mod fauxlambda;
mod fixtures;
mod floor;
mod http;
mod measure;
mod process;
mod raw_client;
mod references;
mod report;
mod side_by_side;
mod urls_streaming;

use fauxlambda::{docker_unavailable, run_fauxlambda, run_fauxlambda_own_client, start_side_by_side};
use fixtures::{has_awslambdaric, repo_python, rust_bootstrap, PY_APP, PY_OWN_CLIENT};
use measure::Row;
use references::{run_cargo_lambda, run_floor, run_rie};
use std::path::PathBuf;
use std::time::Instant;

/// The event every function echoes.
const PAYLOAD: &str = r#"{"message":"hello","n":42}"#;
/// Cold starts are the median of this many.
const COLD_RUNS: usize = 5;
/// Environments (and connections) of the concurrent figures.
const ENVIRONMENTS: usize = 8;

/// The runners' names in the table.
const FAUX: &str = "fauxlambda process";
const FAUX_DOCKER: &str = "fauxlambda docker";
const RIE: &str = "RIE";
const RIE_UNSET: &str = "RIE, AWS_EXECUTION_ENV unset";
const CARGO_LAMBDA: &str = "cargo lambda watch";
const FLOOR: &str = "floor (minimal relay)";
/// The Python echo run by fauxlambda's own runtime client.
const PY_OWN: &str = "python echo, fauxlambda's client";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn main() {
    // Started again by `floor::Floor::start`, as the relay's own process.
    if let Ok(ports) = std::env::var(floor::FLOOR_CHILD) {
        return floor::serve_child(&ports);
    }
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime")
        .block_on(run());
}

async fn run() {
    // `FAUXLAMBDA_BENCH_ONLY=urls-streaming`: only the function URL and streaming section.
    if std::env::var("FAUXLAMBDA_BENCH_ONLY").as_deref() == Ok("urls-streaming") {
        urls_streaming::print(&urls_streaming::run().await);
        return;
    }
    let started = Instant::now();
    let rust = rust_bootstrap();
    if let Err(e) = &rust {
        eprintln!("rust echo unavailable: {e}");
    }
    let deps = root().join("target/bench-deps");
    let rie = Some(deps.join("rie/aws-lambda-rie"))
        .filter(|p| p.is_file())
        .ok_or_else(|| "aws-lambda-rie not installed: run scripts/bench-deps".to_string());
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
        Some(py) if has_awslambdaric(&py) => Ok(vec![
            py.display().to_string(),
            "-m".into(),
            "awslambdaric".into(),
            "app.handler".into(),
        ]),
        _ => Err("no .venv with awslambdaric: run scripts/test-deps".to_string()),
    };
    // As the python3.12 image's bootstrap exports it (and fauxlambda sets it).
    let py_env = [("AWS_EXECUTION_ENV", "AWS_Lambda_python3.12")];
    rows.push(
        run_rie(
            RIE,
            &rie,
            "python echo",
            py_command.clone(),
            &py_env,
            py_dir.path(),
            faux("python echo"),
        )
        .await,
    );
    rows.push(
        run_rie(
            RIE_UNSET,
            &rie,
            "python echo",
            py_command.clone(),
            &[],
            py_dir.path(),
            faux("python echo"),
        )
        .await,
    );
    let rust_command = rust.clone().map(|b| vec![b.display().to_string()]);
    rows.push(
        run_rie(
            RIE,
            &rie,
            "rust echo",
            rust_command.clone(),
            &[],
            py_dir.path(),
            faux("rust echo"),
        )
        .await,
    );
    rows.push(run_cargo_lambda(&cl, &rust, faux("rust echo")).await);

    // The floor: the same runtimes behind a relay that does nothing but the socket work.
    std::fs::write(py_dir.path().join("fauxlambda_bootstrap.py"), PY_OWN_CLIENT).unwrap();
    let own_command = repo_python()
        .map(|py| {
            vec![
                py.display().to_string(),
                "fauxlambda_bootstrap.py".into(),
                "app.handler".into(),
            ]
        })
        .ok_or_else(|| "no .venv: run scripts/test-deps".to_string());
    rows.push(run_floor("python echo", py_command, &py_env, py_dir.path(), faux("python echo")).await);
    rows.push(run_floor(PY_OWN, own_command, &py_env, py_dir.path(), faux(PY_OWN)).await);
    rows.push(run_floor("rust echo", rust_command, &[], py_dir.path(), faux("rust echo")).await);
    drop(side_servers);

    let urls = urls_streaming::run().await;
    report::print(&rows, node.as_ref(), docker_note.as_deref(), started);
    urls_streaming::print(&urls);
}
