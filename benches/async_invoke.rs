//! Asynchronous invocation benchmark of the release `fauxlambda` binary, run with
//! `cargo bench -p fauxlambda --bench async_invoke`. It prints, side by side in one run:
//!
//! - the rate at which 10,000 `Event` invokes of a warm Python echo function are accepted (202)
//!   over 8 keep-alive loopback connections, beside the rate of synchronous invokes of the same
//!   function over the same connections (the reference); and the rate while none of them can run
//!   (so the figure is the queue's, not shared with the functions' execution);
//! - how long the queue takes to run them all, and that each ran exactly once (every attempt
//!   appends its request id to a file: 10,000 lines, 10,000 distinct ids);
//! - the queue's resident memory per queued 1 KB event (RSS before and after queuing 10,000 events
//!   behind a function whose environments are all busy, then 10,000 more: the second figure is
//!   the steady state, the first also pays for the server's buffers growing).
//!
//! Goals: acceptance ≥ 5,000/s on 2 cores; ≤ 2 KB of queue memory per 1 KB event.

mod support;

use std::collections::HashSet;
use std::time::{Duration, Instant};
use support::{connect, request, request_with, rss_kb, start, zip_b64, ROLE};

const EVENTS: usize = 10_000;
const SYNC_INVOKES: usize = 2_000;
const CONNECTIONS: usize = 8;

const ECHO: &str = "import os\nLOG = os.environ['BENCH_LOG']\n\ndef handler(event, context):\n    with open(LOG, 'a') as f:\n        f.write(context.aws_request_id + '\\n')\n    return event\n";
const SLOW: &str = "import time\n\ndef handler(event, context):\n    time.sleep(600)\n";

