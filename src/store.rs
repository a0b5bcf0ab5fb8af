//! The content-addressed package store: code and layer zips on disk under `<data-dir>/packages`,
//! named by their SHA-256, checked on the way in (a real zip, AWS's size limits, no entry escaping
//! the extraction root).

use crate::errors;
use base64::Engine;
use lambda_server::error::ServiceError;
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::{Component, Path, PathBuf};

/// AWS's limit for a zip uploaded directly in the request.
pub const MAX_DIRECT_UPLOAD: usize = 50 * 1024 * 1024;
/// AWS's 413 for a zip uploaded in the request (CreateFunction, UpdateFunctionCode,
/// PublishLayerVersion) over `MAX_DIRECT_UPLOAD` bytes.
pub fn check_zipped_size(len: usize) -> Result<(), ServiceError> {
    if len > MAX_DIRECT_UPLOAD {
        return Err(errors::request_too_large(format!(
            "Zipped size must be smaller than {MAX_DIRECT_UPLOAD} bytes"
        )));
    }
    Ok(())
}

/// AWS's limit for the unzipped package (function code plus layers).
pub const MAX_UNZIPPED: u64 = 250 * 1024 * 1024;

/// A package in the store.
#[derive(Debug, Clone, PartialEq)]
pub struct Package {
    /// Hex SHA-256: the file name in the store.
    pub sha256_hex: String,
    /// Base64 SHA-256, as Lambda reports `CodeSha256`.
    pub sha256_b64: String,
    pub size: i64,
    pub unzipped_size: u64,
}

#[derive(Debug, Clone)]
pub struct Store {
    dir: PathBuf,
}

impl Store {
    pub fn open(data_dir: &Path) -> std::io::Result<Store> {
        let dir = data_dir.join("packages");
        std::fs::create_dir_all(&dir)?;
        Ok(Store { dir })
    }

    pub fn path(&self, sha256_hex: &str) -> PathBuf {
        self.dir.join(format!("{sha256_hex}.zip"))
    }

    /// Checks and stores a zip (off the async runtime: hashing and reading a 50 MB zip takes time).
    pub async fn put(&self, bytes: Vec<u8>) -> Result<Package, ServiceError> {
        let store = self.clone();
        tokio::task::spawn_blocking(move || store.put_blocking(&bytes))
            .await
            .map_err(|e| errors::service(format!("storing the package failed: {e}")))?
    }

    fn put_blocking(&self, bytes: &[u8]) -> Result<Package, ServiceError> {
        let unzipped_size = check_zip(bytes)?;
        let digest = Sha256::digest(bytes);
        let sha256_hex = digest.iter().map(|b| format!("{b:02x}")).collect::<String>();
        let path = self.path(&sha256_hex);
        if !path.exists() {
            let tmp = self.dir.join(format!(".{sha256_hex}.{}", std::process::id()));
            std::fs::write(&tmp, bytes)
                .and_then(|()| std::fs::rename(&tmp, &path))
                .map_err(|e| errors::service(format!("storing the package failed: {e}")))?;
        }
        Ok(Package {
            sha256_b64: base64::engine::general_purpose::STANDARD.encode(digest),
            sha256_hex,
            size: bytes.len() as i64,
            unzipped_size,
        })
    }

    /// The bytes of a stored package.
    pub async fn read(&self, sha256_hex: &str) -> std::io::Result<Vec<u8>> {
        if !sha256_hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(std::io::Error::new(std::io::ErrorKind::NotFound, "no such package"));
        }
        tokio::fs::read(self.path(sha256_hex)).await
    }
}

const BAD_ZIP: &str = "Could not unzip uploaded file. Please check your file, then try to upload again.";

/// The URL a stored package downloads from (fauxlambda's own endpoint under `/_fauxlambda/packages/`):
/// a function's `Code.Location`, a layer's `Content.Location`.
pub fn package_url(base_url: &str, sha256_hex: &str) -> String {
    format!("{base_url}/_fauxlambda/packages/{sha256_hex}.zip")
}

/// Validates a zip: readable, entries inside the root, unzipped size within AWS's limit. Returns the
/// unzipped size.
pub fn check_zip(bytes: &[u8]) -> Result<u64, ServiceError> {
    let mut archive =
        zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|_| errors::invalid_parameter(BAD_ZIP))?;
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(|_| errors::invalid_parameter(BAD_ZIP))?;
        let name = entry.name().to_string();
        if !inside_root(Path::new(&name)) {
            return Err(errors::invalid_parameter(format!(
                "{BAD_ZIP} The entry {name:?} would be extracted outside the package root."
            )));
        }
        let is_symlink = entry.unix_mode().is_some_and(|m| m & 0o170000 == 0o120000);
        if is_symlink {
            let mut target = String::new();
            entry
                .read_to_string(&mut target)
                .map_err(|_| errors::invalid_parameter(BAD_ZIP))?;
            let resolved = Path::new(&name).parent().unwrap_or(Path::new("")).join(&target);
            if Path::new(&target).is_absolute() || !inside_root(&resolved) {
                return Err(errors::invalid_parameter(format!(
                    "{BAD_ZIP} The symbolic link {name:?} points outside the package root ({target:?})."
                )));
            }
        }
        total = total.saturating_add(entry.size());
        if total > MAX_UNZIPPED {
            return Err(errors::invalid_parameter(format!(
                "Unzipped size must be smaller than {MAX_UNZIPPED} bytes"
            )));
        }
    }
    Ok(total)
}

/// Whether a relative path stays inside its root once `..` are applied.
fn inside_root(p: &Path) -> bool {
    let mut depth: i64 = 0;
    for c in p.components() {
        match c {
            Component::Normal(_) => depth += 1,
            Component::CurDir => {}
            Component::ParentDir => {
                depth -= 1;
                if depth < 0 {
                    return false;
                }
            }
            Component::RootDir | Component::Prefix(_) => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn zip_with(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for (name, data) in entries {
            w.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap();
            w.write_all(data).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    #[test]
    fn checks_packages() {
        assert_eq!(
            check_zip(&zip_with(&[("app.py", b"print(1)"), ("lib/x.py", b"")])).unwrap(),
            8
        );
        assert!(check_zip(b"not a zip").is_err());
        assert!(check_zip(&zip_with(&[("../evil.py", b"x")])).is_err());
        assert!(check_zip(&zip_with(&[("a/../../evil.py", b"x")])).is_err());
        assert!(check_zip(&zip_with(&[("a/../ok.py", b"x")])).is_ok());
    }

    #[tokio::test]
    async fn stores_by_hash() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let z = zip_with(&[("app.py", b"x")]);
        let p = store.put(z.clone()).await.unwrap();
        assert_eq!(p.size, z.len() as i64);
        assert_eq!(store.read(&p.sha256_hex).await.unwrap(), z);
        assert_eq!(store.put(z).await.unwrap(), p);
        assert!(store.read("../etc").await.is_err());
    }
}
