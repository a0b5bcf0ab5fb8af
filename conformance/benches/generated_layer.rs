//! Micro-benchmarks of the generated Lambda server layer (`generated/lambda-server`).
//!
//! What it measures, all in-process (no sockets):
//!
//! 1. **Routing**: `lambda_server::route` over one realistic request path per operation (all 85,
//!    labels filled with names, ARNs, UUIDs, version numbers). Reported as ns per route.
//! 2. **CreateFunction parse + validate**: `operation::create_function::deserialize_request` on a
//!    `POST /2015-03-31/functions` whose JSON body carries a 5 MiB zip as base64 (~7 MB), timed in
//!    the same run, interleaved, with a bare `base64` decode of the same string. The ratio
//!    `bare decode time / full parse time` says how close the whole layer gets to the unavoidable
//!    decode cost (goal: >= 0.5). The environment variable is named `AB`, not `A`: the model's key
//!    pattern `^[a-zA-Z]([a-zA-Z0-9_])+$` needs at least two characters.
//! 3. **ListFunctions serialize**: `operation::list_functions::serialize_response` of 50 fully
//!    populated `FunctionConfiguration`s, including collecting the response body into bytes.
//!
//! Run it with:
//!
//! ```text
//! cargo bench -p conformance --bench generated_layer
//! ```
//!
//! It is a plain `harness = false` program (no extra benchmark framework): each benchmark warms
//! up, then takes a number of timed samples with `std::time::Instant`, and one table is printed at
//! the end (mean over all iterations, median and minimum of the per-sample means). It takes a few
//! seconds. Correctness is asserted once before timing (every route resolves to its operation with
//! the expected labels; the parsed zip is 5 MiB and byte-identical to the input).

use std::collections::HashMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

use base64::Engine as _;
use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use lambda_server::model::{
    Architecture, EnvironmentResponse, EphemeralStorage, FunctionConfiguration, LastUpdateStatus, Layer,
    ListFunctionsResponse, LogFormat, LoggingConfig, PackageType, Runtime, SnapStartApplyOn,
    SnapStartOptimizationStatus, SnapStartResponse, State, TracingConfigResponse, TracingMode,
};
use lambda_server::Operation;

// ---------------------------------------------------------------------------------------------
// Measurement helpers
// ---------------------------------------------------------------------------------------------

/// Timings of one benchmark: per-sample nanoseconds per operation.
struct Stats {
    /// ns per op, one entry per sample.
    per_op_ns: Vec<f64>,
    /// Total number of ops timed.
    total_ops: u64,
    /// Total time spent in timed regions.
    total: Duration,
}

impl Stats {
    fn new() -> Stats {
        Stats {
            per_op_ns: Vec::new(),
            total_ops: 0,
            total: Duration::ZERO,
        }
    }

    fn record(&mut self, elapsed: Duration, ops: u64) {
        self.per_op_ns.push(elapsed.as_nanos() as f64 / ops as f64);
        self.total_ops += ops;
        self.total += elapsed;
    }

    /// Mean over all timed operations, in ns.
    fn mean(&self) -> f64 {
        self.total.as_nanos() as f64 / self.total_ops as f64
    }

    fn median(&self) -> f64 {
        let mut v = self.per_op_ns.clone();
        v.sort_by(|a, b| a.partial_cmp(b).expect("no NaN timings"));
        let n = v.len();
        if n % 2 == 1 {
            v[n / 2]
        } else {
            (v[n / 2 - 1] + v[n / 2]) / 2.0
        }
    }

    fn min(&self) -> f64 {
        self.per_op_ns.iter().copied().fold(f64::INFINITY, f64::min)
    }
}

/// Formats nanoseconds with a readable unit.
fn fmt_ns(ns: f64) -> String {
    if ns < 1_000.0 {
        format!("{ns:.1} ns")
    } else if ns < 1_000_000.0 {
        format!("{:.2} µs", ns / 1_000.0)
    } else if ns < 1_000_000_000.0 {
        format!("{:.2} ms", ns / 1_000_000.0)
    } else {
        format!("{:.2} s", ns / 1_000_000_000.0)
    }
}

/// Megabytes (10^6 bytes) per second for `bytes` processed in `ns` nanoseconds.
fn mb_per_s(bytes: usize, ns: f64) -> f64 {
    (bytes as f64 / 1e6) / (ns / 1e9)
}

