//! What a careless or hostile client or function can make the server hold, with the real binary:
//! a function printing 50 MB per invocation (the server's memory stays bounded, the record's log
//! keeps both ends and says what was cut), a client sending its headers too slowly (closed by the
//! timeout while others are served), running out of file descriptors under a lowered
//! `ulimit -n` (a bounded number of log lines, then service again), and a foreign process polling
//! an environment's Runtime API (refused, on both executors; every invocation gets its own answer),
//! and ~60 MB code uploads arriving at once (the server's memory stays under what
//! `--body-buffer-mb` promises; every upload succeeds).

mod common;

use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{FunctionCode, Runtime};
use common::{eventually, http_get, wait_active, zip, Server, ROLE};
use serde_json::Value;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

fn rss_mb(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|n| n.parse::<f64>().ok())
        .unwrap_or(0.0)
        / 1024.0
}

/// The most resident memory the server may reach while a function prints 50 MB per invocation,
/// 20 times: its own ~20 MB, the two 128 KB ends of the logs in flight, the record's logs (at
/// most 16 MB; here 20 × ~256 KB), and the JSON of `/_fauxlambda/invocations` built from them.
/// (Before the logs were bounded, 9 such invocations took it to 482 MB.)
const RSS_BOUND_MB: f64 = 64.0;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_function_printing_50_mb_per_invocation_keeps_the_server_bounded() {
    let s = Server::start(&[]);
    let c = s.client();
    let code = "import sys\n\nLINE = 'y' * 1023 + '\\n'\n\ndef handler(event, context):\n    print('first line of', context.aws_request_id)\n    sys.stdout.write(LINE * (50 * 1024))\n    print('last line of', context.aws_request_id)\n    return 'printed'\n";
    c.create_function()
        .function_name("loud")
        .runtime(Runtime::Python312)
        .role(ROLE)
        .handler("app.handler")
        .timeout(60)
        .code(
            FunctionCode::builder()
                .zip_file(Blob::new(zip(&[("app.py", code)])))
                .build(),
        )
        .send()
        .await
        .unwrap();
    wait_active(&c, "loud").await;
    let pid = s.child.id();
    let mut peak: f64 = 0.0;
    for _ in 0..20 {
        let out = c.invoke().function_name("loud").send().await.unwrap();
        assert_eq!(out.function_error(), None);
        peak = peak.max(rss_mb(pid));
    }
    let body = http_get(&format!("{}/_fauxlambda/invocations?function=loud", s.endpoint)).await;
    peak = peak.max(rss_mb(pid));
    let v: Value = serde_json::from_slice(&body).unwrap();
    let records = v["invocations"].as_array().unwrap();
    assert!(!records.is_empty());
    let log = records[0]["log"].as_str().unwrap();
    let id = records[0]["requestId"].as_str().unwrap();
    assert!(log.contains(&format!("first line of {id}")), "the head is kept");
    assert!(log.contains(&format!("last line of {id}")), "the tail is kept");
    assert!(
        log.contains("bytes (") && log.contains("lines) of output cut here"),
        "the marker says what was cut"
    );
    assert!(log.contains(&format!("REPORT RequestId: {id}")));
    assert!(log.len() < 300 * 1024, "{} bytes kept", log.len());
    assert!(body.len() < 20 * 1024 * 1024, "the answer is {} bytes", body.len());
    eprintln!("server peak RSS over 20 invocations printing 50 MB each: {peak:.1} MB");
    assert!(
        peak < RSS_BOUND_MB,
        "the server reached {peak:.0} MB (bound {RSS_BOUND_MB} MB)"
    );
}

