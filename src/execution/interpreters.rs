//! The host interpreters the process executor runs functions with. For a runtime it looks for the
//! runtime's own version first (`python3.12`; `node20`, `nodejs20`, or a `node` of major version
//! 20 for `nodejs20.x`), else runs the default (`python3`, `node`) and says so: one warning per
//! function version, naming both versions. `--runtime-command RUNTIME=COMMAND` (or a family,
//! `python=COMMAND`) overrides the choice, and is trusted: no warning.

use super::executor::StartError;
use super::spec::FunctionSpec;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Mutex;

/// A language whose runtimes the process executor runs with a host interpreter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Language {
    Python,
    Node,
}

impl Language {
    /// The language of a runtime id, if the process executor runs it with an interpreter.
    pub fn of(runtime: &str) -> Option<Language> {
        if runtime.starts_with("python") {
            Some(Language::Python)
        } else if runtime.starts_with("nodejs") {
            Some(Language::Node)
        } else {
            None
        }
    }

    fn family(self) -> &'static str {
        match self {
            Language::Python => "python",
            Language::Node => "nodejs",
        }
    }

    fn display(self) -> &'static str {
        match self {
            Language::Python => "Python",
            Language::Node => "Node.js",
        }
    }

    /// The version a runtime id asks for, as the probe reports it: `3.12`, `20`.
    fn wanted(self, runtime: &str) -> String {
        let rest = runtime.trim_start_matches(self.family());
        match self {
            Language::Python => rest.to_owned(),
            Language::Node => rest.trim_end_matches(".x").to_owned(),
        }
    }

    /// The commands to look for on PATH, the runtime's own first, the default last.
    fn candidates(self, runtime: &str) -> Vec<String> {
        let v = self.wanted(runtime);
        match self {
            Language::Python => vec![format!("python{v}"), "python3".into()],
            Language::Node => vec![format!("node{v}"), format!("nodejs{v}"), "node".into()],
        }
    }
}

/// An interpreter found for a runtime.
#[derive(Clone, Debug)]
pub struct Interpreter {
    /// What to run (for Python, the real interpreter behind the command: `sys.executable`).
    pub executable: PathBuf,
    /// `3.11`, `20`: the version in the form the runtime ids use.
    pub version: String,
    /// Python only: whether it can import the official client, `awslambdaric`.
    pub has_ric: bool,
}

/// Finds and probes interpreters, once per command; remembers whom it has warned.
pub struct Interpreters {
    /// `--runtime-command`: by runtime id or by family.
    commands: BTreeMap<String, String>,
    probes: Mutex<HashMap<PathBuf, Result<Interpreter, String>>>,
    /// Function versions already warned about (one line each).
    warned: Mutex<HashSet<(String, String)>>,
}

impl Interpreters {
    pub fn new(commands: BTreeMap<String, String>) -> Self {
        Interpreters {
            commands,
            probes: Mutex::default(),
            warned: Mutex::default(),
        }
    }

    /// The command `--runtime-command` names for a runtime (its id first, then its family).
    fn overridden(&self, runtime: &str, language: Language) -> Option<&String> {
        self.commands
            .get(runtime)
            .or_else(|| self.commands.get(language.family()))
    }

    /// Whether some interpreter for `runtime` is on this host (without probing it).
    pub fn available(&self, runtime: &str) -> bool {
        let Some(language) = Language::of(runtime) else {
            return false;
        };
        match self.overridden(runtime, language) {
            Some(command) => find_program(command).is_some(),
            None => language.candidates(runtime).iter().any(|c| find_program(c).is_some()),
        }
    }

    /// The interpreter that runs `spec`'s runtime: the override, else the first candidate of the
    /// runtime's version, else the default with a warning.
    pub async fn for_function(&self, spec: &FunctionSpec, language: Language) -> Result<Interpreter, StartError> {
        let rt = spec.runtime.as_str();
        if let Some(command) = self.overridden(rt, language) {
            let program = find_program(command)
                .ok_or_else(|| StartError::entrypoint(format!("Couldn't find the interpreter `{command}` for {rt}")))?;
            return self.probe(&program, language).await.map_err(StartError::entrypoint);
        }
        let wanted = language.wanted(rt);
        let candidates = language.candidates(rt);
        let mut fallback: Option<Interpreter> = None;
        let mut failure = None;
        for command in &candidates {
            let Some(program) = find_program(command) else { continue };
            match self.probe(&program, language).await {
                Ok(found) if found.version == wanted => return Ok(found),
                Ok(found) => {
                    fallback.get_or_insert(found);
                }
                Err(e) => failure = Some(e),
            }
        }
        match fallback {
            Some(found) => {
                self.warn_once(spec, language, &wanted, &found, &candidates);
                Ok(found)
            }
            None => Err(StartError::entrypoint(failure.unwrap_or_else(|| {
                format!(
                    "Couldn't find an interpreter for {rt} (looked for {} on PATH); name one with --runtime-command {rt}=COMMAND",
                    candidates.join(", ")
                )
            }))),
        }
    }

