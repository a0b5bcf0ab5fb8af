//! The process executor: runs one execution environment as a local process — the function's code
//! unpacked once per code hash, its layers unpacked in order into an `opt` directory, a `tmp` of
//! its own, the environment AWS gives a function (lambda-semantics §3, paths mapped to these
//! directories), and the runtime client of its runtime (the official one when available, else
//! ours from `runtime_clients/`). Starting and stopping only: everything Lambda-specific is the pool's.

use super::bubblewrap::{interpreter_prefix, launcher, Bubblewrap};
use super::executor::StartError;
use super::function_env;
use super::interpreters::{find_program, Interpreters, Language};
use super::logs::LogSink;
use super::memory_limit;
use super::peak_memory::PeakMemory;
use super::runtime_api::RuntimeApiHandle;
use super::runtime_peers::{children, Peers};
use super::sandbox::{signal_name, BoxFuture, ExitInfo, Sandbox, SandboxControl};
use super::spec::FunctionSpec;
use super::unpacked::{Unpacked, Unpacker};
use std::collections::BTreeMap;
use std::os::fd::{AsRawFd, RawFd};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::sync::watch;

/// Our Python runtime client (used when the interpreter cannot import `awslambdaric`).
pub const BOOTSTRAP_PY: &str = include_str!("runtime_clients/bootstrap.py");
/// Our Node.js runtime client.
pub const BOOTSTRAP_MJS: &str = include_str!("runtime_clients/bootstrap.mjs");

/// How the executor runs environments.
#[derive(Clone, Debug)]
pub struct ExecutorConfig {
    /// Code, layer and environment directories live under `<data_dir>/exec`.
    pub data_dir: PathBuf,
    /// `RUNTIME=COMMAND`: the interpreter for a runtime id (`python3.12`) or a family (`python`,
    /// `nodejs`). Defaults: `python3` and `node` on the host's PATH.
    pub runtime_commands: BTreeMap<String, String>,
    /// Use our own runtime clients even when the official ones are available.
    pub force_own_clients: bool,
    /// The official Node.js runtime interface client (`aws-lambda-ric` package directory, with
    /// `bin/index.mjs` and its prebuilt `dist/rapid-client.node`). Without it, an `aws-lambda-ric`
    /// command on PATH (as `npm install -g aws-lambda-ric` links it) is used when there is one.
    pub node_ric: Option<PathBuf>,
    /// Platform variables added to every function's environment (e.g. `AWS_ENDPOINT_URL`).
    pub extra_env: BTreeMap<String, String>,
    /// Run each environment in this bubblewrap sandbox (`None`: as a plain process).
    pub bubblewrap: Option<Bubblewrap>,
}

impl ExecutorConfig {
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        ExecutorConfig {
            data_dir: data_dir.into(),
            runtime_commands: BTreeMap::new(),
            force_own_clients: false,
            node_ric: None,
            extra_env: BTreeMap::new(),
            bubblewrap: None,
        }
    }
}

/// Starts environments as local processes.
pub struct ProcessExecutor {
    config: ExecutorConfig,
    root: PathBuf,
    interpreters: Interpreters,
    /// The official Node.js client's script, looked for once.
    node_ric_script: OnceLock<Option<PathBuf>>,
    unpacker: Unpacker,
}

impl ProcessExecutor {
    pub fn new(config: ExecutorConfig) -> Arc<Self> {
        let root = config.data_dir.join("exec");
        Arc::new(ProcessExecutor {
            unpacker: Unpacker::new(root.clone()),
            interpreters: Interpreters::new(config.runtime_commands.clone()),
            config,
            root,
            node_ric_script: OnceLock::new(),
        })
    }

    pub fn config(&self) -> &ExecutorConfig {
        &self.config
    }

    /// Where code and layers are unpacked.
    pub fn unpacker(&self) -> &Unpacker {
        &self.unpacker
    }

