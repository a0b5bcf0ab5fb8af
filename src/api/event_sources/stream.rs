//! A stream mapping's pollers (Kinesis, DynamoDB Streams): the mapping's task finds the shards
//! (again every few seconds, for new ones) and runs one task per shard, so a slow or failing
//! batch holds back only its shard. A shard task reads from its checkpoint (else the
//! `StartingPosition`), gathers batches (`BatchSize`, `MaximumBatchingWindowInSeconds`), drops what
//! the filters drop, and invokes the function: with `ParallelizationFactor` above 1 as that many
//! concurrent lanes keyed by partition key (order kept per key). A failed batch is retried
//! (`MaximumRetryAttempts`), split in two first with `BisectBatchOnFunctionError`, retried from the
//! lowest reported item with `ReportBatchItemFailures`, and given up (to the on-failure
//! destination) when the retries run out or its records are older than `MaximumRecordAgeInSeconds`.
//! `TumblingWindowInSeconds` windows carry the function's `state` from one invocation to the next
//! and end with a final invocation. The checkpoint advances only past records done with.

use super::batch;
use super::batch_result::{self, BatchResult};
use super::invocation::{self, Outcome};
use super::on_failure::{self, Condition, Failure, Response};
use super::settings::StartingPosition;
use super::{
    dynamodb, kinesis, pause, set_last_processing_result, wait_enabled, Backoff, Settings, SourceKind, Status,
};
use crate::api::invoke::SYNC_PAYLOAD_LIMIT;
use crate::api::Api;
use crate::clock;
use crate::context;
use lambda_server::error::ServiceError;
use serde_json::Value;
use std::collections::{HashSet, VecDeque};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::time::Instant;

/// How often a shard is read while it has records (AWS: once per second)...
const POLL_INTERVAL: Duration = Duration::from_secs(1);
/// ...and at most, once it has had none for a while: an idle mapping costs next to nothing.
const IDLE_POLL_INTERVAL: Duration = Duration::from_secs(4);
/// How often the shards are listed again, for new ones.
const SHARD_REFRESH: Duration = Duration::from_secs(60);
/// A tumbling window's state may be at most 1 MB.
const STATE_LIMIT: usize = 1024 * 1024;

/// A record read from a shard: what ordering, age and the failure record need, and the record
/// as the function sees it.
#[derive(Debug)]
pub struct StreamRecord {
    pub sequence: String,
    /// Kinesis: the partition key; DynamoDB: the item's keys.
    pub partition_key: String,
    /// When it reached the stream, epoch milliseconds.
    pub arrival_ms: u64,
    /// The record's JSON, in AWS's key order.
    pub json: String,
    /// A record AWS would never have written (moto's MODIFY that changed nothing): skipped.
    pub unchanged: bool,
}

/// A shard as listed.
pub struct Shard {
    pub id: String,
}

/// Where a shard iterator starts.
pub enum From<'a> {
    After(&'a str),
    Position(StartingPosition),
}

/// The stream a mapping reads, through its service's SDK client.
pub enum Source {
    Kinesis(kinesis::Stream),
    DynamoDb(dynamodb::Stream),
}

impl Source {
    async fn open(api: &Api, s: &Settings) -> Result<Source, String> {
        Ok(match s.source {
            SourceKind::DynamoDb => Source::DynamoDb(dynamodb::Stream::open(api, s)?),
            _ => Source::Kinesis(kinesis::Stream::open(api, s)?),
        })
    }

    async fn shards(&self) -> Result<Vec<Shard>, String> {
        match self {
            Source::Kinesis(k) => k.shards().await,
            Source::DynamoDb(d) => d.shards().await,
        }
    }

    async fn iterator(&self, shard: &str, from: From<'_>) -> Result<String, String> {
        match self {
            Source::Kinesis(k) => k.iterator(shard, from).await,
            Source::DynamoDb(d) => d.iterator(shard, from).await,
        }
    }

