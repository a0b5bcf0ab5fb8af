//! Event source mapping benchmark of the release `fauxlambda` binary against a real
//! `moto_server` (from `.venv`, `scripts/test-deps`), run with
//! `cargo bench -p fauxlambda --bench event_sources`. It prints, side by side in one run:
//!
//! - SQS messages/s delivered to a warm Python echo function by a mapping with batch size 10
//!   (from creating the mapping on a queue holding the messages until every one was handled),
//!   beside moto's own rate of `ReceiveMessage` (10) + `DeleteMessageBatch` with no function:
//!   the ceiling;
//! - Kinesis records/s likewise (batch size 100, beside `GetRecords` of 100 from TRIM_HORIZON);
//! - end-to-end latency from `SendMessage` to the handler, the queue empty and the mapping
//!   waiting, beside moto's own latency from `SendMessage` to a waiting long poll's answer;
//! - the CPU fauxlambda uses with 100 idle SQS mappings, and with 100 idle Kinesis mappings.
//!
//! Goals: ≥ 0.8 of the ceiling; latency ≤ 50 ms plus moto's own; 100 idle mappings < 1 % of a core.

use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{Environment, EventSourcePosition, FunctionCode, Runtime};
use std::io::Write;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const ROLE: &str = "arn:aws:iam::000000000000:role/bench";
/// moto slows down as a queue grows (a send or receive scans the queue): a few hundred keep it fast.
const SQS_MESSAGES: usize = 500;
const KINESIS_RECORDS: usize = 5_000;
const LATENCY_SAMPLES: usize = 30;
const IDLE_MAPPINGS: usize = 100;
const IDLE_SECONDS: u64 = 20;

const HANDLER: &str = r#"
import os, time

def handler(event, context):
    log = os.environ.get('LATENCY_LOG')
    if log:
        now = time.time()
        with open(log, 'a') as f:
            for r in event.get('Records', []):
                f.write('%s %f\n' % (r.get('body', ''), now))
    return {}
"#;

struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn wait_port(port: u16) {
    let t0 = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(t0.elapsed() < Duration::from_secs(30), "port {port} did not open");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// CPU time (user + system) of `pid`, in clock ticks.
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, r)| r)
        .unwrap_or("")
        .split_whitespace()
        .collect();
    // After the command: state is field 0; utime 11, stime 12.
    fields.get(11).and_then(|u| u.parse::<u64>().ok()).unwrap_or(0)
        + fields.get(12).and_then(|s| s.parse::<u64>().ok()).unwrap_or(0)
}

fn ticks_per_second() -> f64 {
    // SAFETY: sysconf has no preconditions.
    (unsafe { libc::sysconf(libc::_SC_CLK_TCK) }) as f64
}

macro_rules! client {
    ($sdk:ident, $endpoint:expr) => {{
        let config = $sdk::Config::builder()
            .behavior_version($sdk::config::BehaviorVersion::latest())
            .endpoint_url($endpoint)
            .region($sdk::config::Region::new("us-east-1"))
            .credentials_provider($sdk::config::Credentials::new(
                "AKIDTEST", "secret", None, None, "bench",
            ))
            .http_client(aws_smithy_http_client::Builder::new().build_http())
            .build();
        $sdk::Client::from_conf(config)
    }};
}

fn zip(code: &str) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    w.start_file("app.py", zip::write::SimpleFileOptions::default())
        .unwrap();
    w.write_all(code.as_bytes()).unwrap();
    w.finish().unwrap().into_inner()
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

struct Bench {
    lambda: aws_sdk_lambda::Client,
    sqs: aws_sdk_sqs::Client,
    kinesis: aws_sdk_kinesis::Client,
    port: u16,
    fauxlambda: Proc,
}

impl Bench {
    async fn create_function(&self, name: &str, latency_log: Option<&str>) {
        let mut env = Environment::builder();
        if let Some(l) = latency_log {
            env = env.variables("LATENCY_LOG", l);
        }
        self.lambda
            .create_function()
            .function_name(name)
            .runtime(Runtime::Python312)
            .role(ROLE)
            .handler("app.handler")
            .timeout(60)
            .environment(env.build())
            .code(FunctionCode::builder().zip_file(Blob::new(zip(HANDLER))).build())
            .send()
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
    }

    async fn queue(&self, name: &str) -> (String, String) {
        let url = self
            .sqs
            .create_queue()
            .queue_name(name)
            .send()
            .await
            .unwrap()
            .queue_url
            .unwrap();
        (url, format!("arn:aws:sqs:us-east-1:000000000000:{name}"))
    }

