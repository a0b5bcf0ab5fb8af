//! One container as a sandbox: who its Runtime API serves (its processes, or its address on a
//! bridged network, as the engine reports them once it has started), its exit (watched through the
//! engine's wait endpoint, which also ends when the container is removed behind fauxlambda's back;
//! an out-of-memory kill read from its state), its stop (SIGTERM, SIGKILL after the grace, then
//! removal) and its peak memory (from its memory cgroup, when the host can read it).

use super::super::runtime_peers::{self, Peers};
use super::super::sandbox::{BoxFuture, ExitInfo, SandboxControl};
use super::Networking;
use bollard::Docker;
use futures_util::StreamExt;
use std::path::PathBuf;
use std::time::Duration;
use tokio::sync::watch;

pub struct ContainerControl {
    pub docker: Docker,
    pub id: String,
    /// Host-side files of the environment (its log FIFO); removed with the container.
    pub dir: Option<PathBuf>,
    /// The cgroup file holding the container's peak memory, when readable from here.
    pub memory_peak: Option<PathBuf>,
    pub exit: watch::Receiver<Option<ExitInfo>>,
}

/// Watches the container's exit: the receiver gets its exit status once it stops or vanishes.
pub fn watch_exit(docker: &Docker, id: &str) -> watch::Receiver<Option<ExitInfo>> {
    let (tx, rx) = watch::channel(None);
    let docker = docker.clone();
    let id = id.to_owned();
    tokio::spawn(async move {
        let options = bollard::query_parameters::WaitContainerOptions {
            condition: "not-running".into(),
        };
        let mut wait = docker.wait_container(&id, Some(options));
        let mut info = match wait.next().await {
            Some(Ok(r)) => ExitInfo::from_code(r.status_code),
            Some(Err(bollard::errors::Error::DockerContainerWaitError { code, .. })) => ExitInfo::from_code(code),
            // Removed (or the engine went away): as good as killed.
            _ => ExitInfo {
                code: None,
                description: Some("signal: killed".into()),
                out_of_memory: false,
            },
        };
        // The kernel's OOM kill, as the engine recorded it (the container is still there: it is
        // removed only after its exit has been reported).
        if let Ok(inspected) = docker
            .inspect_container(&id, None::<bollard::query_parameters::InspectContainerOptions>)
            .await
        {
            info.out_of_memory = inspected.state.and_then(|s| s.oom_killed).unwrap_or(false);
        }
        let _ = tx.send(Some(info));
    });
    rx
}

/// Who the Runtime API of a container that has just started may serve: on a bridged network its
/// address there; with host networking its processes (the tree of its first process), when
/// fauxlambda can see them; else anyone, said once.
pub async fn peers(docker: &Docker, id: &str, networking: &Networking) -> Result<Peers, String> {
    let inspected = docker
        .inspect_container(id, None::<bollard::query_parameters::InspectContainerOptions>)
        .await
        .map_err(|e| format!("inspecting the started container failed: {e}"))?;
    if !networking.is_host() {
        let endpoints = inspected.network_settings.and_then(|n| n.networks).unwrap_or_default();
        return endpoints
            .get(&networking.mode)
            .and_then(|e| e.ip_address.as_deref())
            .and_then(|ip| ip.parse().ok())
            .map(Peers::Address)
            .ok_or_else(|| format!("the container has no address on the network {}", networking.mode));
    }
    let pid = inspected.state.and_then(|s| s.pid).unwrap_or(0);
    match u32::try_from(pid) {
        Ok(pid) if pid > 0 && runtime_peers::can_inspect(pid) => Ok(Peers::ProcessTree(vec![pid])),
        _ => {
            static SAID: std::sync::Once = std::sync::Once::new();
            SAID.call_once(|| {
                tracing::warn!(
                    "the processes of host-networked containers are not visible to fauxlambda (pid {pid}): their Runtime APIs serve any local process (run fauxlambda as root in the engine's pid namespace, or use the default network)"
                )
            });
            Ok(Peers::Anyone)
        }
    }
}

/// Where the host can read a container's peak memory (cgroup v1, then v2 layouts).
pub fn memory_peak_file(id: &str) -> Option<PathBuf> {
    [
        format!("/sys/fs/cgroup/memory/docker/{id}/memory.max_usage_in_bytes"),
        format!("/sys/fs/cgroup/system.slice/docker-{id}.scope/memory.peak"),
        format!("/sys/fs/cgroup/docker/{id}/memory.peak"),
    ]
    .into_iter()
    .map(PathBuf::from)
    .find(|p| p.is_file())
}

impl ContainerControl {
    fn signal(&self, signal: &str) -> impl std::future::Future<Output = ()> + Send + 'static {
        let docker = self.docker.clone();
        let id = self.id.clone();
        let signal = signal.to_owned();
        async move {
            let options = bollard::query_parameters::KillContainerOptions { signal };
            let _ = docker.kill_container(&id, Some(options)).await;
        }
    }
}

impl SandboxControl for ContainerControl {
    fn kill(&self) {
        tokio::spawn(self.signal("SIGKILL"));
    }

    fn stop(&self, grace: Duration, exited: BoxFuture<'static, ExitInfo>) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            if self.exit.borrow().is_none() {
                self.signal("SIGTERM").await;
                let _ = tokio::time::timeout(grace, exited).await;
            }
            let options = bollard::query_parameters::RemoveContainerOptions {
                force: true,
                v: true,
                ..Default::default()
            };
            if let Err(e) = self.docker.remove_container(&self.id, Some(options)).await {
                tracing::debug!("removing container {}: {e}", self.id);
            }
            if let Some(dir) = &self.dir {
                let _ = tokio::fs::remove_dir_all(dir).await;
            }
        })
    }

    fn max_memory_mb(&self) -> u64 {
        let Some(path) = &self.memory_peak else { return 0 };
        std::fs::read_to_string(path)
            .ok()
            .and_then(|t| t.trim().parse::<u64>().ok())
            .map(|b| b.div_ceil(1024 * 1024))
            .unwrap_or(0)
    }
}

impl Drop for ContainerControl {
    fn drop(&mut self) {
        // Normally stopped already; a sandbox dropped without a stop must not leave its container.
        if let Ok(tokio_handle) = tokio::runtime::Handle::try_current() {
            let docker = self.docker.clone();
            let id = self.id.clone();
            tokio_handle.spawn(async move {
                let options = bollard::query_parameters::RemoveContainerOptions {
                    force: true,
                    v: true,
                    ..Default::default()
                };
                let _ = docker.remove_container(&id, Some(options)).await;
            });
        }
        if let Some(dir) = &self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}
