//! Function URLs and response streaming on fauxlambda's process executor:
//! - a function URL's warm latency side by side with the same function's `Invoke` (the Python
//!   echo, answering a URL's event with its body), in alternating batches (`side_by_side.rs`):
//!   the URL's overhead is the difference of the p50s (goal ≤ 50 µs);
//! - the first-chunk latency of `InvokeWithResponseStream`: a `provided.al2023` runtime (Python,
//!   `TCP_NODELAY`) writes the wall-clock time into its first chunk just before sending it, and the
//!   client (`aws-sdk-lambda`) takes the difference when the `PayloadChunk` arrives (goal ≤ 1 ms at
//!   p99).

use crate::fauxlambda::{faux_create, start_fauxlambda};
use crate::fixtures::zip_b64;
use crate::http::{connect, request};
use crate::measure::Fig;
use crate::side_by_side::{self, Target};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Echoes an `Invoke`'s event, and a URL event's body (so both answer the same JSON).
const PY_URL_ECHO: &str = r#"import json
def handler(event, context):
    if "requestContext" in event:
        return json.loads(event["body"])
    return event
"#;

/// A streaming runtime: per invocation, one chunk holding the epoch nanoseconds at which it is
/// sent, then the end of the stream.
const STREAMING_BOOTSTRAP: &str = r#"#!/usr/bin/env python3
import http.client, os, socket, time
host, port = os.environ["AWS_LAMBDA_RUNTIME_API"].split(":")
c = http.client.HTTPConnection(host, int(port))
c.connect()
c.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
while True:
    c.request("GET", "/2018-06-01/runtime/invocation/next")
    r = c.getresponse()
    r.read()
    rid = r.getheader("Lambda-Runtime-Aws-Request-Id")
    c.putrequest("POST", "/2018-06-01/runtime/invocation/%s/response" % rid)
    c.putheader("Lambda-Runtime-Function-Response-Mode", "streaming")
    c.putheader("Transfer-Encoding", "chunked")
    c.endheaders()
    stamp = str(time.time_ns()).encode()
    c.send(b"%x\r\n%s\r\n" % (len(stamp), stamp))
    c.send(b"0\r\n\r\n")
    c.getresponse().read()
"#;

/// Streamed invocations measured, after the warm-up ones.
const STREAMS: usize = 1000;
const STREAM_WARM_UP: usize = 50;

/// The section's figures.
pub struct UrlsStreaming {
    pub url_p50: Fig,
    pub invoke_p50: Fig,
    pub url_p99: Fig,
    pub invoke_p99: Fig,
    pub first_chunk_p50: Fig,
    pub first_chunk_p99: Fig,
}

pub async fn run() -> UrlsStreaming {
    let na = |why: &str| UrlsStreaming {
        url_p50: Fig::Na(why.into()),
        invoke_p50: Fig::Na(why.into()),
        url_p99: Fig::Na(why.into()),
        invoke_p99: Fig::Na(why.into()),
        first_chunk_p50: Fig::Na(why.into()),
        first_chunk_p99: Fig::Na(why.into()),
    };
    let mut f = match start_fauxlambda(false, false).await {
        Ok(f) => f,
        Err(e) => return na(&e),
    };
    let zip = zip_b64(&[("app.py", PY_URL_ECHO.as_bytes(), 0o644)]);
    let invoke_path = match faux_create(&mut f, "url-echo", "python3.12", "app.handler", &zip).await {
        Ok(p) => p,
        Err(e) => return na(&e),
    };
    let (url_p50, invoke_p50, url_p99, invoke_p99) = match url_path(f.port, "url-echo").await {
        Ok(url) => {
            let s = side_by_side::measure(
                &Target {
                    port: f.port,
                    path: url,
                },
                &Target {
                    port: f.port,
                    path: invoke_path,
                },
            )
            .await;
            (s.faux_p50, s.reference_p50, s.faux_p99, s.reference_p99)
        }
        Err(e) => (Fig::Na(e.clone()), Fig::Na(e.clone()), Fig::Na(e.clone()), Fig::Na(e)),
    };
    let (first_chunk_p50, first_chunk_p99) = match first_chunk(&mut f).await {
        Ok((p50, p99)) => (Fig::Val(p50), Fig::Val(p99)),
        Err(e) => (Fig::Na(e.clone()), Fig::Na(e)),
    };
    UrlsStreaming {
        url_p50,
        invoke_p50,
        url_p99,
        invoke_p99,
        first_chunk_p50,
        first_chunk_p99,
    }
}

