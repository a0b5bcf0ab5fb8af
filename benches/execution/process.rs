//! The processes the benchmark starts (fauxlambda, the references, the runtimes under the floor):
//! each in a process group of its own, stopped with its signal and then killed when dropped; and
//! the CPU time a process, or its descendants, have used.

use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A process group we started: stopped with `signal`, then killed, when dropped.
pub struct Proc {
    child: Child,
    signal: &'static str,
}

impl Proc {
    pub fn spawn(mut cmd: Command, signal: &'static str) -> std::io::Result<Proc> {
        cmd.process_group(0).stdin(Stdio::null());
        Ok(Proc {
            child: cmd.spawn()?,
            signal,
        })
    }
    pub fn exited(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(Some(_)))
    }
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

/// CPU time (user and system, all its threads, its children not counted) of a process so far, or
/// why it cannot be read.
pub fn cpu_time(pid: u32) -> Result<Duration, String> {
    stat_cpu_time(pid).ok_or_else(|| format!("CPU time of process {pid} unreadable"))
}

fn stat_cpu_time(pid: u32) -> Option<Duration> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // After the command name, which is in parentheses and may hold anything: state is field 3,
    // utime and stime fields 14 and 15.
    let rest = &text[text.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    // SAFETY: sysconf only reads a configuration value.
    let per_s = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as f64;
    Some(Duration::from_secs_f64(ticks as f64 / per_s))
}

/// CPU time of the processes below `pid` (its children, theirs, ...; each counted as `cpu_time`
/// does) so far: the runtimes of an emulator that starts them as child processes. An error when
/// it has none.
pub fn descendants_cpu_time(pid: u32) -> Result<Duration, String> {
    let (mut pending, mut total, mut found) = (children(pid), Duration::ZERO, false);
    while let Some(child) = pending.pop() {
        found = true;
        total += cpu_time(child).unwrap_or_default();
        pending.extend(children(child));
    }
    if found {
        Ok(total)
    } else {
        Err("no child processes".into())
    }
}

/// The child processes of `pid`, whichever of its threads started them.
fn children(pid: u32) -> Vec<u32> {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return Vec::new();
    };
    tasks
        .flatten()
        .filter_map(|t| std::fs::read_to_string(t.path().join("children")).ok())
        .flat_map(|list| {
            list.split_whitespace()
                .filter_map(|p| p.parse().ok())
                .collect::<Vec<u32>>()
        })
        .collect()
}

impl Drop for Proc {
    fn drop(&mut self) {
        let pid = self.child.id();
        // fauxlambda stops its environments on SIGINT; the references on SIGTERM.
        let _ = Command::new("kill")
            .arg(format!("-{}", self.signal))
            .arg(pid.to_string())
            .stderr(Stdio::null())
            .status();
        let deadline = Instant::now() + Duration::from_secs(3);
        while Instant::now() < deadline && !self.exited() {
            std::thread::sleep(Duration::from_millis(10));
        }
        // Whatever is left of the group (a runtime, `cargo run`'s child) goes too.
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{pid}")])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