    /// Up to `limit` records from `iterator`, and the next iterator (None: the shard is closed
    /// and read to its end).
    async fn records(
        &self,
        iterator: &str,
        limit: usize,
        shard: &str,
        role: &str,
    ) -> Result<(Vec<StreamRecord>, Option<String>), String> {
        match self {
            Source::Kinesis(k) => k.records(iterator, limit, shard, role).await,
            Source::DynamoDb(d) => d.records(iterator, limit).await,
        }
    }

    fn batch_info_key(&self) -> &'static str {
        match self {
            Source::Kinesis(_) => "KinesisBatchInfo",
            Source::DynamoDb(_) => "DDBStreamBatchInfo",
        }
    }
}

/// The answer to a create naming the stream `arn` of `service` (`checked`: Err(None) when it does
/// not exist, Err(Some(why)) when the endpoint could not say): AWS's `Stream not found: <arn>`, or
/// accepted, the poller retrying an endpoint that could not be asked.
pub fn refuse_missing(service: &str, arn: &str, checked: Result<(), Option<String>>) -> Result<(), ServiceError> {
    match checked {
        Ok(()) => Ok(()),
        Err(None) => Err(crate::errors::invalid_parameter(format!("Stream not found: {arn}"))),
        Err(Some(why)) => {
            tracing::warn!(
                "could not check the {service} stream {arn}: {why}; the mapping is created, its poller will retry"
            );
            Ok(())
        }
    }
}

/// The mapping's task: shards found and a task started for each, until the mapping is deleted
/// (dropping the set stops the shard tasks).
pub async fn run(api: Api, mut rx: watch::Receiver<Arc<Settings>>, status: Arc<Status>) {
    let mut errors = Backoff::new(Duration::from_secs(1), Duration::from_secs(30));
    let mut shards: tokio::task::JoinSet<()> = tokio::task::JoinSet::new();
    let mut running: HashSet<String> = HashSet::new();
    let mut source: Option<Arc<Source>> = None;
    loop {
        if !wait_enabled(&mut rx, &status).await {
            return;
        }
        let s = rx.borrow().clone();
        let src = match &source {
            Some(src) => src.clone(),
            None => match Source::open(&api, &s).await {
                Ok(src) => {
                    let src = Arc::new(src);
                    source = Some(src.clone());
                    src
                }
                Err(e) => {
                    status.error(&s.uuid, format!("cannot reach the stream {}: {e}", s.source_arn));
                    status.update(|st| st.state = "backing off");
                    if !pause(&mut rx, errors.next_delay()).await {
                        return;
                    }
                    continue;
                }
            },
        };
        match src.shards().await {
            Ok(list) => {
                errors.reset();
                status.update(|st| st.state = "polling");
                for shard in list {
                    if running.insert(shard.id.clone()) {
                        let reader = ShardReader {
                            api: api.clone(),
                            source: src.clone(),
                            shard: shard.id,
                            status: status.clone(),
                            rx: rx.clone(),
                        };
                        shards.spawn(context::scope(context::current_or(&api.defaults), reader.run()));
                    }
                }
            }
            Err(e) => {
                status.error(&s.uuid, format!("cannot list the shards of {}: {e}", s.source_arn));
                status.update(|st| st.state = "backing off");
                if !pause(&mut rx, errors.next_delay()).await {
                    return;
                }
                continue;
            }
        }
        if !pause(&mut rx, SHARD_REFRESH).await {
            return;
        }
    }
}

/// Records read, and the iterator after them (None: the shard is closed and read to its end).
type Fetched = (Vec<StreamRecord>, Option<String>);

/// How a batch's processing ended.
#[derive(PartialEq, Eq)]
enum Flow {
    /// Done with (delivered, or given up): the checkpoint may pass it.
    Done,
    /// The mapping was disabled or deleted first: read again from the checkpoint later.
    Stopped,
}

/// A tumbling window in progress on a shard.
struct Window {
    start_ms: u64,
    end_ms: u64,
    state: Value,
}

struct ShardReader {
    api: Api,
    source: Arc<Source>,
    shard: String,
    status: Arc<Status>,
    rx: watch::Receiver<Arc<Settings>>,
}