/// Sends `bytes` and reads until the server closes the connection; how long that took.
fn held_for(port: u16, bytes: &[u8], within: Duration) -> Option<Duration> {
    let started = Instant::now();
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(within)).unwrap();
    stream.write_all(bytes).unwrap();
    let mut buf = [0u8; 1024];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return Some(started.elapsed()),
            Ok(_) => continue,
            Err(_) => return None,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_and_idle_connections_are_closed_while_others_are_served() {
    let s = Server::start(&["--idle-timeout", "1.5"]);
    let port = s.port;
    // Half a request's headers, then nothing.
    let slow = std::thread::spawn(move || {
        held_for(
            port,
            b"GET /2015-03-31/functions/ HTTP/1.1\r\nHost: x\r\n",
            Duration::from_secs(20),
        )
    });
    // A connection that never sends a byte.
    let silent = std::thread::spawn(move || held_for(port, b"", Duration::from_secs(20)));
    // Meanwhile others are served.
    let started = Instant::now();
    for _ in 0..10 {
        let body = http_get(&format!("{}/_fauxlambda/health", s.endpoint)).await;
        assert!(String::from_utf8_lossy(&body).contains("ok"));
    }
    assert!(started.elapsed() < Duration::from_secs(1));
    for (what, t) in [
        ("half-sent headers", slow.join().unwrap()),
        ("an idle connection", silent.join().unwrap()),
    ] {
        let t = t.unwrap_or_else(|| panic!("{what}: still open after 20 s"));
        assert!(
            t >= Duration::from_millis(1400) && t < Duration::from_secs(5),
            "{what}: closed after {t:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn running_out_of_file_descriptors_logs_once_and_recovers() {
    // 64 descriptors for the server, and no cap of its own below that: accepting fails with EMFILE.
    // No data directory: its database and lock take descriptors of their own, which would leave
    // this count to chance.
    let log_dir = tempfile::tempdir().unwrap();
    let log_path = log_dir.path().join("server.log");
    let port = common::moto::free_port();
    let command = format!(
        "ulimit -n 64 && exec {} --listen 127.0.0.1:{port} --executor process --log-level warn --max-connections 1000",
        env!("CARGO_BIN_EXE_fauxlambda"),
    );
    let mut child = std::process::Command::new("sh")
        .args(["-c", &command])
        .stdout(std::fs::File::create(&log_path).unwrap())
        .stderr(std::process::Stdio::inherit())
        .spawn()
        .unwrap();
    common::eventually_sync("fauxlambda listens", Duration::from_secs(10), || {
        TcpStream::connect(("127.0.0.1", port)).is_ok()
    });
    // Started (its start-up work done, which opens and closes descriptors of its own) before the
    // flood.
    let health = format!("http://127.0.0.1:{port}/_fauxlambda/health");
    eventually("fauxlambda answers", Duration::from_secs(10), || async {
        http_get_opt(&health).await
    })
    .await;
    // 100 connections held open: well past 64 descriptors.
    let held: Vec<TcpStream> = (0..100)
        .filter_map(|_| TcpStream::connect(("127.0.0.1", port)).ok())
        .collect();
    std::thread::sleep(Duration::from_secs(2));
    let cpu_before = cpu_ticks(child.id());
    std::thread::sleep(Duration::from_secs(2));
    let cpu_spent = cpu_ticks(child.id()) - cpu_before;
    drop(held);
    let body = eventually("served again", Duration::from_secs(10), || async {
        http_get_opt(&health).await
    })
    .await;
    assert!(String::from_utf8_lossy(&body).contains("ok"));
    let log = std::fs::read_to_string(&log_path).unwrap();
    let accept_lines = log.lines().filter(|l| l.contains("accept")).count();
    let _ = child.kill();
    let _ = child.wait();
    assert!(log.contains("Too many open files"), "{log}");
    assert!(accept_lines <= 4, "{accept_lines} lines about accepting: {log}");
    // Paused, not spinning: well under a core over those 2 s (ticks are 1/100 s).
    assert!(
        cpu_spent < 50,
        "{cpu_spent} ticks of CPU in 2 s while out of descriptors"
    );
}

/// User + system CPU ticks of a process.
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let fields: Vec<&str> = after.split_whitespace().collect();
    let n = |i: usize| fields.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    n(11) + n(12)
}

/// A GET that may fail (the server may still be out of descriptors).
async fn http_get_opt(url: &str) -> Result<Vec<u8>, String> {
    let url = url.to_owned();
    tokio::time::timeout(Duration::from_secs(2), async move {
        let r = tokio::spawn(async move { http_get(&url).await }).await;
        r.map_err(|e| e.to_string())
    })
    .await
    .map_err(|_| "timed out".to_string())?
}

/// A zip of one deflated entry of `real` zero bytes that declares `declared` bytes.
fn zeros_zip(name: &str, real: usize, declared: Option<u32>) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    w.start_file(name, opts).unwrap();
    let chunk = vec![0u8; 1 << 20];
    let mut left = real;
    while left > 0 {
        let n = left.min(chunk.len());
        w.write_all(&chunk[..n]).unwrap();
        left -= n;
    }
    let mut bytes = w.finish().unwrap().into_inner();
    if let Some(declared) = declared {
        // The uncompressed size: at 22 in the local header, at 24 in the central directory's.
        bytes[22..26].copy_from_slice(&declared.to_le_bytes());
        let central = bytes.windows(4).rposition(|w| w == [0x50, 0x4b, 0x01, 0x02]).unwrap();
        bytes[central + 24..central + 28].copy_from_slice(&declared.to_le_bytes());
    }
    bytes
}

