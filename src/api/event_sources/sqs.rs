//! An SQS mapping's poller (standard and FIFO queues). One task per mapping gathers a batch with
//! long-polling `ReceiveMessage` calls (up to 10 messages each) until `BatchSize` or the end of
//! `MaximumBatchingWindowInSeconds`, deletes what the filters drop, and hands the batch to a task
//! of its own: up to `ScalingConfig.MaximumConcurrency` batches (else 5) are invoked at once. A
//! batch the function handled is deleted; a failed one is left to the queue's visibility timeout
//! and redrive policy (SQS moves it to the dead-letter queue after `maxReceiveCount`). With
//! `ReportBatchItemFailures` only the reported messages stay. FIFO batches are split by message
//! group: each group in order, a failing group holding back only itself.

use super::batch;
use super::batch_result::{self, BatchResult};
use super::invocation::{self, Outcome};
use super::{pause, wait_enabled, Backoff, Settings, Status};
use crate::api::destinations::sdk_error;
use crate::api::invoke::SYNC_PAYLOAD_LIMIT;
use crate::api::Api;
use crate::errors;
use aws_sdk_sqs::types::{DeleteMessageBatchRequestEntry, Message, MessageSystemAttributeName, QueueAttributeName};
use base64::Engine;
use lambda_server::error::ServiceError;
use serde::ser::SerializeMap;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{watch, Semaphore};
use tokio::time::Instant;

/// The long poll's wait, the longest SQS allows: an idle mapping costs one request per 20 s.
const MAX_WAIT_SECS: u64 = 20;
/// A long poll's own operation timeout (the SQS client's is shorter than the wait).
const LONG_POLL_TIMEOUT: Duration = Duration::from_secs(MAX_WAIT_SECS + 10);
/// `ReceiveMessage` returns at most this many messages.
const MAX_RECEIVE: usize = 10;
/// Batches of one mapping received and not yet settled, at most, whatever `MaximumConcurrency`
/// says (up to 1,000): with 6 MB each, a mapping holds at most 192 MB of messages.
const MAX_BATCHES_IN_FLIGHT: usize = 32;

/// The queue a mapping reads.
#[derive(Clone)]
struct Queue {
    client: aws_sdk_sqs::Client,
    url: String,
    /// The queue's own `VisibilityTimeout`, seconds.
    visibility: u64,
}

/// The queue name and owner of an SQS ARN (`arn:aws:sqs:region:account:name`).
fn queue_of(arn: &str) -> (&str, &str) {
    let mut parts = arn.splitn(6, ':').skip(4);
    let account = parts.next().unwrap_or("");
    (parts.next().unwrap_or(""), account)
}

impl Queue {
    async fn open(api: &Api, s: &Settings) -> Result<Queue, String> {
        let client = api.services.sqs(s.region())?;
        let (name, account) = queue_of(&s.source_arn);
        let url = client
            .get_queue_url()
            .queue_name(name)
            .queue_owner_aws_account_id(account)
            .send()
            .await
            .map_err(|e| sdk_error("GetQueueUrl", &e))?
            .queue_url
            .ok_or("GetQueueUrl gave no URL")?;
        let attributes = client
            .get_queue_attributes()
            .queue_url(&url)
            .attribute_names(QueueAttributeName::VisibilityTimeout)
            .send()
            .await
            .map_err(|e| sdk_error("GetQueueAttributes", &e))?;
        let visibility = attributes
            .attributes
            .as_ref()
            .and_then(|a| a.get(&QueueAttributeName::VisibilityTimeout))
            .and_then(|v| v.parse().ok())
            .unwrap_or(30);
        Ok(Queue {
            client,
            url,
            visibility,
        })
    }
}

/// Refuses a mapping whose queue does not exist, in AWS's words, when an SQS endpoint is
/// configured (without one there is nothing to check against, and nothing will be polled).
pub async fn check_source(api: &Api, arn: &str) -> Result<(), ServiceError> {
    let region = arn.split(':').nth(3).unwrap_or("us-east-1");
    let Ok(client) = api.services.sqs(region) else {
        return Ok(());
    };
    let (name, account) = queue_of(arn);
    match client
        .get_queue_url()
        .queue_name(name)
        .queue_owner_aws_account_id(account)
        .send()
        .await
    {
        Ok(_) => Ok(()),
        Err(e) if e.as_service_error().is_some_and(|e| e.is_queue_does_not_exist()) => Err(errors::invalid_parameter(
            "Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified queue does not exist.",
        )),
        Err(e) => {
            tracing::warn!(
                "could not check the SQS queue {arn}: {}; the mapping is created, its poller will retry",
                sdk_error("GetQueueUrl", &e)
            );
            Ok(())
        }
    }
}

