//! The control-plane state and the actor that owns it. One task holds every `State`, one per
//! namespace (a region of an account, as on AWS: the same function name in two regions is two
//! functions); handlers send it jobs (closures over the `&mut State` of their request's namespace)
//! and await their results, so every change is applied in order and no lock is ever taken. Jobs
//! must be quick: hashing, disk and network work happen before a job is sent.
//!
//! With a data directory (`--data-dir`) the actor also keeps the state's copy on disk
//! (`database.rs`): after each job it takes the rows the job changed (`table.rs`), and it answers
//! the jobs of a batch only once their rows are committed, so nothing acknowledged is lost. A
//! change that cannot be written is undone from the disk's copy and its job fails.

pub mod capacity_providers;
pub mod code_signing;
pub mod concurrency;
pub mod database;
pub mod durable_executions;
pub mod event_invoke_configs;
pub mod event_source_mappings;
pub mod functions;
pub mod layers;
pub mod per_qualifier;
pub mod permissions;
pub mod runtime_management;
pub mod settle;
pub mod table;
pub mod tags;
pub mod url_configs;
pub mod versions;

use database::{Database, StoredRow, Write};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use table::{Persisted, Row};
use tokio::sync::{mpsc, oneshot};

/// A region of an account: each is a namespace of its own.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Namespace {
    pub region: String,
    pub account: String,
}

impl Namespace {
    /// The namespace a request (or background work in its context) belongs to.
    pub fn of(c: &crate::context::RequestContext) -> Namespace {
        Namespace {
            region: c.region.to_string(),
            account: c.account.to_string(),
        }
    }

    /// `base` (fauxlambda's defaults) in this namespace, outside any request: the context that
    /// background work for it (pollers, queued events) runs in.
    pub fn context(&self, base: &crate::context::RequestContext) -> crate::context::RequestContext {
        crate::context::RequestContext {
            region: std::sync::Arc::from(self.region.as_str()),
            account: std::sync::Arc::from(self.account.as_str()),
            request_id: std::sync::Arc::from(""),
            ..base.clone()
        }
    }
}

/// The database table of the asynchronous events waiting in queues: written through the actor
/// (`Namespaces::journal`), read back at start-up by the queue, never held in `State`.
pub const ASYNC_EVENTS: &str = "async_events";

/// Every namespace's state, created on first use.
#[derive(Default)]
pub struct Namespaces {
    by: BTreeMap<Namespace, State>,
    /// Rows to write that no `State` table holds (asynchronous events), and a reset.
    journal: Vec<Write>,
}

impl Namespaces {
    /// The state of `ns` (empty on first use).
    pub fn get_mut(&mut self, ns: &Namespace) -> &mut State {
        if !self.by.contains_key(ns) {
            self.by.insert(ns.clone(), State::default());
        }
        self.by.get_mut(ns).expect("inserted")
    }

    /// Each namespace that holds anything, and its state.
    pub fn iter(&self) -> impl Iterator<Item = (&Namespace, &State)> {
        self.by.iter()
    }

    /// Forgets everything, on disk too (`/_fauxlambda/reset`).
    pub fn reset(&mut self) {
        self.by.clear();
        self.journal.clear();
        self.journal.push(Write::Everything);
    }

    /// Writes (or, with `value` None, removes) a row of a table `State` does not hold.
    pub fn journal(&mut self, ns: &Namespace, table: &str, key: String, value: Option<String>) {
        self.journal.push(write(ns, table, Row { key, value }));
    }

    /// What the last job changed: the rows of its tables, then its journal.
    fn take_writes(&mut self) -> Result<Vec<Write>, String> {
        let mut out = Vec::new();
        for (ns, state) in self.by.iter_mut() {
            for (table, t) in state.tables() {
                out.extend(t.take_changes()?.into_iter().map(|row| write(ns, table, row)));
            }
        }
        out.append(&mut self.journal);
        Ok(out)
    }

    fn clear_writes(&mut self) {
        for state in self.by.values_mut() {
            for (_, t) in state.tables() {
                t.clear_changes();
            }
        }
        self.journal.clear();
    }

