//! The executors, seen from the pool: something that starts a sandbox for a function spec whose
//! runtime will poll a given Runtime API endpoint. Local processes (`process`), Docker
//! containers (`docker`), or either per function (`auto`); the pool does not care which.

use super::auto::{AutoExecutor, Choice};
use super::docker::DockerExecutor;
use super::process::ProcessExecutor;
use super::runtime_api::RuntimeApiHandle;
use super::sandbox::Sandbox;
use super::spec::FunctionSpec;
use super::unpacked::{Unpacked, Unpacker};
use std::net::IpAddr;
use std::sync::Arc;

/// Why an environment could not be started: the error the invocation that wanted it gets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StartError {
    pub error_type: String,
    pub message: String,
}

impl StartError {
    pub fn entrypoint(message: impl Into<String>) -> Self {
        StartError {
            error_type: "Runtime.InvalidEntrypoint".into(),
            message: message.into(),
        }
    }
    pub fn sandbox(message: impl Into<String>) -> Self {
        StartError {
            error_type: "Sandbox.Failure".into(),
            message: message.into(),
        }
    }
}

/// The executor a pool starts its environments with.
#[derive(Clone)]
pub enum Executor {
    Process(Arc<ProcessExecutor>),
    Docker(Arc<DockerExecutor>),
    Auto(Arc<AutoExecutor>),
}

impl From<Arc<ProcessExecutor>> for Executor {
    fn from(e: Arc<ProcessExecutor>) -> Self {
        Executor::Process(e)
    }
}

impl From<Arc<DockerExecutor>> for Executor {
    fn from(e: Arc<DockerExecutor>) -> Self {
        Executor::Docker(e)
    }
}

impl From<Arc<AutoExecutor>> for Executor {
    fn from(e: Arc<AutoExecutor>) -> Self {
        Executor::Auto(e)
    }
}

impl Executor {
    /// `process`, `docker` or `auto`.
    pub fn name(&self) -> &'static str {
        match self {
            Executor::Process(_) => "process",
            Executor::Docker(_) => "docker",
            Executor::Auto(_) => "auto",
        }
    }

    /// The Docker executor, when containers may run.
    pub fn docker(&self) -> Option<&Arc<DockerExecutor>> {
        match self {
            Executor::Process(_) => None,
            Executor::Docker(d) => Some(d),
            Executor::Auto(a) => Some(&a.docker),
        }
    }

    /// Where an environment's Runtime API server must listen for this executor's sandboxes to
    /// reach it (`None`: the pool's default, loopback). Ask the chosen executor (`choose`): under
    /// `auto` this is where containers would reach it.
    pub fn runtime_api_bind(&self) -> Option<IpAddr> {
        self.docker().and_then(|d| d.runtime_api_bind())
    }

    /// The executor that starts `spec`'s environments: this one, or under `auto` the one its
    /// image allows (Docker or processes).
    pub async fn choose(&self, spec: &FunctionSpec) -> Result<Executor, StartError> {
        match self {
            Executor::Auto(a) => Ok(match a.choose(spec).await? {
                Choice::Docker(d) => Executor::Docker(d),
                Choice::Process(p) => Executor::Process(p),
            }),
            chosen => Ok(chosen.clone()),
        }
    }

    /// What unpacks code and layers for this executor's environments.
    pub fn unpacker(&self) -> &Unpacker {
        match self {
            Executor::Process(p) => p.unpacker(),
            Executor::Docker(d) => d.unpacker(),
            Executor::Auto(a) => a.docker.unpacker(),
        }
    }

    /// The code and layers of `spec` on the host, unpacked when first needed (their external
    /// extensions are what init waits for).
    pub async fn unpack(&self, spec: &FunctionSpec) -> Result<Unpacked, StartError> {
        // Both executors use the same unpacked layout; under `auto` one unpacker (Docker's), so
        // no two unpack at once.
        self.unpacker().unpack(spec).await
    }

    /// Starts the runtime of `spec` (and the external extensions of its layers) against `api`.
    pub async fn start(
        &self,
        spec: &FunctionSpec,
        unpacked: &Unpacked,
        api: &RuntimeApiHandle,
    ) -> Result<Sandbox, StartError> {
        match self {
            Executor::Process(p) => p.start(spec, unpacked, api).await,
            Executor::Docker(d) => d.start(spec, unpacked, api).await,
            Executor::Auto(a) => match a.choose(spec).await? {
                Choice::Docker(d) => d.start(spec, unpacked, api).await,
                Choice::Process(p) => p.start(spec, unpacked, api).await,
            },
        }
    }
}
