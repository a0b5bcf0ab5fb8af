//! A streamed response on its way from a runtime to its caller: the channel an invocation's
//! caller hands the environment (`Pool::invoke_streaming`), which the Runtime API fills as the
//! runtime posts `/response` with `Lambda-Runtime-Function-Response-Mode: streaming`: first the
//! stream's start (the runtime's `Content-Type`), then each chunk as it arrives. How the stream
//! ended (trailers, limit, timeout) is the invocation's outcome, not part of the channel. A
//! runtime that answers in one piece never touches the channel.

use bytes::Bytes;
use tokio::sync::mpsc;

/// The most a streamed response may carry (AWS: 200 MB since July 2025).
pub const STREAM_LIMIT: usize = 200 * 1024 * 1024;

/// Chunks queued between the runtime's connection and the caller before the runtime is made to
/// wait (backpressure, as a slow client gets on AWS).
const QUEUED_CHUNKS: usize = 32;

/// One piece of a streamed response.
#[derive(Debug, PartialEq, Eq)]
pub enum StreamPart {
    /// The runtime started streaming; its `Content-Type`, if it sent one.
    Start { content_type: Option<String> },
    /// A chunk of the body, as the runtime sent it.
    Chunk(Bytes),
}

/// The environment's end (cheap to clone: the pool keeps one per invocation for its retries).
#[derive(Clone, Debug)]
pub struct StreamSender {
    tx: mpsc::Sender<StreamPart>,
}

impl StreamSender {
    /// Sends one part, waiting while the caller is behind; false once the caller is gone.
    pub async fn send(&self, part: StreamPart) -> bool {
        self.tx.send(part).await.is_ok()
    }
}

/// The caller's end. It ends (`recv` gives None) once every sender is dropped; the end of the
/// stream itself is told by the invocation's completion.
#[derive(Debug)]
pub struct StreamReceiver {
    rx: mpsc::Receiver<StreamPart>,
}

impl StreamReceiver {
    pub async fn recv(&mut self) -> Option<StreamPart> {
        self.rx.recv().await
    }
}

/// A new stream: the sender for the environment, the receiver for the caller.
pub fn channel() -> (StreamSender, StreamReceiver) {
    let (tx, rx) = mpsc::channel(QUEUED_CHUNKS);
    (StreamSender { tx }, StreamReceiver { rx })
}
