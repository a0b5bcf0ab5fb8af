//! The set of files one `cargo codegen` run produces: formatted with rustfmt, then written (stale
//! files in generated directories removed) or compared with what is committed.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Directories wholly owned by the generator: files in them that a run does not produce are stale.
const OWNED: &[&str] = &["generated", "conformance/tests/protocol"];

#[derive(Default)]
pub struct Files {
    files: BTreeMap<PathBuf, String>,
}

/// Formats one file with the repository's `rustfmt.toml`, the configuration hand-written code uses.
fn rustfmt(text: &str, config: &Path) -> Result<String, String> {
    let mut child = Command::new("rustfmt")
        .args(["--edition", "2021", "--emit", "stdout", "--config-path"])
        .arg(config)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("running rustfmt: {e}"))?;
    let mut stdin = child.stdin.take().ok_or("rustfmt stdin")?;
    let input = text.to_string();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    let _ = writer.join();
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

impl Files {
    pub fn add(&mut self, path: PathBuf, text: String) {
        self.files.insert(path, text);
    }

    /// Formats the Rust files; a file rustfmt rejects is kept as is (the compiler will point at it).
    fn formatted(&self, root: &Path) -> BTreeMap<PathBuf, String> {
        let config = root.join("rustfmt.toml");
        let config = config.as_path();
        let entries: Vec<(&PathBuf, &String)> = self.files.iter().collect();
        let chunks: Vec<Vec<(&PathBuf, &String)>> = entries
            .chunks(entries.len().div_ceil(4).max(1))
            .map(|c| c.to_vec())
            .collect();
        std::thread::scope(|s| {
            let handles: Vec<_> = chunks
                .into_iter()
                .map(|chunk| {
                    s.spawn(move || {
                        chunk
                            .into_iter()
                            .map(|(p, t)| {
                                let text = if p.extension().is_some_and(|e| e == "rs") {
                                    rustfmt(t, config).unwrap_or_else(|e| {
                                        eprintln!(
                                            "codegen: rustfmt {}: {}",
                                            p.display(),
                                            e.lines().next().unwrap_or("")
                                        );
                                        t.clone()
                                    })
                                } else {
                                    t.clone()
                                };
                                (p.clone(), text)
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles.into_iter().flat_map(|h| h.join().unwrap_or_default()).collect()
        })
    }

    fn existing(root: &Path) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for d in OWNED {
            walk(&root.join(d), root, &mut out);
        }
        out
    }

    pub fn write(&self, root: &Path) -> i32 {
        let files = self.formatted(root);
        let mut changed = 0;
        for (p, text) in &files {
            let full = root.join(p);
            if std::fs::read_to_string(&full).ok().as_deref() != Some(text.as_str()) {
                if let Some(dir) = full.parent() {
                    let _ = std::fs::create_dir_all(dir);
                }
                if let Err(e) = std::fs::write(&full, text) {
                    eprintln!("codegen: writing {}: {e}", p.display());
                    return 1;
                }
                changed += 1;
            }
        }
        for old in Self::existing(root) {
            if !files.contains_key(&old) && !is_kept(&old) {
                let _ = std::fs::remove_file(root.join(&old));
                eprintln!("codegen: removed stale {}", old.display());
            }
        }
        eprintln!("codegen: {} files, {changed} changed", files.len());
        0
    }

    pub fn check(&self, root: &Path) -> i32 {
        let files = self.formatted(root);
        let mut stale = Vec::new();
        for (p, text) in &files {
            if std::fs::read_to_string(root.join(p)).ok().as_deref() != Some(text.as_str()) {
                stale.push(p.clone());
            }
        }
        for old in Self::existing(root) {
            if !files.contains_key(&old) && !is_kept(&old) {
                stale.push(old);
            }
        }
        if stale.is_empty() {
            eprintln!("codegen: {} generated files are up to date", files.len());
            0
        } else {
            for p in &stale {
                eprintln!("codegen: stale: {} (run `cargo codegen`)", p.display());
            }
            1
        }
    }
}

/// Build products inside owned directories are not generator output.
fn is_kept(p: &Path) -> bool {
    p.components().any(|c| c.as_os_str() == "target")
}

fn walk(dir: &Path, root: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else { return };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, root, out);
        } else if let Ok(rel) = p.strip_prefix(root) {
            out.push(rel.to_path_buf());
        }
    }
}
