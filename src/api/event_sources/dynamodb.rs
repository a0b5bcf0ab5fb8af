//! A DynamoDB stream as a mapping reads it (`aws-sdk-dynamodbstreams`): its shards, iterators and
//! records, each built as Lambda delivers it (events-urls-streaming §2.4) whatever the endpoint
//! sends: `eventVersion` `1.1`, the region of the stream's ARN, attribute values in DynamoDB JSON
//! (binary as base64), `SizeBytes` by DynamoDB's item-size rules, and no record for a MODIFY that
//! changed nothing (which DynamoDB never writes).

use super::settings::StartingPosition;
use super::stream::{self, From, Shard, StreamRecord};
use super::Settings;
use crate::api::destinations::sdk_error;
use crate::api::Api;
use aws_sdk_dynamodbstreams::types::{AttributeValue, OperationType, ShardIteratorType};
use base64::Engine;
use lambda_server::error::ServiceError;
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::HashMap;

/// GetRecords returns at most this many records.
const MAX_RECORDS: usize = 1000;

pub struct Stream {
    client: aws_sdk_dynamodbstreams::Client,
    arn: String,
    region: String,
}

/// Refuses a mapping whose stream does not exist (`Stream not found: <arn>`), when a DynamoDB
/// Streams endpoint is configured.
pub async fn check_source(api: &Api, arn: &str) -> Result<(), ServiceError> {
    let region = arn.split(':').nth(3).unwrap_or("us-east-1");
    let Ok(client) = api.services.dynamodb_streams(region) else {
        return Ok(());
    };
    let checked = match client.describe_stream().stream_arn(arn).send().await {
        Ok(_) => Ok(()),
        Err(e)
            if e.as_service_error()
                .is_some_and(|e| e.is_resource_not_found_exception()) =>
        {
            Err(None)
        }
        Err(e) => Err(Some(sdk_error("DescribeStream", &e))),
    };
    stream::refuse_missing("DynamoDB", arn, checked)
}

impl Stream {
    pub fn open(api: &Api, s: &Settings) -> Result<Stream, String> {
        Ok(Stream {
            client: api.services.dynamodb_streams(s.region())?,
            arn: s.source_arn.clone(),
            region: s.region().to_owned(),
        })
    }

    pub async fn shards(&self) -> Result<Vec<Shard>, String> {
        let mut out = Vec::new();
        let mut start: Option<String> = None;
        loop {
            let page = self
                .client
                .describe_stream()
                .stream_arn(&self.arn)
                .set_exclusive_start_shard_id(start.take())
                .send()
                .await
                .map_err(|e| sdk_error("DescribeStream", &e))?;
            let Some(description) = page.stream_description else {
                return Ok(out);
            };
            out.extend(
                description
                    .shards
                    .unwrap_or_default()
                    .into_iter()
                    .filter_map(|s| Some(Shard { id: s.shard_id? })),
            );
            match description.last_evaluated_shard_id {
                Some(last) if !last.is_empty() => start = Some(last),
                _ => return Ok(out),
            }
        }
    }

    pub async fn iterator(&self, shard: &str, from: From<'_>) -> Result<String, String> {
        let request = self.client.get_shard_iterator().stream_arn(&self.arn).shard_id(shard);
        let request = match from {
            From::After(seq) => request
                .shard_iterator_type(ShardIteratorType::AfterSequenceNumber)
                .sequence_number(seq),
            From::Position(StartingPosition::Latest) => request.shard_iterator_type(ShardIteratorType::Latest),
            From::Position(_) => request.shard_iterator_type(ShardIteratorType::TrimHorizon),
        };
        request
            .send()
            .await
            .map_err(|e| sdk_error("GetShardIterator", &e))?
            .shard_iterator
            .ok_or_else(|| "GetShardIterator gave no iterator".to_owned())
    }

    pub async fn records(&self, iterator: &str, limit: usize) -> Result<(Vec<StreamRecord>, Option<String>), String> {
        let out = self
            .client
            .get_records()
            .shard_iterator(iterator)
            .limit(limit.clamp(1, MAX_RECORDS) as i32)
            .send()
            .await
            .map_err(|e| sdk_error("GetRecords", &e))?;
        let records = out
            .records
            .unwrap_or_default()
            .into_iter()
            .map(|r| self.record(r))
            .collect();
        Ok((records, out.next_shard_iterator))
    }

