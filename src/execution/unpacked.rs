//! Function code and layers unpacked on the host, shared by every environment that runs them: the
//! code once per code hash (`<root>/code/<sha256>`), the layers once per ordered list of layer
//! hashes, merged in order into one directory (`<root>/opt/<hash>`, later layers overwriting
//! earlier ones as in `/opt` on AWS). Directories are built beside their final name and renamed,
//! so a half-unpacked tree is never used.
//!
//! Hot reload: code from a host directory is used in place, and so is a function's only layer
//! when it is a host directory. Layers that mix host directories with other layers are merged
//! like zips (the directories copied) into `<root>/opt/hot-<run>-<hash>`, the hash covering each
//! directory's change count (`changed`, from the watcher): a change gives the next environment a
//! fresh merge, and a merge no environment uses any more is removed.

use super::executor::StartError;
use super::spec::{FunctionSpec, LayerPackage};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// The host directories of one function version.
#[derive(Clone, Debug)]
pub struct Unpacked {
    /// The code (`LAMBDA_TASK_ROOT`); an empty directory for image functions.
    pub task: PathBuf,
    /// The merged layers (`/opt`).
    pub opt: PathBuf,
    /// The external extensions the layers carry (`/opt/extensions/*`, executable files), by name.
    pub extensions: Vec<String>,
    /// `task` is a host directory of hot-reload code (not ours: nothing is written beside it).
    pub task_in_place: bool,
    /// `opt` is a host directory of a hot-reload layer (likewise).
    pub opt_in_place: bool,
    /// The merge of hot-reload layers `opt` is, kept while an environment uses it.
    pub merged: Option<Arc<Merged>>,
}

/// A merge of layers with hot-reload directories among them: removed once it has been replaced
/// (after a change) and no environment holds it.
#[derive(Debug)]
pub struct Merged {
    dir: PathBuf,
}

impl Drop for Merged {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
        // The tar `--docker-copy-code` may have cached beside it.
        let _ = std::fs::remove_file(self.dir.with_extension("tar"));
    }
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
    /// Names this run's merges of hot-reload layers (a directory may have changed while
    /// fauxlambda was not running: an earlier run's merge is never reused).
    run: String,
    hot: Mutex<HotLayers>,
}

#[derive(Default)]
struct HotLayers {
    /// How many times each hot-reload directory has changed.
    changes: HashMap<PathBuf, u64>,
    /// The current merge of each list of layers with hot-reload directories among them.
    merged: HashMap<String, Arc<Merged>>,
}

impl Unpacker {
    pub fn new(root: PathBuf) -> Unpacker {
        // An earlier run's merges are never used again.
        if let Ok(dir) = std::fs::read_dir(root.join("opt")) {
            for e in dir.flatten() {
                if e.file_name().to_string_lossy().starts_with("hot-") {
                    let _ = std::fs::remove_dir_all(e.path());
                    let _ = std::fs::remove_file(e.path());
                }
            }
        }
        Unpacker {
            root,
            lock: tokio::sync::Mutex::new(()),
            run: uuid::Uuid::new_v4().simple().to_string()[..12].to_owned(),
            hot: Mutex::default(),
        }
    }

    /// A hot-reload directory changed: layers merged from it are merged again when next needed.
    pub fn changed(&self, dir: &Path) {
        let mut hot = self.hot.lock().unwrap_or_else(|e| e.into_inner());
        *hot.changes.entry(dir.to_path_buf()).or_default() += 1;
    }

    /// Where the layers of `spec` go, when hot-reload directories are among them: `(list key,
    /// this merge's directory)`; None otherwise.
    fn hot_merge(&self, spec: &FunctionSpec) -> Option<(String, PathBuf)> {
        if spec.layers.iter().all(|l| l.dir.is_none()) {
            return None;
        }
        let hot = self.hot.lock().unwrap_or_else(|e| e.into_inner());
        let (mut list, mut merge) = (Sha256::new(), Sha256::new());
        for l in &spec.layers {
            match &l.dir {
                Some(dir) => {
                    let path = dir.to_string_lossy();
                    list.update(format!("dir {path}\n"));
                    let n = hot.changes.get(dir).copied().unwrap_or(0);
                    merge.update(format!("dir {path} {n}\n"));
                }
                None => {
                    list.update(format!("zip {}\n", l.sha256_hex));
                    merge.update(format!("zip {}\n", l.sha256_hex));
                }
            }
        }
        let dir = self
            .root
            .join("opt")
            .join(format!("hot-{}-{}", self.run, hex(&merge.finalize())));
        Some((hex(&list.finalize()), dir))
    }

