//! The Rust `provided.al2023` functions of tests/fixtures (`rust-echo`, `rust-stream`), each a
//! crate of its own built with the `lambda_runtime` crate: built once per source hash with
//! `cargo build --release` into one shared target directory (so the two share their
//! dependencies' build; about 80 s cold on two cores, then cached), the binary kept as
//! `target/rust-fixtures/<fixture>-<hash>`.

use std::path::PathBuf;
use std::time::Instant;

/// The `bootstrap` of `tests/fixtures/<fixture>`, built if its sources changed.
pub fn rust_function(fixture: &str) -> Result<PathBuf, String> {
    use sha2::{Digest, Sha256};
    let src = super::root().join("tests/fixtures").join(fixture);
    let mut h = Sha256::new();
    for f in ["Cargo.toml", "Cargo.lock", "src/main.rs"] {
        h.update(std::fs::read(src.join(f)).map_err(|e| format!("{fixture}/{f}: {e}"))?);
    }
    let hash: String = h.finalize().iter().take(8).map(|b| format!("{b:02x}")).collect();
    let target = super::root().join("target/rust-fixtures");
    let cached = target.join(format!("{fixture}-{hash}"));
    if cached.is_file() {
        return Ok(cached);
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let t = Instant::now();
    // At low priority: the other cases run meanwhile.
    let out = std::process::Command::new("nice")
        .args(["-n", "15"])
        .arg(cargo)
        .args(["build", "--release", "--manifest-path"])
        .arg(src.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(&target)
        .output()
        .map_err(|e| format!("cargo: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "cargo build of tests/fixtures/{fixture} failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    eprintln!("built tests/fixtures/{fixture} in {:?}", t.elapsed());
    std::fs::copy(target.join("release/bootstrap"), &cached).map_err(|e| e.to_string())?;
    Ok(cached)
}