/// The mapping's poller: runs until the mapping is deleted.
pub async fn run(api: Api, mut rx: watch::Receiver<Arc<Settings>>, status: Arc<Status>) {
    let mut errors = Backoff::new(Duration::from_secs(1), Duration::from_secs(30));
    let mut queue: Option<Queue> = None;
    let mut batches: Option<(usize, Arc<Semaphore>)> = None;
    loop {
        if !wait_enabled(&mut rx, &status).await {
            return;
        }
        let s = rx.borrow().clone();
        let q = match &queue {
            Some(q) => q.clone(),
            None => match Queue::open(&api, &s).await {
                Ok(q) => {
                    queue = Some(q.clone());
                    q
                }
                Err(e) => {
                    status.error(&s.uuid, format!("cannot reach the queue {}: {e}", s.source_arn));
                    status.update(|st| st.state = "backing off");
                    if !pause(&mut rx, errors.next_delay()).await {
                        return;
                    }
                    continue;
                }
            },
        };
        // At most `max_concurrency` batches at once: a permit per batch, taken before receiving it.
        let concurrency = s.max_concurrency.min(MAX_BATCHES_IN_FLIGHT);
        let semaphore = match &batches {
            Some((n, sem)) if *n == concurrency => sem.clone(),
            _ => {
                let sem = Arc::new(Semaphore::new(concurrency));
                batches = Some((concurrency, sem.clone()));
                sem
            }
        };
        let permit = tokio::select! {
            p = semaphore.acquire_owned() => match p { Ok(p) => p, Err(_) => return },
            changed = rx.changed() => { if changed.is_err() { return; } continue; }
        };
        status.update(|st| st.state = "polling");
        let timeout = function_timeout(&api, &s).await;
        let (messages, s) = match gather(&q, s.clone(), timeout, &mut rx).await {
            Ok(m) => m,
            Err(e) => {
                status.error(&s.uuid, format!("cannot receive from {}: {e}", s.source_arn));
                status.update(|st| st.state = "backing off");
                queue = None;
                if !pause(&mut rx, errors.next_delay()).await {
                    return;
                }
                continue;
            }
        };
        errors.reset();
        if messages.is_empty() {
            continue;
        }
        let records = records(&messages, &s);
        let (keep, dropped): (Vec<_>, Vec<_>) = records.into_iter().partition(|r| r.passes(&s));
        if !dropped.is_empty() {
            status.update(|st| st.filtered += dropped.len() as u64);
            delete(&q, &s, &status, dropped.iter().map(|r| r.receipt_handle.as_str())).await;
        }
        if keep.is_empty() {
            continue;
        }
        let (api2, status, rx) = (api.clone(), status.clone(), rx.clone());
        crate::context::spawn(&api.defaults, async move {
            let api = api2;
            process(&api, &s, &q, keep, &status, rx).await;
            drop(permit);
        });
    }
}

/// The function's timeout, to extend the messages' visibility when the batching window and the
/// function's run could outlast the queue's (lambda-semantics §6.1).
async fn function_timeout(api: &Api, s: &Settings) -> Duration {
    let (name, qualifier) = (s.function.clone(), s.qualifier.clone());
    api.state(move |st| {
        st.functions
            .get(&name)
            .and_then(|f| f.resolve(qualifier.as_deref()))
            .and_then(|v| v.config.timeout)
            .unwrap_or(3)
    })
    .await
    .map(|t| Duration::from_secs(t.max(1) as u64))
    .unwrap_or(Duration::from_secs(3))
}

