//! Hot reload, the watching: one `notify` watch (recursive) per distinct host directory that
//! functions or layers run from in place, kept while some namespace uses it and dropped when none
//! does (`sync`, told by the API layer after each change that can alter the set). A change in a
//! directory is debounced (`DEBOUNCE` of quiet, at most `MAX_DELAY`), then the pool retires the
//! environments of every function version that runs from it (`Pool::hot_reloaded`: idle ones
//! stop, busy ones finish their invocation first) and one log line says what changed and what was
//! retired. The next invocation starts fresh from what the directory holds then.
//!
//! Reading a directory (a runtime importing its code) is not a change; neither are `__pycache__`
//! writes.

use super::pool::{HotRetired, Pool};
use notify::event::{EventKind, RemoveKind};
use notify::{RecommendedWatcher, RecursiveMode, Watcher};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;
use tokio::sync::Notify;

/// Quiet after the last change before environments are retired (an editor's save, or a build,
/// writes several files).
pub const DEBOUNCE: Duration = Duration::from_millis(150);
/// Changed paths a log line can name (the rest are counted).
const NAMED: usize = 16;

/// A directory that keeps changing is acted on after this long anyway.
pub const MAX_DELAY: Duration = Duration::from_secs(1);

/// The hot-reload watcher (cheap to clone).
#[derive(Clone)]
pub struct HotReload {
    shared: Arc<Shared>,
}

struct Shared {
    pool: Pool,
    /// Orders `sync` calls: each carries the number it was given in the state job that computed
    /// its set, and an older one arriving late is ignored.
    seq: AtomicU64,
    registry: Mutex<Registry>,
    /// The directories watched, for the watcher's thread to map an event's path to its root.
    /// Never held while calling into the watcher (which waits for its thread).
    roots: Mutex<BTreeSet<PathBuf>>,
    /// Changes not yet acted on, by directory.
    pending: Mutex<BTreeMap<PathBuf, Change>>,
    wake: Arc<Notify>,
}

#[derive(Default)]
struct Registry {
    /// Created on first use; None when it could not be (said once).
    watcher: Option<RecommendedWatcher>,
    failed: bool,
    /// The directories each namespace uses, with the `seq` of the set.
    users: HashMap<String, (u64, BTreeSet<PathBuf>)>,
    /// Directories with a watch.
    watched: BTreeSet<PathBuf>,
    debouncer: bool,
}

/// What changed in one directory since it was last acted on.
#[derive(Debug, Default)]
struct Change {
    /// The paths that changed, relative to the directory (the first `NAMED` distinct ones).
    paths: BTreeSet<PathBuf>,
    /// Changed paths not kept in `paths`.
    more: usize,
    /// The directory itself was removed (its watch is gone with it).
    root_removed: bool,
}

impl HotReload {
    pub fn new(pool: Pool) -> HotReload {
        HotReload {
            shared: Arc::new(Shared {
                pool,
                seq: AtomicU64::new(0),
                registry: Mutex::default(),
                roots: Mutex::default(),
                pending: Mutex::default(),
                wake: Arc::new(Notify::new()),
            }),
        }
    }

    /// A number for the set a state job is computing (jobs run one at a time, so their order).
    pub fn next_seq(&self) -> u64 {
        self.shared.seq.fetch_add(1, Ordering::SeqCst) + 1
    }

    /// Whether `namespace` uses any directory.
    pub fn in_use(&self, namespace: &str) -> bool {
        self.registry().users.get(namespace).is_some_and(|(_, d)| !d.is_empty())
    }

    /// The directories watched now.
    pub fn watched(&self) -> Vec<PathBuf> {
        self.registry().watched.iter().cloned().collect()
    }