    /// Whether this host can run `runtime` as a local process: `provided.*` always (the bootstrap
    /// is in the code), Python and Node.js when an interpreter for them is on PATH.
    pub fn can_run(&self, runtime: &str) -> bool {
        runtime.starts_with("provided") || self.interpreters.available(runtime)
    }

    /// Starts the runtime of `spec` against `api` (its `AWS_LAMBDA_RUNTIME_API`): in a bubblewrap
    /// sandbox when there is one, under the memory limit either way.
    pub async fn start(
        &self,
        spec: &FunctionSpec,
        unpacked: &Unpacked,
        api: &RuntimeApiHandle,
    ) -> Result<Sandbox, StartError> {
        let runtime_dir = self.prepare(spec).await?;
        let (task, opt) = (unpacked.task.clone(), unpacked.opt.clone());
        let id = uuid::Uuid::new_v4().simple().to_string();
        let env_dir = self.root.join("environments").join(&id);
        let bwrap = self.config.bubblewrap.as_ref();
        // In a sandbox `/tmp` is its own; else a directory of the environment's is `TMPDIR`.
        let tmp = match bwrap {
            Some(_) => PathBuf::from("/tmp"),
            None => {
                let tmp = env_dir.join("tmp");
                std::fs::create_dir_all(&tmp)
                    .map_err(|e| StartError::sandbox(format!("creating {}: {e}", tmp.display())))?;
                tmp
            }
        };

        let (argv, interpreter_dir) = self.command(spec, &task, &opt, &runtime_dir).await?;
        let vars = environment(
            spec,
            &Paths {
                task: &task,
                opt: &opt,
                runtime: &runtime_dir,
                tmp: &tmp,
                interpreter_dir: interpreter_dir.as_deref(),
            },
            &api.runtime_api_address(),
            &id,
            &self.config.extra_env,
        );

        // One pipe takes the stdout and stderr of the runtime and of its extensions, in the order
        // they write (as the environment's one log stream does), and a sync reads one descriptor.
        let (output, output_writer) =
            std::io::pipe().map_err(|e| StartError::sandbox(format!("creating the output pipe: {e}")))?;
        let logs = LogSink::new();
        logs.attach(output.into())
            .map_err(|e| StartError::sandbox(format!("reading the output pipe: {e}")))?;
        let backstop = memory_limit::backstop_bytes(spec.memory_mb);
        let extensions = &unpacked.extensions;
        // The runtime (or bwrap) leads a process group of its own.
        let (child, pid, roots) = match bwrap {
            Some(b) => {
                let sandboxed = SandboxedCommand {
                    bwrap: b,
                    spec,
                    argv: &argv,
                    task: &task,
                    opt: &opt,
                    runtime_dir: &runtime_dir,
                    interpreter_dir: interpreter_dir.as_deref(),
                };
                let child = self.spawn_sandboxed(&sandboxed, &vars, &output_writer, extensions, api)?;
                let pid = child.id().unwrap_or(0);
                // Everything in the sandbox descends from bwrap.
                (child, pid, vec![pid])
            }
            None => {
                let mut cmd = command(&argv[0], &vars, &task, 0, &output_writer)?;
                cmd.args(&argv[1..]).kill_on_drop(true);
                with_backstop(&mut cmd, backstop, None);
                let child = cmd
                    .spawn()
                    .map_err(|e| StartError::entrypoint(format!("Couldn't start {}: {e}", argv[0])))?;
                let pid = child.id().unwrap_or(0);
                let roots = self.spawn_extensions(pid, &vars, &task, &opt, &output_writer, extensions, api)?;
                (child, pid, roots)
            }
        };
        let (exit_tx, exit_rx) = watch::channel(None);
        let out_of_memory = memory_limit::watch(pid, spec.memory_mb, exit_rx.clone(), move || {
            kill_group(pid, libc::SIGKILL)
        });
        let sandboxed = bwrap.is_some();
        let mut child = child;
        tokio::spawn(async move {
            let mut status = match child.wait().await {
                Ok(s) => describe_exit(s, sandboxed),
                Err(e) => ExitInfo {
                    code: None,
                    description: Some(format!("wait failed: {e}")),
                    out_of_memory: false,
                },
            };
            status.out_of_memory = out_of_memory.load(std::sync::atomic::Ordering::SeqCst);
            let _ = exit_tx.send(Some(status));
        });
        tracing::debug!(
            "environment {id} of {}:{} started: pid {pid}{}, {:?}",
            spec.function_name,
            spec.version,
            if sandboxed { " (bwrap)" } else { "" },
            argv
        );
        let peak = OnceLock::new();
        if !sandboxed {
            let _ = peak.set(PeakMemory::new(pid));
        }
        let control = ProcessControl {
            pid,
            sandboxed,
            dir: env_dir,
            exit: exit_rx.clone(),
            peak,
        };
        Ok(Sandbox::new(
            id,
            pid,
            None,
            Peers::ProcessTree(roots),
            logs,
            exit_rx,
            Box::new(control),
        ))
    }

