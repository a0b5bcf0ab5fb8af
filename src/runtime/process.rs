//! The process executor: runs one execution environment as a local process — the function's code
//! unpacked once per code hash, its layers unpacked in order into an `opt` directory, a `tmp` of
//! its own, the environment AWS gives a function (lambda-semantics §3, paths mapped to these
//! directories), and the runtime client of its runtime (the official one when available, else
//! ours from `clients/`). Starting and stopping only: everything Lambda-specific is the pool's.

use super::logs::LogSink;
use super::runtime_api::RuntimeApiHandle;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;

/// Our Python runtime client (used when the interpreter cannot import `awslambdaric`).
pub const BOOTSTRAP_PY: &str = include_str!("clients/bootstrap.py");
/// Our Node.js runtime client.
pub const BOOTSTRAP_MJS: &str = include_str!("clients/bootstrap.mjs");

/// Dummy role credentials every function gets (any credentials work against the emulator).
pub const ACCESS_KEY_ID: &str = "ASIAFAUXLAMBDA000000";
pub const SECRET_ACCESS_KEY: &str = "fauxlambda/secret/access/key/000000000000";
pub const SESSION_TOKEN: &str = "fauxlambda-session-token";

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
    /// `bin/index.mjs` and its prebuilt `dist/rapid-client.node`), used when present.
    pub node_ric: Option<PathBuf>,
    /// Platform variables added to every function's environment (e.g. `AWS_ENDPOINT_URL`).
    pub extra_env: BTreeMap<String, String>,
}

impl ExecutorConfig {
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        ExecutorConfig {
            data_dir: data_dir.into(),
            runtime_commands: BTreeMap::new(),
            force_own_clients: false,
            node_ric: None,
            extra_env: BTreeMap::new(),
        }
    }
}

/// A stored layer package, in the order the function lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LayerPackage {
    pub sha256_hex: String,
    pub zip: PathBuf,
}

/// Everything needed to start an environment for one function version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FunctionSpec {
    pub function_name: String,
    /// `$LATEST` or a version number.
    pub version: String,
    pub runtime: String,
    pub handler: String,
    pub memory_mb: u32,
    pub timeout: Duration,
    pub region: String,
    pub account_id: String,
    /// The function's own variables.
    pub environment: BTreeMap<String, String>,
    pub code_sha256_hex: String,
    pub code_zip: PathBuf,
    pub layers: Vec<LayerPackage>,
}

impl FunctionSpec {
    /// The spec of a stored function version (zip package only: images need the Docker executor).
    pub fn from_version(
        state: &crate::state::State,
        store: &crate::store::Store,
        version: &crate::state::functions::Version,
        region: &str,
        account_id: &str,
    ) -> Result<FunctionSpec, String> {
        let c = &version.config;
        let crate::state::functions::Code::Zip(pkg) = &version.code else {
            return Err("container image functions need the Docker executor".into());
        };
        let mut layers = Vec::new();
        for l in c.layers.iter().flatten() {
            let arn = l.arn.clone().unwrap_or_default();
            let p = state.layers.package(&arn).ok_or_else(|| format!("layer {arn} has no stored package"))?;
            layers.push(LayerPackage { sha256_hex: p.sha256_hex.clone(), zip: store.path(&p.sha256_hex) });
        }
        Ok(FunctionSpec {
            function_name: c.function_name.clone().unwrap_or_default(),
            version: c.version.clone().unwrap_or_else(|| "$LATEST".into()),
            runtime: c.runtime.as_ref().map(|r| r.as_str().to_owned()).unwrap_or_default(),
            handler: c.handler.clone().unwrap_or_default(),
            memory_mb: c.memory_size.unwrap_or(128).max(1) as u32,
            timeout: Duration::from_secs(c.timeout.unwrap_or(3).max(1) as u64),
            region: region.to_owned(),
            account_id: account_id.to_owned(),
            environment: c.environment.as_ref().and_then(|e| e.variables.clone()).unwrap_or_default().into_iter().collect(),
            code_sha256_hex: pkg.sha256_hex.clone(),
            code_zip: store.path(&pkg.sha256_hex),
            layers,
        })
    }
}

