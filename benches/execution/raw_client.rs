//! The client of the warm figures.

use crate::http::check_echo;
use crate::PAYLOAD;
use std::time::Duration;

/// The client of the warm figures: HTTP/1.1 over one blocking keep-alive socket in a thread of its
/// own (a request is one write, a response one or two reads), so that its own cost and wake-ups
/// add as little as possible to what is measured — the same for every runner.
pub struct RawClient {
    pub stream: std::net::TcpStream,
    pub request: Vec<u8>,
    pub buf: Vec<u8>,
}

impl RawClient {
    pub fn connect(port: u16, path: &str) -> Result<RawClient, String> {
        let stream = std::net::TcpStream::connect(("127.0.0.1", port)).map_err(|e| format!("connect: {e}"))?;
        stream.set_nodelay(true).map_err(|e| e.to_string())?;
        stream
            .set_read_timeout(Some(Duration::from_secs(60)))
            .map_err(|e| e.to_string())?;
        let request = format!(
            "POST {path} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{PAYLOAD}",
            PAYLOAD.len()
        )
        .into_bytes();
        Ok(RawClient {
            stream,
            request,
            buf: Vec::with_capacity(16 * 1024),
        })
    }

    /// One invoke; Ok only for a 200 without `X-Amz-Function-Error` that echoes the payload.
    pub fn invoke(&mut self) -> Result<(), String> {
        use std::io::{Read, Write};
        self.stream.write_all(&self.request).map_err(|e| format!("send: {e}"))?;
        self.buf.clear();
        let mut chunk = [0u8; 16 * 1024];
        let mut read = |buf: &mut Vec<u8>, stream: &mut std::net::TcpStream| -> Result<(), String> {
            let n = stream.read(&mut chunk).map_err(|e| format!("receive: {e}"))?;
            if n == 0 {
                return Err("connection closed".into());
            }
            buf.extend_from_slice(&chunk[..n]);
            Ok(())
        };
        let head_end = loop {
            if let Some(i) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            read(&mut self.buf, &mut self.stream)?;
        };
        let head = String::from_utf8_lossy(&self.buf[..head_end]).to_ascii_lowercase();
        let status = head.split(' ').nth(1).unwrap_or("");
        let header = |name: &str| {
            head.lines()
                .find_map(|l| l.strip_prefix(name).map(|v| v.trim().to_owned()))
        };
        let body = if let Some(len) = header("content-length:") {
            let len: usize = len.parse().map_err(|_| format!("bad content-length {len}"))?;
            while self.buf.len() < head_end + len {
                read(&mut self.buf, &mut self.stream)?;
            }
            self.buf[head_end..head_end + len].to_vec()
        } else if header("transfer-encoding:").is_some_and(|t| t.contains("chunked")) {
            // Chunks until the empty one (no trailers expected).
            let mut body = Vec::new();
            let mut at = head_end;
            loop {
                let line_end = loop {
                    if let Some(i) = self.buf[at..].windows(2).position(|w| w == b"\r\n") {
                        break at + i;
                    }
                    read(&mut self.buf, &mut self.stream)?;
                };
                let size = usize::from_str_radix(
                    String::from_utf8_lossy(&self.buf[at..line_end])
                        .split(';')
                        .next()
                        .unwrap_or("")
                        .trim(),
                    16,
                )
                .map_err(|_| "bad chunk size".to_string())?;
                while self.buf.len() < line_end + 2 + size + 2 {
                    read(&mut self.buf, &mut self.stream)?;
                }
                body.extend_from_slice(&self.buf[line_end + 2..line_end + 2 + size]);
                at = line_end + 2 + size + 2;
                if size == 0 {
                    break;
                }
            }
            body
        } else {
            return Err(format!("a response without a length: {head}"));
        };
        check_echo(status, header("x-amz-function-error:").is_some(), &body)
    }
}
