//! Asynchronous invocation as Lambda runs it (lambda-semantics §5, events-urls-streaming §1): an
//! in-process queue per function (a timer heap; `Invoke` with `Event` and `InvokeAsync` only add
//! to it and answer 202), each event delivered at least once under its one request id, retried on
//! function errors (`schedule`), given up with a destination record (`record`) sent to its
//! OnSuccess / OnFailure destination and its dead-letter queue (`delivery`). Each function's
//! queue has a dispatcher task of its own while it holds events, which starts at most
//! `MAX_IN_FLIGHT` attempts at once (`attempt`), so a flood of events waits here, in a few
//! hundred bytes each, rather than as tasks.

mod attempt;
pub mod delivery;
pub mod persisted;
pub mod record;
pub mod schedule;

use super::Api;
use crate::state::Namespace;
use bytes::Bytes;
use schedule::Schedule;
use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::{Notify, Semaphore};
use tokio::time::Instant;

/// Attempts of one function's events running at once, at most (more wait in the queue).
pub const MAX_IN_FLIGHT: usize = 32;
/// Events queued for all functions together, at most: beyond it (or beyond the byte budget,
/// `--async-queue-mb`) `Invoke` with `Event` is throttled (429), as AWS throttles when its queue
/// is backed up.
pub const MAX_QUEUED: usize = 100_000;
/// Destination and dead-letter deliveries kept for `/_fauxlambda/async`.
const RECENT_DELIVERIES: usize = 200;

/// One asynchronous event, from its `Invoke` to its last attempt.
#[derive(Debug)]
pub struct AsyncEvent {
    /// The request id of every attempt.
    pub request_id: String,
    pub function: String,
    /// As invoked (None: unqualified, `$LATEST` resolved when it runs).
    pub qualifier: Option<String>,
    pub payload: Bytes,
    pub enqueued: Instant,
    pub enqueued_ms: u64,
    /// Attempts made (the function ran, or failed to start).
    pub attempts: u32,
    /// Times it was throttled or not accepted, and put back without using up a retry.
    pub requeues: u32,
    /// What the last attempt answered (boxed: most queued events have not run yet).
    pub last: Option<Box<record::Response>>,
}

impl AsyncEvent {
    pub fn new(request_id: String, function: String, qualifier: Option<String>, payload: Bytes) -> AsyncEvent {
        AsyncEvent {
            request_id,
            function,
            qualifier,
            payload,
            enqueued: Instant::now(),
            enqueued_ms: crate::clock::now_epoch_ms(),
            attempts: 0,
            requeues: 0,
            last: None,
        }
    }
}

/// Every function's queue, the schedule, and the recent deliveries.
#[derive(Clone)]
pub struct AsyncQueue {
    inner: Arc<Inner>,
}

struct Inner {
    schedule: Schedule,
    functions: Mutex<HashMap<String, Arc<FunctionQueue>>>,
    queued: AtomicUsize,
    /// The payload bytes of the queued events, and their budget.
    queued_bytes: AtomicUsize,
    max_bytes: usize,
    deliveries: Mutex<VecDeque<delivery::Delivery>>,
}

/// One function's events by due time, and its dispatcher's state.
struct FunctionQueue {
    name: String,
    /// The region and account of the function: its attempts run in that namespace.
    context: crate::context::RequestContext,
    heap: Mutex<Heap>,
    wake: Notify,
    permits: Arc<Semaphore>,
    /// Set when the function is deleted (or everything reset): nothing more runs or is put back.
    closed: AtomicBool,
    in_flight: AtomicUsize,
    seq: AtomicU64,
}

#[derive(Default)]
struct Heap {
    due: BinaryHeap<Reverse<Queued>>,
    dispatching: bool,
}

/// A queued event under its due time (then its arrival: earlier first).
struct Queued {
    due: Instant,
    seq: u64,
    event: Box<AsyncEvent>,
}

impl Queued {
    fn key(&self) -> (Instant, u64) {
        (self.due, self.seq)
    }
}

impl PartialEq for Queued {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}

impl Eq for Queued {}

impl PartialOrd for Queued {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Queued {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.key().cmp(&other.key())
    }
}

/// A queued event, as `/_fauxlambda/async` shows it.
pub struct QueuedListing {
    pub function: String,
    pub qualifier: Option<String>,
    pub request_id: String,
    pub attempts: u32,
    pub requeues: u32,
    pub enqueued_ms: u64,
    pub due_in_ms: u64,
}