    /// Starts bwrap around the runtime and, through the launcher, its extensions; each
    /// extension's exit is reported to `api` from the launcher's pipe.
    fn spawn_sandboxed(
        &self,
        s: &SandboxedCommand<'_>,
        vars: &BTreeMap<String, String>,
        output: &std::io::PipeWriter,
        extensions: &[String],
        api: &RuntimeApiHandle,
    ) -> Result<tokio::process::Child, StartError> {
        let under_tmp = |p: &Path| p.starts_with("/tmp");
        let mut read_only: Vec<PathBuf> = vec![s.task.to_path_buf(), s.opt.to_path_buf(), s.runtime_dir.to_path_buf()];
        if let Some(dir) = s.interpreter_dir.filter(|d| under_tmp(d)) {
            read_only.push(interpreter_prefix(dir));
        }
        if let Some(package) = self
            .node_ric_script()
            .and_then(|p| p.parent()?.parent())
            .filter(|p| under_tmp(p))
        {
            read_only.push(package.to_path_buf());
        }
        let read_only: Vec<&Path> = read_only.iter().map(PathBuf::as_path).collect();
        let inner = if extensions.is_empty() {
            s.argv.to_vec()
        } else {
            let unset: Vec<&str> = vars.keys().filter(|k| k.starts_with('_')).map(String::as_str).collect();
            let programs: Vec<PathBuf> = extensions.iter().map(|n| s.opt.join("extensions").join(n)).collect();
            launcher(&unset, &programs, s.argv)
        };
        // The data directory (other functions' code, the stored state) is hidden, not shown.
        let hidden = [self.config.data_dir.as_path()];
        let full = s
            .bwrap
            .wrap(s.spec.ephemeral_storage_mb, &hidden, &read_only, s.task, &inner);
        let exits = if extensions.is_empty() {
            None
        } else {
            Some(std::io::pipe().map_err(|e| StartError::sandbox(format!("creating the extensions' pipe: {e}")))?)
        };
        let mut cmd = command(&full[0], vars, s.task, 0, output)?;
        cmd.args(&full[1..]).kill_on_drop(true);
        with_backstop(
            &mut cmd,
            memory_limit::backstop_bytes(s.spec.memory_mb),
            exits.as_ref().map(|(_, w)| w.as_raw_fd()),
        );
        let child = cmd
            .spawn()
            .map_err(|e| StartError::sandbox(format!("Couldn't start {}: {e}", full[0])))?;
        if let Some((reader, writer)) = exits {
            drop(writer);
            let api = api.clone();
            tokio::task::spawn_blocking(move || {
                use std::io::BufRead;
                for line in std::io::BufReader::new(reader).lines().map_while(Result::ok) {
                    let Some((code, name)) = line.split_once(' ') else {
                        continue;
                    };
                    let status = ExitInfo::from_code(code.parse().unwrap_or(0))
                        .description
                        .unwrap_or_else(|| "exit status 0".into());
                    api.extension_exited(name, &status);
                }
            });
        }
        Ok(child)
    }

