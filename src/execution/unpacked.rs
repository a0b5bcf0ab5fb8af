//! Function code and layers unpacked on the host, shared by every environment that runs them: the
//! code once per code hash (`<root>/code/<sha256>`), the layers once per ordered list of layer
//! hashes, merged in order into one directory (`<root>/opt/<hash>`, later layers overwriting
//! earlier ones as in `/opt` on AWS). Directories are built beside their final name and renamed,
//! so a half-unpacked tree is never used.

use super::executor::StartError;
use super::spec::FunctionSpec;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// The host directories of one function version.
#[derive(Clone, Debug)]
pub struct Unpacked {
    /// The code (`LAMBDA_TASK_ROOT`); an empty directory for image functions.
    pub task: PathBuf,
    /// The merged layers (`/opt`).
    pub opt: PathBuf,
    /// The external extensions the layers carry (`/opt/extensions/*`, executable files), by name.
    pub extensions: Vec<String>,
}

impl Unpacked {
    /// The external extensions in `opt`.
    fn find_extensions(opt: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(opt.join("extensions"))
            .map(|dir| {
                dir.flatten()
                    .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                    .filter(|e| {
                        use std::os::unix::fs::PermissionsExt;
                        e.metadata().is_ok_and(|m| m.permissions().mode() & 0o111 != 0)
                    })
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    }
}

/// Unpacks packages under one root, one at a time.
pub struct Unpacker {
    root: PathBuf,
    lock: tokio::sync::Mutex<()>,
}

impl Unpacker {
    pub fn new(root: PathBuf) -> Unpacker {
        Unpacker {
            root,
            lock: tokio::sync::Mutex::new(()),
        }
    }

    /// The code and layer directories of `spec`, unpacked when first needed.
    pub async fn unpack(&self, spec: &FunctionSpec) -> Result<Unpacked, StartError> {
        let _guard = self.lock.lock().await;
        let root = self.root.clone();
        let spec = spec.clone();
        tokio::task::spawn_blocking(move || {
            let task = if spec.image.is_some() {
                let empty = root.join("code").join("empty");
                std::fs::create_dir_all(&empty)?;
                empty
            } else {
                let task = root.join("code").join(&spec.code_sha256_hex);
                unpack_once(&task, &[&spec.code_zip])?;
                task
            };
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
            let extensions = Unpacked::find_extensions(&opt);
            Ok(Unpacked { task, opt, extensions })
        })
        .await
        .map_err(|e| StartError::sandbox(format!("unpacking failed: {e}")))?
        .map_err(|e: std::io::Error| StartError::sandbox(format!("unpacking the function failed: {e}")))
    }
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
    // Readable by a container's user whatever the umask.
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o755));
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