impl AsyncQueue {
    /// A queue retrying on `schedule`, holding at most `max_bytes` of event payloads.
    pub fn new(schedule: Schedule, max_bytes: usize) -> AsyncQueue {
        AsyncQueue {
            inner: Arc::new(Inner {
                schedule,
                functions: Mutex::default(),
                queued: AtomicUsize::new(0),
                queued_bytes: AtomicUsize::new(0),
                max_bytes,
                deliveries: Mutex::default(),
            }),
        }
    }

    pub fn schedule(&self) -> Schedule {
        self.inner.schedule
    }

    /// Whether another event of `len` payload bytes fits (see `MAX_QUEUED`).
    pub fn has_room(&self, len: usize) -> bool {
        self.inner.queued.load(Ordering::Relaxed) < MAX_QUEUED
            && self.inner.queued_bytes.load(Ordering::Relaxed) + len <= self.inner.max_bytes
    }

    /// Queues a new event to run now.
    pub fn submit(&self, api: &Api, event: AsyncEvent) {
        self.put(api, event, Instant::now());
    }

    /// Queues `event` to run at `due` (a retry, or a throttled event put back).
    pub(super) fn put(&self, api: &Api, event: AsyncEvent, due: Instant) {
        let q = self.function_queue(api, &event.function);
        self.put_into(api, q, event, due);
    }

    /// Queues `event` in `q` itself (not whichever queue the function's name has now: a retry
    /// whose function was deleted meanwhile must not land in a new function's queue). False when
    /// `q` is closed, and the event dropped.
    fn put_into(&self, api: &Api, q: Arc<FunctionQueue>, event: AsyncEvent, due: Instant) -> bool {
        let seq = q.seq.fetch_add(1, Ordering::Relaxed);
        let len = event.payload.len();
        let start = {
            let mut heap = q.heap.lock().unwrap_or_else(|p| p.into_inner());
            // Checked under the heap's lock, which `close` takes too: nothing lands in a closed queue.
            if q.closed.load(Ordering::Acquire) {
                return false;
            }
            heap.due.push(Reverse(Queued {
                due,
                seq,
                event: Box::new(event),
            }));
            !std::mem::replace(&mut heap.dispatching, true)
        };
        self.inner.queued.fetch_add(1, Ordering::Relaxed);
        self.inner.queued_bytes.fetch_add(len, Ordering::Relaxed);
        if start {
            tokio::spawn(dispatch(self.clone(), api.clone(), q));
        } else {
            q.wake.notify_one();
        }
        true
    }

    /// The queue of function `name` in the namespace of the request (or attempt) being served.
    fn function_queue(&self, api: &Api, name: &str) -> Arc<FunctionQueue> {
        let mut context = crate::context::current_or(&api.defaults);
        context.request_id = Arc::from("");
        let key = queue_key(&api.namespace(), name);
        let mut functions = self.inner.functions.lock().unwrap_or_else(|p| p.into_inner());
        functions
            .entry(key)
            .or_insert_with(|| {
                Arc::new(FunctionQueue {
                    name: name.to_owned(),
                    context,
                    heap: Mutex::default(),
                    wake: Notify::new(),
                    permits: Arc::new(Semaphore::new(MAX_IN_FLIGHT)),
                    closed: AtomicBool::new(false),
                    in_flight: AtomicUsize::new(0),
                    seq: AtomicU64::new(0),
                })
            })
            .clone()
    }

