//! The function suite: real Python and Node.js functions (and a Rust `provided.al2023` one) run
//! through `aws-sdk-lambda` against the real binary, each case once with the official runtime
//! clients (awslambdaric from `.venv`, the vendored aws-lambda-ric) and once with ours
//! (`--own-runtime-clients`): results, errors, timeouts, crashes, limits, the environment,
//! layers, scaling and warm reuse, alias routing, log tails, throttling, async and code updates.

mod common;

use aws_sdk_lambda::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_lambda::operation::invoke::{InvokeError, InvokeOutput};
use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{
    AliasRoutingConfiguration, Environment, FunctionCode, InvocationType, LayerVersionContentInput, LogType, Runtime,
    ThrottleReason,
};
use aws_sdk_lambda::Client;
use base64::Engine;
use common::{eventually, require_node_ric, require_tool, require_venv_python, venv_python, wait_active, Server, ROLE};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::future::Future;
use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};

#[derive(Clone, Copy, PartialEq, Debug)]
enum Clients {
    /// awslambdaric in `.venv`, aws-lambda-ric from tests/js/node_modules.
    Official,
    /// fauxlambda's embedded clients.
    Ours,
    /// The Docker executor: the official clients inside the local test images (scripts/test-images).
    Docker,
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Lang {
    Python,
    Node,
}

/// One server with one choice of runtime clients.
struct Suite {
    server: Server,
    c: Client,
    clients: Clients,
    /// The languages this suite runs.
    langs: Vec<Lang>,
}

impl Suite {
    /// Fails the test, naming what is missing, without `node`, the official clients
    /// (scripts/test-deps) or, for `Clients::Docker`, an engine and the test images.
    fn start(clients: Clients) -> Suite {
        if clients == Clients::Docker {
            let args = common::docker_args();
            let refs: Vec<&str> = args.iter().map(String::as_str).collect();
            let server = Server::start(&refs);
            let c = server.client();
            return Suite {
                server,
                c,
                clients,
                langs: vec![Lang::Python, Lang::Node],
            };
        }
        require_tool("node");
        let python = match clients {
            Clients::Official => Some(require_venv_python()),
            _ => venv_python(),
        };
        let mut args: Vec<String> = Vec::new();
        if let Some(p) = &python {
            args.extend(["--runtime-command".into(), format!("python={}", p.display())]);
        }
        if clients == Clients::Official {
            args.extend(["--node-ric".into(), require_node_ric().display().to_string()]);
        }
        if clients == Clients::Ours {
            args.push("--own-runtime-clients".into());
        }
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let server = Server::start(&refs);
        let c = server.client();
        Suite {
            server,
            c,
            clients,
            langs: vec![Lang::Python, Lang::Node],
        }
    }

    /// Creates a function of `lang` from `code` (its `app.py` / `index.js`), handler `<module>.handler`
    /// unless `handler` says otherwise, and waits until it is Active.
    async fn create(&self, name: &str, lang: Lang, code: &str, setup: impl FnOnce(CreateFn) -> CreateFn) {
        let (runtime, file) = match lang {
            Lang::Python => (Runtime::Python312, "app.py"),
            Lang::Node => (Runtime::Nodejs20x, "index.js"),
        };
        let handler = format!("{}.handler", file.split('.').next().unwrap());
        let b = self
            .c
            .create_function()
            .function_name(name)
            .runtime(runtime)
            .role(ROLE)
            .handler(handler)
            .timeout(5)
            .code(
                FunctionCode::builder()
                    .zip_file(Blob::new(zip(&[(file, code.as_bytes(), 0o644)])))
                    .build(),
            );
        setup(b).send().await.unwrap_or_else(|e| panic!("create {name}: {e:?}"));
        wait_active(&self.c, name).await;
    }

    /// GET `/_fauxlambda/<path>` as JSON.
    async fn introspect(&self, path: &str) -> Value {
        serde_json::from_slice(&common::http_get(&format!("{}/_fauxlambda/{path}", self.server.endpoint)).await)
            .unwrap()
    }

    /// A synchronous invoke with `LogType=Tail`.
    async fn invoke(&self, name: &str, payload: &str) -> Invoked {
        let out = self
            .c
            .invoke()
            .function_name(name)
            .payload(Blob::new(payload))
            .log_type(LogType::Tail)
            .send()
            .await;
        let out = out.unwrap_or_else(|e| panic!("invoke {name}: {e:?}"));
        Invoked::new(out)
    }
}

type CreateFn = aws_sdk_lambda::operation::create_function::builders::CreateFunctionFluentBuilder;

/// An Invoke's answer with its decoded log tail.
struct Invoked {
    out: InvokeOutput,
    log: String,
    request_id: String,
}

impl Invoked {
    fn new(out: InvokeOutput) -> Invoked {
        let log = out
            .log_result()
            .map(|l| String::from_utf8(base64::engine::general_purpose::STANDARD.decode(l).unwrap()).unwrap())
            .unwrap_or_default();
        let request_id = log
            .lines()
            .find_map(|l| l.strip_prefix("REPORT RequestId: "))
            .map(|r| r.split('\t').next().unwrap().to_owned())
            .unwrap_or_else(|| panic!("no REPORT line in the log tail: {log}"));
        Invoked { out, log, request_id }
    }

    fn json(&self) -> Value {
        let p = self.out.payload().expect("payload").as_ref();
        serde_json::from_slice(p).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(p)))
    }

    fn text(&self) -> String {
        String::from_utf8(self.out.payload().expect("payload").as_ref().to_vec()).unwrap()
    }

    fn cold(&self) -> bool {
        self.log.lines().last().unwrap_or("").contains("\tInit Duration: ")
    }

    /// The lines between START and END.
    fn function_lines(&self) -> Vec<&str> {
        let lines: Vec<&str> = self.log.lines().collect();
        let start = lines
            .iter()
            .position(|l| l.starts_with(&format!("START RequestId: {} Version: ", self.request_id)))
            .expect("START");
        let end = lines
            .iter()
            .position(|l| *l == format!("END RequestId: {}", self.request_id))
            .expect("END");
        lines[start + 1..end].to_vec()
    }
}

