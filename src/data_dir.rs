//! The data directory: where packages (`packages/`), unpacked code (`exec/`) and, when it was
//! given (`--data-dir`), the state database (`state.sqlite`) live. A given directory is kept and
//! held by one fauxlambda at a time (an exclusive lock on `fauxlambda.pid`, which holds the
//! holder's pid); without one, a temporary directory lives as long as the server.

use std::io::{Read, Seek, Write};
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};

pub const LOCK_FILE: &str = "fauxlambda.pid";

pub struct DataDir {
    path: PathBuf,
    /// Whether the state is kept here across restarts (`--data-dir` given).
    pub persistent: bool,
    _temporary: Option<tempfile::TempDir>,
    /// Held open, and so locked, until exit.
    _lock: Option<std::fs::File>,
}

impl DataDir {
    /// The directory given, created if needed and locked, or a new temporary one.
    pub fn open(given: Option<&Path>) -> Result<DataDir, String> {
        let Some(dir) = given else {
            let t = tempfile::Builder::new()
                .prefix("fauxlambda-")
                .tempdir()
                .map_err(|e| format!("creating a data directory: {e}"))?;
            return Ok(DataDir {
                path: t.path().to_path_buf(),
                persistent: false,
                _temporary: Some(t),
                _lock: None,
            });
        };
        std::fs::create_dir_all(dir).map_err(|e| format!("creating the data directory {}: {e}", dir.display()))?;
        let lock = lock(dir)?;
        // What was unpacked for the environments of an earlier run is rebuilt on demand.
        let exec = dir.join("exec");
        if exec.exists() {
            std::fs::remove_dir_all(&exec).map_err(|e| format!("clearing {}: {e}", exec.display()))?;
        }
        Ok(DataDir {
            path: dir.to_path_buf(),
            persistent: true,
            _temporary: None,
            _lock: Some(lock),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Takes the directory's lock and writes our pid in it, or names the pid of the fauxlambda that
/// holds it.
fn lock(dir: &Path) -> Result<std::fs::File, String> {
    let path = dir.join(LOCK_FILE);
    let mut f = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(|e| format!("opening {}: {e}", path.display()))?;
    // SAFETY: flock on a descriptor we own; it does not touch memory.
    let taken = unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0;
    if !taken {
        let mut holder = String::new();
        let _ = f.read_to_string(&mut holder);
        let holder = holder.trim();
        let who = if holder.is_empty() {
            "another fauxlambda".to_string()
        } else {
            format!("another fauxlambda (pid {holder})")
        };
        return Err(format!(
            "the data directory {} is in use by {who}; stop it, or give this one another --data-dir",
            dir.display()
        ));
    }
    f.set_len(0)
        .and_then(|()| f.rewind())
        .and_then(|()| writeln!(f, "{}", std::process::id()))
        .and_then(|()| f.sync_all())
        .map_err(|e| format!("writing {}: {e}", path.display()))?;
    Ok(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_is_refused_with_the_first_ones_pid() {
        let dir = tempfile::tempdir().unwrap();
        let first = DataDir::open(Some(dir.path())).unwrap();
        assert!(first.persistent);
        let e = DataDir::open(Some(dir.path())).err().unwrap();
        assert!(e.contains(&format!("pid {}", std::process::id())), "{e}");
        drop(first);
        DataDir::open(Some(dir.path())).unwrap();
    }
}