    /// Drops a deleted function's queued events (its attempts in flight finish, and are not
    /// retried), and their rows in the data directory.
    pub async fn drop_function(&self, api: &Api, ns: &Namespace, name: &str) {
        let q = self
            .inner
            .functions
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&queue_key(ns, name));
        let dropped = q.map(|q| self.close(&q)).unwrap_or_default();
        persisted::forget_all(api, ns, dropped).await;
    }

    /// Drops every queued event and the delivery record (`/_fauxlambda/reset`).
    pub fn clear(&self) -> usize {
        let all: Vec<Arc<FunctionQueue>> = self
            .inner
            .functions
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .drain()
            .map(|(_, q)| q)
            .collect();
        self.inner.deliveries.lock().unwrap_or_else(|p| p.into_inner()).clear();
        all.iter().map(|q| self.close(q).len()).sum()
    }

    /// Closes a queue: the request ids of the events it held.
    fn close(&self, q: &FunctionQueue) -> Vec<String> {
        let events = {
            let mut heap = q.heap.lock().unwrap_or_else(|p| p.into_inner());
            q.closed.store(true, Ordering::Release);
            std::mem::take(&mut heap.due)
        };
        let dropped = events.len();
        let bytes: usize = events.iter().map(|Reverse(q)| q.event.payload.len()).sum();
        self.inner.queued.fetch_sub(dropped, Ordering::Relaxed);
        self.inner.queued_bytes.fetch_sub(bytes, Ordering::Relaxed);
        q.wake.notify_one();
        events.into_iter().map(|Reverse(q)| q.event.request_id).collect()
    }

    /// The queued events (of one function), soonest first, and the attempts running per function.
    pub fn listing(&self, function: Option<&str>) -> (Vec<QueuedListing>, BTreeMap<String, usize>) {
        let queues: Vec<Arc<FunctionQueue>> = self
            .inner
            .functions
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .values()
            .filter(|q| function.is_none_or(|f| f == q.name))
            .cloned()
            .collect();
        let now = Instant::now();
        let mut events = Vec::new();
        let mut running = BTreeMap::new();
        for q in queues {
            running.insert(q.name.clone(), q.in_flight.load(Ordering::Relaxed));
            let heap = q.heap.lock().unwrap_or_else(|p| p.into_inner());
            for Reverse(Queued { due, event: e, .. }) in heap.due.iter() {
                events.push((
                    *due,
                    QueuedListing {
                        function: e.function.clone(),
                        qualifier: e.qualifier.clone(),
                        request_id: e.request_id.clone(),
                        attempts: e.attempts,
                        requeues: e.requeues,
                        enqueued_ms: e.enqueued_ms,
                        due_in_ms: due.saturating_duration_since(now).as_millis() as u64,
                    },
                ));
            }
        }
        events.sort_by_key(|(due, _)| *due);
        (events.into_iter().map(|(_, l)| l).collect(), running)
    }

    /// Keeps a delivery's outcome for `/_fauxlambda/async` (and the invocations it belongs to).
    pub fn record_delivery(&self, d: delivery::Delivery) {
        let mut all = self.inner.deliveries.lock().unwrap_or_else(|p| p.into_inner());
        if all.len() == RECENT_DELIVERIES {
            all.pop_front();
        }
        all.push_back(d);
    }

    /// Recent deliveries, newest first.
    pub fn deliveries(&self) -> Vec<delivery::Delivery> {
        let all = self.inner.deliveries.lock().unwrap_or_else(|p| p.into_inner());
        all.iter().rev().cloned().collect()
    }
}

/// One function's dispatcher: while events are queued, takes the next due one when an attempt
/// may start, and runs it in a task of its own. Ends when the queue is empty (`put` starts a
/// new one) or closed.
/// A function's queue by namespace and name.
fn queue_key(ns: &Namespace, name: &str) -> String {
    format!("{}/{}/{name}", ns.region, ns.account)
}

async fn dispatch(queue: AsyncQueue, api: Api, q: Arc<FunctionQueue>) {
    loop {
        let Ok(permit) = q.permits.clone().acquire_owned().await else {
            return;
        };
        let event = loop {
            if q.closed.load(Ordering::Acquire) {
                return;
            }
            let next = {
                let mut heap = q.heap.lock().unwrap_or_else(|p| p.into_inner());
                match heap.due.peek().map(|Reverse(q)| q.due) {
                    None => {
                        heap.dispatching = false;
                        return;
                    }
                    Some(due) if due <= Instant::now() => match heap.due.pop() {
                        Some(Reverse(q)) => Ok(q.event),
                        None => continue,
                    },
                    Some(due) => Err(due),
                }
            };
            match next {
                Ok(e) => break e,
                Err(due) => {
                    tokio::select! {
                        _ = tokio::time::sleep_until(due) => {}
                        _ = q.wake.notified() => {}
                    }
                }
            }
        };
        queue.inner.queued.fetch_sub(1, Ordering::Relaxed);
        queue
            .inner
            .queued_bytes
            .fetch_sub(event.payload.len(), Ordering::Relaxed);
        q.in_flight.fetch_add(1, Ordering::Relaxed);
        let (queue, api, q) = (queue.clone(), api.clone(), q.clone());
        let context = q.context.clone();
        let ns = Namespace::of(&context);
        tokio::spawn(crate::context::scope(context, async move {
            let request_id = event.request_id.clone();
            let next = attempt::run(&api, &queue, *event).await;
            q.in_flight.fetch_sub(1, Ordering::Relaxed);
            drop(permit);
            let put_back = match next {
                Some((event, due)) if !q.closed.load(Ordering::Acquire) => {
                    if let Err(e) = persisted::save(&api, &ns, &event, due).await {
                        tracing::warn!("asynchronous event {request_id}: its next attempt could not be saved: {e}");
                    }
                    // Closed meanwhile (its function deleted): dropped, row and all.
                    queue.put_into(&api, q, event, due)
                }
                _ => false,
            };
            if !put_back {
                persisted::forget(&api, &ns, &request_id).await;
            }
        }));
    }
}
