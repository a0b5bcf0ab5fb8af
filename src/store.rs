//! The content-addressed package store: code and layer zips on disk under `<data-dir>/packages`,
//! named by their SHA-256, checked on the way in (a real zip, AWS's size limits, no entry escaping
//! the extraction root).

use crate::errors;
use base64::Engine;
use lambda_server::error::ServiceError;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
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
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
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
    /// Whether a package is synced to disk before it is used (a kept data directory).
    durable: bool,
}

impl Store {
    pub fn open(data_dir: &Path) -> std::io::Result<Store> {
        let dir = data_dir.join("packages");
        std::fs::create_dir_all(&dir)?;
        Ok(Store { dir, durable: false })
    }

    /// A store whose packages are on disk (synced) before `put` returns: the state that names
    /// them is kept across restarts.
    pub fn durable(self) -> Store {
        Store { durable: true, ..self }
    }

    pub fn path(&self, sha256_hex: &str) -> PathBuf {
        self.dir.join(format!("{sha256_hex}.zip"))
    }

    /// Checks and stores a zip (off the async runtime: hashing and reading a 50 MB zip takes time).
    /// A durable store syncs the new file to disk in a second step, after the request's bytes are
    /// freed: a large upload's memory is not held while the disk catches up.
    pub async fn put(&self, bytes: Vec<u8>) -> Result<Package, ServiceError> {
        let failed = |e: &dyn std::fmt::Display| errors::service(format!("storing the package failed: {e}"));
        let store = self.clone();
        let (package, unsynced) = tokio::task::spawn_blocking(move || store.put_blocking(&bytes))
            .await
            .map_err(|e| failed(&e))??;
        if let Some(tmp) = unsynced {
            let store = self.clone();
            let path = self.path(&package.sha256_hex);
            tokio::task::spawn_blocking(move || store.sync_into_place(&tmp, &path))
                .await
                .map_err(|e| failed(&e))?
                .map_err(|e| failed(&e))?;
        }
        Ok(package)
    }

    /// Checks the zip and writes it when it is new: in place (a temporary store), or to a
    /// temporary name it answers, for `sync_into_place` (a durable one).
    fn put_blocking(&self, bytes: &[u8]) -> Result<(Package, Option<PathBuf>), ServiceError> {
        let unzipped_size = check_zip(bytes)?;
        let digest = Sha256::digest(bytes);
        let sha256_hex = digest.iter().map(|b| format!("{b:02x}")).collect::<String>();
        let path = self.path(&sha256_hex);
        let mut unsynced = None;
        if !path.exists() {
            // A name of its own: two uploads of the same zip at once each write their copy.
            let tmp = self
                .dir
                .join(format!(".{sha256_hex}.{}", uuid::Uuid::new_v4().simple()));
            let written = std::fs::write(&tmp, bytes).and_then(|()| match self.durable {
                true => {
                    unsynced = Some(tmp.clone());
                    Ok(())
                }
                false => std::fs::rename(&tmp, &path),
            });
            written.map_err(|e| errors::service(format!("storing the package failed: {e}")))?;
        }
        let package = Package {
            sha256_b64: base64::engine::general_purpose::STANDARD.encode(digest),
            sha256_hex,
            size: bytes.len() as i64,
            unzipped_size,
        };
        Ok((package, unsynced))
    }

    /// A written package on disk for good: synced, renamed to its name, the rename synced.
    fn sync_into_place(&self, tmp: &Path, path: &Path) -> std::io::Result<()> {
        std::fs::File::open(tmp)?.sync_all()?;
        std::fs::rename(tmp, path)?;
        std::fs::File::open(&self.dir)?.sync_all()
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

/// Validates a zip as AWS does at upload: every entry decompresses (its checksum right), entries and
/// symbolic links stay inside the root however the links chain, and the bytes it unzips to — counted
/// as they come out, whatever the entries declare — are within AWS's limit. Returns that size.
pub fn check_zip(bytes: &[u8]) -> Result<u64, ServiceError> {
    let mut archive =
        zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|_| errors::invalid_parameter(BAD_ZIP))?;
    let too_big = || errors::invalid_parameter(format!("Unzipped size must be smaller than {MAX_UNZIPPED} bytes"));
    let mut total: u64 = 0;
    let mut names = Vec::with_capacity(archive.len());
    let mut links: HashMap<String, String> = HashMap::new();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(|_| errors::invalid_parameter(BAD_ZIP))?;
        let name = entry.name().trim_end_matches('/').to_string();
        let is_symlink = entry.unix_mode().is_some_and(|m| m & 0o170000 == 0o120000);
        if is_symlink {
            let mut target = String::new();
            (&mut entry)
                .take(4096)
                .read_to_string(&mut target)
                .map_err(|_| errors::invalid_parameter(BAD_ZIP))?;
            links.insert(name.clone(), target);
        } else {
            // Decompressed for real: a size the entry declares is not trusted, and reading it to
            // the end checks its CRC.
            let left = MAX_UNZIPPED - total;
            let n = std::io::copy(&mut (&mut entry).take(left + 1), &mut std::io::sink())
                .map_err(|_| errors::invalid_parameter(BAD_ZIP))?;
            total += n;
            if total > MAX_UNZIPPED {
                return Err(too_big());
            }
        }
        names.push(name);
    }
    for name in &names {
        if resolve(name, &links).is_none() {
            return Err(errors::invalid_parameter(format!(
                "{BAD_ZIP} The entry {name:?} would be extracted outside the package root."
            )));
        }
    }
    for (name, target) in &links {
        let joined = match Path::new(name).parent() {
            Some(parent) if !Path::new(target).is_absolute() => parent.join(target),
            _ => PathBuf::from(target),
        };
        if Path::new(target).is_absolute() || resolve(&joined.to_string_lossy(), &links).is_none() {
            return Err(errors::invalid_parameter(format!(
                "{BAD_ZIP} The symbolic link {name:?} points outside the package root ({target:?})."
            )));
        }
    }
    Ok(total)
}