/// A public URL for `name`: its path form.
async fn url_path(port: u16, name: &str) -> Result<String, String> {
    let mut s = connect(port).await?;
    let a = request(
        &mut s,
        "POST",
        &format!("/2021-10-31/functions/{name}/url"),
        Some(r#"{"AuthType":"NONE"}"#.into()),
        &[],
    )
    .await?;
    if a.status != 201 {
        return Err(format!(
            "CreateFunctionUrlConfig: {} {}",
            a.status,
            String::from_utf8_lossy(&a.body)
        ));
    }
    let config: serde_json::Value = serde_json::from_slice(&a.body).map_err(|e| e.to_string())?;
    let url = config["FunctionUrl"].as_str().unwrap_or_default();
    let id = url
        .strip_prefix("http://")
        .and_then(|r| r.split('.').next())
        .ok_or_else(|| format!("FunctionUrl {url}"))?;
    let a = request(
        &mut s,
        "POST",
        &format!("/2015-03-31/functions/{name}/policy"),
        Some(
            r#"{"StatementId":"url","Action":"lambda:InvokeFunctionUrl","Principal":"*","FunctionUrlAuthType":"NONE"}"#
                .into(),
        ),
        &[],
    )
    .await?;
    if a.status != 201 {
        return Err(format!(
            "AddPermission: {} {}",
            a.status,
            String::from_utf8_lossy(&a.body)
        ));
    }
    Ok(format!("/_fauxlambda/url/{id}/"))
}

/// p50 and p99 (seconds) of runtime's first chunk → client, over `STREAMS` warm invocations.
async fn first_chunk(f: &mut crate::fauxlambda::Faux) -> Result<(f64, f64), String> {
    use aws_sdk_lambda::types::InvokeWithResponseStreamResponseEvent as Event;
    let zip = zip_b64(&[("bootstrap", STREAMING_BOOTSTRAP.as_bytes(), 0o755)]);
    let mut s = connect(f.port).await?;
    let body = format!(
        r#"{{"FunctionName":"streamer","Runtime":"provided.al2023","Role":"arn:aws:iam::000000000000:role/bench","Handler":"bootstrap","Timeout":30,"Code":{{"ZipFile":"{zip}"}}}}"#
    );
    let a = request(&mut s, "POST", "/2015-03-31/functions", Some(body), &[]).await?;
    if a.status != 201 {
        return Err(format!(
            "CreateFunction: {} {}",
            a.status,
            String::from_utf8_lossy(&a.body)
        ));
    }
    let config = aws_sdk_lambda::Config::builder()
        .behavior_version(aws_sdk_lambda::config::BehaviorVersion::latest())
        .endpoint_url(format!("http://127.0.0.1:{}", f.port))
        .region(aws_sdk_lambda::config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_lambda::config::Credentials::new(
            "AKID", "secret", None, None, "bench",
        ))
        .http_client(aws_smithy_http_client::Builder::new().build_http())
        .build();
    let c = aws_sdk_lambda::Client::from_conf(config);
    let mut samples = Vec::with_capacity(STREAMS);
    for i in 0..STREAM_WARM_UP + STREAMS {
        // The function is Pending for a moment after it is created.
        let mut tries = 0;
        let mut out = loop {
            match c.invoke_with_response_stream().function_name("streamer").send().await {
                Ok(out) => break out,
                Err(_) if i == 0 && tries < 100 => {
                    tries += 1;
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Err(e) => return Err(format!("InvokeWithResponseStream: {e:?}")),
            }
        };
        while let Some(event) = out.event_stream.recv().await.map_err(|e| format!("stream: {e:?}"))? {
            if let Event::PayloadChunk(p) = event {
                let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos();
                let sent: u128 = std::str::from_utf8(p.payload().map(|b| b.as_ref()).unwrap_or_default())
                    .ok()
                    .and_then(|s| s.parse().ok())
                    .ok_or("a chunk without a timestamp")?;
                if i >= STREAM_WARM_UP {
                    samples.push(Duration::from_nanos(now.saturating_sub(sent) as u64));
                }
            }
        }
    }
    samples.sort();
    let at = |q: f64| samples[((samples.len() as f64 * q) as usize).min(samples.len() - 1)].as_secs_f64();
    Ok((at(0.50), at(0.99)))
}

/// The section as printed under the main table.
pub fn print(s: &UrlsStreaming) {
    println!();
    println!("Function URLs and response streaming (fauxlambda process executor, Python echo):");
    println!(
        "  warm p50 through a URL {} vs Invoke {} (p99 {} vs {}), side by side: {}",
        s.url_p50.us(),
        s.invoke_p50.us(),
        s.url_p99.us(),
        s.invoke_p99.us(),
        side_by_side::method()
    );
    if let (Some(u), Some(i)) = (s.url_p50.val(), s.invoke_p50.val()) {
        println!("  URL overhead at p50: {:.0} µs (goal ≤ 50 µs)", (u - i) * 1e6);
    }
    println!(
        "  InvokeWithResponseStream, runtime's first chunk → client (aws-sdk-lambda): p50 {}, p99 {} (goal p99 ≤ 1 ms; {STREAMS} invocations)",
        s.first_chunk_p50.us(),
        s.first_chunk_p99.us()
    );
}
