//! The execution layer: running functions. Every execution environment gets its own Lambda Runtime API server
//! (`AWS_LAMBDA_RUNTIME_API=host:port`), which the runtime client inside it polls, so one invoke
//! path serves every executor and every runtime. This module holds that server and its
//! environment-side handle (`runtime_api`, `environment`, `extensions`), the environment pool
//! (`pool`) that runs invocations on them, who each one serves (`runtime_peers`), and the executors behind one interface (`executor`,
//! `sandbox`): local processes (`process`, with our runtime clients in `runtime_clients/`, the host
//! `interpreters`, the processes' `peak_memory`, their `bubblewrap` sandbox and `memory_limit`), Docker containers (`docker`), and `auto`,
//! which picks one of the two per function. Both start from a `spec` (what to
//! run), `unpacked` code and layers, and the variables of `function_env`. `Execution` is the
//! layer's handle for the Lambda API and the introspection endpoints: the pool, the invocations
//! `in_flight` per function (reserved concurrency) and the `recent` finished ones; `hot_reload`
//! watches the host directories functions run from in place and retires their environments
//! when those change.
//!
//! ```text
//! let env = RuntimeApi::start_guarded("127.0.0.1:0".parse()?, info).await?;   // one listener per environment
//! spawn the runtime with AWS_LAMBDA_RUNTIME_API = env.runtime_api_address()
//! env.admit_only(sandbox.peers);            // serve its processes (or its container) only
//! env.ready().await?;                       // first /next: init done (init duration = now - spawn)
//! let outcome = env.invoke(invocation).await;   // race it with the deadline / process exit and
//! env.fail_current(InvocationOutcome::Timeout { .. });   // end it from the pool when needed
//! env.shutdown(ShutdownReason::Spindown, grace).await;   // SHUTDOWN to extensions, then kill
//! ```

pub mod api_error;
pub mod auto;
pub mod bubblewrap;
pub mod docker;
pub mod environment;
pub mod executor;
pub mod extensions;
pub mod function_env;
pub mod hot_reload;
pub mod in_flight;
pub mod interpreters;
pub mod invocation;
pub mod logs;
pub mod memory_limit;
pub mod peak_memory;
pub mod pool;
pub mod process;
pub mod recent;
pub mod response_stream;
pub mod runtime_api;
pub mod runtime_peers;
pub mod sandbox;
pub mod spec;
pub mod unpacked;

pub use api_error::ApiError;
pub use auto::AutoExecutor;
pub use docker::{DockerConfig, DockerExecutor};
pub use environment::{EnvStatus, ExtensionErrorKind, InitErrorReport, RuntimeState};
pub use executor::{Executor, StartError};
pub use extensions::{EnvironmentInfo, ExtensionState, ExtensionStatus, ShutdownReason, MAX_EXTENSIONS};
pub use hot_reload::HotReload;
pub use in_flight::Slot;
pub use invocation::{Completion, Invocation, InvocationOutcome, InvocationTiming, MAX_PAYLOAD_SIZE};
pub use pool::{Answer, HotRetired, InvocationResult, Pool, PoolConfig, PoolCounts};
pub use process::{ExecutorConfig, ProcessExecutor};
pub use recent::{error_type_of, status_of, InvocationKind, InvocationRecord, InvocationStatus, RECENT_INVOCATIONS};
pub use response_stream::{StreamPart, StreamReceiver, StreamSender, STREAM_LIMIT};
pub use runtime_api::{NotReady, RuntimeApi, RuntimeApiHandle};
pub use runtime_peers::Peers;
pub use sandbox::{ExitInfo, Sandbox};
pub use spec::{FunctionSpec, ImageSpec, LayerPackage};

use in_flight::InFlight;
use recent::Recent;
use std::sync::Arc;

/// The execution layer's handle: the environment pool that runs invocations, the invocations in
/// flight per function, the recent finished ones, and the watcher of hot-reload directories.
pub struct Execution {
    pub pool: Pool,
    pub hot_reload: HotReload,
    in_flight: Arc<InFlight>,
    recent: Recent,
}

impl Execution {
    pub fn new(pool: Pool) -> Arc<Execution> {
        Arc::new(Execution {
            hot_reload: HotReload::new(pool.clone()),
            pool,
            in_flight: Arc::default(),
            recent: Recent::default(),
        })
    }

    /// Takes an invocation slot of `function` unless `limit` (its reserved concurrency) are in use.
    pub fn try_slot(&self, function: &str, limit: Option<i32>) -> Option<Slot> {
        self.in_flight.try_slot(function, limit)
    }

    /// Keeps a finished invocation for `/_fauxlambda/invocations`.
    pub fn record(&self, record: InvocationRecord) {
        self.recent.record(record);
    }

    /// Recent invocations (of `function`), newest first, at most `limit`.
    pub fn recent(&self, function: Option<&str>, limit: usize) -> Vec<InvocationRecord> {
        self.recent.newest_first(function, limit)
    }

    pub fn clear_recent(&self) {
        self.recent.clear();
    }
}