impl ShardReader {
    async fn run(mut self) {
        let mut iterator: Option<String> = None;
        let mut errors = Backoff::new(Duration::from_secs(1), Duration::from_secs(30));
        let mut idle = Backoff::new(POLL_INTERVAL, IDLE_POLL_INTERVAL);
        let mut window: Option<Window> = None;
        // The next records, read while the function handled the last ones.
        let mut prefetched: Option<Result<Fetched, String>> = None;
        loop {
            if !wait_enabled(&mut self.rx, &self.status).await {
                return;
            }
            let s = self.rx.borrow().clone();
            let fetched = match prefetched.take() {
                Some(f) => f,
                None => match self.open(&s, iterator.take()).await {
                    Ok(it) => self.gather(&s, it).await,
                    Err(e) => Err(e),
                },
            };
            let (records, next) = match fetched {
                Ok(r) => r,
                Err(e) => {
                    self.status.error(&s.uuid, format!("{}: {e}", self.shard));
                    if !pause(&mut self.rx, errors.next_delay()).await {
                        return;
                    }
                    continue;
                }
            };
            errors.reset();
            if records.is_empty() {
                if window.as_ref().is_some_and(|w| w.end_ms <= clock::now_epoch_ms())
                    && self.end_window(&s, &mut window, false).await == Flow::Stopped
                {
                    continue;
                }
                match next {
                    Some(next) => {
                        iterator = Some(next);
                        if !pause(&mut self.rx, idle.next_delay()).await {
                            return;
                        }
                        continue;
                    }
                    None => {
                        self.status
                            .update(|st| st.shards.entry(self.shard.clone()).or_default().finished = true);
                        return;
                    }
                }
            }
            idle.reset();
            let last = records.last().map(|r| r.sequence.clone()).unwrap_or_default();
            let count = records.len();
            let (flow, next_fetch) = match next {
                Some(it) => {
                    let (flow, f) = tokio::join!(self.process(&s, records, &mut window), self.gather(&s, it));
                    (flow, Some(f))
                }
                None => (self.process(&s, records, &mut window).await, None),
            };
            if flow == Flow::Stopped {
                // Read again from the checkpoint once enabled (what was read ahead is dropped).
                continue;
            }
            self.status.update(|st| {
                let shard = st.shards.entry(self.shard.clone()).or_default();
                shard.checkpoint = Some(last.clone());
                shard.records += count as u64;
            });
            self.save_checkpoint(&s.uuid, last).await;
            match next_fetch {
                Some(f) => prefetched = Some(f),
                None => {
                    self.status
                        .update(|st| st.shards.entry(self.shard.clone()).or_default().finished = true);
                    return;
                }
            }
        }
    }

    /// Keeps the shard's checkpoint with the mapping (on disk, with a data directory), before the
    /// next batch is read: a restart reads on after it.
    async fn save_checkpoint(&self, uuid: &str, sequence: String) {
        if !self.api.state.persistent() || sequence.is_empty() {
            return;
        }
        let (uuid, shard) = (uuid.to_owned(), self.shard.clone());
        if let Err(e) = self
            .api
            .state(move |s| s.event_source_mappings.set_checkpoint(&uuid, &shard, sequence))
            .await
        {
            tracing::warn!("{}: the checkpoint could not be saved: {e}", self.shard);
        }
    }

    /// The iterator to read from: the one in hand, else one from the checkpoint (or the
    /// mapping's starting position).
    async fn open(&self, s: &Settings, iterator: Option<String>) -> Result<String, String> {
        if let Some(it) = iterator {
            return Ok(it);
        }
        let checkpoint = self.status.checkpoint(&self.shard);
        let from = match &checkpoint {
            Some(seq) => From::After(seq),
            None => From::Position(s.starting_position),
        };
        self.source.iterator(&self.shard, from).await
    }

