//! Event source mappings that poll, end to end: the real binary, `aws-sdk-lambda`, Python
//! functions under the process executor and a real `moto_server` as SQS, Kinesis, DynamoDB
//! Streams and the on-failure destinations. Each function writes every event it receives to a
//! file of its own (`RECORD`), and answers as its `MODE` says; the tests read those files.

mod common;

use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{
    DestinationConfig, Environment, EventSourcePosition, Filter, FilterCriteria, FunctionCode, FunctionResponseType,
    OnFailure, Runtime,
};
use aws_sdk_lambda::Client;
use common::json_order::keys_at;
use common::moto::Moto;
use common::{eventually, http_get, wait_active, zip, Server, ROLE};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::time::Duration;

const ACCOUNT: &str = "000000000000";

/// Records each event to `$RECORD/<ns>-<request id>.json`, then answers by `MODE`.
const RECORDER: &str = r#"
import base64, json, os, time

def _text(r):
    if 'body' in r:
        return r['body']
    if 'kinesis' in r:
        return base64.b64decode(r['kinesis']['data']).decode()
    if 'dynamodb' in r:
        return json.dumps(r['dynamodb'].get('NewImage', {}))
    return ''

def _id(r):
    if 'messageId' in r:
        return r['messageId']
    if 'kinesis' in r:
        return r['kinesis']['sequenceNumber']
    return r['dynamodb']['SequenceNumber']

def handler(event, context):
    path = os.path.join(os.environ['RECORD'], '%d-%s.json' % (time.time_ns(), context.aws_request_id))
    with open(path + '.tmp', 'w') as f:
        json.dump(event, f)
    os.rename(path + '.tmp', path)
    mode = os.environ.get('MODE', 'ok')
    records = event.get('Records', [])
    if mode == 'slow':
        time.sleep(float(os.environ.get('SLOW', '5')))
    if mode == 'fail':
        raise Exception('boom')
    if mode == 'fail-marked' and any('fail' in _text(r) for r in records):
        raise Exception('a marked record')
    if mode == 'report':
        return {'batchItemFailures': [{'itemIdentifier': _id(r)} for r in records if 'fail' in _text(r)]}
    if mode == 'answer':
        return json.loads(os.environ['ANSWER'])
    if mode == 'window':
        state = dict(event.get('state') or {})
        state['count'] = state.get('count', 0) + len(records)
        return {'state': state, 'batchItemFailures': []}
    return {}
"#;