    async fn fill(&self, url: &str, n: usize) {
        for start in (0..n).step_by(10) {
            let mut batch = self.sqs.send_message_batch().queue_url(url);
            for i in start..(start + 10).min(n) {
                batch = batch.entries(
                    aws_sdk_sqs::types::SendMessageBatchRequestEntry::builder()
                        .id(format!("m{i}"))
                        .message_body(format!("{{\"i\":{i}}}"))
                        .build()
                        .unwrap(),
                );
            }
            batch.send().await.unwrap();
        }
    }

    async fn map(&self, function: &str, source: &str, batch: i32, stream: bool) -> String {
        let mut req = self
            .lambda
            .create_event_source_mapping()
            .function_name(function)
            .event_source_arn(source)
            .batch_size(batch);
        if stream {
            req = req.starting_position(EventSourcePosition::TrimHorizon);
        }
        req.send().await.unwrap().uuid.unwrap()
    }

    /// Records the mapping's poller has delivered so far.
    async fn delivered(&self, uuid: &str) -> u64 {
        let body = reqwest_get(self.port, "/_fauxlambda/event-source-mappings").await;
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        v["eventSourceMappings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["uuid"] == uuid)
            .and_then(|m| m["poller"]["records"].as_u64())
            .unwrap_or(0)
    }

    async fn wait_delivered(&self, uuid: &str, n: u64) {
        let t0 = Instant::now();
        while self.delivered(uuid).await < n {
            assert!(
                t0.elapsed() < Duration::from_secs(600),
                "only {} of {n} delivered",
                self.delivered(uuid).await
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

/// A GET to fauxlambda's own endpoint.
async fn reqwest_get(port: u16, path: &str) -> Vec<u8> {
    use http_body_util::{BodyExt, Empty};
    let stream = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let (mut send, conn) = hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(conn);
    let req = http::Request::get(path)
        .header("host", "127.0.0.1")
        .body(Empty::<bytes::Bytes>::new())
        .unwrap();
    let resp = send.send_request(req).await.unwrap();
    resp.into_body().collect().await.unwrap().to_bytes().to_vec()
}

#[tokio::main]
async fn main() {
    let moto_bin = root().join(".venv/bin/moto_server");
    assert!(
        moto_bin.exists(),
        "{} is missing: run scripts/test-deps",
        moto_bin.display()
    );
    let moto_port = free_port();
    let _moto = Proc(
        Command::new(&moto_bin)
            .args(["-H", "127.0.0.1", "-p", &moto_port.to_string()])
            .env("MOTO_ACCOUNT_ID", "000000000000")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_port(moto_port);
    let moto = format!("http://127.0.0.1:{moto_port}");
    let port = free_port();
    let data = tempfile::tempdir().unwrap();
    let fauxlambda = Proc(
        Command::new(env!("CARGO_BIN_EXE_fauxlambda"))
            .args([
                "--listen",
                &format!("127.0.0.1:{port}"),
                "--log-level",
                "error",
                "--executor",
                "process",
            ])
            .args([
                "--endpoint",
                &format!("sqs={moto}"),
                "--endpoint",
                &format!("kinesis={moto}"),
            ])
            .arg("--data-dir")
            .arg(data.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_port(port);
    let lambda = {
        let config = aws_sdk_lambda::Config::builder()
            .behavior_version(aws_sdk_lambda::config::BehaviorVersion::latest())
            .endpoint_url(format!("http://127.0.0.1:{port}"))
            .region(aws_sdk_lambda::config::Region::new("us-east-1"))
            .credentials_provider(aws_sdk_lambda::config::Credentials::new(
                "AKIDTEST", "secret", None, None, "bench",
            ))
            .http_client(aws_smithy_http_client::Builder::new().build_http())
            .build();
        aws_sdk_lambda::Client::from_conf(config)
    };
    let b = Bench {
        lambda,
        sqs: client!(aws_sdk_sqs, &moto),
        kinesis: client!(aws_sdk_kinesis, &moto),
        port,
        fauxlambda,
    };
    println!("event source mappings against moto_server (process executor, Python echo function)");
    b.create_function("echo", None).await;

    // Warm the function's environments (5 batches at once) on a queue of its own.
    let (warm_url, warm_arn) = b.queue("warm").await;
    b.fill(&warm_url, 200).await;
    let warm = b.map("echo", &warm_arn, 10, false).await;
    b.wait_delivered(&warm, 200).await;
    b.lambda.delete_event_source_mapping().uuid(&warm).send().await.unwrap();

    // SQS: the ceiling, then fauxlambda.
    let (ceiling_url, _) = b.queue("ceiling").await;
    b.fill(&ceiling_url, SQS_MESSAGES).await;
    let t0 = Instant::now();
    let mut taken = 0;
    while taken < SQS_MESSAGES {
        let out = b
            .sqs
            .receive_message()
            .queue_url(&ceiling_url)
            .max_number_of_messages(10)
            .send()
            .await
            .unwrap();
        let messages = out.messages.unwrap_or_default();
        if messages.is_empty() {
            continue;
        }
        taken += messages.len();
        let mut delete = b.sqs.delete_message_batch().queue_url(&ceiling_url);
        for (i, m) in messages.iter().enumerate() {
            delete = delete.entries(
                aws_sdk_sqs::types::DeleteMessageBatchRequestEntry::builder()
                    .id(i.to_string())
                    .receipt_handle(m.receipt_handle.clone().unwrap())
                    .build()
                    .unwrap(),
            );
        }
        delete.send().await.unwrap();
    }
    let ceiling = SQS_MESSAGES as f64 / t0.elapsed().as_secs_f64();
    let (url, arn) = b.queue("measured").await;
    b.fill(&url, SQS_MESSAGES).await;
    let t0 = Instant::now();
    let uuid = b.map("echo", &arn, 10, false).await;
    b.wait_delivered(&uuid, SQS_MESSAGES as u64).await;
    let rate = SQS_MESSAGES as f64 / t0.elapsed().as_secs_f64();
    println!(
        "SQS, batch size 10, {SQS_MESSAGES} messages: fauxlambda {rate:.0} messages/s delivered; moto's ReceiveMessage+DeleteMessageBatch {ceiling:.0}/s; ratio {:.2} (goal >= 0.8)",
        rate / ceiling
    );
    b.lambda.delete_event_source_mapping().uuid(&uuid).send().await.unwrap();

    // Kinesis: two streams holding the same records; the ceiling reads one, fauxlambda the other.
    for name in ["k-ceiling", "k-measured"] {
        b.kinesis
            .create_stream()
            .stream_name(name)
            .shard_count(1)
            .send()
            .await
            .unwrap();
        for start in (0..KINESIS_RECORDS).step_by(500) {
            let mut put = b.kinesis.put_records().stream_name(name);
            for i in start..(start + 500).min(KINESIS_RECORDS) {
                put = put.records(
                    aws_sdk_kinesis::types::PutRecordsRequestEntry::builder()
                        .partition_key(format!("k{}", i % 16))
                        .data(aws_sdk_kinesis::primitives::Blob::new(format!("{{\"i\":{i}}}")))
                        .build()
                        .unwrap(),
                );
            }
            put.send().await.unwrap();
        }
    }
    let t0 = Instant::now();
    let shard = "shardId-000000000000";
    let mut it = b
        .kinesis
        .get_shard_iterator()
        .stream_name("k-ceiling")
        .shard_id(shard)
        .shard_iterator_type(aws_sdk_kinesis::types::ShardIteratorType::TrimHorizon)
        .send()
        .await
        .unwrap()
        .shard_iterator
        .unwrap();
    let mut read = 0;
    while read < KINESIS_RECORDS {
        let out = b
            .kinesis
            .get_records()
            .shard_iterator(&it)
            .limit(100)
            .send()
            .await
            .unwrap();
        read += out.records.len();
        it = out.next_shard_iterator.unwrap();
    }
    let ceiling = KINESIS_RECORDS as f64 / t0.elapsed().as_secs_f64();
    let stream_arn = b
        .kinesis
        .describe_stream_summary()
        .stream_name("k-measured")
        .send()
        .await
        .unwrap()
        .stream_description_summary
        .unwrap()
        .stream_arn;
    let t0 = Instant::now();
    let uuid = b.map("echo", &stream_arn, 100, true).await;
    b.wait_delivered(&uuid, KINESIS_RECORDS as u64).await;
    let rate = KINESIS_RECORDS as f64 / t0.elapsed().as_secs_f64();
    println!(
        "Kinesis, batch size 100, {KINESIS_RECORDS} records, 1 shard: fauxlambda {rate:.0} records/s delivered; moto's GetRecords {ceiling:.0}/s; ratio {:.2} (goal >= 0.8)",
        rate / ceiling
    );
    b.lambda.delete_event_source_mapping().uuid(&uuid).send().await.unwrap();

    // Latency: moto's own (a waiting long poll), then through a mapping.
    let (own_url, _) = b.queue("own-latency").await;
    let mut own = Vec::new();
    for i in 0..LATENCY_SAMPLES {
        let sqs = b.sqs.clone();
        let u = own_url.clone();
        let poll = tokio::spawn(async move {
            let out = sqs
                .receive_message()
                .queue_url(&u)
                .wait_time_seconds(10)
                .send()
                .await
                .unwrap();
            let done = Instant::now();
            for m in out.messages.unwrap_or_default() {
                sqs.delete_message()
                    .queue_url(&u)
                    .receipt_handle(m.receipt_handle.unwrap())
                    .send()
                    .await
                    .unwrap();
            }
            done
        });
        tokio::time::sleep(Duration::from_millis(200)).await;
        let sent = Instant::now();
        b.sqs
            .send_message()
            .queue_url(&own_url)
            .message_body(format!("own-{i}"))
            .send()
            .await
            .unwrap();
        let done = poll.await.unwrap();
        own.push(done.duration_since(sent).as_secs_f64() * 1000.0);
    }
    let log = data.path().join("latency.log");
    b.create_function("latency", Some(log.to_str().unwrap())).await;
    let (lat_url, lat_arn) = b.queue("latency").await;
    let uuid = b.map("latency", &lat_arn, 10, false).await;
    // A first message warms the function.
    b.sqs
        .send_message()
        .queue_url(&lat_url)
        .message_body("warm")
        .send()
        .await
        .unwrap();
    b.wait_delivered(&uuid, 1).await;
    let mut through = Vec::new();
    for i in 0..LATENCY_SAMPLES {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let sent = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs_f64();
        let body = format!("m{i}");
        b.sqs
            .send_message()
            .queue_url(&lat_url)
            .message_body(&body)
            .send()
            .await
            .unwrap();
        b.wait_delivered(&uuid, i as u64 + 2).await;
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        let at: f64 = text
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{body} ")))
            .and_then(|t| t.parse().ok())
            .expect("the handler's time");
        through.push((at - sent) * 1000.0);
    }
    own.sort_by(f64::total_cmp);
    through.sort_by(f64::total_cmp);
    println!(
        "latency SendMessage -> handler, empty queue, {LATENCY_SAMPLES} samples: p50 {:.1} ms, p95 {:.1} ms; moto's SendMessage -> waiting ReceiveMessage p50 {:.1} ms, p95 {:.1} ms; overhead p50 {:.1} ms (goal <= 50 ms)",
        percentile(&through, 0.5),
        percentile(&through, 0.95),
        percentile(&own, 0.5),
        percentile(&own, 0.95),
        percentile(&through, 0.5) - percentile(&own, 0.5)
    );
    b.lambda.delete_event_source_mapping().uuid(&uuid).send().await.unwrap();

    // Idle: 100 SQS mappings on empty queues, then 100 Kinesis mappings on empty streams.
    let pid = b.fauxlambda.0.id();
    let mut idle = Vec::new();
    for i in 0..IDLE_MAPPINGS {
        let (_, arn) = b.queue(&format!("idle-{i}")).await;
        idle.push(b.map("echo", &arn, 10, false).await);
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    let (c0, t0) = (cpu_ticks(pid), Instant::now());
    tokio::time::sleep(Duration::from_secs(IDLE_SECONDS)).await;
    let sqs_share = (cpu_ticks(pid) - c0) as f64 / ticks_per_second() / t0.elapsed().as_secs_f64();
    for uuid in idle.drain(..) {
        b.lambda.delete_event_source_mapping().uuid(&uuid).send().await.unwrap();
    }
    for i in 0..IDLE_MAPPINGS {
        let name = format!("idle-s-{i}");
        b.kinesis
            .create_stream()
            .stream_name(&name)
            .shard_count(1)
            .send()
            .await
            .unwrap();
        idle.push(
            b.map(
                "echo",
                &format!("arn:aws:kinesis:us-east-1:000000000000:stream/{name}"),
                100,
                true,
            )
            .await,
        );
    }
    // Past the first seconds (each mapping lists its shards and takes an iterator).
    tokio::time::sleep(Duration::from_secs(12)).await;
    let (c0, t0) = (cpu_ticks(pid), Instant::now());
    tokio::time::sleep(Duration::from_secs(IDLE_SECONDS)).await;
    let kinesis_share = (cpu_ticks(pid) - c0) as f64 / ticks_per_second() / t0.elapsed().as_secs_f64();
    println!(
        "idle: {IDLE_MAPPINGS} SQS mappings use {:.2} % of a core, {IDLE_MAPPINGS} Kinesis mappings {:.2} % (goal < 1 %), over {IDLE_SECONDS} s",
        sqs_share * 100.0,
        kinesis_share * 100.0
    );
}
