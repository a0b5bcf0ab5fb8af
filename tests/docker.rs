//! What only the Docker executor does, with the real binary, `aws-sdk-lambda` and the local test
//! images of `scripts/test-images` (host networking, so the test's traffic stays on loopback; with
//! the default networking only the function's own calls go to its network's gateway): code copied
//! in through the API, a container image function, the memory limit (`Runtime.OutOfMemory`), a
//! container killed mid-invocation, orphan clean-up after fauxlambda is SIGKILLed, a missing
//! image's error, and the default networking (a network of fauxlambda's own, whose gateway serves
//! functions the Lambda API but not `/_fauxlambda/`, and nothing on Docker's default bridge).
//! The function suite of tests/execution.rs also runs against this executor (`docker::*`).

mod common;

use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{FunctionCode, ImageConfig, LayerVersionContentInput, LogType, PackageType, Runtime};
use aws_sdk_lambda::Client;
use base64::Engine;
use common::{docker_args, eventually, wait_active, zip, Server, ROLE};
use serde_json::{json, Value};
use std::process::Command;
use std::time::{Duration, Instant};

/// A server on the Docker executor with the test images, plus `extra` arguments (fails the test
/// without an engine or the images).
fn server(extra: &[&str]) -> Server {
    let mut args = docker_args();
    args.extend(extra.iter().map(|s| s.to_string()));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    Server::start(&refs)
}

async fn create_py(c: &Client, name: &str, code: &str, memory: i32, timeout: i32) {
    create(c, name, Runtime::Python312, code, memory, timeout).await;
}

/// A function of `runtime` whose `app.py` is `code`, Active.
async fn create(c: &Client, name: &str, runtime: Runtime, code: &str, memory: i32, timeout: i32) {
    c.create_function()
        .function_name(name)
        .runtime(runtime)
        .role(ROLE)
        .handler("app.handler")
        .memory_size(memory)
        .timeout(timeout)
        .code(
            FunctionCode::builder()
                .zip_file(Blob::new(zip(&[("app.py", code)])))
                .build(),
        )
        .send()
        .await
        .unwrap_or_else(|e| panic!("create {name}: {e:?}"));
    wait_active(c, name).await;
}

/// Invoke with the log tail: (function error, payload, log).
async fn invoke(c: &Client, name: &str, payload: &str) -> (Option<String>, String, String) {
    let out = c
        .invoke()
        .function_name(name)
        .payload(Blob::new(payload))
        .log_type(LogType::Tail)
        .send()
        .await
        .unwrap_or_else(|e| panic!("invoke {name}: {e:?}"));
    let log = out
        .log_result()
        .map(|l| String::from_utf8(base64::engine::general_purpose::STANDARD.decode(l).unwrap()).unwrap())
        .unwrap_or_default();
    let body = String::from_utf8(out.payload().map(|p| p.as_ref().to_vec()).unwrap_or_default()).unwrap();
    (out.function_error().map(str::to_owned), body, log)
}

async fn introspect(s: &Server, path: &str) -> Value {
    serde_json::from_slice(&common::http_get(&format!("{}/_fauxlambda/{path}", s.endpoint)).await).unwrap()
}

/// The container of a function's (first) environment.
async fn container_of(s: &Server, function: &str) -> String {
    let envs = introspect(s, &format!("environments?function={function}")).await;
    envs["environments"][0]["container"]
        .as_str()
        .unwrap_or_else(|| panic!("no container: {envs}"))
        .to_owned()
}

/// `Max Memory Used` of a log's REPORT line.
fn max_memory_used(log: &str) -> u64 {
    log.lines()
        .find(|l| l.starts_with("REPORT "))
        .and_then(|l| l.split('\t').find_map(|f| f.strip_prefix("Max Memory Used: ")))
        .and_then(|v| v.trim_end_matches(" MB").parse().ok())
        .unwrap_or_else(|| panic!("no Max Memory Used in {log}"))
}