/// Deterministic pseudo-random bytes (xorshift64*), so the zip payload does not compress or repeat.
fn pseudo_random_bytes(len: usize, mut seed: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        seed ^= seed >> 12;
        seed ^= seed << 25;
        seed ^= seed >> 27;
        out.extend_from_slice(&seed.wrapping_mul(0x2545_F491_4F6C_DD1D).to_le_bytes());
    }
    out.truncate(len);
    out
}

/// Percent-encodes a URI label value: everything but RFC 3986 unreserved characters and `:` / `@`
/// (both allowed raw in a path segment, and what clients leave raw in ARNs).
fn encode_label(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for b in raw.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b':' | b'@' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// 1. Routing
// ---------------------------------------------------------------------------------------------

/// A realistic (raw, unencoded) value for a URI label of the Lambda model.
fn label_value(label: &str) -> &'static str {
    match label {
        "FunctionName" => "my-function",
        "Name" => "live",
        "Qualifier" => "1",
        "VersionNumber" => "1",
        "LayerName" => "my-layer",
        "StatementId" => "allow-s3-invoke",
        "UUID" => "14e0db71-5d35-4eb5-b481-8945cf9d10c2",
        "CapacityProviderName" => "my-capacity-provider",
        "CodeSigningConfigArn" => "arn:aws:lambda:us-east-1:123456789012:code-signing-config:csc-0a1b2c3d4e5f67890",
        "Resource" => "arn:aws:lambda:us-east-1:123456789012:function:my-function",
        "DurableExecutionArn" => {
            "arn:aws:lambda:us-east-1:123456789012:function:my-function:$LATEST/durable-execution/order-42/4f1c9a7e-2b3d-4e5f-8a9b-0c1d2e3f4a5b"
        }
        "CallbackId" => "Y2FsbGJhY2stMDAwMS1vcmRlci00Mg==",
        other => panic!("no benchmark value for URI label {{{other}}}: add one to label_value()"),
    }
}

/// One concrete request per operation.
struct RouteCase {
    op: Operation,
    method: http::Method,
    path: String,
    query: Option<String>,
    /// The raw (still encoded) label values the router must return, in pattern order.
    labels: Vec<String>,
}

fn route_cases() -> Vec<RouteCase> {
    Operation::ALL
        .iter()
        .map(|&op| {
            let (method, uri) = op.http();
            let (path_pattern, query_pattern) = match uri.split_once('?') {
                Some((p, q)) => (p, Some(q)),
                None => (uri, None),
            };
            let mut path = String::new();
            let mut labels = Vec::new();
            for seg in path_pattern.split('/').skip(1) {
                path.push('/');
                if let Some(name) = seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                    let name = name.trim_end_matches('+');
                    let value = encode_label(label_value(name));
                    path.push_str(&value);
                    labels.push(value);
                } else {
                    path.push_str(seg);
                }
            }
            // Query literals of the pattern, plus what a real client sends alongside them.
            let query = query_pattern.map(|q| match q {
                "find=LayerVersion" => {
                    "find=LayerVersion&Arn=arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Alayer%3Amy-layer%3A1"
                        .to_string()
                }
                "List=ALL" => "List=ALL&MaxItems=50".to_string(),
                other => other.to_string(),
            });
            RouteCase {
                op,
                method: http::Method::from_bytes(method.as_bytes()).expect("model method"),
                path,
                query,
                labels,
            }
        })
        .collect()
}

fn bench_routing() -> (Stats, usize) {
    let cases = route_cases();
    assert_eq!(cases.len(), 85, "the Lambda model has 85 operations");

    // Correctness, once, before timing.
    for c in &cases {
        match lambda_server::route(&c.method, &c.path, c.query.as_deref()) {
            Ok((op, labels)) => {
                assert!(
                    op == c.op,
                    "{} {} routed to {} instead of {}",
                    c.method,
                    c.path,
                    op.name(),
                    c.op.name()
                );
                assert_eq!(labels, c.labels, "labels of {} {}", c.method, c.path);
            }
            Err(e) => panic!("{} {} ({:?}) did not route: {e:?}", c.method, c.path, c.query),
        }
    }

    let pass = |cases: &[RouteCase]| {
        for c in cases {
            let r = lambda_server::route(black_box(&c.method), black_box(&c.path), black_box(c.query.as_deref()));
            black_box(r.is_ok());
            let _ = black_box(r);
        }
    };

    // Warm-up.
    for _ in 0..2_000 {
        pass(&cases);
    }
    // 100 samples x 100 passes x 85 routes.
    let mut stats = Stats::new();
    for _ in 0..100 {
        let start = Instant::now();
        for _ in 0..100 {
            pass(&cases);
        }
        stats.record(start.elapsed(), 100 * cases.len() as u64);
    }
    (stats, cases.len())
}

