//! The environment pool: one execution environment per in-flight invocation of a function
//! version, warm ones reused, new ones started (up to a cap) only when none is idle, idle ones
//! stopped after a keepalive. It races each invocation against its deadline and its runtime's
//! exit, and gives every result AWS's outcome, timings and log lines (START / END / REPORT). A
//! caller that needs no log can have the outcome first (`invoke_answering`); the environment is
//! handed on only once its log is gathered. What an invocation gives back is in `result.rs`; what
//! `/_fauxlambda/environments` shows of the pool, in `listing.rs`; how idle environments are
//! watched and stopped, in `idle.rs`.

mod idle;
mod listing;
mod result;

use idle::{stop_env, watch_idle};
pub use listing::{EnvironmentListing, EnvironmentState};
pub use result::InvocationResult;
use result::{finish, Ended};

use super::executor::{Executor, StartError};
use super::extensions::{EnvironmentInfo, ShutdownReason};
use super::invocation::{Completion, Invocation, InvocationOutcome};
use super::response_stream::StreamSender;
use super::runtime_api::{NotReady, RuntimeApi, RuntimeApiHandle};
use super::sandbox::{ExitInfo, Sandbox};
use super::spec::FunctionSpec;
use super::unpacked::Merged;
use crate::clock;
use bytes::Bytes;
use listing::{EnvMeta, Registry};
use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tokio::sync::{oneshot, Notify, OwnedSemaphorePermit, Semaphore};

/// How the pool behaves.
#[derive(Clone, Debug)]
pub struct PoolConfig {
    /// Environments per function version at most (further invocations wait for one).
    pub max_environments: usize,
    /// An idle environment is stopped after this long.
    pub keepalive: Duration,
    /// Address the environments' Runtime API servers bind (port chosen per environment).
    pub bind: IpAddr,
    /// Init must complete within this (AWS: 10 s), plus the function's timeout.
    pub init_timeout: Duration,
    /// Between SIGTERM and SIGKILL when stopping a runtime.
    pub stop_grace: Duration,
    /// Extensions get this long to finish their SHUTDOWN (AWS: 2 s with external extensions).
    pub extension_shutdown_grace: Duration,
}

