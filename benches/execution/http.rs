//! The control requests of the benchmark (create a function, evict, list environments) and the
//! first invokes that wait for a runner to answer, over a hyper client connection. The warm
//! figures use `raw_client.rs` instead.

use crate::process::Proc;
use crate::PAYLOAD;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use std::time::{Duration, Instant};

pub type Sender = hyper::client::conn::http1::SendRequest<Full<Bytes>>;

pub async fn connect(port: u16) -> Result<Sender, String> {
    let stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .map_err(|e| format!("connect: {e}"))?;
    stream.set_nodelay(true).unwrap();
    let (send, conn) = hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
        .await
        .map_err(|e| format!("handshake: {e}"))?;
    tokio::spawn(conn);
    Ok(send)
}

pub struct Answer {
    pub status: u16,
    pub headers: http::HeaderMap,
    pub body: Bytes,
}

pub async fn request(
    send: &mut Sender,
    method: &str,
    path: &str,
    body: Option<String>,
    headers: &[(&str, &str)],
) -> Result<Answer, String> {
    let mut b = http::Request::builder()
        .method(method)
        .uri(path)
        .header("host", "127.0.0.1");
    if body.is_some() {
        b = b.header("content-type", "application/json");
    }
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    let req = b.body(Full::new(Bytes::from(body.unwrap_or_default()))).unwrap();
    send.ready().await.map_err(|e| format!("connection: {e}"))?;
    let resp = send.send_request(req).await.map_err(|e| format!("send: {e}"))?;
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let body = resp
        .into_body()
        .collect()
        .await
        .map_err(|e| format!("body: {e}"))?
        .to_bytes();
    Ok(Answer { status, headers, body })
}

/// One invoke; Ok only for a 200 that echoes the payload.
pub async fn invoke(send: &mut Sender, path: &str) -> Result<(), String> {
    let a = request(send, "POST", path, Some(PAYLOAD.into()), &[]).await?;
    check_echo(
        &a.status.to_string(),
        a.headers.contains_key("x-amz-function-error"),
        &a.body,
    )
}

/// Ok only for a 200 without `X-Amz-Function-Error` whose body echoes the payload (both clients).
pub fn check_echo(status: &str, function_error: bool, body: &[u8]) -> Result<(), String> {
    if status != "200" || function_error {
        return Err(format!("status {status}: {}", String::from_utf8_lossy(body)));
    }
    let got: serde_json::Value = serde_json::from_slice(body).map_err(|e| format!("not JSON: {e}"))?;
    if got != serde_json::from_str::<serde_json::Value>(PAYLOAD).unwrap() {
        return Err(format!("not an echo: {}", String::from_utf8_lossy(body)));
    }
    Ok(())
}

/// Waits until `port` answers `path` with an echo (the first answer may start the runtime).
pub async fn first_answer(port: u16, path: &str, within: Duration, proc: &mut Proc) -> Result<Sender, String> {
    let deadline = Instant::now() + within;
    let mut last = String::from("no answer");
    loop {
        if proc.exited() {
            return Err("the process exited".into());
        }
        if let Ok(mut s) = connect(port).await {
            match invoke(&mut s, path).await {
                Ok(()) => return Ok(s),
                Err(e) => last = e,
            }
        }
        if Instant::now() > deadline {
            return Err(format!("did not answer within {} s: {last}", within.as_secs()));
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}