// ---------------------------------------------------------------------------------------------
// 2. CreateFunction parse + validate vs bare base64 decode
// ---------------------------------------------------------------------------------------------

const ZIP_LEN: usize = 5 * 1024 * 1024;

fn create_function_request(body: &Bytes) -> http::Request<Full<Bytes>> {
    http::Request::builder()
        .method(http::Method::POST)
        .uri("/2015-03-31/functions")
        .header("content-type", "application/json")
        .header("content-length", body.len())
        .body(Full::new(body.clone()))
        .expect("valid request")
}

struct ParseResult {
    full: Stats,
    bare: Stats,
    body_len: usize,
    b64_len: usize,
}

fn bench_create_function(rt: &tokio::runtime::Runtime) -> ParseResult {
    let zip = pseudo_random_bytes(ZIP_LEN, 0x9E37_79B9_7F4A_7C15);
    let b64 = base64::engine::general_purpose::STANDARD.encode(&zip);
    let body = format!(
        concat!(
            r#"{{"FunctionName":"bench-fn","Runtime":"python3.12","#,
            r#""Role":"arn:aws:iam::123456789012:role/lambda-role","Handler":"app.handler","#,
            r#""Code":{{"ZipFile":"{}"}}, "MemorySize":512, "Timeout":30, "#,
            r#""Environment":{{"Variables":{{"AB":"b"}}}}}}"#
        ),
        b64
    );
    let body = Bytes::from(body);

    let route =
        lambda_server::route(&http::Method::POST, "/2015-03-31/functions", None).expect("CreateFunction routes");
    assert!(route.0 == Operation::CreateFunction);
    let labels = route.1;

    let parse = |req: http::Request<Full<Bytes>>| {
        rt.block_on(lambda_server::operation::create_function::deserialize_request(
            req,
            labels.clone(),
        ))
    };

    // Correctness, once, before timing.
    let parsed = match parse(create_function_request(&body)) {
        Ok(p) => p,
        Err(e) => panic!("CreateFunction did not parse: {e:?}"),
    };
    let parsed_zip = parsed.code.zip_file.as_ref().expect("Code.ZipFile present");
    assert_eq!(parsed_zip.as_ref().len(), ZIP_LEN, "the parsed zip has 5 MiB");
    assert!(parsed_zip.as_ref() == zip.as_slice(), "the parsed zip is the input");
    assert_eq!(parsed.function_name, "bench-fn");
    assert_eq!(parsed.memory_size, Some(512));
    assert!(parsed.runtime == Some(Runtime::from("python3.12")));
    let vars = parsed
        .environment
        .as_ref()
        .and_then(|e| e.variables.as_ref())
        .expect("Environment.Variables");
    assert_eq!(vars.get("AB").map(String::as_str), Some("b"));
    drop(parsed);
    let bare = base64::engine::general_purpose::STANDARD
        .decode(&b64)
        .expect("valid base64");
    assert!(bare == zip);
    drop(bare);

    // Warm-up, then interleaved samples so both see the same machine conditions.
    for _ in 0..2 {
        black_box(parse(create_function_request(&body)).is_ok());
        black_box(
            base64::engine::general_purpose::STANDARD
                .decode(black_box(&b64))
                .map(|v| v.len())
                .ok(),
        );
    }
    let mut full = Stats::new();
    let mut bare = Stats::new();
    for _ in 0..20 {
        let req = create_function_request(&body);
        let start = Instant::now();
        let r = parse(black_box(req));
        let elapsed = start.elapsed();
        assert!(r.is_ok());
        drop(black_box(r)); // drop outside the timed region, as for the bare decode below
        full.record(elapsed, 1);

        let start = Instant::now();
        let r = base64::engine::general_purpose::STANDARD.decode(black_box(&b64));
        let elapsed = start.elapsed();
        assert!(r.is_ok());
        drop(black_box(r));
        bare.record(elapsed, 1);
    }
    ParseResult {
        full,
        bare,
        body_len: body.len(),
        b64_len: b64.len(),
    }
}

