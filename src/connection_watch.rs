//! The watchdog of one client connection: it closes a connection that takes longer than the idle
//! timeout to send a request's headers (a slow or half-sent request), or that stays idle that long
//! between requests. It watches from the side, off the request path: the connection's reads and
//! writes stamp a time, the request handler counts itself in and out, and a check runs four times
//! per timeout. (hyper's own header-read timer re-arms on every request, which measurably slowed
//! warm invokes at concurrency 1.)

use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// No request head is being read.
const NONE: u64 = u64::MAX;

/// What the watchdog sees of one connection; times in milliseconds since it was accepted.
pub struct Activity {
    started: Instant,
    /// When the first byte of a request head not yet complete arrived (`NONE` when none).
    head_since: AtomicU64,
    /// Requests being handled.
    in_flight: AtomicU64,
    /// The last byte read or written, or request finished.
    last: AtomicU64,
}

impl Activity {
    pub fn new() -> Arc<Activity> {
        Arc::new(Activity {
            started: Instant::now(),
            head_since: AtomicU64::new(NONE),
            in_flight: AtomicU64::new(0),
            last: AtomicU64::new(0),
        })
    }

    fn now(&self) -> u64 {
        self.started.elapsed().as_millis() as u64
    }

    /// A request's handler starts: its head is complete.
    pub fn request_started(&self) {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
        self.head_since.store(NONE, Ordering::Relaxed);
    }

    /// A request's handler has answered.
    pub fn request_ended(&self) {
        self.last.store(self.now(), Ordering::Relaxed);
        self.in_flight.fetch_sub(1, Ordering::Relaxed);
    }

    fn read_some(&self) {
        let now = self.now();
        self.last.store(now, Ordering::Relaxed);
        if self.in_flight.load(Ordering::Relaxed) == 0 && self.head_since.load(Ordering::Relaxed) == NONE {
            self.head_since.store(now, Ordering::Relaxed);
        }
    }

    fn wrote_some(&self) {
        self.last.store(self.now(), Ordering::Relaxed);
    }

    /// Why the connection should close now, if it should: a request head unfinished, or no
    /// traffic at all, for longer than `timeout`, while no request is being handled.
    fn expired(&self, timeout: Duration) -> Option<&'static str> {
        if self.in_flight.load(Ordering::Relaxed) > 0 {
            return None;
        }
        let (now, limit) = (self.now(), timeout.as_millis() as u64);
        let head = self.head_since.load(Ordering::Relaxed);
        if head != NONE && now.saturating_sub(head) > limit {
            return Some("its request headers took too long");
        }
        if head == NONE && now.saturating_sub(self.last.load(Ordering::Relaxed)) > limit {
            return Some("it was idle too long");
        }
        None
    }

    /// Resolves when the connection should be closed.
    pub async fn expiry(&self, timeout: Duration) -> &'static str {
        let every = (timeout / 4).max(Duration::from_millis(20));
        loop {
            tokio::time::sleep(every).await;
            if let Some(why) = self.expired(timeout) {
                return why;
            }
        }
    }
}

/// A connection's stream, stamping its activity on every read and write.
pub struct Watched<S> {
    inner: S,
    activity: Arc<Activity>,
}

impl<S> Watched<S> {
    pub fn new(inner: S, activity: Arc<Activity>) -> Watched<S> {
        Watched { inner, activity }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Watched<S> {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let r = Pin::new(&mut this.inner).poll_read(cx, buf);
        if buf.filled().len() > before {
            this.activity.read_some();
        }
        r
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Watched<S> {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, data: &[u8]) -> Poll<std::io::Result<usize>> {
        let this = self.get_mut();
        let r = Pin::new(&mut this.inner).poll_write(cx, data);
        if matches!(r, Poll::Ready(Ok(n)) if n > 0) {
            this.activity.wrote_some();
        }
        r
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let this = self.get_mut();
        let r = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        if matches!(r, Poll::Ready(Ok(n)) if n > 0) {
            this.activity.wrote_some();
        }
        r
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expires_slow_heads_and_idle_connections_but_not_busy_ones() {
        let t = Duration::from_millis(30);
        let a = Activity::new();
        assert_eq!(a.expired(t), None);
        std::thread::sleep(Duration::from_millis(40));
        assert_eq!(a.expired(t), Some("it was idle too long"));
        a.read_some();
        assert_eq!(a.expired(t), None);
        std::thread::sleep(Duration::from_millis(40));
        a.read_some(); // a byte of the same head, late: still the same head
        assert_eq!(a.expired(t), Some("its request headers took too long"));
        a.request_started();
        std::thread::sleep(Duration::from_millis(40));
        assert_eq!(a.expired(t), None, "a request being handled is never cut");
        a.request_ended();
        assert_eq!(a.expired(t), None);
    }
}
