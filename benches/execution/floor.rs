//! The floor of the execution benchmark: the least a Runtime API server can do for a warm invoke
//! over TCP loopback. One thread, one `poll`, no HTTP library and no bookkeeping: it takes an
//! invoke from a client, answers the runtime's pending `/next` with it, and relays the runtime's
//! `/response` (or `/error`) back, for one runtime process. Every Lambda emulator pays these six
//! socket hand-offs per invoke (client → server → runtime → server → client, and the runtime's
//! next `/next`); what fauxlambda or a reference adds above this row is its own work.
//!
//! The relay runs as a process of its own (this benchmark's binary started again with
//! `FLOOR_CHILD` set, and stopped like the other processes it starts), as every emulator it
//! stands for does, so its CPU time is its process's, counted as theirs is.
//!
//! On a 2-vCPU virtual machine its invokes fall into two groups: faster while the client, the
//! relay and the runtime happen to share one vCPU (each hand-off a plain context switch) than while
//! hand-offs cross vCPUs (each wakes an idle vCPU); about 0.07 and 0.17 ms on one such machine. Which one its p50 lands in
//! depends on the scheduler's placement during the run, not on the relay.

use crate::process::{cpu_time, free_port, Proc};
use std::collections::VecDeque;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::process::Command;
use std::time::{Duration, Instant};

/// Set (to `<port> <api_port>`) in the environment of the benchmark's binary when it runs as the
/// relay.
pub const FLOOR_CHILD: &str = "FAUXLAMBDA_BENCH_FLOOR_CHILD";

/// A running relay process: clients invoke at `port`, the runtime polls `api_port`. Stopped when
/// dropped.
pub struct Floor {
    pub port: u16,
    pub api_port: u16,
    proc: Proc,
}

impl Floor {
    /// Starts the relay process and waits until it listens.
    pub async fn start() -> Result<Floor, String> {
        let (port, api_port) = (free_port(), free_port());
        let mut cmd = Command::new(std::env::current_exe().map_err(|e| e.to_string())?);
        cmd.env(FLOOR_CHILD, format!("{port} {api_port}"));
        let mut proc = Proc::spawn(cmd, "TERM").map_err(|e| format!("spawn: {e}"))?;
        let deadline = Instant::now() + Duration::from_secs(5);
        while TcpStream::connect(("127.0.0.1", api_port)).is_err() {
            if proc.exited() || Instant::now() > deadline {
                return Err("the relay process did not start listening".into());
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        Ok(Floor { port, api_port, proc })
    }

    /// The CPU time the relay's process has used so far.
    pub fn cpu_time(&self) -> Result<Duration, String> {
        cpu_time(self.proc.pid())
    }
}

/// The relay process's `main`: listens on the two ports `FLOOR_CHILD` names and relays until it
/// is stopped.
pub fn serve_child(ports: &str) {
    let bind = |port: &str| TcpListener::bind(format!("127.0.0.1:{port}")).expect("binding the relay's loopback port");
    let (clients, runtime) = ports.split_once(' ').expect("FLOOR_CHILD is `<port> <api_port>`");
    Relay::default().run(bind(clients), bind(runtime));
}

struct Conn {
    stream: TcpStream,
    runtime: bool,
    buf: Vec<u8>,
}

/// A complete request: its first line and body.
struct Request {
    line: String,
    body: Vec<u8>,
}

#[derive(Default)]
struct Relay {
    conns: Vec<Option<Conn>>,
    /// Invokes not handed out yet: the client connection and the payload.
    waiting: VecDeque<(usize, Vec<u8>)>,
    /// The runtime connection whose `/next` is pending.
    next: Option<usize>,
    /// The client of the invocation under way.
    current: Option<usize>,
    serial: u64,
}

impl Relay {
    fn run(mut self, clients: TcpListener, runtime: TcpListener) {
        loop {
            let mut fds = vec![
                libc::pollfd {
                    fd: clients.as_raw_fd(),
                    events: libc::POLLIN,
                    revents: 0,
                },
                libc::pollfd {
                    fd: runtime.as_raw_fd(),
                    events: libc::POLLIN,
                    revents: 0,
                },
            ];
            let live: Vec<usize> = (0..self.conns.len()).filter(|i| self.conns[*i].is_some()).collect();
            for i in &live {
                let fd = self.conns[*i].as_ref().map(|c| c.stream.as_raw_fd()).unwrap_or(-1);
                fds.push(libc::pollfd {
                    fd,
                    events: libc::POLLIN,
                    revents: 0,
                });
            }
            // SAFETY: `fds` is a live array of `fds.len()` pollfd structures.
            let n = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, -1) };
            if n <= 0 {
                continue;
            }
            for (listener, runtime) in [(&clients, false), (&runtime, true)] {
                if fds[usize::from(runtime)].revents == 0 {
                    continue;
                }
                if let Ok((stream, _)) = listener.accept() {
                    let _ = stream.set_nodelay(true);
                    self.conns.push(Some(Conn {
                        stream,
                        runtime,
                        buf: Vec::new(),
                    }));
                }
            }
            for (k, i) in live.into_iter().enumerate() {
                if fds[k + 2].revents != 0 {
                    self.readable(i);
                }
            }
        }
    }