/// Resolves `path` inside the package root, following the archive's symbolic links as the file
/// system would once unpacked; None when it leaves the root (or links loop).
fn resolve(path: &str, links: &HashMap<String, String>) -> Option<Vec<String>> {
    let mut hops = 0;
    let mut done: Vec<String> = Vec::new();
    let mut todo: Vec<String> = components(Path::new(path))?;
    todo.reverse();
    while let Some(c) = todo.pop() {
        if c == ".." {
            done.pop()?;
            continue;
        }
        done.push(c);
        let so_far = done.join("/");
        if let Some(target) = links.get(&so_far) {
            hops += 1;
            if hops > 40 || Path::new(target).is_absolute() {
                return None;
            }
            done.pop();
            let mut more = components(Path::new(target))?;
            more.reverse();
            todo.extend(more);
        }
    }
    Some(done)
}

/// The normal and `..` components of a relative path (`.` dropped); None for an absolute one.
fn components(p: &Path) -> Option<Vec<String>> {
    let mut out = Vec::new();
    for c in p.components() {
        match c {
            Component::Normal(n) => out.push(n.to_string_lossy().into_owned()),
            Component::ParentDir => out.push("..".into()),
            Component::CurDir => {}
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(out)
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

    fn zip_with_links(files: &[(&str, &[u8])], links: &[(&str, &str)]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for (name, data) in files {
            w.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap();
            w.write_all(data).unwrap();
        }
        for (name, target) in links {
            w.add_symlink(*name, *target, zip::write::SimpleFileOptions::default())
                .unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    #[test]
    fn symbolic_links_are_resolved_through_each_other() {
        let ok = zip_with_links(&[("d/a.py", b"x")], &[("d/s1", "a.py"), ("top", "d/s1")]);
        assert!(check_zip(&ok).is_ok());
        // `d/s1 -> ..` stays inside; `d/s1x -> s1/..` is `d/../..`: outside.
        let chain = zip_with_links(&[("d/a.py", b"x")], &[("d/s1", ".."), ("d/s1x", "s1/..")]);
        let e = format!("{:?}", check_zip(&chain).unwrap_err());
        assert!(e.contains("d/s1x") && e.contains("outside the package root"), "{e}");
        // A file entry written through a link that leaves the root.
        let through = zip_with_links(&[("d/l/evil.py", b"x")], &[("d/l", "../..")]);
        assert!(check_zip(&through).is_err());
        // Links that loop.
        let looping = zip_with_links(&[], &[("a", "b"), ("b", "a")]);
        assert!(check_zip(&looping).is_err());
        assert!(check_zip(&zip_with_links(&[], &[("abs", "/etc/passwd")])).is_err());
    }

    /// A zip whose deflated entry of `real` zero bytes declares `declared` bytes.
    pub fn lying_zip(real: usize, declared: u32) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        w.start_file("big.bin", opts).unwrap();
        let chunk = vec![0u8; 1 << 20];
        let mut left = real;
        while left > 0 {
            let n = left.min(chunk.len());
            w.write_all(&chunk[..n]).unwrap();
            left -= n;
        }
        let mut bytes = w.finish().unwrap().into_inner();
        // The uncompressed size: at 22 in the local header, at 24 in the central directory's.
        bytes[22..26].copy_from_slice(&declared.to_le_bytes());
        let central = bytes.windows(4).rposition(|w| w == [0x50, 0x4b, 0x01, 0x02]).unwrap();
        bytes[central + 24..central + 28].copy_from_slice(&declared.to_le_bytes());
        bytes
    }

    #[test]
    fn sizes_are_counted_not_trusted() {
        let z = lying_zip(300 * 1024 * 1024, 1000);
        let e = format!("{:?}", check_zip(&z).unwrap_err());
        assert!(e.contains("Unzipped size must be smaller than 262144000 bytes"), "{e}");
        assert_eq!(check_zip(&lying_zip(5000, 5000)).unwrap(), 5000);
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