impl Default for PoolConfig {
    fn default() -> Self {
        PoolConfig {
            max_environments: 32,
            keepalive: Duration::from_secs(600),
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            init_timeout: Duration::from_secs(10),
            stop_grace: Duration::from_millis(300),
            extension_shutdown_grace: Duration::from_secs(2),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct VersionKey {
    region: String,
    account: String,
    function: String,
    version: String,
}

impl VersionKey {
    /// A function's version in its namespace: the same name in two regions is two functions.
    fn of(spec: &FunctionSpec) -> VersionKey {
        VersionKey {
            region: spec.region.clone(),
            account: spec.account_id.clone(),
            function: spec.function_name.clone(),
            version: spec.version.clone(),
        }
    }
}

struct Env {
    api: RuntimeApiHandle,
    sandbox: Sandbox,
    spec: FunctionSpec,
    generation: u64,
    /// What the environment listing shows of it.
    meta: Arc<EnvMeta>,
    /// Its idle watcher (keepalive, exit while idle) runs: started on its first release.
    watched: bool,
    /// The deadline of its invocations: one timer, moved to each invocation's deadline. A new
    /// timer per invocation would be earlier than anything the timer wheel waits for and wake
    /// the event loop through its waker each time; moving a pending timer later costs nothing.
    deadline: std::pin::Pin<Box<tokio::time::Sleep>>,
    /// The merge of hot-reload layers its `/opt` is, kept while it lives.
    _merged: Option<Arc<Merged>>,
}

struct Idle {
    env: Env,
    /// When it became idle.
    since: tokio::time::Instant,
}

struct VersionPool {
    /// One per environment the version may have (`max_environments`).
    permits: Arc<Semaphore>,
    idle: Vec<Idle>,
    busy: usize,
    generation: u64,
    /// Environments whose caller has its answer while their log is still being gathered: an
    /// invocation that finds none idle waits for one of them (`finished`) rather than start one.
    finishing: usize,
    finished: Arc<Notify>,
    /// The hot-reload directories its last environment started from (code and layers): a change
    /// in one retires the version's environments.
    hot_dirs: Vec<PathBuf>,
}

impl VersionPool {
    fn new(max_environments: usize) -> VersionPool {
        VersionPool {
            permits: Arc::new(Semaphore::new(max_environments.max(1))),
            idle: Vec::new(),
            busy: 0,
            generation: 0,
            finishing: 0,
            finished: Arc::new(Notify::new()),
            hot_dirs: Vec::new(),
        }
    }
}

/// What `take_idle` found.
// An `Env` is large, but boxing it would add an allocation to every warm invocation; `Taken` only
// lives on the stack between `take_idle` and its caller.
#[allow(clippy::large_enum_variant)]
enum Taken {
    Env(Env),
    /// None idle: a new environment is to start (counted busy already).
    Start,
    /// None idle, but one is finishing: wait for it, then look again.
    Finishing(Arc<Notify>),
}

/// The environments of one function version a hot-reload change retired.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HotRetired {
    pub function: String,
    pub version: String,
    pub region: String,
    /// The idle environments stopped now.
    pub stopped: Vec<String>,
    /// Busy environments (and starting ones): stopped once their invocation ends.
    pub busy: usize,
}

/// An invocation's result as soon as the runtime gives it, before its log is gathered: all that
/// a caller who asked for no log tail needs.
#[derive(Debug)]
pub struct Answer {
    pub request_id: String,
    pub outcome: InvocationOutcome,
    pub executed_version: String,
}

struct PoolState {
    versions: HashMap<VersionKey, VersionPool>,
    shutting_down: bool,
}

struct Inner {
    executor: Executor,
    config: PoolConfig,
    state: Mutex<PoolState>,
    /// Every environment started, for `environments()`.
    live: Registry,
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, PoolState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The pool of execution environments (cheap to clone).
#[derive(Clone)]
pub struct Pool {
    inner: Arc<Inner>,
}

/// How many environments a function version has.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PoolCounts {
    pub idle: usize,
    pub busy: usize,
}

impl Pool {
    pub fn new(executor: impl Into<Executor>, config: PoolConfig) -> Pool {
        Pool {
            inner: Arc::new(Inner {
                executor: executor.into(),
                config,
                state: Mutex::new(PoolState {
                    versions: HashMap::new(),
                    shutting_down: false,
                }),
                live: Registry::default(),
            }),
        }
    }

    /// Idle and busy environments of a function version (in every namespace).
    pub fn counts(&self, function: &str, version: &str) -> PoolCounts {
        let st = self.inner.lock();
        st.versions
            .iter()
            .filter(|(k, _)| k.function == function && k.version == version)
            .fold(PoolCounts::default(), |c, (_, v)| PoolCounts {
                idle: c.idle + v.idle.len(),
                busy: c.busy + v.busy,
            })
    }

    /// Runs `invocation` on an environment of `spec` (its deadline is set when the runtime gets it,
    /// so init time is not charged).
    pub async fn invoke(&self, spec: &FunctionSpec, invocation: Invocation) -> InvocationResult {
        self.invoke_answering(spec, invocation, None).await
    }

    /// As `invoke`; `answer`, when given, gets the runtime's result as soon as there is one, and
    /// the caller can reply before the log and `REPORT` are gathered (the reading of the runtime's
    /// peak memory among them): the environment is handed to the next invocation only after that,
    /// so its log stays its own.
    pub async fn invoke_answering(
        &self,
        spec: &FunctionSpec,
        invocation: Invocation,
        answer: Option<oneshot::Sender<Answer>>,
    ) -> InvocationResult {
        self.invoke_streaming(spec, invocation, answer, None).await
    }

    /// As `invoke_answering`; a response the runtime streams goes to `stream` as it arrives
    /// (its outcome is then `Response` with no payload, or the error its trailers report).
    pub async fn invoke_streaming(
        &self,
        spec: &FunctionSpec,
        mut invocation: Invocation,
        mut answer: Option<oneshot::Sender<Answer>>,
        stream: Option<StreamSender>,
    ) -> InvocationResult {
        let key = VersionKey::of(spec);
        let request_id = invocation.request_id.clone();
        let Some(_permit) = self.admit(&key).await else {
            let outcome = InvocationOutcome::NotAccepted("the pool is shut down".into());
            return self.failed(spec, &request_id, outcome, vec![], None);
        };
        let mut attempt = 1;
        loop {
            // Destructured in place: a named `Ready` would keep storage of its own in this future.
            let Ready {
                mut env,
                init_duration,
                log,
            } = match self.environment_for(&key, spec, &request_id).await {
                Ok(ready) => ready,
                Err(failed) => return failed,
            };
            let completion = run_on(&mut env, spec, &mut invocation, stream.clone()).await;
            // A warm environment whose runtime vanished before it took the event: another one.
            if init_duration.is_none() && vanished_before_event(&completion) && attempt < MAX_ATTEMPTS {
                env.sandbox.kill();
                self.discard_busy(&key, env);
                attempt += 1;
                continue;
            }
            let keep = keeps_environment(&completion.outcome);
            let finishing = self
                .answer_early(&key, spec, &request_id, &completion.outcome, answer.take())
                .await;
            let result = gather(&env, spec, &request_id, completion, log, init_duration).await;
            self.hand_back(&key, env, keep, finishing);
            return result;
        }
    }

    /// Registers the version (on its first invocation) and waits for one of its
    /// `max_environments` permits; None once the pool is shut down. (A `Slot`, in `in_flight.rs`,
    /// is the other limit: the function's reserved concurrency.)
    async fn admit(&self, key: &VersionKey) -> Option<OwnedSemaphorePermit> {
        let permits = {
            let mut st = self.inner.lock();
            if st.shutting_down {
                return None;
            }
            let max_environments = self.inner.config.max_environments;
            st.versions
                .entry(key.clone())
                .or_insert_with(|| VersionPool::new(max_environments))
                .permits
                .clone()
        };
        permits.acquire_owned().await.ok()
    }

    /// A warm environment of the version or, when none is idle or finishing, a new one started
    /// for this invocation; a failed start is the invocation's result.
    async fn environment_for(
        &self,
        key: &VersionKey,
        spec: &FunctionSpec,
        request_id: &str,
    ) -> Result<Ready, InvocationResult> {
        if let Some(env) = self.take_warm(key, spec).await {
            let log = env.sandbox.logs.take();
            return Ok(Ready {
                env,
                init_duration: None,
                log,
            });
        }
        // Boxed: starting an environment (either executor) is a large future, and inline it would
        // be copied with every warm invocation's.
        match Box::pin(self.start(key, spec, request_id)).await {
            Ok((env, init)) => {
                let log = env.sandbox.logs.take();
                Ok(Ready {
                    env,
                    init_duration: Some(init),
                    log,
                })
            }
            Err((outcome, lines, init)) => {
                self.unbusy(key);
                Err(self.failed(spec, request_id, outcome, lines, init))
            }
        }
    }

    /// Takes an idle environment of the version, waiting first while one is finishing; None when
    /// there is none and a new one is to start (it is counted busy already).
    async fn take_warm(&self, key: &VersionKey, spec: &FunctionSpec) -> Option<Env> {
        loop {
            match self.take_idle(key, spec) {
                Taken::Env(env) => return Some(env),
                Taken::Start => return None,
                Taken::Finishing(finished) => {
                    let notified = finished.notified();
                    tokio::pin!(notified);
                    notified.as_mut().enable();
                    // Looked at again once registered: a release in between is not missed.
                    if self.finishing(key) {
                        notified.await;
                    }
                }
            }
        }
    }

    /// Gives the caller who asked for it (`answer`) its answer before the log is gathered. True
    /// when the caller took it: the environment then counts as finishing until `hand_back`, and
    /// the next invocation waits for it rather than start another.
    async fn answer_early(
        &self,
        key: &VersionKey,
        spec: &FunctionSpec,
        request_id: &str,
        outcome: &InvocationOutcome,
        answer: Option<oneshot::Sender<Answer>>,
    ) -> bool {
        let Some(tx) = answer else {
            return false;
        };
        let early = Answer {
            request_id: request_id.to_owned(),
            outcome: outcome.clone(),
            executed_version: spec.version.clone(),
        };
        // Counted before the caller can have its answer (and ask again).
        self.set_finishing(key, 1);
        if tx.send(early).is_ok() {
            // The caller's reply goes out first; the rest follows at once.
            tokio::task::yield_now().await;
            true
        } else {
            self.set_finishing(key, -1);
            false
        }
    }

    /// The environment after its invocation: idle again when kept, else stopped; and one fewer
    /// finishing when the caller had its answer early.
    fn hand_back(&self, key: &VersionKey, env: Env, keep: bool, finishing: bool) {
        if keep {
            self.release(key, env);
        } else {
            self.discard_busy(key, env);
        }
        if finishing {
            self.set_finishing(key, -1);
        }
    }

    /// Stops every environment of a function (`version` None: all its versions); busy ones stop
    /// when their invocation ends.
    pub fn retire(&self, function: &str, version: Option<&str>) {
        let mut gone = Vec::new();
        {
            let mut st = self.inner.lock();
            for (k, vp) in st.versions.iter_mut() {
                if k.function == function && version.is_none_or(|v| v == k.version) {
                    vp.generation += 1;
                    gone.extend(vp.idle.drain(..).map(|i| i.env));
                }
            }
        }
        for env in gone {
            self.discard(env, ShutdownReason::Spindown);
        }
    }

    /// A hot-reload directory changed: layers merged from it are merged again, and every version
    /// whose environments run from it (code or layer) is retired, idle environments at once,
    /// busy ones when their invocation ends. Answers what was retired.
    pub fn hot_reloaded(&self, dir: &Path) -> Vec<HotRetired> {
        // Before the generations move: an environment that starts after the new generation
        // unpacks after this too.
        self.inner.executor.unpacker().changed(dir);
        let mut retired = Vec::new();
        let mut gone = Vec::new();
        {
            let mut st = self.inner.lock();
            for (k, vp) in st.versions.iter_mut() {
                if !vp.hot_dirs.iter().any(|d| d == dir) {
                    continue;
                }
                vp.generation += 1;
                let stopped: Vec<String> = vp.idle.iter().map(|i| i.env.sandbox.id.clone()).collect();
                if stopped.is_empty() && vp.busy == 0 {
                    continue;
                }
                retired.push(HotRetired {
                    function: k.function.clone(),
                    version: k.version.clone(),
                    region: k.region.clone(),
                    stopped,
                    busy: vp.busy,
                });
                gone.extend(vp.idle.drain(..).map(|i| i.env));
            }
        }
        for env in gone {
            self.discard(env, ShutdownReason::Spindown);
        }
        retired
    }

    /// Stops everything: SHUTDOWN to extensions, then SIGTERM, then SIGKILL. Busy environments
    /// stop when their invocation ends; new invocations are refused.
    pub async fn shutdown(&self) {
        let gone: Vec<Env> = {
            let mut st = self.inner.lock();
            st.shutting_down = true;
            st.versions
                .values_mut()
                .flat_map(|vp| vp.idle.drain(..).map(|i| i.env))
                .collect()
        };
        let stops: Vec<_> = gone
            .into_iter()
            .map(|env| stop_env(env, ShutdownReason::Spindown, self.inner.config.clone()))
            .collect();
        for s in stops {
            s.await;
        }
    }

    fn take_idle(&self, key: &VersionKey, spec: &FunctionSpec) -> Taken {
        let mut stale = Vec::new();
        let taken = {
            let mut st = self.inner.lock();
            let Some(vp) = st.versions.get_mut(key) else {
                return Taken::Start;
            };
            let mut found = None;
            while let Some(i) = vp.idle.pop() {
                if i.env.generation != vp.generation || i.env.spec != *spec || i.env.sandbox.has_exited() {
                    stale.push(i.env);
                } else {
                    found = Some(i.env);
                    break;
                }
            }
            match found {
                Some(env) => {
                    vp.busy += 1;
                    Taken::Env(env)
                }
                None if vp.finishing > 0 => Taken::Finishing(vp.finished.clone()),
                None => {
                    vp.busy += 1; // the new environment
                    Taken::Start
                }
            }
        };
        for env in stale {
            self.discard(env, ShutdownReason::Failure);
        }
        taken
    }

    /// Whether an environment of the version is still finishing and none is idle.
    fn finishing(&self, key: &VersionKey) -> bool {
        self.inner
            .lock()
            .versions
            .get(key)
            .is_some_and(|vp| vp.finishing > 0 && vp.idle.is_empty())
    }

    /// One more (`1`) or one fewer (`-1`) environment finishing; waiters look again after each end.
    fn set_finishing(&self, key: &VersionKey, by: isize) {
        if let Some(vp) = self.inner.lock().versions.get_mut(key) {
            vp.finishing = vp.finishing.saturating_add_signed(by);
            if by < 0 {
                vp.finished.notify_waiters();
            }
        }
    }

    /// Starts an environment and waits for init: Ok(env, init duration), or the outcome of the
    /// invocation that wanted it, the init output and the init duration.
    async fn start(
        &self,
        key: &VersionKey,
        spec: &FunctionSpec,
        request_id: &str,
    ) -> Result<(Env, Duration), (InvocationOutcome, Vec<String>, Option<Duration>)> {
        // Taken before anything is read from the code: a retirement (or a hot-reload change) from
        // now on stops this environment after its invocation.
        let generation = {
            let mut st = self.inner.lock();
            match st.versions.get_mut(key) {
                Some(vp) => {
                    if spec.hot_dirs().ne(vp.hot_dirs.iter()) {
                        vp.hot_dirs = spec.hot_dirs().cloned().collect();
                    }
                    vp.generation
                }
                None => 0,
            }
        };
        let unpacked = self
            .inner
            .executor
            .unpack(spec)
            .await
            .map_err(|e| (start_failure(request_id, &e), vec![], None))?;
        let info = EnvironmentInfo {
            function_name: spec.function_name.clone(),
            function_version: spec.version.clone(),
            handler: spec.handler.clone(),
            account_id: Some(spec.account_id.clone()),
            expected_extensions: unpacked.extensions.len(),
        };
        let executor = self
            .inner
            .executor
            .choose(spec)
            .await
            .map_err(|e| (start_failure(request_id, &e), vec![], None))?;
        let bind = executor.runtime_api_bind().unwrap_or(self.inner.config.bind);
        let api = RuntimeApi::start_guarded(SocketAddr::new(bind, 0), info)
            .await
            .map_err(|e| {
                (
                    start_failure(
                        request_id,
                        &StartError {
                            error_type: "Sandbox.Failure".into(),
                            message: e.to_string(),
                        },
                    ),
                    vec![],
                    None,
                )
            })?;
        let started = Instant::now();
        let sandbox = match executor.start(spec, &unpacked, &api).await {
            Ok(p) => p,
            Err(e) => {
                api.close();
                return Err((start_failure(request_id, &e), vec![], None));
            }
        };
        api.admit_only(sandbox.peers.clone());
        let meta = self.inner.live.track(spec, &sandbox);
        let deadline = Box::pin(tokio::time::sleep(Duration::ZERO));
        let env = Env {
            api,
            sandbox,
            spec: spec.clone(),
            generation,
            meta,
            watched: false,
            deadline,
            _merged: unpacked.merged.clone(),
        };
        let limit = self.inner.config.init_timeout + spec.timeout;
        let outcome = tokio::select! {
            biased;
            r = env.api.ready() => match r {
                Ok(at) => return Ok((env, at.saturating_duration_since(started))),
                Err(NotReady::InitError(report)) => report.outcome(),
                Err(NotReady::ShutDown) => InvocationOutcome::NotAccepted("the environment was shut down during init".into()),
            },
            e = env.sandbox.exited() => exit_outcome(e),
            _ = tokio::time::sleep(limit) => InvocationOutcome::Timeout { timeout: spec.timeout },
        };
        let init = started.elapsed();
        env.sandbox.kill();
        env.sandbox.logs.sync().await;
        let lines = env.sandbox.logs.take();
        self.discard(env, ShutdownReason::Failure);
        Err((outcome, lines, Some(init)))
    }

    /// An environment that finished an invocation: back to idle, or stopped when retired (or
    /// when its runtime exited meanwhile).
    fn release(&self, key: &VersionKey, mut env: Env) {
        use futures_util::FutureExt;
        env.meta.served();
        let watch = !env.watched;
        env.watched = true;
        let watcher = watch.then(|| (env.sandbox.id.clone(), Arc::downgrade(&env.meta), env.sandbox.exited()));
        let rejected = {
            let mut st = self.inner.lock();
            let shutting_down = st.shutting_down;
            match st.versions.get_mut(key) {
                Some(vp) => {
                    vp.busy = vp.busy.saturating_sub(1);
                    // Checked under the lock: the watcher looks for it in `idle` once the exit is
                    // reported, so one of the two always sees the other.
                    if shutting_down || env.generation != vp.generation || env.sandbox.exited().now_or_never().is_some()
                    {
                        Some(env)
                    } else {
                        vp.idle.push(Idle {
                            env,
                            since: tokio::time::Instant::now(),
                        });
                        None
                    }
                }
                None => Some(env),
            }
        };
        if let Some(env) = rejected {
            self.discard(env, ShutdownReason::Spindown);
            return;
        }
        // One watcher per environment (not one task per invocation): it stops the environment
        // once it has been idle for the keepalive, or as soon as its runtime exits while idle.
        if let Some((env_id, meta, exited)) = watcher {
            tokio::spawn(watch_idle(
                Arc::downgrade(&self.inner),
                key.clone(),
                env_id,
                meta,
                exited,
            ));
        }
    }

    /// One fewer busy environment (a failed start, or a discarded one).
    fn unbusy(&self, key: &VersionKey) {
        if let Some(vp) = self.inner.lock().versions.get_mut(key) {
            vp.busy = vp.busy.saturating_sub(1);
        }
    }

    /// A busy environment that is not to serve again: one fewer busy, and stopped.
    fn discard_busy(&self, key: &VersionKey, env: Env) {
        self.unbusy(key);
        self.discard(env, ShutdownReason::Failure);
    }

    fn discard(&self, env: Env, reason: ShutdownReason) {
        env.meta.stop();
        tokio::spawn(stop_env(env, reason, self.inner.config.clone()));
    }

    /// The result of an invocation that ended before reaching a runtime (`lines`: any init output).
    fn failed(
        &self,
        spec: &FunctionSpec,
        request_id: &str,
        outcome: InvocationOutcome,
        mut lines: Vec<String>,
        init: Option<Duration>,
    ) -> InvocationResult {
        lines.push(format!("START RequestId: {request_id} Version: {}", spec.version));
        let duration = match outcome {
            InvocationOutcome::Timeout { timeout } => timeout,
            _ => Duration::ZERO,
        };
        finish(Ended {
            spec,
            request_id,
            outcome,
            log: lines,
            duration,
            init,
            max_memory: 0,
            env_id: "",
        })
    }
}

impl Pool {
    /// The live environments (`function` None: of every function), oldest first.
    pub fn environments(&self, function: Option<&str>) -> Vec<EnvironmentListing> {
        let idle: HashSet<String> = {
            let st = self.inner.lock();
            st.versions
                .values()
                .flat_map(|vp| vp.idle.iter().map(|i| i.env.sandbox.id.clone()))
                .collect()
        };
        self.inner.live.list(function, &idle)
    }

    /// Stops the environments of every function (busy ones when their invocation ends), as
    /// `retire` does for one; the pool keeps serving. Returns how many were live.
    pub fn retire_all(&self) -> usize {
        let live = self.environments(None).len();
        let gone: Vec<Env> = {
            let mut st = self.inner.lock();
            st.versions
                .values_mut()
                .flat_map(|vp| {
                    vp.generation += 1;
                    vp.idle.drain(..).map(|i| i.env)
                })
                .collect()
        };
        for env in gone {
            self.discard(env, ShutdownReason::Spindown);
        }
        live
    }
}

/// At most this many environments are tried for one invocation: a warm one whose runtime vanished
/// before it could take the event is replaced by another.
const MAX_ATTEMPTS: u32 = 3;

/// An environment ready to take an invocation.
struct Ready {
    env: Env,
    /// Set when it was started for this invocation (a cold start).
    init_duration: Option<Duration>,
    /// What it wrote before the invocation (init output, or output while idle).
    log: Vec<String>,
}

/// Runs the invocation on `env`, racing it against its deadline and its runtime's exit; either of
/// these ends it with a timeout or a runtime exit.
async fn run_on(
    env: &mut Env,
    spec: &FunctionSpec,
    invocation: &mut Invocation,
    stream: Option<StreamSender>,
) -> Completion {
    invocation.deadline_ms = clock::epoch_ms_after(spec.timeout);
    env.deadline.as_mut().reset(tokio::time::Instant::now() + spec.timeout);
    let done = env.api.invoke_streamed(invocation.clone(), stream);
    tokio::pin!(done);
    let exited = env.sandbox.exited();
    tokio::select! {
        biased;
        c = &mut done => c,
        e = exited => {
            env.api.fail_current(exit_outcome(e));
            done.await
        }
        _ = env.deadline.as_mut() => {
            env.api.fail_current(InvocationOutcome::Timeout { timeout: spec.timeout });
            done.await
        }
    }
}

/// The outcome of a runtime's exit.
fn exit_outcome(e: ExitInfo) -> InvocationOutcome {
    InvocationOutcome::RuntimeExited {
        status: e.description,
        out_of_memory: e.out_of_memory,
    }
}

/// Whether the runtime was gone before it took the event (then another environment can run it).
fn vanished_before_event(completion: &Completion) -> bool {
    matches!(completion.outcome, InvocationOutcome::RuntimeExited { .. }) && completion.timing.delivered_at.is_none()
}

/// Whether an environment serves again after this outcome: only after a response or a function
/// error.
fn keeps_environment(outcome: &InvocationOutcome) -> bool {
    matches!(
        outcome,
        InvocationOutcome::Response(_) | InvocationOutcome::FunctionError { .. }
    )
}

/// The invocation's result with its log: START, the runtime's output (all of it read first), END
/// and REPORT. An environment that is not kept is killed first, its peak memory read before.
async fn gather(
    env: &Env,
    spec: &FunctionSpec,
    request_id: &str,
    completion: Completion,
    mut log: Vec<String>,
    init: Option<Duration>,
) -> InvocationResult {
    log.push(format!("START RequestId: {request_id} Version: {}", spec.version));
    let mut max_memory = env.sandbox.max_memory_mb();
    if let InvocationOutcome::RuntimeExited {
        out_of_memory: true, ..
    } = completion.outcome
    {
        // Killed when its use reached the limit (its cgroup, and the figure in it, are gone).
        max_memory = max_memory.max(u64::from(spec.memory_mb));
    }
    if !keeps_environment(&completion.outcome) {
        env.sandbox.kill();
    }
    env.sandbox.logs.sync().await;
    log.extend(env.sandbox.logs.take());
    let duration = match completion.outcome {
        InvocationOutcome::Timeout { timeout } => timeout,
        _ => completion.timing.duration(),
    };
    finish(Ended {
        spec,
        request_id,
        outcome: completion.outcome,
        log,
        duration,
        init,
        max_memory,
        env_id: &env.sandbox.id,
    })
}

/// The payload of an environment that could not start (`Runtime.InvalidEntrypoint`, …), shaped
/// like AWS's other platform errors.
fn start_failure(request_id: &str, e: &StartError) -> InvocationOutcome {
    let msg = format!("RequestId: {request_id} Error: {}", e.message);
    let payload = format!(
        "{{\"errorType\":{},\"errorMessage\":{}}}",
        serde_json::Value::from(e.error_type.clone()),
        serde_json::Value::from(msg)
    );
    InvocationOutcome::InitError {
        error_type: Some(e.error_type.clone()),
        payload: Bytes::from(payload),
    }
}