/// Why an environment could not be started: the error the invocation that wanted it gets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StartError {
    pub error_type: String,
    pub message: String,
}

impl StartError {
    fn entrypoint(message: impl Into<String>) -> Self {
        StartError { error_type: "Runtime.InvalidEntrypoint".into(), message: message.into() }
    }
    fn sandbox(message: impl Into<String>) -> Self {
        StartError { error_type: "Sandbox.Failure".into(), message: message.into() }
    }
}

/// What a Python command turned out to be.
#[derive(Clone, Debug)]
struct PythonProbe {
    executable: PathBuf,
    has_ric: bool,
}

/// Starts environments as local processes.
pub struct ProcessExecutor {
    config: ExecutorConfig,
    root: PathBuf,
    python_probes: Mutex<HashMap<String, Result<PythonProbe, String>>>,
    unpack: tokio::sync::Mutex<()>,
}

impl ProcessExecutor {
    pub fn new(config: ExecutorConfig) -> Arc<Self> {
        let root = config.data_dir.join("exec");
        Arc::new(ProcessExecutor { config, root, python_probes: Mutex::new(HashMap::new()), unpack: tokio::sync::Mutex::new(()) })
    }

    pub fn config(&self) -> &ExecutorConfig {
        &self.config
    }

    /// Starts the runtime of `spec` against `api` (its `AWS_LAMBDA_RUNTIME_API`).
    pub async fn start(&self, spec: &FunctionSpec, api: &RuntimeApiHandle) -> Result<ProcessEnvironment, StartError> {
        let (task, opt, runtime_dir) = self.prepare(spec).await?;
        let id = uuid::Uuid::new_v4().simple().to_string();
        let env_dir = self.root.join("environments").join(&id);
        let tmp = env_dir.join("tmp");
        std::fs::create_dir_all(&tmp).map_err(|e| StartError::sandbox(format!("creating {}: {e}", tmp.display())))?;

        let (argv, interpreter_dir) = self.command(spec, &task, &opt, &runtime_dir).await?;
        let vars = environment(spec, &Paths { task: &task, opt: &opt, runtime: &runtime_dir, tmp: &tmp, interpreter_dir: interpreter_dir.as_deref() }, &api.runtime_api_address(), &id, &self.config.extra_env);

        let mut cmd = tokio::process::Command::new(&argv[0]);
        cmd.args(&argv[1..])
            .env_clear()
            .envs(&vars)
            .current_dir(&task)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .kill_on_drop(true);
        let mut child = cmd.spawn().map_err(|e| StartError::entrypoint(format!("Couldn't start {}: {e}", argv[0])))?;
        let pid = child.id().unwrap_or(0);
        let logs = LogSink::new();
        for fd in [child.stdout.take().map(|o| o.into_owned_fd()), child.stderr.take().map(|e| e.into_owned_fd())].into_iter().flatten() {
            match fd {
                Ok(fd) => {
                    if let Err(e) = logs.attach(fd) {
                        tracing::warn!("environment {id}: cannot read its output: {e}");
                    }
                }
                Err(e) => tracing::warn!("environment {id}: cannot read its output: {e}"),
            }
        }
        let (exit_tx, exit_rx) = watch::channel(None);
        tokio::spawn(async move {
            let status = match child.wait().await {
                Ok(s) => describe_exit(s),
                Err(e) => ExitInfo { code: None, description: Some(format!("wait failed: {e}")) },
            };
            let _ = exit_tx.send(Some(status));
        });
        tracing::debug!("environment {id} of {}:{} started: pid {pid}, {:?}", spec.function_name, spec.version, argv);
        Ok(ProcessEnvironment { id, pid, logs, exit: exit_rx, dir: env_dir })
    }