    /// Records read from `it`: one read, or with a batching window, reads until the batch (for
    /// every lane) is full or the window (from the first record) ends.
    async fn gather(&self, s: &Settings, mut it: String) -> Result<Fetched, String> {
        let want = (s.batch_size * s.parallelization).min(10_000);
        let role = function_role(&self.api, s).await;
        // At most what the lanes can invoke at once: 6 MB each.
        let byte_budget = SYNC_PAYLOAD_LIMIT * s.parallelization;
        let mut out: Vec<StreamRecord> = Vec::new();
        let mut bytes = 0;
        let mut deadline: Option<Instant> = None;
        loop {
            let (records, next) = self.source.records(&it, want - out.len(), &self.shard, &role).await?;
            bytes += records.iter().map(|r| r.json.len()).sum::<usize>();
            out.extend(records);
            let Some(next) = next else { return Ok((out, None)) };
            it = next;
            if out.len() >= want || bytes >= byte_budget || s.window.is_zero() || out.is_empty() {
                return Ok((out, Some(it)));
            }
            let d = *deadline.get_or_insert_with(|| Instant::now() + s.window);
            let now = Instant::now();
            if now >= d {
                return Ok((out, Some(it)));
            }
            tokio::time::sleep((d - now).min(Duration::from_millis(250))).await;
        }
    }

    /// Everything read in one go: filtered, then in batches per lane (or per tumbling window).
    async fn process(&self, s: &Settings, records: Vec<StreamRecord>, window: &mut Option<Window>) -> Flow {
        let total = records.len();
        let records: Vec<Arc<StreamRecord>> = records
            .into_iter()
            .filter(|r| !r.unchanged && passes(s, r))
            .map(Arc::new)
            .collect();
        let dropped = total - records.len();
        if dropped > 0 {
            self.status.update(|st| st.filtered += dropped as u64);
        }
        if records.is_empty() {
            return Flow::Done;
        }
        if let Some(width) = s.tumbling_window {
            return self.process_windowed(s, records, window, width).await;
        }
        let lanes = lanes(records, s.parallelization);
        let runs = lanes.into_iter().map(|lane| async move {
            for batch in batches(&lane, s.batch_size) {
                if self.batch(s, batch.to_vec(), None).await.0 == Flow::Stopped {
                    return Flow::Stopped;
                }
            }
            Flow::Done
        });
        let flows = futures_util::future::join_all(runs).await;
        if flows.contains(&Flow::Stopped) {
            Flow::Stopped
        } else {
            Flow::Done
        }
    }

    async fn process_windowed(
        &self,
        s: &Settings,
        records: Vec<Arc<StreamRecord>>,
        window: &mut Option<Window>,
        width: Duration,
    ) -> Flow {
        let width_ms = width.as_millis().max(1) as u64;
        let mut rest = records.as_slice();
        while !rest.is_empty() {
            let start = rest[0].arrival_ms / width_ms * width_ms;
            let n = rest
                .iter()
                .take_while(|r| r.arrival_ms / width_ms * width_ms == start)
                .count();
            let (group, later) = rest.split_at(n);
            rest = later;
            if window.as_ref().is_some_and(|w| w.start_ms != start)
                && self.end_window(s, window, false).await == Flow::Stopped
            {
                return Flow::Stopped;
            }
            window.get_or_insert_with(|| Window {
                start_ms: start,
                end_ms: start + width_ms,
                state: Value::Object(Default::default()),
            });
            for batch in batches(group, s.batch_size) {
                let (flow, state) = self.batch(s, batch.to_vec(), window.as_ref()).await;
                if flow == Flow::Stopped {
                    return Flow::Stopped;
                }
                if let (Some(w), Some(state)) = (window.as_mut(), state) {
                    w.state = state;
                    if serde_json::to_vec(&w.state).map_or(0, |v| v.len()) > STATE_LIMIT {
                        // The state outgrew its limit: the window ends early.
                        if self.end_window(s, window, true).await == Flow::Stopped {
                            return Flow::Stopped;
                        }
                    }
                }
            }
        }
        Flow::Done
    }

