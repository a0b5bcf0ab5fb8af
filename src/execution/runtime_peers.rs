//! Who may talk to one environment's Runtime API, and the check of a connection against it. An
//! environment's runtime and extensions are the only clients its Runtime API serves: a bridged
//! container is known by its own address; local processes (and the processes of a container on
//! host networking, which are the host's too) by the owner of the connecting socket, found on
//! Linux through `/proc/net/tcp{,6}` (the peer's address and port → the socket's inode) and the
//! descriptors (`/proc/<pid>/fd`) of the environment's process tree. The check reads `/proc` and is
//! made once per connection, never per request (runtime clients keep their connection).

use std::collections::{HashSet, VecDeque};
use std::io::ErrorKind;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// Processes searched at most for a socket's owner (a tree larger than this is refused).
const MAX_PROCESSES: usize = 4096;

/// Who an environment's Runtime API serves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Peers {
    /// Processes of the trees rooted at these pids: the runtime and its extensions, or a
    /// container's first process.
    ProcessTree(Vec<u32>),
    /// Connections from this address only: a container on a bridged network.
    Address(IpAddr),
    /// Any client: a Runtime API not serving a started environment (tests, embedding), or one
    /// whose environment's processes cannot be seen from here (said once, when decided).
    Anyone,
}

impl Peers {
    /// Ok when the connection from `peer` to `local` comes from the environment; else why not.
    /// Blocking (reads `/proc`): call it off the event loop.
    pub fn admits(&self, peer: SocketAddr, local: SocketAddr) -> Result<(), String> {
        match self {
            Peers::Anyone => Ok(()),
            Peers::Address(ip) if canonical(peer.ip()) == canonical(*ip) => Ok(()),
            Peers::Address(ip) => Err(format!("not from the environment's container ({ip})")),
            Peers::ProcessTree(roots) => {
                let inode = socket_inode(peer, local)
                    .ok_or_else(|| "no socket of this host's network namespace is its peer".to_owned())?;
                if owned_by_tree(roots, inode) {
                    Ok(())
                } else {
                    Err("not from the environment's processes".to_owned())
                }
            }
        }
    }
}

/// Whether fauxlambda can read the descriptors of `pid` (a process tree check needs it: a
/// container's processes may belong to another user).
pub fn can_inspect(pid: u32) -> bool {
    match std::fs::read_dir(format!("/proc/{pid}/fd")) {
        Ok(_) => true,
        Err(e) => {
            tracing::debug!("/proc/{pid}/fd: {e}");
            false
        }
    }
}

fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// The inode of the socket whose local end is `peer` and remote end `local`: the client's end of
/// the connection, in `/proc/net/tcp` (IPv4) or `/proc/net/tcp6`.
fn socket_inode(peer: SocketAddr, local: SocketAddr) -> Option<u64> {
    let table = if peer.is_ipv4() {
        "/proc/net/tcp"
    } else {
        "/proc/net/tcp6"
    };
    let text = std::fs::read_to_string(table).ok()?;
    find_inode(&text, peer, local)
}

/// The inode of the entry of a `/proc/net/tcp{,6}` text whose local address is `client` and
/// remote address `server`.
fn find_inode(table: &str, client: SocketAddr, server: SocketAddr) -> Option<u64> {
    table.lines().skip(1).find_map(|line| {
        let mut fields = line.split_whitespace();
        let local = parse_address(fields.nth(1)?)?;
        let remote = parse_address(fields.next()?)?;
        if local != client || remote != server {
            return None;
        }
        // st tx:rx tr:when retrnsmt uid timeout inode
        fields.nth(6)?.parse().ok()
    })
}

