//! Which executor and which interpreter run a function, and what the log says about it, with the
//! real binary and `aws-sdk-lambda`: `--executor auto` falls back to local processes when the
//! runtime's image cannot be pulled (the tests' engine has no registry: the natural case) and
//! uses Docker when the image is there; the process executor prefers the runtime's own
//! interpreter version and warns, once per function version, when it runs another.

mod common;

use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{FunctionCode, Runtime};
use aws_sdk_lambda::Client;
use common::{require_docker, wait_active, zip, Server, ROLE};
use serde_json::Value;
use std::ffi::OsString;

const REPORT: &str = "import os, sys\n\ndef handler(e, c):\n    return {'file': __file__, 'executable': sys.executable, 'version': '%d.%d' % sys.version_info[:2]}\n";

async fn create(c: &Client, name: &str, runtime: Runtime, files: &[(&str, &str)], handler: &str) {
    c.create_function()
        .function_name(name)
        .runtime(runtime)
        .role(ROLE)
        .handler(handler)
        .code(FunctionCode::builder().zip_file(Blob::new(zip(files))).build())
        .send()
        .await
        .unwrap_or_else(|e| panic!("create {name}: {e:?}"));
    wait_active(c, name).await;
}

/// Invokes `name` (or `name:qualifier`) and returns its answer, failing on a function error.
async fn invoke(c: &Client, name: &str, qualifier: Option<&str>) -> Value {
    let out = c
        .invoke()
        .function_name(name)
        .set_qualifier(qualifier.map(str::to_owned))
        .payload(Blob::new("{}"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("invoke {name}: {e:?}"));
    let body = String::from_utf8_lossy(out.payload().map(|p| p.as_ref()).unwrap_or_default()).into_owned();
    assert_eq!(out.function_error(), None, "{body}");
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("{body}: {e}"))
}

async fn environments(s: &Server, function: &str) -> Value {
    let body = common::http_get(&format!("{}/_fauxlambda/environments?function={function}", s.endpoint)).await;
    serde_json::from_slice(&body).unwrap()
}

