//! State kept in a data directory (`--data-dir`) across restarts and crashes, with the real binary
//! and `aws-sdk-lambda`: every kind of resource answers the same after a restart; what got a
//! success answer before a SIGKILL is there after it; a queued asynchronous event and a stream
//! mapping carry on where they were; a corrupt, an older or a busy data directory is refused.

mod common;

use aws_sdk_lambda::operation::RequestId;
use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{
    AliasRoutingConfiguration, AllowedPublishers, Environment, EventSourcePosition, FunctionCode, FunctionUrlAuthType,
    InvocationType, LayerVersionContentInput, RecursiveLoop, Runtime, UpdateRuntimeOn,
};
use aws_sdk_lambda::Client;
use common::moto::Moto;
use common::{eventually, free_port, http_get, wait_active, zip, Server, ROLE};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

const FN_ARN: &str = "arn:aws:lambda:us-east-1:000000000000:function:keep";

/// A data directory and its server's port and log, for starting the server again and again.
struct Home {
    dir: tempfile::TempDir,
    port: u16,
    log: PathBuf,
}

impl Home {
    fn new() -> Home {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("fauxlambda.log");
        Home {
            port: free_port(),
            log,
            dir,
        }
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn start(&self, extra: &[&str]) -> Server {
        Server::start_in(&self.data(), self.port, extra, &self.log)
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

/// Every answer that shows a resource created by `create_everything`, by path.
async fn snapshot(endpoint: &str, esm: &str, csc: &str) -> Vec<(String, String)> {
    let paths = [
        "/2015-03-31/functions/keep".to_string(),
        "/2015-03-31/functions/keep?Qualifier=1".into(),
        "/2015-03-31/functions/keep?Qualifier=live".into(),
        "/2015-03-31/functions?FunctionVersion=ALL".into(),
        "/2015-03-31/functions/keep/versions".into(),
        "/2015-03-31/functions/keep/aliases".into(),
        "/2015-03-31/functions/keep/policy".into(),
        "/2019-09-30/functions/keep/concurrency".into(),
        "/2019-09-30/functions/keep/provisioned-concurrency?List=ALL".into(),
        "/2019-09-25/functions/keep/event-invoke-config".into(),
        "/2021-10-31/functions/keep/url".into(),
        "/2021-10-31/functions/keep/urls".into(),
        "/2018-10-31/layers".into(),
        "/2018-10-31/layers/lib/versions".into(),
        "/2018-10-31/layers/lib/versions/1".into(),
        "/2018-10-31/layers/lib/versions/1/policy".into(),
        "/2015-03-31/event-source-mappings".into(),
        format!("/2015-03-31/event-source-mappings/{esm}"),
        format!("/2017-03-31/tags/{FN_ARN}"),
        "/2020-06-30/functions/keep/code-signing-config".into(),
        "/2020-04-22/code-signing-configs".into(),
        format!("/2020-04-22/code-signing-configs/{csc}"),
        "/2021-07-20/functions/keep/runtime-management-config".into(),
        "/2024-08-31/functions/keep/recursion-config".into(),
        "/2016-08-19/account-settings".into(),
    ];
    let mut out = Vec::new();
    for p in paths {
        let body = http_get(&format!("{endpoint}{p}")).await;
        out.push((p, String::from_utf8(body).unwrap()));
    }
    out
}

/// One of every kind of resource, settled. Answers the mapping's UUID and the code signing
/// config's ARN.
async fn create_everything(c: &Client) -> (String, String) {
    let layer = c
        .publish_layer_version()
        .layer_name("lib")
        .content(
            LayerVersionContentInput::builder()
                .zip_file(Blob::new(zip(&[("python/libmod.py", "X = 1\n")])))
                .build(),
        )
        .compatible_runtimes(Runtime::Python312)
        .send()
        .await
        .unwrap();
    c.add_layer_version_permission()
        .layer_name("lib")
        .version_number(1)
        .statement_id("everyone")
        .action("lambda:GetLayerVersion")
        .principal("*")
        .send()
        .await
        .unwrap();
    let csc = c
        .create_code_signing_config()
        .allowed_publishers(
            AllowedPublishers::builder()
                .signing_profile_version_arns("arn:aws:signer:us-east-1:000000000000:/signing-profiles/p/abcdef0123")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let csc_arn = csc.code_signing_config().unwrap().code_signing_config_arn().to_owned();
    c.create_function()
        .function_name("keep")
        .runtime(Runtime::Python312)
        .role(ROLE)
        .handler("app.handler")
        .description("one")
        .layers(layer.layer_version_arn().unwrap())
        .environment(Environment::builder().variables("GREETING", "hello").build())
        .tags("team", "a")
        .code(
            FunctionCode::builder()
                .zip_file(Blob::new(zip(&[(
                    "app.py",
                    "import os\ndef handler(event, context):\n    return {'greeting': os.environ['GREETING'], 'event': event}\n",
                )])))
                .build(),
        )
        .send()
        .await
        .unwrap();
    wait_active(c, "keep").await;
    c.put_function_code_signing_config()
        .function_name("keep")
        .code_signing_config_arn(&csc_arn)
        .send()
        .await
        .unwrap();
    c.publish_version().function_name("keep").send().await.unwrap();
    c.update_function_configuration()
        .function_name("keep")
        .description("two")
        .environment(
            Environment::builder()
                .variables("GREETING", "hello")
                .variables("ROUND", "2")
                .build(),
        )
        .send()
        .await
        .unwrap();
    wait_active(c, "keep").await;
    c.publish_version().function_name("keep").send().await.unwrap();
    c.create_alias()
        .function_name("keep")
        .name("live")
        .function_version("1")
        .routing_config(
            AliasRoutingConfiguration::builder()
                .additional_version_weights("2", 0.25)
                .build(),
        )
        .send()
        .await
        .unwrap();
    c.add_permission()
        .function_name("keep")
        .statement_id("from-s3")
        .action("lambda:InvokeFunction")
        .principal("s3.amazonaws.com")
        .source_arn("arn:aws:s3:::bucket")
        .send()
        .await
        .unwrap();
    c.put_function_concurrency()
        .function_name("keep")
        .reserved_concurrent_executions(5)
        .send()
        .await
        .unwrap();
    c.put_provisioned_concurrency_config()
        .function_name("keep")
        .qualifier("live")
        .provisioned_concurrent_executions(1)
        .send()
        .await
        .unwrap();
    c.put_function_event_invoke_config()
        .function_name("keep")
        .maximum_retry_attempts(1)
        .maximum_event_age_in_seconds(600)
        .send()
        .await
        .unwrap();
    c.create_function_url_config()
        .function_name("keep")
        .auth_type(FunctionUrlAuthType::None)
        .send()
        .await
        .unwrap();
    c.put_runtime_management_config()
        .function_name("keep")
        .update_runtime_on(UpdateRuntimeOn::FunctionUpdate)
        .send()
        .await
        .unwrap();
    c.put_function_recursion_config()
        .function_name("keep")
        .recursive_loop(RecursiveLoop::Allow)
        .send()
        .await
        .unwrap();
    let esm = c
        .create_event_source_mapping()
        .function_name("keep")
        .event_source_arn("arn:aws:sqs:us-east-1:000000000000:some-queue")
        .batch_size(5)
        .enabled(false)
        .send()
        .await
        .unwrap();
    let uuid = esm.uuid().unwrap().to_owned();
    c.tag_resource()
        .resource(esm.event_source_mapping_arn().unwrap())
        .tags("kind", "mapping")
        .send()
        .await
        .unwrap();
    // Everything settled (no transition left to finish while the answers are compared).
    eventually("everything settles", Duration::from_secs(10), || async {
        let m = c.get_event_source_mapping().uuid(&uuid).send().await.unwrap();
        let p = c
            .get_provisioned_concurrency_config()
            .function_name("keep")
            .qualifier("live")
            .send()
            .await
            .unwrap();
        match (m.state(), p.status().map(|s| s.as_str())) {
            (Some("Disabled"), Some("READY")) => Ok(()),
            other => Err(format!("{other:?}")),
        }
    })
    .await;
    (uuid, csc_arn)
}

#[tokio::test(flavor = "multi_thread")]
async fn every_resource_answers_the_same_after_a_restart() {
    let home = Home::new();
    let s = home.start(&[]);
    let c = s.client();
    let (esm, csc) = create_everything(&c).await;
    // Another region is another namespace: kept apart, and kept too.
    let west = s.client_in("eu-west-1");
    common::create_echo(&west, "keep").await;
    let url_before = c.get_function_url_config().function_name("keep").send().await.unwrap();
    let before = snapshot(&s.endpoint, &esm, &csc).await;
    s.stop();

    let s = home.start(&[]);
    let c = s.client();
    assert!(
        home.log().contains("2 function(s) loaded"),
        "the start-up log says what it loaded: {}",
        home.log()
    );
    wait_active(&c, "keep").await;
    wait_active(&west, "keep").await;
    let after = snapshot(&s.endpoint, &esm, &csc).await;
    // Compared as JSON: the order of a map's keys (environment variables, tags) is not kept.
    for ((path, b), (_, a)) in before.iter().zip(&after) {
        let (b, a): (serde_json::Value, serde_json::Value) =
            (serde_json::from_str(b).unwrap(), serde_json::from_str(a).unwrap());
        assert_eq!(b, a, "GET {path} answers the same after the restart");
    }
    // It runs, with its layer and its variables, and its URL (the same one) answers.
    let out = c
        .invoke()
        .function_name("keep:live")
        .payload(Blob::new("{\"n\":1}"))
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = serde_json::from_slice(out.payload().unwrap().as_ref()).unwrap();
    assert_eq!(body["greeting"], "hello");
    let url_after = c.get_function_url_config().function_name("keep").send().await.unwrap();
    assert_eq!(url_before.function_url(), url_after.function_url());
    let west_fn = west.get_function().function_name("keep").send().await.unwrap();
    assert_eq!(
        west_fn.configuration().unwrap().function_arn(),
        Some("arn:aws:lambda:eu-west-1:000000000000:function:keep")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_restarted_function_is_pending_then_active_as_it_was() {
    let home = Home::new();
    let s = home.start(&[]);
    let c = s.client();
    common::create_echo(&c, "f").await;
    let before = c.get_function_configuration().function_name("f").send().await.unwrap();
    s.stop();
    let s = home.start(&[]);
    let c = s.client();
    // The first answer after start-up comes well within the 100 ms the transition lasts.
    let first = c.get_function_configuration().function_name("f").send().await.unwrap();
    assert_eq!(first.state().map(|s| s.as_str()), Some("Pending"));
    assert_eq!(first.state_reason_code().map(|s| s.as_str()), Some("Creating"));
    wait_active(&c, "f").await;
    let after = c.get_function_configuration().function_name("f").send().await.unwrap();
    assert_eq!(after.revision_id(), before.revision_id(), "the same revision as stored");
    assert_eq!(after.last_update_status(), before.last_update_status());
}

/// Whether a call failed because the server is gone (not an AWS error answer).
fn server_gone<E, R>(e: &aws_sdk_lambda::error::SdkError<E, R>) -> bool {
    !matches!(e, aws_sdk_lambda::error::SdkError::ServiceError(_))
}

/// Concurrent creates, publishes and tags; SIGKILL in the middle of them; every one that was
/// answered with success is there after the restart.
#[tokio::test(flavor = "multi_thread")]
async fn nothing_acknowledged_is_lost_to_a_sigkill() {
    let home = Home::new();
    let s = home.start(&[]);
    let c = s.client();
    const WORKERS: usize = 6;
    for w in 0..WORKERS {
        common::create_echo(&c, &format!("base{w}")).await;
    }
    let acked = std::sync::Arc::new(std::sync::Mutex::new(Vec::<(String, String)>::new()));
    let mut tasks = Vec::new();
    for w in 0..WORKERS {
        let (c, acked) = (c.clone(), acked.clone());
        let base = format!("base{w}");
        let ack = move |kind: &str, what: String| acked.lock().unwrap().push((kind.to_owned(), what));
        tasks.push(tokio::spawn(async move {
            for i in 0.. {
                let name = format!("w{w}-{i}");
                match c
                    .create_function()
                    .function_name(&name)
                    .runtime(Runtime::Python312)
                    .role(ROLE)
                    .handler("app.handler")
                    .publish(true)
                    .code(FunctionCode::builder().zip_file(Blob::new(common::echo_zip())).build())
                    .send()
                    .await
                {
                    Ok(f) => {
                        ack("function", name.clone());
                        ack("version", format!("{name}:{}", f.version().unwrap()));
                    }
                    Err(e) if server_gone(&e) => return,
                    Err(e) => panic!("create {name}: {e:?}"),
                }
                match c
                    .tag_resource()
                    .resource(format!("arn:aws:lambda:us-east-1:000000000000:function:{base}"))
                    .tags(&name, "x")
                    .send()
                    .await
                {
                    Ok(_) => ack("tag", format!("{base}:{name}")),
                    Err(e) if server_gone(&e) => return,
                    Err(e) => panic!("tag {name}: {e:?}"),
                }
                // A change, then a version of it (published while the update settles).
                match c
                    .update_function_configuration()
                    .function_name(&base)
                    .environment(Environment::builder().variables("ROUND", &name).build())
                    .send()
                    .await
                {
                    Ok(_) => {}
                    Err(e) if server_gone(&e) => return,
                    // An update still in progress: the next round.
                    Err(_) => continue,
                }
                match c.publish_version().function_name(&base).send().await {
                    Ok(v) => ack("version", format!("{base}:{}", v.version().unwrap())),
                    Err(e) if server_gone(&e) => return,
                    Err(_) => continue,
                }
            }
        }));
    }
    eventually("a burst under way", Duration::from_secs(60), || async {
        let n = acked.lock().unwrap().len();
        if n >= 200 {
            Ok(())
        } else {
            Err(n)
        }
    })
    .await;
    s.kill();
    for t in tasks {
        t.await.unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    let s = home.start(&[]);
    let c = s.client();
    for (kind, what) in &acked {
        match kind.as_str() {
            "function" => {
                c.get_function()
                    .function_name(what)
                    .send()
                    .await
                    .unwrap_or_else(|e| panic!("{what} was created (answered 201) and is gone: {e:?}"));
            }
            "tag" => {
                let (base, key) = what.split_once(':').unwrap();
                let tags = c
                    .list_tags()
                    .resource(format!("arn:aws:lambda:us-east-1:000000000000:function:{base}"))
                    .send()
                    .await
                    .unwrap();
                assert!(
                    tags.tags().is_some_and(|t| t.contains_key(key)),
                    "tag {what} was answered and is gone"
                );
            }
            _ => {
                let (f, v) = what.split_once(':').unwrap();
                c.get_function()
                    .function_name(f)
                    .qualifier(v)
                    .send()
                    .await
                    .unwrap_or_else(|e| panic!("version {what} was published and is gone: {e:?}"));
            }
        }
    }
    assert!(acked.len() >= 200);
}

/// Creates Python function `name` from `code` (`app.py`), with `RECORD` set to `record`, and waits
/// until it is Active.
async fn create_recording(c: &Client, name: &str, code: &str, record: &Path) {
    c.create_function()
        .function_name(name)
        .runtime(Runtime::Python312)
        .role(ROLE)
        .handler("app.handler")
        .environment(
            Environment::builder()
                .variables("RECORD", record.to_str().unwrap())
                .build(),
        )
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

/// Waits until file `path` exists.
async fn file_appears(what: &str, path: &Path) {
    eventually(what, Duration::from_secs(20), || async {
        match path.exists() {
            true => Ok(()),
            false => Err("not yet"),
        }
    })
    .await;
}

/// The asynchronous event's function fails once, then succeeds; the restart comes between the
/// two attempts.
const TWICE: &str = r#"
import json, os

def handler(event, context):
    marker = os.path.join(os.environ['RECORD'], 'first-' + context.aws_request_id)
    if not os.path.exists(marker):
        open(marker, 'w').close()
        raise Exception('the first attempt fails')
    with open(os.path.join(os.environ['RECORD'], 'done-' + context.aws_request_id), 'w') as f:
        json.dump(event, f)
    return 'ok'
"#;

#[tokio::test(flavor = "multi_thread")]
async fn a_queued_asynchronous_event_runs_after_a_restart_under_its_request_id() {
    let home = Home::new();
    let record = tempfile::tempdir().unwrap();
    // A 2 s first retry: the restart happens while the event waits for it.
    let args = ["--no-bwrap", "--async-retry-base-delay", "2"];
    let s = home.start(&args);
    let c = s.client();
    create_recording(&c, "twice", TWICE, record.path()).await;
    let out = c
        .invoke()
        .function_name("twice")
        .invocation_type(InvocationType::Event)
        .payload(Blob::new("{\"kept\":true}"))
        .send()
        .await
        .unwrap();
    let id = out.request_id().unwrap().to_owned();
    file_appears("the first attempt failed", &record.path().join(format!("first-{id}"))).await;
    s.stop();
    assert!(
        !record.path().join(format!("done-{id}")).exists(),
        "no second attempt before the restart"
    );

    let s = home.start(&args);
    let queued = http_get(&format!("{}/_fauxlambda/async", s.endpoint)).await;
    let queued: serde_json::Value = serde_json::from_slice(&queued).unwrap();
    let listed = queued.to_string();
    assert!(listed.contains(&id), "the event is queued again: {listed}");
    eventually(
        "the second attempt ran after the restart",
        Duration::from_secs(30),
        || async {
            match std::fs::read_to_string(record.path().join(format!("done-{id}"))) {
                Ok(e) => Ok(e),
                Err(_) => Err("not yet"),
            }
        },
    )
    .await;
    let event = std::fs::read_to_string(record.path().join(format!("done-{id}"))).unwrap();
    assert_eq!(event, "{\"kept\": true}");
    // Done with: nothing queued for another restart.
    eventually("the queue is empty", Duration::from_secs(10), || async {
        let v: serde_json::Value =
            serde_json::from_slice(&http_get(&format!("{}/_fauxlambda/async", s.endpoint)).await).unwrap();
        match v.to_string().contains(&id) {
            false => Ok(()),
            true => Err(v),
        }
    })
    .await;
}

/// Writes each Kinesis record's data to `$RECORD/<data>`, failing if one is already there (a
/// record delivered twice).
const KINESIS_RECORDER: &str = r#"
import base64, os

def handler(event, context):
    for r in event['Records']:
        data = base64.b64decode(r['kinesis']['data']).decode()
        with open(os.path.join(os.environ['RECORD'], data), 'a') as f:
            f.write(r['kinesis']['sequenceNumber'] + '\n')
    return {}
"#;

fn delivered(dir: &Path) -> Vec<(String, usize)> {
    let mut out: Vec<(String, usize)> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let times = std::fs::read_to_string(e.path()).unwrap_or_default().lines().count();
            (name, times)
        })
        .collect();
    out.sort();
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stream_mapping_reads_on_from_its_checkpoint_after_a_restart() {
    let moto = Moto::start();
    let home = Home::new();
    let record = tempfile::tempdir().unwrap();
    let kinesis = format!("kinesis={}", moto.endpoint);
    let args = ["--no-bwrap", "--endpoint", kinesis.as_str()];
    let s = home.start(&args);
    let c = s.client();
    let k = moto.kinesis();
    k.create_stream().stream_name("st").shard_count(1).send().await.unwrap();
    let arn = k
        .describe_stream_summary()
        .stream_name("st")
        .send()
        .await
        .unwrap()
        .stream_description_summary()
        .unwrap()
        .stream_arn()
        .to_owned();
    let put = |data: &'static str| {
        let k = k.clone();
        async move {
            k.put_record()
                .stream_name("st")
                .partition_key("pk")
                .data(aws_sdk_kinesis::primitives::Blob::new(data))
                .send()
                .await
                .unwrap();
        }
    };
    create_recording(&c, "rec", KINESIS_RECORDER, record.path()).await;
    for d in ["a", "b", "c"] {
        put(d).await;
    }
    c.create_event_source_mapping()
        .function_name("rec")
        .event_source_arn(&arn)
        .starting_position(EventSourcePosition::TrimHorizon)
        .batch_size(10)
        .send()
        .await
        .unwrap();
    eventually("the first records are delivered", Duration::from_secs(30), || async {
        let d = delivered(record.path());
        match d.len() {
            3 => Ok(()),
            _ => Err(format!("{d:?}")),
        }
    })
    .await;
    // The checkpoint is kept before the next read: give the poller a moment past the batch.
    tokio::time::sleep(Duration::from_millis(500)).await;
    s.stop();
    for d in ["d", "e"] {
        put(d).await;
    }
    let s = home.start(&args);
    let _c = s.client();
    eventually(
        "the new records are delivered after the restart",
        Duration::from_secs(30),
        || async {
            let d = delivered(record.path());
            match d.len() {
                5 => Ok(()),
                _ => Err(format!("{d:?}")),
            }
        },
    )
    .await;
    // A moment more: nothing comes twice.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let d = delivered(record.path());
    assert_eq!(
        d,
        ["a", "b", "c", "d", "e"].map(|n| (n.to_owned(), 1)),
        "each record once, none again after the restart"
    );
}

/// Runs fauxlambda on `dir` expecting it to refuse to start (within 10 s, else it is killed):
/// its exit status and output.
fn refused(dir: &Path) -> (std::process::ExitStatus, String) {
    let out = tempfile::NamedTempFile::new().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_fauxlambda"))
        .args([
            "--listen",
            &format!("127.0.0.1:{}", free_port()),
            "--executor",
            "process",
            "--data-dir",
        ])
        .arg(dir)
        .stdin(Stdio::null())
        .stdout(out.reopen().unwrap())
        .stderr(out.reopen().unwrap())
        .spawn()
        .unwrap();
    let until = std::time::Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > until {
            let _ = child.kill();
            break child.wait().unwrap();
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    (status, std::fs::read_to_string(out.path()).unwrap())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_corrupt_or_older_state_is_refused_and_left_untouched() {
    let home = Home::new();
    let s = home.start(&[]);
    common::create_echo(&s.client(), "f").await;
    s.stop();
    let db = home.data().join("state.sqlite");

    // An older format: refused, naming both versions.
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute("UPDATE meta SET value = '0' WHERE key = 'format'", [])
        .unwrap();
    drop(conn);
    let before = std::fs::read(&db).unwrap();
    let (status, text) = refused(&home.data());
    assert!(!status.success());
    assert!(
        text.contains("older fauxlambda") && text.contains("state format 0") && text.contains("state format 1"),
        "{text}"
    );
    assert_eq!(std::fs::read(&db).unwrap(), before, "left untouched");

    // Not a database any more: refused, and not overwritten.
    let mut garbage = before.clone();
    for b in garbage.iter_mut().take(100) {
        *b = b'x';
    }
    std::fs::write(&db, &garbage).unwrap();
    let (status, text) = refused(&home.data());
    assert!(!status.success());
    assert!(text.contains("corrupt") && text.contains("state.sqlite"), "{text}");
    assert_eq!(std::fs::read(&db).unwrap(), garbage, "left untouched");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_fauxlambda_on_the_same_data_directory_refuses_to_start() {
    let home = Home::new();
    let s = home.start(&[]);
    let (status, text) = refused(&home.data());
    assert!(!status.success());
    assert!(
        text.contains(&format!("in use by another fauxlambda (pid {})", s.child.id())),
        "{text}"
    );
    // The first one is unharmed.
    common::create_echo(&s.client(), "f").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hot_reload_function_is_watched_again_after_a_restart() {
    let home = Home::new();
    let code = tempfile::tempdir().unwrap();
    let write = |answer: &str| {
        let tmp = code.path().join("app.py.tmp");
        std::fs::write(&tmp, format!("def handler(event, context):\n    return '{answer}'\n")).unwrap();
        std::fs::rename(&tmp, code.path().join("app.py")).unwrap();
    };
    write("one");
    let s = home.start(&[]);
    let c = s.client();
    c.create_function()
        .function_name("hot")
        .runtime(Runtime::Python312)
        .role(ROLE)
        .handler("app.handler")
        .code(
            FunctionCode::builder()
                .s3_bucket("hot-reload")
                .s3_key(code.path().to_str().unwrap())
                .build(),
        )
        .send()
        .await
        .unwrap();
    wait_active(&c, "hot").await;
    s.stop();
    let s = home.start(&[]);
    let c = s.client();
    wait_active(&c, "hot").await;
    let f = c.get_function().function_name("hot").send().await.unwrap();
    assert_eq!(
        f.configuration().unwrap().code_sha256(),
        Some("hot-reloading-hash-not-available")
    );
    let answer = |c: Client| async move {
        let out = c.invoke().function_name("hot").send().await.unwrap();
        String::from_utf8(out.payload().unwrap().as_ref().to_vec()).unwrap()
    };
    assert_eq!(answer(c.clone()).await, "\"one\"");
    write("two");
    eventually(
        "the edit is picked up after the restart",
        Duration::from_secs(10),
        || {
            let c = c.clone();
            async move {
                match answer(c).await.as_str() {
                    "\"two\"" => Ok(()),
                    other => Err(other.to_owned()),
                }
            }
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_deleted_functions_queued_events_do_not_come_back_after_a_restart() {
    let home = Home::new();
    let record = tempfile::tempdir().unwrap();
    let args = ["--no-bwrap", "--async-retry-base-delay", "2"];
    let s = home.start(&args);
    let c = s.client();
    create_recording(&c, "twice", TWICE, record.path()).await;
    let out = c
        .invoke()
        .function_name("twice")
        .invocation_type(InvocationType::Event)
        .payload(Blob::new("{}"))
        .send()
        .await
        .unwrap();
    let id = out.request_id().unwrap().to_owned();
    file_appears("the first attempt failed", &record.path().join(format!("first-{id}"))).await;
    // Deleted while its event waits for the retry, then a new function of the same name.
    c.delete_function().function_name("twice").send().await.unwrap();
    create_recording(&c, "twice", TWICE, record.path()).await;
    s.stop();
    let s = home.start(&args);
    let c = s.client();
    wait_active(&c, "twice").await;
    let queued = String::from_utf8(http_get(&format!("{}/_fauxlambda/async", s.endpoint)).await).unwrap();
    assert!(!queued.contains(&id), "the deleted function's event is gone: {queued}");
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(
        !record.path().join(format!("done-{id}")).exists(),
        "the old event never runs on the new function"
    );
}
