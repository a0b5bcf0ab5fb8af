//! The Docker executor: each execution environment is a container of the runtime's image (the
//! official `public.ecr.aws/lambda/*` images, or `--runtime-image` overrides), started through
//! the Docker Engine API (bollard) with `AWS_LAMBDA_RUNTIME_API` set, so the image's own runtime
//! client polls fauxlambda and the image's bundled emulator is bypassed (lambda-semantics §1.2).
//!
//! - Code is unpacked once per code hash on the host and bind-mounted read-only at `/var/task`,
//!   the layers merged in order and mounted at `/opt` (`--docker-copy-code`: copied in through
//!   the API instead, for engines that cannot see fauxlambda's files).
//! - The runtime's output goes to a FIFO shared with the host, read like a local process's pipes
//!   (so an invocation's log is complete when its response arrives); external extensions in
//!   `/opt/extensions` are started before the runtime. Both through a small `/bin/sh` wrapper;
//!   an image without a shell runs without it (output through the attach stream, no extensions).
//! - Memory limit from `MemorySize`, `/tmp` a tmpfs sized from `EphemeralStorage`, the platform
//!   from `Architectures`.

mod container;
mod copy;
mod images;
mod network;
mod owner;

pub use network::{Networking, Subnet};

use super::executor::StartError;
use super::function_env;
use super::logs::LogSink;
use super::runtime_api::RuntimeApiHandle;
use super::sandbox::Sandbox;
use super::spec::FunctionSpec;
use super::unpacked::{Unpacked, Unpacker};
use bollard::models::{ContainerCreateBody, HostConfig, HostConfigLogConfig};
use bollard::Docker;
use images::ImageInfo;
use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Where the runtime's output FIFO is mounted in the container.
const LOG_FIFO: &str = "/dev/fauxlambda-log";

/// How the Docker executor runs environments.
#[derive(Clone, Debug, Default)]
pub struct DockerConfig {
    /// Code and layers are unpacked under `<data_dir>/exec`.
    pub data_dir: PathBuf,
    /// `RUNTIME=IMAGE` overrides of the official images.
    pub runtime_images: BTreeMap<String, String>,
    /// `--docker-network`: `host`, or a network name (None: a network of this instance's own).
    pub network: Option<String>,
    /// Copy code and layers into each container instead of bind-mounting them.
    pub copy_code: bool,
    /// Platform variables added to every function's environment. `{host}` in a value is
    /// replaced by the host's name as the containers see it (e.g. `http://{host}:4566`).
    pub extra_env: BTreeMap<String, String>,
}

/// Starts environments as containers.
pub struct DockerExecutor {
    docker: Docker,
    config: DockerConfig,
    networking: Networking,
    root: PathBuf,
    unpacker: Unpacker,
    images: images::Images,
    owner: String,
}

impl DockerExecutor {
    /// Connects to the engine (`DOCKER_HOST` or the local socket) and removes the containers
    /// left behind by fauxlambda instances that no longer run.
    pub async fn connect(config: DockerConfig) -> Result<Arc<DockerExecutor>, String> {
        let docker = Docker::connect_with_local_defaults().map_err(|e| format!("connecting to Docker: {e}"))?;
        let docker = tokio::time::timeout(std::time::Duration::from_secs(3), docker.negotiate_version())
            .await
            .map_err(|_| "the Docker engine did not answer within 3 s".to_owned())?
            .map_err(|e| format!("the Docker engine did not answer: {e}"))?;
        let removed = owner::remove_containers(&docker, None).await;
        if removed > 0 {
            tracing::info!("removed {removed} container(s) left behind by fauxlambda instances that no longer run");
        }
        let owner = owner::this_owner();
        let networking = Networking::resolve(&docker, config.network.as_deref(), &owner).await?;
        let root = config.data_dir.join("exec");
        Ok(Arc::new(DockerExecutor {
            unpacker: Unpacker::new(root.clone()),
            docker,
            config,
            networking,
            root,
            images: images::Images::default(),
            owner,
        }))
    }

    pub fn networking(&self) -> &Networking {
        &self.networking
    }

