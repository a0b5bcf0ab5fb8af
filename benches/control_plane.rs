//! Control-plane benchmark of the release `fauxlambda` binary, run with
//! `cargo bench -p fauxlambda --bench control_plane`. It prints:
//!
//! - the time from process start to the first answered request;
//! - resident memory (VmRSS) when idle and after creating 1,000 functions;
//! - `GetFunction` and `ListFunctions` (100 functions) requests per second over keep-alive
//!   loopback connections at concurrency 1 and 16, side by side with the reference: the same
//!   server's `/_fauxlambda/health` endpoint, i.e. the bare cost of an HTTP round trip to it.
//!
//! Goals: start ≤ 20 ms, idle memory ≤ 15 MB, ≥ 20,000 GetFunction/s on 2 cores.

mod support;

use std::time::Duration;
use support::{connect, get_rps, request, rss_kb, start, zip_b64, ROLE};

const RUN_FOR: Duration = Duration::from_secs(2);

async fn create_functions(port: u16, from: usize, to: usize) {
    let zip = zip_b64("def handler(event, context):\n    return event\n");
    let mut s = connect(port).await;
    for i in from..to {
        let body = format!(
            r#"{{"FunctionName":"bench-{i:05}","Runtime":"python3.12","Role":"{ROLE}","Handler":"app.handler","Code":{{"ZipFile":"{zip}"}}}}"#
        );
        let (status, body) = request(&mut s, "POST", "/2015-03-31/functions", Some(body)).await;
        assert_eq!(status, 201, "{}", String::from_utf8_lossy(&body));
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    // Start-up: the median of 5 starts.
    let mut starts = Vec::new();
    for _ in 0..5 {
        let (_s, t) = start(&[]).await;
        starts.push(t);
    }
    starts.sort();
    let (server, _) = start(&[]).await;
    let pid = server.child.id();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let idle = rss_kb(pid);
    create_functions(server.port, 0, 100).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut rows = Vec::new();
    for conns in [1, 16] {
        let health = get_rps(server.port, "/_fauxlambda/health", conns, RUN_FOR).await;
        let get = get_rps(server.port, "/2015-03-31/functions/bench-00042", conns, RUN_FOR).await;
        let list = get_rps(server.port, "/2015-03-31/functions/?MaxItems=100", conns, RUN_FOR).await;
        rows.push((conns, health, get, list));
    }
    create_functions(server.port, 100, 1000).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let with_1000 = rss_kb(pid);

    println!(
        "\ncontrol-plane benchmark (release binary, loopback, {} s per throughput figure)\n",
        RUN_FOR.as_secs()
    );
    println!("| figure | value | goal |");
    println!("|---|---:|---:|");
    println!(
        "| start to first answered request (median of 5) | {:.1} ms | ≤ 20 ms |",
        starts[2].as_secs_f64() * 1000.0
    );
    println!("| resident memory, idle | {:.1} MB | ≤ 15 MB |", idle as f64 / 1024.0);
    println!(
        "| resident memory, 1,000 functions | {:.1} MB | |",
        with_1000 as f64 / 1024.0
    );
    println!();
    println!("| concurrency | reference: health req/s | GetFunction req/s | ratio to reference | ListFunctions (100) req/s |");
    println!("|---:|---:|---:|---:|---:|");
    for (c, h, g, l) in rows {
        println!("| {c} | {h:.0} | {g:.0} | {:.2} | {l:.0} |", g / h);
    }
    println!("\ngoal: ≥ 20,000 GetFunction/s");
}