    /// Puts the rows of `writes` back as the database has them (their change could not be written).
    fn undo(&mut self, writes: &[Write], db: &Database) {
        for w in writes {
            let (region, account, table, key) = match w {
                Write::Put(r) => (&r.region, &r.account, &r.table, &r.key),
                Write::Delete {
                    region,
                    account,
                    table,
                    key,
                } => (region, account, table, key),
                Write::Everything => continue,
            };
            let ns = Namespace {
                region: region.clone(),
                account: account.clone(),
            };
            let stored = db.read(region, account, table, key);
            let state = self.get_mut(&ns);
            if let Some((_, t)) = state.tables().into_iter().find(|(name, _)| *name == table.as_str()) {
                let undone = match stored {
                    Ok(v) => t.undo(key, v.as_deref()),
                    Err(e) => Err(e),
                };
                if let Err(e) = undone {
                    tracing::error!("undoing an unsaved change of {table} {key}: {e}");
                }
                t.clear_changes();
            }
        }
    }

    /// The state the database holds, and the asynchronous events it keeps (for the queue).
    pub fn load(rows: Vec<StoredRow>) -> Result<(Namespaces, Vec<StoredRow>), String> {
        let mut all = Namespaces::default();
        let mut events = Vec::new();
        for row in rows {
            if row.table == ASYNC_EVENTS {
                events.push(row);
                continue;
            }
            let ns = Namespace {
                region: row.region.clone(),
                account: row.account.clone(),
            };
            let state = all.get_mut(&ns);
            let Some((_, t)) = state.tables().into_iter().find(|(name, _)| *name == row.table) else {
                return Err(format!(
                    "the state database holds a table this fauxlambda does not know ({}); it was written by another version",
                    row.table
                ));
            };
            t.restore(&row.key, &row.value).map_err(|e| {
                format!(
                    "the state database's row {} {} of {}/{} cannot be read: {e}",
                    row.table, row.key, row.region, row.account
                )
            })?;
        }
        all.clear_writes();
        Ok((all, events))
    }

    /// After loading: every function `Pending` again until `Functions::finish_restart` (in memory
    /// only; the database keeps what was stored). Answers each function's namespace and name.
    pub fn restart_functions(&mut self) -> Vec<(Namespace, String)> {
        let mut out = Vec::new();
        for (ns, state) in self.by.iter_mut() {
            out.extend(state.functions.restart().into_iter().map(|name| (ns.clone(), name)));
        }
        self.clear_writes();
        out
    }

    /// After loading: ends what was still in transition when the state was stored (a provisioned
    /// concurrency config being allocated, a capacity provider being created or deleted), as it
    /// would have ended.
    pub fn finish_interrupted(&mut self) {
        for state in self.by.values_mut() {
            let provisioned: Vec<(String, String)> = state.concurrency.provisioned.keys().cloned().collect();
            for (name, qualifier) in provisioned {
                state.concurrency.finish_provisioning(&name, &qualifier);
            }
            for name in state.capacity_providers.names() {
                state.capacity_providers.activate(&name);
                if let Some(arn) = state.capacity_providers.finish_delete(&name) {
                    state.tags.forget(&arn);
                }
            }
        }
    }

    /// How many functions every namespace holds.
    pub fn function_count(&self) -> usize {
        self.by.values().map(|s| s.functions.by_name.len()).sum()
    }
}

fn write(ns: &Namespace, table: &str, row: Row) -> Write {
    match row.value {
        Some(value) => Write::Put(StoredRow {
            region: ns.region.clone(),
            account: ns.account.clone(),
            table: table.to_string(),
            key: row.key,
            value,
        }),
        None => Write::Delete {
            region: ns.region.clone(),
            account: ns.account.clone(),
            table: table.to_string(),
            key: row.key,
        },
    }
}

/// Everything the control plane knows in one namespace. Each family of resources owns its part.
#[derive(Default)]
pub struct State {
    pub functions: functions::Functions,
    pub layers: layers::Layers,
    pub permissions: permissions::Permissions,
    pub event_source_mappings: event_source_mappings::EventSourceMappings,
    pub url_configs: url_configs::UrlConfigs,
    pub concurrency: concurrency::Concurrency,
    pub event_invoke_configs: event_invoke_configs::EventInvokeConfigs,
    pub code_signing: code_signing::CodeSigning,
    pub runtime_management: runtime_management::RuntimeManagement,
    pub capacity_providers: capacity_providers::CapacityProviders,
    /// Kept in memory only: an execution cannot go on once the process that ran it is gone.
    pub durable_executions: durable_executions::DurableExecutions,
    pub tags: tags::Tags,
}