    pub fn unpacker(&self) -> &Unpacker {
        &self.unpacker
    }

    /// Where Runtime API servers listen: loopback with host networking, else the gateway.
    pub fn runtime_api_bind(&self) -> Option<IpAddr> {
        Some(self.networking.host_ip)
    }

    /// Removes every container of this instance, then its network (on shutdown).
    pub async fn remove_own(&self) {
        owner::remove_containers(&self.docker, Some(&self.owner)).await;
        self.networking.remove_if_own(&self.docker).await;
    }

    /// The image `spec` runs in, made present in the engine (pulled when missing; a failed pull
    /// is remembered for a while).
    pub async fn image(&self, spec: &FunctionSpec) -> Result<(String, ImageInfo), StartError> {
        let image = self.image_name(spec)?;
        let runtime = spec.image.is_none().then_some(spec.runtime.as_str());
        let info = self.images.ensure(&self.docker, &image, runtime).await?;
        Ok((image, info))
    }

    /// The image `spec` runs in: its own, the `--runtime-image` override, or the official one.
    pub fn image_name(&self, spec: &FunctionSpec) -> Result<String, StartError> {
        match &spec.image {
            Some(i) => Ok(i.uri.clone()),
            None => images::image_for(&spec.runtime, &self.config.runtime_images),
        }
    }

    /// Why the last pull of `image` failed, while that is remembered.
    pub fn pull_failure(&self, image: &str) -> Option<String> {
        self.images.pull_failure(image)
    }

    /// Starts a container for `spec` whose runtime polls `api`.
    pub async fn start(
        &self,
        spec: &FunctionSpec,
        unpacked: &Unpacked,
        api: &RuntimeApiHandle,
    ) -> Result<Sandbox, StartError> {
        let (image, info) = self.image(spec).await?;
        let id = uuid::Uuid::new_v4().simple().to_string();

        // The command: the image's entrypoint with the handler (zip), or the ImageConfig
        // overrides of the image's own (image functions).
        let (entrypoint, cmd, working_dir) = match &spec.image {
            Some(i) => (
                i.entry_point.clone().unwrap_or(info.entrypoint.clone()),
                i.command.clone().unwrap_or(info.cmd.clone()),
                i.working_directory.clone(),
            ),
            None => (info.entrypoint.clone(), vec![spec.handler.clone()], None),
        };
        if entrypoint.is_empty() && cmd.is_empty() {
            return Err(StartError::entrypoint(format!(
                "The image {image} has neither an entrypoint nor a command"
            )));
        }
        let mut argv = entrypoint;
        argv.extend(cmd);

        let extensions = &unpacked.extensions;
        let env = self.environment(spec, api, &id);
        let mut attempt = Launch {
            fifo: !self.config.copy_code,
            extensions: !extensions.is_empty(),
        };
        loop {
            match self
                .launch(
                    spec,
                    &image,
                    &argv,
                    working_dir.as_deref(),
                    &env,
                    unpacked,
                    &id,
                    attempt,
                )
                .await
            {
                Ok(sandbox) => return Ok(sandbox),
                // An image without /bin/sh: run its command as is (output through attach).
                Err(LaunchError::NoShell) if attempt.wrapped() => {
                    tracing::debug!("{image} has no /bin/sh: running it without the wrapper");
                    attempt = Launch {
                        fifo: false,
                        extensions: false,
                    };
                }
                Err(LaunchError::NoShell) => {
                    return Err(StartError::entrypoint(format!(
                        "The container of {image} could not start its command"
                    )))
                }
                Err(LaunchError::Failed(e)) => return Err(e),
            }
        }
    }