    /// Starts the external extensions of the layers in the runtime's process group (so they stop
    /// with it), their output in the same log; answers the roots of the processes its Runtime
    /// API serves: the runtime's tree and each extension's.
    #[allow(clippy::too_many_arguments)]
    fn spawn_extensions(
        &self,
        pid: u32,
        vars: &BTreeMap<String, String>,
        task: &Path,
        opt: &Path,
        output: &std::io::PipeWriter,
        extensions: &[String],
        api: &RuntimeApiHandle,
    ) -> Result<Vec<u32>, StartError> {
        let mut roots = vec![pid];
        if extensions.is_empty() {
            return Ok(roots);
        }
        let ext_vars = function_env::for_extension(vars);
        for name in extensions {
            let program = opt.join("extensions").join(name);
            match command(&program, &ext_vars, task, pid as i32, output)?.spawn() {
                Ok(mut ext) => {
                    roots.extend(ext.id());
                    // Reaped in the background; the group is killed with the runtime. An exit
                    // during init fails the init at once.
                    let (api, name) = (api.clone(), name.clone());
                    tokio::spawn(async move {
                        let status = match ext.wait().await {
                            Ok(s) => describe_exit(s, false)
                                .description
                                .unwrap_or_else(|| "exit status 0".into()),
                            Err(e) => format!("wait failed: {e}"),
                        };
                        api.extension_exited(&name, &status);
                    });
                }
                Err(e) => {
                    kill_group(pid, libc::SIGKILL);
                    return Err(StartError {
                        error_type: "Extension.LaunchError".into(),
                        message: format!("Couldn't start extension {name}: {e}"),
                    });
                }
            }
        }
        tracing::debug!("started extensions {extensions:?} beside process {pid}");
        Ok(roots)
    }

    /// The runtime-client directory (our clients written there).
    async fn prepare(&self, spec: &FunctionSpec) -> Result<PathBuf, StartError> {
        if spec.image.is_some() {
            return Err(StartError::sandbox("Container image functions need the Docker executor (start fauxlambda with --executor docker or auto, with a Docker engine running)"));
        }
        let runtime_dir = self.root.join("runtime");
        tokio::task::spawn_blocking(move || -> std::io::Result<PathBuf> {
            write_if_changed(&runtime_dir.join("bootstrap.py"), BOOTSTRAP_PY)?;
            write_if_changed(&runtime_dir.join("bootstrap.mjs"), BOOTSTRAP_MJS)?;
            Ok(runtime_dir)
        })
        .await
        .map_err(|e| StartError::sandbox(format!("writing the runtime clients failed: {e}")))?
        .map_err(|e| StartError::sandbox(format!("writing the runtime clients failed: {e}")))
    }

