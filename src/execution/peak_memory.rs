//! The peak memory of a local runtime process (REPORT's `Max Memory Used` under the process
//! executor): `VmHWM` of the process and of its direct children (a bootstrap script's runtime),
//! from their `/proc` entries, read after every invocation; the highest so far is reported, as the
//! sum drops when a child exits and the kernel's reading of `VmHWM` may move back a little (its
//! resident-page counters are per-CPU and read approximately).
//!
//! `/proc/<pid>/status`, the only file that holds `VmHWM`, is costly to read: the kernel formats
//! all of it each time (signal masks, CPU lists, capabilities), which was a tenth of fauxlambda's
//! CPU time per warm invoke. A process's resident memory, and so its peak, grows only through page
//! faults, and `/proc/<pid>/stat` (less than half the cost) counts them: while the count stands
//! still, the last reading of the peak is still the peak. A process that faults on every
//! invocation is read from `status` straight away for a while.

use std::collections::HashMap;
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

/// The peak memory of a process and its direct children.
pub struct PeakMemory {
    pid: u32,
    /// `/proc/<pid>/task/<pid>/children`, kept open and read again from offset 0 (procfs
    /// regenerates it on each read), like the files of `Watched`.
    children: Option<File>,
    /// The process and its children seen at the last reading, by pid.
    watched: Mutex<HashMap<u32, Watched>>,
    /// The highest peak read so far, in kB.
    highest_kb: AtomicU64,
}

impl PeakMemory {
    pub fn new(pid: u32) -> PeakMemory {
        let watched = Watched::open(pid)
            .map(|w| HashMap::from([(pid, w)]))
            .unwrap_or_default();
        let children = File::open(format!("/proc/{pid}/task/{pid}/children")).ok();
        PeakMemory {
            pid,
            children,
            watched: Mutex::new(watched),
            highest_kb: AtomicU64::new(0),
        }
    }