    /// The function's variables (§3) with the container's paths.
    fn environment(&self, spec: &FunctionSpec, api: &RuntimeApiHandle, env_id: &str) -> Vec<String> {
        let host = self.networking.host_name();
        let extra: BTreeMap<String, String> = self
            .config
            .extra_env
            .iter()
            .map(|(k, v)| (k.clone(), v.replace("{host}", &host)))
            .collect();
        let runtime_api = format!("{}:{}", self.networking.host_ip, api.local_addr().port());
        let mut vars = function_env::platform(spec, &runtime_api, env_id, &extra);
        vars.insert("LAMBDA_TASK_ROOT".into(), "/var/task".into());
        vars.insert("LAMBDA_RUNTIME_DIR".into(), "/var/runtime".into());
        vars.insert("TZ".into(), ":UTC".into());
        if let Some(pp) = function_env::python_path(spec, "/opt", "/var/runtime") {
            vars.insert("PYTHONPATH".into(), pp);
        }
        if let Some(prefix) = function_env::python_cache_prefix(spec, "/tmp") {
            vars.insert("PYTHONPYCACHEPREFIX".into(), prefix);
        }
        vars.into_iter().map(|(k, v)| format!("{k}={v}")).collect()
    }

    #[allow(clippy::too_many_arguments)]
    async fn launch(
        &self,
        spec: &FunctionSpec,
        image: &str,
        argv: &[String],
        working_dir: Option<&str>,
        env: &[String],
        unpacked: &Unpacked,
        id: &str,
        how: Launch,
    ) -> Result<Sandbox, LaunchError> {
        let failed = |what: &str, e: &dyn std::fmt::Display| {
            LaunchError::Failed(StartError::sandbox(format!(
                "{what} the container of {image} failed: {e}"
            )))
        };
        let dir = self.root.join("containers").join(id);
        let logs = LogSink::new();
        let mut binds = Vec::new();
        if how.fifo {
            std::fs::create_dir_all(&dir).map_err(|e| failed("preparing", &e))?;
            let fifo = dir.join("log");
            make_fifo(&fifo).map_err(|e| failed("preparing", &e))?;
            logs.attach_fifo(&fifo).map_err(|e| failed("preparing", &e))?;
            binds.push(format!("{}:{LOG_FIFO}", fifo.display()));
        }
        // An image function's code is in its image (and it has no layers).
        let zip_function = spec.image.is_none();
        if !self.config.copy_code && zip_function {
            binds.push(format!("{}:/var/task:ro", unpacked.task.display()));
            binds.push(format!("{}:/opt:ro", unpacked.opt.display()));
        }
        let (entrypoint, cmd) = if how.wrapped() {
            let mut cmd = vec!["fauxlambda".to_owned()];
            cmd.extend(argv.iter().cloned());
            (vec!["/bin/sh".to_owned(), "-c".to_owned(), wrapper(how)], cmd)
        } else {
            (argv[..1].to_vec(), argv[1..].to_vec())
        };
        let mb = spec.memory_mb as i64 * 1024 * 1024;
        let host_config = HostConfig {
            binds: Some(binds),
            network_mode: Some(self.networking.mode.clone()),
            extra_hosts: self.networking.extra_hosts(),
            memory: Some(mb),
            memory_swap: Some(mb),
            tmpfs: Some(HashMap::from([(
                "/tmp".to_owned(),
                format!("rw,exec,size={}m", spec.ephemeral_storage_mb),
            )])),
            // With the FIFO the engine has nothing to log; the attach stream works without it.
            log_config: how.fifo.then(|| HostConfigLogConfig {
                typ: Some("none".into()),
                config: None,
            }),
            ..Default::default()
        };
        let body = ContainerCreateBody {
            image: Some(image.to_owned()),
            entrypoint: Some(entrypoint),
            cmd: Some(cmd),
            env: Some(env.to_vec()),
            working_dir: working_dir.map(str::to_owned),
            labels: Some(owner::labels(&self.owner, &spec.function_name, &spec.version)),
            attach_stdout: Some(!how.fifo),
            attach_stderr: Some(!how.fifo),
            host_config: Some(host_config),
            ..Default::default()
        };
        let name = format!("fauxlambda-{}-{}", container_safe(&spec.function_name), &id[..12]);
        let options = bollard::query_parameters::CreateContainerOptions {
            name: Some(name),
            platform: images::platform(&spec.architecture).to_owned(),
        };
        let created = self
            .docker
            .create_container(Some(options), body)
            .await
            .map_err(|e| failed("creating", &e))?;
        let cid = created.id;
        let remove = || {
            let docker = self.docker.clone();
            let cid = cid.clone();
            async move {
                let options = bollard::query_parameters::RemoveContainerOptions {
                    force: true,
                    v: true,
                    ..Default::default()
                };
                let _ = docker.remove_container(&cid, Some(options)).await;
            }
        };
        if self.config.copy_code && zip_function {
            if let Err(e) = copy::copy_in(&self.docker, &cid, unpacked).await {
                remove().await;
                let _ = std::fs::remove_dir_all(&dir);
                return Err(failed("copying code into", &e));
            }
        }
        if !how.fifo {
            let options = bollard::query_parameters::AttachContainerOptions {
                stream: true,
                stdout: true,
                stderr: true,
                ..Default::default()
            };
            match self.docker.attach_container(&cid, Some(options)).await {
                Ok(attached) => logs.attach_stream(attached.output),
                Err(e) => tracing::warn!("container {cid}: cannot read its output: {e}"),
            }
        }
        if let Err(e) = self
            .docker
            .start_container(&cid, None::<bollard::query_parameters::StartContainerOptions>)
            .await
        {
            remove().await;
            let _ = std::fs::remove_dir_all(&dir);
            let text = e.to_string();
            if how.wrapped() && text.contains("/bin/sh") {
                return Err(LaunchError::NoShell);
            }
            return Err(LaunchError::Failed(StartError::entrypoint(format!(
                "The container of {image} could not start: {text}"
            ))));
        }
        let peers = match container::peers(&self.docker, &cid, &self.networking).await {
            Ok(p) => p,
            Err(e) => {
                remove().await;
                let _ = std::fs::remove_dir_all(&dir);
                return Err(failed("starting", &e));
            }
        };
        let exit = container::watch_exit(&self.docker, &cid);
        tracing::debug!(
            "environment {id} of {}:{} started: container {}",
            spec.function_name,
            spec.version,
            &cid[..12.min(cid.len())]
        );
        let control = container::ContainerControl {
            docker: self.docker.clone(),
            id: cid.clone(),
            dir: how.fifo.then_some(dir),
            memory_peak: container::memory_peak_file(&cid),
            exit: exit.clone(),
        };
        Ok(Sandbox::new(
            id.to_owned(),
            0,
            Some(cid),
            peers,
            logs,
            exit,
            Box::new(control),
        ))
    }
}

