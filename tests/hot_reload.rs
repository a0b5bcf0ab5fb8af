//! Hot reload with the real binary and `aws-sdk-lambda`, on both executors (local processes in
//! their bubblewrap sandbox, and Docker with the images of `scripts/test-images`): code and layers
//! given as `{"S3Bucket": "hot-reload", "S3Key": "/abs/dir"}` run from that directory, an edit is
//! what the next invocation runs (within 1 s, no restart), an edit during an invocation lets it
//! finish with the code it started with, a layer edit is picked up (a layer alone in place, and
//! merged with a zip layer); the marker's checks and what such code reports.

mod common;

use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{FunctionCode, LayerVersionContentInput, Runtime};
use aws_sdk_lambda::Client;
use common::{docker_args, eventually, http_get, wait_active, zip, Server, ROLE};
use std::path::Path;
use std::time::{Duration, Instant};

const SHA: &str = "hot-reloading-hash-not-available";

/// A function's answer, taken as the handler's string.
async fn invoke(c: &Client, name: &str, payload: &str) -> String {
    let out = c
        .invoke()
        .function_name(name)
        .payload(Blob::new(payload))
        .send()
        .await
        .unwrap_or_else(|e| panic!("invoke {name}: {e:?}"));
    let body = String::from_utf8(out.payload().map(|p| p.as_ref().to_vec()).unwrap_or_default()).unwrap();
    assert!(out.function_error().is_none(), "{name} failed: {body}");
    serde_json::from_str::<String>(&body).unwrap_or(body)
}

/// Writes `text` to `dir/name` as an editor saving it would (a new file renamed over the old).
fn save(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let tmp = dir.join(format!(".{}.tmp", name.replace('/', "_")));
    std::fs::write(&tmp, text).unwrap();
    std::fs::rename(&tmp, &path).unwrap();
}

fn handler(answer: &str) -> String {
    format!(
        "import time\n\ndef handler(event, context):\n    time.sleep(event.get('sleep', 0))\n    return '{answer}'\n"
    )
}

fn hot_code(dir: &Path) -> FunctionCode {
    FunctionCode::builder()
        .s3_bucket("hot-reload")
        .s3_key(dir.to_string_lossy())
        .build()
}

async fn create_hot(
    c: &Client,
    name: &str,
    dir: &Path,
    layers: &[String],
) -> aws_sdk_lambda::operation::create_function::CreateFunctionOutput {
    let out = c
        .create_function()
        .function_name(name)
        .runtime(Runtime::Python312)
        .role(ROLE)
        .handler("app.handler")
        .timeout(30)
        .code(hot_code(dir))
        .set_layers((!layers.is_empty()).then(|| layers.to_vec()))
        .send()
        .await
        .unwrap_or_else(|e| panic!("create {name}: {e:?}"));
    wait_active(c, name).await;
    out
}