/// One batch: messages received until `BatchSize`, or until the batching window (which starts at
/// the first message) ends. Empty when a long poll found nothing, or the mapping was disabled or
/// deleted during it (a long poll is never abandoned: SQS would hide what it returned until the
/// visibility timeout; it returns to the queue instead).
async fn gather(
    q: &Queue,
    mut s: Arc<Settings>,
    timeout: Duration,
    rx: &mut watch::Receiver<Arc<Settings>>,
) -> Result<(Vec<Message>, Arc<Settings>), String> {
    let mut out: Vec<Message> = Vec::new();
    let mut bytes = 0;
    let mut deadline: Option<Instant> = None;
    loop {
        let wait = match deadline {
            None => MAX_WAIT_SECS,
            Some(d) => {
                let left = d.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    break;
                }
                if left < Duration::from_secs(1) {
                    // Less than SQS's one-second wait granularity: a short pause, then a look.
                    tokio::time::sleep(left.min(Duration::from_millis(200))).await;
                }
                left.as_secs().min(MAX_WAIT_SECS)
            }
        };
        let want = s.batch_size.saturating_sub(out.len()).clamp(1, MAX_RECEIVE);
        let visibility = (s.window + timeout).as_secs();
        let visibility = (!s.window.is_zero() && visibility > q.visibility).then_some(visibility + 30);
        let mut receive = q
            .client
            .receive_message()
            .queue_url(&q.url)
            .max_number_of_messages(want as i32)
            .wait_time_seconds(wait as i32)
            .message_system_attribute_names(MessageSystemAttributeName::All)
            .message_attribute_names("All");
        if let Some(v) = visibility {
            receive = receive.visibility_timeout(v.min(43_200) as i32);
        }
        let timeouts = aws_sdk_sqs::config::timeout::TimeoutConfig::builder()
            .connect_timeout(Duration::from_secs(3))
            .operation_timeout(LONG_POLL_TIMEOUT)
            .build();
        // Never dropped while in flight: SQS would count what it returns as received.
        let received = receive
            .customize()
            .config_override(aws_sdk_sqs::config::Builder::default().timeout_config(timeouts))
            .send()
            .await
            .map_err(|e| sdk_error("ReceiveMessage", &e))?;
        let got = received.messages.unwrap_or_default();
        bytes += got.iter().map(message_size).sum::<usize>();
        out.extend(got);
        // Disabled or deleted meanwhile: what it received goes back to the queue at once.
        if rx.has_changed().is_err() || !rx.borrow().enabled {
            release(q, &out).await;
            return Ok((Vec::new(), s));
        }
        // Updated meanwhile: the batch is gathered under the new settings.
        if rx.has_changed().unwrap_or(false) {
            s = rx.borrow_and_update().clone();
        }
        if out.is_empty() {
            return Ok((out, s));
        }
        // A batch is at most 6 MB (as AWS gathers): more would be another invocation's.
        if out.len() >= s.batch_size || bytes >= SYNC_PAYLOAD_LIMIT || s.window.is_zero() {
            break;
        }
        deadline.get_or_insert_with(|| Instant::now() + s.window);
    }
    Ok((out, s))
}

/// About what a message adds to a batch's event.
fn message_size(m: &Message) -> usize {
    let attributes: usize = m
        .message_attributes
        .iter()
        .flatten()
        .map(|(k, v)| {
            k.len()
                + v.string_value.as_ref().map_or(0, String::len)
                + v.binary_value.as_ref().map_or(0, |b| b.as_ref().len() * 4 / 3)
        })
        .sum();
    m.body.as_ref().map_or(0, String::len) + attributes + 600
}

/// A received message as the function sees it, and what the poller needs to settle it.
struct Record {
    message_id: String,
    receipt_handle: String,
    group: Option<String>,
    /// The record's JSON, in AWS's key order.
    json: String,
}

impl Record {
    fn passes(&self, s: &Settings) -> bool {
        if s.filters.is_empty() {
            return true;
        }
        serde_json::from_str(&self.json).is_ok_and(|v| s.filters.matches(&v))
    }
}

fn records(messages: &[Message], s: &Settings) -> Vec<Record> {
    messages
        .iter()
        .map(|m| {
            let attributes = m.attributes.clone().unwrap_or_default();
            Record {
                message_id: m.message_id.clone().unwrap_or_default(),
                receipt_handle: m.receipt_handle.clone().unwrap_or_default(),
                group: attributes.get(&MessageSystemAttributeName::MessageGroupId).cloned(),
                json: record_json(m, s),
            }
        })
        .collect()
}

/// The system attributes in the order AWS writes them (FIFO's among them).
const ATTRIBUTE_ORDER: &[MessageSystemAttributeName] = &[
    MessageSystemAttributeName::ApproximateReceiveCount,
    MessageSystemAttributeName::AwsTraceHeader,
    MessageSystemAttributeName::SentTimestamp,
    MessageSystemAttributeName::SequenceNumber,
    MessageSystemAttributeName::MessageGroupId,
    MessageSystemAttributeName::SenderId,
    MessageSystemAttributeName::MessageDeduplicationId,
    MessageSystemAttributeName::ApproximateFirstReceiveTimestamp,
];