    /// The peak resident memory so far in MB (rounded up): the highest sum of the process's and
    /// its children's peaks read so far (0 when they were gone before the first reading).
    pub fn mb(&self) -> u64 {
        let children = self
            .children
            .as_ref()
            .map(|f| pids(&pread_whole(f)))
            .unwrap_or_default();
        let mut watched = self.lock();
        // Children that have gone are forgotten (their pid may be reused).
        watched.retain(|pid, _| *pid == self.pid || children.contains(pid));
        let mut kb = 0;
        for pid in std::iter::once(self.pid).chain(children) {
            kb += match watched.get_mut(&pid).and_then(Watched::hwm_kb) {
                Some(k) => k,
                // The process itself is gone (its pid may already be another process's).
                None if pid == self.pid => 0,
                // A child not watched yet, or whose files belong to an earlier process of its pid.
                None => Watched::open(pid)
                    .map(|mut w| {
                        let k = w.hwm_kb().unwrap_or(0);
                        watched.insert(pid, w);
                        k
                    })
                    .unwrap_or(0),
            };
        }
        let highest = self.highest_kb.fetch_max(kb, Ordering::Relaxed).max(kb);
        highest.div_ceil(1024)
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<u32, Watched>> {
        self.watched.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Readings in a row that found new faults before a process's fault count is left aside.
const FAULTING_STREAK: u32 = 4;
/// Readings then taken from `status` alone, before the count is tried again.
const DIRECT_READINGS: u32 = 64;

/// One process's `stat` and `status` files, and its last reading.
struct Watched {
    stat: File,
    status: File,
    /// Its page faults (minor and major, of all its threads) when `hwm_kb` was read; `None`
    /// when the next reading is to take the count afresh.
    faults: Option<u64>,
    hwm_kb: u64,
    /// Readings in a row whose fault count had moved.
    streak: u32,
    /// Readings left that go to `status` straight away: for a process that faults on every
    /// invocation (a Python runtime starting a thread per event), the count only adds a read.
    direct: u32,
}

impl Watched {
    fn open(pid: u32) -> Option<Watched> {
        Some(Watched {
            stat: File::open(format!("/proc/{pid}/stat")).ok()?,
            status: File::open(format!("/proc/{pid}/status")).ok()?,
            faults: None,
            hwm_kb: 0,
            streak: 0,
            direct: 0,
        })
    }

    /// `VmHWM` in kB; `status` is read again only when the process has faulted since the last
    /// reading (or while it faults on every one). `None` once the process is gone.
    fn hwm_kb(&mut self) -> Option<u64> {
        if self.direct > 0 {
            self.direct -= 1;
            self.faults = None;
            self.hwm_kb = status_hwm_kb(&self.status)?;
            return Some(self.hwm_kb);
        }
        let mut buf = [0u8; 2048];
        let faults = stat_faults(pread_start(&self.stat, &mut buf))?;
        if self.faults == Some(faults) {
            self.streak = 0;
            return Some(self.hwm_kb);
        }
        // `stat` was read first: a fault after it is either in this reading of the peak or
        // makes the next count differ.
        self.hwm_kb = status_hwm_kb(&self.status)?;
        if self.faults.replace(faults).is_some() {
            self.streak += 1;
            if self.streak >= FAULTING_STREAK {
                self.streak = 0;
                self.direct = DIRECT_READINGS;
            }
        }
        Some(self.hwm_kb)
    }
}

/// Minor plus major page faults of a `/proc/<pid>/stat` text (fields 10 and 12, counted after
/// the command name, which is in parentheses and may itself hold spaces and parentheses).
fn stat_faults(stat: &[u8]) -> Option<u64> {
    let after_name = &stat[stat.iter().rposition(|b| *b == b')')? + 1..];
    let mut fields = after_name.split(|b| b.is_ascii_whitespace()).filter(|f| !f.is_empty());
    // state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt
    let minflt = number(fields.nth(7)?)?;
    let majflt = number(fields.nth(1)?)?;
    Some(minflt + majflt)
}

fn number(digits: &[u8]) -> Option<u64> {
    std::str::from_utf8(digits).ok()?.parse().ok()
}

/// The pids of a `children` file.
fn pids(text: &[u8]) -> Vec<u32> {
    text.split(|b| b.is_ascii_whitespace())
        .filter_map(number)
        .filter_map(|p| u32::try_from(p).ok())
        .collect()
}

/// Reads the start of a procfs file into `buf` (one `pread`): all of it when it fits.
fn pread_start<'b>(file: &File, buf: &'b mut [u8]) -> &'b [u8] {
    let n = file.read_at(buf, 0).unwrap_or(0);
    &buf[..n]
}

/// All of a procfs file, from its start.
fn pread_whole(file: &File) -> Vec<u8> {
    let (mut out, mut chunk) = (Vec::new(), [0u8; 256]);
    while let Ok(k @ 1..) = file.read_at(&mut chunk, out.len() as u64) {
        out.extend_from_slice(&chunk[..k]);
    }
    out
}

/// `VmHWM` of a `/proc/<pid>/status` text, in kB, if the text holds its whole line.
fn vm_hwm_kb(status: &[u8]) -> Option<u64> {
    // Only lines ending within the text: a read cut short may end in the middle of one.
    let complete = &status[..status.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1)];
    let line = complete
        .split(|b| *b == b'\n')
        .find_map(|l| l.strip_prefix(b"VmHWM:"))?;
    Some(
        line.iter()
            .filter(|b| b.is_ascii_digit())
            .fold(0u64, |kb, d| kb * 10 + u64::from(d - b'0')),
    )
}

