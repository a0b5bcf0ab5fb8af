//! Asynchronous invocation end to end, with the real binary, `aws-sdk-lambda`, Python functions
//! under the process executor and a real `moto_server` as SQS, SNS, EventBridge and S3: every
//! condition of the destination record (compared field by field and in AWS's key order), each
//! destination type, dead-letter queues on SQS and SNS, retry counts under one request id,
//! throttled events waiting, an event queued before an update running the new code, a target
//! endpoint that is down, and `/_fauxlambda/async`.

mod common;

use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{
    DeadLetterConfig, DestinationConfig, FunctionCode, InvocationType, OnFailure, OnSuccess, Runtime,
};
use aws_sdk_lambda::Client;
use common::moto::Moto;
use common::{eventually, http_get, wait_active, zip, Server, ROLE};
use serde_json::{json, Value};
use std::time::Duration;

const ACCOUNT: &str = "000000000000";
const OK: &str = "def handler(event, context):\n    return {'ok': True, 'got': event}\n";
const FAIL: &str = "def handler(event, context):\n    raise Exception('boom')\n";

/// fauxlambda with every service at `moto`, retries `base` seconds apart.
fn server(moto: &Moto, base: &str) -> Server {
    let e = &moto.endpoint;
    Server::start(&[
        "--endpoint",
        &format!("sqs={e}"),
        "--endpoint",
        &format!("sns={e}"),
        "--endpoint",
        &format!("eventbridge={e}"),
        "--endpoint",
        &format!("s3={e}"),
        "--async-retry-base-delay",
        base,
    ])
}