    fn record(&self, r: aws_sdk_dynamodbstreams::types::Record) -> StreamRecord {
        let d = r
            .dynamodb
            .unwrap_or_else(|| aws_sdk_dynamodbstreams::types::StreamRecord::builder().build());
        let created_ms = d
            .approximate_creation_date_time
            .and_then(|t| t.to_millis().ok())
            .unwrap_or_else(|| crate::clock::now_epoch_ms() as i64)
            .max(0) as u64;
        let sequence = d.sequence_number.clone().unwrap_or_default();
        let keys = d.keys.as_ref().map(image);
        let new_image = d.new_image.as_ref().map(image);
        let old_image = d.old_image.as_ref().map(image);
        let size: usize = [&d.keys, &d.new_image, &d.old_image]
            .iter()
            .filter_map(|i| i.as_ref())
            .map(item_size)
            .sum();
        let modify = r.event_name == Some(OperationType::Modify);
        let unchanged = modify && new_image.is_some() && new_image == old_image;
        let record = RecordJson {
            event_id: r.event_id.as_deref().unwrap_or(""),
            event_name: r.event_name.as_ref().map_or("INSERT", |n| n.as_str()),
            event_version: "1.1",
            event_source: "aws:dynamodb",
            aws_region: &self.region,
            dynamodb: DynamoDbJson {
                // Whole seconds, as a number: `1700000000.0`.
                approximate_creation_date_time: (created_ms / 1000) as f64,
                keys: keys.as_ref(),
                new_image,
                old_image,
                sequence_number: &sequence,
                size_bytes: size,
                stream_view_type: d.stream_view_type.as_ref().map(|v| v.as_str()),
            },
            event_source_arn: &self.arn,
            user_identity: r.user_identity.as_ref().map(|who| UserIdentity {
                r#type: who.r#type.as_deref(),
                principal_id: who.principal_id.as_deref(),
            }),
        };
        let json = serde_json::to_string(&record).unwrap_or_default();
        StreamRecord {
            json,
            sequence,
            partition_key: keys.map(|k| k.to_string()).unwrap_or_default(),
            arrival_ms: created_ms,
            unchanged,
        }
    }
}

/// The record of events-urls-streaming §2.4, key for key.
#[derive(Serialize)]
struct RecordJson<'a> {
    #[serde(rename = "eventID")]
    event_id: &'a str,
    #[serde(rename = "eventName")]
    event_name: &'a str,
    #[serde(rename = "eventVersion")]
    event_version: &'static str,
    #[serde(rename = "eventSource")]
    event_source: &'static str,
    #[serde(rename = "awsRegion")]
    aws_region: &'a str,
    dynamodb: DynamoDbJson<'a>,
    #[serde(rename = "eventSourceARN")]
    event_source_arn: &'a str,
    /// TTL deletions: the DynamoDB service.
    #[serde(rename = "userIdentity", skip_serializing_if = "Option::is_none")]
    user_identity: Option<UserIdentity<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct DynamoDbJson<'a> {
    approximate_creation_date_time: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    keys: Option<&'a Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    new_image: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    old_image: Option<Value>,
    sequence_number: &'a str,
    size_bytes: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    stream_view_type: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct UserIdentity<'a> {
    r#type: Option<&'a str>,
    principal_id: Option<&'a str>,
}

/// An item (or its keys) in DynamoDB JSON, attributes by name.
fn image(item: &HashMap<String, AttributeValue>) -> Value {
    let mut names: Vec<&String> = item.keys().collect();
    names.sort();
    Value::Object(names.into_iter().map(|n| (n.clone(), attribute(&item[n]))).collect())
}

fn attribute(v: &AttributeValue) -> Value {
    let b64 =
        |b: &aws_sdk_dynamodbstreams::primitives::Blob| base64::engine::general_purpose::STANDARD.encode(b.as_ref());
    let (kind, value) = match v {
        AttributeValue::S(s) => ("S", Value::from(s.as_str())),
        AttributeValue::N(n) => ("N", Value::from(n.as_str())),
        AttributeValue::B(b) => ("B", Value::from(b64(b))),
        AttributeValue::Bool(b) => ("BOOL", Value::from(*b)),
        AttributeValue::Null(n) => ("NULL", Value::from(*n)),
        AttributeValue::Ss(v) => ("SS", Value::from(v.clone())),
        AttributeValue::Ns(v) => ("NS", Value::from(v.clone())),
        AttributeValue::Bs(v) => ("BS", Value::from(v.iter().map(b64).collect::<Vec<_>>())),
        AttributeValue::L(v) => ("L", Value::from(v.iter().map(attribute).collect::<Vec<_>>())),
        AttributeValue::M(m) => ("M", image(m)),
        _ => ("NULL", Value::from(true)),
    };
    let mut out = Map::new();
    out.insert(kind.into(), value);
    Value::Object(out)
}

/// An item's size by DynamoDB's rules: each attribute's name plus its value.
fn item_size(item: &HashMap<String, AttributeValue>) -> usize {
    item.iter().map(|(name, v)| name.len() + value_size(v)).sum()
}

fn value_size(v: &AttributeValue) -> usize {
    // A number: about one byte per two significant digits, plus one.
    let number = |n: &str| {
        n.trim_start_matches('-')
            .chars()
            .filter(char::is_ascii_digit)
            .count()
            .div_ceil(2)
            + 1
    };
    match v {
        AttributeValue::S(s) => s.len(),
        AttributeValue::N(n) => number(n),
        AttributeValue::B(b) => b.as_ref().len(),
        AttributeValue::Bool(_) | AttributeValue::Null(_) => 1,
        AttributeValue::Ss(v) => v.iter().map(String::len).sum(),
        AttributeValue::Ns(v) => v.iter().map(|n| number(n)).sum(),
        AttributeValue::Bs(v) => v.iter().map(|b| b.as_ref().len()).sum(),
        AttributeValue::L(v) => 3 + v.iter().map(|e| 1 + value_size(e)).sum::<usize>(),
        AttributeValue::M(m) => 3 + m.iter().map(|(k, e)| 1 + k.len() + value_size(e)).sum::<usize>(),
        _ => 1,
    }
}
