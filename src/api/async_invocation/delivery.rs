//! Sending what an ended asynchronous event leaves behind: its record to the OnSuccess or
//! OnFailure destination (SQS, SNS, EventBridge, S3 through the official SDK clients at the
//! configured endpoints; a Lambda function through fauxlambda's own queue), and the original
//! event to the dead-letter queue (SQS or SNS, with the `RequestID`, `ErrorCode` and
//! `ErrorMessage` attributes). A delivery that fails is logged with its reason and tried again
//! on a short backoff (`TRIES` in all), in a task of its own, so it never holds up other events.

use super::record::{self, Condition, Record};
use super::{AsyncEvent, AsyncQueue};
use crate::api::destinations::{self, sdk_error, Target};
use crate::api::invoke::{self, Operation};
use crate::api::Api;
use crate::clock;
use std::sync::Arc;
use std::time::Duration;

/// Tries of one delivery: now, then after 1, 2 and 4 s.
const TRIES: u32 = 4;
/// `ErrorMessage` of a dead-letter message: the error's first 1 KB.
const ERROR_MESSAGE_LIMIT: usize = 1024;

/// An event at its end, and why.
pub struct Ending {
    pub condition: Condition,
    /// Qualified (the invoked qualifier or `$LATEST`).
    pub function_arn: String,
    pub event: AsyncEvent,
}

/// What a delivery is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    OnSuccess,
    OnFailure,
    DeadLetter,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::OnSuccess => "OnSuccess",
            Kind::OnFailure => "OnFailure",
            Kind::DeadLetter => "DeadLetter",
        }
    }
}

/// The outcome of one delivery, as `/_fauxlambda/async` and `/_fauxlambda/invocations` show it.
#[derive(Clone, Debug)]
pub struct Delivery {
    pub request_id: String,
    pub function: String,
    pub kind: Kind,
    pub target: String,
    pub condition: Condition,
    pub delivered: bool,
    pub tries: u32,
    /// The last failure's reason.
    pub error: Option<String>,
    pub at_ms: u64,
}

/// Sends the record to `destination` and the event to `dead_letter`, each in a task of its own.
pub fn send(api: &Api, queue: &AsyncQueue, ending: Ending, destination: Option<String>, dead_letter: Option<String>) {
    let ending = Arc::new(ending);
    let record = Arc::new(
        Record {
            timestamp: clock::iso8601_ms(clock::now_epoch_ms()),
            request_id: &ending.event.request_id,
            function_arn: &ending.function_arn,
            condition: ending.condition,
            attempts: ending.event.attempts,
            request_payload: &ending.event.payload,
            response: ending.event.last.as_deref(),
        }
        .to_json(),
    );
    let kind = if ending.condition.is_success() {
        Kind::OnSuccess
    } else {
        Kind::OnFailure
    };
    for (kind, target) in [(kind, destination), (Kind::DeadLetter, dead_letter)] {
        let Some(target) = target else { continue };
        let (api, queue, ending, record) = (api.clone(), queue.clone(), ending.clone(), record.clone());
        let defaults = api.defaults.clone();
        crate::context::spawn(&defaults, async move {
            retrying(&api, &queue, &ending, kind, &target, &record).await
        });
    }
}

async fn retrying(api: &Api, queue: &AsyncQueue, ending: &Ending, kind: Kind, target: &str, record: &str) {
    let mut error = None;
    let mut tries = 0;
    while tries < TRIES {
        if tries > 0 {
            tokio::time::sleep(Duration::from_secs(1 << (tries - 1))).await;
        }
        tries += 1;
        let sent = match kind {
            Kind::DeadLetter => dead_letter(api, ending, target).await,
            _ => destination(api, ending, target, record).await,
        };
        match sent {
            Ok(()) => {
                error = None;
                break;
            }
            Err(e) => {
                let again = if tries < TRIES { ", trying again" } else { ", giving up" };
                tracing::warn!(
                    "{}: {} delivery of asynchronous event {} to {target} failed (try {tries} of {TRIES}{again}): {e}",
                    ending.event.function,
                    kind.as_str(),
                    ending.event.request_id
                );
                error = Some(e);
            }
        }
    }
    queue.record_delivery(Delivery {
        request_id: ending.event.request_id.clone(),
        function: ending.event.function.clone(),
        kind,
        target: target.to_owned(),
        condition: ending.condition,
        delivered: error.is_none(),
        tries,
        error,
        at_ms: clock::now_epoch_ms(),
    });
}

/// The region of the function whose event it is (for targets whose ARN names none: S3).
fn function_region(ending: &Ending) -> &str {
    ending.function_arn.split(':').nth(3).unwrap_or("us-east-1")
}

