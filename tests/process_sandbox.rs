//! The process executor's isolation, with the real binary and real functions: with bubblewrap,
//! `/tmp` is the environment's own (sized from `EphemeralStorage`), a `setsid` child dies when the
//! environment is evicted, another function's `/proc/<pid>/environ` cannot be read, and code and
//! layers are read-only; with or without it, memory over `MemorySize` ends the invocation as
//! AWS does (`Runtime.OutOfMemory`, REPORT at the limit); without it, the start-up log says so.

mod common;

use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{Environment, EphemeralStorage, FunctionCode, LogType, Runtime};
use base64::Engine;
use common::{eventually, http_post, require_tool, wait_active, zip, Server, ROLE};
use serde_json::Value;
use std::time::Duration;

async fn create(s: &Server, name: &str, code: &str, memory: i32, env: &[(&str, &str)]) {
    let c = s.client();
    let mut vars = Environment::builder();
    for (k, v) in env {
        vars = vars.variables(*k, *v);
    }
    c.create_function()
        .function_name(name)
        .runtime(Runtime::Python312)
        .role(ROLE)
        .handler("app.handler")
        .timeout(30)
        .memory_size(memory)
        .ephemeral_storage(EphemeralStorage::builder().size(1024).build().unwrap())
        .environment(vars.build())
        .code(
            FunctionCode::builder()
                .zip_file(Blob::new(zip(&[("app.py", code)])))
                .build(),
        )
        .send()
        .await
        .unwrap();
    wait_active(&c, name).await;
}

/// The answer of a synchronous invoke, its function error and its log tail.
async fn invoke(s: &Server, name: &str, payload: &str) -> (Value, Option<String>, String) {
    let out = s
        .client()
        .invoke()
        .function_name(name)
        .log_type(LogType::Tail)
        .payload(Blob::new(payload.as_bytes()))
        .send()
        .await
        .unwrap();
    let log = base64::engine::general_purpose::STANDARD
        .decode(out.log_result().unwrap_or_default())
        .unwrap();
    let body: Value = serde_json::from_slice(out.payload().unwrap().as_ref()).unwrap();
    (
        body,
        out.function_error().map(str::to_owned),
        String::from_utf8_lossy(&log).into_owned(),
    )
}