    fn readable(&mut self, i: usize) {
        let Some(conn) = self.conns[i].as_mut() else { return };
        let mut chunk = [0u8; 64 * 1024];
        match conn.stream.read(&mut chunk) {
            Ok(0) | Err(_) => {
                self.conns[i] = None;
                return;
            }
            Ok(n) => conn.buf.extend_from_slice(&chunk[..n]),
        }
        while let Some(request) = take_request(&mut self.conns[i].as_mut().unwrap().buf) {
            let runtime = self.conns[i].as_ref().is_some_and(|c| c.runtime);
            if !runtime {
                self.waiting.push_back((i, request.body));
            } else if request.line.starts_with("GET ") {
                self.next = Some(i);
            } else {
                // `/response` or `/error`: to the client, then the runtime's 202.
                let error = request.line.contains("/error");
                if let Some(client) = self.current.take() {
                    let head = if error {
                        "HTTP/1.1 200 OK\r\nx-amz-function-error: Unhandled\r\n"
                    } else {
                        "HTTP/1.1 200 OK\r\n"
                    };
                    self.send(
                        client,
                        format!("{head}content-length: {}\r\n\r\n", request.body.len()).as_bytes(),
                        &request.body,
                    );
                }
                self.send(
                    i,
                    b"HTTP/1.1 202 Accepted\r\ncontent-length: 16\r\n\r\n",
                    b"{\"status\":\"OK\"}\n",
                );
            }
            if self.conns[i].is_none() {
                break;
            }
        }
        self.dispatch();
    }

    /// Hands the oldest waiting invoke to the runtime's pending `/next`.
    fn dispatch(&mut self) {
        if self.current.is_some() || self.next.is_none() || self.waiting.is_empty() {
            return;
        }
        let (client, payload) = self.waiting.pop_front().unwrap();
        let runtime = self.next.take().unwrap();
        self.serial += 1;
        let deadline = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis()
            + 30_000;
        let head = format!(
            "HTTP/1.1 200 OK\r\nlambda-runtime-aws-request-id: 00000000-0000-0000-0000-{:012x}\r\nlambda-runtime-deadline-ms: {deadline}\r\n\
             lambda-runtime-invoked-function-arn: arn:aws:lambda:us-east-1:000000000000:function:floor\r\n\
             lambda-runtime-trace-id: Root=1-00000000-000000000000000000000000;Sampled=0\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
            self.serial,
            payload.len()
        );
        self.current = Some(client);
        self.send(runtime, head.as_bytes(), &payload);
    }

    /// Head and body in one write, as an HTTP server writes a small response.
    fn send(&mut self, i: usize, head: &[u8], body: &[u8]) {
        let Some(conn) = self.conns[i].as_mut() else { return };
        let mut message = Vec::with_capacity(head.len() + body.len());
        message.extend_from_slice(head);
        message.extend_from_slice(body);
        if conn.stream.write_all(&message).is_err() {
            self.conns[i] = None;
        }
    }
}

/// Takes one complete request (head and `content-length` body) off the front of `buf`.
fn take_request(buf: &mut Vec<u8>) -> Option<Request> {
    let head_end = buf.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let length = head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.trim()
                .eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0);
    if buf.len() < head_end + length {
        return None;
    }
    let body = buf[head_end..head_end + length].to_vec();
    buf.drain(..head_end + length);
    Some(Request {
        line: head.lines().next().unwrap_or("").to_string(),
        body,
    })
}