/// A JSON object whose keys keep the order given.
struct Ordered<'a>(Vec<(&'a str, &'a str)>);

impl Serialize for Ordered<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AttributeJson {
    #[serde(skip_serializing_if = "Option::is_none")]
    string_value: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    binary_value: Option<String>,
    string_list_values: [(); 0],
    binary_list_values: [(); 0],
    data_type: String,
}

/// The record of events-urls-streaming §2.2, key for key.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RecordJson<'a> {
    message_id: &'a str,
    receipt_handle: &'a str,
    body: &'a str,
    attributes: Ordered<'a>,
    message_attributes: BTreeMap<&'a str, AttributeJson>,
    /// null when the message has no attributes.
    md5_of_message_attributes: Option<&'a str>,
    md5_of_body: &'a str,
    event_source: &'static str,
    #[serde(rename = "eventSourceARN")]
    event_source_arn: &'a str,
    aws_region: &'a str,
}

fn record_json(m: &Message, s: &Settings) -> String {
    let attributes = m.attributes.as_ref();
    let ordered = ATTRIBUTE_ORDER
        .iter()
        .filter_map(|name| Some((name.as_str(), attributes?.get(name)?.as_str())))
        .collect();
    let message_attributes: BTreeMap<&str, AttributeJson> = m
        .message_attributes
        .iter()
        .flatten()
        .map(|(name, a)| {
            let json = AttributeJson {
                string_value: a.string_value.clone(),
                binary_value: a
                    .binary_value
                    .as_ref()
                    .map(|b| base64::engine::general_purpose::STANDARD.encode(b.as_ref())),
                string_list_values: [],
                binary_list_values: [],
                data_type: a.data_type.clone(),
            };
            (name.as_str(), json)
        })
        .collect();
    let record = RecordJson {
        message_id: m.message_id.as_deref().unwrap_or(""),
        receipt_handle: m.receipt_handle.as_deref().unwrap_or(""),
        body: m.body.as_deref().unwrap_or(""),
        attributes: Ordered(ordered),
        md5_of_message_attributes: if message_attributes.is_empty() {
            None
        } else {
            m.md5_of_message_attributes.as_deref()
        },
        message_attributes,
        md5_of_body: m.md5_of_body.as_deref().unwrap_or(""),
        event_source: "aws:sqs",
        event_source_arn: &s.source_arn,
        aws_region: s.region(),
    };
    serde_json::to_string(&record).unwrap_or_default()
}

/// Invokes the function with a batch and settles its messages: FIFO batches group by group
/// (concurrently, each in order), and any batch in pieces of at most 6 MB.
async fn process(
    api: &Api,
    s: &Settings,
    q: &Queue,
    records: Vec<Record>,
    status: &Status,
    rx: watch::Receiver<Arc<Settings>>,
) {
    let fifo = matches!(s.source, super::SourceKind::Sqs { fifo: true });
    if !fifo {
        for chunk in chunks(&records) {
            deliver(api, s, q, chunk, status, &rx, false).await;
        }
        return;
    }
    let mut groups: Vec<(Option<String>, Vec<Record>)> = Vec::new();
    for r in records {
        match groups.iter_mut().find(|(g, _)| *g == r.group) {
            Some((_, rs)) => rs.push(r),
            None => groups.push((r.group.clone(), vec![r])),
        }
    }
    let runs = groups.into_iter().map(|(_, group)| {
        let rx = rx.clone();
        async move {
            for chunk in chunks(&group) {
                if !deliver(api, s, q, chunk, status, &rx, true).await {
                    // The group's later messages wait for the failed ones (SQS holds them back).
                    break;
                }
            }
        }
    });
    futures_util::future::join_all(runs).await;
}

/// Records in pieces whose event stays within the synchronous payload limit.
fn chunks(records: &[Record]) -> Vec<&[Record]> {
    batch::split(records, usize::MAX, |r| r.json.as_str())
}

fn event(records: &[Record]) -> Vec<u8> {
    batch::event(records.iter().map(|r| r.json.as_str()))
}