impl State {
    /// Every table that is kept on disk, under its name in the database.
    fn tables(&mut self) -> [(&'static str, &mut dyn Persisted); 16] {
        [
            ("functions", &mut self.functions.by_name),
            ("layers", &mut self.layers.by_name),
            ("retired_layer_packages", &mut self.layers.retired),
            ("permissions", &mut self.permissions.by_function),
            ("event_source_mappings", &mut self.event_source_mappings.by_uuid),
            ("url_configs", &mut *self.url_configs.by_key),
            ("reserved_concurrency", &mut self.concurrency.reserved),
            ("provisioned_concurrency", &mut *self.concurrency.provisioned),
            ("event_invoke_configs", &mut *self.event_invoke_configs.by_key),
            ("code_signing_configs", &mut self.code_signing.configs),
            ("code_signing_by_function", &mut self.code_signing.by_function),
            ("runtime_management", &mut *self.runtime_management.configs),
            ("recursion", &mut self.runtime_management.recursion),
            ("capacity_providers", &mut self.capacity_providers.by_name),
            ("scaling_configs", &mut *self.capacity_providers.scaling),
            ("tags", &mut self.tags.by_arn),
        ]
    }

    /// Forgets everything attached to a deleted function (or to one of its qualifiers, when
    /// `qualifier` is given).
    pub fn forget_function(&mut self, arn: &str, name: &str, qualifier: Option<&str>) {
        self.permissions.forget_function(name, qualifier);
        self.url_configs.forget_function(name, qualifier);
        self.concurrency.forget_function(name, qualifier);
        self.event_invoke_configs.forget_function(name, qualifier);
        self.runtime_management.forget_function(name, qualifier);
        self.event_source_mappings.forget_function(name, qualifier);
        self.capacity_providers.forget_function(name, qualifier);
        self.durable_executions.forget_function(name, qualifier);
        if qualifier.is_none() {
            self.tags.forget(arn);
            self.code_signing.forget_function(name);
        }
    }
}

/// A job's answer, sent once its changes are on disk (or could not be written).
type Reply = Box<dyn FnOnce(Result<(), String>) + Send>;
type Job = Box<dyn FnOnce(&mut Namespaces) -> Reply + Send>;

/// Jobs run one after another before their changes are committed together, at most.
const BATCH: usize = 256;

/// Why a job has no answer.
#[derive(Debug)]
pub enum StateError {
    /// The actor is gone (the server is shutting down), or the job panicked.
    Gone,
    /// Its changes could not be written to the data directory; they were undone.
    NotSaved(String),
}

impl std::fmt::Display for StateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StateError::Gone => f.write_str("the state actor is not running"),
            StateError::NotSaved(e) => write!(f, "the change could not be saved, and was undone: {e}"),
        }
    }
}

/// A handle on the state actor; cheap to clone.
#[derive(Clone)]
pub struct StateHandle {
    tx: mpsc::UnboundedSender<Job>,
    /// Whether changes are kept on disk.
    persistent: bool,
}

impl StateHandle {
    /// Starts the actor, every namespace empty and nothing kept on disk.
    pub fn spawn() -> StateHandle {
        StateHandle::start(Namespaces::default(), None)
    }

    /// Starts the actor on `state` (loaded from `db`, when given) on the current tokio runtime.
    /// Its jobs run on the event loop, as before it kept anything on disk: a job's hand-off costs
    /// no thread switch. Its commits run on the blocking pool, and the event loop goes on meanwhile.
    pub fn start(state: Namespaces, db: Option<Database>) -> StateHandle {
        let (tx, rx) = mpsc::unbounded_channel::<Job>();
        let persistent = db.is_some();
        tokio::spawn(run(rx, state, db.map(|d| Arc::new(Mutex::new(d)))));
        StateHandle { tx, persistent }
    }

    /// Whether changes are kept on disk (`--data-dir`).
    pub fn persistent(&self) -> bool {
        self.persistent
    }

