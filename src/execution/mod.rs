//! The execution layer: running functions. Every execution environment gets its own Lambda Runtime API server
//! (`AWS_LAMBDA_RUNTIME_API=host:port`), which the runtime client inside it polls, so one invoke
//! path serves every executor and every runtime. This module holds that server and its
//! environment-side handle (`runtime_api`, `environment`, `extensions`), the environment pool
//! (`pool`) that runs invocations on them, and the executors behind one interface (`executor`,
//! `sandbox`): local processes (`process`, with our runtime clients in `runtime_clients/` and the
//! processes' `peak_memory`) and Docker containers (`docker`). Both start from a `spec` (what to
//! run), `unpacked` code and layers, and the variables of `function_env`.
//!
//! ```text
//! let env = RuntimeApi::start("127.0.0.1:0".parse()?, info).await?;   // one listener per environment
//! spawn the runtime with AWS_LAMBDA_RUNTIME_API = env.runtime_api_address()
//! env.ready().await?;                       // first /next: init done (init duration = now - spawn)
//! let outcome = env.invoke(invocation).await;   // race it with the deadline / process exit and
//! env.fail_current(InvocationOutcome::Timeout { .. });   // end it from the pool when needed
//! env.shutdown(ShutdownReason::Spindown, grace).await;   // SHUTDOWN to extensions, then kill
//! ```

pub mod api_error;
pub mod docker;
pub mod environment;
pub mod executor;
pub mod extensions;
pub mod function_env;
pub mod invocation;
pub mod logs;
pub mod peak_memory;
pub mod pool;
pub mod process;
pub mod runtime_api;
pub mod sandbox;
pub mod service;
pub mod spec;
pub mod unpacked;

pub use api_error::ApiError;
pub use docker::{DockerConfig, DockerExecutor};
pub use environment::{EnvStatus, ExtensionErrorKind, InitErrorReport, RuntimeState};
pub use executor::{Executor, StartError};
pub use extensions::{EnvironmentInfo, ExtensionState, ExtensionStatus, ShutdownReason, MAX_EXTENSIONS};
pub use invocation::{Completion, Invocation, InvocationOutcome, InvocationTiming, MAX_PAYLOAD_SIZE};
pub use pool::{Answer, InvocationResult, Pool, PoolConfig, PoolCounts};
pub use process::{ExecutorConfig, ProcessExecutor};
pub use runtime_api::{NotReady, RuntimeApi, RuntimeApiHandle};
pub use sandbox::{ExitInfo, Sandbox};
pub use service::{status_of, Execution, InvocationKind, InvocationRecord, InvocationStatus, Slot, RECENT_INVOCATIONS};
pub use spec::{FunctionSpec, ImageSpec, LayerPackage};