// ---------------------------------------------------------------------------------------------
// 3. ListFunctions serialize
// ---------------------------------------------------------------------------------------------

fn function_configuration(i: usize) -> FunctionConfiguration {
    let name = format!("orders-service-handler-{i:03}");
    let runtimes = ["python3.12", "nodejs20.x", "java21", "provided.al2023", "ruby3.3"];
    let handlers = [
        "app.handler",
        "index.handler",
        "com.example.Handler::handleRequest",
        "bootstrap",
        "lambda_function.lambda_handler",
    ];
    let arch = if i.is_multiple_of(3) { "arm64" } else { "x86_64" };
    let mut variables = HashMap::new();
    variables.insert("TABLE_NAME".to_string(), format!("orders-{i}"));
    variables.insert("LOG_LEVEL".to_string(), "INFO".to_string());
    variables.insert("POWERTOOLS_SERVICE_NAME".to_string(), "orders".to_string());
    FunctionConfiguration {
        function_name: Some(name.clone()),
        function_arn: Some(format!("arn:aws:lambda:us-east-1:123456789012:function:{name}")),
        runtime: Some(Runtime::from(runtimes[i % runtimes.len()])),
        role: Some(format!(
            "arn:aws:iam::123456789012:role/service-role/{name}-role-x1y2z3"
        )),
        handler: Some(handlers[i % handlers.len()].to_string()),
        code_size: 1_048_576 + 7_919 * i as i64,
        description: Some(format!("Handles order events for shard {i} (\"orders\" stream, v2)")),
        timeout: Some(30),
        memory_size: Some(512),
        last_modified: Some(format!("2024-05-{:02}T12:34:56.789+0000", 1 + i % 28)),
        code_sha256: Some("n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=".to_string()),
        version: Some("$LATEST".to_string()),
        environment: Some(EnvironmentResponse {
            variables: Some(variables),
            error: None,
        }),
        tracing_config: Some(TracingConfigResponse {
            mode: Some(TracingMode::from("PassThrough")),
        }),
        revision_id: Some(format!("8f5b2c7e-1a2b-4c3d-9e8f-{i:012}")),
        layers: Some(vec![Layer {
            arn: Some("arn:aws:lambda:us-east-1:123456789012:layer:shared-libs:7".to_string()),
            code_size: 2_345_678,
            ..Default::default()
        }]),
        state: Some(State::from("Active")),
        last_update_status: Some(LastUpdateStatus::from("Successful")),
        package_type: Some(PackageType::from("Zip")),
        architectures: Some(vec![Architecture::from(arch)]),
        ephemeral_storage: Some(EphemeralStorage { size: 512 }),
        snap_start: Some(SnapStartResponse {
            apply_on: Some(SnapStartApplyOn::from("None")),
            optimization_status: Some(SnapStartOptimizationStatus::from("Off")),
        }),
        logging_config: Some(LoggingConfig {
            log_format: Some(LogFormat::from("Text")),
            log_group: Some(format!("/aws/lambda/{name}")),
            ..Default::default()
        }),
        ..Default::default()
    }
}

struct SerializeResult {
    stats: Stats,
    body_len: usize,
}

fn bench_list_functions(rt: &tokio::runtime::Runtime) -> SerializeResult {
    let response = ListFunctionsResponse {
        functions: Some((0..50).map(function_configuration).collect()),
        next_marker: Some("eyJNYXJrZXIiOiAib3JkZXJzLXNlcnZpY2UtaGFuZGxlci0wNDkifQ==".to_string()),
    };

    let serialize = |out: ListFunctionsResponse| -> Bytes {
        let resp = lambda_server::operation::list_functions::serialize_response(out);
        assert_eq!(resp.status(), 200);
        rt.block_on(resp.into_body().collect())
            .expect("in-memory body")
            .to_bytes()
    };

    // Correctness, once, before timing.
    let bytes = serialize(response.clone());
    let doc: serde_json::Value = serde_json::from_slice(&bytes).expect("response is JSON");
    let functions = doc["Functions"].as_array().expect("Functions array");
    assert_eq!(functions.len(), 50);
    assert_eq!(functions[0]["FunctionName"], "orders-service-handler-000");
    assert_eq!(functions[0]["State"], "Active");
    assert_eq!(functions[0]["Environment"]["Variables"]["LOG_LEVEL"], "INFO");
    let body_len = bytes.len();

    // The input is moved into serialize_response: clone a batch outside the timed region.
    const BATCH: usize = 50;
    for _ in 0..4 {
        let inputs: Vec<_> = (0..BATCH).map(|_| response.clone()).collect();
        for input in inputs {
            black_box(serialize(black_box(input)));
        }
    }
    let mut stats = Stats::new();
    for _ in 0..40 {
        let inputs: Vec<_> = (0..BATCH).map(|_| response.clone()).collect();
        let mut outputs = Vec::with_capacity(BATCH);
        let start = Instant::now();
        for input in inputs {
            outputs.push(serialize(black_box(input)));
        }
        let elapsed = start.elapsed();
        black_box(&outputs);
        drop(outputs);
        stats.record(elapsed, BATCH as u64);
    }
    SerializeResult { stats, body_len }
}