    /// The final invocation of the window in progress (no records, `isFinalInvokeForWindow`).
    async fn end_window(&self, s: &Settings, window: &mut Option<Window>, early: bool) -> Flow {
        let Some(w) = window.as_ref() else { return Flow::Done };
        let payload = window_event(s, &self.shard, &[], w, true, early);
        let flow = match self.invoke_until_run(s, payload).await {
            None => Flow::Stopped,
            Some(Outcome::Failed(a)) => {
                self.status.error(
                    &s.uuid,
                    format!(
                        "{}: the final invocation of a window failed (request {})",
                        self.shard, a.request_id
                    ),
                );
                Flow::Done
            }
            Some(_) => Flow::Done,
        };
        if flow == Flow::Done {
            *window = None;
        }
        flow
    }

    /// Invokes until the invocation runs (a throttle or a function being updated is not a
    /// failure); None when the mapping was disabled or deleted meanwhile.
    async fn invoke_until_run(&self, s: &Settings, payload: Vec<u8>) -> Option<Outcome> {
        let mut waits = Backoff::new(Duration::from_millis(100), Duration::from_secs(2));
        loop {
            match invocation::invoke(&self.api, s, payload.clone()).await {
                Outcome::NotRun(why) => {
                    self.status.error(
                        &s.uuid,
                        format!("{}: batch not invoked, trying again: {why}", self.shard),
                    );
                    if self.rx.has_changed().is_err() || !self.rx.borrow().enabled {
                        return None;
                    }
                    tokio::time::sleep(waits.next_delay()).await;
                }
                other => return Some(other),
            }
        }
    }

    /// One batch to its end: delivered, or given up after its retries (and bisections); with a
    /// tumbling window, the state the function answered.
    async fn batch(
        &self,
        s: &Settings,
        records: Vec<Arc<StreamRecord>>,
        window: Option<&Window>,
    ) -> (Flow, Option<Value>) {
        // (records, invocations so far, retries so far)
        let mut pending: VecDeque<(Vec<Arc<StreamRecord>>, u32, u32)> = VecDeque::from([(records, 0, 0)]);
        let mut waits = Backoff::new(Duration::from_millis(200), Duration::from_secs(10));
        let mut state = None;
        while let Some((mut batch, mut invokes, retries)) = pending.pop_front() {
            if let Some(age) = s.max_record_age {
                let oldest_ok = clock::now_epoch_ms().saturating_sub(age.as_millis() as u64);
                let (old, fresh): (Vec<_>, Vec<_>) = batch.into_iter().partition(|r| r.arrival_ms < oldest_ok);
                if !old.is_empty() {
                    self.give_up(s, old, Condition::RecordAgeExceeded, invokes, None);
                }
                batch = fresh;
                if batch.is_empty() {
                    continue;
                }
            }
            let payload = match window {
                Some(w) => window_event(s, &self.shard, &batch, w, false, false),
                None => event(&batch),
            };
            let Some(outcome) = self.invoke_until_run(s, payload).await else {
                return (Flow::Stopped, None);
            };
            invokes += 1;
            // (the records still failing, the failure's answer, whether the whole batch failed)
            let (failing, response, whole) = match outcome {
                Outcome::Answered(a) => {
                    let ids: Vec<&str> = batch.iter().map(|r| r.sequence.as_str()).collect();
                    let windowed_state = match window {
                        Some(_) => match tumbling_state(&a.payload) {
                            Ok(v) => Some(v),
                            Err(why) => {
                                self.status.error(&s.uuid, format!("{}: {why}", self.shard));
                                None
                            }
                        },
                        None => None,
                    };
                    let result = if window.is_some() && windowed_state.is_none() {
                        BatchResult::Failed("no state in the answer".into())
                    } else if s.report_failures {
                        batch_result::parse(&a.payload, &ids)
                    } else {
                        BatchResult::Success
                    };
                    let response = Response {
                        request_id: a.request_id,
                        executed_version: a.executed_version,
                        function_error: None,
                    };
                    match result {
                        BatchResult::Success => {
                            self.status.delivered(batch.len());
                            set_last_processing_result(&self.api, &s.uuid, "OK").await;
                            state = windowed_state;
                            waits.reset();
                            continue;
                        }
                        BatchResult::Partial(failed) => {
                            let first = batch.iter().position(|r| failed.contains(&r.sequence)).unwrap_or(0);
                            self.status.delivered(first);
                            (batch.split_off(first), response, false)
                        }
                        BatchResult::Failed(why) => {
                            self.status
                                .error(&s.uuid, format!("{}: the whole batch failed: {why}", self.shard));
                            (batch, response, true)
                        }
                    }
                }
                Outcome::Failed(a) => {
                    self.status.error(
                        &s.uuid,
                        format!(
                            "{}: the function failed ({}, request {})",
                            self.shard,
                            a.error_type.as_deref().unwrap_or("Unhandled"),
                            a.request_id
                        ),
                    );
                    let response = Response {
                        request_id: a.request_id,
                        executed_version: a.executed_version,
                        function_error: a.error_type.or(Some("Unhandled".into())),
                    };
                    (batch, response, true)
                }
                Outcome::NotRun(_) => return (Flow::Stopped, None),
            };
            self.status.update(|st| st.failed_invocations += 1);
            set_last_processing_result(&self.api, &s.uuid, "PROBLEM: Function call failed").await;
            if s.bisect && whole && failing.len() > 1 {
                // Halves are retried each on its own; a split is not a retry.
                let mut first = failing;
                let second = first.split_off(first.len() / 2);
                pending.push_front((second, invokes, retries));
                pending.push_front((first, invokes, retries));
                continue;
            }
            if s.max_retries.is_some_and(|max| retries >= max) {
                self.give_up(s, failing, Condition::RetryAttemptsExhausted, invokes, Some(response));
                continue;
            }
            if !pause_while_enabled(&self.rx, waits.next_delay()).await {
                return (Flow::Stopped, None);
            }
            pending.push_front((failing, invokes, retries + 1));
        }
        (Flow::Done, state)
    }

