//! The event source mappings' pollers: one task per enabled mapping (per shard for streams, in
//! `stream.rs`), reading its source through the official SDK client at the configured endpoint,
//! and invoking the function synchronously with AWS's batches. This module owns the registry of
//! running pollers (`EventSources`): it starts, reconfigures and stops them as mappings are
//! created, updated, disabled and deleted (`apply`), and keeps what each has done (`Status`) for
//! `/_fauxlambda/event-source-mappings`. Sources: `sqs.rs` (standard and FIFO queues),
//! `kinesis.rs` and `dynamodb.rs` (streams, through `stream.rs`). Filters are `filter.rs`, a batch's
//! event and size `batch.rs`, the function's answer `batch_result.rs`, one invocation `invocation.rs`, a stream batch's
//! on-failure record `on_failure.rs`.

pub mod batch;
pub mod batch_result;
pub mod dynamodb;
pub mod filter;
pub mod invocation;
pub mod kinesis;
pub mod on_failure;
pub mod settings;
pub mod sqs;
pub mod stream;

use crate::api::Api;
use crate::clock;
use crate::context::{self, RequestContext};
use crate::state::event_source_mappings::Mapping;
pub use settings::{Settings, SourceKind};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;

/// A mapping's poller: its settings channel (its tasks read the newest between calls to the
/// source; dropping the sender ends them, once their calls in flight return: an SQS long poll is
/// never abandoned) and what it has done.
struct Poller {
    settings: watch::Sender<Arc<Settings>>,
    status: Arc<Status>,
}

/// The running pollers, by mapping UUID.
#[derive(Clone, Default)]
pub struct EventSources {
    pollers: Arc<Mutex<HashMap<String, Poller>>>,
}

impl EventSources {
    /// Brings the poller of mapping `uuid` in line with the mapping as stored now (None: deleted).
    /// Called from the state actor when a transition settles: no await, tasks are spawned, in
    /// `context` (the mapping's region and account: the namespace its function is in).
    pub fn apply(&self, api: &Api, context: RequestContext, uuid: &str, mapping: Option<&Mapping>) {
        let mut pollers = self.pollers.lock().unwrap_or_else(|p| p.into_inner());
        let Some(mapping) = mapping else {
            if pollers.remove(uuid).is_some() {
                tracing::info!("event source mapping {uuid}: deleted, its poller stops");
            }
            return;
        };
        let settings = Arc::new(Settings::of(mapping));
        if let Some(p) = pollers.get(uuid) {
            p.settings.send_replace(settings);
            return;
        }
        let status = Arc::new(Status::default());
        status.update(|s| {
            s.state = "starting";
            // A restarted mapping reads on from where it was.
            for (shard, sequence) in &mapping.checkpoints {
                s.shards.entry(shard.clone()).or_default().checkpoint = Some(sequence.clone());
            }
        });
        let (tx, rx) = watch::channel(settings.clone());
        match settings.source {
            SourceKind::Sqs { .. } => {
                tokio::spawn(context::scope(context, sqs::run(api.clone(), rx, status.clone())));
            }
            SourceKind::Kinesis | SourceKind::DynamoDb => {
                tokio::spawn(context::scope(context, stream::run(api.clone(), rx, status.clone())));
            }
            SourceKind::NotPolled(what) => {
                tracing::info!(
                    "event source mapping {uuid}: {what} sources are not polled by fauxlambda; the mapping is kept, and nothing is delivered"
                );
                status.update(|s| s.state = "not polled");
            }
        }
        pollers.insert(uuid.to_owned(), Poller { settings: tx, status });
    }

    /// Stops every poller (`/_fauxlambda/reset`).
    pub fn stop_all(&self) {
        self.pollers.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }

    /// Each poller's settings and status, by UUID.
    pub fn listing(&self) -> Vec<(Arc<Settings>, StatusSnapshot)> {
        let pollers = self.pollers.lock().unwrap_or_else(|p| p.into_inner());
        let mut out: Vec<_> = pollers
            .values()
            .map(|p| (p.settings.borrow().clone(), p.status.snapshot()))
            .collect();
        out.sort_by(|a, b| a.0.uuid.cmp(&b.0.uuid));
        out
    }
}