/// Invokes until the answer is `want`; every invocation must start within 1 s of `edited`.
async fn answers_within_a_second(c: &Client, name: &str, want: &str, edited: Instant) {
    loop {
        let started = edited.elapsed();
        assert!(
            started < Duration::from_secs(1),
            "{name} did not answer {want} within 1 s of the edit"
        );
        if invoke(c, name, "{}").await == want {
            eprintln!("{name}: {want} from an invocation started {started:?} after the edit");
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Edit the handler: the next invocations run the new code within 1 s, with no restart and no
/// API call; an edit during an invocation lets it finish with the code it started with.
async fn edits_are_picked_up(s: &Server) {
    let c = s.client();
    let src = tempfile::tempdir().unwrap();
    let dir = src.path().join("fn");
    save(&dir, "app.py", &handler("v1"));
    let created = create_hot(&c, "hot", &dir, &[]).await;
    assert_eq!(created.code_sha256(), Some(SHA));
    assert_eq!(created.code_size(), 0);
    assert_eq!(invoke(&c, "hot", "{}").await, "v1");
    assert_eq!(invoke(&c, "hot", "{}").await, "v1", "warm, unchanged");

    let edited = Instant::now();
    save(&dir, "app.py", &handler("v2"));
    answers_within_a_second(&c, "hot", "v2", edited).await;
    // A new file in a new subdirectory counts too.
    let edited = Instant::now();
    save(&dir, "lib/answer.py", "ANSWER = 'v3'\n");
    save(
        &dir,
        "app.py",
        "import sys, time, os\nsys.path.insert(0, os.path.join(os.path.dirname(__file__), 'lib'))\nfrom answer import ANSWER\n\ndef handler(event, context):\n    time.sleep(event.get('sleep', 0))\n    return ANSWER\n",
    );
    answers_within_a_second(&c, "hot", "v3", edited).await;
    let edited = Instant::now();
    save(&dir, "lib/answer.py", "ANSWER = 'v4'\n");
    answers_within_a_second(&c, "hot", "v4", edited).await;

    // An edit while an invocation runs: it finishes with its code, the next one has the new.
    save(&dir, "app.py", &handler("before"));
    answers_within_a_second(&c, "hot", "before", Instant::now()).await;
    let slow = {
        let c = c.clone();
        tokio::spawn(async move { invoke(&c, "hot", r#"{"sleep": 2}"#).await })
    };
    eventually("the slow invocation runs", Duration::from_secs(10), || async {
        let v: serde_json::Value =
            serde_json::from_slice(&http_get(&format!("{}/_fauxlambda/environments?function=hot", s.endpoint)).await)
                .unwrap();
        v["environments"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["state"] == "busy")
    })
    .await;
    let edited = Instant::now();
    save(&dir, "app.py", &handler("after"));
    answers_within_a_second(&c, "hot", "after", edited).await;
    assert_eq!(slow.await.unwrap(), "before", "the running invocation kept its code");
    // Its environment was stopped, not kept warm (it would be the first taken).
    assert_eq!(invoke(&c, "hot", "{}").await, "after");
    assert_eq!(invoke(&c, "hot", "{}").await, "after");
}

/// Layers from directories: one alone is used in place; one beside a zip layer is merged with
/// it, again after each change. Both are picked up within 1 s.
async fn layer_edits_are_picked_up(s: &Server) {
    let c = s.client();
    let src = tempfile::tempdir().unwrap();
    let (layer_dir, code_dir) = (src.path().join("layer"), src.path().join("code"));
    save(&layer_dir, "python/helper.py", "VALUE = 'L1'\n");
    save(
        &code_dir,
        "app.py",
        "import helper\n\ndef handler(event, context):\n    extra = ''\n    try:\n        import zipped\n        extra = '+' + zipped.VALUE\n    except ImportError:\n        pass\n    return helper.VALUE + extra\n",
    );
    let layer = c
        .publish_layer_version()
        .layer_name("hot-layer")
        .content(
            LayerVersionContentInput::builder()
                .s3_bucket("hot-reload")
                .s3_key(layer_dir.to_string_lossy())
                .build(),
        )
        .send()
        .await
        .expect("publish the hot layer");
    let content = layer.content().unwrap();
    assert_eq!(content.code_sha256(), Some(SHA));
    assert_eq!(content.code_size(), 0);
    let hot_arn = layer.layer_version_arn().unwrap().to_owned();
    let zipped = c
        .publish_layer_version()
        .layer_name("zip-layer")
        .content(
            LayerVersionContentInput::builder()
                .zip_file(Blob::new(zip(&[("python/zipped.py", "VALUE = 'Z'\n")])))
                .build(),
        )
        .send()
        .await
        .expect("publish the zip layer");
    let zip_arn = zipped.layer_version_arn().unwrap().to_owned();
    create_hot(&c, "alone", &code_dir, std::slice::from_ref(&hot_arn)).await;
    create_hot(&c, "merged", &code_dir, &[zip_arn, hot_arn]).await;
    assert_eq!(invoke(&c, "alone", "{}").await, "L1");
    assert_eq!(invoke(&c, "merged", "{}").await, "L1+Z");

    let edited = Instant::now();
    save(&layer_dir, "python/helper.py", "VALUE = 'L2'\n");
    answers_within_a_second(&c, "alone", "L2", edited).await;
    answers_within_a_second(&c, "merged", "L2+Z", edited).await;
    let edited = Instant::now();
    save(&layer_dir, "python/helper.py", "VALUE = 'L3'\n");
    answers_within_a_second(&c, "merged", "L3+Z", edited).await;
    answers_within_a_second(&c, "alone", "L3", edited).await;
}

fn docker_server() -> Server {
    let args = docker_args();
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    Server::start(&refs)
}

#[tokio::test]
async fn process_edits_are_picked_up() {
    edits_are_picked_up(&Server::start(&[])).await;
}

#[tokio::test]
async fn process_layer_edits_are_picked_up() {
    layer_edits_are_picked_up(&Server::start(&[])).await;
}

#[tokio::test]
async fn docker_edits_are_picked_up() {
    edits_are_picked_up(&docker_server()).await;
}

#[tokio::test]
async fn docker_layer_edits_are_picked_up() {
    layer_edits_are_picked_up(&docker_server()).await;
}

/// The marker's checks (a relative key in LocalStack's words, a missing directory, `$VAR`s),
/// what the function reports (CodeSha256, CodeSize, Code.Location), PublishVersion without its
/// CodeSha256 precondition and the version running from the same directory, and the log: what is
/// watched, what changed and what was retired, and a directory no longer watched once unused.
#[tokio::test]
async fn the_marker_is_checked_and_reported() {
    let src = tempfile::tempdir().unwrap();
    let dir = src.path().join("fn");
    save(&dir, "app.py", &handler("one"));
    let s = Server::start_logged(
        &["--log-level", "info"],
        &[("HOT_RELOAD_TEST_BASE", src.path().as_os_str().to_owned())],
    );
    let c = s.client();

    let refused = |key: &'static str| {
        let c = c.clone();
        async move {
            let e = c
                .create_function()
                .function_name("refused")
                .runtime(Runtime::Python312)
                .role(ROLE)
                .handler("app.handler")
                .code(FunctionCode::builder().s3_bucket("hot-reload").s3_key(key).build())
                .send()
                .await
                .expect_err("refused");
            let e = e.into_service_error();
            assert!(e.is_invalid_parameter_value_exception(), "{e:?}");
            e.meta().message().unwrap_or_default().to_owned()
        }
    };
    assert_eq!(
        refused("relative/dir").await,
        "When using hot reloading, the archive key has to be an absolute path! Your archive key: relative/dir"
    );
    assert_eq!(
        refused("$HOT_RELOAD_TEST_UNSET/dir").await,
        "When using hot reloading, the archive key has to be an absolute path! Your archive key: $HOT_RELOAD_TEST_UNSET/dir"
    );
    let missing = refused("/nonexistent/hot/reload/dir").await;
    assert!(
        missing.starts_with("When using hot reloading, the archive key has to be an existing directory! Your archive key: /nonexistent/hot/reload/dir"),
        "{missing}"
    );

    // `${VAR}` expanded from fauxlambda's environment.
    let created = c
        .create_function()
        .function_name("hot")
        .runtime(Runtime::Python312)
        .role(ROLE)
        .handler("app.handler")
        .code(
            FunctionCode::builder()
                .s3_bucket("hot-reload")
                .s3_key("${HOT_RELOAD_TEST_BASE}/fn/")
                .build(),
        )
        .send()
        .await
        .expect("create with a variable in the key");
    assert_eq!(created.code_sha256(), Some(SHA));
    assert_eq!(created.code_size(), 0);
    wait_active(&c, "hot").await;
    let got = c.get_function().function_name("hot").send().await.unwrap();
    let location = got.code().unwrap();
    assert_eq!(location.repository_type(), Some("S3"));
    assert_eq!(
        location.location(),
        Some(format!("Code location: {}", dir.display()).as_str())
    );
    assert_eq!(invoke(&c, "hot", "{}").await, "one");

    // PublishVersion: no CodeSha256 precondition; the version runs from the same directory.
    let v = c
        .publish_version()
        .function_name("hot")
        .code_sha256("anything")
        .send()
        .await
        .expect("publish");
    assert_eq!(v.code_sha256(), Some(SHA));
    assert_eq!(v.version(), Some("1"));
    assert_eq!(invoke(&c, "hot:1", "{}").await, "one");
    let edited = Instant::now();
    save(&dir, "app.py", &handler("two"));
    answers_within_a_second(&c, "hot:1", "two", edited).await;
    answers_within_a_second(&c, "hot", "two", edited).await;

    // UpdateFunctionCode to a zip and back.
    c.update_function_code()
        .function_name("hot")
        .zip_file(Blob::new(zip(&[("app.py", &handler("zipped"))])))
        .send()
        .await
        .unwrap();
    wait_updated(&c, "hot").await;
    assert_eq!(invoke(&c, "hot", "{}").await, "zipped");
    let back = c
        .update_function_code()
        .function_name("hot")
        .s3_bucket("hot-reload")
        .s3_key(dir.to_string_lossy())
        .send()
        .await
        .unwrap();
    assert_eq!(back.code_sha256(), Some(SHA));
    wait_updated(&c, "hot").await;
    assert_eq!(invoke(&c, "hot", "{}").await, "two");

    let watching = format!("hot reload: watching {}", dir.display());
    let log = s.log();
    assert_eq!(log.matches(&watching).count(), 1, "one watch per directory: {log}");
    assert!(
        log.contains(&format!("hot reload: {} changed (app.py", dir.display()))
            && log.contains("retired the environments of hot:"),
        "{log}"
    );
    c.delete_function().function_name("hot").send().await.unwrap();
    eventually("the directory no longer watched", Duration::from_secs(5), || async {
        s.log()
            .contains(&format!("hot reload: no longer watching {}", dir.display()))
    })
    .await;
}

async fn wait_updated(c: &Client, name: &str) {
    eventually("the update finished", Duration::from_secs(10), || async {
        let got = c.get_function_configuration().function_name(name).send().await.unwrap();
        got.last_update_status() == Some(&aws_sdk_lambda::types::LastUpdateStatus::Successful)
    })
    .await;
}