    /// `namespace` now uses `dirs` (numbered `seq` by `next_seq`): watches are added for new
    /// directories and dropped for those no namespace uses any more.
    pub fn sync(&self, namespace: &str, seq: u64, dirs: BTreeSet<PathBuf>) {
        let mut reg = self.registry();
        match reg.users.get(namespace) {
            Some((s, _)) if *s > seq => return,
            _ => {}
        }
        if dirs.is_empty() {
            reg.users.remove(namespace);
        } else {
            reg.users.insert(namespace.to_owned(), (seq, dirs));
        }
        let wanted: BTreeSet<PathBuf> = reg.users.values().flat_map(|(_, d)| d.iter().cloned()).collect();
        let gone: Vec<PathBuf> = reg.watched.difference(&wanted).cloned().collect();
        let new: Vec<PathBuf> = wanted.difference(&reg.watched).cloned().collect();
        if gone.is_empty() && new.is_empty() {
            return;
        }
        self.ensure_watcher(&mut reg);
        for dir in gone {
            if let Some(w) = reg.watcher.as_mut() {
                let _ = w.unwatch(&dir);
            }
            reg.watched.remove(&dir);
            self.roots().remove(&dir);
            tracing::info!(
                "hot reload: no longer watching {} (nothing runs from it)",
                dir.display()
            );
        }
        for dir in new {
            self.roots().insert(dir.clone());
            reg.watched.insert(dir.clone());
            match reg.watcher.as_mut().map(|w| w.watch(&dir, RecursiveMode::Recursive)) {
                Some(Ok(())) => tracing::info!("hot reload: watching {}", dir.display()),
                Some(Err(e)) => tracing::warn!(
                    "hot reload: cannot watch {}: {e} (its functions run from it, but changes will not retire their warm environments)",
                    dir.display()
                ),
                None => {}
            }
        }
    }

    /// Forgets every namespace's directories (a reset).
    pub fn clear(&self) {
        let namespaces: Vec<String> = self.registry().users.keys().cloned().collect();
        for ns in namespaces {
            let seq = self.next_seq();
            self.sync(&ns, seq, BTreeSet::new());
        }
    }

    fn registry(&self) -> std::sync::MutexGuard<'_, Registry> {
        self.shared.registry.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn roots(&self) -> std::sync::MutexGuard<'_, BTreeSet<PathBuf>> {
        self.shared.roots.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The watcher and the debouncing task, started on first use.
    fn ensure_watcher(&self, reg: &mut Registry) {
        if !reg.debouncer {
            reg.debouncer = true;
            tokio::spawn(debounce(Arc::downgrade(&self.shared), self.shared.wake.clone()));
        }
        if reg.watcher.is_some() || reg.failed {
            return;
        }
        let shared = Arc::downgrade(&self.shared);
        match notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
            if let (Ok(event), Some(shared)) = (event, shared.upgrade()) {
                shared.record(event);
            }
        }) {
            Ok(w) => reg.watcher = Some(w),
            Err(e) => {
                reg.failed = true;
                tracing::warn!("hot reload: no file watcher ({e}): changes will not retire warm environments");
            }
        }
    }
}

impl Shared {
    /// An event from the watcher's thread: noted against the directories it falls in.
    fn record(&self, event: notify::Event) {
        if matches!(event.kind, EventKind::Access(_) | EventKind::Other) {
            return;
        }
        let mut noted = false;
        {
            let roots = self.roots.lock().unwrap_or_else(|e| e.into_inner());
            let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
            for path in &event.paths {
                for root in roots.iter().filter(|r| path.starts_with(r)) {
                    let rel = path.strip_prefix(root).unwrap_or(path);
                    if rel.components().any(|c| c.as_os_str() == "__pycache__") {
                        continue;
                    }
                    let change = pending.entry(root.clone()).or_default();
                    if change.paths.len() < NAMED {
                        change.paths.insert(rel.to_path_buf());
                    } else if !change.paths.contains(rel) {
                        change.more += 1;
                    }
                    if rel.as_os_str().is_empty()
                        && matches!(event.kind, EventKind::Remove(RemoveKind::Any | RemoveKind::Folder))
                    {
                        change.root_removed = true;
                    }
                    noted = true;
                }
            }
        }
        if noted {
            self.wake.notify_one();
        }
    }
}