async fn create_with(
    c: &aws_sdk_lambda::Client,
    name: &str,
    zip: Vec<u8>,
    layers: &[String],
) -> Result<(), (String, String)> {
    use aws_sdk_lambda::error::ProvideErrorMetadata;
    c.create_function()
        .function_name(name)
        .runtime(Runtime::Python312)
        .role(ROLE)
        .handler("app.handler")
        .set_layers((!layers.is_empty()).then(|| layers.to_vec()))
        .code(FunctionCode::builder().zip_file(Blob::new(zip)).build())
        .send()
        .await
        .map(|_| ())
        .map_err(|e| {
            let e = e.into_service_error();
            (
                e.code().unwrap_or_default().to_owned(),
                e.message().unwrap_or_default().to_owned(),
            )
        })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zips_that_lie_escape_or_add_up_too_big_are_refused_at_upload() {
    use aws_sdk_lambda::types::LayerVersionContentInput;
    let s = Server::start(&[]);
    let c = s.client();
    // 300 MB of zeros declaring 1,000 bytes: counted as it unzips.
    let lying = zeros_zip("app.py", 300 << 20, Some(1000));
    assert!(lying.len() < 1 << 20);
    let e = create_with(&c, "lying", lying, &[]).await.unwrap_err();
    assert_eq!(
        e,
        (
            "InvalidParameterValueException".into(),
            "Unzipped size must be smaller than 262144000 bytes".into()
        )
    );

    // A chain of links that leaves the root, refused before anything is unpacked.
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    w.start_file("app.py", opts).unwrap();
    w.write_all(b"def handler(e, c):\n    return 1\n").unwrap();
    w.add_symlink("d/s1", "..", opts).unwrap();
    w.add_symlink("d/s1x", "s1/..", opts).unwrap();
    let chain = w.finish().unwrap().into_inner();
    let (code, message) = create_with(&c, "chain", chain, &[]).await.unwrap_err();
    assert_eq!(code, "InvalidParameterValueException");
    assert!(
        message.starts_with("Could not unzip uploaded file.") && message.contains("d/s1x"),
        "{message}"
    );

    // A 200 MB layer and 60 MB of code: each within the limit, together over it.
    let layer = c
        .publish_layer_version()
        .layer_name("heavy")
        .content(
            LayerVersionContentInput::builder()
                .zip_file(Blob::new(zeros_zip("python/blob.bin", 200 << 20, None)))
                .build(),
        )
        .send()
        .await
        .unwrap();
    let arn = layer.layer_version_arn().unwrap().to_owned();
    let code = zeros_zip("app.py", 60 << 20, None);
    let e = create_with(&c, "combined", code.clone(), std::slice::from_ref(&arn))
        .await
        .unwrap_err();
    let total = (200u64 << 20) + (60 << 20);
    assert_eq!(
        e,
        (
            "InvalidParameterValueException".into(),
            format!("Function code combined with layers exceeds the maximum allowed size of 262144000 bytes. The actual size is {total} bytes.")
        )
    );
    // Adding the layer later is refused the same way, and leaves the function as it was.
    create_with(&c, "combined", code, &[]).await.unwrap();
    wait_active(&c, "combined").await;
    let e = c
        .update_function_configuration()
        .function_name("combined")
        .layers(&arn)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        aws_sdk_lambda::error::ProvideErrorMetadata::message(&e)
            .unwrap_or_default()
            .contains("combined with layers"),
        "{e:?}"
    );
    let f = c
        .get_function_configuration()
        .function_name("combined")
        .send()
        .await
        .unwrap();
    assert!(f.layers().is_empty());
}

