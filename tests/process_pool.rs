//! The process executor and the environment pool, driven directly (not through Invoke): real
//! Python, Node.js and shell runtimes as local processes against their Runtime API servers.

mod common;

use common::node_ric;

use fauxlambda::execution::{
    ExecutorConfig, FunctionSpec, Invocation, InvocationOutcome, InvocationResult, LayerPackage, Pool, PoolConfig,
    ProcessExecutor,
};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const ARN: &str = "arn:aws:lambda:us-east-1:000000000000:function:f";

struct Fixture {
    dir: tempfile::TempDir,
    pool: Pool,
}

/// Which runtime clients a fixture uses.
#[derive(Clone, Copy, PartialEq)]
enum Clients {
    /// awslambdaric from the repo's .venv (and the vendored aws-lambda-ric for Node).
    Official,
    /// Our embedded clients.
    Ours,
}

fn fixture_with(clients: Clients, pool: PoolConfig) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let mut config = ExecutorConfig::new(dir.path());
    match clients {
        Clients::Official => {
            let py = common::require_venv_python();
            config
                .runtime_commands
                .insert("python".into(), py.to_string_lossy().into_owned());
            config.node_ric = node_ric();
        }
        Clients::Ours => config.force_own_clients = true,
    }
    let pool = Pool::new(ProcessExecutor::new(config), pool);
    Fixture { dir, pool }
}

fn fixture(clients: Clients) -> Fixture {
    fixture_with(clients, PoolConfig::default())
}

