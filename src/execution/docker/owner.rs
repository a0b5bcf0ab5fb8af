//! Which fauxlambda instance owns a container or a network. Every container and network it creates
//! carries labels naming its instance (the fauxlambda process, by pid and process start time, on
//! this host); at start-up those of instances that no longer run are removed, and on shutdown an
//! instance removes its own.

use bollard::Docker;
use std::collections::HashMap;

/// Present on every container fauxlambda creates.
pub const MANAGED: &str = "fauxlambda.managed";
/// `<pid>:<start time>` of the owning fauxlambda process.
pub const OWNER: &str = "fauxlambda.owner";
/// The function and version the container runs (for people reading `docker ps`).
pub const FUNCTION: &str = "fauxlambda.function";

/// This process's owner label value.
pub fn this_owner() -> String {
    let pid = std::process::id();
    format!("{pid}:{}", start_time(pid).unwrap_or_default())
}

/// Field 22 of `/proc/<pid>/stat`: when the process started (ticks since boot).
fn start_time(pid: u32) -> Option<String> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &stat[stat.rfind(')')? + 1..];
    rest.split_whitespace().nth(19).map(str::to_owned)
}

/// Whether the process an owner label names still runs.
fn owner_alive(owner: &str) -> bool {
    let Some((pid, started)) = owner.split_once(':') else {
        return false;
    };
    let Ok(pid) = pid.parse::<u32>() else { return false };
    start_time(pid).is_some_and(|s| s == started)
}

/// The labels of a new container.
pub fn labels(owner: &str, function: &str, version: &str) -> HashMap<String, String> {
    HashMap::from([
        (MANAGED.to_owned(), "true".to_owned()),
        (OWNER.to_owned(), owner.to_owned()),
        (FUNCTION.to_owned(), format!("{function}:{version}")),
    ])
}

/// The labels of a network an instance creates.
pub fn network_labels(owner: &str) -> HashMap<String, String> {
    HashMap::from([
        (MANAGED.to_owned(), "true".to_owned()),
        (OWNER.to_owned(), owner.to_owned()),
    ])
}

/// Removes networks (after their containers): those of instances that no longer run
/// (`only_owner` None), or those of one instance. Returns how many were removed.
pub async fn remove_networks(docker: &Docker, only_owner: Option<&str>) -> usize {
    let label = match only_owner {
        Some(o) => format!("{OWNER}={o}"),
        None => format!("{MANAGED}=true"),
    };
    let options = bollard::query_parameters::ListNetworksOptions {
        filters: Some(HashMap::from([("label".to_owned(), vec![label])])),
    };
    let networks = match docker.list_networks(Some(options)).await {
        Ok(n) => n,
        Err(e) => {
            tracing::warn!("listing fauxlambda's networks failed: {e}");
            return 0;
        }
    };
    let mut removed = 0;
    for n in networks {
        let owner = n
            .labels
            .as_ref()
            .and_then(|l| l.get(OWNER))
            .cloned()
            .unwrap_or_default();
        if only_owner.is_none() && owner_alive(&owner) {
            continue;
        }
        let Some(id) = n.id else { continue };
        match docker.remove_network(&id).await {
            Ok(()) => removed += 1,
            Err(e) => tracing::debug!("removing network {id}: {e}"),
        }
    }
    removed
}

/// Removes containers: those of instances that no longer run (`only_owner` None), or those of
/// one instance. Returns how many were removed.
pub async fn remove_containers(docker: &Docker, only_owner: Option<&str>) -> usize {
    let label = match only_owner {
        Some(o) => format!("{OWNER}={o}"),
        None => format!("{MANAGED}=true"),
    };
    let options = bollard::query_parameters::ListContainersOptions {
        all: true,
        filters: Some(HashMap::from([("label".to_owned(), vec![label])])),
        ..Default::default()
    };
    let containers = match docker.list_containers(Some(options)).await {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!("listing fauxlambda's containers failed: {e}");
            return 0;
        }
    };
    let mut removed = 0;
    for c in containers {
        let owner = c
            .labels
            .as_ref()
            .and_then(|l| l.get(OWNER))
            .cloned()
            .unwrap_or_default();
        if only_owner.is_none() && owner_alive(&owner) {
            continue;
        }
        let Some(id) = c.id else { continue };
        let options = bollard::query_parameters::RemoveContainerOptions {
            force: true,
            v: true,
            ..Default::default()
        };
        match docker.remove_container(&id, Some(options)).await {
            Ok(()) => removed += 1,
            Err(e) => tracing::debug!("removing container {id}: {e}"),
        }
    }
    removed
}
