//! The functions the benchmark runs: the Python echo, the Rust echo (built once per source hash),
//! the Node.js function with and without a big `node_modules`, as zips; and the repository's
//! Python interpreter (`.venv`, with awslambdaric).

use crate::root;
use base64::Engine;
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub const PY_APP: &str = include_str!("../fixtures/python-echo/app.py");
/// fauxlambda's own Python runtime client, which the floor runs as a script.
pub const PY_OWN_CLIENT: &str = include_str!("../../src/execution/runtime_clients/bootstrap.py");
pub const NODE_APP: &str = "exports.handler = async (event) => event;\n";
/// Files under `node_modules/` in the Node function's bigger zip.
pub const NODE_MODULES_FILES: usize = 30_000;

/// The Rust echo's `bootstrap`, built once per source hash.
pub fn rust_bootstrap() -> Result<PathBuf, String> {
    let src = root().join("benches/fixtures/rust-echo");
    let mut h = Sha256::new();
    for f in ["Cargo.toml", "Cargo.lock", "src/main.rs"] {
        h.update(f.as_bytes());
        h.update(std::fs::read(src.join(f)).unwrap_or_default());
    }
    let hash: String = h.finalize().iter().take(8).map(|b| format!("{b:02x}")).collect();
    let cache = root().join("target/bench-fixtures").join(format!("rust-echo-{hash}"));
    let bootstrap = cache.join("bootstrap");
    if bootstrap.is_file() {
        return Ok(bootstrap);
    }
    eprintln!("building benches/fixtures/rust-echo (cargo build --release)…");
    let target_dir = rust_target_dir();
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["build", "--release", "--quiet", "--manifest-path"])
        .arg(src.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(&target_dir)
        .env_remove("CARGO_TARGET_DIR")
        .status()
        .map_err(|e| format!("cargo: {e}"))?;
    if !status.success() {
        return Err(format!("cargo build of the fixture failed ({status})"));
    }
    std::fs::create_dir_all(&cache).map_err(|e| e.to_string())?;
    std::fs::copy(target_dir.join("release/rust-echo"), &bootstrap).map_err(|e| format!("copying the build: {e}"))?;
    Ok(bootstrap)
}

pub fn rust_target_dir() -> PathBuf {
    root().join("target/bench-fixtures/rust-echo")
}

pub fn zip_b64(files: &[(&str, &[u8], u32)]) -> String {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, data, mode) in files {
        w.start_file(*name, zip::write::SimpleFileOptions::default().unix_permissions(*mode))
            .unwrap();
        w.write_all(data).unwrap();
    }
    base64::engine::general_purpose::STANDARD.encode(w.finish().unwrap().into_inner())
}

/// The Node function, with `files` tiny modules under `node_modules/` (1,000 packages of
/// `files / 1000` files each).
pub fn node_zip_b64(files: usize) -> String {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .unix_permissions(0o644)
        .compression_method(zip::CompressionMethod::Stored);
    w.start_file("index.js", opts).unwrap();
    w.write_all(NODE_APP.as_bytes()).unwrap();
    let per_package = files.div_ceil(1000).max(1);
    for i in 0..files {
        w.start_file(
            format!("node_modules/pkg-{:03}/lib/m{:03}.js", i / per_package, i % per_package),
            opts,
        )
        .unwrap();
        w.write_all(b"module.exports = 1;\n").unwrap();
    }
    base64::engine::general_purpose::STANDARD.encode(w.finish().unwrap().into_inner())
}

pub fn repo_python() -> Option<PathBuf> {
    Some(root().join(".venv/bin/python")).filter(|p| p.is_file())
}

pub fn has_awslambdaric(python: &Path) -> bool {
    Command::new(python)
        .args(["-c", "import awslambdaric"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The Rust echo's package (base64 zip), from its built bootstrap.
pub fn rust_zip(rust: &Result<PathBuf, String>) -> Result<String, String> {
    let bin = std::fs::read(rust.as_ref().map_err(Clone::clone)?).map_err(|e| e.to_string())?;
    Ok(zip_b64(&[("bootstrap", &bin, 0o755)]))
}