    /// The unpacked code, the `opt` directory and the runtime-client directory.
    async fn prepare(&self, spec: &FunctionSpec) -> Result<(PathBuf, PathBuf, PathBuf), StartError> {
        let _guard = self.unpack.lock().await;
        let root = self.root.clone();
        let spec = spec.clone();
        tokio::task::spawn_blocking(move || {
            let runtime_dir = root.join("runtime");
            write_if_changed(&runtime_dir.join("bootstrap.py"), BOOTSTRAP_PY)?;
            write_if_changed(&runtime_dir.join("bootstrap.mjs"), BOOTSTRAP_MJS)?;
            let task = root.join("code").join(&spec.code_sha256_hex);
            unpack_once(&task, &[&spec.code_zip])?;
            let key = if spec.layers.is_empty() {
                "none".to_owned()
            } else {
                let mut h = Sha256::new();
                for l in &spec.layers {
                    h.update(l.sha256_hex.as_bytes());
                    h.update(b"\n");
                }
                h.finalize().iter().map(|b| format!("{b:02x}")).collect()
            };
            let opt = root.join("opt").join(key);
            let zips: Vec<&Path> = spec.layers.iter().map(|l| l.zip.as_path()).collect();
            unpack_once(&opt, &zips)?;
            Ok((task, opt, runtime_dir))
        })
        .await
        .map_err(|e| StartError::sandbox(format!("unpacking failed: {e}")))?
        .map_err(|e: std::io::Error| StartError::sandbox(format!("unpacking the function failed: {e}")))
    }

    /// The command line of the runtime, and the interpreter's directory (first on PATH).
    async fn command(&self, spec: &FunctionSpec, task: &Path, opt: &Path, runtime_dir: &Path) -> Result<(Vec<String>, Option<PathBuf>), StartError> {
        let rt = spec.runtime.as_str();
        let s = |p: &Path| p.to_string_lossy().into_owned();
        if rt.starts_with("provided") {
            for candidate in [task.join("bootstrap"), opt.join("bootstrap")] {
                if candidate.is_file() {
                    return Ok((vec![s(&candidate)], None));
                }
            }
            return Err(StartError::entrypoint("Couldn't find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]"));
        }
        if rt.starts_with("python") {
            let command = self.runtime_command(rt, "python", "python3");
            let probe = self.probe_python(&command).await.map_err(StartError::entrypoint)?;
            let exe = s(&probe.executable);
            let dir = probe.executable.parent().map(Path::to_path_buf);
            if probe.has_ric && !self.config.force_own_clients {
                return Ok((vec![exe, "-m".into(), "awslambdaric".into(), spec.handler.clone()], dir));
            }
            return Ok((vec![exe, "-u".into(), s(&runtime_dir.join("bootstrap.py")), spec.handler.clone()], dir));
        }
        if rt.starts_with("nodejs") {
            let command = self.runtime_command(rt, "nodejs", "node");
            let exe = find_program(&command).ok_or_else(|| StartError::entrypoint(format!("Couldn't find the interpreter `{command}` for {rt}")))?;
            let dir = exe.parent().map(Path::to_path_buf);
            let mut argv = vec![s(&exe)];
            // The heap limits AWS's bootstrap derives from the memory size (90% old space).
            argv.push(format!("--max-old-space-size={}", (spec.memory_mb as u64 * 9 / 10).max(16)));
            let official = self.config.node_ric.as_ref().map(|d| d.join("bin/index.mjs")).filter(|p| p.is_file());
            match official {
                Some(ric) if !self.config.force_own_clients => argv.push(s(&ric)),
                _ => argv.push(s(&runtime_dir.join("bootstrap.mjs"))),
            }
            argv.push(spec.handler.clone());
            return Ok((argv, dir));
        }
        Err(StartError::entrypoint(format!("The process executor cannot run the runtime {rt}")))
    }