    /// Keeps `dir` as the current merge of the list `key` (an earlier one goes once unused).
    fn keep_merge(&self, key: String, dir: PathBuf) -> Arc<Merged> {
        let mut hot = self.hot.lock().unwrap_or_else(|e| e.into_inner());
        match hot.merged.get(&key) {
            Some(m) if m.dir == dir => m.clone(),
            _ => {
                let m = Arc::new(Merged { dir });
                hot.merged.insert(key, m.clone());
                m
            }
        }
    }

    /// The code and layer directories of `spec`, unpacked when first needed.
    pub async fn unpack(&self, spec: &FunctionSpec) -> Result<Unpacked, StartError> {
        let _guard = self.lock.lock().await;
        let root = self.root.clone();
        let spec = spec.clone();
        let hot_merge = self.hot_merge(&spec);
        let merge_dir = hot_merge.as_ref().map(|(_, dir)| dir.clone());
        let (task, opt, extensions, task_in_place, opt_in_place) = tokio::task::spawn_blocking(move || {
            let missing = |dir: &Path| {
                std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    format!("the hot-reload directory {} is not there", dir.display()),
                )
            };
            let (task, task_in_place) = if spec.image.is_some() {
                let empty = root.join("code").join("empty");
                std::fs::create_dir_all(&empty)?;
                (empty, false)
            } else if let Some(dir) = &spec.code_dir {
                if !dir.is_dir() {
                    return Err(missing(dir));
                }
                (dir.clone(), true)
            } else {
                let task = root.join("code").join(&spec.code_sha256_hex);
                unpack_once(&task, &[Source::Zip(&spec.code_zip)])?;
                (task, false)
            };
            for dir in spec.layers.iter().filter_map(|l| l.dir.as_ref()) {
                if !dir.is_dir() {
                    return Err(missing(dir));
                }
            }
            let (opt, opt_in_place) = match (merge_dir, spec.layers.as_slice()) {
                // A function's only layer, a host directory: used in place, like hot-reload code.
                (_, [LayerPackage { dir: Some(dir), .. }]) => (dir.clone(), true),
                (Some(merge), layers) => {
                    let sources: Vec<Source<'_>> = layers.iter().map(Source::of).collect();
                    unpack_once(&merge, &sources)?;
                    (merge, false)
                }
                (None, layers) => {
                    let key = if layers.is_empty() {
                        "none".to_owned()
                    } else {
                        let mut h = Sha256::new();
                        for l in layers {
                            h.update(l.sha256_hex.as_bytes());
                            h.update(b"\n");
                        }
                        hex(&h.finalize())
                    };
                    let opt = root.join("opt").join(key);
                    let sources: Vec<Source<'_>> = layers.iter().map(Source::of).collect();
                    unpack_once(&opt, &sources)?;
                    (opt, false)
                }
            };
            let extensions = Unpacked::find_extensions(&opt);
            Ok((task, opt, extensions, task_in_place, opt_in_place))
        })
        .await
        .map_err(|e| StartError::sandbox(format!("unpacking failed: {e}")))?
        .map_err(|e: std::io::Error| StartError::sandbox(format!("unpacking the function failed: {e}")))?;
        let merged = match hot_merge {
            Some((key, dir)) if !opt_in_place => Some(self.keep_merge(key, dir)),
            _ => None,
        };
        Ok(Unpacked {
            task,
            opt,
            extensions,
            task_in_place,
            opt_in_place,
            merged,
        })
    }
}

