//! The memory limit of a process environment (`MemorySize`), with or without bubblewrap: what
//! Lambda's memory cgroup does to a function, done from outside. A watchdog sums the resident
//! memory of the environment's processes (the whole tree, from `/proc/<pid>/statm`) and, once it
//! is over the limit, kills them all with SIGKILL and marks the exit as out of memory, which the
//! pool reports as AWS does (`Runtime.OutOfMemory`, `signal: killed`, REPORT's `Max Memory Used`
//! at the limit).
//!
//! Why not an rlimit alone: `RLIMIT_AS` breaks Node.js, which reserves far more address space
//! than it uses (`node -e 1` does not start under 128 MB), and `RLIMIT_DATA` makes an allocation
//! fail (Python's `MemoryError`, a function error) where AWS lets untouched memory be and kills on
//! resident use. `RLIMIT_DATA` is still set, at the limit plus [`BACKSTOP_MARGIN_MB`], so that a
//! runaway allocation between two readings cannot take the host's memory.
//!
//! Readings come every [`ACTIVE_PERIOD`] while the use moves, backing off to [`IDLE_PERIOD`]
//! while it stands still (an idle environment costs a few reads a second); warm invokes do not
//! wait for them.

use super::runtime_peers::children;
use super::sandbox::ExitInfo;
use std::collections::HashSet;
use std::os::unix::fs::FileExt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// Between readings while the environment's memory moves.
pub const ACTIVE_PERIOD: Duration = Duration::from_millis(10);
/// Between readings, at most, while it stands still.
pub const IDLE_PERIOD: Duration = Duration::from_millis(100);
/// `RLIMIT_DATA` of each process is the memory size plus this.
pub const BACKSTOP_MARGIN_MB: u64 = 1024;
/// A change smaller than this between two readings counts as standing still.
const STILL_BYTES: u64 = 256 << 10;
/// Processes of one environment read at most.
const MAX_PROCESSES: usize = 1024;

/// The `RLIMIT_DATA` of an environment's processes, in bytes.
pub fn backstop_bytes(memory_mb: u32) -> u64 {
    (u64::from(memory_mb) + BACKSTOP_MARGIN_MB) << 20
}

/// Sets `RLIMIT_DATA` (soft and hard) of the calling process: for a child between fork and
/// exec, so only async-signal-safe calls.
pub fn set_backstop(bytes: u64) -> std::io::Result<()> {
    let limit = libc::rlimit {
        rlim_cur: bytes as libc::rlim_t,
        rlim_max: bytes as libc::rlim_t,
    };
    // SAFETY: setrlimit reads the struct it is given.
    if unsafe { libc::setrlimit(libc::RLIMIT_DATA, &limit) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

/// Watches the processes under `root` until `exit` reports the end; when their resident memory
/// passes `limit_mb`, calls `kill` once. The flag it returns says whether it did.
pub fn watch(
    root: u32,
    limit_mb: u32,
    mut exit: watch::Receiver<Option<ExitInfo>>,
    kill: impl FnOnce() + Send + 'static,
) -> Arc<AtomicBool> {
    let exceeded = Arc::new(AtomicBool::new(false));
    let flag = exceeded.clone();
    let limit = u64::from(limit_mb) << 20;
    tokio::spawn(async move {
        let mut period = ACTIVE_PERIOD;
        let mut last = 0u64;
        loop {
            tokio::select! {
                _ = tokio::time::sleep(period) => {}
                changed = exit.changed() => if changed.is_err() { return },
            }
            if exit.borrow().is_some() {
                return;
            }
            let used = resident_bytes(root);
            if used > limit {
                tracing::debug!(
                    "environment process {root}: {} MB resident, over its {limit_mb} MB: killed",
                    used >> 20
                );
                flag.store(true, Ordering::SeqCst);
                kill();
                return;
            }
            period = if used.abs_diff(last) >= STILL_BYTES {
                ACTIVE_PERIOD
            } else {
                (period * 2).min(IDLE_PERIOD)
            };
            last = used;
        }
    });
    exceeded
}

/// The resident memory of `root` and of every process under it, in bytes.
pub fn resident_bytes(root: u32) -> u64 {
    // SAFETY: sysconf has no preconditions.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) }.max(4096) as u64;
    let mut seen = HashSet::new();
    let mut stack = vec![root];
    let mut pages = 0;
    while let Some(pid) = stack.pop() {
        if !seen.insert(pid) || seen.len() > MAX_PROCESSES {
            continue;
        }
        pages += resident_pages(pid);
        stack.extend(children(pid));
    }
    pages * page
}

/// The second field of `/proc/<pid>/statm`; 0 when the process is gone.
fn resident_pages(pid: u32) -> u64 {
    let Ok(file) = std::fs::File::open(format!("/proc/{pid}/statm")) else {
        return 0;
    };
    let mut buf = [0u8; 128];
    let n = file.read_at(&mut buf, 0).unwrap_or(0);
    std::str::from_utf8(&buf[..n])
        .ok()
        .and_then(|t| t.split_whitespace().nth(1))
        .and_then(|p| p.parse().ok())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_resident_memory_of_a_tree_counts_its_children() {
        let mut shell = std::process::Command::new("sh")
            .args([
                "-c",
                "python3 -c 'import time; b = b\"x\" * (48 << 20); time.sleep(3)' & wait",
            ])
            .spawn()
            .unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        let mut used = 0;
        while used < 48 << 20 && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
            used = resident_bytes(shell.id());
        }
        let _ = shell.kill();
        let _ = shell.wait();
        assert!(used >= 48 << 20, "{} MB seen", used >> 20);
    }
}