/// `VmHWM` of a process's status file, in kB; `None` when the process is gone.
fn status_hwm_kb(file: &File) -> Option<u64> {
    // The line comes early (after the ids and groups): the first kilobyte holds it unless the
    // process has a great many supplementary groups.
    let mut start = [0u8; 1024];
    let text = pread_start(file, &mut start);
    if text.is_empty() {
        return None;
    }
    vm_hwm_kb(text).or_else(|| {
        let mut all = vec![0u8; 64 * 1024];
        vm_hwm_kb(pread_start(file, &mut all))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vm_hwm_is_read_from_a_status_text() {
        let status =
            b"Name:\tpython\nVmPeak:\t  30000 kB\nVmSize:\t  28000 kB\nVmHWM:\t   12345 kB\nVmRSS:\t   12000 kB\n";
        assert_eq!(vm_hwm_kb(status), Some(12345));
        // Cut before the line or within it (a status text longer than the first read): not
        // found, so the caller reads the whole file.
        assert_eq!(vm_hwm_kb(&status[..40]), None);
        let within = status.windows(9).position(|w| w == b"   12345 ").unwrap() + 6;
        assert_eq!(vm_hwm_kb(&status[..within]), None);
    }

    #[test]
    fn faults_are_counted_after_a_command_name_with_spaces_and_parentheses() {
        let stat = b"4242 (my (odd) name) S 1 4242 4242 0 -1 4194560 1500 7 25 3 120 40 0 0 20 0 1 0 100 2000000 500 18446744073709551615";
        assert_eq!(stat_faults(stat), Some(1525));
        assert_eq!(stat_faults(b"4242 (cut) S 1 4242"), None);
        assert_eq!(stat_faults(b""), None);
    }

    #[test]
    fn the_peak_of_this_process_follows_its_growth() {
        let status_kb = |field: &str| -> u64 {
            let text = std::fs::read_to_string("/proc/self/status").unwrap();
            text.lines()
                .find_map(|l| l.strip_prefix(field))
                .unwrap()
                .trim()
                .trim_end_matches(" kB")
                .parse()
                .unwrap()
        };
        let peak = PeakMemory::new(std::process::id());
        let before = peak.mb();
        // The peak only grows: read again after the first reading, it is at least that.
        let hwm_kb = status_kb("VmHWM:");
        assert!(
            before > 0 && before <= hwm_kb.div_ceil(1024),
            "{before} MB read, {hwm_kb} kB after"
        );
        // 96 MB more, every page touched: the faults make the next reading look again, and the
        // peak is now at least what is resident (whatever peak other tests left before).
        let resident_kb = status_kb("VmRSS:");
        let grown = std::hint::black_box(vec![1u8; 96 << 20]);
        let after = peak.mb();
        assert!(
            after * 1024 >= resident_kb + 90 * 1024,
            "{after} MB after touching 96 MB more, {resident_kb} kB resident before"
        );
        drop(grown);
        assert!(peak.mb() >= after, "the peak does not shrink");
    }

    #[test]
    fn the_peak_stays_at_its_highest_when_a_child_exits() {
        // A shell whose child holds 64 MB for a moment, then exits: the shell's peak alone is far
        // below what was read while the child ran.
        let mut shell = std::process::Command::new("sh")
            .args([
                "-c",
                "python3 -c 'import time; b = bytearray(64 << 20); time.sleep(1.5)'; sleep 1",
            ])
            .spawn()
            .unwrap();
        let peak = PeakMemory::new(shell.id());
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        let mut with_child = 0;
        while with_child < 64 && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(50));
            with_child = peak.mb();
        }
        assert!(with_child >= 64, "the child's 64 MB were not seen: {with_child} MB");
        std::thread::sleep(std::time::Duration::from_millis(1800));
        assert!(peak.mb() >= with_child, "the peak fell after the child exited");
        shell.wait().unwrap();
    }

    #[test]
    fn a_process_that_faults_on_every_reading_is_read_straight_from_its_status() {
        let mut w = Watched::open(std::process::id()).unwrap();
        // A megabyte touched before each reading: new faults every time (small, so that the
        // peak the other tests look for is not this test's).
        let mut touched = Vec::new();
        let mut last = w.hwm_kb().unwrap();
        for _ in 0..FAULTING_STREAK {
            touched.push(std::hint::black_box(vec![1u8; 1 << 20]));
            let now = w.hwm_kb().unwrap();
            assert!(now >= last, "the peak does not shrink: {last} kB, then {now} kB");
            last = now;
        }
        assert_eq!(w.direct, DIRECT_READINGS);
        touched.push(std::hint::black_box(vec![1u8; 1 << 20]));
        let now = w.hwm_kb().unwrap();
        let text = std::fs::read_to_string("/proc/self/status").unwrap();
        let after: u64 = text
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .unwrap()
            .trim()
            .trim_end_matches(" kB")
            .parse()
            .unwrap();
        assert!(
            last <= now && now <= after,
            "read straight from status: {now} kB, between {last} and {after}"
        );
        assert_eq!(w.direct, DIRECT_READINGS - 1);
    }

    #[test]
    fn a_process_that_is_gone_counts_nothing() {
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        let peak = PeakMemory::new(pid);
        child.wait().unwrap();
        assert_eq!(peak.mb(), 0);
    }
}