/// One invocation with `records`, tried again while it cannot run (throttled, the function being
/// updated) and the mapping is still there. Deletes what succeeded; true when everything did.
async fn deliver(
    api: &Api,
    s: &Settings,
    q: &Queue,
    records: &[Record],
    status: &Status,
    rx: &watch::Receiver<Arc<Settings>>,
    fifo: bool,
) -> bool {
    let payload = event(records);
    let mut waits = Backoff::new(Duration::from_millis(100), Duration::from_secs(2));
    // Once the messages are visible again, SQS hands them out anew: this batch is over.
    let visible_again = Instant::now() + Duration::from_secs(q.visibility);
    let outcome = loop {
        match invocation::invoke(api, s, payload.clone()).await {
            Outcome::NotRun(why) => {
                status.error(&s.uuid, format!("batch not invoked, trying again: {why}"));
                // A deleted or disabled mapping leaves its messages to the queue.
                if rx.has_changed().is_err() || !rx.borrow().enabled || Instant::now() >= visible_again {
                    return false;
                }
                tokio::time::sleep(waits.next_delay()).await;
            }
            other => break other,
        }
    };
    let answered = match outcome {
        Outcome::Answered(a) => a,
        Outcome::Failed(a) => {
            status.update(|st| st.failed_invocations += 1);
            status.error(
                &s.uuid,
                format!(
                    "the function failed ({}, request {}): its {} message(s) return to the queue after the visibility timeout",
                    a.error_type.as_deref().unwrap_or("Unhandled"),
                    a.request_id,
                    records.len()
                ),
            );
            return false;
        }
        Outcome::NotRun(_) => return false,
    };
    let failed: Vec<String> = if s.report_failures {
        let ids: Vec<&str> = records.iter().map(|r| r.message_id.as_str()).collect();
        match batch_result::parse(&answered.payload, &ids) {
            BatchResult::Success => Vec::new(),
            BatchResult::Partial(ids) => ids,
            BatchResult::Failed(why) => {
                status.update(|st| st.failed_invocations += 1);
                status.error(
                    &s.uuid,
                    format!("the whole batch failed (request {}): {why}", answered.request_id),
                );
                return false;
            }
        }
    } else {
        Vec::new()
    };
    status.delivered(records.len());
    // FIFO: a failed message holds back the rest of its group.
    let first_failed = records.iter().position(|r| failed.contains(&r.message_id));
    let done = records.iter().enumerate().filter(|(i, r)| {
        let held_back = fifo && first_failed.is_some_and(|f| *i > f);
        !failed.contains(&r.message_id) && !held_back
    });
    delete(q, s, status, done.map(|(_, r)| r.receipt_handle.as_str())).await;
    failed.is_empty()
}

/// Makes received messages visible again at once (a disabled or deleted mapping's last poll).
async fn release(q: &Queue, messages: &[Message]) {
    use aws_sdk_sqs::types::ChangeMessageVisibilityBatchRequestEntry as Entry;
    for chunk in messages.chunks(MAX_RECEIVE) {
        let entries = chunk.iter().enumerate().filter_map(|(i, m)| {
            Entry::builder()
                .id(i.to_string())
                .receipt_handle(m.receipt_handle.as_deref()?)
                .visibility_timeout(0)
                .build()
                .ok()
        });
        let sent = q
            .client
            .change_message_visibility_batch()
            .queue_url(&q.url)
            .set_entries(Some(entries.collect()))
            .send()
            .await;
        if let Err(e) = sent {
            tracing::warn!("{}", sdk_error("ChangeMessageVisibilityBatch", &e));
        }
    }
}

/// Deletes messages, ten at a time.
async fn delete<'a>(q: &Queue, s: &Settings, status: &Status, handles: impl Iterator<Item = &'a str>) {
    let handles: Vec<&str> = handles.collect();
    for chunk in handles.chunks(MAX_RECEIVE) {
        let entries = chunk.iter().enumerate().filter_map(|(i, h)| {
            DeleteMessageBatchRequestEntry::builder()
                .id(i.to_string())
                .receipt_handle(*h)
                .build()
                .ok()
        });
        let sent = q
            .client
            .delete_message_batch()
            .queue_url(&q.url)
            .set_entries(Some(entries.collect()))
            .send()
            .await;
        match sent {
            Ok(out) if !out.failed.is_empty() => status.error(
                &s.uuid,
                format!("DeleteMessageBatch: {} message(s) not deleted", out.failed.len()),
            ),
            Ok(_) => {}
            Err(e) => status.error(&s.uuid, sdk_error("DeleteMessageBatch", &e)),
        }
    }
}
