//! The log sink of one execution environment: its process's stdout and stderr, read line by line
//! into one buffer, so the pool can take the lines written during an invocation (and `sync` first,
//! to be sure every byte the process wrote before answering has been read).

use std::sync::{Arc, Mutex};
use tokio::net::unix::pipe;
use tokio::sync::{mpsc, oneshot};

/// Longest line kept as one (longer ones are split, as CloudWatch splits events at 256 KB).
const MAX_LINE: usize = 256 * 1024;

/// The lines of one environment's output, in arrival order.
#[derive(Clone, Default)]
pub struct LogSink {
    lines: Arc<Mutex<Vec<String>>>,
    readers: Arc<Mutex<Vec<mpsc::UnboundedSender<oneshot::Sender<()>>>>>,
}

impl LogSink {
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads `fd` (a pipe's read end) into the sink until it closes.
    pub fn attach(&self, fd: std::os::fd::OwnedFd) -> std::io::Result<()> {
        self.attach_receiver(pipe::Receiver::from_owned_fd(fd)?);
        Ok(())
    }

    /// Reads the FIFO at `path` (a container's output) for as long as the sink lives. It is
    /// opened read-write, so it never reaches end of file between writers.
    pub fn attach_fifo(&self, path: &std::path::Path) -> std::io::Result<()> {
        let rx = pipe::OpenOptions::new().read_write(true).open_receiver(path)?;
        self.attach_receiver(rx);
        Ok(())
    }

    fn attach_receiver(&self, rx: pipe::Receiver) {
        let (sync_tx, sync_rx) = mpsc::unbounded_channel();
        self.readers.lock().unwrap_or_else(|e| e.into_inner()).push(sync_tx);
        tokio::spawn(read_pipe(rx, sync_rx, self.lines.clone()));
    }

    /// Reads a container's attach stream into the sink. Its output travels through the engine,
    /// so a `sync` cannot know it has everything: it waits until the stream has been quiet for
    /// a moment (`STREAM_QUIET`, at most `STREAM_SYNC_MAX`).
    pub fn attach_stream<S, E>(&self, stream: S)
    where
        S: futures_util::Stream<Item = Result<bollard::container::LogOutput, E>> + Send + Unpin + 'static,
        E: Send + 'static,
    {
        let (sync_tx, sync_rx) = mpsc::unbounded_channel();
        self.readers.lock().unwrap_or_else(|e| e.into_inner()).push(sync_tx);
        tokio::spawn(read_stream(stream, sync_rx, self.lines.clone()));
    }

    /// Adds a line of the platform's own (START, END, REPORT…).
    pub fn push(&self, line: impl Into<String>) {
        self.lines.lock().unwrap_or_else(|e| e.into_inner()).push(line.into());
    }

    /// Reads what the process has written so far (a pending partial line counts as a line).
    pub async fn sync(&self) {
        let readers: Vec<_> = self.readers.lock().unwrap_or_else(|e| e.into_inner()).clone();
        for r in readers {
            let (tx, rx) = oneshot::channel();
            if r.send(tx).is_ok() {
                let _ = rx.await; // the reader is gone once its pipe closed: nothing left to read
            }
        }
    }

    /// Takes every line collected so far.
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.lines.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

/// How long an attach stream must be quiet before a `sync` counts it as read.
const STREAM_QUIET: std::time::Duration = std::time::Duration::from_millis(2);
/// The longest a `sync` waits for a busy attach stream.
const STREAM_SYNC_MAX: std::time::Duration = std::time::Duration::from_millis(50);

async fn read_stream<S, E>(mut stream: S, mut sync: mpsc::UnboundedReceiver<oneshot::Sender<()>>, lines: Arc<Mutex<Vec<String>>>)
where
    S: futures_util::Stream<Item = Result<bollard::container::LogOutput, E>> + Send + Unpin + 'static,
        E: Send + 'static,
{
    use futures_util::StreamExt;
    let mut partial: Vec<u8> = Vec::new();
    let mut open = true;
    while open {
        tokio::select! {
            item = stream.next() => match item {
                Some(Ok(out)) => split_lines(&out.into_bytes(), &mut partial, &lines),
                _ => open = false,
            },
            req = sync.recv() => {
                let Some(ack) = req else { break };
                let until = tokio::time::Instant::now() + STREAM_SYNC_MAX;
                loop {
                    match tokio::time::timeout(STREAM_QUIET, stream.next()).await {
                        Ok(Some(Ok(out))) => split_lines(&out.into_bytes(), &mut partial, &lines),
                        Ok(_) => { open = false; break; }
                        Err(_) => break,
                    }
                    if tokio::time::Instant::now() >= until {
                        break;
                    }
                }
                flush(&mut partial, &lines);
                let _ = ack.send(());
            }
        }
    }
    flush(&mut partial, &lines);
    sync.close();
    while let Ok(ack) = sync.try_recv() {
        let _ = ack.send(());
    }
}

async fn read_pipe(rx: pipe::Receiver, mut sync: mpsc::UnboundedReceiver<oneshot::Sender<()>>, lines: Arc<Mutex<Vec<String>>>) {
    let mut partial: Vec<u8> = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut open = true;
    while open {
        tokio::select! {
            r = rx.readable() => {
                if r.is_err() { break; }
                open = drain(&rx, &mut buf, &mut partial, &lines);
            }
            req = sync.recv() => {
                let Some(ack) = req else { break };
                open = drain(&rx, &mut buf, &mut partial, &lines);
                flush(&mut partial, &lines);
                let _ = ack.send(());
            }
        }
    }
    flush(&mut partial, &lines);
    // Answer the syncs still queued: nothing more will come.
    sync.close();
    while let Ok(ack) = sync.try_recv() {
        let _ = ack.send(());
    }
}

/// Reads everything available now; false once the pipe reached end of file.
fn drain(rx: &pipe::Receiver, buf: &mut [u8], partial: &mut Vec<u8>, lines: &Mutex<Vec<String>>) -> bool {
    loop {
        match rx.try_read(buf) {
            Ok(0) => return false,
            Ok(n) => split_lines(&buf[..n], partial, lines),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => return true,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => return false,
        }
    }
}

fn split_lines(data: &[u8], partial: &mut Vec<u8>, lines: &Mutex<Vec<String>>) {
    let mut out = Vec::new();
    for &b in data {
        if b == b'\n' {
            out.push(String::from_utf8_lossy(partial).into_owned());
            partial.clear();
        } else {
            partial.push(b);
            if partial.len() >= MAX_LINE {
                out.push(String::from_utf8_lossy(partial).into_owned());
                partial.clear();
            }
        }
    }
    if !out.is_empty() {
        lines.lock().unwrap_or_else(|e| e.into_inner()).extend(out);
    }
}

fn flush(partial: &mut Vec<u8>, lines: &Mutex<Vec<String>>) {
    if !partial.is_empty() {
        let line = String::from_utf8_lossy(partial).into_owned();
        partial.clear();
        lines.lock().unwrap_or_else(|e| e.into_inner()).push(line);
    }
}