/// What goes into an unpacked directory: a zip, or a host directory copied.
enum Source<'a> {
    Zip(&'a Path),
    Dir(&'a Path),
}

impl<'a> Source<'a> {
    fn of(layer: &'a LayerPackage) -> Source<'a> {
        match &layer.dir {
            Some(dir) => Source::Dir(dir),
            None => Source::Zip(&layer.zip),
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Unpacks the sources in order into `dest` unless it exists (built in a sibling, then renamed).
fn unpack_once(dest: &Path, sources: &[Source<'_>]) -> std::io::Result<()> {
    if dest.is_dir() {
        return Ok(());
    }
    let parent = dest.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent)?;
    let tmp = tempfile::Builder::new().prefix(".unpack").tempdir_in(parent)?;
    for source in sources {
        match source {
            Source::Zip(zip) => {
                let file = std::fs::File::open(zip)?;
                let mut archive = zip::ZipArchive::new(file).map_err(std::io::Error::other)?;
                archive.extract(tmp.path()).map_err(std::io::Error::other)?;
            }
            Source::Dir(dir) => copy_tree(dir, tmp.path())?,
        }
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

/// Copies the tree `src` into `dest` (files overwritten, modes kept, symbolic links as links).
fn copy_tree(src: &Path, dest: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dest)?;
    for entry in std::fs::read_dir(src)? {
        let entry = entry?;
        let (from, to) = (entry.path(), dest.join(entry.file_name()));
        let kind = entry.file_type()?;
        if kind.is_dir() {
            copy_tree(&from, &to)?;
        } else if kind.is_symlink() {
            let _ = std::fs::remove_file(&to);
            std::os::unix::fs::symlink(std::fs::read_link(&from)?, &to)?;
        } else {
            if to.is_symlink() {
                std::fs::remove_file(&to)?;
            }
            std::fs::copy(&from, &to)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) {
        std::fs::create_dir_all(dir.join(name).parent().unwrap()).unwrap();
        std::fs::write(dir.join(name), text).unwrap();
    }

    fn layer_dir(dir: &Path) -> LayerPackage {
        LayerPackage {
            dir: Some(dir.to_path_buf()),
            ..Default::default()
        }
    }

    #[tokio::test]
    async fn hot_reload_layers_are_used_in_place_alone_and_merged_again_after_a_change() {
        let t = tempfile::tempdir().unwrap();
        let (a, b, code) = (t.path().join("a"), t.path().join("b"), t.path().join("code"));
        write(&a, "python/m.py", "A = 1");
        write(&a, "shared.txt", "from a");
        write(&b, "shared.txt", "from b");
        write(&code, "app.py", "");
        let unpacker = Unpacker::new(t.path().join("root"));

        let mut spec = FunctionSpec {
            code_dir: Some(code.clone()),
            layers: vec![layer_dir(&a)],
            ..Default::default()
        };
        let one = unpacker.unpack(&spec).await.unwrap();
        assert_eq!((one.task.clone(), one.opt.clone()), (code.clone(), a.clone()));
        assert!(one.task_in_place && one.opt_in_place && one.merged.is_none());

        // Two layers: merged in order, the later one winning.
        spec.layers.push(layer_dir(&b));
        let first = unpacker.unpack(&spec).await.unwrap();
        assert!(!first.opt_in_place);
        assert_eq!(std::fs::read_to_string(first.opt.join("shared.txt")).unwrap(), "from b");
        assert_eq!(std::fs::read_to_string(first.opt.join("python/m.py")).unwrap(), "A = 1");
        assert_eq!(
            unpacker.unpack(&spec).await.unwrap().opt,
            first.opt,
            "reused until a change"
        );

        // A change: a fresh merge; the old one goes once nothing holds it.
        write(&a, "python/m.py", "A = 2");
        unpacker.changed(&a);
        let second = unpacker.unpack(&spec).await.unwrap();
        assert_ne!(second.opt, first.opt);
        assert_eq!(
            std::fs::read_to_string(second.opt.join("python/m.py")).unwrap(),
            "A = 2"
        );
        let old = first.opt.clone();
        assert!(old.is_dir(), "still held");
        drop(first);
        assert!(!old.is_dir(), "removed once unused");
        assert!(second.opt.is_dir());

        // A directory that is gone: a clear start error.
        std::fs::remove_dir_all(&code).unwrap();
        let e = unpacker.unpack(&spec).await.unwrap_err();
        assert!(e.message.contains("is not there"), "{e:?}");
    }
}
