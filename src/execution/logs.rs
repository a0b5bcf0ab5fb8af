//! The log sink of one execution environment: its process's stdout and stderr, read line by line
//! into one buffer, so the pool can take the lines written during an invocation (and `sync` first,
//! to be sure every byte the process wrote before answering has been read). Between two takes the
//! buffer keeps at most the first and the last `KEEP_EACH_END` bytes, and a line saying how much
//! was cut between them: a function printing gigabytes costs the server a bounded amount.

use std::sync::{Arc, Mutex};
use tokio::net::unix::pipe;
use tokio::sync::{mpsc, oneshot, watch};

/// Longest line kept as one (longer ones are split, as CloudWatch splits events at 256 KB).
const MAX_LINE: usize = 256 * 1024;
/// Bytes kept of each end of one invocation's output (the head, and the tail).
pub const KEEP_EACH_END: usize = 128 * 1024;

/// The lines written since the last take: the head, then (once the head is full) a moving tail,
/// and what fell out between them.
#[derive(Default)]
struct Lines {
    head: Vec<String>,
    head_bytes: usize,
    /// Set once a line did not fit the head: later lines go to the tail.
    head_full: bool,
    tail: std::collections::VecDeque<String>,
    tail_bytes: usize,
    cut_lines: usize,
    cut_bytes: usize,
}

impl Lines {
    fn push(&mut self, line: String) {
        if !self.head_full && self.head_bytes + line.len() <= KEEP_EACH_END {
            self.head_bytes += line.len();
            self.head.push(line);
            return;
        }
        self.head_full = true;
        self.tail_bytes += line.len();
        self.tail.push_back(line);
        while self.tail_bytes > KEEP_EACH_END && self.tail.len() > 1 {
            if let Some(old) = self.tail.pop_front() {
                self.tail_bytes -= old.len();
                self.cut_bytes += old.len() + 1;
                self.cut_lines += 1;
            }
        }
    }

    fn extend(&mut self, lines: impl IntoIterator<Item = String>) {
        for l in lines {
            self.push(l);
        }
    }

    /// Everything kept, with the marker where lines were cut; empties the buffer.
    fn take(&mut self) -> Vec<String> {
        let mut t = std::mem::take(self);
        let mut out = std::mem::take(&mut t.head);
        if t.cut_lines > 0 {
            out.push(format!(
                "[fauxlambda] {} bytes ({} lines) of output cut here: an invocation's log keeps its first and last {} KB",
                t.cut_bytes,
                t.cut_lines,
                KEEP_EACH_END / 1024
            ));
        }
        out.extend(t.tail);
        out
    }
}

/// The lines of one environment's output, in arrival order.
#[derive(Clone)]
pub struct LogSink {
    lines: Arc<Mutex<Lines>>,
    readers: Arc<Mutex<Vec<Reader>>>,
    /// Never sent on: its reading tasks end when the last clone of the sink is dropped (a FIFO
    /// never reaches end of file, a pipe may be held open by a stray child).
    alive: Arc<watch::Sender<()>>,
}

impl Default for LogSink {
    fn default() -> Self {
        LogSink {
            lines: Arc::default(),
            readers: Arc::default(),
            alive: Arc::new(watch::channel(()).0),
        }
    }
}

/// One source of output, as `sync` reaches it.
#[derive(Clone)]
enum Reader {
    /// A pipe or FIFO: `sync` reads what is buffered in it itself (no round trip to its task).
    Pipe(Arc<PipeReader>),
    /// An attach stream: its task answers a `sync` once the stream has been quiet.
    Stream(mpsc::UnboundedSender<oneshot::Sender<()>>),
}

/// A pipe's read end and the partial line read from it, shared by its reading task and `sync`.
struct PipeReader {
    rx: pipe::Receiver,
    state: Mutex<PipeState>,
}

struct PipeState {
    partial: Vec<u8>,
    buf: Vec<u8>,
    /// False once the pipe reached end of file (or failed).
    open: bool,
}