fn sandboxed() -> Server {
    require_tool("bwrap");
    let s = Server::start_logged(&["--log-level", "info"], &[]);
    common::eventually_sync("the start-up log", Duration::from_secs(5), || {
        s.log().contains("run in bubblewrap sandboxes")
    });
    s
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_bubblewrap_tmp_is_private_and_sized_and_code_is_read_only() {
    let s = sandboxed();
    let marker = format!("fauxlambda-sandbox-{}", std::process::id());
    let code = r#"import os, json

def handler(event, context):
    with open('/tmp/' + event['marker'], 'w') as f:
        f.write('inside')
    st = os.statvfs('/tmp')
    try:
        open(os.path.join(os.environ['LAMBDA_TASK_ROOT'], 'new.txt'), 'w').write('x')
        code_writable = True
    except OSError:
        code_writable = False
    return {'tmp': sorted(os.listdir('/tmp')), 'tmp_mb': st.f_blocks * st.f_frsize // (1 << 20),
            'tmpdir': os.environ.get('TMPDIR'), 'code_writable': code_writable, 'pid': os.getpid(),
            'task': os.environ['LAMBDA_TASK_ROOT']}
"#;
    create(&s, "private-tmp", code, 128, &[]).await;
    let (body, error, _) = invoke(&s, "private-tmp", &format!(r#"{{"marker":"{marker}"}}"#)).await;
    assert_eq!(error, None, "{body}");
    // Its own file, and (when the data directory is under the host's /tmp, as here) the way to
    // its code, bound there; nothing else of the host's /tmp.
    let task = body["task"].as_str().unwrap();
    let others: Vec<&str> = body["tmp"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .filter(|e| *e != marker && !task.starts_with(&format!("/tmp/{e}/")))
        .collect();
    assert!(body["tmp"].as_array().unwrap().contains(&Value::from(marker.clone())));
    assert!(others.is_empty(), "the host's /tmp shows through: {others:?}");
    assert_eq!(body["tmp_mb"], 1024, "/tmp sized from EphemeralStorage");
    assert_eq!(body["tmpdir"], "/tmp");
    assert_eq!(body["code_writable"], false, "the code is read-only");
    assert!(body["pid"].as_u64().unwrap() < 10, "a pid namespace of its own: {body}");
    assert!(
        !std::path::Path::new("/tmp").join(&marker).exists(),
        "the host's /tmp was written"
    );
}

/// Host pids whose command line holds `needle` (as one argument).
fn processes_with_argument(needle: &str) -> Vec<u32> {
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline"))
                .is_ok_and(|c| c.split(|b| *b == 0).any(|a| a == needle.as_bytes()))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_bubblewrap_a_setsid_child_is_gone_after_evict() {
    let s = sandboxed();
    let seconds = format!("{}", 4000 + std::process::id() % 1000);
    let code = r#"import subprocess

def handler(event, context):
    child = subprocess.Popen(['sleep', event['seconds']], start_new_session=True)
    return {'child': child.pid}
"#;
    create(&s, "escaper", code, 128, &[]).await;
    let (body, error, _) = invoke(&s, "escaper", &format!(r#"{{"seconds":"{seconds}"}}"#)).await;
    assert_eq!(error, None, "{body}");
    assert_eq!(processes_with_argument(&seconds).len(), 1, "the child runs");
    let answer = http_post(&format!("{}/_fauxlambda/functions/escaper/evict", s.endpoint), b"").await;
    assert!(String::from_utf8_lossy(&answer).contains("\"evicted\":1"));
    eventually("the setsid child is gone", Duration::from_secs(5), || async {
        processes_with_argument(&seconds).is_empty()
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_bubblewrap_another_functions_environ_cannot_be_read() {
    let s = sandboxed();
    let secret = format!("hunter{}", std::process::id());
    let holder = "import os\n\ndef handler(event, context):\n    return os.getpid()\n";
    create(&s, "holder", holder, 128, &[("SECRET", &secret)]).await;
    let (_, error, _) = invoke(&s, "holder", "{}").await;
    assert_eq!(error, None);
    // The holder's runtime, as the host sees it.
    let holder_pid = std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .find(|pid| {
            std::fs::read(format!("/proc/{pid}/environ"))
                .is_ok_and(|e| e.split(|b| *b == 0).any(|v| v == format!("SECRET={secret}").as_bytes()))
        })
        .expect("the holder's runtime on the host");
    let snoop = r#"import os

def handler(event, context):
    found, visible = [], 0
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        visible += 1
        try:
            if event['secret'].encode() in open('/proc/%s/environ' % entry, 'rb').read():
                found.append(entry)
        except OSError:
            pass
    try:
        target = open('/proc/%d/environ' % event['pid'], 'rb').read()
        leaked = event['secret'].encode() in target
    except OSError:
        leaked = False
    return {'found': found, 'visible': visible, 'leaked': leaked}
"#;
    create(&s, "snoop", snoop, 128, &[]).await;
    let (body, error, _) = invoke(&s, "snoop", &format!(r#"{{"secret":"{secret}","pid":{holder_pid}}}"#)).await;
    assert_eq!(error, None, "{body}");
    assert_eq!(body["found"], serde_json::json!([]), "{body}");
    assert_eq!(body["leaked"], false, "{body}");
    assert!(body["visible"].as_u64().unwrap() < 10, "only its own processes: {body}");
}

/// A function that holds more and more memory, 16 MB at a time, up to 600 MB, under 128 MB.
const GREEDY: &str = r#"import time

def handler(event, context):
    held = []
    for _ in range(600 // 16):
        held.append(b'x' * (16 << 20))
    return len(held)
"#;

async fn memory_over_the_limit_is_out_of_memory(s: &Server) {
    create(s, "greedy", GREEDY, 128, &[]).await;
    let (body, error, log) = invoke(s, "greedy", "{}").await;
    assert_eq!(error.as_deref(), Some("Unhandled"), "{body}");
    assert_eq!(body["errorType"], "Runtime.OutOfMemory", "{body}");
    let id = log
        .lines()
        .find_map(|l| l.strip_prefix("START RequestId: "))
        .and_then(|l| l.split_whitespace().next())
        .expect("a START line");
    assert_eq!(
        body["errorMessage"],
        format!("RequestId: {id} Error: Runtime exited with error: signal: killed")
    );
    let report = log.lines().find(|l| l.starts_with("REPORT")).expect("a REPORT line");
    assert!(
        report.contains("Memory Size: 128 MB\tMax Memory Used: 128 MB\t"),
        "{report}"
    );
    assert!(report.contains("Error Type: Runtime.OutOfMemory"), "{report}");
    // Under the limit, the next invocation runs in a fresh environment.
    let small = "def handler(event, context):\n    return len(b'x' * (32 << 20))\n";
    create(s, "modest", small, 128, &[]).await;
    let (body, error, _) = invoke(s, "modest", "{}").await;
    assert_eq!((error, body), (None, serde_json::json!(32 << 20)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_bubblewrap_memory_over_the_limit_is_out_of_memory() {
    let s = sandboxed();
    memory_over_the_limit_is_out_of_memory(&s).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_bubblewrap_the_start_up_log_says_so_and_memory_is_still_limited() {
    let s = Server::start_logged(&["--no-bwrap"], &[]);
    common::eventually_sync("the start-up warning", Duration::from_secs(5), || {
        s.log()
            .contains("local process environments run without a sandbox: bubblewrap is turned off (--no-bwrap)")
    });
    memory_over_the_limit_is_out_of_memory(&s).await;
}