/// `0100007F:1F90` (IPv4) or 32 hex digits and a port (IPv6): the kernel prints the address's
/// 32-bit words as native integers.
fn parse_address(field: &str) -> Option<SocketAddr> {
    let (addr, port) = field.split_once(':')?;
    let port = u16::from_str_radix(port, 16).ok()?;
    let word = |hex: &str| u32::from_str_radix(hex, 16).ok().map(u32::to_ne_bytes);
    let ip = match addr.len() {
        8 => IpAddr::V4(Ipv4Addr::from(word(addr)?)),
        32 => {
            let mut bytes = [0u8; 16];
            for i in 0..4 {
                bytes[i * 4..i * 4 + 4].copy_from_slice(&word(&addr[i * 8..i * 8 + 8])?);
            }
            IpAddr::V6(Ipv6Addr::from(bytes))
        }
        _ => return None,
    };
    Some(SocketAddr::new(ip, port))
}

/// Whether a process of the trees rooted at `roots` holds socket `inode` (breadth first, the roots
/// first: the runtime itself is the usual client).
fn owned_by_tree(roots: &[u32], inode: u64) -> bool {
    let target = format!("socket:[{inode}]");
    let mut queue: VecDeque<u32> = roots.iter().copied().collect();
    let mut seen: HashSet<u32> = HashSet::new();
    while let Some(pid) = queue.pop_front() {
        if !seen.insert(pid) || seen.len() > MAX_PROCESSES {
            continue;
        }
        if holds(pid, &target) {
            return true;
        }
        queue.extend(children(pid));
    }
    false
}

/// Whether one of `pid`'s descriptors is `target` (`socket:[inode]`).
fn holds(pid: u32, target: &str) -> bool {
    let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
        return false;
    };
    fds.flatten().any(|fd| {
        std::fs::read_link(fd.path()).is_ok_and(|link| link.as_os_str().as_encoded_bytes() == target.as_bytes())
    })
}

/// The children of every thread of `pid`.
pub(super) fn children(pid: u32) -> Vec<u32> {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for task in tasks.flatten() {
        match std::fs::read_to_string(task.path().join("children")) {
            Ok(text) => out.extend(text.split_whitespace().filter_map(|p| p.parse::<u32>().ok())),
            Err(e) if e.kind() == ErrorKind::NotFound => {}
            Err(e) => tracing::debug!("{}/children: {e}", task.path().display()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(target_endian = "little")]
    fn proc_net_tcp_entries_parse() {
        let table = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n\
   0: 0100007F:A2F4 0100007F:1F90 01 00000000:00000000 00:00000000 00000000  1000        0 4242 1 0000000047fa0f30 100 0 0 10 0\n\
   1: 0100007F:1F90 0100007F:A2F4 01 00000000:00000000 00:00000000 00000000  1000        0 4343 1 0000000047fa0f30 100 0 0 10 0\n";
        let client: SocketAddr = "127.0.0.1:41716".parse().unwrap();
        let server: SocketAddr = "127.0.0.1:8080".parse().unwrap();
        assert_eq!(find_inode(table, client, server), Some(4242));
        assert_eq!(find_inode(table, server, client), Some(4343));
        assert_eq!(find_inode(table, client, "127.0.0.1:8081".parse().unwrap()), None);
        assert_eq!(
            parse_address("00000000000000000000000001000000:0050"),
            Some("[::1]:80".parse().unwrap())
        );
    }

    #[test]
    fn a_connection_is_admitted_from_its_owners_tree_only() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let local = listener.local_addr().unwrap();
        let _client = std::net::TcpStream::connect(local).unwrap();
        let (_server_end, peer) = listener.accept().unwrap();
        assert_eq!(Peers::ProcessTree(vec![std::process::id()]).admits(peer, local), Ok(()));
        // A process that does not hold the socket (nor do its descendants).
        let mut other = std::process::Command::new("sleep").arg("5").spawn().unwrap();
        let refused = Peers::ProcessTree(vec![other.id()]).admits(peer, local);
        let _ = other.kill();
        let _ = other.wait();
        assert_eq!(refused, Err("not from the environment's processes".to_owned()));
        assert!(Peers::Address("10.0.0.1".parse().unwrap()).admits(peer, local).is_err());
        assert_eq!(Peers::Address("127.0.0.1".parse().unwrap()).admits(peer, local), Ok(()));
    }
}