    fn runtime_command(&self, runtime: &str, family: &str, default: &str) -> String {
        let m = &self.config.runtime_commands;
        m.get(runtime).or_else(|| m.get(family)).cloned().unwrap_or_else(|| default.to_owned())
    }

    /// Finds the real interpreter behind `command` and whether it can import awslambdaric (once).
    async fn probe_python(&self, command: &str) -> Result<PythonProbe, String> {
        if let Some(p) = self.python_probes.lock().unwrap_or_else(|e| e.into_inner()).get(command) {
            return p.clone();
        }
        let program = find_program(command).ok_or_else(|| format!("Couldn't find the interpreter `{command}`"))?;
        let out = tokio::process::Command::new(&program)
            .args(["-c", "import sys\nprint(sys.executable, flush=True)\ntry:\n import awslambdaric\n print('ric')\nexcept Exception:\n pass\n"])
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .stdin(Stdio::null())
            .output()
            .await;
        let result = match out {
            Ok(o) if o.status.success() => {
                let text = String::from_utf8_lossy(&o.stdout);
                let mut lines = text.lines();
                let exe = lines.next().map(str::trim).filter(|l| !l.is_empty()).map(PathBuf::from).unwrap_or(program);
                Ok(PythonProbe { executable: exe, has_ric: lines.any(|l| l.trim() == "ric") })
            }
            Ok(o) => Err(format!("`{command}` failed: {}", String::from_utf8_lossy(&o.stderr).trim())),
            Err(e) => Err(format!("`{command}` failed: {e}")),
        };
        self.python_probes.lock().unwrap_or_else(|e| e.into_inner()).insert(command.to_owned(), result.clone());
        result
    }
}

/// One running environment process.
pub struct ProcessEnvironment {
    /// 32 hex digits: the log stream's suffix.
    pub id: String,
    pub pid: u32,
    pub logs: LogSink,
    exit: watch::Receiver<Option<ExitInfo>>,
    dir: PathBuf,
}

/// How a process ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExitInfo {
    pub code: Option<i32>,
    /// Go's wording (`exit status 3`, `signal: killed`); `None` for a clean exit (status 0).
    pub description: Option<String>,
}

impl ProcessEnvironment {
    /// Resolves when the process has exited.
    pub fn exited(&self) -> impl std::future::Future<Output = ExitInfo> + Send + 'static {
        let mut rx = self.exit.clone();
        async move {
            loop {
                if let Some(e) = rx.borrow_and_update().clone() {
                    return e;
                }
                if rx.changed().await.is_err() {
                    return ExitInfo { code: None, description: Some("signal: killed".into()) };
                }
            }
        }
    }

    /// True once the process is gone (also when it vanished behind our back).
    pub fn has_exited(&self) -> bool {
        if self.exit.borrow().is_some() {
            return true;
        }
        // Gone, or a zombie not reaped yet.
        match std::fs::read_to_string(format!("/proc/{}/stat", self.pid)) {
            Ok(stat) => stat.rfind(')').is_some_and(|i| stat[i + 1..].trim_start().starts_with(['Z', 'X'])),
            Err(_) => true,
        }
    }

    /// SIGKILL to the whole process group, now.
    pub fn kill(&self) {
        signal_group(self.pid, "KILL");
    }

    /// SIGTERM to the process group, SIGKILL after `grace`; then removes the environment's dir.
    pub async fn stop(&self, grace: Duration) {
        if !self.has_exited() {
            signal_group(self.pid, "TERM");
            if tokio::time::timeout(grace, self.exited()).await.is_err() {
                self.kill();
                let _ = tokio::time::timeout(Duration::from_secs(5), self.exited()).await;
            }
        }
        // Children that outlived the main process.
        signal_group(self.pid, "KILL");
        let _ = tokio::fs::remove_dir_all(&self.dir).await;
    }

    /// Peak resident memory in MB: VmHWM of the runtime process and of its direct children (a
    /// bootstrap script's runtime). Only their own `/proc` entries are read: this runs on every
    /// invocation, and scanning all of `/proc` cost a millisecond per invoke.
    pub fn max_memory_mb(&self) -> u64 {
        let hwm = |pid: &str| -> u64 {
            std::fs::read_to_string(format!("/proc/{pid}/status"))
                .ok()
                .and_then(|status| {
                    status
                        .lines()
                        .find_map(|l| l.strip_prefix("VmHWM:"))
                        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
                })
                .unwrap_or(0)
        };
        let leader = self.pid.to_string();
        let children = std::fs::read_to_string(format!("/proc/{leader}/task/{leader}/children")).unwrap_or_default();
        let kb = hwm(&leader) + children.split_whitespace().map(hwm).sum::<u64>();
        kb.div_ceil(1024)
    }
}