/// A 1 KB JSON event.
fn payload() -> String {
    format!(r#"{{"pad":"{}"}}"#, "x".repeat(1024 - 10))
}

async fn create(port: u16, name: &str, code: &str, extra: &str) {
    let mut s = connect(port).await;
    let body = format!(
        r#"{{"FunctionName":"{name}","Runtime":"python3.12","Role":"{ROLE}","Handler":"app.handler","Timeout":900,"Code":{{"ZipFile":"{}"}}{extra}}}"#,
        zip_b64(code)
    );
    let (status, body) = request(&mut s, "POST", "/2015-03-31/functions", Some(body)).await;
    assert_eq!(status, 201, "{}", String::from_utf8_lossy(&body));
    // Active after the settle delay.
    for _ in 0..200 {
        let (_, body) = request(&mut s, "GET", &format!("/2015-03-31/functions/{name}"), None).await;
        if String::from_utf8_lossy(&body).contains(r#""State":"Active""#) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("{name} did not become Active");
}

/// Sends `total` invokes of `name` over `CONNECTIONS` connections; the time it took.
async fn invoke_all(port: u16, name: &'static str, total: usize, event: bool) -> Duration {
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..CONNECTIONS {
        let count = total / CONNECTIONS + usize::from(c < total % CONNECTIONS);
        tasks.push(tokio::spawn(async move {
            let mut s = connect(port).await;
            let headers: &[(&str, &str)] = if event {
                &[("x-amz-invocation-type", "Event")]
            } else {
                &[]
            };
            let want = if event { 202 } else { 200 };
            let path = format!("/2015-03-31/functions/{name}/invocations");
            for _ in 0..count {
                let (status, body) = request_with(&mut s, "POST", &path, headers, Some(payload())).await;
                assert_eq!(status, want, "{}", String::from_utf8_lossy(&body));
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    started.elapsed()
}

async fn async_listing(port: u16, function: &str) -> serde_json::Value {
    let mut s = connect(port).await;
    let (_, body) = request(&mut s, "GET", &format!("/_fauxlambda/async?function={function}"), None).await;
    serde_json::from_slice(&body).unwrap()
}

fn lines(path: &std::path::Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("ran.log");
    let (server, _) = start(&["--own-runtime-clients"]).await;
    let port = server.port;
    let env = format!(r#","Environment":{{"Variables":{{"BENCH_LOG":"{}"}}}}"#, log.display());
    create(port, "echo", ECHO, &env).await;

    // Warm up as many environments as connections, then the reference: synchronous invokes.
    invoke_all(port, "echo", CONNECTIONS * 20, false).await;
    let sync = invoke_all(port, "echo", SYNC_INVOKES, false).await;
    let sync_rate = SYNC_INVOKES as f64 / sync.as_secs_f64();
    std::fs::remove_file(&log).unwrap();

    let first_event = Instant::now();
    let accepted = invoke_all(port, "echo", EVENTS, true).await;
    let accept_rate = EVENTS as f64 / accepted.as_secs_f64();
    let mut ran = lines(&log);
    let deadline = Instant::now() + Duration::from_secs(300);
    while ran.len() < EVENTS && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
        ran = lines(&log);
    }
    let drained = first_event.elapsed();
    // Late duplicates would show up here.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let ran = lines(&log);
    let distinct: HashSet<&String> = ran.iter().collect();
    let listing = async_listing(port, "echo").await;

    // Queue memory: a function whose environment is busy for good (one environment), 10,000
    // events queued behind the attempts already started.
    let (mem_server, _) = start(&["--own-runtime-clients", "--max-environments", "1"]).await;
    let mport = mem_server.port;
    create(mport, "slow", SLOW, "").await;
    invoke_all(mport, "slow", 32, true).await;
    for _ in 0..600 {
        if async_listing(mport, "slow").await["running"]["slow"] == 32 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before = rss_kb(mem_server.child.id());
    let queued_in = invoke_all(mport, "slow", EVENTS, true).await;
    let queue_rate = EVENTS as f64 / queued_in.as_secs_f64();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let first = rss_kb(mem_server.child.id());
    // A second batch: the steady state, once the server's own buffers have grown.
    invoke_all(mport, "slow", EVENTS, true).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let second = rss_kb(mem_server.child.id());
    let queued = async_listing(mport, "slow").await["events"]
        .as_array()
        .map_or(0, Vec::len);
    let per_event_first = (first.saturating_sub(before) * 1024) as f64 / EVENTS as f64;
    let per_event = (second.saturating_sub(first) * 1024) as f64 / EVENTS as f64;

    println!("\nasynchronous invocation benchmark (release binary, process executor, Python echo, 1 KB events, {CONNECTIONS} loopback connections)\n");
    println!("| figure | value | reference | ratio | goal |");
    println!("|---|---:|---:|---:|---:|");
    println!(
        "| `Event` invokes accepted (202) per second, {EVENTS} | {accept_rate:.0}/s | sync invokes {sync_rate:.0}/s ({SYNC_INVOKES}) | {:.2} | ≥ 5,000/s |",
        accept_rate / sync_rate
    );
    println!(
        "| `Event` invokes accepted per second while none can run (queued behind busy environments) | {queue_rate:.0}/s | sync invokes {sync_rate:.0}/s | {:.2} | ≥ 5,000/s |",
        queue_rate / sync_rate
    );
    println!(
        "| events run (lines / distinct request ids) | {} / {} | {EVENTS} | | exactly once |",
        ran.len(),
        distinct.len()
    );
    println!(
        "| from the first `Event` invoke to the last event run | {:.1} s | | | |",
        drained.as_secs_f64()
    );
    println!(
        "| queue left after the run (queued / running) | {} / {} | 0 / 0 | | |",
        listing["events"].as_array().map_or(0, Vec::len),
        listing["running"]["echo"]
    );
    println!(
        "| queue memory per queued 1 KB event: first {EVENTS} / next {EVENTS} ({queued} queued in all) | {per_event_first:.0} B / {per_event:.0} B | | | ≤ 2,048 B |"
    );
    println!();
    let verdict = |ok: bool| if ok { "met" } else { "MISSED" };
    println!(
        "acceptance ≥ 5,000/s: {} while the events run (they share the 2 cores), {} while they wait",
        verdict(accept_rate >= 5000.0),
        verdict(queue_rate >= 5000.0)
    );
    println!(
        "every event exactly once: {}",
        verdict(ran.len() == EVENTS && distinct.len() == EVENTS)
    );
    println!("≤ 2 KB per queued 1 KB event: {}", verdict(per_event <= 2048.0));
}