async fn create(c: &Client, name: &str, code: &str) {
    c.create_function()
        .function_name(name)
        .runtime(Runtime::Python312)
        .role(ROLE)
        .handler("app.handler")
        .timeout(10)
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

fn arn(service: &str, resource: &str) -> String {
    format!("arn:aws:{service}:us-east-1:{ACCOUNT}:{resource}")
}

fn function_arn(name: &str) -> String {
    arn("lambda", &format!("function:{name}"))
}

/// Destinations and retry settings of `name` (unqualified).
async fn configure(c: &Client, name: &str, retries: i32, max_age: Option<i32>, ok: Option<&str>, failed: Option<&str>) {
    let dest = DestinationConfig::builder()
        .set_on_success(ok.map(|d| OnSuccess::builder().destination(d).build()))
        .set_on_failure(failed.map(|d| OnFailure::builder().destination(d).build()))
        .build();
    c.put_function_event_invoke_config()
        .function_name(name)
        .maximum_retry_attempts(retries)
        .set_maximum_event_age_in_seconds(max_age)
        .destination_config(dest)
        .send()
        .await
        .unwrap_or_else(|e| panic!("put_function_event_invoke_config {name}: {e:?}"));
}

/// Invokes with `Event`: 202, no body.
async fn event(c: &Client, name: &str, payload: &str) {
    let out = c
        .invoke()
        .function_name(name)
        .invocation_type(InvocationType::Event)
        .payload(Blob::new(payload))
        .send()
        .await
        .unwrap_or_else(|e| panic!("invoke {name}: {e:?}"));
    assert_eq!(out.status_code(), 202);
    assert_eq!(out.executed_version(), None);
}

/// A queue on moto, and its URL.
async fn queue(moto: &Moto, name: &str) -> String {
    let out = moto.sqs().create_queue().queue_name(name).send().await.unwrap();
    out.queue_url().unwrap().to_owned()
}

/// The next message on `url` (waiting up to `within`): its body and its message attributes.
async fn message(moto: &Moto, url: &str, within: Duration) -> (String, Value) {
    let sqs = moto.sqs();
    eventually(&format!("a message on {url}"), within, || {
        let sqs = sqs.clone();
        async move {
            let out = sqs
                .receive_message()
                .queue_url(url)
                .message_attribute_names("All")
                .message_system_attribute_names(aws_sdk_sqs::types::MessageSystemAttributeName::All)
                .max_number_of_messages(1)
                .send()
                .await
                .map_err(|e| e.to_string())?;
            let m = out.messages().first().ok_or("no message yet")?;
            let attrs: serde_json::Map<String, Value> = m
                .message_attributes()
                .map(|a| {
                    a.iter()
                        .map(|(k, v)| (k.clone(), json!([v.data_type(), v.string_value()])))
                        .collect()
                })
                .unwrap_or_default();
            let mut attrs = Value::Object(attrs);
            if let Some(trace) = m
                .attributes()
                .and_then(|a| a.get(&aws_sdk_sqs::types::MessageSystemAttributeName::AwsTraceHeader))
            {
                attrs["AWSTraceHeader"] = json!(trace);
            }
            sqs.delete_message()
                .queue_url(url)
                .receipt_handle(m.receipt_handle().unwrap())
                .send()
                .await
                .map_err(|e| e.to_string())?;
            Ok::<_, String>((m.body().unwrap_or_default().to_owned(), attrs))
        }
    })
    .await
}

/// Checks a record's keys come in AWS's order (the raw text), and returns it parsed.
fn record(body: &str) -> Value {
    let order = [
        "\"version\"",
        "\"timestamp\"",
        "\"requestContext\"",
        "\"requestPayload\"",
    ];
    let mut at = 0;
    for key in order
        .iter()
        .chain(["\"responseContext\"", "\"responsePayload\""].iter())
    {
        match body[at..].find(key) {
            Some(i) => at += i,
            None if key.starts_with("\"response") => break,
            None => panic!("{key} missing or out of order in {body}"),
        }
    }
    let ctx = body
        .find("\"requestContext\":{\"requestId\"")
        .expect("requestContext starts with requestId");
    let tail = &body[ctx..];
    let (c, n) = (
        tail.find("\"condition\"").unwrap(),
        tail.find("\"approximateInvokeCount\"").unwrap(),
    );
    assert!(tail.find("\"functionArn\"").unwrap() < c && c < n, "{body}");
    let v: Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"));
    assert_eq!(v["version"], "1.0");
    let ts = v["timestamp"].as_str().unwrap();
    assert!(ts.len() == 24 && ts.ends_with('Z') && ts.as_bytes()[19] == b'.', "{ts}");
    v
}

/// The `/_fauxlambda/invocations` records of `function`, oldest first.
async fn attempts(s: &Server, function: &str) -> Vec<Value> {
    let body = http_get(&format!("{}/_fauxlambda/invocations?function={function}", s.endpoint)).await;
    let v: Value = serde_json::from_slice(&body).unwrap();
    let mut list = v["invocations"].as_array().unwrap().clone();
    list.reverse();
    list
}

async fn async_state(s: &Server, function: &str) -> Value {
    let body = http_get(&format!("{}/_fauxlambda/async?function={function}", s.endpoint)).await;
    serde_json::from_slice(&body).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn success_and_retries_exhausted_records_on_sqs_with_one_request_id() {
    let moto = Moto::start();
    let s = server(&moto, "0.3");
    let c = s.client();
    let ok_q = queue(&moto, "on-success").await;
    let fail_q = queue(&moto, "on-failure").await;
    create(&c, "ok", OK).await;
    configure(&c, "ok", 2, None, Some(&arn("sqs", "on-success")), None).await;
    event(&c, "ok", r#"{"n": 1, "a": [1, 2]}"#).await;
    let (body, attrs) = message(&moto, &ok_q, Duration::from_secs(20)).await;
    let r = record(&body);
    let runs = attempts(&s, "ok").await;
    assert_eq!(runs.len(), 1);
    let id = runs[0]["requestId"].as_str().unwrap();
    assert_eq!(
        r["requestContext"],
        json!({"requestId": id, "functionArn": format!("{}:$LATEST", function_arn("ok")), "condition": "Success", "approximateInvokeCount": 1})
    );
    assert!(body.contains(r#""requestPayload":{"n":1,"a":[1,2]}"#), "{body}");
    assert_eq!(
        r["responseContext"],
        json!({"statusCode": 200, "executedVersion": "$LATEST"})
    );
    assert_eq!(r["responsePayload"], json!({"ok": true, "got": {"n": 1, "a": [1, 2]}}));
    assert!(
        attrs["AWSTraceHeader"].as_str().unwrap().starts_with("Root=1-"),
        "{attrs}"
    );
    assert_eq!(runs[0]["invocationType"], "Event");
    assert_eq!(runs[0]["attempt"], 1);
    let deliveries = eventually("the delivery recorded", Duration::from_secs(5), || async {
        let d = attempts(&s, "ok").await[0]["deliveries"].clone();
        (d.as_array().is_some_and(|a| !a.is_empty())).then_some(d)
    })
    .await;
    assert_eq!(deliveries[0]["kind"], "OnSuccess");
    assert_eq!(deliveries[0]["status"], "delivered");
    assert_eq!(deliveries[0]["target"], arn("sqs", "on-success"));

    // Retry counts 0, 1 and 2: that many retries, every attempt under the event's one request id.
    for (name, retries) in [("fail0", 0), ("fail1", 1), ("fail2", 2)] {
        create(&c, name, FAIL).await;
        configure(&c, name, retries, None, None, Some(&arn("sqs", "on-failure"))).await;
        event(&c, name, r#"{"raise": 1}"#).await;
    }
    let mut seen = std::collections::BTreeMap::new();
    for _ in 0..3 {
        let (body, _) = message(&moto, &fail_q, Duration::from_secs(30)).await;
        let r = record(&body);
        let f = r["requestContext"]["functionArn"].as_str().unwrap().to_owned();
        seen.insert(f, r);
    }
    for (name, retries) in [("fail0", 0u64), ("fail1", 1), ("fail2", 2)] {
        let r = &seen[&format!("{}:$LATEST", function_arn(name))];
        let runs = attempts(&s, name).await;
        assert_eq!(runs.len() as u64, retries + 1, "{name}: {runs:?}");
        let id = runs[0]["requestId"].as_str().unwrap();
        for (i, run) in runs.iter().enumerate() {
            assert_eq!(run["requestId"], id, "{name}: one request id");
            assert_eq!(run["attempt"], i as u64 + 1);
            assert_eq!(run["status"], "error");
            assert!(run["log"].as_str().unwrap().contains(&format!("END RequestId: {id}")));
        }
        assert_eq!(r["requestContext"]["condition"], "RetriesExhausted");
        assert_eq!(r["requestContext"]["requestId"], id);
        assert_eq!(r["requestContext"]["approximateInvokeCount"], retries + 1);
        assert_eq!(r["requestPayload"], json!({"raise": 1}));
        assert_eq!(
            r["responseContext"],
            json!({"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"})
        );
        assert_eq!(r["responsePayload"]["errorMessage"], "boom");
        assert_eq!(r["responsePayload"]["errorType"], "Exception");
    }
    // The retries came on the schedule: attempt n+1 at least base × n after attempt n.
    let runs = attempts(&s, "fail2").await;
    let starts: Vec<u64> = runs.iter().map(|r| r["startMs"].as_u64().unwrap()).collect();
    assert!(
        starts[1] - starts[0] >= 300 && starts[2] - starts[1] >= 600,
        "{starts:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn event_age_exceeded_and_zero_reserved_concurrency() {
    let moto = Moto::start();
    // AWS's own base delay: with a 60 s maximum age the first failure is final at once.
    let s = server(&moto, "60");
    let c = s.client();
    let q = queue(&moto, "failures").await;
    create(&c, "aged", FAIL).await;
    configure(&c, "aged", 2, Some(60), None, Some(&arn("sqs", "failures"))).await;
    event(&c, "aged", r#"{"k": "v"}"#).await;
    let (body, _) = message(&moto, &q, Duration::from_secs(20)).await;
    let r = record(&body);
    assert_eq!(r["requestContext"]["condition"], "EventAgeExceeded");
    assert_eq!(r["requestContext"]["approximateInvokeCount"], 1);
    assert_eq!(r["responseContext"]["functionError"], "Unhandled");
    assert_eq!(r["responsePayload"]["errorMessage"], "boom");
    assert_eq!(attempts(&s, "aged").await.len(), 1);

    create(&c, "zero", OK).await;
    configure(&c, "zero", 2, None, None, Some(&arn("sqs", "failures"))).await;
    c.put_function_concurrency()
        .function_name("zero")
        .reserved_concurrent_executions(0)
        .send()
        .await
        .unwrap();
    event(&c, "zero", "{}").await;
    let (body, _) = message(&moto, &q, Duration::from_secs(20)).await;
    let r = record(&body);
    assert_eq!(r["requestContext"]["condition"], "ZeroReservedConcurrency");
    assert_eq!(r["requestContext"]["approximateInvokeCount"], 0);
    assert!(
        body.ends_with(r#""approximateInvokeCount":0},"requestPayload":{}}"#),
        "{body}"
    );
    assert!(attempts(&s, "zero").await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dead_letter_queues_on_sqs_and_sns_beside_the_failure_destination() {
    let moto = Moto::start();
    let s = server(&moto, "0.2");
    let c = s.client();
    let dlq = queue(&moto, "dlq").await;
    let failures = queue(&moto, "failures").await;
    let via_sns = queue(&moto, "via-sns").await;
    let sns = moto.sns();
    let topic = sns.create_topic().name("dead-letters").send().await.unwrap();
    let topic_arn = topic.topic_arn().unwrap().to_owned();
    sns.subscribe()
        .topic_arn(&topic_arn)
        .protocol("sqs")
        .endpoint(arn("sqs", "via-sns"))
        .send()
        .await
        .unwrap();
    for (name, target) in [("to-sqs", arn("sqs", "dlq")), ("to-sns", topic_arn.clone())] {
        create(&c, name, FAIL).await;
        c.update_function_configuration()
            .function_name(name)
            .dead_letter_config(DeadLetterConfig::builder().target_arn(target).build())
            .send()
            .await
            .unwrap();
        wait_active(&c, name).await;
        configure(&c, name, 1, None, None, Some(&arn("sqs", "failures"))).await;
    }
    let original = r#"{"raise_error": 1}"#;
    event(&c, "to-sqs", original).await;
    let (body, attrs) = message(&moto, &dlq, Duration::from_secs(30)).await;
    assert_eq!(body, original, "the original event, unchanged");
    let id = attempts(&s, "to-sqs").await[0]["requestId"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(attrs["RequestID"], json!(["String", id]));
    assert_eq!(attrs["ErrorCode"], json!(["Number", "200"]));
    assert_eq!(attrs["ErrorMessage"], json!(["String", "boom"]));
    // And the on-failure destination too.
    let (body, _) = message(&moto, &failures, Duration::from_secs(10)).await;
    assert_eq!(record(&body)["requestContext"]["requestId"], id.as_str());

    event(&c, "to-sns", original).await;
    let (body, _) = message(&moto, &via_sns, Duration::from_secs(30)).await;
    let envelope: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(envelope["Message"], original);
    assert_eq!(envelope["TopicArn"], topic_arn.as_str());
    let id = attempts(&s, "to-sns").await[0]["requestId"]
        .as_str()
        .unwrap()
        .to_owned();
    let a = &envelope["MessageAttributes"];
    assert_eq!(a["RequestID"], json!({"Type": "String", "Value": id}));
    assert_eq!(a["ErrorCode"], json!({"Type": "Number", "Value": "200"}));
    assert_eq!(a["ErrorMessage"], json!({"Type": "String", "Value": "boom"}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sns_lambda_eventbridge_and_s3_destinations() {
    let moto = Moto::start();
    let s = server(&moto, "0.2");
    let c = s.client();
    // SNS → SQS subscription.
    let from_sns = queue(&moto, "from-sns").await;
    let sns = moto.sns();
    let topic = sns
        .create_topic()
        .name("results")
        .send()
        .await
        .unwrap()
        .topic_arn()
        .unwrap()
        .to_owned();
    sns.subscribe()
        .topic_arn(&topic)
        .protocol("sqs")
        .endpoint(arn("sqs", "from-sns"))
        .send()
        .await
        .unwrap();
    // EventBridge bus → rule (source lambda) → SQS.
    let from_bus = queue(&moto, "from-bus").await;
    let eb = moto.eventbridge();
    let bus = eb
        .create_event_bus()
        .name("results")
        .send()
        .await
        .unwrap()
        .event_bus_arn()
        .unwrap()
        .to_owned();
    eb.put_rule()
        .name("lambda-results")
        .event_bus_name("results")
        .event_pattern(r#"{"source": ["lambda"]}"#)
        .send()
        .await
        .unwrap();
    eb.put_targets()
        .rule("lambda-results")
        .event_bus_name("results")
        .targets(
            aws_sdk_eventbridge::types::Target::builder()
                .id("q")
                .arn(arn("sqs", "from-bus"))
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    // S3 bucket (on failure only).
    let s3 = moto.s3();
    s3.create_bucket().bucket("failures").send().await.unwrap();
    // The Lambda target prints the record it gets.
    create(
        &c,
        "sink",
        "import json\n\ndef handler(event, context):\n    print('SINK ' + json.dumps(event))\n",
    )
    .await;

    create(&c, "to-sns", OK).await;
    configure(&c, "to-sns", 0, None, Some(&topic), None).await;
    create(&c, "to-bus", FAIL).await;
    configure(&c, "to-bus", 0, None, None, Some(&bus)).await;
    create(&c, "to-lambda", OK).await;
    configure(&c, "to-lambda", 0, None, Some(&function_arn("sink")), None).await;
    create(&c, "to-s3", FAIL).await;
    configure(&c, "to-s3", 0, None, None, Some("arn:aws:s3:::failures")).await;
    for name in ["to-sns", "to-bus", "to-lambda", "to-s3"] {
        event(&c, name, r#"{"from": "test"}"#).await;
    }

    let (body, _) = message(&moto, &from_sns, Duration::from_secs(30)).await;
    let envelope: Value = serde_json::from_str(&body).unwrap();
    let r = record(envelope["Message"].as_str().unwrap());
    assert_eq!(r["requestContext"]["condition"], "Success");
    assert_eq!(r["requestPayload"], json!({"from": "test"}));

    let (body, _) = message(&moto, &from_bus, Duration::from_secs(30)).await;
    let ev: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(ev["source"], "lambda");
    assert_eq!(ev["detail-type"], "Lambda Function Invocation Result - Failure");
    // (moto's envelope has no `account`; AWS's does: not ours to check.)
    assert_eq!(ev["region"], "us-east-1");
    let resources: Vec<&str> = ev["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert!(resources.contains(&bus.as_str()), "{resources:?}");
    assert!(
        resources.contains(&format!("{}:$LATEST", function_arn("to-bus")).as_str()),
        "{resources:?}"
    );
    assert_eq!(ev["detail"]["requestContext"]["condition"], "RetriesExhausted");
    assert_eq!(ev["detail"]["responsePayload"]["errorMessage"], "boom");

    let printed = eventually("the sink ran", Duration::from_secs(30), || async {
        attempts(&s, "sink").await.iter().find_map(|r| {
            r["log"]
                .as_str()
                .and_then(|l| l.lines().find(|l| l.starts_with("SINK ")).map(str::to_owned))
        })
    })
    .await;
    let r: Value = serde_json::from_str(printed.trim_start_matches("SINK ")).unwrap();
    assert_eq!(
        r["requestContext"]["functionArn"],
        format!("{}:$LATEST", function_arn("to-lambda"))
    );
    assert_eq!(r["responsePayload"], json!({"ok": true, "got": {"from": "test"}}));
    assert_eq!(attempts(&s, "sink").await[0]["invocationType"], "Event");

    let key = eventually("the S3 record", Duration::from_secs(30), || async {
        let out = s3.list_objects_v2().bucket("failures").send().await.ok()?;
        out.contents().first().and_then(|o| o.key()).map(str::to_owned)
    })
    .await;
    assert!(key.starts_with("aws/lambda/async/to-s3/"), "{key}");
    let object = s3.get_object().bucket("failures").key(&key).send().await.unwrap();
    let bytes = object.body.collect().await.unwrap().into_bytes();
    let r = record(std::str::from_utf8(&bytes).unwrap());
    assert_eq!(r["requestContext"]["condition"], "RetriesExhausted");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttled_events_wait_and_queued_events_run_the_new_code() {
    let moto = Moto::start();
    let s = server(&moto, "0.2");
    let c = s.client();
    let done = queue(&moto, "done").await;
    let slow = "import time\n\ndef handler(event, context):\n    time.sleep(event.get('sleep', 0))\n    return 'v1'\n";
    create(&c, "one-at-a-time", slow).await;
    configure(&c, "one-at-a-time", 0, None, Some(&arn("sqs", "done")), None).await;
    c.put_function_concurrency()
        .function_name("one-at-a-time")
        .reserved_concurrent_executions(1)
        .send()
        .await
        .unwrap();
    event(&c, "one-at-a-time", r#"{"sleep": 5}"#).await;
    // Its environment exists: the attempt holds the function's one slot.
    eventually("the first event runs", Duration::from_secs(20), || async {
        let body = http_get(&format!(
            "{}/_fauxlambda/environments?function=one-at-a-time",
            s.endpoint
        ))
        .await;
        let v: Value = serde_json::from_slice(&body).unwrap();
        v["environments"].as_array().is_some_and(|e| e.len() == 1)
    })
    .await;
    for i in 0..3 {
        event(&c, "one-at-a-time", &format!(r#"{{"n": {i}}}"#)).await;
    }
    // A synchronous invoke meanwhile is throttled; the events wait, put back without a retry used.
    let sync = c
        .invoke()
        .function_name("one-at-a-time")
        .payload(Blob::new("{}"))
        .send()
        .await;
    let err = match sync {
        Ok(_) => panic!("not throttled: {:?}", attempts(&s, "one-at-a-time").await),
        Err(e) => e,
    };
    assert_eq!(err.raw_response().map(|r| r.status().as_u16()), Some(429));
    let waiting = eventually("events put back", Duration::from_secs(10), || async {
        let st = async_state(&s, "one-at-a-time").await;
        let events = st["events"].as_array().cloned().unwrap_or_default();
        events
            .iter()
            .any(|e| e["requeues"].as_u64() > Some(0))
            .then_some(events)
    })
    .await;
    assert!(waiting.iter().all(|e| e["attempts"] == 0), "{waiting:?}");
    // The code changes while they wait: they run the new code.
    c.update_function_code()
        .function_name("one-at-a-time")
        .zip_file(Blob::new(zip(&[(
            "app.py",
            "def handler(event, context):\n    return 'v2'\n",
        )])))
        .send()
        .await
        .unwrap();
    let mut answers = Vec::new();
    for _ in 0..4 {
        let (body, _) = message(&moto, &done, Duration::from_secs(30)).await;
        answers.push(record(&body)["responsePayload"].clone());
    }
    assert_eq!(answers.iter().filter(|a| **a == json!("v1")).count(), 1, "{answers:?}");
    assert_eq!(answers.iter().filter(|a| **a == json!("v2")).count(), 3, "{answers:?}");
    let runs = attempts(&s, "one-at-a-time").await;
    assert_eq!(runs.len(), 4, "each event exactly once: {runs:?}");
    assert!(runs.iter().all(|r| r["attempt"] == 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_that_is_down_is_retried_and_blocks_nothing() {
    // SQS at a port nothing listens on; the endpoints also from FAUXLAMBDA_ENDPOINTS.
    let down = format!("http://127.0.0.1:{}", common::moto::free_port());
    let s = Server::start_with_env(
        &["--async-retry-base-delay", "0.2"],
        &[("FAUXLAMBDA_ENDPOINTS", format!("sqs={down},sns={down}").into())],
    );
    let c = s.client();
    create(&c, "lost", OK).await;
    configure(&c, "lost", 0, None, Some(&arn("sqs", "nowhere")), None).await;
    create(&c, "other", OK).await;
    event(&c, "lost", "{}").await;
    for _ in 0..3 {
        event(&c, "other", "{}").await;
    }
    eventually("the other function's events run", Duration::from_secs(20), || async {
        attempts(&s, "other").await.len() == 3
    })
    .await;
    let d = eventually("the delivery given up", Duration::from_secs(30), || async {
        let st = async_state(&s, "lost").await;
        st["deliveries"].as_array().and_then(|d| d.first().cloned())
    })
    .await;
    assert_eq!(d["status"], "failed", "{d}");
    assert_eq!(d["tries"], 4);
    assert_eq!(d["kind"], "OnSuccess");
    let error = d["error"].as_str().unwrap();
    assert!(error.contains("GetQueueUrl"), "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queued_retries_are_listed_and_dropped_with_their_function() {
    let s = Server::start(&["--async-retry-base-delay", "30"]);
    let c = s.client();
    create(&c, "later", FAIL).await;
    event(&c, "later", r#"{"x": 1}"#).await;
    let events = eventually("the retry is queued", Duration::from_secs(20), || async {
        let st = async_state(&s, "later").await;
        let events = st["events"].as_array().cloned().unwrap_or_default();
        (events.len() == 1 && events[0]["attempts"] == 1).then_some(events)
    })
    .await;
    let e = &events[0];
    assert_eq!(e["function"], "later");
    assert_eq!(e["requeues"], 0);
    let due = e["dueInMs"].as_u64().unwrap();
    assert!((20_000..=30_000).contains(&due), "{e}");
    assert_eq!(e["requestId"], attempts(&s, "later").await[0]["requestId"]);
    c.delete_function().function_name("later").send().await.unwrap();
    let st = async_state(&s, "").await;
    assert_eq!(st["events"], json!([]), "{st}");

    // Reset drops them too.
    create(&c, "again", FAIL).await;
    event(&c, "again", "{}").await;
    eventually("queued", Duration::from_secs(20), || async {
        async_state(&s, "again").await["events"]
            .as_array()
            .is_some_and(|e| e.len() == 1)
    })
    .await;
    let body = common::http_post(&format!("{}/_fauxlambda/reset", s.endpoint), b"").await;
    assert!(String::from_utf8_lossy(&body).contains("ok"));
    assert_eq!(async_state(&s, "").await["events"], json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_queue_throttles_event_invokes() {
    // 1 MB of queue; one environment, busy for good: 32 attempts start (and wait), the rest queue.
    let s = Server::start(&["--async-queue-mb", "1", "--max-environments", "1"]);
    let c = s.client();
    create(
        &c,
        "busy",
        "import time\n\ndef handler(event, context):\n    time.sleep(30)\n",
    )
    .await;
    let big = format!(r#"{{"pad": "{}"}}"#, "x".repeat(600 * 1024));
    let mut throttled = None;
    for i in 0..40 {
        let out = c
            .invoke()
            .function_name("busy")
            .invocation_type(InvocationType::Event)
            .payload(Blob::new(big.as_bytes()))
            .send()
            .await;
        if let Err(e) = out {
            throttled = Some((i, e));
            break;
        }
        if i == 31 {
            // Let the dispatcher take the first 32 out of the queue.
            eventually("32 attempts started", Duration::from_secs(20), || async {
                async_state(&s, "busy").await["running"]["busy"] == 32
            })
            .await;
        }
    }
    let (i, e) = throttled.expect("the queue filled up");
    assert_eq!(i, 33, "one 600 KB event fits in 1 MB, the second does not");
    let e = e.into_service_error();
    assert!(e.is_too_many_requests_exception(), "{e:?}");
    assert_eq!(
        async_state(&s, "busy").await["events"].as_array().map(Vec::len),
        Some(1)
    );
    // Deleting the function frees the queue: events are taken again.
    c.delete_function().function_name("busy").send().await.unwrap();
    create(&c, "busy", OK).await;
    event(&c, "busy", &big).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn functions_get_the_service_endpoints() {
    let moto = Moto::start();
    let s = server(&moto, "60");
    let c = s.client();
    let code = "import os\n\ndef handler(event, context):\n    return {k: v for k, v in os.environ.items() if k.startswith('AWS_ENDPOINT_URL')}\n";
    create(&c, "env", code).await;
    let out = c.invoke().function_name("env").send().await.unwrap();
    let vars: Value = serde_json::from_slice(out.payload().unwrap().as_ref()).unwrap();
    for service in ["SQS", "SNS", "EVENTBRIDGE", "S3"] {
        assert_eq!(
            vars[format!("AWS_ENDPOINT_URL_{service}")],
            moto.endpoint.as_str(),
            "{vars}"
        );
    }
    assert_eq!(vars["AWS_ENDPOINT_URL_LAMBDA"], s.endpoint.as_str(), "{vars}");
    assert_eq!(vars["AWS_ENDPOINT_URL"], s.endpoint.as_str(), "{vars}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_invoke_request_id_is_the_invocations() {
    use aws_sdk_lambda::operation::RequestId;
    let s = Server::start(&[]);
    let c = s.client();
    create(&c, "ids", OK).await;
    let sync = c.invoke().function_name("ids").send().await.unwrap();
    let sync_id = sync.request_id().expect("x-amzn-RequestId").to_owned();
    let queued = c
        .invoke()
        .function_name("ids")
        .invocation_type(InvocationType::Event)
        .send()
        .await
        .unwrap();
    let event_id = queued.request_id().expect("x-amzn-RequestId").to_owned();
    assert_ne!(sync_id, event_id);
    let runs = eventually("both ran", Duration::from_secs(20), || async {
        let runs = attempts(&s, "ids").await;
        (runs.len() == 2).then_some(runs)
    })
    .await;
    assert_eq!(runs[0]["requestId"], sync_id.as_str());
    assert_eq!(runs[1]["requestId"], event_id.as_str());
    // Every other operation names its request too.
    let listed = c.list_functions().send().await.unwrap();
    assert_eq!(listed.request_id().map(str::len), Some(36));
}