    /// The command line of the runtime, and the interpreter's directory (first on PATH).
    async fn command(
        &self,
        spec: &FunctionSpec,
        task: &Path,
        opt: &Path,
        runtime_dir: &Path,
    ) -> Result<(Vec<String>, Option<PathBuf>), StartError> {
        let rt = spec.runtime.as_str();
        let s = |p: &Path| p.to_string_lossy().into_owned();
        if rt.starts_with("provided") {
            for candidate in [task.join("bootstrap"), opt.join("bootstrap")] {
                if candidate.is_file() {
                    return Ok((vec![s(&candidate)], None));
                }
            }
            return Err(StartError::entrypoint(
                "Couldn't find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]",
            ));
        }
        match Language::of(rt) {
            Some(Language::Python) => {
                let python = self.interpreters.for_function(spec, Language::Python).await?;
                let exe = s(&python.executable);
                let dir = python.executable.parent().map(Path::to_path_buf);
                if python.has_ric && !self.config.force_own_clients {
                    return Ok((vec![exe, "-m".into(), "awslambdaric".into(), spec.handler.clone()], dir));
                }
                let client = s(&runtime_dir.join("bootstrap.py"));
                return Ok((vec![exe, "-u".into(), client, spec.handler.clone()], dir));
            }
            Some(Language::Node) => {
                let node = self.interpreters.for_function(spec, Language::Node).await?;
                let dir = node.executable.parent().map(Path::to_path_buf);
                let mut argv = vec![s(&node.executable)];
                // The heap limits AWS's bootstrap derives from the memory size (90% old space).
                argv.push(format!(
                    "--max-old-space-size={}",
                    (spec.memory_mb as u64 * 9 / 10).max(16)
                ));
                match self.node_ric_script() {
                    Some(ric) if !self.config.force_own_clients => argv.push(s(ric)),
                    _ => argv.push(s(&runtime_dir.join("bootstrap.mjs"))),
                }
                argv.push(spec.handler.clone());
                return Ok((argv, dir));
            }
            None => {}
        }
        Err(StartError::entrypoint(format!(
            "The process executor cannot run the runtime {rt}"
        )))
    }

    /// The official Node.js client's entry script: `bin/index.mjs` of the `--node-ric` directory,
    /// else what an `aws-lambda-ric` command on PATH links to (npm's global install puts a symlink
    /// to the package's script there); the host's `node` (or `--runtime-command`) runs it.
    fn node_ric_script(&self) -> Option<&Path> {
        self.node_ric_script
            .get_or_init(|| match &self.config.node_ric {
                Some(dir) => Some(dir.join("bin/index.mjs")).filter(|p| p.is_file()),
                None => find_program("aws-lambda-ric").and_then(|p| node_script_behind(&p)),
            })
            .as_deref()
    }
}

/// A command with only `vars` in its environment, in `cwd`, its stdout and stderr writing to
/// `output`, in process group `group` (0: a new one it leads).
fn command(
    program: impl AsRef<std::ffi::OsStr>,
    vars: &BTreeMap<String, String>,
    cwd: &Path,
    group: i32,
    output: &std::io::PipeWriter,
) -> Result<tokio::process::Command, StartError> {
    let writer = || {
        output
            .try_clone()
            .map_err(|e| StartError::sandbox(format!("sharing the output pipe: {e}")))
    };
    let mut cmd = tokio::process::Command::new(program);
    cmd.env_clear()
        .envs(vars)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(writer()?)
        .stderr(writer()?)
        .process_group(group);
    Ok(cmd)
}

/// What a bwrap command line is made from.
struct SandboxedCommand<'a> {
    bwrap: &'a Bubblewrap,
    spec: &'a FunctionSpec,
    argv: &'a [String],
    task: &'a Path,
    opt: &'a Path,
    runtime_dir: &'a Path,
    interpreter_dir: Option<&'a Path>,
}

/// Sets the memory backstop (`RLIMIT_DATA`) of the command's process and, when given, makes
/// `descriptor` its descriptor 3 (the launcher's report of extension exits).
fn with_backstop(cmd: &mut tokio::process::Command, bytes: u64, descriptor: Option<RawFd>) {
    // SAFETY: between fork and exec the closure makes async-signal-safe calls only.
    unsafe {
        cmd.pre_exec(move || {
            memory_limit::set_backstop(bytes)?;
            if let Some(fd) = descriptor {
                if fd == 3 {
                    if libc::fcntl(3, libc::F_SETFD, 0) != 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                } else if libc::dup2(fd, 3) != 3 {
                    return Err(std::io::Error::last_os_error());
                }
            }
            Ok(())
        });
    }
}