/// A zip of `(path, bytes, unix mode)`.
fn zip(files: &[(&str, &[u8], u32)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes, mode) in files {
        w.start_file(*name, zip::write::SimpleFileOptions::default().unix_permissions(*mode))
            .unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap().into_inner()
}

async fn run<F, Fut>(clients: Clients, name: &str, case: F)
where
    F: FnOnce(Suite) -> Fut,
    Fut: Future<Output = ()>,
{
    let s = Suite::start(clients);
    let t = Instant::now();
    tokio::time::timeout(Duration::from_secs(60), case(s))
        .await
        .expect("case took over 60 s");
    eprintln!("{name} ({clients:?} clients): {:?}", t.elapsed());
}

/// Each case three times: `official::<case>` and `ours::<case>` (process executor), `docker::<case>`.
macro_rules! cases {
    ($($case:ident),* $(,)?) => {
        mod official {
            $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)] async fn $case() { super::run(super::Clients::Official, stringify!($case), super::$case).await } )*
        }
        mod ours {
            $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)] async fn $case() { super::run(super::Clients::Ours, stringify!($case), super::$case).await } )*
        }
        mod docker {
            $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)] async fn $case() { super::run(super::Clients::Docker, stringify!($case), super::$case).await } )*
        }
    };
}

cases!(
    echo_and_warm_reuse,
    handler_error,
    init_error,
    missing_handler,
    timeout,
    runtime_crash,
    payload_limits,
    environment_variables,
    layer_module,
    eight_parallel_environments,
    alias_weights,
    log_tail,
    reserved_concurrency,
    client_context,
    event_invocation_runs,
    update_code_retires_warm,
    external_extension,
    untailed_invokes,
);

const PY_ECHO: &str = "import os, uuid\nID = uuid.uuid4().hex\n\ndef handler(event, context):\n    print('echo', context.aws_request_id)\n    return {'event': event, 'fn': context.function_name, 'arn': context.invoked_function_arn, 'rid': context.aws_request_id, 'id': ID}\n";
const JS_ECHO: &str = "const ID = require('crypto').randomUUID();\nexports.handler = async (event, context) => {\n  console.log('echo', context.awsRequestId);\n  return { event, fn: context.functionName, arn: context.invokedFunctionArn, rid: context.awsRequestId, id: ID };\n};\n";

fn name(lang: Lang, base: &str) -> String {
    format!("{base}-{}", if lang == Lang::Python { "py" } else { "js" })
}

