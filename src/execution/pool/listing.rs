//! What `/_fauxlambda/environments` shows of the pool: every live environment, its state (idle or
//! busy), its process or container, when it started and last served, and how many invocations it
//! has finished. The registry holds each environment weakly, so a stopped one drops out by itself.

use crate::clock;
use crate::execution::sandbox::Sandbox;
use crate::execution::spec::FunctionSpec;
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, SystemTime};

/// Whether an environment is waiting for an invocation or running one (or its init).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EnvironmentState {
    Idle,
    Busy,
}

impl EnvironmentState {
    pub fn as_str(self) -> &'static str {
        match self {
            EnvironmentState::Idle => "idle",
            EnvironmentState::Busy => "busy",
        }
    }
}

/// One live execution environment, as `/_fauxlambda/environments` shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvironmentListing {
    pub function: String,
    pub version: String,
    /// 32 hex digits, as in its log stream's name.
    pub environment_id: String,
    pub state: EnvironmentState,
    /// The runtime's process id (0 for a container).
    pub pid: u32,
    /// The container id (Docker executor).
    pub container: Option<String>,
    pub created_at: SystemTime,
    /// When it last finished an invocation (None: still on its first).
    pub last_used: Option<SystemTime>,
    /// Invocations it has finished.
    pub invocations: u64,
}

/// What the listing knows of an environment; shared by its `Env` and the registry.
pub(super) struct EnvMeta {
    function: String,
    version: String,
    id: String,
    pid: u32,
    container: Option<String>,
    created_at: SystemTime,
    invocations: AtomicU64,
    /// Milliseconds since the epoch of its last finished invocation; 0 before the first.
    last_used_ms: AtomicU64,
    /// Set once it is being stopped: no longer listed.
    stopping: AtomicBool,
}

impl EnvMeta {
    /// It finished an invocation.
    pub(super) fn served(&self) {
        self.invocations.fetch_add(1, Ordering::Relaxed);
        self.last_used_ms.store(clock::now_epoch_ms().max(1), Ordering::Relaxed);
    }

    /// It is being stopped: no longer listed.
    pub(super) fn stop(&self) {
        self.stopping.store(true, Ordering::Relaxed);
    }

    pub(super) fn is_stopping(&self) -> bool {
        self.stopping.load(Ordering::Relaxed)
    }
}

/// Every environment started (dead ones pruned as it goes).
#[derive(Default)]
pub(super) struct Registry {
    live: Mutex<Vec<Weak<EnvMeta>>>,
}

impl Registry {
    /// Registers a started environment.
    pub(super) fn track(&self, spec: &FunctionSpec, sandbox: &Sandbox) -> Arc<EnvMeta> {
        let meta = Arc::new(EnvMeta {
            function: spec.function_name.clone(),
            version: spec.version.clone(),
            id: sandbox.id.clone(),
            pid: sandbox.pid,
            container: sandbox.container.clone(),
            created_at: SystemTime::now(),
            invocations: AtomicU64::new(0),
            last_used_ms: AtomicU64::new(0),
            stopping: AtomicBool::new(false),
        });
        let mut live = self.live.lock().unwrap_or_else(|e| e.into_inner());
        live.retain(|w| w.strong_count() > 0);
        live.push(Arc::downgrade(&meta));
        meta
    }

    /// The live environments (`function` None: of every function), oldest first; those whose id
    /// is in `idle` are listed idle, the others busy.
    pub(super) fn list(&self, function: Option<&str>, idle: &HashSet<String>) -> Vec<EnvironmentListing> {
        let mut live = self.live.lock().unwrap_or_else(|e| e.into_inner());
        live.retain(|w| w.strong_count() > 0);
        let mut out: Vec<EnvironmentListing> = live
            .iter()
            .filter_map(Weak::upgrade)
            .filter(|m| !m.is_stopping() && function.is_none_or(|f| f == m.function))
            .map(|m| {
                let last = m.last_used_ms.load(Ordering::Relaxed);
                EnvironmentListing {
                    function: m.function.clone(),
                    version: m.version.clone(),
                    environment_id: m.id.clone(),
                    state: if idle.contains(&m.id) {
                        EnvironmentState::Idle
                    } else {
                        EnvironmentState::Busy
                    },
                    pid: m.pid,
                    container: m.container.clone(),
                    created_at: m.created_at,
                    last_used: (last > 0).then(|| SystemTime::UNIX_EPOCH + Duration::from_millis(last)),
                    invocations: m.invocations.load(Ordering::Relaxed),
                }
            })
            .collect();
        out.sort_by(|a, b| {
            a.created_at
                .cmp(&b.created_at)
                .then_with(|| a.environment_id.cmp(&b.environment_id))
        });
        out
    }
}
