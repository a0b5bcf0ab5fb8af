//! The bubblewrap (`bwrap`) sandbox of a process environment: whether a working `bwrap` is there
//! (found on PATH and tried once at start-up: it needs user namespaces or privileges), and the
//! command line that wraps a runtime in it. Inside, the host's file system is read-only, `/tmp` is
//! a tmpfs of the environment's own sized from `EphemeralStorage`, the code, the layers and the
//! runtime clients are bound read-only at their host paths, and the environment has a pid
//! namespace of its own with its own `/proc`: other environments' processes are invisible, and
//! when the namespace's first process (bwrap's) ends, every process in it is killed, `setsid` or
//! not. The network is the host's, so the runtime reaches its Runtime API on loopback and the
//! Runtime API can tell its processes' sockets (`runtime_peers.rs`).
//!
//! Under bwrap the process tree is `bwrap` (the host side, the process group fauxlambda signals)
//! → `bwrap` (pid 1 inside, the reaper) → the runtime. A launcher shell starts the external
//! extensions inside the same sandbox, so that they share `/tmp` and the pid namespace with the
//! runtime as on AWS, and reports each one's exit on a pipe.

use super::interpreters::find_program;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A `bwrap` that works here.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bubblewrap {
    pub program: PathBuf,
}

/// Why environments run without bubblewrap (said once at start-up).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unavailable {
    /// Turned off (`--no-bwrap`).
    Disabled,
    /// No `bwrap` on PATH.
    NotFound,
    /// There, but a trial sandbox failed (no user namespaces, say): what it said.
    Broken { program: PathBuf, error: String },
}

impl std::fmt::Display for Unavailable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unavailable::Disabled => write!(f, "bubblewrap is turned off (--no-bwrap)"),
            Unavailable::NotFound => write!(f, "bubblewrap (bwrap) is not on PATH"),
            Unavailable::Broken { program, error } => {
                write!(f, "{} cannot make a sandbox here ({error})", program.display())
            }
        }
    }
}

impl Bubblewrap {
    /// The `bwrap` on PATH, when a trial sandbox of the kind environments get starts and exits
    /// cleanly.
    pub fn detect() -> Result<Bubblewrap, Unavailable> {
        let program = find_program("bwrap").ok_or(Unavailable::NotFound)?;
        let bwrap = Bubblewrap { program };
        let mut trial = Command::new(&bwrap.program);
        trial
            .args(bwrap.isolation(64))
            .args(["--", "true"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        match trial.output() {
            Ok(out) if out.status.success() => Ok(bwrap),
            Ok(out) => Err(Unavailable::Broken {
                program: bwrap.program,
                error: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
            }),
            Err(e) => Err(Unavailable::Broken {
                program: bwrap.program,
                error: e.to_string(),
            }),
        }
    }

    /// The options every sandbox gets: the host read-only, fresh `/dev` and `/proc`, a pid
    /// namespace, a private `/tmp` of `tmp_mb`, and death with fauxlambda.
    fn isolation(&self, tmp_mb: u32) -> Vec<String> {
        let mut args: Vec<String> = [
            "--ro-bind",
            "/",
            "/",
            "--dev",
            "/dev",
            "--proc",
            "/proc",
            "--unshare-pid",
            "--unshare-ipc",
            "--die-with-parent",
            "--size",
        ]
        .map(str::to_owned)
        .into();
        args.push((u64::from(tmp_mb) << 20).to_string());
        args.extend(["--tmpfs".to_owned(), "/tmp".to_owned()]);
        args
    }

    /// The command line running `argv` in a sandbox: `tmp_mb` of `/tmp`, `hidden` directories
    /// covered by an empty tmpfs, then `read_only` bound at their paths (they may be under the
    /// host's `/tmp`, or under a hidden directory), in `cwd`.
    pub fn wrap(&self, tmp_mb: u32, hidden: &[&Path], read_only: &[&Path], cwd: &Path, argv: &[String]) -> Vec<String> {
        let s = |p: &Path| p.to_string_lossy().into_owned();
        let mut args = vec![s(&self.program)];
        args.extend(self.isolation(tmp_mb));
        for path in hidden
            .iter()
            .filter(|p| p.is_absolute() && p.is_dir() && !p.starts_with("/tmp"))
        {
            args.extend(["--tmpfs".to_owned(), s(path)]);
        }
        for path in read_only {
            args.extend(["--ro-bind-try".to_owned(), s(path), s(path)]);
        }
        args.extend(["--chdir".to_owned(), s(cwd), "--".to_owned()]);
        args.extend(argv.iter().cloned());
        args
    }
}

/// The launcher of a sandbox with external extensions: a shell that starts each extension (its
/// environment without the `unset` variables) and reports `<exit status> <name>` on descriptor 3
/// when it ends, then becomes the runtime. Its arguments: the number of extensions, their paths,
/// the runtime's command line.
pub fn launcher(unset: &[&str], extensions: &[PathBuf], runtime: &[String]) -> Vec<String> {
    let unset: Vec<&str> = unset
        .iter()
        .copied()
        .filter(|k| !k.is_empty() && k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
        .collect();
    let clear = if unset.is_empty() {
        String::new()
    } else {
        format!("unset {}; ", unset.join(" "))
    };
    let script = format!(
        "n=$1; shift\n\
         while [ \"$n\" -gt 0 ]; do\n\
         \x20 ext=$1; shift; n=$((n - 1))\n\
         \x20 ( {clear}\"$ext\"; echo \"$? ${{ext##*/}}\" >&3 ) &\n\
         done\n\
         exec 3>&-\n\
         exec \"$@\"\n"
    );
    let mut argv = vec![
        "/bin/sh".to_owned(),
        "-c".to_owned(),
        script,
        "fauxlambda-launcher".to_owned(),
        extensions.len().to_string(),
    ];
    argv.extend(extensions.iter().map(|p| p.to_string_lossy().into_owned()));
    argv.extend(runtime.iter().cloned());
    argv
}

/// The prefix of an interpreter (`/x/venv` for `/x/venv/bin/python`): what the sandbox must show
/// when the interpreter lives under `/tmp`.
pub fn interpreter_prefix(executable_dir: &Path) -> PathBuf {
    executable_dir
        .parent()
        .filter(|p| *p != Path::new("/"))
        .unwrap_or(executable_dir)
        .to_path_buf()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_launcher_starts_extensions_reports_their_exits_and_becomes_the_runtime() {
        let dir = tempfile::tempdir().unwrap();
        let ext = dir.path().join("ext");
        std::fs::write(&ext, "#!/bin/sh\necho \"ext sees [$_HANDLER]\"\nexit 3\n").unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&ext, std::fs::Permissions::from_mode(0o755)).unwrap();
        let argv = launcher(
            &["_HANDLER", "bad name; rm"],
            std::slice::from_ref(&ext),
            &[
                "/bin/sh".into(),
                "-c".into(),
                "sleep 0.2; echo \"runtime sees [$_HANDLER]\"".into(),
            ],
        );
        let script = format!("exec 3>{}; exec \"$@\"", dir.path().join("exits").to_string_lossy());
        let out = Command::new("/bin/sh")
            .args(["-c", &script, "sh"])
            .args(&argv)
            .env("_HANDLER", "app.handler")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.contains("ext sees []"), "{stdout}");
        assert!(stdout.contains("runtime sees [app.handler]"), "{stdout}");
        let exits = std::fs::read_to_string(dir.path().join("exits")).unwrap();
        assert_eq!(exits, "3 ext\n");
    }
}