    /// Runs `f` on the state of namespace `ns` and returns its result.
    pub async fn call<R: Send + 'static>(
        &self,
        ns: &Namespace,
        f: impl FnOnce(&mut State) -> R + Send + 'static,
    ) -> Result<R, StateError> {
        let ns = ns.clone();
        self.call_all(move |all| f(all.get_mut(&ns))).await
    }

    /// Runs `f` on every namespace's state (fauxlambda's own endpoints, start-up).
    pub async fn call_all<R: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Namespaces) -> R + Send + 'static,
    ) -> Result<R, StateError> {
        let (tx, rx) = oneshot::channel::<Result<R, StateError>>();
        self.tx
            .send(Box::new(move |s: &mut Namespaces| -> Reply {
                let r = f(s);
                Box::new(move |saved: Result<(), String>| {
                    let _ = tx.send(saved.map(|()| r).map_err(StateError::NotSaved));
                })
            }))
            .map_err(|_| StateError::Gone)?;
        rx.await.map_err(|_| StateError::Gone)?
    }
}

/// The actor: takes what jobs are waiting (up to `BATCH`), runs each, collects what each changed,
/// commits the batch's changes in one transaction, then answers the batch's jobs. Jobs that come
/// during a commit wait for the next batch.
async fn run(mut rx: mpsc::UnboundedReceiver<Job>, mut state: Namespaces, db: Option<Arc<Mutex<Database>>>) {
    let mut batch: Vec<(Reply, Vec<Write>)> = Vec::with_capacity(BATCH);
    while let Some(first) = rx.recv().await {
        let mut next = Some(first);
        while let Some(job) = next.take() {
            // A panicking job loses its own answer but not the state of everything else.
            let reply = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(&mut state)));
            let writes = if db.is_some() {
                state.take_writes()
            } else {
                state.clear_writes();
                Ok(Vec::new())
            };
            match (reply, writes) {
                (Ok(reply), Ok(writes)) => batch.push((reply, writes)),
                (Ok(reply), Err(e)) => {
                    tracing::error!("a state job's change cannot be saved: {e}");
                    reply(Err(e));
                }
                (Err(_), _) => tracing::error!("a state job panicked; its request fails, the state is kept"),
            }
            if batch.len() < BATCH {
                next = rx.try_recv().ok();
            }
        }
        let writes: Vec<Write> = batch.iter().flat_map(|(_, w)| w.iter().cloned()).collect();
        let saved = match &db {
            Some(db) if !writes.is_empty() => commit(db, writes).await,
            _ => Ok(()),
        };
        if let (Err((e, writes)), Some(db)) = (&saved, &db) {
            tracing::error!("the state could not be saved ({e}); the batch's changes are undone");
            state.undo(writes, &db.lock().unwrap_or_else(|p| p.into_inner()));
        }
        let saved = saved.map_err(|(e, _)| e);
        for (reply, own) in batch.drain(..) {
            // Jobs that changed nothing are answered whatever happened to the others.
            reply(if own.is_empty() { Ok(()) } else { saved.clone() });
        }
    }
}