/// fauxlambda with every service at `moto`. Without the bubblewrap sandbox: the recorders write
/// their events to the host's files (the sandbox leaves a function only its own `/tmp`).
fn server(moto: &Moto) -> Server {
    let e = &moto.endpoint;
    let mut args = vec!["--no-bwrap".to_owned()];
    for service in ["sqs", "sns", "s3", "kinesis", "dynamodb-streams"] {
        args.push("--endpoint".to_owned());
        args.push(format!("{service}={e}"));
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    Server::start_logged(&args, &[])
}

/// A recording function `name` answering by `mode` (with extra variables), and the directory its
/// events go to.
async fn recorder(c: &Client, name: &str, mode: &str, extra: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_path_buf();
    let mut env = Environment::builder()
        .variables("RECORD", path.to_str().unwrap())
        .variables("MODE", mode);
    for (k, v) in extra {
        env = env.variables(*k, *v);
    }
    c.create_function()
        .function_name(name)
        .runtime(Runtime::Python312)
        .role(ROLE)
        .handler("app.handler")
        .timeout(30)
        .environment(env.build())
        .code(
            FunctionCode::builder()
                .zip_file(Blob::new(zip(&[("app.py", RECORDER)])))
                .build(),
        )
        .send()
        .await
        .unwrap_or_else(|e| panic!("create {name}: {e:?}"));
    wait_active(c, name).await;
    (dir, path)
}

/// The events a recorder received, in order, as JSON text.
fn raw_events(dir: &Path) -> Vec<String> {
    let mut names: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    names.retain(|p| p.extension().is_some_and(|e| e == "json"));
    names.sort();
    names.iter().filter_map(|p| std::fs::read_to_string(p).ok()).collect()
}

/// The events a recorder received, in order.
fn events(dir: &Path) -> Vec<Value> {
    raw_events(dir)
        .iter()
        .filter_map(|e| serde_json::from_str(e).ok())
        .collect()
}

/// Waits until the recorder's events satisfy `ok`, and answers them.
async fn events_until(dir: &Path, what: &str, within: Duration, ok: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    eventually(what, within, || async {
        let ev = events(dir);
        if ok(&ev) {
            Ok(ev)
        } else {
            Err(format!(
                "{} event(s) so far: {}",
                ev.len(),
                serde_json::to_string(&ev).unwrap()
            ))
        }
    })
    .await
}

/// The records of every event, in order.
fn records(events: &[Value]) -> Vec<Value> {
    events
        .iter()
        .flat_map(|e| e["Records"].as_array().cloned().unwrap_or_default())
        .collect()
}

fn bodies(events: &[Value]) -> Vec<String> {
    records(events)
        .iter()
        .map(|r| r["body"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// A queue (attributes as given) and its URL and ARN.
async fn queue(moto: &Moto, name: &str, attributes: &[(&str, &str)]) -> (String, String) {
    let mut req = moto.sqs().create_queue().queue_name(name);
    for (k, v) in attributes {
        req = req.attributes(aws_sdk_sqs::types::QueueAttributeName::from(*k), *v);
    }
    let url = req.send().await.unwrap().queue_url().unwrap().to_owned();
    (url, format!("arn:aws:sqs:us-east-1:{ACCOUNT}:{name}"))
}

async fn send(moto: &Moto, url: &str, body: &str) {
    moto.sqs()
        .send_message()
        .queue_url(url)
        .message_body(body)
        .send()
        .await
        .unwrap();
}

/// Messages in the queue, visible and in flight.
async fn queue_depth(moto: &Moto, url: &str) -> (u64, u64) {
    use aws_sdk_sqs::types::QueueAttributeName as A;
    let out = moto
        .sqs()
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(A::ApproximateNumberOfMessages)
        .attribute_names(A::ApproximateNumberOfMessagesNotVisible)
        .send()
        .await
        .unwrap();
    let a = out.attributes().unwrap();
    let n = |k: A| a.get(&k).and_then(|v| v.parse().ok()).unwrap_or(0);
    (
        n(A::ApproximateNumberOfMessages),
        n(A::ApproximateNumberOfMessagesNotVisible),
    )
}

/// Maps `source` to `function` (defaults otherwise) and waits until the mapping is Enabled.
async fn map(c: &Client, function: &str, source: &str, f: impl FnOnce(CreateMapping) -> CreateMapping) -> String {
    let req = c
        .create_event_source_mapping()
        .function_name(function)
        .event_source_arn(source);
    let out = f(req).send().await.unwrap_or_else(|e| panic!("create mapping: {e:?}"));
    let uuid = out.uuid().unwrap().to_owned();
    eventually("the mapping is Enabled", Duration::from_secs(10), || async {
        let m = c.get_event_source_mapping().uuid(&uuid).send().await.unwrap();
        match m.state() {
            Some("Enabled") => Ok(()),
            other => Err(format!("{other:?}")),
        }
    })
    .await;
    uuid
}

type CreateMapping =
    aws_sdk_lambda::operation::create_event_source_mapping::builders::CreateEventSourceMappingFluentBuilder;

fn filters(patterns: &[&str]) -> FilterCriteria {
    let mut f = FilterCriteria::builder();
    for p in patterns {
        f = f.filters(Filter::builder().pattern(*p).build());
    }
    f.build()
}

async fn introspect(server: &Server) -> Value {
    let body = http_get(&format!("{}/_fauxlambda/event-source-mappings", server.endpoint)).await;
    serde_json::from_slice(&body).unwrap()
}

fn poller<'a>(listing: &'a Value, uuid: &str) -> &'a Value {
    listing["eventSourceMappings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["uuid"] == uuid)
        .unwrap_or_else(|| panic!("mapping {uuid} in {listing}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn sqs_records_key_for_key_and_batches_gathered_over_a_window() {
    let moto = Moto::start();
    let s = server(&moto);
    let c = s.client();
    let (_d, dir) = recorder(&c, "sqs-format", "ok", &[]).await;
    let (url, arn) = queue(&moto, "format-q", &[]).await;
    // One message with attributes, one without.
    moto.sqs()
        .send_message()
        .queue_url(&url)
        .message_body("{\"hello\": \"world\"}")
        .message_attributes(
            "Author",
            aws_sdk_sqs::types::MessageAttributeValue::builder()
                .data_type("String")
                .string_value("John Grisham")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let uuid = map(&c, "sqs-format", &arn, |r| r).await;
    let ev = events_until(&dir, "the first message", Duration::from_secs(20), |e| !e.is_empty()).await;
    let raw = &raw_events(&dir)[0];
    assert_eq!(keys_at(raw, &[]), ["Records"]);
    let r = &records(&ev)[0];
    assert_eq!(
        keys_at(raw, &["Records", "0"]),
        [
            "messageId",
            "receiptHandle",
            "body",
            "attributes",
            "messageAttributes",
            "md5OfMessageAttributes",
            "md5OfBody",
            "eventSource",
            "eventSourceARN",
            "awsRegion"
        ]
    );
    assert_eq!(
        r["body"], "{\"hello\": \"world\"}",
        "the body is passed as the raw string"
    );
    assert_eq!(
        keys_at(raw, &["Records", "0", "attributes"]),
        [
            "ApproximateReceiveCount",
            "SentTimestamp",
            "SenderId",
            "ApproximateFirstReceiveTimestamp"
        ]
    );
    assert_eq!(r["attributes"]["ApproximateReceiveCount"], "1");
    assert_eq!(
        r["messageAttributes"],
        json!({"Author": {"stringValue": "John Grisham", "stringListValues": [], "binaryListValues": [], "dataType": "String"}})
    );
    assert!(
        r["md5OfMessageAttributes"].as_str().is_some_and(|m| m.len() == 32),
        "{r}"
    );
    assert_eq!(r["md5OfBody"].as_str().map(str::len), Some(32));
    assert_eq!(r["eventSource"], "aws:sqs");
    assert_eq!(r["eventSourceARN"], arn.as_str());
    assert_eq!(r["awsRegion"], "us-east-1");

    send(&moto, &url, "plain").await;
    let ev = events_until(&dir, "the second message", Duration::from_secs(20), |e| e.len() >= 2).await;
    let plain = &records(&ev)[1];
    assert_eq!(
        plain["md5OfMessageAttributes"],
        Value::Null,
        "present as null without attributes"
    );
    assert_eq!(plain["messageAttributes"], json!({}));
    // Deleted once the function handled them.
    eventually("the queue is empty", Duration::from_secs(10), || async {
        match queue_depth(&moto, &url).await {
            (0, 0) => Ok(()),
            other => Err(format!("{other:?}")),
        }
    })
    .await;

    // BatchSize 15 with a window: the 15 messages sent in two calls arrive in one invocation.
    c.update_event_source_mapping()
        .uuid(&uuid)
        .batch_size(15)
        .maximum_batching_window_in_seconds(2)
        .send()
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    for chunk in (0..15).collect::<Vec<_>>().chunks(10) {
        let mut batch = moto.sqs().send_message_batch().queue_url(&url);
        for i in chunk {
            batch = batch.entries(
                aws_sdk_sqs::types::SendMessageBatchRequestEntry::builder()
                    .id(format!("m{i}"))
                    .message_body(format!("batch-{i}"))
                    .build()
                    .unwrap(),
            );
        }
        batch.send().await.unwrap();
    }
    let ev = events_until(&dir, "15 batched messages", Duration::from_secs(20), |e| {
        bodies(e).iter().filter(|b| b.starts_with("batch-")).count() == 15
    })
    .await;
    let batched: Vec<usize> = ev[2..].iter().map(|e| e["Records"].as_array().unwrap().len()).collect();
    assert_eq!(batched, [15], "one invocation of 15 records");
    // Counted once the function has answered.
    eventually("17 records in 3 batches", Duration::from_secs(10), || async {
        let listing = introspect(&s).await;
        let p = &poller(&listing, &uuid)["poller"];
        if p["records"] == 17 && p["batches"] == 3 {
            Ok(())
        } else {
            Err(listing.to_string())
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn sqs_failures_return_to_the_queue_and_redrive_to_the_dead_letter_queue() {
    let moto = Moto::start();
    let s = server(&moto);
    let c = s.client();
    let (_d, dir) = recorder(&c, "sqs-fail", "fail", &[]).await;
    let (_dlq_url, dlq_arn) = queue(&moto, "redrive-dlq", &[]).await;
    let redrive = json!({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 2}).to_string();
    let (url, arn) = queue(
        &moto,
        "redrive-q",
        &[("VisibilityTimeout", "1"), ("RedrivePolicy", &redrive)],
    )
    .await;
    let sent = moto
        .sqs()
        .send_message()
        .queue_url(&url)
        .message_body("poison")
        .send()
        .await
        .unwrap();
    let id = sent.message_id().unwrap().to_owned();
    map(&c, "sqs-fail", &arn, |r| r).await;
    let ev = events_until(&dir, "two attempts", Duration::from_secs(20), |e| e.len() >= 2).await;
    let counts: Vec<Value> = records(&ev)
        .iter()
        .map(|r| r["attributes"]["ApproximateReceiveCount"].clone())
        .collect();
    assert_eq!(counts[..2], [json!("1"), json!("2")]);
    // SQS moves it on the receive after maxReceiveCount: original body and message id.
    let dlq = moto
        .sqs()
        .get_queue_url()
        .queue_name("redrive-dlq")
        .send()
        .await
        .unwrap();
    let dlq_url = dlq.queue_url().unwrap().to_owned();
    let moved = eventually(
        "the message in the dead-letter queue",
        Duration::from_secs(20),
        || async {
            let out = moto
                .sqs()
                .receive_message()
                .queue_url(&dlq_url)
                .send()
                .await
                .map_err(|e| e.to_string())?;
            out.messages().first().cloned().ok_or("not yet".to_owned())
        },
    )
    .await;
    assert_eq!(moved.body(), Some("poison"));
    assert_eq!(moved.message_id(), Some(id.as_str()));
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(events(&dir).len(), 2, "no attempt after the move");
}

#[tokio::test(flavor = "multi_thread")]
async fn sqs_report_batch_item_failures_keeps_only_the_reported_messages() {
    let moto = Moto::start();
    let s = server(&moto);
    let c = s.client();
    let (_d, dir) = recorder(&c, "sqs-report", "report", &[]).await;
    let (url, arn) = queue(&moto, "report-q", &[("VisibilityTimeout", "1")]).await;
    for b in ["a", "fail-b", "c"] {
        send(&moto, &url, b).await;
    }
    map(&c, "sqs-report", &arn, |r| {
        r.function_response_types(FunctionResponseType::ReportBatchItemFailures)
    })
    .await;
    // Only `fail-b` comes back, again and again; `a` and `c` were deleted.
    let ev = events_until(&dir, "fail-b retried", Duration::from_secs(20), |e| {
        bodies(e).iter().filter(|b| *b == "fail-b").count() >= 2
    })
    .await;
    let b = bodies(&ev);
    assert_eq!(b.iter().filter(|b| *b == "a").count(), 1, "{b:?}");
    assert_eq!(b.iter().filter(|b| *b == "c").count(), 1, "{b:?}");

    // An answer naming a message that is not in the batch fails the whole batch.
    let (_d2, dir2) = recorder(
        &c,
        "sqs-bad-answer",
        "answer",
        &[(
            "ANSWER",
            r#"{"batchItemFailures":[{"itemIdentifier":"not-in-the-batch"}]}"#,
        )],
    )
    .await;
    let (url2, arn2) = queue(&moto, "bad-answer-q", &[("VisibilityTimeout", "1")]).await;
    send(&moto, &url2, "x").await;
    map(&c, "sqs-bad-answer", &arn2, |r| {
        r.function_response_types(FunctionResponseType::ReportBatchItemFailures)
    })
    .await;
    let ev = events_until(&dir2, "x delivered twice", Duration::from_secs(20), |e| e.len() >= 2).await;
    assert_eq!(records(&ev)[1]["attributes"]["ApproximateReceiveCount"], "2");
}

#[tokio::test(flavor = "multi_thread")]
async fn sqs_fifo_keeps_group_order_and_a_failing_group_blocks_only_itself() {
    let moto = Moto::start();
    let s = server(&moto);
    let c = s.client();
    let (_d, dir) = recorder(&c, "fifo", "report", &[]).await;
    // A long visibility timeout: what is not deleted stays in flight for the whole test (moto
    // hands a FIFO group's messages out again out of order, which SQS does not).
    let (url, arn) = queue(
        &moto,
        "orders.fifo",
        &[
            ("FifoQueue", "true"),
            ("ContentBasedDeduplication", "true"),
            ("VisibilityTimeout", "60"),
        ],
    )
    .await;
    for (group, body) in [("A", "a1-fail"), ("B", "b1"), ("A", "a2"), ("B", "b2"), ("B", "b3")] {
        moto.sqs()
            .send_message()
            .queue_url(&url)
            .message_group_id(group)
            .message_body(body)
            .send()
            .await
            .unwrap();
    }
    map(&c, "fifo", &arn, |r| {
        r.function_response_types(FunctionResponseType::ReportBatchItemFailures)
    })
    .await;
    let ev = events_until(&dir, "groups A and B invoked", Duration::from_secs(20), |e| {
        let b = bodies(e);
        b.iter().filter(|b| b.starts_with('b')).count() >= 3 && b.iter().any(|b| b == "a1-fail")
    })
    .await;
    // One invocation per group, each in its order.
    let b = bodies(&ev);
    let group_b: Vec<&String> = b.iter().filter(|b| b.starts_with('b')).collect();
    assert_eq!(group_b, ["b1", "b2", "b3"], "{b:?}");
    for e in &ev {
        let recs = bodies(std::slice::from_ref(e));
        let groups: Vec<char> = recs.iter().map(|r| r.chars().next().unwrap()).collect();
        assert!(
            groups.windows(2).all(|w| w[0] == w[1]),
            "one group per invocation: {recs:?}"
        );
        if recs.contains(&"a2".to_owned()) {
            assert_eq!(recs, ["a1-fail", "a2"]);
        }
    }
    // B's messages are deleted; a1 failed, so a1 and a2 after it stay.
    eventually("only group A left", Duration::from_secs(10), || async {
        match queue_depth(&moto, &url).await {
            (0, 2) => Ok(()),
            other => Err(format!("{other:?}")),
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn sqs_filters_deliver_matches_and_delete_the_rest() {
    let moto = Moto::start();
    let s = server(&moto);
    let c = s.client();
    let (_d, dir) = recorder(&c, "filtered", "ok", &[]).await;
    let (url, arn) = queue(&moto, "filtered-q", &[]).await;
    let uuid = map(&c, "filtered", &arn, |r| {
        r.filter_criteria(filters(&[
            r#"{"body":{"kind":["keep"],"size":[{"numeric":[">",10]}]}}"#,
        ]))
    })
    .await;
    for body in [
        r#"{"kind":"keep","size":11}"#,
        r#"{"kind":"keep","size":5}"#,
        r#"{"kind":"drop","size":50}"#,
        "keep",
    ] {
        send(&moto, &url, body).await;
    }
    eventually("everything handled", Duration::from_secs(20), || async {
        match queue_depth(&moto, &url).await {
            (0, 0) => Ok(()),
            other => Err(format!("{other:?}")),
        }
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(bodies(&events(&dir)), [r#"{"kind":"keep","size":11}"#]);
    let listing = introspect(&s).await;
    assert_eq!(poller(&listing, &uuid)["poller"]["filtered"], 3, "{listing}");

    // A pattern that is not one is refused, in AWS's words.
    let err = c
        .create_event_source_mapping()
        .function_name("filtered")
        .event_source_arn(&arn)
        .filter_criteria(filters(&[r#"{"body":"keep"}"#]))
        .send()
        .await
        .unwrap_err();
    let err = err.into_service_error();
    assert_eq!(err.meta().message(), Some("Invalid filter pattern definition."));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_slow_function_on_one_mapping_does_not_hold_up_another() {
    let moto = Moto::start();
    let s = server(&moto);
    let c = s.client();
    let (_slow_dir, slow) = recorder(&c, "slow", "slow", &[("SLOW", "15")]).await;
    let (_fast_dir, fast) = recorder(&c, "fast", "ok", &[]).await;
    let (slow_url, slow_arn) = queue(&moto, "slow-q", &[("VisibilityTimeout", "60")]).await;
    let (fast_url, fast_arn) = queue(&moto, "fast-q", &[]).await;
    map(&c, "slow", &slow_arn, |r| r).await;
    map(&c, "fast", &fast_arn, |r| r).await;
    send(&moto, &slow_url, "slow-1").await;
    events_until(&slow, "the slow function started", Duration::from_secs(20), |e| {
        !e.is_empty()
    })
    .await;
    let started = std::time::Instant::now();
    for i in 0..5 {
        send(&moto, &fast_url, &format!("fast-{i}")).await;
    }
    events_until(&fast, "five fast messages", Duration::from_secs(10), |e| {
        bodies(e).len() == 5
    })
    .await;
    assert!(started.elapsed() < Duration::from_secs(10), "{:?}", started.elapsed());
}

#[tokio::test(flavor = "multi_thread")]
async fn disable_enable_and_update_while_messages_flow_and_delete_function_keeps_the_mapping() {
    let moto = Moto::start();
    let s = server(&moto);
    let c = s.client();
    let (_d, dir) = recorder(&c, "toggled", "ok", &[]).await;
    let (url, arn) = queue(&moto, "toggled-q", &[("VisibilityTimeout", "2")]).await;
    let uuid = map(&c, "toggled", &arn, |r| r).await;
    send(&moto, &url, "one").await;
    events_until(&dir, "one", Duration::from_secs(20), |e| bodies(e) == ["one"]).await;
    let out = c
        .update_event_source_mapping()
        .uuid(&uuid)
        .enabled(false)
        .send()
        .await
        .unwrap();
    assert_eq!(out.state(), Some("Disabling"));
    eventually("Disabled", Duration::from_secs(10), || async {
        let m = c.get_event_source_mapping().uuid(&uuid).send().await.unwrap();
        if m.state() == Some("Disabled") {
            Ok(())
        } else {
            Err(format!("{:?}", m.state()))
        }
    })
    .await;
    // A long poll in progress is given up at once: nothing is taken from the queue now.
    tokio::time::sleep(Duration::from_millis(500)).await;
    for b in ["two", "three"] {
        send(&moto, &url, b).await;
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(bodies(&events(&dir)), ["one"], "nothing delivered while disabled");
    assert_eq!(queue_depth(&moto, &url).await.0, 2);
    let listing = introspect(&s).await;
    assert_eq!(poller(&listing, &uuid)["poller"]["state"], "disabled", "{listing}");
    let out = c
        .update_event_source_mapping()
        .uuid(&uuid)
        .enabled(true)
        .send()
        .await
        .unwrap();
    assert_eq!(out.state(), Some("Enabling"));
    events_until(&dir, "two and three", Duration::from_secs(20), |e| bodies(e).len() == 3).await;

    // The function deleted: the mapping stays, the messages stay in the queue.
    c.delete_function().function_name("toggled").send().await.unwrap();
    send(&moto, &url, "four").await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(bodies(&events(&dir)).len(), 3);
    let m = c.get_event_source_mapping().uuid(&uuid).send().await.unwrap();
    assert_eq!(m.state(), Some("Enabled"));
    let (visible, in_flight) = queue_depth(&moto, &url).await;
    assert_eq!(visible + in_flight, 1, "four is still there");
    let listing = introspect(&s).await;
    let error = poller(&listing, &uuid)["poller"]["lastError"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(error.contains("Function not found"), "{listing}");
    // Deleting the mapping stops its poller.
    c.delete_event_source_mapping().uuid(&uuid).send().await.unwrap();
    eventually("the mapping is gone", Duration::from_secs(10), || async {
        let listing = introspect(&s).await;
        if listing["eventSourceMappings"].as_array().unwrap().is_empty() {
            Ok(())
        } else {
            Err(listing.to_string())
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_source_that_does_not_exist_is_refused_at_create() {
    let moto = Moto::start();
    let s = server(&moto);
    let c = s.client();
    common::create_echo(&c, "nosource").await;
    let cases = [
        (
            format!("arn:aws:sqs:us-east-1:{ACCOUNT}:missing"),
            "Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified queue does not exist.".to_owned(),
        ),
        (
            format!("arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/missing"),
            format!("Stream not found: arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/missing"),
        ),
        (
            format!("arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/missing/stream/2024-01-01T00:00:00.000"),
            format!("Stream not found: arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/missing/stream/2024-01-01T00:00:00.000"),
        ),
    ];
    for (arn, message) in cases {
        let mut req = c
            .create_event_source_mapping()
            .function_name("nosource")
            .event_source_arn(&arn);
        if !arn.contains(":sqs:") {
            req = req.starting_position(EventSourcePosition::TrimHorizon);
        }
        let err = req.send().await.unwrap_err().into_service_error();
        assert!(err.is_invalid_parameter_value_exception(), "{arn}: {err:?}");
        assert_eq!(err.meta().message(), Some(message.as_str()));
    }
}

/// A Kinesis stream with `shards` shards, ACTIVE, and its ARN.
async fn stream(moto: &Moto, name: &str, shards: i32) -> String {
    let k = moto.kinesis();
    k.create_stream()
        .stream_name(name)
        .shard_count(shards)
        .send()
        .await
        .unwrap();
    let d = k.describe_stream_summary().stream_name(name).send().await.unwrap();
    d.stream_description_summary().unwrap().stream_arn().to_owned()
}

async fn put(moto: &Moto, stream: &str, key: &str, data: &str) -> String {
    let out = moto
        .kinesis()
        .put_record()
        .stream_name(stream)
        .partition_key(key)
        .data(aws_sdk_kinesis::primitives::Blob::new(data.as_bytes()))
        .send()
        .await
        .unwrap();
    out.sequence_number().to_owned()
}

fn data(r: &Value) -> String {
    use base64::Engine;
    let b = base64::engine::general_purpose::STANDARD
        .decode(r["kinesis"]["data"].as_str().unwrap())
        .unwrap();
    String::from_utf8(b).unwrap()
}

fn datas(events: &[Value]) -> Vec<String> {
    records(events).iter().map(data).collect()
}

/// The next message on `url`: its body.
async fn next_message(moto: &Moto, url: &str) -> String {
    next_message_within(moto, url, Duration::from_secs(30)).await
}

async fn next_message_within(moto: &Moto, url: &str, within: Duration) -> String {
    eventually(&format!("a message on {url}"), within, || async {
        let out = moto
            .sqs()
            .receive_message()
            .queue_url(url)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let m = out.messages().first().ok_or("no message yet")?;
        moto.sqs()
            .delete_message()
            .queue_url(url)
            .receipt_handle(m.receipt_handle().unwrap())
            .send()
            .await
            .map_err(|e| e.to_string())?;
        Ok::<_, String>(m.body().unwrap_or_default().to_owned())
    })
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn kinesis_records_partial_failures_retries_and_the_on_failure_destination() {
    let moto = Moto::start();
    let s = server(&moto);
    let c = s.client();
    let (_d, dir) = recorder(&c, "kin", "report", &[]).await;
    let arn = stream(&moto, "kin-s", 1).await;
    let (dest_url, dest_arn) = queue(&moto, "kin-failures", &[]).await;
    let mut seqs = Vec::new();
    for d in ["{\"n\":1}", "{\"n\":2,\"fail\":true}", "{\"n\":3}"] {
        seqs.push(put(&moto, "kin-s", "pk", d).await);
    }
    let uuid = map(&c, "kin", &arn, |r| {
        r.starting_position(EventSourcePosition::TrimHorizon)
            .batch_size(10)
            .maximum_retry_attempts(1)
            .function_response_types(FunctionResponseType::ReportBatchItemFailures)
            .destination_config(
                DestinationConfig::builder()
                    .on_failure(OnFailure::builder().destination(&dest_arn).build())
                    .build(),
            )
    })
    .await;
    let ev = events_until(
        &dir,
        "the batch, then the retry from the failed record",
        Duration::from_secs(20),
        |e| e.len() >= 2,
    )
    .await;
    assert_eq!(datas(&ev[..1]), ["{\"n\":1}", "{\"n\":2,\"fail\":true}", "{\"n\":3}"]);
    assert_eq!(
        datas(&ev[1..2]),
        ["{\"n\":2,\"fail\":true}", "{\"n\":3}"],
        "retried from the lowest failed"
    );
    let r = &records(&ev)[0];
    let raw = &raw_events(&dir)[0];
    assert_eq!(
        keys_at(raw, &["Records", "0"]),
        [
            "kinesis",
            "eventSource",
            "eventVersion",
            "eventID",
            "eventName",
            "invokeIdentityArn",
            "awsRegion",
            "eventSourceARN"
        ]
    );
    assert_eq!(
        keys_at(raw, &["Records", "0", "kinesis"]),
        [
            "kinesisSchemaVersion",
            "partitionKey",
            "sequenceNumber",
            "data",
            "approximateArrivalTimestamp"
        ]
    );
    assert_eq!(r["kinesis"]["partitionKey"], "pk");
    assert_eq!(r["kinesis"]["sequenceNumber"], seqs[0].as_str());
    assert!(r["kinesis"]["approximateArrivalTimestamp"].is_f64(), "{r}");
    assert_eq!(r["eventID"], format!("shardId-000000000000:{}", seqs[0]));
    assert_eq!(r["eventName"], "aws:kinesis:record");
    assert_eq!(r["invokeIdentityArn"], ROLE);
    assert_eq!(r["eventSourceARN"], arn.as_str());
    // One retry (MaximumRetryAttempts 1), then the failing records go to the destination.
    let raw = next_message(&moto, &dest_url).await;
    let record: Value = serde_json::from_str(&raw).unwrap();
    assert_eq!(
        keys_at(&raw, &[]),
        [
            "requestContext",
            "responseContext",
            "version",
            "timestamp",
            "KinesisBatchInfo"
        ]
    );
    assert_eq!(record["requestContext"]["condition"], "RetryAttemptsExhausted");
    assert_eq!(record["requestContext"]["approximateInvokeCount"], 2);
    assert_eq!(
        record["requestContext"]["functionArn"],
        format!("arn:aws:lambda:us-east-1:{ACCOUNT}:function:kin")
    );
    assert_eq!(
        record["responseContext"],
        json!({"statusCode": 200, "executedVersion": "$LATEST", "functionError": null})
    );
    let info = &record["KinesisBatchInfo"];
    assert_eq!(
        keys_at(&raw, &["KinesisBatchInfo"]),
        [
            "shardId",
            "startSequenceNumber",
            "endSequenceNumber",
            "approximateArrivalOfFirstRecord",
            "approximateArrivalOfLastRecord",
            "batchSize",
            "streamArn"
        ]
    );
    assert_eq!(info["startSequenceNumber"], seqs[1].as_str());
    assert_eq!(info["endSequenceNumber"], seqs[2].as_str());
    assert_eq!(info["batchSize"], 2);
    assert_eq!(info["streamArn"], arn.as_str());
    assert_eq!(events(&dir).len(), 2, "no third invocation");
    // The checkpoint passed the given-up records: a new record is delivered alone.
    let last = put(&moto, "kin-s", "pk", "{\"n\":4}").await;
    let ev = events_until(&dir, "n 4", Duration::from_secs(20), |e| e.len() >= 3).await;
    assert_eq!(datas(&ev[2..]), ["{\"n\":4}"]);
    // The checkpoint moves once the function has answered.
    let listing = eventually("the checkpoint at n 4", Duration::from_secs(10), || async {
        let listing = introspect(&s).await;
        let checkpoint = poller(&listing, &uuid)["poller"]["shards"]["shardId-000000000000"]["checkpoint"].clone();
        if checkpoint == last.as_str() {
            Ok(listing)
        } else {
            Err(listing.to_string())
        }
    })
    .await;
    assert_eq!(poller(&listing, &uuid)["lastProcessingResult"], "OK");
}

#[tokio::test(flavor = "multi_thread")]
async fn kinesis_bisect_isolates_a_poison_record_and_sends_it_to_s3() {
    let moto = Moto::start();
    let s = server(&moto);
    let c = s.client();
    let (_d, dir) = recorder(&c, "bisect", "fail-marked", &[]).await;
    let arn = stream(&moto, "bisect-s", 1).await;
    moto.s3().create_bucket().bucket("failures").send().await.unwrap();
    for d in ["{\"n\":1}", "{\"n\":2}", "{\"n\":3,\"fail\":1}", "{\"n\":4}"] {
        put(&moto, "bisect-s", "pk", d).await;
    }
    let uuid = map(&c, "bisect", &arn, |r| {
        r.starting_position(EventSourcePosition::TrimHorizon)
            .bisect_batch_on_function_error(true)
            .maximum_retry_attempts(0)
            .destination_config(
                DestinationConfig::builder()
                    .on_failure(OnFailure::builder().destination("arn:aws:s3:::failures").build())
                    .build(),
            )
    })
    .await;
    // 4 fail → halves [1,2] ok, [3,4] fail → [3] fails (given up), [4] ok.
    let ev = events_until(&dir, "the bisection", Duration::from_secs(20), |e| e.len() >= 5).await;
    let sizes: Vec<usize> = ev.iter().map(|e| e["Records"].as_array().unwrap().len()).collect();
    assert_eq!(sizes, [4, 2, 2, 1, 1]);
    assert_eq!(datas(&ev[4..]), ["{\"n\":4}"]);
    let key = eventually("the failure object", Duration::from_secs(20), || async {
        let out = moto
            .s3()
            .list_objects_v2()
            .bucket("failures")
            .send()
            .await
            .map_err(|e| e.to_string())?;
        out.contents()
            .first()
            .and_then(|o| o.key().map(str::to_owned))
            .ok_or("none yet".to_owned())
    })
    .await;
    let prefix = format!("aws/lambda/{uuid}/shardId-000000000000/");
    assert!(key.starts_with(&prefix), "{key}");
    let object = moto
        .s3()
        .get_object()
        .bucket("failures")
        .key(&key)
        .send()
        .await
        .unwrap();
    let body: Value = serde_json::from_slice(&object.body.collect().await.unwrap().into_bytes()).unwrap();
    assert_eq!(body["KinesisBatchInfo"]["batchSize"], 1);
    assert_eq!(body["responseContext"]["functionError"], "Unhandled");
    assert_eq!(datas(&[body["payload"].clone()]), ["{\"n\":3,\"fail\":1}"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn kinesis_filters_parallelization_keeps_key_order_and_tumbling_windows_carry_state() {
    let moto = Moto::start();
    let s = server(&moto);
    let c = s.client();
    // Filters on the decoded data.
    let (_d1, filtered) = recorder(&c, "kin-filter", "ok", &[]).await;
    let arn = stream(&moto, "filter-s", 1).await;
    map(&c, "kin-filter", &arn, |r| {
        r.starting_position(EventSourcePosition::TrimHorizon)
            .filter_criteria(filters(&[r#"{"data":{"kind":["keep"]}}"#]))
    })
    .await;
    for d in [
        r#"{"kind":"keep","n":1}"#,
        r#"{"kind":"drop"}"#,
        "not json",
        r#"{"kind":"keep","n":2}"#,
    ] {
        put(&moto, "filter-s", "pk", d).await;
    }
    let ev = events_until(&filtered, "two kept", Duration::from_secs(20), |e| {
        records(e).len() >= 2
    })
    .await;
    assert_eq!(datas(&ev), [r#"{"kind":"keep","n":1}"#, r#"{"kind":"keep","n":2}"#]);

    // ParallelizationFactor 4: batches per key, each key's records in order.
    let (_d2, parallel) = recorder(&c, "kin-parallel", "ok", &[]).await;
    let arn = stream(&moto, "parallel-s", 1).await;
    for i in 0..12 {
        put(
            &moto,
            "parallel-s",
            &format!("k{}", i % 4),
            &format!("{{\"k\":{},\"i\":{i}}}", i % 4),
        )
        .await;
    }
    map(&c, "kin-parallel", &arn, |r| {
        r.starting_position(EventSourcePosition::TrimHorizon)
            .parallelization_factor(4)
            .batch_size(2)
    })
    .await;
    let ev = events_until(&parallel, "12 records", Duration::from_secs(20), |e| {
        records(e).len() >= 12
    })
    .await;
    for k in 0..4 {
        let order: Vec<i64> = records(&ev)
            .iter()
            .map(|r| serde_json::from_str::<Value>(&data(r)).unwrap())
            .filter(|v| v["k"] == k)
            .map(|v| v["i"].as_i64().unwrap())
            .collect();
        let mut sorted = order.clone();
        sorted.sort();
        assert_eq!(order, sorted, "key k{k} in order");
        assert_eq!(order.len(), 3);
    }
    assert!(ev.len() > 1, "more than one batch");

    // A tumbling window of 2 s: state carried, then a final invocation with the total.
    let (_d3, windowed) = recorder(&c, "kin-window", "window", &[]).await;
    let arn = stream(&moto, "window-s", 1).await;
    map(&c, "kin-window", &arn, |r| {
        r.starting_position(EventSourcePosition::TrimHorizon)
            .tumbling_window_in_seconds(2)
            .batch_size(1)
    })
    .await;
    for i in 0..3 {
        put(&moto, "window-s", "pk", &format!("{{\"i\":{i}}}")).await;
    }
    let ev = events_until(&windowed, "the final invocation", Duration::from_secs(20), |e| {
        e.iter().any(|e| e["isFinalInvokeForWindow"] == true)
    })
    .await;
    let first = &ev[0];
    assert_eq!(
        keys_at(&raw_events(&windowed)[0], &[]),
        [
            "Records",
            "window",
            "state",
            "shardId",
            "eventSourceARN",
            "isFinalInvokeForWindow",
            "isWindowTerminatedEarly"
        ]
    );
    assert_eq!(first["state"], json!({}));
    let last = ev.iter().find(|e| e["isFinalInvokeForWindow"] == true).unwrap();
    assert_eq!(last["Records"], json!([]));
    let total: i64 = ev
        .iter()
        .filter(|e| e["isFinalInvokeForWindow"] == true)
        .map(|e| e["state"]["count"].as_i64().unwrap_or(0))
        .sum();
    assert_eq!(total, 3, "{ev:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn dynamodb_stream_records_as_lambda_sends_them() {
    use aws_sdk_dynamodb::types::{
        AttributeDefinition, AttributeValue, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
        StreamSpecification, StreamViewType,
    };
    let moto = Moto::start();
    let s = server(&moto);
    let c = s.client();
    let (_d, dir) = recorder(&c, "ddb", "ok", &[]).await;
    let (_df, filtered_dir) = recorder(&c, "ddb-filtered", "ok", &[]).await;
    let (_dr, _report_dir) = recorder(&c, "ddb-report", "report", &[]).await;
    let (dest_url, dest_arn) = queue(&moto, "ddb-failures", &[]).await;
    let db = moto.dynamodb();
    let table = db
        .create_table()
        .table_name("items")
        .attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name("pk")
                .attribute_type(ScalarAttributeType::S)
                .build()
                .unwrap(),
        )
        .key_schema(
            KeySchemaElement::builder()
                .attribute_name("pk")
                .key_type(KeyType::Hash)
                .build()
                .unwrap(),
        )
        .billing_mode(BillingMode::PayPerRequest)
        .stream_specification(
            StreamSpecification::builder()
                .stream_enabled(true)
                .stream_view_type(StreamViewType::NewAndOldImages)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let arn = table
        .table_description()
        .unwrap()
        .latest_stream_arn()
        .unwrap()
        .to_owned();
    map(&c, "ddb", &arn, |r| {
        r.starting_position(EventSourcePosition::TrimHorizon)
    })
    .await;
    map(&c, "ddb-filtered", &arn, |r| {
        r.starting_position(EventSourcePosition::TrimHorizon)
            .filter_criteria(filters(&[r#"{"dynamodb":{"NewImage":{"colour":{"S":["red"]}}}}"#]))
    })
    .await;
    // Items whose image says `fail` are reported failed: given up at once, to the destination.
    map(&c, "ddb-report", &arn, |r| {
        r.starting_position(EventSourcePosition::TrimHorizon)
            .maximum_retry_attempts(0)
            .function_response_types(FunctionResponseType::ReportBatchItemFailures)
            .destination_config(
                DestinationConfig::builder()
                    .on_failure(OnFailure::builder().destination(&dest_arn).build())
                    .build(),
            )
    })
    .await;
    let item = |colour: &str| {
        [
            ("pk".to_owned(), AttributeValue::S("a".into())),
            ("colour".to_owned(), AttributeValue::S(colour.into())),
            (
                "blob".to_owned(),
                AttributeValue::B(aws_sdk_dynamodb::primitives::Blob::new("foobar")),
            ),
        ]
        .into_iter()
        .collect::<std::collections::HashMap<_, _>>()
    };
    db.put_item()
        .table_name("items")
        .set_item(Some(item("red")))
        .send()
        .await
        .unwrap();
    // The same item again: DynamoDB writes no record for a change that changes nothing.
    db.put_item()
        .table_name("items")
        .set_item(Some(item("red")))
        .send()
        .await
        .unwrap();
    db.put_item()
        .table_name("items")
        .set_item(Some(item("blue")))
        .send()
        .await
        .unwrap();
    db.delete_item()
        .table_name("items")
        .key("pk", AttributeValue::S("a".into()))
        .send()
        .await
        .unwrap();
    let ev = events_until(&dir, "three records", Duration::from_secs(20), |e| {
        records(e).len() >= 3
    })
    .await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let recs = records(&events(&dir));
    let names: Vec<&str> = recs.iter().map(|r| r["eventName"].as_str().unwrap()).collect();
    assert_eq!(names, ["INSERT", "MODIFY", "REMOVE"], "{ev:?}");
    let r = &recs[0];
    let raw = &raw_events(&dir)[0];
    assert_eq!(
        keys_at(raw, &["Records", "0"]),
        [
            "eventID",
            "eventName",
            "eventVersion",
            "eventSource",
            "awsRegion",
            "dynamodb",
            "eventSourceARN"
        ]
    );
    assert_eq!(r["eventVersion"], "1.1");
    assert_eq!(r["eventSource"], "aws:dynamodb");
    assert_eq!(r["awsRegion"], "us-east-1");
    assert_eq!(r["eventSourceARN"], arn.as_str());
    assert_eq!(
        keys_at(raw, &["Records", "0", "dynamodb"]),
        [
            "ApproximateCreationDateTime",
            "Keys",
            "NewImage",
            "SequenceNumber",
            "SizeBytes",
            "StreamViewType"
        ]
    );
    assert!(r["dynamodb"]["ApproximateCreationDateTime"].is_f64());
    assert_eq!(r["dynamodb"]["Keys"], json!({"pk": {"S": "a"}}));
    assert_eq!(r["dynamodb"]["NewImage"]["blob"], json!({"B": "Zm9vYmFy"}));
    assert_eq!(r["dynamodb"]["StreamViewType"], "NEW_AND_OLD_IMAGES");
    // By DynamoDB's item-size rules: Keys pk=a (3), NewImage pk=a (3), colour=red (9), blob=6 bytes (10).
    assert_eq!(r["dynamodb"]["SizeBytes"], 25);
    assert_eq!(recs[1]["dynamodb"]["OldImage"]["colour"], json!({"S": "red"}));
    // A reported failure (the recorder fails images that contain `fail`).
    db.put_item()
        .table_name("items")
        .set_item(Some(
            [
                ("pk".to_owned(), AttributeValue::S("b".into())),
                ("note".to_owned(), AttributeValue::S("fail".into())),
            ]
            .into_iter()
            .collect(),
        ))
        .send()
        .await
        .unwrap();
    let raw = next_message(&moto, &dest_url).await;
    let record: Value = serde_json::from_str(&raw).unwrap();
    assert_eq!(
        keys_at(&raw, &[]),
        [
            "requestContext",
            "responseContext",
            "version",
            "timestamp",
            "DDBStreamBatchInfo"
        ]
    );
    assert_eq!(record["requestContext"]["condition"], "RetryAttemptsExhausted");
    assert_eq!(record["requestContext"]["approximateInvokeCount"], 1);
    assert_eq!(
        record["responseContext"]["functionError"],
        Value::Null,
        "reported, not thrown"
    );
    let info = &record["DDBStreamBatchInfo"];
    assert_eq!(info["batchSize"], 1);
    assert_eq!(info["startSequenceNumber"], info["endSequenceNumber"]);
    let arrival = info["approximateArrivalOfFirstRecord"].as_str().unwrap();
    assert!(
        arrival.ends_with('Z') && !arrival.contains('.'),
        "second precision: {arrival}"
    );
    assert!(
        record["timestamp"].as_str().unwrap().contains('.'),
        "the timestamp keeps milliseconds"
    );

    // The filter needs the type key: only the INSERT (NewImage colour red) passes.
    let filtered = events_until(&filtered_dir, "the red insert", Duration::from_secs(20), |e| {
        !e.is_empty()
    })
    .await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let names: Vec<Value> = records(&events(&filtered_dir))
        .iter()
        .map(|r| r["eventName"].clone())
        .collect();
    assert_eq!(names, [json!("INSERT")], "{filtered:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn kinesis_records_too_old_are_given_up_while_retrying() {
    let moto = Moto::start();
    let s = server(&moto);
    let c = s.client();
    let (_d, dir) = recorder(&c, "aging", "fail", &[]).await;
    let arn = stream(&moto, "aging-s", 1).await;
    let (dest_url, dest_arn) = queue(&moto, "aging-failures", &[]).await;
    put(&moto, "aging-s", "pk", "{\"old\":true}").await;
    // Retries without end; the record's age (60 s, the least AWS allows) ends them.
    map(&c, "aging", &arn, |r| {
        r.starting_position(EventSourcePosition::TrimHorizon)
            .maximum_record_age_in_seconds(60)
            .destination_config(
                DestinationConfig::builder()
                    .on_failure(OnFailure::builder().destination(&dest_arn).build())
                    .build(),
            )
    })
    .await;
    let raw = next_message_within(&moto, &dest_url, Duration::from_secs(90)).await;
    let record: Value = serde_json::from_str(&raw).unwrap();
    assert_eq!(record["requestContext"]["condition"], "RecordAgeExceeded");
    assert!(
        record["requestContext"]["approximateInvokeCount"].as_u64().unwrap() > 1,
        "{record}"
    );
    assert_eq!(
        keys_at(&raw, &[]),
        ["requestContext", "version", "timestamp", "KinesisBatchInfo"],
        "no responseContext"
    );
    let attempts = events(&dir).len();
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(events(&dir).len(), attempts, "no attempt after it was given up");
}

#[tokio::test(flavor = "multi_thread")]
async fn reserved_concurrency_bounds_the_batches_in_flight() {
    let moto = Moto::start();
    let s = server(&moto);
    let c = s.client();
    let (_d, dir) = recorder(&c, "reserved", "slow", &[("SLOW", "0.5")]).await;
    c.put_function_concurrency()
        .function_name("reserved")
        .reserved_concurrent_executions(1)
        .send()
        .await
        .unwrap();
    let (url, arn) = queue(&moto, "reserved-q", &[("VisibilityTimeout", "60")]).await;
    for i in 0..6 {
        send(&moto, &url, &format!("r{i}")).await;
    }
    map(&c, "reserved", &arn, |r| {
        r.batch_size(1).scaling_config(
            aws_sdk_lambda::types::ScalingConfig::builder()
                .maximum_concurrency(4)
                .build(),
        )
    })
    .await;
    events_until(&dir, "six batches", Duration::from_secs(30), |e| bodies(e).len() == 6).await;
    // One environment did it all: never two invocations at once.
    let body = http_get(&format!("{}/_fauxlambda/environments?function=reserved", s.endpoint)).await;
    let environments: Value = serde_json::from_slice(&body).unwrap();
    let list = environments["environments"].as_array().cloned().unwrap_or_default();
    assert_eq!(list.len(), 1, "{environments}");
}

#[tokio::test(flavor = "multi_thread")]
async fn sources_not_polled_say_so_and_an_unreachable_source_is_logged() {
    let moto = Moto::start();
    let e = moto.endpoint.clone();
    let s = Server::start_logged(&["--endpoint", &format!("sqs={e}"), "--log-level", "info"], &[]);
    let c = s.client();
    common::create_echo(&c, "kafka-target").await;
    let out = c
        .create_event_source_mapping()
        .function_name("kafka-target")
        .topics("orders")
        .starting_position(EventSourcePosition::TrimHorizon)
        .self_managed_event_source(
            aws_sdk_lambda::types::SelfManagedEventSource::builder()
                .endpoints(
                    aws_sdk_lambda::types::EndPointType::KafkaBootstrapServers,
                    vec!["127.0.0.1:9092".into()],
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    let uuid = out.uuid().unwrap().to_owned();
    eventually("the log says Kafka is not polled", Duration::from_secs(10), || async {
        if s.log().contains(&format!(
            "event source mapping {uuid}: self-managed Kafka sources are not polled"
        )) {
            Ok(())
        } else {
            Err(s.log())
        }
    })
    .await;
    let listing = introspect(&s).await;
    assert_eq!(poller(&listing, &uuid)["poller"]["state"], "not polled", "{listing}");

    // The queue's service goes away: the poller says so, and backs off.
    let (_, arn) = queue(&moto, "vanishing", &[]).await;
    let uuid = map(&c, "kafka-target", &arn, |r| r).await;
    drop(moto);
    eventually(
        "the log names the unreachable queue",
        Duration::from_secs(30),
        || async {
            let log = s.log();
            if log.contains(&format!("event source mapping {uuid}: cannot")) {
                Ok(())
            } else {
                Err(log)
            }
        },
    )
    .await;
    tokio::time::sleep(Duration::from_secs(4)).await;
    let lines = s
        .log()
        .lines()
        .filter(|l| l.contains(&uuid) && l.contains("cannot"))
        .count();
    assert!(lines <= 3, "{lines} log lines for one unreachable queue");
}
