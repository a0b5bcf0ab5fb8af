//! A started environment's runtime, whichever executor runs it (a local process, a container):
//! its output, its exit, and how to stop it. The pool sees only this; each executor supplies the
//! `SandboxControl` that knows its kind of sandbox.

use super::logs::LogSink;
use super::runtime_peers::Peers;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;
use tokio::sync::watch;

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// How a runtime ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExitInfo {
    pub code: Option<i32>,
    /// Go's wording (`exit status 3`, `signal: killed`); `None` for a clean exit (status 0).
    pub description: Option<String>,
    /// Killed for using more memory than its limit (as the sandbox's memory cgroup reports).
    pub out_of_memory: bool,
}

impl ExitInfo {
    /// From an exit code as a shell reports it (128 + N for signal N, as containers report).
    pub fn from_code(code: i64) -> ExitInfo {
        if code > 128 && code < 128 + 65 {
            return ExitInfo {
                code: None,
                description: Some(format!("signal: {}", signal_name((code - 128) as i32))),
                out_of_memory: false,
            };
        }
        ExitInfo {
            code: Some(code as i32),
            description: (code != 0).then(|| format!("exit status {code}")),
            out_of_memory: false,
        }
    }
}

/// What an executor does for its kind of sandbox.
pub trait SandboxControl: Send + Sync + 'static {
    /// True when the sandbox is gone although no exit was reported yet (checked before reuse).
    fn vanished(&self) -> bool {
        false
    }
    /// Kills it now (without waiting).
    fn kill(&self);
    /// Stops it: a polite signal, the hard one after `grace`; resolves once it is gone and its
    /// resources are released. `exited` resolves when it has exited.
    fn stop(&self, grace: Duration, exited: BoxFuture<'static, ExitInfo>) -> BoxFuture<'_, ()>;
    /// Peak memory in MB so far.
    fn max_memory_mb(&self) -> u64;
}

/// One running environment runtime.
pub struct Sandbox {
    /// 32 hex digits: the log stream's suffix.
    pub id: String,
    /// The process id (0 for a container).
    pub pid: u32,
    /// The container id (containers only).
    pub container: Option<String>,
    /// Who its Runtime API may serve: its processes, or its container's address.
    pub peers: Peers,
    pub logs: LogSink,
    exit: watch::Receiver<Option<ExitInfo>>,
    control: Box<dyn SandboxControl>,
}

impl Sandbox {
    pub fn new(
        id: String,
        pid: u32,
        container: Option<String>,
        peers: Peers,
        logs: LogSink,
        exit: watch::Receiver<Option<ExitInfo>>,
        control: Box<dyn SandboxControl>,
    ) -> Sandbox {
        Sandbox {
            id,
            pid,
            container,
            peers,
            logs,
            exit,
            control,
        }
    }

    /// Resolves when the runtime has exited.
    pub fn exited(&self) -> impl Future<Output = ExitInfo> + Send + 'static {
        let mut rx = self.exit.clone();
        async move {
            loop {
                if let Some(e) = rx.borrow_and_update().clone() {
                    return e;
                }
                if rx.changed().await.is_err() {
                    return ExitInfo {
                        code: None,
                        description: Some("signal: killed".into()),
                        out_of_memory: false,
                    };
                }
            }
        }
    }

    /// True once the runtime is gone (also when it vanished behind our back).
    pub fn has_exited(&self) -> bool {
        self.exit.borrow().is_some() || self.control.vanished()
    }

    /// Kills it now.
    pub fn kill(&self) {
        self.control.kill();
    }

    /// Stops it politely, then by force after `grace`, and releases what it held.
    pub async fn stop(&self, grace: Duration) {
        self.control.stop(grace, Box::pin(self.exited())).await;
    }

    /// Peak memory in MB (REPORT's `Max Memory Used`).
    pub fn max_memory_mb(&self) -> u64 {
        self.control.max_memory_mb()
    }
}

/// Go's names of the signals (as in `signal: killed`), which AWS prints in `Runtime.ExitError`.
pub fn signal_name(sig: i32) -> String {
    match sig {
        1 => "hangup".to_owned(),
        2 => "interrupt".to_owned(),
        3 => "quit".to_owned(),
        4 => "illegal instruction".to_owned(),
        6 => "aborted".to_owned(),
        7 => "bus error".to_owned(),
        8 => "floating point exception".to_owned(),
        9 => "killed".to_owned(),
        11 => "segmentation fault".to_owned(),
        13 => "broken pipe".to_owned(),
        15 => "terminated".to_owned(),
        n => format!("signal {n}"),
    }
}