/// Writes `writes` on the blocking pool; Err gives them back with the reason.
async fn commit(db: &Arc<Mutex<Database>>, writes: Vec<Write>) -> Result<(), (String, Vec<Write>)> {
    let db = db.clone();
    let done = tokio::task::spawn_blocking(move || {
        let r = db.lock().unwrap_or_else(|p| p.into_inner()).write(&writes);
        (r, writes)
    })
    .await;
    match done {
        Ok((Ok(()), _)) => Ok(()),
        Ok((Err(e), writes)) => Err((e, writes)),
        Err(e) => Err((format!("the commit did not finish: {e}"), Vec::new())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ns(region: &str) -> Namespace {
        Namespace {
            region: region.into(),
            account: "000000000000".into(),
        }
    }

    #[tokio::test]
    async fn jobs_run_in_order_and_survive_a_panic() {
        let h = StateHandle::spawn();
        let east = ns("us-east-1");
        h.call(&east, |s| {
            s.tags
                .set("arn:x", [("a".to_string(), "1".to_string())].into_iter().collect())
        })
        .await
        .unwrap();
        assert!(h.call(&east, |_| -> () { panic!("boom") }).await.is_err());
        let tags = h.call(&east, |s| s.tags.get("arn:x")).await.unwrap();
        assert_eq!(tags.get("a").map(String::as_str), Some("1"));
        // Another region is another namespace.
        let west = h.call(&ns("eu-west-1"), |s| s.tags.get("arn:x")).await.unwrap();
        assert!(west.is_empty());
    }

    fn tags(pairs: &[(&str, &str)]) -> std::collections::HashMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[tokio::test]
    async fn changes_are_on_disk_when_answered_and_one_that_cannot_be_written_is_undone() {
        let dir = tempfile::tempdir().unwrap();
        let east = ns("us-east-1");
        let h = StateHandle::start(Namespaces::default(), Some(Database::open(dir.path()).unwrap()));
        h.call(&east, |s| s.tags.set("arn:kept", tags(&[("a", "1")])))
            .await
            .unwrap();
        // What was answered is in the database already.
        let rows = Database::open(dir.path()).unwrap().load().unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!((rows[0].table.as_str(), rows[0].key.as_str()), ("tags", "\"arn:kept\""));
        // From now on the disk refuses that row (as a full disk would).
        let side = rusqlite::Connection::open(dir.path().join(database::FILE)).unwrap();
        side.execute_batch(
            "CREATE TRIGGER refuse BEFORE INSERT ON rows WHEN NEW.key = '\"arn:kept\"'
             BEGIN SELECT RAISE(ABORT, 'no space left (simulated)'); END;",
        )
        .unwrap();
        let refused = h.call(&east, |s| s.tags.set("arn:kept", tags(&[("b", "2")]))).await;
        match refused {
            Err(StateError::NotSaved(e)) => assert!(e.contains("no space left (simulated)"), "{e}"),
            other => panic!("answered {other:?}"),
        }
        // Undone in memory too: the state is what the disk holds.
        let now = h.call(&east, |s| s.tags.get("arn:kept")).await.unwrap();
        assert_eq!(now, tags(&[("a", "1")]));
        // Reads and other rows go on.
        h.call(&east, |s| s.tags.set("arn:other", tags(&[("c", "3")])))
            .await
            .unwrap();
        let (loaded, _) = Namespaces::load(Database::open(dir.path()).unwrap().load().unwrap()).unwrap();
        let east_state = loaded.iter().find(|(n, _)| **n == east).unwrap().1;
        assert_eq!(east_state.tags.get("arn:kept"), tags(&[("a", "1")]));
        assert_eq!(east_state.tags.get("arn:other"), tags(&[("c", "3")]));
    }

    #[test]
    fn a_restart_finishes_what_was_left_in_transition() {
        use lambda_server::model as m;
        let mut all = Namespaces::default();
        let s = all.get_mut(&ns("us-east-1"));
        s.concurrency.provisioned.insert(
            ("f".into(), "live".into()),
            concurrency::Provisioned {
                requested: 2,
                available: 0,
                allocated: 0,
                status: m::ProvisionedConcurrencyStatusEnum::InProgress,
                status_reason: None,
                last_modified: String::new(),
            },
        );
        for (name, state) in [
            ("new", m::CapacityProviderState::Pending),
            ("gone", m::CapacityProviderState::Deleting),
        ] {
            s.capacity_providers.by_name.insert(
                name.into(),
                m::CapacityProvider {
                    capacity_provider_arn: format!("arn:cp:{name}"),
                    state,
                    ..Default::default()
                },
            );
        }
        s.tags.set("arn:cp:gone", tags(&[("a", "1")]));
        all.finish_interrupted();
        let s = all.get_mut(&ns("us-east-1"));
        let p = s.concurrency.provisioned.get_for("f", "live").unwrap();
        assert_eq!(
            (p.status.clone(), p.allocated),
            (m::ProvisionedConcurrencyStatusEnum::Ready, 2)
        );
        assert_eq!(
            s.capacity_providers.by_name["new"].state,
            m::CapacityProviderState::Active
        );
        assert!(!s.capacity_providers.by_name.contains_key("gone"));
        assert!(s.tags.get("arn:cp:gone").is_empty());
    }
}