fn docker(args: &[&str]) -> (bool, String) {
    let out = Command::new("docker").args(args).output().expect("docker");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).trim().to_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copied_code_and_layers() {
    let s = server(&["--docker-copy-code"]);
    let c = s.client();
    let layer = c
        .publish_layer_version()
        .layer_name("copied")
        .content(
            LayerVersionContentInput::builder()
                .zip_file(Blob::new(zip(&[("python/shared.py", "VALUE = 'layer'\n")])))
                .build(),
        )
        .send()
        .await
        .unwrap();
    c.create_function()
        .function_name("copied")
        .runtime(Runtime::Python312)
        .role(ROLE)
        .handler("app.handler")
        .layers(layer.layer_version_arn().unwrap())
        .code(FunctionCode::builder().zip_file(Blob::new(zip(&[("app.py", "import shared\n\ndef handler(e, c):\n    print('copied says hi')\n    return [shared.VALUE, __file__]\n")]))).build())
        .send()
        .await
        .unwrap();
    wait_active(&c, "copied").await;
    for _ in 0..2 {
        let (err, body, log) = invoke(&c, "copied", "{}").await;
        assert_eq!(err, None, "{body}");
        assert_eq!(
            serde_json::from_str::<Value>(&body).unwrap(),
            json!(["layer", "/var/task/app.py"])
        );
        // Through the attach stream (no FIFO when the engine cannot see our files).
        assert!(log.contains("copied says hi\n"), "{log}");
    }
    // Copied, not mounted.
    let container = container_of(&s, "copied").await;
    let (_, mounts) = docker(&["container", "inspect", "-f", "{{json .Mounts}}", &container]);
    assert_eq!(mounts, "[]", "{mounts}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn container_image_function() {
    let s = server(&[]);
    // An image of the user's own: code baked in, CMD the handler (built locally, nothing pulled).
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("app.py"), "import os\n\ndef handler(e, c):\n    return {'from': 'image', 'cwd': os.getcwd(), 'handler': os.environ.get('_HANDLER')}\n\ndef other(e, c):\n    return 'other handler'\n").unwrap();
    std::fs::write(
        dir.path().join("Dockerfile"),
        "FROM fauxlambda-test/python:3.11\nCOPY app.py /var/task/\nCMD [\"app.handler\"]\n",
    )
    .unwrap();
    let tag = "fauxlambda-test/image-function:latest";
    let out = Command::new("docker")
        .args(["build", "-q", "-t", tag])
        .arg(dir.path())
        .env("DOCKER_BUILDKIT", "0")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let c = s.client();
    c.create_function()
        .function_name("image-fn")
        .package_type(PackageType::Image)
        .role(ROLE)
        .code(FunctionCode::builder().image_uri(tag).build())
        .send()
        .await
        .unwrap();
    wait_active(&c, "image-fn").await;
    let (err, body, _) = invoke(&c, "image-fn", "{}").await;
    assert_eq!(err, None, "{body}");
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap(),
        json!({"from": "image", "cwd": "/var/task", "handler": "app.handler"})
    );
    // ImageConfig overrides the image's command.
    c.update_function_configuration()
        .function_name("image-fn")
        .image_config(ImageConfig::builder().command("app.other").build())
        .send()
        .await
        .unwrap();
    wait_active(&c, "image-fn").await;
    let (err, body, _) = invoke(&c, "image-fn", "{}").await;
    assert_eq!(err, None, "{body}");
    assert_eq!(body, "\"other handler\"");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_limit_is_enforced() {
    let s = server(&[]);
    let c = s.client();
    let code = "def handler(event, context):\n    blocks = []\n    for _ in range(event['mb']):\n        blocks.append(bytearray(1024 * 1024))\n    return len(blocks)\n";
    create_py(&c, "hungry", code, 128, 30).await;
    let (err, body, log) = invoke(&c, "hungry", r#"{"mb": 16}"#).await;
    assert_eq!((err.as_deref(), body.as_str()), (None, "16"));
    // The container's real peak: the interpreter and the 16 MB.
    let used = max_memory_used(&log);
    assert!((17..128).contains(&used), "{log}");
    let t = Instant::now();
    let (err, body, log) = invoke(&c, "hungry", r#"{"mb": 400}"#).await;
    assert_eq!(err.as_deref(), Some("Unhandled"), "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    // Killed by the kernel for its memory, as the engine recorded: reported as AWS does.
    assert_eq!(v["errorType"], "Runtime.OutOfMemory", "{body}");
    assert!(
        v["errorMessage"]
            .as_str()
            .unwrap()
            .ends_with("Error: Runtime exited with error: signal: killed"),
        "{body}"
    );
    assert!(
        t.elapsed() < Duration::from_secs(20),
        "the killed runtime was noticed only at the deadline"
    );
    assert!(log.contains("Memory Size: 128 MB\tMax Memory Used: 128 MB\t"), "{log}");
    assert!(log.contains("Status: error\tError Type: Runtime.OutOfMemory"), "{log}");
    // The next invocation gets a fresh environment.
    let (err, body, log) = invoke(&c, "hungry", r#"{"mb": 1}"#).await;
    assert_eq!((err.as_deref(), body.as_str()), (None, "1"));
    assert!(log.contains("Init Duration"), "{log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn container_killed_mid_invocation() {
    let s = server(&[]);
    let c = s.client();
    // The handler sleeps to be under way when its container is killed.
    create_py(
        &c,
        "sleepy",
        "import time\n\ndef handler(event, context):\n    if event['s']:\n        open('/tmp/asleep', 'w').close()\n    time.sleep(event['s'])\n    return 'woke'\n",
        128,
        60,
    )
    .await;
    assert_eq!(invoke(&c, "sleepy", r#"{"s": 0}"#).await.1, "\"woke\"");
    let container = container_of(&s, "sleepy").await;
    let killer = tokio::spawn(async move {
        // Killed once the handler is asleep in it.
        eventually(
            "the handler sleeps in its container",
            Duration::from_secs(10),
            || async { docker(&["exec", &container, "test", "-e", "/tmp/asleep"]).0 },
        )
        .await;
        assert!(docker(&["kill", &container]).0);
    });
    let t = Instant::now();
    let (err, body, _) = invoke(&c, "sleepy", r#"{"s": 30}"#).await;
    killer.await.unwrap();
    assert_eq!(err.as_deref(), Some("Unhandled"), "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["errorType"], "Runtime.ExitError", "{body}");
    assert!(
        t.elapsed() < Duration::from_secs(10),
        "ended at {:?}, not at once",
        t.elapsed()
    );
    // A container removed behind fauxlambda's back while idle is never handed out again.
    assert_eq!(invoke(&c, "sleepy", r#"{"s": 0}"#).await.1, "\"woke\"");
    let container = container_of(&s, "sleepy").await;
    assert!(docker(&["rm", "-f", &container]).0);
    let (err, body, log) = invoke(&c, "sleepy", r#"{"s": 0}"#).await;
    assert_eq!((err.as_deref(), body.as_str()), (None, "\"woke\""));
    assert!(log.contains("Init Duration"), "{log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn orphans_are_removed_after_sigkill() {
    let mut first = server(&[]);
    let c = first.client();
    create_py(&c, "orphan", "def handler(e, c):\n    return 1\n", 128, 3).await;
    invoke(&c, "orphan", "{}").await;
    let container = container_of(&first, "orphan").await;
    first.child.kill().unwrap(); // SIGKILL: no chance to clean up
    first.child.wait().unwrap();
    assert!(
        docker(&["container", "inspect", &container]).0,
        "the container should outlive a SIGKILLed fauxlambda"
    );
    let _second = server(&[]);
    // The new instance removes it at start-up.
    eventually(
        &format!("the orphan container {container} is removed"),
        Duration::from_secs(10),
        || async { !docker(&["container", "inspect", &container]).0 },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graceful_shutdown_removes_containers() {
    let s = server(&[]);
    let c = s.client();
    create_py(&c, "tidy", "def handler(e, c):\n    return 1\n", 128, 3).await;
    invoke(&c, "tidy", "{}").await;
    let container = container_of(&s, "tidy").await;
    drop(s); // SIGTERM
    assert!(
        !docker(&["container", "inspect", &container]).0,
        "{container} outlived its fauxlambda"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_and_deprecated_images_say_so() {
    let s = server(&[]);
    let c = s.client();
    // No override for python3.13: the official image is needed, and no registry is reachable.
    create(
        &c,
        "no-image",
        Runtime::Python313,
        "def handler(e, c):\n    return 1\n",
        128,
        3,
    )
    .await;
    let (err, body, _) = invoke(&c, "no-image", "{}").await;
    assert_eq!(err.as_deref(), Some("Unhandled"), "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    let msg = v["errorMessage"].as_str().unwrap();
    assert!(
        msg.contains("public.ecr.aws/lambda/python:3.13") && msg.contains("--runtime-image python3.13=IMAGE"),
        "{body}"
    );
    // A runtime with no base image at all.
    create(
        &c,
        "old-runtime",
        Runtime::Python38,
        "def handler(e, c):\n    return 1\n",
        128,
        3,
    )
    .await;
    let (_, body, _) = invoke(&c, "old-runtime", "{}").await;
    assert!(
        body.contains("No base image exists for the runtime python3.8"),
        "{body}"
    );
}

/// The local addresses `pid` listens on (TCP), from `ss -ltnp`.
fn listening(pid: u32) -> Vec<String> {
    let out = Command::new("ss").args(["-ltnpH"]).output().expect("ss (iproute2)");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.contains(&format!("pid={pid},")))
        .filter_map(|l| l.split_whitespace().nth(3).map(str::to_owned))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn default_network_is_fauxlambdas_own_and_serves_functions_only_the_lambda_api() {
    // The default networking: a network of the instance's own. The test itself only talks to
    // loopback and the engine; the function calls fauxlambda at its network's gateway.
    let mut args = docker_args();
    let at = args.iter().position(|a| a == "--docker-network").unwrap();
    args.drain(at..at + 2);
    args.extend(["--log-level".to_owned(), "info".to_owned()]);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let s = Server::start_logged(&refs, &[]);
    let pid = s.child.id();
    // Answered once start-up is done (the network is made after the port is bound).
    common::http_get(&format!("{}/_fauxlambda/health", s.endpoint)).await;
    // The instance's network, by its owner label.
    let (_, networks) = docker(&[
        "network",
        "ls",
        "--filter",
        "label=fauxlambda.managed",
        "--format",
        "{{.Name}} {{.Labels}}",
    ]);
    let network = networks
        .lines()
        .find(|l| l.contains(&format!("fauxlambda.owner={pid}:")))
        .and_then(|l| l.split_whitespace().next())
        .unwrap_or_else(|| panic!("no network of fauxlambda {pid}: {networks}"))
        .to_owned();
    let (_, gateway) = docker(&[
        "network",
        "inspect",
        &network,
        "-f",
        "{{range .IPAM.Config}}{{.Gateway}} {{end}}",
    ]);
    let gateway = gateway.split_whitespace().next().expect("a gateway").to_owned();
    let (_, bridge) = docker(&[
        "network",
        "inspect",
        "bridge",
        "-f",
        "{{range .IPAM.Config}}{{.Gateway}} {{end}}",
    ]);
    let bridge = bridge.split_whitespace().next().unwrap_or("172.17.0.1").to_owned();
    assert_ne!(gateway, bridge);

    let c = s.client();
    let code = "import os, json, urllib.request, urllib.error\n\ndef handler(e, c):\n    url = os.environ['AWS_ENDPOINT_URL']\n    with urllib.request.urlopen(url + '/2015-03-31/functions/') as r:\n        names = [f['FunctionName'] for f in json.load(r)['Functions']]\n    try:\n        urllib.request.urlopen(url + '/_fauxlambda/health')\n        status = 200\n    except urllib.error.HTTPError as err:\n        status = err.code\n    return [url, names, status]\n";
    create_py(&c, "bridged", code, 128, 10).await;
    let (err, body, _) = invoke(&c, "bridged", "{}").await;
    assert_eq!(err, None, "{body}");
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap(),
        json!([format!("http://host.docker.internal:{}", s.port), ["bridged"], 403])
    );
    let container = container_of(&s, "bridged").await;
    let (_, attached) = docker(&[
        "container",
        "inspect",
        "-f",
        "{{json .NetworkSettings.Networks}}",
        &container,
    ]);
    assert!(attached.contains(&format!("\"{network}\"")), "{attached}");

    // What it listens on: loopback for everyone, the gateway for functions (the Lambda API on the
    // same port, one Runtime API per environment), and nothing else.
    let addresses = listening(pid);
    assert!(addresses.contains(&format!("127.0.0.1:{}", s.port)), "{addresses:?}");
    assert!(addresses.contains(&format!("{gateway}:{}", s.port)), "{addresses:?}");
    assert!(addresses.len() >= 3, "the environment's Runtime API: {addresses:?}");
    for a in &addresses {
        assert!(
            a.starts_with("127.0.0.1:") || a.starts_with(&format!("{gateway}:")),
            "listens on {a}, neither loopback nor its network's gateway ({gateway}); default bridge {bridge}: {addresses:?}"
        );
    }
    let log = s.log();
    for said in [
        format!("listening on http://127.0.0.1:{}", s.port),
        format!(
            "reach fauxlambda's Lambda API at http://{gateway}:{} (Docker network {network}",
            s.port
        ),
        format!("Runtime API listens on {gateway}"),
    ] {
        assert!(log.contains(&said), "the log does not say {said:?}:\n{log}");
    }

    // Removed at exit, with the containers.
    drop(s);
    assert!(
        !docker(&["network", "inspect", &network]).0,
        "{network} outlived its fauxlambda"
    );
}
