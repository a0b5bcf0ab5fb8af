//! The executors, seen from the pool: something that starts a sandbox for a function spec whose
//! runtime will poll a given Runtime API endpoint. Local processes (`process`) or Docker
//! containers (`docker`); the pool does not care which.

use super::docker::DockerExecutor;
use super::process::ProcessExecutor;
use super::runtime_api::RuntimeApiHandle;
use super::sandbox::Sandbox;
use super::spec::FunctionSpec;
use super::unpacked::Unpacked;
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

impl Executor {
    /// `process` or `docker`.
    pub fn name(&self) -> &'static str {
        match self {
            Executor::Process(_) => "process",
            Executor::Docker(_) => "docker",
        }
    }

    /// Where an environment's Runtime API server must listen for this executor's sandboxes to
    /// reach it (`None`: the pool's default, loopback).
    pub fn runtime_api_bind(&self) -> Option<IpAddr> {
        match self {
            Executor::Process(_) => None,
            Executor::Docker(d) => d.runtime_api_bind(),
        }
    }

    /// The code and layers of `spec` on the host, unpacked when first needed (their external
    /// extensions are what init waits for).
    pub async fn unpack(&self, spec: &FunctionSpec) -> Result<Unpacked, StartError> {
        match self {
            Executor::Process(p) => p.unpacker().unpack(spec).await,
            Executor::Docker(d) => d.unpacker().unpack(spec).await,
        }
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
        }
    }
}