    fn warn_once(&self, spec: &FunctionSpec, language: Language, wanted: &str, found: &Interpreter, looked: &[String]) {
        let key = (spec.function_name.clone(), spec.version.clone());
        if !self.warned.lock().unwrap_or_else(|e| e.into_inner()).insert(key) {
            return;
        }
        let rt = &spec.runtime;
        let name = language.display();
        tracing::warn!(
            "function {}:{} ({rt}) runs on the host's {name} {} ({}), not {name} {wanted}: none of {} on PATH is {name} {wanted}. Name an interpreter with --runtime-command {rt}=COMMAND, or run it in Docker (--executor docker)",
            spec.function_name,
            spec.version,
            found.version,
            found.executable.display(),
            looked.join(", "),
        );
    }

    /// What `program` is: its version (and for Python, the real interpreter and whether it has
    /// `awslambdaric`). Once per program.
    async fn probe(&self, program: &Path, language: Language) -> Result<Interpreter, String> {
        if let Some(p) = self.probes.lock().unwrap_or_else(|e| e.into_inner()).get(program) {
            return p.clone();
        }
        let result = match language {
            Language::Python => probe_python(program).await,
            Language::Node => probe_node(program).await,
        };
        self.probes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(program.to_owned(), result.clone());
        result
    }
}

/// Runs `program` with `args` in a clean environment (PATH only); its stdout.
async fn run_probe(program: &Path, args: &[&str]) -> Result<String, String> {
    let out = tokio::process::Command::new(program)
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .stdin(Stdio::null())
        .output()
        .await
        .map_err(|e| format!("`{}` failed: {e}", program.display()))?;
    if !out.status.success() {
        return Err(format!(
            "`{}` failed: {}",
            program.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

async fn probe_python(program: &Path) -> Result<Interpreter, String> {
    const SCRIPT: &str = "import sys\nprint(sys.executable)\nprint('%d.%d' % sys.version_info[:2], flush=True)\ntry:\n import awslambdaric\n print('ric')\nexcept Exception:\n pass\n";
    let text = run_probe(program, &["-c", SCRIPT]).await?;
    let mut lines = text.lines().map(str::trim);
    let executable = lines
        .next()
        .filter(|l| !l.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| program.to_owned());
    let version = lines.next().unwrap_or_default().to_owned();
    Ok(Interpreter {
        executable,
        version,
        has_ric: lines.any(|l| l == "ric"),
    })
}

async fn probe_node(program: &Path) -> Result<Interpreter, String> {
    let text = run_probe(program, &["--version"]).await?;
    // `v20.20.2` → `20`
    let major = text
        .trim()
        .trim_start_matches('v')
        .split('.')
        .next()
        .unwrap_or_default();
    Ok(Interpreter {
        executable: program.to_owned(),
        version: major.to_owned(),
        has_ric: false,
    })
}

/// Finds a program: a path as is, else on the host's PATH.
pub fn find_program(command: &str) -> Option<PathBuf> {
    if command.contains('/') {
        let p = PathBuf::from(command);
        return p.is_file().then_some(p);
    }
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|d| d.join(command))
        .find(|p| p.is_file())
}

#[cfg(test)]
mod tests {
    use super::Language;

    #[test]
    fn versions_and_candidates_of_runtime_ids() {
        assert_eq!(Language::of("python3.12"), Some(Language::Python));
        assert_eq!(Language::of("nodejs20.x"), Some(Language::Node));
        assert_eq!(Language::of("provided.al2023"), None);
        assert_eq!(Language::Python.wanted("python3.12"), "3.12");
        assert_eq!(Language::Node.wanted("nodejs20.x"), "20");
        assert_eq!(Language::Python.candidates("python3.9"), ["python3.9", "python3"]);
        assert_eq!(Language::Node.candidates("nodejs22.x"), ["node22", "nodejs22", "node"]);
    }
}