impl PipeReader {
    /// Reads everything available now into `lines` (a pending partial line too when `flush`);
    /// false once the pipe is closed.
    fn drain(&self, lines: &Mutex<Lines>, flush_partial: bool) -> bool {
        let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let PipeState { partial, buf, open } = &mut *st;
        if *open {
            // `sync` reads the descriptor itself: tokio's readiness may not have caught up with
            // what the process wrote just before it answered, and would report nothing to read.
            *open = drain(&self.rx, buf, partial, lines, flush_partial);
        }
        if flush_partial || !*open {
            flush(partial, lines);
        }
        *open
    }
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
        let reader = Arc::new(PipeReader {
            rx,
            state: Mutex::new(PipeState {
                partial: Vec::new(),
                buf: vec![0u8; 64 * 1024],
                open: true,
            }),
        });
        self.readers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(Reader::Pipe(reader.clone()));
        tokio::spawn(read_pipe(reader, self.lines.clone(), self.alive.subscribe()));
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
        self.readers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(Reader::Stream(sync_tx));
        tokio::spawn(read_stream(stream, sync_rx, self.lines.clone()));
    }

    /// Adds a line of the platform's own (START, END, REPORT…).
    pub fn push(&self, line: impl Into<String>) {
        self.lines.lock().unwrap_or_else(|e| e.into_inner()).push(line.into());
    }

    /// Reads what the process has written so far (a pending partial line counts as a line).
    /// Pipes are read here and now: whatever the process wrote before it answered is in them.
    pub async fn sync(&self) {
        let readers: Vec<Reader> = self.readers.lock().unwrap_or_else(|e| e.into_inner()).clone();
        for r in readers {
            match r {
                Reader::Pipe(p) => {
                    p.drain(&self.lines, true);
                }
                Reader::Stream(tx) => {
                    let (ack, done) = oneshot::channel();
                    if tx.send(ack).is_ok() {
                        let _ = done.await; // the reader is gone once its stream ended: nothing left to read
                    }
                }
            }
        }
    }

    /// Takes the lines collected so far (both ends of them, when there were too many).
    pub fn take(&self) -> Vec<String> {
        self.lines.lock().unwrap_or_else(|e| e.into_inner()).take()
    }
}

/// How long an attach stream must be quiet before a `sync` counts it as read. The output crosses
/// the container's shim and the engine before it reaches us: 2 ms lost lines under CI load (a
/// line printed just before the answer arrived after the sync). Only the attach mode pays it
/// (`--docker-copy-code`, images without a shell); the FIFO and pipes are read directly.
const STREAM_QUIET: std::time::Duration = std::time::Duration::from_millis(10);
/// The longest a `sync` waits for a busy attach stream.
const STREAM_SYNC_MAX: std::time::Duration = std::time::Duration::from_millis(200);

async fn read_stream<S, E>(
    mut stream: S,
    mut sync: mpsc::UnboundedReceiver<oneshot::Sender<()>>,
    lines: Arc<Mutex<Lines>>,
) where
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

async fn read_pipe(reader: Arc<PipeReader>, lines: Arc<Mutex<Lines>>, mut alive: watch::Receiver<()>) {
    loop {
        tokio::select! {
            r = reader.rx.readable() => {
                if r.is_err() || !reader.drain(&lines, false) {
                    break;
                }
            }
            // Only ever an error: the sink is gone.
            _ = alive.changed() => break,
        }
    }
    // Whatever is left of a partial line.
    let mut st = reader.state.lock().unwrap_or_else(|e| e.into_inner());
    st.open = false;
    flush(&mut st.partial, &lines);
}

/// Reads everything available now; false once the pipe reached end of file.
/// `direct`: read(2) the descriptor whatever tokio's readiness says (its task uses `try_read`,
/// which keeps that readiness right).
fn drain(rx: &pipe::Receiver, buf: &mut [u8], partial: &mut Vec<u8>, lines: &Mutex<Lines>, direct: bool) -> bool {
    use std::os::fd::AsRawFd;
    let read = |buf: &mut [u8]| -> std::io::Result<usize> {
        if !direct {
            return rx.try_read(buf);
        }
        // SAFETY: reads into a live buffer of the given length from a descriptor `rx` owns.
        let n = unsafe { libc::read(rx.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) };
        if n < 0 {
            Err(std::io::Error::last_os_error())
        } else {
            Ok(n as usize)
        }
    };
    loop {
        match read(buf) {
            Ok(0) => return false,
            Ok(n) => split_lines(&buf[..n], partial, lines),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => return true,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => return false,
        }
    }
}

fn split_lines(data: &[u8], partial: &mut Vec<u8>, lines: &Mutex<Lines>) {
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

fn flush(partial: &mut Vec<u8>, lines: &Mutex<Lines>) {
    if !partial.is_empty() {
        let line = String::from_utf8_lossy(partial).into_owned();
        partial.clear();
        lines.lock().unwrap_or_else(|e| e.into_inner()).push(line);
    }
}

#[cfg(test)]
mod tests {
    use super::{Lines, KEEP_EACH_END};

    #[test]
    fn keeps_both_ends_and_says_what_was_cut() {
        let mut l = Lines::default();
        let line = "x".repeat(1023);
        for i in 0..1000 {
            l.push(format!("{i:04}{line}"));
        }
        let kept = l.take();
        let bytes: usize = kept.iter().map(String::len).sum();
        assert!(bytes <= 2 * KEEP_EACH_END + 1024, "{bytes}");
        assert!(kept[0].starts_with("0000"));
        assert!(kept.last().unwrap().starts_with("0999"));
        let marker = kept.iter().find(|l| l.starts_with("[fauxlambda]")).unwrap();
        // 1000 lines of 1027 bytes, 127 fit in each 128 KB end: 746 cut, each with its newline.
        assert_eq!(
            marker,
            &format!("[fauxlambda] {} bytes (746 lines) of output cut here: an invocation's log keeps its first and last 128 KB", 746 * 1028)
        );
        // Emptied: the next invocation starts afresh, without a marker.
        l.push("next".into());
        assert_eq!(l.take(), vec!["next".to_string()]);
    }
}