/// One HTTP/1.1 request on a fresh loopback connection, read to its end: (status, headers and
/// body as text). The Runtime API closes a refused connection after its answer.
fn raw_request(addr: &str, request: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).expect("connect to the Runtime API");
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut text = Vec::new();
    let _ = stream.read_to_end(&mut text);
    let text = String::from_utf8_lossy(&text).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no HTTP answer: {text:?}"));
    (status, text)
}

/// A process that is not the environment's, polling its Runtime API and answering what it gets
/// with a forged response, `polls` times: each gets 403 with a JSON error and one log line, and
/// the function's invocations meanwhile all get its own answers.
async fn foreign_poller_is_refused(s: &Server) {
    let c = s.client();
    let code = "import os\n\ndef handler(event, context):\n    return {'fn': os.environ['AWS_LAMBDA_FUNCTION_NAME'], 'n': event['n'], 'api': os.environ['AWS_LAMBDA_RUNTIME_API']}\n";
    for name in ["polled", "neighbour"] {
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
            .unwrap();
        wait_active(&c, name).await;
    }
    let invoke = |name: &'static str, n: u32| {
        let c = c.clone();
        async move {
            let out = c
                .invoke()
                .function_name(name)
                .payload(Blob::new(format!("{{\"n\": {n}}}")))
                .send()
                .await
                .unwrap();
            assert_eq!(out.function_error(), None);
            serde_json::from_slice::<Value>(out.payload().unwrap().as_ref()).unwrap()
        }
    };
    let first = invoke("polled", 0).await;
    let api = first["api"].as_str().unwrap().to_owned();
    assert!(api.starts_with("127.0.0.1:"), "{first}");
    const POLLS: usize = 40;
    let poller = {
        let api = api.clone();
        std::thread::spawn(move || {
            (0..POLLS)
                .map(|_| {
                    let (status, text) = raw_request(
                        &api,
                        "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: x\r\n\r\n",
                    );
                    // Were it given an event, it would answer it with a forgery.
                    if let Some(id) = text
                        .lines()
                        .find_map(|l| l.to_ascii_lowercase().strip_prefix("lambda-runtime-aws-request-id: ").map(str::to_owned))
                    {
                        raw_request(
                            &api,
                            &format!("POST /2018-06-01/runtime/invocation/{id}/response HTTP/1.1\r\nHost: x\r\nContent-Length: 8\r\n\r\n\"forged\""),
                        );
                    }
                    (status, text)
                })
                .collect::<Vec<_>>()
        })
    };
    for n in 1..=30 {
        for name in ["polled", "neighbour"] {
            let answer = invoke(name, n).await;
            assert_eq!(
                (answer["fn"].as_str(), answer["n"].as_u64()),
                (Some(name), Some(u64::from(n))),
                "{answer}"
            );
        }
    }
    let polls = poller.join().unwrap();
    for (status, text) in &polls {
        assert_eq!(*status, 403, "{text}");
        let body = &text[text.find("\r\n\r\n").unwrap() + 4..];
        let error: Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {text}"));
        assert_eq!(error["errorType"], "AccessDenied", "{text}");
    }
    // The environment's own runtime kept being served on the same port.
    assert_eq!(invoke("polled", 99).await["api"], api.as_str());
    let log = s.log();
    let refused = log
        .lines()
        .filter(|l| l.contains("refused a connection from 127.0.0.1:"))
        .count();
    assert_eq!(refused, POLLS, "one log line per refused connection:\n{log}");
    assert!(log.contains("the Runtime API of polled:$LATEST refused"), "{log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_foreign_poller_gets_403_from_a_process_environments_runtime_api() {
    // Under the official Python runtime client, and under fauxlambda's own.
    let python = format!("python={}", common::require_venv_python().display());
    for client in ["--runtime-command", "--own-runtime-clients"] {
        let args: &[&str] = if client == "--runtime-command" {
            &["--runtime-command", &python]
        } else {
            &["--own-runtime-clients"]
        };
        let s = Server::start_logged(args, &[]);
        foreign_poller_is_refused(&s).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_foreign_poller_gets_403_from_a_container_environments_runtime_api() {
    // Host networking: the container's processes are the host's, told apart by their sockets.
    let args = common::docker_args();
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let s = Server::start_logged(&refs, &[]);
    foreign_poller_is_refused(&s).await;
    // Told apart by their processes, not let through unchecked.
    assert!(!s.log().contains("not visible to fauxlambda"), "{}", s.log());
}

/// A Python function answering its name tag and its region, in the client's region.
async fn create_twin(c: &aws_sdk_lambda::Client, tag: &str, record: Option<&str>) {
    let code = format!(
        "import os\n\ndef handler(event, context):\n    if os.environ.get('RECORD'):\n        open(os.environ['RECORD'], 'w').write('{tag}')\n    return {{'who': '{tag}', 'region': os.environ['AWS_REGION']}}\n"
    );
    let mut env = aws_sdk_lambda::types::Environment::builder();
    if let Some(r) = record {
        env = env.variables("RECORD", r);
    }
    c.create_function()
        .function_name("twin")
        .runtime(Runtime::Python312)
        .role(ROLE)
        .handler("app.handler")
        .environment(env.build())
        .code(
            FunctionCode::builder()
                .zip_file(Blob::new(zip(&[("app.py", &code)])))
                .build(),
        )
        .send()
        .await
        .unwrap_or_else(|e| panic!("create twin ({tag}): {e:?}"));
    wait_active(c, "twin").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn two_regions_hold_two_functions_of_the_same_name() {
    // Without the sandbox: the west function marks a host file when its event runs.
    let s = Server::start(&["--no-bwrap"]);
    let east = s.client_in("us-east-1");
    let west = s.client_in("eu-west-1");
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("west-event");
    create_twin(&east, "east", None).await;
    create_twin(&west, "west", Some(marker.to_str().unwrap())).await;
    for (c, tag, region) in [(&east, "east", "us-east-1"), (&west, "west", "eu-west-1")] {
        let listed = c.list_functions().send().await.unwrap();
        let arns: Vec<&str> = listed.functions().iter().filter_map(|f| f.function_arn()).collect();
        assert_eq!(
            arns,
            [format!("arn:aws:lambda:{region}:000000000000:function:twin").as_str()]
        );
        let out = c.invoke().function_name("twin").send().await.unwrap();
        let answer: Value = serde_json::from_slice(out.payload().unwrap().as_ref()).unwrap();
        assert_eq!(answer, serde_json::json!({"who": tag, "region": region}));
    }
    // An asynchronous event runs in its own region.
    west.invoke()
        .function_name("twin")
        .invocation_type(aws_sdk_lambda::types::InvocationType::Event)
        .send()
        .await
        .unwrap();
    eventually("the west function ran the event", Duration::from_secs(10), || async {
        match std::fs::read_to_string(&marker) {
            Ok(t) if t == "west" => Ok(()),
            other => Err(format!("{other:?}")),
        }
    })
    .await;
    // A function of another region is named by its ARN only in that region.
    let err = east
        .get_function()
        .function_name("arn:aws:lambda:eu-west-1:000000000000:function:twin")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_invalid_parameter_value_exception(), "{err:?}");
    // Deleting one leaves the other.
    east.delete_function().function_name("twin").send().await.unwrap();
    let gone = east
        .get_function()
        .function_name("twin")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(gone.is_resource_not_found_exception(), "{gone:?}");
    let still = west.get_function().function_name("twin").send().await.unwrap();
    assert_eq!(
        still.configuration().unwrap().function_arn(),
        Some("arn:aws:lambda:eu-west-1:000000000000:function:twin")
    );
}

/// A zip of `app.py` and `bytes` of incompressible data (stored): ~4/3 of that in base64 on the wire.
fn bulky_zip(bytes: usize, seed: u64) -> Vec<u8> {
    let mut state = seed | 1;
    let data: Vec<u8> = (0..bytes)
        .map(|_| {
            // xorshift64: cheap and incompressible enough for deflate.
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect();
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    w.start_file("app.py", stored).unwrap();
    w.write_all(b"def handler(event, context):\n    return 'bulky'\n")
        .unwrap();
    w.start_file("data.bin", stored).unwrap();
    w.write_all(&data).unwrap();
    w.finish().unwrap().into_inner()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_60_mb_uploads_keep_the_server_bounded() {
    let s = Server::start(&["--body-buffer-mb", &BODY_BUFFER_MB.to_string()]);
    let c = s.client();
    // 45 MB zips: request bodies of ~60 MB (base64 in JSON).
    const ZIP_BYTES: usize = 45 << 20;
    const UPLOADS: usize = 4;
    for i in 0..UPLOADS / 2 {
        common::create_echo(&c, &format!("updated-{i}")).await;
    }
    let pid = s.child.id();
    let idle = rss_mb(pid);
    let sampling = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let sampler = {
        let sampling = sampling.clone();
        std::thread::spawn(move || {
            let mut peak: f64 = 0.0;
            while sampling.load(std::sync::atomic::Ordering::Relaxed) {
                peak = peak.max(rss_mb(pid));
                std::thread::sleep(Duration::from_millis(5));
            }
            peak
        })
    };
    let started = Instant::now();
    let calls: Vec<_> = (0..UPLOADS)
        .map(|i| {
            let c = c.clone();
            let zip = bulky_zip(ZIP_BYTES, i as u64 + 1);
            tokio::spawn(async move {
                if i % 2 == 0 {
                    c.create_function()
                        .function_name(format!("bulky-{i}"))
                        .runtime(Runtime::Python312)
                        .role(ROLE)
                        .handler("app.handler")
                        .code(FunctionCode::builder().zip_file(Blob::new(zip)).build())
                        .send()
                        .await
                        .map(|o| o.code_size())
                        .map_err(|e| format!("{e:?}"))
                } else {
                    c.update_function_code()
                        .function_name(format!("updated-{}", i / 2))
                        .zip_file(Blob::new(zip))
                        .send()
                        .await
                        .map(|o| o.code_size())
                        .map_err(|e| format!("{e:?}"))
                }
            })
        })
        .collect();
    for call in calls {
        let size = call.await.unwrap().expect("every upload succeeds");
        assert!(size > ZIP_BYTES as i64, "{size}");
    }
    let took = started.elapsed();
    sampling.store(false, std::sync::atomic::Ordering::Relaxed);
    let peak = sampler.join().unwrap();
    eprintln!(
        "{UPLOADS} concurrent ~60 MB uploads in {took:.1?}: server RSS {idle:.1} MB before, peak {peak:.1} MB, {:.1} MB after",
        rss_mb(pid)
    );
    assert!(
        peak < UPLOAD_RSS_BOUND_MB,
        "server RSS peaked at {peak:.1} MB (bound {UPLOAD_RSS_BOUND_MB} MB)"
    );
}

/// Large bodies the server handles at once in the upload test: one ~60 MB upload at a time.
const BODY_BUFFER_MB: u32 = 64;
/// What `--body-buffer-mb` promises: the server's own ~40 MB, and three times the budget (an
/// upload's handling holds its body, the decoded zip and a copy while it is checked and stored).
/// Measured: 4 uploads at once peaked at ~200 MB with a 64 MB budget, ~360 MB for 6 with 128 MB,
/// and ~490 MB for 6 without a budget.
const UPLOAD_RSS_BOUND_MB: f64 = 40.0 + 3.0 * BODY_BUFFER_MB as f64;