// ---------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` runs this too. Any filter is ignored.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let started = Instant::now();

    eprintln!("generated_layer: routing ...");
    let (routing, n_ops) = bench_routing();
    eprintln!("generated_layer: CreateFunction parse + validate (5 MiB zip) vs bare base64 decode ...");
    let parse = bench_create_function(&rt);
    eprintln!("generated_layer: ListFunctions serialize (50 functions) ...");
    let ser = bench_list_functions(&rt);

    let ratio = parse.bare.mean() / parse.full.mean();
    let ratio_median = parse.bare.median() / parse.full.median();

    let rows: Vec<[String; 6]> = vec![
        [
            format!("route (all {n_ops} operations)"),
            format!("{}", routing.total_ops),
            format!("{}/route", fmt_ns(routing.mean())),
            fmt_ns(routing.median()),
            fmt_ns(routing.min()),
            format!("{:.1} M routes/s", 1e3 / routing.mean()),
        ],
        [
            "CreateFunction deserialize_request".to_string(),
            format!("{}", parse.full.total_ops),
            fmt_ns(parse.full.mean()),
            fmt_ns(parse.full.median()),
            fmt_ns(parse.full.min()),
            format!(
                "{:.0} MB/s of {:.2} MB body",
                mb_per_s(parse.body_len, parse.full.mean()),
                parse.body_len as f64 / 1e6
            ),
        ],
        [
            "bare base64 decode (same string)".to_string(),
            format!("{}", parse.bare.total_ops),
            fmt_ns(parse.bare.mean()),
            fmt_ns(parse.bare.median()),
            fmt_ns(parse.bare.min()),
            format!(
                "{:.0} MB/s of {:.2} MB base64",
                mb_per_s(parse.b64_len, parse.bare.mean()),
                parse.b64_len as f64 / 1e6
            ),
        ],
        [
            "ListFunctions serialize (50 fns)".to_string(),
            format!("{}", ser.stats.total_ops),
            fmt_ns(ser.stats.mean()),
            fmt_ns(ser.stats.median()),
            fmt_ns(ser.stats.min()),
            format!(
                "{} bytes/response, {:.0} MB/s",
                ser.body_len,
                mb_per_s(ser.body_len, ser.stats.mean())
            ),
        ],
    ];
    let header = ["benchmark", "iterations", "mean", "median", "min", "notes"];
    let mut widths = header.map(|h| h.chars().count());
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &[String]| {
        let mut s = String::from("|");
        for (i, (cell, w)) in cells.iter().zip(&widths).enumerate() {
            let pad = w - cell.chars().count();
            // Left-align the text columns, right-align the figures.
            if i == 0 || i == 5 {
                s.push_str(&format!(" {cell}{} |", " ".repeat(pad)));
            } else {
                s.push_str(&format!(" {}{cell} |", " ".repeat(pad)));
            }
        }
        s
    };
    let sep = {
        let mut s = String::from("|");
        for w in &widths {
            s.push_str(&"-".repeat(w + 2));
            s.push('|');
        }
        s
    };

    println!();
    println!("generated layer benchmarks (release, single thread; median/min are of per-sample means)");
    println!("{}", line(&header.map(String::from)));
    println!("{sep}");
    for row in &rows {
        println!("{}", line(row));
    }
    println!();
    println!(
        "bare decode / full parse = {ratio:.2} (mean), {ratio_median:.2} (median)  -- goal >= 0.50: {}",
        if ratio >= 0.5 { "met" } else { "MISSED" }
    );
    println!("total bench time {:.1} s", started.elapsed().as_secs_f64());
}