/// A local process sandbox: the process group the runtime (or bwrap) leads, and its directory.
struct ProcessControl {
    pid: u32,
    /// In bubblewrap: `pid` is bwrap's, the runtime is inside.
    sandboxed: bool,
    dir: PathBuf,
    exit: watch::Receiver<Option<ExitInfo>>,
    /// Of the runtime process and its children: under bwrap, of the sandbox's first process (the
    /// runtime is its child), found at the first reading.
    peak: OnceLock<PeakMemory>,
}

impl SandboxControl for ProcessControl {
    fn vanished(&self) -> bool {
        // Gone, or a zombie not reaped yet: asked without reaping it (WNOWAIT), which leaves the
        // reaping to tokio. One system call instead of reading /proc/<pid>/stat.
        // SAFETY: waitid writes only the siginfo_t it is given.
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        let r = unsafe {
            libc::waitid(
                libc::P_PID,
                self.pid as libc::id_t,
                &mut info,
                libc::WEXITED | libc::WNOHANG | libc::WNOWAIT,
            )
        };
        // ECHILD: reaped already. Otherwise si_pid is set only when it has exited.
        r != 0 || unsafe { info.si_pid() } != 0
    }

    /// SIGKILL to the whole process group (under bwrap, the end of its pid namespace: every
    /// process in it dies).
    fn kill(&self) {
        kill_group(self.pid, libc::SIGKILL);
    }

    /// SIGTERM to the runtime (and its extensions), SIGKILL to the group after `grace`; then
    /// removes the environment's dir.
    fn stop(&self, grace: Duration, exited: BoxFuture<'static, ExitInfo>) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            if self.exit.borrow().is_none() && !self.vanished() {
                if self.sandboxed {
                    // Not to bwrap itself, which would end the sandbox at once.
                    signal_inside(self.pid, libc::SIGTERM);
                } else {
                    kill_group(self.pid, libc::SIGTERM);
                }
                let mut exited = exited;
                if tokio::time::timeout(grace, &mut exited).await.is_err() {
                    kill_group(self.pid, libc::SIGKILL);
                    let _ = tokio::time::timeout(Duration::from_secs(5), exited).await;
                }
            }
            // Children that outlived the main process.
            kill_group(self.pid, libc::SIGKILL);
            let _ = tokio::fs::remove_dir_all(&self.dir).await;
        })
    }

    /// Peak resident memory in MB: of the runtime process and of its direct children, the highest
    /// read so far.
    fn max_memory_mb(&self) -> u64 {
        if let Some(peak) = self.peak.get() {
            return peak.mb();
        }
        // The sandbox's first process, once bwrap has started it.
        match children(self.pid).first() {
            Some(first) => self.peak.get_or_init(|| PeakMemory::new(*first)).mb(),
            None => 0,
        }
    }
}

