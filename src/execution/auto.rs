//! `--executor auto`: the executor chosen per function. Docker when the engine answered at start
//! and the function's image is present or can be pulled; otherwise, for a runtime this host can
//! run, a local process, with one warning per image naming it, why it is not there, and the
//! flags that choose. Image functions (`PackageType: Image`) always need Docker.

use super::docker::DockerExecutor;
use super::executor::StartError;
use super::process::ProcessExecutor;
use super::spec::FunctionSpec;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};

/// Both executors, and the images already warned about.
pub struct AutoExecutor {
    pub docker: Arc<DockerExecutor>,
    pub process: Arc<ProcessExecutor>,
    warned: Mutex<HashSet<String>>,
}

/// Which executor starts an environment.
pub enum Choice {
    Docker(Arc<DockerExecutor>),
    Process(Arc<ProcessExecutor>),
}

impl AutoExecutor {
    pub fn new(docker: Arc<DockerExecutor>, process: Arc<ProcessExecutor>) -> Arc<Self> {
        Arc::new(AutoExecutor {
            docker,
            process,
            warned: Mutex::default(),
        })
    }

    /// Docker when `spec`'s image is there (or pulls), else processes when the host can run the
    /// runtime, else Docker's error.
    pub async fn choose(&self, spec: &FunctionSpec) -> Result<Choice, StartError> {
        let missing = match self.docker.image(spec).await {
            Ok(_) => return Ok(Choice::Docker(self.docker.clone())),
            Err(e) => e,
        };
        if spec.image.is_some() || !self.process.can_run(&spec.runtime) {
            return Err(missing);
        }
        let first = self
            .warned
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(spec.runtime.clone());
        if first {
            let rt = &spec.runtime;
            let why = match self.docker.image_name(spec) {
                Ok(image) => match self.docker.pull_failure(&image) {
                    Some(reason) => {
                        format!("the image {image} is not in the Docker engine and could not be pulled ({reason})")
                    }
                    None => format!("the image {image} is not available ({})", missing.message),
                },
                Err(e) => e.message,
            };
            tracing::warn!(
                "{rt} functions run as local processes: {why}. To run them in Docker, pull or build the image, or name a local one with --runtime-image {rt}=IMAGE; --executor docker or --executor process chooses one executor for every function"
            );
        }
        Ok(Choice::Process(self.process.clone()))
    }
}