/// Waits for changes, lets them settle, then retires what runs from the changed directories.
async fn debounce(shared: Weak<Shared>, wake: Arc<Notify>) {
    loop {
        wake.notified().await;
        let first = tokio::time::Instant::now();
        // Until DEBOUNCE passes without a change (or MAX_DELAY since the first).
        loop {
            let quiet = tokio::time::timeout(DEBOUNCE, wake.notified()).await.is_err();
            if quiet || first.elapsed() >= MAX_DELAY {
                break;
            }
        }
        let Some(shared) = shared.upgrade() else { return };
        let changed = std::mem::take(&mut *shared.pending.lock().unwrap_or_else(|e| e.into_inner()));
        for (dir, change) in changed {
            if change.root_removed {
                rewatch(&shared, &dir);
            }
            let retired = shared.pool.hot_reloaded(&dir);
            // Paths still there first (an editor's temporary file is gone by now).
            let (there, gone): (Vec<&PathBuf>, Vec<&PathBuf>) = change
                .paths
                .iter()
                .partition(|p| !p.as_os_str().is_empty() && dir.join(p).exists());
            let named: Vec<&Path> = there.into_iter().chain(gone).map(PathBuf::as_path).collect();
            tracing::info!("{}", describe(&dir, &named, change.more, &retired));
        }
    }
}

/// A watched directory that was removed: watched again if it is back (a build that recreates
/// its output directory).
fn rewatch(shared: &Shared, dir: &Path) {
    let mut reg = shared.registry.lock().unwrap_or_else(|e| e.into_inner());
    if !reg.watched.contains(dir) || !dir.is_dir() {
        return;
    }
    if let Some(w) = reg.watcher.as_mut() {
        let _ = w.unwatch(dir);
        if let Err(e) = w.watch(dir, RecursiveMode::Recursive) {
            tracing::warn!("hot reload: cannot watch {} again: {e}", dir.display());
        }
    }
}

/// The log line of one change: the directory, what changed in it (`paths`, and `more` not
/// named), what was retired.
fn describe(dir: &Path, paths: &[&Path], more: usize, retired: &[HotRetired]) -> String {
    let shown: Vec<String> = paths
        .iter()
        .take(3)
        .map(|p| {
            if p.as_os_str().is_empty() {
                "the directory itself".to_owned()
            } else {
                p.display().to_string()
            }
        })
        .collect();
    let what = if shown.is_empty() {
        "the directory itself".to_owned()
    } else {
        shown.join(", ")
    };
    let more = match paths.len().saturating_sub(3) + more {
        0 => String::new(),
        n => format!(" and {n} more"),
    };
    let retired = if retired.is_empty() {
        "no environments to retire".to_owned()
    } else {
        let each: Vec<String> = retired
            .iter()
            .map(|r| {
                let mut parts = Vec::new();
                if !r.stopped.is_empty() {
                    parts.push(format!("idle {} stopped", r.stopped.join(", ")));
                }
                if r.busy > 0 {
                    parts.push(format!("{} busy, stopped after their invocation", r.busy));
                }
                format!("{}:{} ({}; {})", r.function, r.version, r.region, parts.join("; "))
            })
            .collect();
        format!("retired the environments of {}", each.join(", "))
    };
    format!("hot reload: {} changed ({what}{more}): {retired}", dir.display())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_line_says_what_changed_and_what_was_retired() {
        let retired = [HotRetired {
            function: "f".into(),
            version: "$LATEST".into(),
            region: "us-east-1".into(),
            stopped: vec!["abc".into()],
            busy: 1,
        }];
        assert_eq!(
            describe(
                Path::new("/src/f"),
                &[Path::new("app.py"), Path::new("lib/a.py"), Path::new("b"), Path::new("c")],
                1,
                &retired
            ),
            "hot reload: /src/f changed (app.py, lib/a.py, b and 2 more): retired the environments of f:$LATEST (us-east-1; idle abc stopped; 1 busy, stopped after their invocation)"
        );
        assert_eq!(
            describe(Path::new("/src/f"), &[Path::new("")], 0, &[]),
            "hot reload: /src/f changed (the directory itself): no environments to retire"
        );
    }
}