/// What a poller has done, shared between its tasks and the introspection endpoint.
#[derive(Default)]
pub struct Status {
    inner: Mutex<StatusSnapshot>,
}

/// A copy of a poller's status.
#[derive(Clone, Debug, Default)]
pub struct StatusSnapshot {
    /// `polling`, `disabled`, `backing off`, `not polled`, `starting`.
    pub state: &'static str,
    /// Invocations that succeeded (fully or with reported item failures).
    pub batches: u64,
    pub records: u64,
    /// Invocations that failed (function error, timeout, an invalid answer).
    pub failed_invocations: u64,
    /// Records dropped by the filters.
    pub filtered: u64,
    /// Records given up (streams: retries exhausted or too old), sent to the on-failure destination.
    pub discarded: u64,
    pub last_error: Option<String>,
    pub last_error_ms: Option<u64>,
    pub last_batch_ms: Option<u64>,
    /// Streams: per shard.
    pub shards: BTreeMap<String, ShardStatus>,
}

/// A stream shard's progress.
#[derive(Clone, Debug, Default)]
pub struct ShardStatus {
    /// The sequence number of the last record done with (delivered, filtered out or discarded).
    pub checkpoint: Option<String>,
    pub records: u64,
    /// The shard is closed and every record of it done.
    pub finished: bool,
}

impl Status {
    pub fn update(&self, f: impl FnOnce(&mut StatusSnapshot)) {
        f(&mut self.inner.lock().unwrap_or_else(|p| p.into_inner()));
    }

    pub fn snapshot(&self) -> StatusSnapshot {
        self.inner.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// An error reaching the source or invoking: kept, and logged when it is new.
    pub fn error(&self, uuid: &str, error: String) {
        let mut s = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if s.last_error.as_deref() != Some(error.as_str()) {
            tracing::warn!("event source mapping {uuid}: {error}");
        }
        s.last_error = Some(error);
        s.last_error_ms = Some(clock::now_epoch_ms());
    }

    /// A batch delivered (the function answered without failing the whole batch).
    pub fn delivered(&self, records: usize) {
        self.update(|s| {
            s.batches += 1;
            s.records += records as u64;
            s.last_batch_ms = Some(clock::now_epoch_ms());
        });
    }

    pub fn checkpoint(&self, shard: &str) -> Option<String> {
        self.inner
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .shards
            .get(shard)
            .and_then(|s| s.checkpoint.clone())
    }
}

/// A backoff that grows from `start` to `max`, doubling; `reset` when things work again.
pub struct Backoff {
    start: Duration,
    max: Duration,
    next: Duration,
}

impl Backoff {
    pub fn new(start: Duration, max: Duration) -> Backoff {
        Backoff {
            start,
            max,
            next: start,
        }
    }

    /// The delay to wait now; the next one is twice as long (up to the maximum).
    pub fn next_delay(&mut self) -> Duration {
        let d = self.next;
        self.next = (self.next * 2).min(self.max);
        d
    }

    pub fn reset(&mut self) {
        self.next = self.start;
    }
}

/// Waits `delay`, or less when the settings change; false when the mapping is gone.
pub async fn pause(rx: &mut watch::Receiver<Arc<Settings>>, delay: Duration) -> bool {
    tokio::select! {
        _ = tokio::time::sleep(delay) => true,
        changed = rx.changed() => changed.is_ok(),
    }
}

/// Waits while the mapping is disabled; false when it is gone. The status says so meanwhile.
pub async fn wait_enabled(rx: &mut watch::Receiver<Arc<Settings>>, status: &Status) -> bool {
    loop {
        if rx.has_changed().is_err() {
            return false;
        }
        if rx.borrow_and_update().enabled {
            return true;
        }
        status.update(|s| s.state = "disabled");
        if rx.changed().await.is_err() {
            return false;
        }
    }
}

/// Sets the mapping's `LastProcessingResult` (streams), through the state actor.
pub async fn set_last_processing_result(api: &Api, uuid: &str, result: &str) {
    let (uuid, result) = (uuid.to_owned(), result.to_owned());
    let _ = api
        .state(move |s| {
            s.event_source_mappings.by_uuid.update_if(
                &uuid,
                |m| m.config.last_processing_result.as_deref() != Some(result.as_str()),
                |m| m.config.last_processing_result = Some(result.clone()),
            );
        })
        .await;
}