/// What the container's command is wrapped with.
#[derive(Clone, Copy, Debug)]
struct Launch {
    /// Output to the log FIFO.
    fifo: bool,
    /// Start `/opt/extensions/*` first.
    extensions: bool,
}

impl Launch {
    fn wrapped(self) -> bool {
        self.fifo || self.extensions
    }
}

enum LaunchError {
    NoShell,
    Failed(StartError),
}

/// The `/bin/sh -c` script run before the image's command (`"$@"`): output to the FIFO, external
/// extensions started in the background without the `_`-prefixed variables (§2.5).
fn wrapper(how: Launch) -> String {
    let mut script = String::new();
    if how.fifo {
        script.push_str(&format!("exec >{LOG_FIFO} 2>&1\n"));
    }
    if how.extensions {
        script.push_str(
            "for e in /opt/extensions/*; do\n  if [ -f \"$e\" ] && [ -x \"$e\" ]; then\n    (unset _HANDLER _AWS_XRAY_DAEMON_ADDRESS _AWS_XRAY_DAEMON_PORT _X_AMZN_TRACE_ID; exec \"$e\") &\n  fi\ndone\n",
        );
    }
    script.push_str("exec \"$@\"\n");
    script
}

/// A name part Docker accepts (`[a-zA-Z0-9_.-]`).
fn container_safe(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

fn make_fifo(path: &Path) -> std::io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).map_err(std::io::Error::other)?;
    // SAFETY: a valid NUL-terminated path; mkfifo does not keep the pointer.
    if unsafe { libc::mkfifo(c.as_ptr(), 0o622) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    // The container's user may not be root: let it write whatever the umask.
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o622))
}