    /// Records given up: to the on-failure destination, if any.
    fn give_up(
        &self,
        s: &Settings,
        records: Vec<Arc<StreamRecord>>,
        condition: Condition,
        invokes: u32,
        response: Option<Response>,
    ) {
        self.status.update(|st| st.discarded += records.len() as u64);
        tracing::info!(
            "event source mapping {}: {}: {} record(s) given up ({}, {invokes} invocation(s))",
            s.uuid,
            self.shard,
            records.len(),
            condition.as_str()
        );
        let Some(target) = s.on_failure.clone() else { return };
        let failure = Failure {
            settings: s.clone(),
            shard: self.shard.clone(),
            batch_info_key: self.source.batch_info_key(),
            records,
            condition,
            invokes,
            response,
        };
        on_failure::send(&self.api, failure, target);
    }
}

/// Sleeps `delay` unless the mapping is disabled or deleted meanwhile (false then).
async fn pause_while_enabled(rx: &watch::Receiver<Arc<Settings>>, delay: Duration) -> bool {
    let mut rx = rx.clone();
    let deadline = Instant::now() + delay;
    loop {
        if !rx.borrow_and_update().enabled {
            return false;
        }
        tokio::select! {
            _ = tokio::time::sleep_until(deadline) => return true,
            changed = rx.changed() => if changed.is_err() { return false },
        }
    }
}

fn passes(s: &Settings, r: &StreamRecord) -> bool {
    if s.filters.is_empty() {
        return true;
    }
    serde_json::from_str(&r.json).is_ok_and(|v| s.filters.matches(&v))
}

/// Records in batches of at most `size` whose event stays within 6 MB.
fn batches(records: &[Arc<StreamRecord>], size: usize) -> Vec<&[Arc<StreamRecord>]> {
    batch::split(records, size, |r| r.json.as_str())
}

/// Records in `n` lanes by partition key, each in shard order.
fn lanes(records: Vec<Arc<StreamRecord>>, n: usize) -> Vec<Vec<Arc<StreamRecord>>> {
    if n <= 1 {
        return vec![records];
    }
    let mut lanes: Vec<Vec<Arc<StreamRecord>>> = vec![Vec::new(); n];
    for r in records {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        r.partition_key.hash(&mut h);
        lanes[(h.finish() % n as u64) as usize].push(r);
    }
    lanes.retain(|l| !l.is_empty());
    lanes
}

