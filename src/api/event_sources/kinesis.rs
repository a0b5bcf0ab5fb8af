//! A Kinesis stream as a mapping reads it (`aws-sdk-kinesis`): its shards, iterators and records,
//! each record built as Lambda delivers it (events-urls-streaming §2.3) whatever the endpoint
//! sends: the region of the stream's ARN, the function's role as `invokeIdentityArn`.

use super::settings::StartingPosition;
use super::stream::{self, From, Shard, StreamRecord};
use super::Settings;
use crate::api::destinations::sdk_error;
use crate::api::Api;
use aws_sdk_kinesis::primitives::DateTime;
use aws_sdk_kinesis::types::ShardIteratorType;
use base64::Engine;
use lambda_server::error::ServiceError;
use serde::Serialize;

/// GetRecords returns at most this many records.
const MAX_RECORDS: usize = 10_000;

pub struct Stream {
    client: aws_sdk_kinesis::Client,
    arn: String,
    name: String,
    region: String,
}

/// The stream name of `arn:aws:kinesis:region:account:stream/name`.
fn name_of(arn: &str) -> &str {
    arn.rsplit_once(":stream/").map_or("", |(_, n)| n)
}

/// Refuses a mapping whose stream does not exist (`Stream not found: <arn>`), when a Kinesis
/// endpoint is configured.
pub async fn check_source(api: &Api, arn: &str) -> Result<(), ServiceError> {
    let region = arn.split(':').nth(3).unwrap_or("us-east-1");
    let Ok(client) = api.services.kinesis(region) else {
        return Ok(());
    };
    let checked = match client
        .describe_stream_summary()
        .stream_name(name_of(arn))
        .stream_arn(arn)
        .send()
        .await
    {
        Ok(_) => Ok(()),
        Err(e)
            if e.as_service_error()
                .is_some_and(|e| e.is_resource_not_found_exception()) =>
        {
            Err(None)
        }
        Err(e) => Err(Some(sdk_error("DescribeStreamSummary", &e))),
    };
    stream::refuse_missing("Kinesis", arn, checked)
}

impl Stream {
    pub fn open(api: &Api, s: &Settings) -> Result<Stream, String> {
        Ok(Stream {
            client: api.services.kinesis(s.region())?,
            arn: s.source_arn.clone(),
            name: name_of(&s.source_arn).to_owned(),
            region: s.region().to_owned(),
        })
    }

    pub async fn shards(&self) -> Result<Vec<Shard>, String> {
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        loop {
            // A continuation names neither the stream nor its ARN.
            let request = match &token {
                Some(t) => self.client.list_shards().next_token(t),
                None => self.client.list_shards().stream_name(&self.name).stream_arn(&self.arn),
            };
            let page = request.send().await.map_err(|e| sdk_error("ListShards", &e))?;
            out.extend(
                page.shards
                    .unwrap_or_default()
                    .into_iter()
                    .map(|s| Shard { id: s.shard_id }),
            );
            match page.next_token {
                Some(t) if !t.is_empty() => token = Some(t),
                _ => return Ok(out),
            }
        }
    }

    pub async fn iterator(&self, shard: &str, from: From<'_>) -> Result<String, String> {
        let request = self
            .client
            .get_shard_iterator()
            .stream_name(&self.name)
            .stream_arn(&self.arn)
            .shard_id(shard);
        let request = match from {
            From::After(seq) => request
                .shard_iterator_type(ShardIteratorType::AfterSequenceNumber)
                .starting_sequence_number(seq),
            From::Position(StartingPosition::TrimHorizon) => {
                request.shard_iterator_type(ShardIteratorType::TrimHorizon)
            }
            From::Position(StartingPosition::Latest) => request.shard_iterator_type(ShardIteratorType::Latest),
            From::Position(StartingPosition::AtTimestamp(t)) => request
                .shard_iterator_type(ShardIteratorType::AtTimestamp)
                .timestamp(DateTime::from_secs_f64(t)),
        };
        request
            .send()
            .await
            .map_err(|e| sdk_error("GetShardIterator", &e))?
            .shard_iterator
            .ok_or_else(|| "GetShardIterator gave no iterator".to_owned())
    }

    pub async fn records(
        &self,
        iterator: &str,
        limit: usize,
        shard: &str,
        role: &str,
    ) -> Result<(Vec<StreamRecord>, Option<String>), String> {
        let out = self
            .client
            .get_records()
            .shard_iterator(iterator)
            .stream_arn(&self.arn)
            .limit(limit.clamp(1, MAX_RECORDS) as i32)
            .send()
            .await
            .map_err(|e| sdk_error("GetRecords", &e))?;
        let records = out
            .records
            .into_iter()
            .map(|r| {
                let arrival_ms = r
                    .approximate_arrival_timestamp
                    .and_then(|t| t.to_millis().ok())
                    .unwrap_or_else(|| crate::clock::now_epoch_ms() as i64)
                    .max(0) as u64;
                let key = r.partition_key.unwrap_or_default();
                let json = RecordJson {
                    kinesis: KinesisJson {
                        kinesis_schema_version: "1.0",
                        partition_key: &key,
                        sequence_number: &r.sequence_number,
                        data: base64::engine::general_purpose::STANDARD.encode(r.data.as_ref()),
                        approximate_arrival_timestamp: arrival_ms as f64 / 1000.0,
                    },
                    event_source: "aws:kinesis",
                    event_version: "1.0",
                    event_id: format!("{shard}:{}", r.sequence_number),
                    event_name: "aws:kinesis:record",
                    invoke_identity_arn: role,
                    aws_region: &self.region,
                    event_source_arn: &self.arn,
                };
                StreamRecord {
                    json: serde_json::to_string(&json).unwrap_or_default(),
                    sequence: r.sequence_number.clone(),
                    partition_key: key.clone(),
                    arrival_ms,
                    unchanged: false,
                }
            })
            .collect();
        Ok((records, out.next_shard_iterator))
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct KinesisJson<'a> {
    kinesis_schema_version: &'static str,
    partition_key: &'a str,
    sequence_number: &'a str,
    data: String,
    /// Epoch seconds, with milliseconds.
    approximate_arrival_timestamp: f64,
}

/// The record of events-urls-streaming §2.3, key for key.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RecordJson<'a> {
    kinesis: KinesisJson<'a>,
    event_source: &'static str,
    event_version: &'static str,
    #[serde(rename = "eventID")]
    event_id: String,
    event_name: &'static str,
    invoke_identity_arn: &'a str,
    aws_region: &'a str,
    #[serde(rename = "eventSourceARN")]
    event_source_arn: &'a str,
}