async fn destination(api: &Api, ending: &Ending, arn: &str, record: &str) -> Result<(), String> {
    let t = Target::parse(arn)?;
    match t.service {
        "sqs" => destinations::send_sqs(api, &t, record.to_owned(), &[]).await,
        "sns" => destinations::publish_sns(api, &t, arn, record.to_owned(), &[]).await,
        "lambda" => invoke_lambda(api, arn, record).await,
        "events" => put_event(api, ending, &t, arn, record).await,
        "s3" if !ending.condition.is_success() => put_s3(api, ending, &t, record).await,
        "s3" => Err("S3 buckets are on-failure destinations only".into()),
        other => Err(format!(
            "{other} is not a destination service (sqs, sns, lambda, events, s3)"
        )),
    }
}

async fn dead_letter(api: &Api, ending: &Ending, arn: &str) -> Result<(), String> {
    let t = Target::parse(arn)?;
    let body = String::from_utf8_lossy(&ending.event.payload).into_owned();
    let message = error_message(ending);
    // The attributes AWS adds to a dead-letter message.
    let attributes = [
        ("RequestID", "String", ending.event.request_id.as_str()),
        ("ErrorCode", "Number", "200"),
        ("ErrorMessage", "String", message.as_str()),
    ];
    match t.service {
        "sqs" => destinations::send_sqs(api, &t, body, &attributes).await,
        "sns" => destinations::publish_sns(api, &t, arn, body, &attributes).await,
        other => Err(format!("{other} cannot be a dead-letter queue (sqs, sns)")),
    }
}

/// The `errorMessage` of the last attempt's error, its first 1 KB (else the condition).
fn error_message(ending: &Ending) -> String {
    let from_payload = ending.event.last.as_ref().and_then(|r| {
        serde_json::from_slice::<serde_json::Value>(&r.payload)
            .ok()?
            .get("errorMessage")?
            .as_str()
            .map(str::to_owned)
    });
    let mut message = from_payload.unwrap_or_else(|| ending.condition.as_str().to_owned());
    if message.len() > ERROR_MESSAGE_LIMIT {
        let mut end = ERROR_MESSAGE_LIMIT;
        while !message.is_char_boundary(end) {
            end -= 1;
        }
        message.truncate(end);
    }
    if message.is_empty() {
        message = ending.condition.as_str().to_owned();
    }
    message
}

/// An asynchronous invoke of another function here, with the record as its event.
async fn invoke_lambda(api: &Api, arn: &str, record: &str) -> Result<(), String> {
    let payload = record.as_bytes().to_vec();
    let p = invoke::prepare(api, arn, None, &payload, Operation::Event)
        .await
        .map_err(|e| e.to_string())?;
    invoke::queue_event(api, &p, uuid::Uuid::new_v4().to_string(), payload)
        .await
        .map_err(|e| e.to_string())
}

async fn put_event(api: &Api, ending: &Ending, t: &Target<'_>, bus: &str, record: &str) -> Result<(), String> {
    use aws_sdk_eventbridge::types::PutEventsRequestEntry;
    if !t.resource.starts_with("event-bus/") {
        return Err(format!("{bus} is not an event bus"));
    }
    let entry = PutEventsRequestEntry::builder()
        .source("lambda")
        .detail_type(record::detail_type(ending.condition))
        .detail(record)
        .event_bus_name(bus)
        .resources(bus)
        .resources(&ending.function_arn)
        .build();
    let out = api
        .services
        .eventbridge(t.region)?
        .put_events()
        .entries(entry)
        .send()
        .await
        .map_err(|e| sdk_error("PutEvents", &e))?;
    match out.entries().first() {
        Some(e) if e.error_code().is_some() => Err(format!(
            "PutEvents refused the event: {} {}",
            e.error_code().unwrap_or_default(),
            e.error_message().unwrap_or_default()
        )),
        _ if out.failed_entry_count() > 0 => Err("PutEvents refused the event".into()),
        _ => Ok(()),
    }
}

/// The record as an object in the bucket, under
/// `aws/lambda/async/<function>/YYYY/MM/DD/<YYYY-MM-DDTHH.MM.SS>-<uuid>` (the layout AWS uses for
/// event source mappings' S3 destinations; the async one is not recorded).
async fn put_s3(api: &Api, ending: &Ending, t: &Target<'_>, record: &str) -> Result<(), String> {
    let now = chrono::Utc::now();
    let key = format!(
        "aws/lambda/async/{}/{}/{}-{}",
        ending.event.function,
        now.format("%Y/%m/%d"),
        now.format("%Y-%m-%dT%H.%M.%S"),
        uuid::Uuid::new_v4()
    );
    destinations::put_s3(
        api,
        function_region(ending),
        t.resource,
        key,
        record.as_bytes().to_vec(),
    )
    .await
}
