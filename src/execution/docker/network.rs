//! How containers reach fauxlambda, and the network fauxlambda makes for them. By default each
//! fauxlambda instance creates a bridge network of its own (labelled as its containers are,
//! removed at exit, and at start-up when left behind by an instance that no longer runs), with
//! containers unable to reach one another. Containers reach the host at the network's gateway,
//! where each environment's Runtime API listens, and `host.docker.internal` is mapped to it for
//! the functions' own calls. With host networking (`--docker-network host`, what the tests use)
//! they share the host's loopback. `--docker-network NAME` puts them on an existing network
//! (`bridge`: Docker's default bridge, shared with every other container).

use super::owner;
use bollard::Docker;
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr};

/// The name functions use for the host in bridged networks.
pub const HOST_ALIAS: &str = "host.docker.internal";

/// An IPv4 subnet (`172.18.0.0/16`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Subnet {
    pub base: Ipv4Addr,
    pub prefix: u8,
}

impl Subnet {
    /// Parses `a.b.c.d/n`.
    pub fn parse(text: &str) -> Option<Subnet> {
        let (base, prefix) = text.split_once('/')?;
        let prefix: u8 = prefix.parse().ok().filter(|p| *p <= 32)?;
        Some(Subnet {
            base: base.parse().ok()?,
            prefix,
        })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V4(v4) => v4,
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => v4,
                None => return false,
            },
        };
        let mask = u32::MAX.checked_shl(32 - u32::from(self.prefix)).unwrap_or(0);
        u32::from(ip) & mask == u32::from(self.base) & mask
    }
}

impl std::fmt::Display for Subnet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.base, self.prefix)
    }
}

/// The networking of the executor's containers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Networking {
    /// Docker's `NetworkMode`: `host`, `bridge` or a network name.
    pub mode: String,
    /// The host's address as containers see it: loopback with host networking, else the gateway.
    pub host_ip: IpAddr,
    /// The network's subnet (bridged networks, when the engine says).
    pub subnet: Option<Subnet>,
    /// Created by this instance, and removed by it at exit.
    pub own: bool,
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

    /// Resolves `network` against the engine; None: a network of this instance's own (`owner`),
    /// created now, after removing those of instances that no longer run.
    pub async fn resolve(docker: &Docker, network: Option<&str>, owner: &str) -> Result<Networking, String> {
        match network {
            Some("host") => Ok(Networking {
                mode: "host".into(),
                host_ip: IpAddr::V4(Ipv4Addr::LOCALHOST),
                subnet: None,
                own: false,
            }),
            Some(name) => inspect(docker, name, false).await,
            None => {
                let removed = owner::remove_networks(docker, None).await;
                if removed > 0 {
                    tracing::info!(
                        "removed {removed} network(s) left behind by fauxlambda instances that no longer run"
                    );
                }
                let name = own_name(owner);
                create(docker, &name, owner).await?;
                inspect(docker, &name, true).await
            }
        }
    }

    /// Removes the network when this instance created it (on shutdown, once its containers are gone).
    pub async fn remove_if_own(&self, docker: &Docker) {
        if self.own {
            if let Err(e) = docker.remove_network(&self.mode).await {
                tracing::warn!("removing the Docker network {}: {e}", self.mode);
            }
        }
    }
}

/// The name of an instance's own network: `fauxlambda-<pid>-<start time>`.
fn own_name(owner: &str) -> String {
    format!("fauxlambda-{}", owner.replace(':', "-"))
}

async fn create(docker: &Docker, name: &str, owner: &str) -> Result<(), String> {
    let request = bollard::models::NetworkCreateRequest {
        name: name.to_owned(),
        driver: Some("bridge".into()),
        labels: Some(owner::network_labels(owner)),
        // Environments do not reach one another (on AWS they cannot); the host they do.
        options: Some(HashMap::from([(
            "com.docker.network.bridge.enable_icc".to_owned(),
            "false".to_owned(),
        )])),
        ..Default::default()
    };
    docker.create_network(request).await.map_err(|e| {
        format!("creating the Docker network {name} for fauxlambda's containers failed: {e} (name an existing network with --docker-network)")
    })?;
    Ok(())
}

async fn inspect(docker: &Docker, name: &str, own: bool) -> Result<Networking, String> {
    let inspected = docker
        .inspect_network(name, None::<bollard::query_parameters::InspectNetworkOptions>)
        .await
        .map_err(|e| format!("the Docker network {name:?} cannot be inspected: {e}"))?;
    let configs = inspected.ipam.and_then(|i| i.config).unwrap_or_default();
    let v4 = configs.iter().find(|c| {
        c.gateway
            .as_deref()
            .is_some_and(|g| g.parse::<IpAddr>().is_ok_and(|ip| ip.is_ipv4()))
    });
    let gateway = v4.and_then(|c| c.gateway.as_deref()).and_then(|g| g.parse().ok());
    let subnet = v4.and_then(|c| c.subnet.as_deref()).and_then(Subnet::parse);
    // Docker's default bridge gateway when the network does not say.
    let host_ip = gateway.unwrap_or(IpAddr::V4(Ipv4Addr::new(172, 17, 0, 1)));
    Ok(Networking {
        mode: name.to_owned(),
        host_ip,
        subnet,
        own,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subnets_contain_their_addresses() {
        let s = Subnet::parse("172.18.0.0/16").unwrap();
        assert!(s.contains("172.18.3.4".parse().unwrap()));
        assert!(s.contains("::ffff:172.18.0.2".parse().unwrap()));
        assert!(!s.contains("172.17.0.2".parse().unwrap()));
        assert!(!s.contains("127.0.0.1".parse().unwrap()));
        assert!(Subnet::parse("0.0.0.0/0").unwrap().contains("8.8.8.8".parse().unwrap()));
        assert_eq!(Subnet::parse("10.0.0.0/33"), None);
        assert_eq!(s.to_string(), "172.18.0.0/16");
    }
}
