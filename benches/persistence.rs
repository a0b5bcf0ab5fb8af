//! What keeping the state on disk (`--data-dir`) costs, with the release `fauxlambda`, run with
//! `cargo bench -p fauxlambda --bench persistence`. The same figures in the same run, without a
//! data directory (the state in memory only: the reference) and with one:
//!
//! - CreateFunction/s and UpdateFunctionConfiguration/s over 1 and 16 keep-alive connections
//!   (each answer waits for its change to be on disk: the 16 share their commits);
//! - GetFunction/s at 1 and 16 (reads must not touch the disk), beside the bare HTTP round trip
//!   (`/_fauxlambda/health`), both servers measured in turns (the best of 3 rounds each);
//! - start-up to the first answered request with 1,000 stored functions (median of 5), beside an
//!   empty start;
//! - the data directory's size for them (the state database and the packages).
//!
//! Goals: GetFunction unchanged; start-up with 1,000 functions ≤ 100 ms; writes ≥ 1,000/s.

mod support;

use std::time::{Duration, Instant};
use support::{connect, get_rps, request, start, start_with_data, zip_b64, Server, ROLE};

const FUNCTIONS: usize = 1000;
const RUN_FOR: Duration = Duration::from_secs(2);

/// Sends `bodies` (method, path, body) over `conns` keep-alive connections, each taking the next;
/// answers the requests per second. Every answer must have status `expect`.
async fn throughput(port: u16, reqs: Vec<(&'static str, String, Option<String>)>, conns: usize, expect: u16) -> f64 {
    let reqs = std::sync::Arc::new(std::sync::Mutex::new(reqs));
    let t0 = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..conns {
        let reqs = reqs.clone();
        tasks.push(tokio::spawn(async move {
            let mut s = connect(port).await;
            let mut n = 0u64;
            loop {
                let Some((method, path, body)) = reqs.lock().unwrap().pop() else {
                    return n;
                };
                let (status, answer) = request(&mut s, method, &path, body).await;
                assert_eq!(status, expect, "{method} {path}: {}", String::from_utf8_lossy(&answer));
                n += 1;
            }
        }));
    }
    let mut total = 0;
    for t in tasks {
        total += t.await.unwrap();
    }
    total as f64 / t0.elapsed().as_secs_f64()
}

fn creates(prefix: &str, n: usize) -> Vec<(&'static str, String, Option<String>)> {
    let zip = zip_b64("def handler(event, context):\n    return event\n");
    (0..n)
        .map(|i| {
            let body = format!(
                r#"{{"FunctionName":"{prefix}-{i:05}","Runtime":"python3.12","Role":"{ROLE}","Handler":"app.handler","Code":{{"ZipFile":"{zip}"}}}}"#
            );
            ("POST", "/2015-03-31/functions".to_string(), Some(body))
        })
        .collect()
}

fn updates(prefix: &str, n: usize) -> Vec<(&'static str, String, Option<String>)> {
    (0..n)
        .map(|i| {
            (
                "PUT",
                format!("/2015-03-31/functions/{prefix}-{i:05}/configuration"),
                Some(r#"{"Description":"updated"}"#.to_string()),
            )
        })
        .collect()
}

#[derive(Default)]
struct Figures {
    create: [f64; 2],
    update: [f64; 2],
    health: [f64; 2],
    get: [f64; 2],
}

/// The write figures of one server (2 × 1,000 functions created on it, then updated).
async fn writes(server: &Server) -> Figures {
    let port = server.port;
    let create = [
        throughput(port, creates("one", FUNCTIONS), 1, 201).await,
        throughput(port, creates("many", FUNCTIONS), 16, 201).await,
    ];
    // Past the 100 ms each creation stays Pending (an update of a Pending function is refused).
    tokio::time::sleep(Duration::from_millis(300)).await;
    let update = [
        throughput(port, updates("one", FUNCTIONS), 1, 200).await,
        throughput(port, updates("many", FUNCTIONS), 16, 200).await,
    ];
    tokio::time::sleep(Duration::from_millis(300)).await;
    Figures {
        create,
        update,
        ..Default::default()
    }
}

/// The read figures of both servers, taken in turns (3 rounds, the best of each), so that the
/// machine's drift falls on both alike.
async fn reads_in_turns(a: &Server, fa: &mut Figures, b: &Server, fb: &mut Figures) {
    for _ in 0..3 {
        for (server, f) in [(a, &mut *fa), (b, &mut *fb)] {
            for (i, conns) in [1, 16].into_iter().enumerate() {
                f.health[i] = f.health[i].max(get_rps(server.port, "/_fauxlambda/health", conns, RUN_FOR).await);
                f.get[i] = f.get[i].max(get_rps(server.port, "/2015-03-31/functions/one-00042", conns, RUN_FOR).await);
            }
        }
    }
}

fn size_of(path: &std::path::Path) -> u64 {
    match std::fs::metadata(path) {
        Ok(m) if m.is_dir() => std::fs::read_dir(path)
            .map(|d| d.filter_map(|e| e.ok()).map(|e| size_of(&e.path())).sum())
            .unwrap_or(0),
        Ok(m) => m.len(),
        Err(_) => 0,
    }
}

fn median(mut v: Vec<Duration>) -> f64 {
    v.sort();
    v[v.len() / 2].as_secs_f64() * 1000.0
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let (memory, _) = start(&[]).await;
    let mut without = writes(&memory).await;
    let data = tempfile::tempdir().unwrap();
    let (kept, _) = start_with_data(data.path(), &[]).await;
    let mut with = writes(&kept).await;
    reads_in_turns(&memory, &mut without, &kept, &mut with).await;
    drop(memory);
    drop(kept);
    let stored = 2 * FUNCTIONS;
    let db = ["state.sqlite", "state.sqlite-wal", "state.sqlite-shm"]
        .iter()
        .map(|f| size_of(&data.path().join(f)))
        .sum::<u64>();
    let packages = size_of(&data.path().join("packages"));

    let mut empty = Vec::new();
    let mut loaded = Vec::new();
    for _ in 0..5 {
        let fresh = tempfile::tempdir().unwrap();
        empty.push(start_with_data(fresh.path(), &[]).await.1);
        loaded.push(start_with_data(data.path(), &[]).await.1);
    }

    println!("\npersistence benchmark (release binary, loopback; {FUNCTIONS} functions per write figure)\n");
    println!("| figure | no data directory (reference) | --data-dir | ratio | goal |");
    println!("|---|---:|---:|---:|---:|");
    let row = |name: &str, a: f64, b: f64, goal: &str| {
        println!("| {name} | {a:.0}/s | {b:.0}/s | {:.2} | {goal} |", b / a);
    };
    for (i, conns) in [1, 16].into_iter().enumerate() {
        row(
            &format!("CreateFunction, {conns} connection(s)"),
            without.create[i],
            with.create[i],
            "≥ 1,000/s",
        );
    }
    for (i, conns) in [1, 16].into_iter().enumerate() {
        row(
            &format!("UpdateFunctionConfiguration, {conns} connection(s)"),
            without.update[i],
            with.update[i],
            "≥ 1,000/s",
        );
    }
    for (i, conns) in [1, 16].into_iter().enumerate() {
        row(
            &format!("reference: health, {conns} connection(s)"),
            without.health[i],
            with.health[i],
            "",
        );
        row(
            &format!("GetFunction, {conns} connection(s)"),
            without.get[i],
            with.get[i],
            "unchanged",
        );
    }
    println!();
    println!("| start-up to the first answer (median of 5) | ms | goal |");
    println!("|---|---:|---:|");
    println!("| empty data directory | {:.1} | |", median(empty));
    println!("| {stored} stored functions | {:.1} | ≤ 100 ms |", median(loaded));
    println!();
    println!(
        "data directory for {stored} functions: state database {:.1} MB ({:.1} KB a function), packages {:.1} MB (content-addressed: one zip)",
        db as f64 / 1e6,
        db as f64 / 1e3 / stored as f64,
        packages as f64 / 1e6
    );
}
