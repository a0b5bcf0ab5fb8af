//! What a stream mapping leaves at its on-failure destination when it gives records up
//! (events-urls-streaming §2.3): the record with `requestContext`, `responseContext` (absent for
//! `RecordAgeExceeded`), `version`, `timestamp` and the batch info (`KinesisBatchInfo`,
//! `DDBStreamBatchInfo`), sent to an SQS queue or an SNS topic as is, or to S3 with the records
//! themselves under `aws/lambda/<uuid>/<shard>/YYYY/MM/DD/<time>-<uuid>`. Sent from a task of its
//! own, tried a few times.

use super::stream::StreamRecord;
use super::Settings;
use crate::api::destinations::{self, Target};
use crate::api::Api;
use crate::clock;
use serde::Serialize;
use std::sync::Arc;
use std::time::Duration;

/// Tries of one delivery: now, then after 1, 2 and 4 s.
const TRIES: u32 = 4;

/// Why records were given up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Condition {
    RetryAttemptsExhausted,
    RecordAgeExceeded,
}

impl Condition {
    pub fn as_str(self) -> &'static str {
        match self {
            Condition::RetryAttemptsExhausted => "RetryAttemptsExhausted",
            Condition::RecordAgeExceeded => "RecordAgeExceeded",
        }
    }
}

/// The last invocation's answer.
pub struct Response {
    pub request_id: String,
    pub executed_version: String,
    /// None when the failures were reported (batchItemFailures) rather than thrown.
    pub function_error: Option<String>,
}

/// Records given up, and why.
pub struct Failure {
    pub settings: Settings,
    pub shard: String,
    pub batch_info_key: &'static str,
    pub records: Vec<Arc<StreamRecord>>,
    pub condition: Condition,
    pub invokes: u32,
    pub response: Option<Response>,
}

/// The record of events-urls-streaming §2.3, key for key.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RecordJson<'a> {
    request_context: RequestContext<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    response_context: Option<ResponseContext<'a>>,
    version: &'static str,
    timestamp: String,
    /// `KinesisBatchInfo` or `DDBStreamBatchInfo`.
    #[serde(flatten)]
    batch_info: std::collections::BTreeMap<&'static str, BatchInfo<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RequestContext<'a> {
    request_id: String,
    function_arn: &'a str,
    condition: &'static str,
    approximate_invoke_count: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResponseContext<'a> {
    status_code: u16,
    executed_version: &'a str,
    function_error: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct BatchInfo<'a> {
    shard_id: &'a str,
    start_sequence_number: Option<&'a str>,
    end_sequence_number: Option<&'a str>,
    approximate_arrival_of_first_record: Option<String>,
    approximate_arrival_of_last_record: Option<String>,
    batch_size: usize,
    stream_arn: &'a str,
}

impl Failure {
    /// The record (`with_records`: S3's copy adds the records as `payload`).
    fn to_json(&self, function_arn: &str, with_records: bool) -> String {
        let dynamodb = self.batch_info_key == "DDBStreamBatchInfo";
        // DynamoDB's arrival times have second precision, Kinesis's milliseconds.
        let arrival = |r: &StreamRecord| {
            let iso = clock::iso8601_ms(r.arrival_ms);
            if dynamodb {
                format!("{}Z", &iso[..iso.len().saturating_sub(5)])
            } else {
                iso
            }
        };
        let (first, last) = (self.records.first(), self.records.last());
        let record = RecordJson {
            request_context: RequestContext {
                request_id: self
                    .response
                    .as_ref()
                    .map_or_else(|| uuid::Uuid::new_v4().to_string(), |r| r.request_id.clone()),
                function_arn,
                condition: self.condition.as_str(),
                approximate_invoke_count: self.invokes,
            },
            response_context: self
                .response
                .as_ref()
                .filter(|_| self.condition != Condition::RecordAgeExceeded)
                .map(|r| ResponseContext {
                    status_code: 200,
                    executed_version: &r.executed_version,
                    function_error: r.function_error.as_deref(),
                }),
            version: "1.0",
            timestamp: clock::iso8601_ms(clock::now_epoch_ms()),
            batch_info: [(
                self.batch_info_key,
                BatchInfo {
                    shard_id: &self.shard,
                    start_sequence_number: first.map(|r| r.sequence.as_str()),
                    end_sequence_number: last.map(|r| r.sequence.as_str()),
                    approximate_arrival_of_first_record: first.map(|r| arrival(r)),
                    approximate_arrival_of_last_record: last.map(|r| arrival(r)),
                    batch_size: self.records.len(),
                    stream_arn: &self.settings.source_arn,
                },
            )]
            .into_iter()
            .collect(),
        };
        let mut text = serde_json::to_string(&record).unwrap_or_default();
        if with_records {
            // `"payload":{"Records":[…]}` before the closing brace, the records as delivered.
            text.pop();
            text.push_str(",\"payload\":");
            let payload = super::batch::event(self.records.iter().map(|r| r.json.as_str()));
            text.push_str(&String::from_utf8_lossy(&payload));
            text.push('}');
        }
        text
    }
}

/// Sends the failure's record to `target` from a task of its own.
pub fn send(api: &Api, failure: Failure, target: String) {
    let api2 = api.clone();
    crate::context::spawn(&api.defaults, async move {
        let api = api2;
        let function_arn = api.scope().function_arn(&failure.settings.function);
        let mut error = None;
        for attempt in 0..TRIES {
            if attempt > 0 {
                tokio::time::sleep(Duration::from_secs(1 << (attempt - 1))).await;
            }
            match deliver(&api, &failure, &target, &function_arn).await {
                Ok(()) => return,
                Err(e) => error = Some(e),
            }
        }
        tracing::warn!(
            "event source mapping {}: the on-failure record of {} record(s) could not be sent to {target} ({TRIES} tries): {}",
            failure.settings.uuid,
            failure.records.len(),
            error.unwrap_or_default()
        );
    });
}

async fn deliver(api: &Api, failure: &Failure, arn: &str, function_arn: &str) -> Result<(), String> {
    let t = Target::parse(arn)?;
    match t.service {
        "sqs" => destinations::send_sqs(api, &t, failure.to_json(function_arn, false), &[]).await,
        "sns" => destinations::publish_sns(api, &t, arn, failure.to_json(function_arn, false), &[]).await,
        "s3" => {
            let now = chrono::Utc::now();
            let key = format!(
                "aws/lambda/{}/{}/{}/{}-{}",
                failure.settings.uuid,
                failure.shard,
                now.format("%Y/%m/%d"),
                now.format("%Y-%m-%dT%H.%M.%S"),
                uuid::Uuid::new_v4()
            );
            let body = failure.to_json(function_arn, true).into_bytes();
            destinations::put_s3(api, failure.settings.region(), t.resource, key, body).await
        }
        other => Err(format!("{other} is not an on-failure destination (sqs, sns, s3)")),
    }
}
