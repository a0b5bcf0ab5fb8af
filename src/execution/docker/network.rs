//! How containers reach fauxlambda. With host networking (`--docker-network host`, what the tests
//! use) they share the host's loopback. Otherwise (the default bridge, or a named network) they
//! reach the host at the network's gateway address, where each environment's Runtime API then
//! listens, and `host.docker.internal` is mapped to it for the functions' own calls.

use bollard::Docker;
use std::net::{IpAddr, Ipv4Addr};

/// The name functions use for the host in bridged networks.
pub const HOST_ALIAS: &str = "host.docker.internal";

/// The networking of the executor's containers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Networking {
    /// Docker's `NetworkMode`: `host`, `bridge` or a network name.
    pub mode: String,
    /// The host's address as containers see it: loopback with host networking, else the gateway.
    pub host_ip: IpAddr,
}

impl Networking {
    pub fn is_host(&self) -> bool {
        self.mode == "host"
    }

    /// The host's name in URLs given to functions (`AWS_ENDPOINT_URL`).
    pub fn host_name(&self) -> String {
        if self.is_host() {
            self.host_ip.to_string()
        } else {
            HOST_ALIAS.to_owned()
        }
    }

    /// `ExtraHosts` of each container.
    pub fn extra_hosts(&self) -> Option<Vec<String>> {
        (!self.is_host()).then(|| vec![format!("{HOST_ALIAS}:{}", self.host_ip)])
    }

    /// Resolves `network` (None: the default bridge) against the engine.
    pub async fn resolve(docker: &Docker, network: Option<&str>) -> Result<Networking, String> {
        let mode = network.unwrap_or("bridge").to_owned();
        if mode == "host" {
            return Ok(Networking {
                mode,
                host_ip: IpAddr::V4(Ipv4Addr::LOCALHOST),
            });
        }
        let inspected = docker
            .inspect_network(&mode, None::<bollard::query_parameters::InspectNetworkOptions>)
            .await
            .map_err(|e| format!("the Docker network {mode:?} cannot be inspected: {e}"))?;
        let gateway = inspected
            .ipam
            .and_then(|i| i.config)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|c| c.gateway)
            .find_map(|g| g.parse::<IpAddr>().ok().filter(IpAddr::is_ipv4));
        // Docker's default bridge gateway when the network does not say.
        let host_ip = gateway.unwrap_or(IpAddr::V4(Ipv4Addr::new(172, 17, 0, 1)));
        Ok(Networking { mode, host_ip })
    }
}