/// `{"Records":[…]}`.
fn event(records: &[Arc<StreamRecord>]) -> Vec<u8> {
    batch::event(records.iter().map(|r| r.json.as_str()))
}

/// The event of a tumbling window's invocation (events-urls-streaming §2.3).
fn window_event(
    s: &Settings,
    shard: &str,
    records: &[Arc<StreamRecord>],
    w: &Window,
    last: bool,
    early: bool,
) -> Vec<u8> {
    let mut out = batch::open_event(records.iter().map(|r| r.json.as_str()));
    let iso = |ms: u64| clock::iso8601_ms(ms).replace(".000Z", "Z");
    let rest = serde_json::json!({
        "start": iso(w.start_ms),
        "end": iso(w.end_ms),
    });
    out.extend_from_slice(b",\"window\":");
    out.extend_from_slice(rest.to_string().as_bytes());
    out.extend_from_slice(b",\"state\":");
    out.extend_from_slice(w.state.to_string().as_bytes());
    out.extend_from_slice(format!(",\"shardId\":{}", Value::from(shard)).as_bytes());
    out.extend_from_slice(format!(",\"eventSourceARN\":{}", Value::from(s.source_arn.as_str())).as_bytes());
    out.extend_from_slice(
        format!(",\"isFinalInvokeForWindow\":{last},\"isWindowTerminatedEarly\":{early}}}").as_bytes(),
    );
    out
}

/// The `state` a tumbling window's invocation must answer.
fn tumbling_state(payload: &[u8]) -> Result<Value, String> {
    let v: Value = serde_json::from_slice(payload).map_err(|_| "a tumbling window's answer is not JSON".to_string())?;
    match v.get("state") {
        Some(state @ Value::Object(_)) => Ok(state.clone()),
        _ => Err("a tumbling window's answer has no \"state\" object: the invocation counts as failed".into()),
    }
}

/// The function's execution role (Kinesis records name it as `invokeIdentityArn`).
async fn function_role(api: &Api, s: &Settings) -> String {
    let (name, qualifier) = (s.function.clone(), s.qualifier.clone());
    api.state(move |st| {
        st.functions
            .get(&name)
            .and_then(|f| f.resolve(qualifier.as_deref()))
            .and_then(|v| v.config.role.clone())
            .unwrap_or_default()
    })
    .await
    .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(seq: usize, key: &str, bytes: usize) -> Arc<StreamRecord> {
        Arc::new(StreamRecord {
            sequence: seq.to_string(),
            partition_key: key.into(),
            arrival_ms: 0,
            json: "x".repeat(bytes),
            unchanged: false,
        })
    }

    #[test]
    fn batches_keep_to_the_count_and_to_six_megabytes() {
        let small: Vec<_> = (0..25).map(|i| record(i, "k", 10)).collect();
        let sizes: Vec<usize> = batches(&small, 10).iter().map(|b| b.len()).collect();
        assert_eq!(sizes, [10, 10, 5]);
        // 1 MB records: five fit in 6 MB with the envelope, the sixth starts the next batch.
        let big: Vec<_> = (0..12).map(|i| record(i, "k", 1024 * 1024)).collect();
        let sizes: Vec<usize> = batches(&big, 100).iter().map(|b| b.len()).collect();
        assert_eq!(sizes, [5, 5, 2]);
        assert!(batches(&[], 10).is_empty());
    }

    #[test]
    fn lanes_keep_each_key_in_order() {
        let records: Vec<_> = (0..40).map(|i| record(i, &format!("k{}", i % 5), 1)).collect();
        let lanes = lanes(records, 3);
        assert!(lanes.len() <= 3);
        for key in 0..5 {
            let key = format!("k{key}");
            let holding: Vec<_> = lanes
                .iter()
                .filter(|l| l.iter().any(|r| r.partition_key == key))
                .collect();
            assert_eq!(holding.len(), 1, "one lane per key");
            let seqs: Vec<usize> = holding[0]
                .iter()
                .filter(|r| r.partition_key == key)
                .map(|r| r.sequence.parse().unwrap())
                .collect();
            assert!(seqs.windows(2).all(|w| w[0] < w[1]));
        }
    }
}