/// A zip of `(path, text, unix mode)` entries.
fn zip(files: &[(&str, &str, u32)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, text, mode) in files {
        w.start_file(*name, zip::write::SimpleFileOptions::default().unix_permissions(*mode))
            .unwrap();
        w.write_all(text.as_bytes()).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// Stores `bytes` as the store would (`<sha>.zip`) and returns (sha, path).
fn store(dir: &Path, bytes: &[u8]) -> (String, PathBuf) {
    let sha: String = Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect();
    let path = dir.join("packages").join(format!("{sha}.zip"));
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, bytes).unwrap();
    (sha, path)
}

impl Fixture {
    fn spec(&self, runtime: &str, handler: &str, files: &[(&str, &str, u32)]) -> FunctionSpec {
        let (sha, zip_path) = store(self.dir.path(), &zip(files));
        FunctionSpec {
            function_name: "f".into(),
            version: "$LATEST".into(),
            runtime: runtime.into(),
            handler: handler.into(),
            memory_mb: 256,
            timeout: Duration::from_secs(3),
            region: "us-east-1".into(),
            account_id: "000000000000".into(),
            environment: BTreeMap::new(),
            code_sha256_hex: sha,
            code_zip: zip_path,
            layers: vec![],
            ..Default::default()
        }
    }

    fn layer(&self, files: &[(&str, &str, u32)]) -> LayerPackage {
        let (sha, zip) = store(self.dir.path(), &zip(files));
        LayerPackage {
            sha256_hex: sha,
            zip,
            dir: None,
        }
    }

    async fn invoke(&self, spec: &FunctionSpec, payload: &str) -> InvocationResult {
        let inv = Invocation::new(uuid::Uuid::new_v4().to_string(), payload.to_owned(), ARN, spec.timeout);
        tokio::time::timeout(Duration::from_secs(30), self.pool.invoke(spec, inv))
            .await
            .expect("invoke took over 30 s")
    }
}

fn py(code: &str) -> Vec<(&'static str, String, u32)> {
    vec![("app.py", code.to_owned(), 0o644)]
}

fn files<'a>(v: &'a [(&'static str, String, u32)]) -> Vec<(&'static str, &'a str, u32)> {
    v.iter().map(|(n, t, m)| (*n, t.as_str(), *m)).collect()
}

fn response(r: &InvocationResult) -> serde_json::Value {
    match &r.outcome {
        InvocationOutcome::Response(b) => serde_json::from_slice(b).unwrap(),
        other => panic!("expected a response, got {other:?}\nlog: {:#?}", r.log_lines),
    }
}

fn payload(r: &InvocationResult) -> serde_json::Value {
    serde_json::from_slice(&r.caller_payload()).unwrap_or_else(|e| panic!("{e}: {:?}", r.caller_payload()))
}

/// START … END … REPORT, in AWS's exact forms.
fn check_log_frame(r: &InvocationResult) {
    let id = &r.request_id;
    let start = r
        .log_lines
        .iter()
        .position(|l| l == &format!("START RequestId: {id} Version: $LATEST"))
        .unwrap_or_else(|| panic!("no START: {:#?}", r.log_lines));
    let n = r.log_lines.len();
    assert_eq!(r.log_lines[n - 2], format!("END RequestId: {id}"));
    let report = &r.log_lines[n - 1];
    assert!(start < n - 2);
    let prefix = format!("REPORT RequestId: {id}\tDuration: ");
    assert!(report.starts_with(&prefix), "{report}");
    let fields: Vec<&str> = report.split('\t').collect();
    assert!(
        fields[1].starts_with("Duration: ") && fields[1].ends_with(" ms"),
        "{report}"
    );
    assert_eq!(fields[2], format!("Billed Duration: {} ms", r.billed_duration_ms));
    assert_eq!(fields[3], "Memory Size: 256 MB");
    assert_eq!(fields[4], format!("Max Memory Used: {} MB", r.max_memory_used_mb));
    match r.init_duration {
        Some(i) => {
            assert_eq!(fields[5], format!("Init Duration: {:.2} ms", i.as_secs_f64() * 1000.0));
            assert_eq!(fields.get(6).copied(), Some(""), "trailing tab: {report:?}");
        }
        None => assert_eq!(fields.get(5).copied(), Some(""), "trailing tab: {report:?}"),
    }
}

const ECHO: &str = "def handler(event, context):\n    print('hello from', context.aws_request_id)\n    return {'event': event, 'fn': context.function_name, 'left': context.get_remaining_time_in_millis() > 0}\n";

async fn echo_twice(clients: Clients) {
    let fx = fixture(clients);
    let spec = fx.spec("python3.12", "app.handler", &files(&py(ECHO)));
    let t = Instant::now();
    let r = fx.invoke(&spec, r#"{"a":1}"#).await;
    eprintln!("cold python invoke: {:?}", t.elapsed());
    assert_eq!(
        response(&r),
        serde_json::json!({"event": {"a": 1}, "fn": "f", "left": true})
    );
    assert!(r.init_duration.is_some());
    assert_eq!(r.executed_version, "$LATEST");
    assert!(r.max_memory_used_mb > 0);
    check_log_frame(&r);
    assert!(
        r.log_lines.contains(&format!("hello from {}", r.request_id)),
        "{:#?}",
        r.log_lines
    );
    // Warm: same environment, no Init Duration.
    let t = Instant::now();
    let r2 = fx.invoke(&spec, r#"{"b":2}"#).await;
    eprintln!("warm python invoke: {:?}", t.elapsed());
    assert_eq!(response(&r2)["event"], serde_json::json!({"b": 2}));
    assert_eq!(r2.environment_id, r.environment_id);
    assert_eq!(r2.init_duration, None);
    check_log_frame(&r2);
    assert_eq!(r2.log_lines.iter().filter(|l| l.starts_with("hello from")).count(), 1);
    assert!(r2.log_tail(4096).ends_with("\t\n"));
    assert_eq!(fx.pool.counts("f", "$LATEST").idle, 1);
    fx.pool.shutdown().await;
}

#[tokio::test]
async fn python_echo_official_client() {
    echo_twice(Clients::Official).await;
}

#[tokio::test]
async fn python_echo_our_client() {
    echo_twice(Clients::Ours).await;
}

#[tokio::test]
async fn python_exception_payload() {
    for clients in [Clients::Official, Clients::Ours] {
        let fx = fixture(clients);
        let code = "def fail():\n    raise Exception('boom')\n\ndef handler(event, context):\n    fail()\n";
        let spec = fx.spec("python3.12", "app.handler", &files(&py(code)));
        let r = fx.invoke(&spec, "{}").await;
        assert_eq!(r.function_error(), Some("Unhandled"));
        let p = payload(&r);
        assert_eq!(p["errorMessage"], "boom");
        assert_eq!(p["errorType"], "Exception");
        assert_eq!(p["requestId"], r.request_id.as_str());
        let trace = p["stackTrace"].as_array().unwrap();
        assert!(trace.len() >= 2 && trace[0].as_str().unwrap().contains("app.py"), "{p}");
        assert!(
            r.log_lines.iter().any(|l| l.starts_with("[ERROR] Exception: boom")),
            "{:#?}",
            r.log_lines
        );
        check_log_frame(&r);
        // The environment survives a function error.
        let again = fx.invoke(&spec, "{}").await;
        assert_eq!(again.environment_id, r.environment_id);
    }
}

#[tokio::test]
async fn python_import_error_and_missing_handler() {
    for clients in [Clients::Official, Clients::Ours] {
        let fx = fixture(clients);
        let spec = fx.spec("python3.12", "nope.handler", &files(&py("x = 1\n")));
        let r = fx.invoke(&spec, "{}").await;
        assert!(
            matches!(r.outcome, InvocationOutcome::InitError { .. }),
            "{:?}",
            r.outcome
        );
        let p = payload(&r);
        assert_eq!(p["errorType"], "Runtime.ImportModuleError");
        assert_eq!(
            p["errorMessage"],
            "Unable to import module 'nope': No module named 'nope'"
        );
        assert_eq!(p["requestId"], "");
        assert_eq!(p["stackTrace"], serde_json::json!([]));
        check_log_frame(&r);
        assert_eq!(fx.pool.counts("f", "$LATEST").idle, 0);

        let spec = fx.spec("python3.12", "app.nothere", &files(&py("x = 1\n")));
        let r = fx.invoke(&spec, "{}").await;
        let p = payload(&r);
        assert_eq!(p["errorType"], "Runtime.HandlerNotFound");
        assert_eq!(p["errorMessage"], "Handler 'nothere' missing on module 'app'");
    }
}

#[tokio::test]
async fn python_timeout_is_sandbox_timedout() {
    let fx = fixture(Clients::Official);
    // The handler sleeps past its 1 s timeout: the timeout is the subject.
    let mut spec = fx.spec(
        "python3.12",
        "app.handler",
        &files(&py(
            "import time\ndef handler(e, c):\n    print('sleeping')\n    time.sleep(30)\n",
        )),
    );
    spec.timeout = Duration::from_secs(1);
    let t = Instant::now();
    let r = fx.invoke(&spec, "{}").await;
    let took = t.elapsed();
    assert!(took < Duration::from_secs(5), "{took:?}");
    assert_eq!(
        String::from_utf8(r.caller_payload().to_vec()).unwrap(),
        format!(
            r#"{{"errorType":"Sandbox.Timedout","errorMessage":"RequestId: {} Error: Task timed out after 1.00 seconds"}}"#,
            r.request_id
        )
    );
    assert_eq!(r.duration, Duration::from_secs(1));
    let report = r.log_lines.last().unwrap();
    assert!(report.contains("\tDuration: 1000.00 ms\t"), "{report}");
    assert!(report.ends_with("\tStatus: timeout"), "{report}");
    assert!(r.log_lines.contains(&"sleeping".to_owned()));
    // Discarded: the next invoke starts a new environment.
    assert_eq!(fx.pool.counts("f", "$LATEST").idle, 0);
}

#[tokio::test]
async fn python_runtime_exit_is_exit_error() {
    let fx = fixture(Clients::Official);
    let spec = fx.spec(
        "python3.12",
        "app.handler",
        &files(&py("import os\ndef handler(e, c):\n    os._exit(3)\n")),
    );
    let t = Instant::now();
    let r = fx.invoke(&spec, "{}").await;
    assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
    assert_eq!(
        String::from_utf8(r.caller_payload().to_vec()).unwrap(),
        format!(
            r#"{{"errorType":"Runtime.ExitError","errorMessage":"RequestId: {} Error: Runtime exited with error: exit status 3"}}"#,
            r.request_id
        )
    );
    assert!(r
        .log_lines
        .last()
        .unwrap()
        .ends_with("\tStatus: error\tError Type: Runtime.ExitError"));
    let again = fx.invoke(&spec, "{}").await;
    assert_ne!(again.environment_id, r.environment_id);
}

#[tokio::test]
async fn python_environment_variables() {
    for clients in [Clients::Official, Clients::Ours] {
        let fx = fixture(clients);
        let mut spec = fx.spec(
            "python3.12",
            "app.handler",
            &files(&py("import os\ndef handler(e, c):\n    return dict(os.environ)\n")),
        );
        spec.environment.insert("MY_VAR".into(), "mine".into());
        let r = fx.invoke(&spec, "{}").await;
        let env: BTreeMap<String, String> = serde_json::from_value(response(&r)).unwrap();
        let keys: BTreeSet<&str> = env.keys().map(String::as_str).collect();
        let expected: BTreeSet<&str> = [
            "AWS_ACCESS_KEY",
            "AWS_ACCESS_KEY_ID",
            "AWS_DEFAULT_REGION",
            "AWS_EXECUTION_ENV",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
            "AWS_LAMBDA_FUNCTION_NAME",
            "AWS_LAMBDA_FUNCTION_VERSION",
            "AWS_LAMBDA_INITIALIZATION_TYPE",
            "AWS_LAMBDA_LOG_GROUP_NAME",
            "AWS_LAMBDA_LOG_STREAM_NAME",
            "AWS_LAMBDA_RUNTIME_API",
            "AWS_REGION",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
            "AWS_XRAY_CONTEXT_MISSING",
            "AWS_XRAY_DAEMON_ADDRESS",
            "LAMBDA_RUNTIME_DIR",
            "LAMBDA_TASK_ROOT",
            "LANG",
            "LD_LIBRARY_PATH",
            "MY_VAR",
            "PATH",
            "PYTHONPATH",
            "TMPDIR",
            "TZ",
            "_AWS_XRAY_DAEMON_ADDRESS",
            "_AWS_XRAY_DAEMON_PORT",
            "_HANDLER",
            "_X_AMZN_TRACE_ID",
        ]
        .into_iter()
        .collect();
        // Python sets LC_CTYPE itself (PEP 538) when the host lacks the en_US.UTF-8 locale.
        let keys: BTreeSet<&str> = keys
            .into_iter()
            .filter(|k| !(*k == "LC_CTYPE" && env[*k] == "C.UTF-8"))
            .collect();
        assert_eq!(keys, expected);
        assert_eq!(env["_HANDLER"], "app.handler");
        assert_eq!(env["AWS_REGION"], "us-east-1");
        assert_eq!(env["AWS_EXECUTION_ENV"], "AWS_Lambda_python3.12");
        assert_eq!(env["AWS_LAMBDA_FUNCTION_NAME"], "f");
        assert_eq!(env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"], "256");
        assert_eq!(env["AWS_LAMBDA_FUNCTION_VERSION"], "$LATEST");
        assert_eq!(env["AWS_LAMBDA_INITIALIZATION_TYPE"], "on-demand");
        assert_eq!(env["AWS_LAMBDA_LOG_GROUP_NAME"], "/aws/lambda/f");
        let stream = &env["AWS_LAMBDA_LOG_STREAM_NAME"];
        assert_eq!(stream.len(), "2025/01/31/[$LATEST]".len() + 32, "{stream}");
        assert!(stream.ends_with(&format!("/[$LATEST]{}", r.environment_id)), "{stream}");
        assert!(env["AWS_LAMBDA_RUNTIME_API"].starts_with("127.0.0.1:"));
        assert_eq!(env["TZ"], ":UTC");
        assert_eq!(env["LANG"], "en_US.UTF-8");
        assert!(env["_X_AMZN_TRACE_ID"].starts_with("Root=1-"));
        assert!(env["PATH"].ends_with("/bin"));
        assert!(env["PYTHONPATH"].contains("/python/lib/python3.12/site-packages:"));
        // Nothing of the test process leaks in.
        for k in [
            "HOME",
            "CARGO",
            "CARGO_MANIFEST_DIR",
            "USER",
            "AWS_LAMBDA_MAX_CONCURRENCY",
            "RUST_LOG",
        ] {
            assert!(!env.contains_key(k), "{k} leaked");
        }
    }
}

#[tokio::test]
async fn python_layer_module_importable() {
    let fx = fixture(Clients::Official);
    let mut spec = fx.spec(
        "python3.12",
        "app.handler",
        &files(&py("import layermod\ndef handler(e, c):\n    return layermod.VALUE\n")),
    );
    spec.layers
        .push(fx.layer(&[("python/layermod.py", "VALUE = 'first'\n", 0o644)]));
    spec.layers.push(fx.layer(&[
        ("python/layermod.py", "VALUE = 'from layer 2'\n", 0o644),
        ("bin/tool", "#!/bin/sh\n", 0o755),
    ]));
    let r = fx.invoke(&spec, "{}").await;
    assert_eq!(response(&r), serde_json::json!("from layer 2"));
}

#[tokio::test]
async fn extension_crashing_during_init_fails_the_init_at_once() {
    let fx = fixture(Clients::Official);
    let mut spec = fx.spec(
        "python3.12",
        "app.handler",
        &files(&py("def handler(e, c):\n    return 1\n")),
    );
    spec.layers.push(fx.layer(&[(
        "extensions/broken",
        "#!/bin/sh\necho broken extension starting\nexit 3\n",
        0o755,
    )]));
    let t = Instant::now();
    let r = fx.invoke(&spec, "{}").await;
    assert!(
        t.elapsed() < Duration::from_secs(3),
        "took {:?}: waited for the init limit",
        t.elapsed()
    );
    assert_eq!(r.function_error(), Some("Unhandled"));
    let p = payload(&r);
    assert_eq!(p["errorType"], "Extension.Crash", "{p}");
    assert_eq!(
        p["errorMessage"], "Extension broken exited during init: exit status 3",
        "{p}"
    );
    assert!(
        r.log_lines.iter().any(|l| l == "broken extension starting"),
        "{:#?}",
        r.log_lines
    );
}

#[tokio::test]
async fn eight_parallel_invokes_get_eight_environments() {
    let fx = fixture(Clients::Official);
    // The handler sleeps to keep all eight invocations in flight at once.
    let spec = fx.spec(
        "python3.12",
        "app.handler",
        &files(&py(
            "import time\ndef handler(e, c):\n    time.sleep(0.3)\n    return e\n",
        )),
    );
    let t = Instant::now();
    let results = futures_join_all((0..8).map(|i| {
        let (fx, spec) = (&fx, &spec);
        async move { fx.invoke(spec, &format!("{i}")).await }
    }))
    .await;
    eprintln!("8 parallel cold invokes: {:?}", t.elapsed());
    let ids: BTreeSet<&str> = results.iter().map(|r| r.environment_id.as_str()).collect();
    assert_eq!(ids.len(), 8);
    for (i, r) in results.iter().enumerate() {
        assert_eq!(response(r), serde_json::json!(i));
        assert!(r.init_duration.is_some());
    }
    assert_eq!(fx.pool.counts("f", "$LATEST").idle, 8);
    // Then one at a time: a warm one is reused.
    let r = fx.invoke(&spec, "9").await;
    assert!(ids.contains(r.environment_id.as_str()) && r.init_duration.is_none());
}

/// Awaits every future concurrently (no extra dependency).
async fn futures_join_all<F: std::future::Future>(futs: impl Iterator<Item = F>) -> Vec<F::Output> {
    let handles: Vec<_> = futs.collect();
    let mut out = Vec::new();
    let mut pinned: Vec<_> = handles.into_iter().map(Box::pin).collect();
    let mut results: Vec<Option<F::Output>> = (0..pinned.len()).map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (i, f) in pinned.iter_mut().enumerate() {
            if results[i].is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => results[i] = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    out.extend(results.into_iter().map(Option::unwrap));
    out
}

#[tokio::test]
async fn keepalive_and_retire_stop_idle_environments() {
    let fx = fixture_with(
        Clients::Ours,
        PoolConfig {
            keepalive: Duration::from_millis(200),
            ..PoolConfig::default()
        },
    );
    let spec = fx.spec(
        "python3.12",
        "app.handler",
        &files(&py("def handler(e, c):\n    return 1\n")),
    );
    let r = fx.invoke(&spec, "{}").await;
    assert_eq!(response(&r), serde_json::json!(1));
    common::eventually(
        "the idle environment stops after its keepalive",
        Duration::from_secs(10),
        || async { fx.pool.counts("f", "$LATEST").idle == 0 },
    )
    .await;

    let fx = fixture(Clients::Ours);
    let r1 = fx.invoke(&spec_in(&fx), "{}").await;
    assert_eq!(fx.pool.counts("f", "$LATEST").idle, 1);
    fx.pool.retire("f", None);
    assert_eq!(fx.pool.counts("f", "$LATEST").idle, 0);
    let r2 = fx.invoke(&spec_in(&fx), "{}").await;
    assert_ne!(r1.environment_id, r2.environment_id);
    assert!(r2.init_duration.is_some());

    // A process that vanished while idle is never handed out.
    let pid_file = fx.dir.path().join("pid");
    let spec = fx.spec(
        "python3.12",
        "app.handler",
        &files(&py(&format!(
            "import os\nopen({:?}, 'w').write(str(os.getpid()))\ndef handler(e, c):\n    return 2\n",
            pid_file.to_str().unwrap()
        ))),
    );
    let a = fx.invoke(&spec, "{}").await;
    let pid = std::fs::read_to_string(&pid_file).unwrap();
    std::process::Command::new("kill").args(["-9", &pid]).status().unwrap();
    // Dead (gone, or a zombie): SIGKILL takes a moment to land.
    common::eventually(
        &format!("the killed runtime (pid {pid}) is dead"),
        Duration::from_secs(10),
        || async {
            std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .map_or(true, |s| s.rsplit(')').next().unwrap().trim_start().starts_with('Z'))
        },
    )
    .await;
    let b = fx.invoke(&spec, "{}").await;
    assert_eq!(response(&b), serde_json::json!(2));
    assert_ne!(a.environment_id, b.environment_id);
}

fn spec_in(fx: &Fixture) -> FunctionSpec {
    fx.spec(
        "python3.12",
        "app.handler",
        &files(&py("def handler(e, c):\n    return 1\n")),
    )
}

async fn node_cases(clients: Clients) {
    let fx = fixture(clients);
    let cjs = "exports.handler = async (event, context) => {\n  console.log('cjs', context.awsRequestId);\n  return { event, fn: context.functionName, left: context.getRemainingTimeInMillis() > 0, trace: process.env._X_AMZN_TRACE_ID.startsWith('Root=1-') };\n};\n";
    let spec = fx.spec("nodejs20.x", "index.handler", &[("index.js", cjs, 0o644)]);
    let r = fx.invoke(&spec, r#"{"a":1}"#).await;
    assert_eq!(
        response(&r),
        serde_json::json!({"event": {"a": 1}, "fn": "f", "left": true, "trace": true})
    );
    check_log_frame(&r);
    assert!(
        r.log_lines
            .iter()
            .any(|l| l.contains("cjs") && l.contains(&r.request_id)),
        "{:#?}",
        r.log_lines
    );

    let esm = "export const handler = async (event) => ({ esm: event });\n";
    let spec = fx.spec("nodejs20.x", "app.handler", &[("app.mjs", esm, 0o644)]);
    assert_eq!(response(&fx.invoke(&spec, "5").await), serde_json::json!({"esm": 5}));

    let typed = "export function handler(event, context, callback) { callback(null, { typed: event }); }\n";
    let spec = fx.spec(
        "nodejs20.x",
        "src/app.handler",
        &[
            ("package.json", r#"{"type":"module"}"#, 0o644),
            ("src/app.js", typed, 0o644),
        ],
    );
    assert_eq!(response(&fx.invoke(&spec, "6").await), serde_json::json!({"typed": 6}));

    let failing = "exports.handler = async () => { throw new TypeError('bad thing'); };\n";
    let spec = fx.spec("nodejs20.x", "index.handler", &[("index.js", failing, 0o644)]);
    let r = fx.invoke(&spec, "{}").await;
    let p = payload(&r);
    assert_eq!(p["errorType"], "TypeError");
    assert_eq!(p["errorMessage"], "bad thing");
    assert_eq!(p["trace"][0], "TypeError: bad thing");

    let spec = fx.spec(
        "nodejs20.x",
        "index.nothere",
        &[("index.js", "exports.handler = async () => 1;\n", 0o644)],
    );
    let p = payload(&fx.invoke(&spec, "{}").await);
    assert_eq!(p["errorType"], "Runtime.HandlerNotFound");
    assert_eq!(p["errorMessage"], "index.nothere is undefined or not exported");

    let spec = fx.spec(
        "nodejs20.x",
        "missing.handler",
        &[("index.js", "exports.handler = async () => 1;\n", 0o644)],
    );
    let p = payload(&fx.invoke(&spec, "{}").await);
    assert_eq!(p["errorType"], "Runtime.ImportModuleError");
    assert!(
        p["errorMessage"]
            .as_str()
            .unwrap()
            .starts_with("Error: Cannot find module 'missing'"),
        "{p}"
    );
}

#[tokio::test]
async fn node_our_client() {
    common::require_tool("node");
    node_cases(Clients::Ours).await;
}

#[tokio::test]
async fn node_official_client_when_vendored() {
    common::require_node_ric();
    node_cases(Clients::Official).await;
}

#[tokio::test]
async fn provided_al2023_shell_bootstrap() {
    common::require_tool("curl"); // for the shell bootstrap
    let fx = fixture(Clients::Ours);
    let bootstrap = r#"#!/bin/sh
set -eu
API="http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime"
echo "init $_HANDLER"
while true; do
  HEADERS="$(mktemp)"
  EVENT="$(curl -sS -D "$HEADERS" "$API/invocation/next")"
  ID="$(grep -i '^Lambda-Runtime-Aws-Request-Id:' "$HEADERS" | tr -d '\r' | cut -d' ' -f2)"
  echo "handling $ID"
  curl -sS -o /dev/null -X POST -d "{\"got\":$EVENT,\"handler\":\"$_HANDLER\"}" "$API/invocation/$ID/response"
done
"#;
    let spec = fx.spec("provided.al2023", "my.handler", &[("bootstrap", bootstrap, 0o755)]);
    let r = fx.invoke(&spec, r#"{"x":1}"#).await;
    assert_eq!(
        response(&r),
        serde_json::json!({"got": {"x": 1}, "handler": "my.handler"})
    );
    assert!(
        r.log_lines.contains(&"init my.handler".to_owned()),
        "{:#?}",
        r.log_lines
    );
    assert!(r.log_lines.contains(&format!("handling {}", r.request_id)));
    check_log_frame(&r);

    // No bootstrap: Runtime.InvalidEntrypoint.
    let spec = fx.spec("provided.al2023", "x", &[("other", "", 0o644)]);
    let r = fx.invoke(&spec, "{}").await;
    let p = payload(&r);
    assert_eq!(p["errorType"], "Runtime.InvalidEntrypoint");
    assert_eq!(
        p["errorMessage"],
        format!(
            "RequestId: {} Error: Couldn't find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]",
            r.request_id
        )
    );
}

/// An invocation asked for straight after the previous one's caller got its answer — while that
/// one's log is still being gathered — waits for its environment instead of starting another
/// (on the one-thread runtime the answer's receiver runs before the pool finishes, every time).
#[tokio::test(flavor = "current_thread")]
async fn an_invoke_right_after_an_early_answer_reuses_the_environment() {
    let fx = fixture(Clients::Ours);
    let code =
        py("import os\n\ndef handler(event, context):\n    print('handled', event['n'])\n    return os.getpid()\n");
    let spec = fx.spec("python3.12", "app.handler", &files(&code));
    let first = fx.invoke(&spec, r#"{"n": 0}"#).await;
    assert!(first.init_duration.is_some());
    let pid = response(&first);
    for n in 1..=3 {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let inv = Invocation::new(
            uuid::Uuid::new_v4().to_string(),
            format!(r#"{{"n": {n}}}"#),
            ARN,
            spec.timeout,
        );
        let pool = fx.pool.clone();
        let (spec2, request_id) = (spec.clone(), inv.request_id.clone());
        let finishing = tokio::spawn(async move { pool.invoke_answering(&spec2, inv, Some(tx)).await });
        let answer = rx.await.expect("an early answer");
        assert_eq!(answer.request_id, request_id);
        assert!(
            matches!(&answer.outcome, InvocationOutcome::Response(b) if serde_json::from_slice::<serde_json::Value>(b).unwrap() == pid)
        );
        // At once: the pool task has not released the environment yet.
        let next = fx.invoke(&spec, r#"{"n": 100}"#).await;
        assert!(
            next.init_duration.is_none(),
            "a second environment started: {:#?}",
            next.log_lines
        );
        assert_eq!(response(&next), pid);
        let done = finishing.await.unwrap();
        assert!(
            done.log_lines.contains(&format!("handled {n}")),
            "{:#?}",
            done.log_lines
        );
        assert!(
            !done.log_lines.iter().any(|l| l.contains("handled 100")),
            "{:#?}",
            done.log_lines
        );
        assert!(done
            .log_lines
            .last()
            .unwrap()
            .starts_with(&format!("REPORT RequestId: {request_id}\t")));
    }
    assert_eq!(
        fx.pool.counts("f", "$LATEST"),
        fauxlambda::execution::PoolCounts { idle: 1, busy: 0 }
    );
}