fn count(log: &str, needle: &str) -> usize {
    log.matches(needle).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auto_runs_processes_when_the_image_cannot_be_pulled() {
    require_docker();
    // Host networking: nothing listens on, or is sent to, the bridge.
    let s = Server::start_logged(&["--executor", "auto", "--docker-network", "host"], &[]);
    let c = s.client();
    create(&c, "fallback", Runtime::Python312, &[("app.py", REPORT)], "app.handler").await;
    for _ in 0..2 {
        let answer = invoke(&c, "fallback", None).await;
        // A local process: the code is where fauxlambda unpacked it, not /var/task.
        let file = answer["file"].as_str().unwrap();
        assert!(!file.starts_with("/var/task/"), "{answer}");
    }
    let envs = environments(&s, "fallback").await;
    assert!(envs["environments"][0]["container"].is_null(), "{envs}");
    assert!(envs["environments"][0]["pid"].as_u64().is_some(), "{envs}");

    let log = s.log();
    let image = "public.ecr.aws/lambda/python:3.12";
    // The failed pull, with the engine's reason.
    assert!(log.contains(&format!("pulling {image} failed: ")), "{log}");
    // One warning for the image, naming it and the flags that choose.
    assert_eq!(count(&log, "python3.12 functions run as local processes"), 1, "{log}");
    let warning = log
        .lines()
        .find(|l| l.contains("python3.12 functions run as local processes"))
        .unwrap();
    for part in [
        image,
        "could not be pulled",
        "--runtime-image python3.12=IMAGE",
        "--executor docker",
        "--executor process",
    ] {
        assert!(warning.contains(part), "{part:?} missing from {warning}");
    }

    // A runtime the host cannot run (no image, no interpreter): Docker's error, unchanged.
    create(
        &c,
        "ruby",
        Runtime::Ruby33,
        &[("app.rb", "def handler(event:, context:) = 1\n")],
        "app.handler",
    )
    .await;
    let out = c
        .invoke()
        .function_name("ruby")
        .payload(Blob::new("{}"))
        .send()
        .await
        .unwrap();
    let body = String::from_utf8_lossy(out.payload().unwrap().as_ref()).into_owned();
    assert_eq!(out.function_error(), Some("Unhandled"), "{body}");
    assert!(
        body.contains("public.ecr.aws/lambda/ruby:3.3 is not available"),
        "{body}"
    );
    assert_eq!(count(&s.log(), "ruby3.3 functions run as local processes"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auto_runs_containers_when_the_image_is_there() {
    require_docker();
    let image = common::TEST_IMAGES
        .iter()
        .find(|(rt, _)| *rt == "python3.12")
        .unwrap()
        .1;
    let s = Server::start_logged(
        &[
            "--executor",
            "auto",
            "--docker-network",
            "host",
            "--runtime-image",
            &format!("python3.12={image}"),
        ],
        &[],
    );
    let c = s.client();
    create(
        &c,
        "contained",
        Runtime::Python312,
        &[("app.py", REPORT)],
        "app.handler",
    )
    .await;
    let answer = invoke(&c, "contained", None).await;
    assert_eq!(answer["file"], "/var/task/app.py", "{answer}");
    let envs = environments(&s, "contained").await;
    assert!(envs["environments"][0]["container"].is_string(), "{envs}");
    let log = s.log();
    assert!(!log.contains("run as local processes"), "{log}");
}

/// The host's `python3` version (`3.11`) and the real interpreter behind it.
fn host_python() -> (String, String) {
    let out = std::process::Command::new("python3")
        .args([
            "-c",
            "import sys; print('%d.%d' % sys.version_info[:2]); print(sys.executable)",
        ])
        .output()
        .expect("python3");
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.lines();
    (lines.next().unwrap().to_owned(), lines.next().unwrap().to_owned())
}

fn runtime_of(version: &str) -> Runtime {
    Runtime::from(format!("python{version}").as_str())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn processes_prefer_the_runtimes_own_interpreter_and_warn_once_when_they_cannot() {
    let (host_version, _) = host_python();
    let other = if host_version == "3.13" { "3.12" } else { "3.13" };
    let s = Server::start_logged(&[], &[]);
    let c = s.client();

    // The host's version: no warning.
    create(
        &c,
        "same",
        runtime_of(&host_version),
        &[("app.py", REPORT)],
        "app.handler",
    )
    .await;
    assert_eq!(invoke(&c, "same", None).await["version"], host_version.as_str());

    // Another version: the host's, with one warning per function version naming both.
    create(&c, "other", runtime_of(other), &[("app.py", REPORT)], "app.handler").await;
    for _ in 0..2 {
        assert_eq!(invoke(&c, "other", None).await["version"], host_version.as_str());
    }
    c.publish_version().function_name("other").send().await.unwrap();
    assert_eq!(invoke(&c, "other", Some("1")).await["version"], host_version.as_str());
    let log = s.log();
    let warnings: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("runs on the host's Python"))
        .collect();
    assert_eq!(warnings.len(), 2, "one per function version: {log}");
    assert!(warnings[0].contains("function other:$LATEST"), "{}", warnings[0]);
    assert!(warnings[1].contains("function other:1"), "{}", warnings[1]);
    for w in &warnings {
        assert!(w.contains(&format!("Python {host_version}")), "{w}");
        assert!(w.contains(&format!("not Python {other}")), "{w}");
        assert!(w.contains(&format!("--runtime-command python{other}=COMMAND")), "{w}");
    }
    assert!(!log.contains("function same:"), "{log}");

    // Node.js: the host's `node` for its own major version, a warning for another.
    let node = std::process::Command::new("node")
        .arg("--version")
        .output()
        .expect("node");
    let major = String::from_utf8(node.stdout)
        .unwrap()
        .trim()
        .trim_start_matches('v')
        .split('.')
        .next()
        .unwrap()
        .to_owned();
    let other_node = if major == "22" { "20" } else { "22" };
    let js = "export const handler = async () => ({ node: process.versions.node });\n";
    create(
        &c,
        "node-same",
        Runtime::from(format!("nodejs{major}.x").as_str()),
        &[("index.mjs", js)],
        "index.handler",
    )
    .await;
    create(
        &c,
        "node-other",
        Runtime::from(format!("nodejs{other_node}.x").as_str()),
        &[("index.mjs", js)],
        "index.handler",
    )
    .await;
    invoke(&c, "node-same", None).await;
    invoke(&c, "node-other", None).await;
    let log = s.log();
    assert!(!log.contains("function node-same:"), "{log}");
    let w = log
        .lines()
        .find(|l| l.contains("function node-other:$LATEST"))
        .unwrap_or_else(|| panic!("{log}"));
    assert!(
        w.contains(&format!("Node.js {major}")) && w.contains(&format!("not Node.js {other_node}")),
        "{w}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interpreter_of_the_runtimes_version_on_path_is_chosen_first() {
    let (host_version, host_python) = host_python();
    let other = if host_version == "3.13" { "3.12" } else { "3.13" };
    // `python3.13` on PATH (the host's interpreter under that name).
    let bin = tempfile::tempdir().unwrap();
    let named = bin.path().join(format!("python{other}"));
    std::os::unix::fs::symlink(&host_python, &named).unwrap();
    let mut path = OsString::from(bin.path());
    path.push(":");
    path.push(std::env::var_os("PATH").unwrap_or_default());
    let s = Server::start_logged(&[], &[("PATH", path)]);
    let c = s.client();
    create(&c, "named", runtime_of(other), &[("app.py", REPORT)], "app.handler").await;
    let answer = invoke(&c, "named", None).await;
    assert_eq!(answer["executable"], named.to_str().unwrap(), "{answer}");
    // It is not really that version, and the warning says so.
    let log = s.log();
    let w = log
        .lines()
        .find(|l| l.contains("function named:$LATEST"))
        .unwrap_or_else(|| panic!("{log}"));
    assert!(w.contains(named.to_str().unwrap()), "{w}");

    // --runtime-command overrides the choice, and is not second-guessed.
    let s = Server::start_logged(&["--runtime-command", &format!("python{other}=python3")], &[]);
    let c = s.client();
    create(&c, "chosen", runtime_of(other), &[("app.py", REPORT)], "app.handler").await;
    assert_eq!(invoke(&c, "chosen", None).await["version"], host_version.as_str());
    assert!(!s.log().contains("runs on the host's"), "{}", s.log());
}