impl Drop for ProcessEnvironment {
    fn drop(&mut self) {
        if self.exit.borrow().is_none() {
            signal_group(self.pid, "KILL");
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Sends a signal to the process group led by `pid` (the environment's process is its leader).
fn signal_group(pid: u32, signal: &str) {
    if pid == 0 {
        return;
    }
    let _ = std::process::Command::new("kill")
        .args([format!("-{signal}"), "--".into(), format!("-{pid}")])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// Go's `ExitError` wording, which AWS prints in `Runtime exited with error: …`.
fn describe_exit(status: std::process::ExitStatus) -> ExitInfo {
    use std::os::unix::process::ExitStatusExt;
    if let Some(code) = status.code() {
        return ExitInfo { code: Some(code), description: (code != 0).then(|| format!("exit status {code}")) };
    }
    let sig = status.signal().unwrap_or(0);
    let name = match sig {
        1 => "hangup".to_owned(),
        2 => "interrupt".to_owned(),
        3 => "quit".to_owned(),
        4 => "illegal instruction".to_owned(),
        6 => "aborted".to_owned(),
        7 => "bus error".to_owned(),
        8 => "floating point exception".to_owned(),
        9 => "killed".to_owned(),
        11 => "segmentation fault".to_owned(),
        13 => "broken pipe".to_owned(),
        15 => "terminated".to_owned(),
        n => format!("signal {n}"),
    };
    ExitInfo { code: None, description: Some(format!("signal: {name}")) }
}

struct Paths<'a> {
    task: &'a Path,
    opt: &'a Path,
    runtime: &'a Path,
    tmp: &'a Path,
    interpreter_dir: Option<&'a Path>,
}

/// The environment of the function process (lambda-semantics §3), AWS's paths mapped to ours.
/// Precedence as in RIE: the function's variables first, platform values override them.
fn environment(spec: &FunctionSpec, p: &Paths<'_>, runtime_api: &str, env_id: &str, extra: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    let d = |p: &Path| p.to_string_lossy().into_owned();
    let (task, opt, rt) = (d(p.task), d(p.opt), d(p.runtime));
    let mut v: BTreeMap<String, String> = spec.environment.clone();
    for (k, val) in extra {
        v.insert(k.clone(), val.clone());
    }
    let mut set = |k: &str, val: String| {
        v.insert(k.to_owned(), val);
    };
    let mut path = Vec::new();
    if let Some(dir) = p.interpreter_dir {
        path.push(d(dir));
    }
    path.extend(["/usr/local/bin".to_owned(), "/usr/bin".to_owned(), "/bin".to_owned(), format!("{opt}/bin")]);
    set("PATH", path.join(":"));
    set("LD_LIBRARY_PATH", format!("/lib64:/usr/lib64:{rt}:{rt}/lib:{task}:{task}/lib:{opt}/lib"));
    set("LANG", "en_US.UTF-8".into());
    set("TZ", ":UTC".into());
    set("TMPDIR", d(p.tmp));
    set("LAMBDA_TASK_ROOT", task.clone());
    set("LAMBDA_RUNTIME_DIR", rt.clone());
    set("AWS_LAMBDA_RUNTIME_API", runtime_api.to_owned());
    set("_HANDLER", spec.handler.clone());
    set("AWS_REGION", spec.region.clone());
    set("AWS_DEFAULT_REGION", spec.region.clone());
    set("AWS_LAMBDA_FUNCTION_NAME", spec.function_name.clone());
    set("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", spec.memory_mb.to_string());
    set("AWS_LAMBDA_FUNCTION_VERSION", spec.version.clone());
    set("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand".into());
    set("AWS_LAMBDA_LOG_GROUP_NAME", log_group_name(&spec.function_name));
    set("AWS_LAMBDA_LOG_STREAM_NAME", log_stream_name(&spec.version, env_id));
    set("AWS_ACCESS_KEY", ACCESS_KEY_ID.into());
    set("AWS_ACCESS_KEY_ID", ACCESS_KEY_ID.into());
    set("AWS_SECRET_ACCESS_KEY", SECRET_ACCESS_KEY.into());
    set("AWS_SESSION_TOKEN", SESSION_TOKEN.into());
    set("AWS_XRAY_CONTEXT_MISSING", "LOG_ERROR".into());
    set("AWS_XRAY_DAEMON_ADDRESS", "127.0.0.1:2000".into());
    set("_AWS_XRAY_DAEMON_ADDRESS", "127.0.0.1".into());
    set("_AWS_XRAY_DAEMON_PORT", "2000".into());
    let rtid = spec.runtime.as_str();
    if !rtid.starts_with("provided") {
        set("AWS_EXECUTION_ENV", format!("AWS_Lambda_{rtid}"));
    }
    if let Some(ver) = rtid.strip_prefix("python") {
        set("PYTHONPATH", format!("{opt}/python/lib/python{ver}/site-packages:{opt}/python:{rt}"));
    }
    if let Some(major) = rtid.strip_prefix("nodejs").map(|m| m.trim_end_matches(".x").to_owned()) {
        set("NODE_PATH", format!("{opt}/nodejs/node{major}/node_modules:{opt}/nodejs/node_modules:{rt}/node_modules:{rt}:{task}"));
    }
    v
}

/// `/aws/lambda/<name>`.
pub fn log_group_name(function_name: &str) -> String {
    format!("/aws/lambda/{function_name}")
}

/// `YYYY/MM/DD/[<version>]<32 hex>`.
pub fn log_stream_name(version: &str, env_id: &str) -> String {
    format!("{}/[{version}]{env_id}", chrono::Utc::now().format("%Y/%m/%d"))
}

/// Finds a program: a path as is, else on the host's PATH.
fn find_program(command: &str) -> Option<PathBuf> {
    if command.contains('/') {
        let p = PathBuf::from(command);
        return p.is_file().then_some(p);
    }
    std::env::split_paths(&std::env::var_os("PATH")?).map(|d| d.join(command)).find(|p| p.is_file())
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

/// Unpacks the zips in order into `dest` unless it exists (built in a sibling, then renamed).
fn unpack_once(dest: &Path, zips: &[&Path]) -> std::io::Result<()> {
    if dest.is_dir() {
        return Ok(());
    }
    let parent = dest.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent)?;
    let tmp = tempfile::Builder::new().prefix(".unpack").tempdir_in(parent)?;
    for zip in zips {
        let file = std::fs::File::open(zip)?;
        let mut archive = zip::ZipArchive::new(file).map_err(std::io::Error::other)?;
        archive.extract(tmp.path()).map_err(std::io::Error::other)?;
    }
    let tmp = tmp.keep();
    if let Err(e) = std::fs::rename(&tmp, dest) {
        let _ = std::fs::remove_dir_all(&tmp);
        if !dest.is_dir() {
            return Err(e);
        }
    }
    Ok(())
}