async fn echo_and_warm_reuse(s: Suite) {
    for &lang in &s.langs {
        let f = name(lang, "echo");
        s.create(&f, lang, if lang == Lang::Python { PY_ECHO } else { JS_ECHO }, |b| b)
            .await;
        let first = s.invoke(&f, r#"{"a":[1,"two",{"three":3}]}"#).await;
        assert_eq!(first.out.status_code(), 200);
        assert_eq!(first.out.function_error(), None, "{}", first.text());
        assert_eq!(first.out.executed_version(), Some("$LATEST"));
        let body = first.json();
        assert_eq!(body["event"], json!({"a": [1, "two", {"three": 3}]}));
        assert_eq!(body["fn"], f.as_str());
        assert_eq!(
            body["arn"],
            format!("arn:aws:lambda:us-east-1:000000000000:function:{f}")
        );
        assert_eq!(body["rid"], first.request_id.as_str());
        assert!(first.cold(), "{}", first.log);
        let own = format!("echo {}", first.request_id);
        assert!(
            first.function_lines().iter().any(|l| l.ends_with(&own)),
            "{lang:?} {:?}: {}",
            s.clients,
            first.log
        );
        // A second invoke reuses the warm environment.
        let second = s.invoke(&f, "{}").await;
        assert_eq!(second.json()["id"], body["id"]);
        assert!(!second.cold(), "warm invoke reported an Init Duration: {}", second.log);
        assert_eq!(second.json()["event"], json!({}));
    }
}

async fn handler_error(s: Suite) {
    for &lang in &s.langs {
        let f = name(lang, "fail");
        let code = match lang {
            Lang::Python => "def fail():\n    raise ValueError('boom')\n\ndef handler(event, context):\n    fail()\n",
            Lang::Node => "exports.handler = async () => { throw new TypeError('bad thing'); };\n",
        };
        s.create(&f, lang, code, |b| b).await;
        let r = s.invoke(&f, "{}").await;
        assert_eq!(r.out.status_code(), 200);
        assert_eq!(r.out.function_error(), Some("Unhandled"));
        let p = r.json();
        match lang {
            Lang::Python => {
                assert_eq!(p["errorType"], "ValueError", "{p}");
                assert_eq!(p["errorMessage"], "boom");
                assert_eq!(p["requestId"], r.request_id.as_str());
                let trace = p["stackTrace"].as_array().unwrap_or_else(|| panic!("{p}"));
                assert!(
                    trace.len() >= 2 && trace.iter().all(|t| t.as_str().unwrap().contains("app.py")),
                    "{p}"
                );
                assert!(
                    r.function_lines()
                        .iter()
                        .any(|l| l.starts_with("[ERROR] ValueError: boom")),
                    "{}",
                    r.log
                );
            }
            Lang::Node => {
                assert_eq!(p["errorType"], "TypeError", "{p}");
                assert_eq!(p["errorMessage"], "bad thing");
                assert_eq!(p["trace"][0], "TypeError: bad thing", "{p}");
                assert!(p["trace"][1].as_str().unwrap_or("").contains("index.js"), "{p}");
            }
        }
    }
}

async fn init_error(s: Suite) {
    for &lang in &s.langs {
        let f = name(lang, "initfail");
        let code = match lang {
            Lang::Python => "raise RuntimeError('init boom')\n\ndef handler(event, context):\n    return 1\n",
            Lang::Node => "throw new RangeError('init boom');\nexports.handler = async () => 1;\n",
        };
        s.create(&f, lang, code, |b| b).await;
        for _ in 0..2 {
            let r = s.invoke(&f, "{}").await;
            assert_eq!(r.out.function_error(), Some("Unhandled"));
            let p = r.json();
            assert_eq!(p["errorMessage"], "init boom", "{p}");
            match lang {
                Lang::Python => {
                    assert_eq!(p["errorType"], "RuntimeError", "{p}");
                    assert_eq!(p["requestId"], "", "{p}");
                    assert!(
                        p["stackTrace"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .any(|t| t.as_str().unwrap().contains("app.py")),
                        "{p}"
                    );
                }
                Lang::Node => {
                    assert_eq!(p["errorType"], "RangeError", "{p}");
                    assert_eq!(p["trace"][0], "RangeError: init boom", "{p}");
                }
            }
        }
        let f = name(lang, "importfail");
        let code = match lang {
            Lang::Python => "import not_a_module_xyz\n\ndef handler(event, context):\n    return 1\n",
            Lang::Node => "require('not-a-module-xyz');\nexports.handler = async () => 1;\n",
        };
        s.create(&f, lang, code, |b| b).await;
        let r = s.invoke(&f, "{}").await;
        assert_eq!(r.out.function_error(), Some("Unhandled"));
        let p = r.json();
        assert_eq!(p["errorType"], "Runtime.ImportModuleError", "{p}");
        match lang {
            Lang::Python => {
                assert_eq!(
                    p["errorMessage"],
                    "Unable to import module 'app': No module named 'not_a_module_xyz'"
                );
                assert_eq!(p["stackTrace"], json!([]));
            }
            Lang::Node => {
                assert!(
                    p["errorMessage"]
                        .as_str()
                        .unwrap()
                        .starts_with("Error: Cannot find module 'not-a-module-xyz'"),
                    "{p}"
                )
            }
        }
    }
}

async fn missing_handler(s: Suite) {
    for &lang in &s.langs {
        let f = name(lang, "nohandler");
        let code = match lang {
            Lang::Python => "def other(event, context):\n    return 1\n",
            Lang::Node => "exports.other = async () => 1;\n",
        };
        s.create(&f, lang, code, |b| b).await;
        let r = s.invoke(&f, "{}").await;
        assert_eq!(r.out.function_error(), Some("Unhandled"));
        let p = r.json();
        assert_eq!(p["errorType"], "Runtime.HandlerNotFound", "{p}");
        let expected = match lang {
            Lang::Python => "Handler 'handler' missing on module 'app'",
            Lang::Node => "index.handler is undefined or not exported",
        };
        assert_eq!(p["errorMessage"], expected);
    }
}

async fn timeout(s: Suite) {
    for &lang in &s.langs {
        let f = name(lang, "slow");
        // The handler sleeps past its 1 s timeout: the timeout is the subject.
        let code = match lang {
            Lang::Python => "import time\n\ndef handler(event, context):\n    print('sleeping')\n    time.sleep(event['sleep'])\n    return 'late'\n",
            Lang::Node => "exports.handler = async (event) => { console.log('sleeping'); await new Promise((r) => setTimeout(r, event.sleep * 1000)); return 'late'; };\n",
        };
        s.create(&f, lang, code, |b| b.timeout(1)).await;
        let r = s.invoke(&f, r#"{"sleep":3}"#).await;
        assert_eq!(r.out.function_error(), Some("Unhandled"));
        assert_eq!(
            r.text(),
            format!(
                r#"{{"errorType":"Sandbox.Timedout","errorMessage":"RequestId: {} Error: Task timed out after 1.00 seconds"}}"#,
                r.request_id
            )
        );
        let report = r.log.lines().last().unwrap();
        assert!(
            report.contains("\tDuration: 1000.00 ms\t") && report.ends_with("Status: timeout"),
            "{report}"
        );
        assert!(r.function_lines().iter().any(|l| l.ends_with("sleeping")), "{}", r.log);
        // The environment was reset: the next invoke starts a new one.
        let next = s.invoke(&f, r#"{"sleep":0}"#).await;
        assert_eq!(next.json(), json!("late"));
        assert!(next.cold(), "{}", next.log);
    }
}

async fn runtime_crash(s: Suite) {
    for &lang in &s.langs {
        let f = name(lang, "crash");
        let code = match lang {
            Lang::Python => "import os, uuid\nID = uuid.uuid4().hex\n\ndef handler(event, context):\n    if event.get('crash'):\n        os._exit(3)\n    return ID\n",
            Lang::Node => "const ID = require('crypto').randomUUID();\nexports.handler = async (event) => { if (event.crash) process.exit(3); return ID; };\n",
        };
        s.create(&f, lang, code, |b| b).await;
        let before = s.invoke(&f, "{}").await.json();
        let r = s.invoke(&f, r#"{"crash":true}"#).await;
        assert_eq!(r.out.function_error(), Some("Unhandled"));
        assert_eq!(
            r.text(),
            format!(
                r#"{{"errorType":"Runtime.ExitError","errorMessage":"RequestId: {} Error: Runtime exited with error: exit status 3"}}"#,
                r.request_id
            )
        );
        // The next invoke gets a new environment.
        let after = s.invoke(&f, "{}").await;
        assert!(after.cold(), "{}", after.log);
        assert_ne!(after.json(), before);
    }
}

async fn payload_limits(s: Suite) {
    let code = "def handler(event, context):\n    return 'x' * event['n']\n";
    s.create("big-py", Lang::Python, code, |b| b).await;
    let big = format!("\"{}\"", "x".repeat(6 * 1024 * 1024));
    let e =
        s.c.invoke()
            .function_name("big-py")
            .payload(Blob::new(big))
            .send()
            .await
            .unwrap_err();
    assert_eq!(e.raw_response().map(|r| r.status().as_u16()), Some(413));
    assert_eq!(e.code(), Some("RequestEntityTooLargeException"));
    assert_eq!(
        e.message(),
        Some("Request must be smaller than 6291456 bytes for the InvokeFunction operation")
    );
    let big = format!("\"{}\"", "x".repeat(1024 * 1024));
    let e =
        s.c.invoke()
            .function_name("big-py")
            .invocation_type(InvocationType::Event)
            .payload(Blob::new(big))
            .send()
            .await
            .unwrap_err();
    assert_eq!(e.code(), Some("RequestEntityTooLargeException"));
    assert_eq!(
        e.message(),
        Some("1048578 byte payload is too large for the Event invocation type (limit 1048576 bytes)")
    );

    for &lang in &s.langs {
        let f = name(lang, "big");
        if lang == Lang::Node {
            s.create(
                &f,
                lang,
                "exports.handler = async (event) => 'x'.repeat(event.n);\n",
                |b| b,
            )
            .await;
        }
        let r = s.invoke(&f, &format!(r#"{{"n":{}}}"#, 7 * 1024 * 1024)).await;
        assert_eq!(r.out.status_code(), 200);
        assert_eq!(r.out.function_error(), Some("Unhandled"));
        assert_eq!(
            r.text(),
            r#"{"errorMessage":"Response payload size exceeded maximum allowed payload size (6291556 bytes).","errorType":"Function.ResponseSizeTooLarge"}"#,
            "{lang:?}"
        );
        // The function still answers afterwards, also with a response just under the limit.
        let r = s.invoke(&f, r#"{"n":3}"#).await;
        assert_eq!(r.json(), json!("xxx"), "{lang:?}");
        let r = s.invoke(&f, &format!(r#"{{"n":{}}}"#, 6 * 1024 * 1024)).await;
        assert_eq!(r.out.function_error(), None);
        assert_eq!(r.out.payload().unwrap().as_ref().len(), 6 * 1024 * 1024 + 2);
    }
}

async fn environment_variables(s: Suite) {
    for &lang in &s.langs {
        let f = name(lang, "env");
        // The function reads its own configuration back from AWS_ENDPOINT_URL.
        let code = match lang {
            Lang::Python => "import os, json, urllib.request\n\ndef handler(event, context):\n    url = os.environ['AWS_ENDPOINT_URL'] + '/2015-03-31/functions/' + context.function_name\n    with urllib.request.urlopen(url) as r:\n        me = json.load(r)\n    return {'env': dict(os.environ), 'me': me['Configuration']['FunctionName']}\n",
            Lang::Node => "exports.handler = async (event, context) => {\n  const r = await fetch(process.env.AWS_ENDPOINT_URL + '/2015-03-31/functions/' + context.functionName);\n  const me = await r.json();\n  return { env: process.env, me: me.Configuration.FunctionName };\n};\n",
        };
        s.create(&f, lang, code, |b| {
            b.environment(
                Environment::builder()
                    .variables("MY_VAR", "mine")
                    .variables("OTHER", "a=b c")
                    .build(),
            )
        })
        .await;
        let r = s.invoke(&f, "{}").await;
        let body = r.json();
        assert_eq!(body["me"], f.as_str(), "{body}");
        let env = &body["env"];
        assert_eq!(env["AWS_LAMBDA_FUNCTION_NAME"], f.as_str());
        assert_eq!(env["AWS_REGION"], "us-east-1");
        assert_eq!(env["AWS_DEFAULT_REGION"], "us-east-1");
        let handler = if lang == Lang::Python {
            "app.handler"
        } else {
            "index.handler"
        };
        assert_eq!(env["_HANDLER"], handler);
        assert_eq!(env["AWS_LAMBDA_FUNCTION_VERSION"], "$LATEST");
        assert_eq!(env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"], "128");
        assert_eq!(env["AWS_LAMBDA_LOG_GROUP_NAME"], format!("/aws/lambda/{f}"));
        assert!(
            env["AWS_LAMBDA_LOG_STREAM_NAME"]
                .as_str()
                .unwrap()
                .contains("/[$LATEST]"),
            "{env}"
        );
        let exec_env = if lang == Lang::Python {
            "AWS_Lambda_python3.12"
        } else {
            "AWS_Lambda_nodejs20.x"
        };
        assert_eq!(env["AWS_EXECUTION_ENV"], exec_env);
        assert_eq!(env["MY_VAR"], "mine");
        assert_eq!(env["OTHER"], "a=b c");
        assert_eq!(env["AWS_ENDPOINT_URL"], s.server.endpoint.as_str());
        assert!(
            env.get("AWS_LAMBDA_MAX_CONCURRENCY").is_none() && env.get("CARGO_MANIFEST_DIR").is_none(),
            "{env}"
        );
    }
}

async fn layer_module(s: Suite) {
    let layer =
        s.c.publish_layer_version()
            .layer_name("shared")
            .compatible_runtimes(Runtime::Python312)
            .content(
                LayerVersionContentInput::builder()
                    .zip_file(Blob::new(zip(&[(
                        "python/mod.py",
                        b"VALUE = 'from the layer'\n",
                        0o644,
                    )])))
                    .build(),
            )
            .send()
            .await
            .unwrap();
    let arn = layer.layer_version_arn().unwrap().to_owned();
    assert!(arn.ends_with(":layer:shared:1"), "{arn}");
    let code = "import mod\n\ndef handler(event, context):\n    return {'value': mod.VALUE, 'file': mod.__file__}\n";
    s.create("uses-layer", Lang::Python, code, |b| b.layers(&arn)).await;
    let r = s.invoke("uses-layer", "{}").await;
    assert_eq!(r.json()["value"], "from the layer", "{}", r.text());
    assert!(r.json()["file"].as_str().unwrap().ends_with("/python/mod.py"));
}

async fn eight_parallel_environments(s: Suite) {
    // Long enough that every call is in flight before the first environment is free again, also
    // when the whole suite's cold starts share two cores (3 s once was not: one call found a
    // warm environment).
    let code = "import os, time, uuid\nID = uuid.uuid4().hex\n\ndef handler(event, context):\n    time.sleep(6)\n    return {'id': ID, 'pid': os.getpid()}\n";
    s.create("wide", Lang::Python, code, |b| b.timeout(15)).await;
    let t = Instant::now();
    let calls: Vec<_> = (0..8)
        .map(|_| {
            let c = s.c.clone();
            tokio::spawn(async move {
                Invoked::new(
                    c.invoke()
                        .function_name("wide")
                        .log_type(LogType::Tail)
                        .send()
                        .await
                        .unwrap(),
                )
            })
        })
        .collect();
    let mut ids = BTreeSet::new();
    let mut pids = BTreeSet::new();
    for call in calls {
        let r = call.await.unwrap();
        assert!(r.cold());
        ids.insert(r.json()["id"].as_str().unwrap().to_owned());
        pids.insert(r.json()["pid"].as_u64().unwrap());
    }
    eprintln!("8 parallel cold invokes: {:?}", t.elapsed());
    assert_eq!(ids.len(), 8);
    // Every container's runtime is its pid 1, every bubblewrap sandbox's its pid 2.
    assert_eq!(pids.len(), if namespaced_pids(s.clients) { 1 } else { 8 });
    let warm = s.invoke("wide", "{}").await;
    assert!(!warm.cold(), "{}", warm.log);
    assert!(ids.contains(warm.json()["id"].as_str().unwrap()));
}

/// Without a log tail the caller is answered before the invocation's log is gathered: rapid
/// sequential invokes still share one warm environment, every record holds its own complete log,
/// and a function error is still reported.
async fn untailed_invokes(s: Suite) {
    for lang in s.langs.clone() {
        let f = name(lang, "untailed");
        let code = match lang {
            Lang::Python => "def handler(event, context):\n    print('line', event['n'])\n    if event.get('fail'):\n        raise ValueError('boom')\n    return event['n']\n",
            Lang::Node => "exports.handler = async (event) => {\n  console.log('line', event.n);\n  if (event.fail) throw new Error('boom');\n  return event.n;\n};\n",
        };
        s.create(&f, lang, code, |b| b).await;
        const RUNS: usize = 30;
        for n in 0..RUNS {
            let out =
                s.c.invoke()
                    .function_name(&f)
                    .payload(Blob::new(json!({ "n": n }).to_string()))
                    .send()
                    .await
                    .unwrap();
            assert_eq!(out.function_error(), None);
            assert_eq!(out.payload().unwrap().as_ref(), n.to_string().as_bytes());
            assert_eq!(out.executed_version(), Some("$LATEST"));
            assert!(out.log_result().is_none());
        }
        let out =
            s.c.invoke()
                .function_name(&f)
                .payload(Blob::new(r#"{"n": 99, "fail": true}"#))
                .send()
                .await
                .unwrap();
        assert_eq!(out.function_error(), Some("Unhandled"));
        let error: Value = serde_json::from_slice(out.payload().unwrap().as_ref()).unwrap();
        assert_eq!(error["errorMessage"], "boom", "{error}");

        let envs = s.introspect(&format!("environments?function={f}")).await;
        assert_eq!(envs["environments"].as_array().unwrap().len(), 1, "{envs}");
        let records = s.introspect(&format!("invocations?function={f}&limit=100")).await;
        let records = records["invocations"].as_array().unwrap();
        assert_eq!(records.len(), RUNS + 1);
        for r in records {
            let (id, log) = (r["requestId"].as_str().unwrap(), r["log"].as_str().unwrap());
            let lines: Vec<&str> = log.lines().collect();
            assert!(
                lines[lines.len() - 1].starts_with(&format!("REPORT RequestId: {id}\t")),
                "{log}"
            );
            assert_eq!(lines[lines.len() - 2], format!("END RequestId: {id}"), "{log}");
            let starts: Vec<&&str> = lines.iter().filter(|l| l.starts_with("START ")).collect();
            assert_eq!(
                starts,
                [&format!("START RequestId: {id} Version: $LATEST").as_str()],
                "{log}"
            );
            // The function's own line (Node's runtime clients prefix it with time, id and level).
            assert_eq!(
                lines
                    .iter()
                    .filter(|l| l.starts_with("line ") || l.contains("\tINFO\tline "))
                    .count(),
                1,
                "{log}"
            );
        }
    }
}

async fn alias_weights(s: Suite) {
    let code = "import os\n\ndef handler(event, context):\n    return os.environ['AWS_LAMBDA_FUNCTION_VERSION']\n";
    s.create("weighted", Lang::Python, code, |b| b).await;
    let v1 = s.c.publish_version().function_name("weighted").send().await.unwrap();
    assert_eq!(v1.version(), Some("1"));
    let new_code = format!("{code}# two\n");
    s.c.update_function_code()
        .function_name("weighted")
        .zip_file(Blob::new(zip(&[("app.py", new_code.as_bytes(), 0o644)])))
        .send()
        .await
        .unwrap();
    wait_active(&s.c, "weighted").await;
    let v2 = s.c.publish_version().function_name("weighted").send().await.unwrap();
    assert_eq!(v2.version(), Some("2"));
    s.c.create_alias()
        .function_name("weighted")
        .name("live")
        .function_version("1")
        .routing_config(
            AliasRoutingConfiguration::builder()
                .additional_version_weights("2", 0.5)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let (mut one, mut two) = (0, 0);
    let t = Instant::now();
    for _ in 0..200 {
        let r =
            s.c.invoke()
                .function_name("weighted")
                .qualifier("live")
                .send()
                .await
                .unwrap();
        let ran: String = serde_json::from_slice(r.payload().unwrap().as_ref()).unwrap();
        assert_eq!(r.executed_version(), Some(ran.as_str()));
        match ran.as_str() {
            "1" => one += 1,
            "2" => two += 1,
            other => panic!("version {other}"),
        }
    }
    eprintln!("200 weighted invokes: {:?} ({one} × v1, {two} × v2)", t.elapsed());
    // Binomial(200, 0.5): mean 100, sd ≈ 7.1; the band is ±5.6 sd.
    assert!((60..=140).contains(&one) && one + two == 200, "{one} / {two}");
}

async fn log_tail(s: Suite) {
    for &lang in &s.langs {
        let f = name(lang, "chatty");
        let code = match lang {
            Lang::Python => "def handler(event, context):\n    for i in range(10):\n        print(str(i) * 1023)\n    print('last line')\n    return 1\n",
            Lang::Node => "exports.handler = async () => { for (let i = 0; i < 10; i++) console.log(String(i).repeat(1023)); console.log('last line'); return 1; };\n",
        };
        s.create(&f, lang, code, |b| b).await;
        for _ in 0..2 {
            let r = s.invoke(&f, "{}").await;
            assert!(r.log.len() <= 4096, "{}", r.log.len());
            assert!(r.log.len() > 3000, "{}", r.log.len());
            let lines: Vec<&str> = r.log.lines().collect();
            let n = lines.len();
            assert!(r.log.ends_with('\n'));
            assert!(
                lines[n - 1].starts_with(&format!("REPORT RequestId: {}\tDuration: ", r.request_id)),
                "{}",
                r.log
            );
            assert_eq!(lines[n - 2], format!("END RequestId: {}", r.request_id));
            assert!(lines[n - 3].ends_with("last line"), "{}", r.log);
            assert!(lines[n - 4].ends_with(&"9".repeat(1023)), "{}", r.log);
            // The START line is beyond the last 4 KB.
            assert!(!r.log.contains("START RequestId"));
        }
    }
}

fn throttle_check(e: &SdkError<InvokeError, aws_sdk_lambda::config::http::HttpResponse>) {
    assert_eq!(e.raw_response().map(|r| r.status().as_u16()), Some(429), "{e:?}");
    match e.as_service_error() {
        Some(InvokeError::TooManyRequestsException(t)) => {
            assert_eq!(
                t.reason(),
                Some(&ThrottleReason::ReservedFunctionConcurrentInvocationLimitExceeded)
            );
            assert_eq!(t.message(), Some("Rate Exceeded."));
        }
        other => panic!("expected TooManyRequestsException, got {other:?}"),
    }
}

async fn reserved_concurrency(s: Suite) {
    // The SDK retries throttles by default: this client shows them.
    let no_retry = Client::from_conf(
        s.c.config()
            .to_builder()
            .retry_config(aws_sdk_lambda::config::retry::RetryConfig::disabled())
            .build(),
    );
    let s = Suite { c: no_retry, ..s };
    // The handler sleeps to hold the one reserved slot while the second call comes.
    let code = "import time\n\ndef handler(event, context):\n    time.sleep(0.5)\n    return 'done'\n";
    s.create("limited", Lang::Python, code, |b| b).await;
    s.c.put_function_concurrency()
        .function_name("limited")
        .reserved_concurrent_executions(1)
        .send()
        .await
        .unwrap();
    let calls: Vec<_> = (0..2)
        .map(|_| {
            let c = s.c.clone();
            tokio::spawn(async move { c.invoke().function_name("limited").send().await })
        })
        .collect();
    let mut results = Vec::new();
    for call in calls {
        results.push(call.await.unwrap());
    }
    let (ok, throttled): (Vec<_>, Vec<_>) = results.into_iter().partition(Result::is_ok);
    assert_eq!((ok.len(), throttled.len()), (1, 1));
    throttle_check(throttled[0].as_ref().unwrap_err());
    assert_eq!(ok[0].as_ref().unwrap().payload().unwrap().as_ref(), b"\"done\"");
    // When nothing runs, the one slot is free again.
    assert!(s.c.invoke().function_name("limited").send().await.is_ok());

    s.c.put_function_concurrency()
        .function_name("limited")
        .reserved_concurrent_executions(0)
        .send()
        .await
        .unwrap();
    for _ in 0..3 {
        throttle_check(&s.c.invoke().function_name("limited").send().await.unwrap_err());
    }
    // Asynchronous events are accepted (and, with nowhere to send them, dropped).
    let r =
        s.c.invoke()
            .function_name("limited")
            .invocation_type(InvocationType::Event)
            .send()
            .await
            .unwrap();
    assert_eq!(r.status_code(), 202);
}

async fn client_context(s: Suite) {
    for &lang in &s.langs {
        let f = name(lang, "ctx");
        let code = match lang {
            Lang::Python => "def handler(event, context):\n    cc = context.client_context\n    return {'custom': cc.custom, 'env': cc.env, 'app': cc.client.app_title}\n",
            Lang::Node => "exports.handler = async (event, context) => ({ custom: context.clientContext.custom, env: context.clientContext.env, app: context.clientContext.client.app_title });\n",
        };
        s.create(&f, lang, code, |b| b).await;
        let ctx =
            json!({"client": {"app_title": "faux app"}, "custom": {"k": "v", "n": 1}, "env": {"platform": "test"}});
        let encoded = base64::engine::general_purpose::STANDARD.encode(ctx.to_string());
        let r =
            s.c.invoke()
                .function_name(&f)
                .client_context(encoded)
                .send()
                .await
                .unwrap();
        let body: Value = serde_json::from_slice(r.payload().unwrap().as_ref()).unwrap();
        assert_eq!(
            body,
            json!({"custom": {"k": "v", "n": 1}, "env": {"platform": "test"}, "app": "faux app"}),
            "{lang:?}"
        );
    }
}

async fn event_invocation_runs(s: Suite) {
    for &lang in &s.langs {
        let f = name(lang, "writer");
        let code = match lang {
            Lang::Python => "def handler(event, context):\n    print('event run', event['tag'], context.aws_request_id)\n",
            Lang::Node => "exports.handler = async (event, context) => { console.log('event run', event.tag, context.awsRequestId); };\n",
        };
        s.create(&f, lang, code, |b| b).await;
        let tag = format!("tag-{}", uuid_like());
        let r =
            s.c.invoke()
                .function_name(&f)
                .invocation_type(InvocationType::Event)
                .payload(Blob::new(json!({"tag": tag}).to_string()))
                .send()
                .await
                .unwrap();
        assert_eq!(r.status_code(), 202);
        assert!(r.payload().is_none_or(|p| p.as_ref().is_empty()));
        // It ran: the invocation record carries the function's own line.
        eventually(
            &format!("the Event invocation of {f} ran"),
            Duration::from_secs(10),
            || async {
                let list = s.introspect(&format!("invocations?function={f}")).await;
                let done = list["invocations"].as_array().unwrap().iter().any(|i| {
                    i["invocationType"] == "Event"
                        && i["status"] == "success"
                        && i["log"]
                            .as_str()
                            .unwrap()
                            .contains(&format!("event run {tag} {}", i["requestId"].as_str().unwrap()))
                });
                if done {
                    Ok(())
                } else {
                    Err(list)
                }
            },
        )
        .await;
    }
}

fn uuid_like() -> String {
    format!(
        "{:x}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    )
}

async fn update_code_retires_warm(s: Suite) {
    for &lang in &s.langs {
        let f = name(lang, "updated");
        let (file, old, new) = match lang {
            Lang::Python => (
                "app.py",
                "import os\n\ndef handler(event, context):\n    return ['old', os.getpid()]\n",
                "def handler(event, context):\n    return 'new'\n",
            ),
            Lang::Node => (
                "index.js",
                "exports.handler = async () => ['old', process.pid];\n",
                "exports.handler = async () => 'new';\n",
            ),
        };
        s.create(&f, lang, old, |b| b).await;
        let first = s.invoke(&f, "{}").await.json();
        assert_eq!(first[0], "old");
        let old_env = s.introspect(&format!("environments?function={f}")).await["environments"][0].clone();
        let warm = s.invoke(&f, "{}").await;
        assert_eq!(warm.json(), first);
        assert!(!warm.cold());
        s.c.update_function_code()
            .function_name(&f)
            .zip_file(Blob::new(zip(&[(file, new.as_bytes(), 0o644)])))
            .send()
            .await
            .unwrap();
        wait_active(&s.c, &f).await;
        let r = s.invoke(&f, "{}").await;
        assert_eq!(r.json(), json!("new"));
        assert!(r.cold(), "{}", r.log);
        if s.clients == Clients::Docker {
            // The old environment's container is removed.
            let container = old_env["container"].as_str().expect("a container id").to_owned();
            eventually(
                &format!("the retired environment's container {container} is removed"),
                Duration::from_secs(5),
                || async {
                    !std::process::Command::new("docker")
                        .args(["container", "inspect", &container])
                        .output()
                        .unwrap()
                        .status
                        .success()
                },
            )
            .await;
            continue;
        }
        // The old environment's process is stopped (gone, or a zombie about to be reaped): the
        // runtime itself, or in a bubblewrap sandbox (its pids its own) the sandbox's bwrap.
        let pid = old_env["pid"].as_u64().unwrap();
        if !namespaced_pids(s.clients) {
            assert_eq!(first[1].as_u64(), Some(pid), "{old_env}");
        }
        let alive = || {
            std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .is_ok_and(|st| !st.rsplit(')').next().unwrap().trim_start().starts_with(['Z', 'X']))
        };
        eventually(
            &format!("the retired environment (pid {pid}) stops"),
            Duration::from_secs(5),
            || async { !alive() },
        )
        .await;
    }
}

/// Whether functions see pids of their own namespace: in containers, and as local processes in
/// bubblewrap sandboxes (fauxlambda uses bwrap when it is on PATH).
fn namespaced_pids(clients: Clients) -> bool {
    clients == Clients::Docker
        || std::process::Command::new("bwrap")
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
}

/// An external extension in a layer (`extensions/probe`, Python): started before the runtime,
/// init waits for its registration, it gets INVOKE for each invocation, and without the
/// `_`-prefixed variables.
const EXTENSION: &str = r#"#!/usr/bin/env python3
import json, os, sys, tempfile, urllib.request
base = "http://" + os.environ["AWS_LAMBDA_RUNTIME_API"] + "/2020-01-01/extension"
req = urllib.request.Request(base + "/register", data=json.dumps({"events": ["INVOKE", "SHUTDOWN"]}).encode(), method="POST", headers={"Lambda-Extension-Name": os.path.basename(sys.argv[0])})
with urllib.request.urlopen(req) as r:
    ext_id = r.headers["Lambda-Extension-Identifier"]
    registered = json.load(r)
print("probe registered for", registered["functionName"], "handler", os.environ.get("_HANDLER"), flush=True)
seen = os.path.join(tempfile.gettempdir(), "probe-seen")
while True:
    with urllib.request.urlopen(urllib.request.Request(base + "/event/next", headers={"Lambda-Extension-Identifier": ext_id})) as r:
        event = json.load(r)
    if event["eventType"] == "SHUTDOWN":
        break
    with open(seen, "a") as f:
        f.write(event["requestId"] + "\n")
"#;

async fn external_extension(s: Suite) {
    let layer =
        s.c.publish_layer_version()
            .layer_name("probe-extension")
            .content(
                LayerVersionContentInput::builder()
                    .zip_file(Blob::new(zip(&[("extensions/probe", EXTENSION.as_bytes(), 0o755)])))
                    .build(),
            )
            .send()
            .await
            .unwrap();
    let code = "import os, tempfile\n\ndef handler(event, context):\n    p = os.path.join(tempfile.gettempdir(), 'probe-seen')\n    return open(p).read().split() if os.path.exists(p) else []\n";
    s.create("with-extension", Lang::Python, code, |b| {
        b.layers(layer.layer_version_arn().unwrap())
    })
    .await;
    let first = s.invoke("with-extension", "{}").await;
    assert!(first.cold());
    assert!(
        first.log.contains("probe registered for with-extension handler None\n"),
        "{}",
        first.log
    );
    let second = s.invoke("with-extension", "{}").await;
    assert!(!second.cold(), "{}", second.log);
    let seen = second.json();
    assert!(
        seen.as_array()
            .unwrap()
            .iter()
            .any(|id| id == first.request_id.as_str()),
        "the extension saw {seen}, not {}",
        first.request_id
    );
    let envs = s.introspect("environments?function=with-extension").await;
    assert_eq!(envs["environments"].as_array().unwrap().len(), 1, "{envs}");
}

// ---------------------------------------------------------------------------------------------
// A Rust function built with the `lambda_runtime` crate (tests/fixtures/rust-echo).

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rust_provided_al2023_echo() {
    rust_echo(&[]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rust_provided_al2023_echo_in_docker() {
    let args = common::docker_args();
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    rust_echo(&refs).await;
}

/// The Rust `lambda_runtime` echo function, cold then warm, on a server started with `args`.
async fn rust_echo(args: &[&str]) {
    if std::env::var("FAUXLAMBDA_SKIP_RUST_FUNCTION").as_deref() == Ok("1") {
        eprintln!("skipped: FAUXLAMBDA_SKIP_RUST_FUNCTION=1");
        return;
    }
    let bootstrap = tokio::task::spawn_blocking(|| common::rust_functions::rust_function("rust-echo"))
        .await
        .unwrap()
        .unwrap_or_else(|e| panic!("{e}"));
    let server = Server::start(args);
    let c = server.client();
    let package = zip(&[("bootstrap", &std::fs::read(&bootstrap).unwrap(), 0o755)]);
    c.create_function()
        .function_name("rust-echo")
        .runtime(Runtime::Providedal2023)
        .role(ROLE)
        .handler("bootstrap")
        .code(FunctionCode::builder().zip_file(Blob::new(package)).build())
        .send()
        .await
        .unwrap();
    wait_active(&c, "rust-echo").await;
    let s = Suite {
        server,
        c,
        clients: Clients::Ours,
        langs: vec![],
    };
    for i in 0..2 {
        let r = s.invoke("rust-echo", &json!({"n": i}).to_string()).await;
        assert_eq!(r.out.function_error(), None, "{}", r.text());
        assert_eq!(
            r.json(),
            json!({"echo": {"n": i}, "requestId": r.request_id, "function": "rust-echo"})
        );
        assert_eq!(r.cold(), i == 0, "{}", r.log);
    }
}

/// The script `node` runs in a Node.js function's environment (`process.argv[1]`): which runtime
/// client serves it.
async fn node_client_script(server: Server) -> String {
    let c = server.client();
    let s = Suite {
        server,
        c,
        clients: Clients::Official,
        langs: vec![Lang::Node],
    };
    s.create(
        "which-client",
        Lang::Node,
        "exports.handler = async () => process.argv[1];\n",
        |b| b,
    )
    .await;
    let r = s.invoke("which-client", "{}").await;
    assert_eq!(r.out.function_error(), None, "{}", r.text());
    r.json().as_str().unwrap_or_else(|| panic!("{}", r.text())).to_owned()
}

/// Without `--node-ric`, the official client is the `aws-lambda-ric` command on PATH (npm's global
/// install links it to the package's `bin/index.mjs`), as `awslambdaric` is for Python; without
/// one there, fauxlambda's own client.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn node_official_client_found_on_path() {
    let script = require_node_ric().join("bin/index.mjs");
    // Laid out as `npm install -g` does: <prefix>/bin/aws-lambda-ric -> ../lib/node_modules/...
    let bin = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(&script, bin.path().join("aws-lambda-ric")).unwrap();
    let path = std::env::join_paths(
        std::iter::once(bin.path().to_path_buf())
            .chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())),
    )
    .unwrap();

    let ran = node_client_script(Server::start_with_env(&[], &[("PATH", path.clone())])).await;
    assert_eq!(PathBuf::from(&ran), script.canonicalize().unwrap());

    let ran = node_client_script(Server::start(&[])).await;
    assert!(ran.ends_with("/bootstrap.mjs"), "{ran}");

    // --own-runtime-clients wins over the one on PATH.
    let ran = node_client_script(Server::start_with_env(&["--own-runtime-clients"], &[("PATH", path)])).await;
    assert!(ran.ends_with("/bootstrap.mjs"), "{ran}");
}

/// A `--node-ric` directory without the package's `bin/index.mjs` stops fauxlambda at start-up
/// with an error naming it, instead of running Node.js functions with another client.
#[test]
fn node_ric_without_the_package_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_fauxlambda"))
        .args(["--listen", "127.0.0.1:0", "--executor", "process", "--node-ric"])
        .arg(dir.path())
        .arg("--data-dir")
        .arg(data.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    // fauxlambda's log (stdout) carries the error.
    let err = String::from_utf8_lossy(&out.stdout);
    assert!(
        err.contains(&format!(
            "--node-ric {}: no bin/index.mjs there (name the aws-lambda-ric package's directory)",
            dir.path().display()
        )),
        "{err}"
    );
}