impl Drop for ProcessControl {
    fn drop(&mut self) {
        if self.exit.borrow().is_none() {
            kill_group(self.pid, libc::SIGKILL);
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Sends a signal to the process group led by `pid` (the environment's process is its leader).
fn kill_group(pid: u32, signal: i32) {
    if pid == 0 {
        return;
    }
    // SAFETY: kill has no memory effects; a negative pid names the process group.
    unsafe {
        libc::kill(-(pid as i32), signal);
    }
}

/// Sends a signal to every process inside the sandbox whose bwrap is `pid`: the descendants of
/// the sandbox's first process (which, as pid 1 of its namespace, would ignore it).
fn signal_inside(pid: u32, signal: i32) {
    let mut stack: Vec<u32> = children(pid).into_iter().flat_map(children).collect();
    let mut seen = std::collections::HashSet::new();
    while let Some(p) = stack.pop() {
        if seen.insert(p) && seen.len() <= 4096 {
            // SAFETY: as above.
            unsafe {
                libc::kill(p as i32, signal);
            }
            stack.extend(children(p));
        }
    }
}

/// Go's `ExitError` wording, which AWS prints in `Runtime exited with error: …`. A sandboxed
/// runtime's exit comes through bwrap, which exits with 128 + N for a runtime killed by signal N.
fn describe_exit(status: std::process::ExitStatus, sandboxed: bool) -> ExitInfo {
    use std::os::unix::process::ExitStatusExt;
    if let Some(code) = status.code() {
        if sandboxed {
            return ExitInfo::from_code(i64::from(code));
        }
        return ExitInfo {
            code: Some(code),
            description: (code != 0).then(|| format!("exit status {code}")),
            out_of_memory: false,
        };
    }
    ExitInfo {
        code: None,
        description: Some(format!("signal: {}", signal_name(status.signal().unwrap_or(0)))),
        out_of_memory: false,
    }
}

/// The directories of AWS's layout (`/var/task`, `/opt`, `/var/runtime`, `/tmp`), mapped to ours.
struct Paths<'a> {
    task: &'a Path,
    opt: &'a Path,
    /// `LAMBDA_RUNTIME_DIR`: where our runtime clients are.
    runtime: &'a Path,
    tmp: &'a Path,
    interpreter_dir: Option<&'a Path>,
}

/// The environment of the function process (lambda-semantics §3), AWS's paths mapped to ours.
/// Precedence as in RIE: the function's variables first, platform values override them.
fn environment(
    spec: &FunctionSpec,
    p: &Paths<'_>,
    runtime_api: &str,
    env_id: &str,
    extra: &BTreeMap<String, String>,
) -> BTreeMap<String, String> {
    let d = |p: &Path| p.to_string_lossy().into_owned();
    let (task, opt, runtime_dir) = (d(p.task), d(p.opt), d(p.runtime));
    let mut v = function_env::platform(spec, runtime_api, env_id, extra);
    let mut set = |k: &str, val: String| {
        v.insert(k.to_owned(), val);
    };
    let mut path = Vec::new();
    if let Some(dir) = p.interpreter_dir {
        path.push(d(dir));
    }
    path.extend([
        "/usr/local/bin".to_owned(),
        "/usr/bin".to_owned(),
        "/bin".to_owned(),
        format!("{opt}/bin"),
    ]);
    set("PATH", path.join(":"));
    set(
        "LD_LIBRARY_PATH",
        format!("/lib64:/usr/lib64:{runtime_dir}:{runtime_dir}/lib:{task}:{task}/lib:{opt}/lib"),
    );
    set("LANG", "en_US.UTF-8".into());
    set("TZ", ":UTC".into());
    set("TMPDIR", d(p.tmp));
    set("LAMBDA_TASK_ROOT", task.clone());
    set("LAMBDA_RUNTIME_DIR", runtime_dir.clone());
    if let Some(pp) = function_env::python_path(spec, &opt, &runtime_dir) {
        set("PYTHONPATH", pp);
    }
    if let Some(prefix) = function_env::python_cache_prefix(spec, &d(p.tmp)) {
        set("PYTHONPYCACHEPREFIX", prefix);
    }
    if let Some(np) = function_env::node_path(spec, &opt, &runtime_dir, &task) {
        set("NODE_PATH", np);
    }
    v
}

/// The JavaScript file an `aws-lambda-ric` command is (following symlinks), or `None` when it
/// is something else (a shell wrapper, say), which `node` could not run.
fn node_script_behind(command: &Path) -> Option<PathBuf> {
    let script = std::fs::canonicalize(command).ok()?;
    let is_js = matches!(script.extension().and_then(|e| e.to_str()), Some("mjs" | "js" | "cjs"));
    if !is_js {
        tracing::debug!(
            "{} is not a JavaScript file: Node.js functions use fauxlambda's own client",
            script.display()
        );
    }
    is_js.then_some(script)
}

fn write_if_changed(path: &Path, text: &str) -> std::io::Result<()> {
    if std::fs::read_to_string(path).is_ok_and(|t| t == text) {
        return Ok(());
    }
    std::fs::create_dir_all(path.parent().unwrap_or(Path::new(".")))?;
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, path)
}
