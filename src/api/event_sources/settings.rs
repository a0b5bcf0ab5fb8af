//! A mapping's configuration as its poller uses it: the source, the function, and AWS's batching,
//! retry, filter and destination settings with their defaults, read once from the stored mapping
//! whenever it changes.

use super::filter::{Filters, Source};
use crate::state::event_source_mappings::Mapping;
use lambda_server::model as m;
use std::sync::Arc;
use std::time::Duration;

/// What a mapping reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SourceKind {
    Sqs {
        fifo: bool,
    },
    Kinesis,
    DynamoDb,
    /// Kafka, MQ, DocumentDB: accepted by the API, never polled here.
    NotPolled(&'static str),
}

/// Where a stream's shards start without a checkpoint.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum StartingPosition {
    TrimHorizon,
    Latest,
    /// Epoch seconds.
    AtTimestamp(f64),
}

#[derive(Clone, Debug)]
pub struct Settings {
    pub uuid: String,
    pub source: SourceKind,
    pub source_arn: String,
    /// The function's name, and the qualifier its ARN names.
    pub function: String,
    pub qualifier: Option<String>,
    pub enabled: bool,
    pub batch_size: usize,
    pub window: Duration,
    /// `FunctionResponseTypes: ["ReportBatchItemFailures"]`.
    pub report_failures: bool,
    pub filters: Arc<Filters>,
    /// None: infinite (-1).
    pub max_retries: Option<u32>,
    /// None: infinite (-1).
    pub max_record_age: Option<Duration>,
    pub bisect: bool,
    pub parallelization: usize,
    /// `TumblingWindowInSeconds`, when above 0.
    pub tumbling_window: Option<Duration>,
    pub on_failure: Option<String>,
    pub starting_position: StartingPosition,
    /// SQS: batches invoked at once (`ScalingConfig.MaximumConcurrency`, else 5, AWS's start).
    pub max_concurrency: usize,
}

/// Concurrent batches of an SQS mapping without `ScalingConfig`: AWS starts with five pollers.
pub const DEFAULT_SQS_CONCURRENCY: usize = 5;

impl SourceKind {
    pub fn of(arn: Option<&str>) -> SourceKind {
        let Some(arn) = arn else {
            return SourceKind::NotPolled("self-managed Kafka");
        };
        match arn.split(':').nth(2).unwrap_or("") {
            "sqs" => SourceKind::Sqs {
                fifo: arn.ends_with(".fifo"),
            },
            "kinesis" => SourceKind::Kinesis,
            "dynamodb" => SourceKind::DynamoDb,
            "kafka" => SourceKind::NotPolled("Amazon MSK"),
            "mq" => SourceKind::NotPolled("Amazon MQ"),
            "rds" => SourceKind::NotPolled("Amazon DocumentDB"),
            _ => SourceKind::NotPolled("unknown"),
        }
    }

    /// The filter language's view of this source's records.
    pub fn filter_source(self) -> Source {
        match self {
            SourceKind::Kinesis => Source::Kinesis,
            SourceKind::DynamoDb => Source::DynamoDb,
            _ => Source::Sqs,
        }
    }
}

/// The patterns of a FilterCriteria, in order.
pub fn patterns(f: Option<&m::FilterCriteria>) -> Vec<&str> {
    f.and_then(|f| f.filters.as_ref())
        .map(|fs| fs.iter().filter_map(|f| f.pattern.as_deref()).collect())
        .unwrap_or_default()
}

impl Settings {
    pub fn of(mapping: &Mapping) -> Settings {
        let c = &mapping.config;
        let source = SourceKind::of(c.event_source_arn.as_deref());
        let function_arn = c.function_arn.clone().unwrap_or_default();
        // `arn:aws:lambda:r:a:function:name[:qualifier]`
        let qualifier = function_arn.split(':').nth(7).map(str::to_owned);
        // Validated at create and update: a failure here cannot happen, and would mean no filter.
        let filters =
            Filters::compile(&patterns(c.filter_criteria.as_ref()), source.filter_source()).unwrap_or_default();
        let non_negative = |v: Option<i32>| v.filter(|n| *n >= 0);
        Settings {
            uuid: c.uuid.clone().unwrap_or_default(),
            source,
            source_arn: c.event_source_arn.clone().unwrap_or_default(),
            function: mapping.function_name.clone(),
            qualifier,
            enabled: mapping.enabled,
            batch_size: c.batch_size.unwrap_or(10).max(1) as usize,
            window: Duration::from_secs(c.maximum_batching_window_in_seconds.unwrap_or(0).max(0) as u64),
            report_failures: c
                .function_response_types
                .as_ref()
                .is_some_and(|t| t.contains(&m::FunctionResponseType::ReportBatchItemFailures)),
            filters: Arc::new(filters),
            max_retries: non_negative(c.maximum_retry_attempts).map(|n| n as u32),
            max_record_age: non_negative(c.maximum_record_age_in_seconds).map(|n| Duration::from_secs(n as u64)),
            bisect: c.bisect_batch_on_function_error.unwrap_or(false),
            parallelization: c.parallelization_factor.unwrap_or(1).clamp(1, 10) as usize,
            tumbling_window: c
                .tumbling_window_in_seconds
                .filter(|n| *n > 0)
                .map(|n| Duration::from_secs(n as u64)),
            on_failure: c
                .destination_config
                .as_ref()
                .and_then(|d| d.on_failure.as_ref())
                .and_then(|f| f.destination.clone())
                .filter(|d| !d.is_empty()),
            starting_position: match c.starting_position {
                Some(m::EventSourcePosition::Latest) => StartingPosition::Latest,
                Some(m::EventSourcePosition::AtTimestamp) => {
                    StartingPosition::AtTimestamp(c.starting_position_timestamp.map(|t| t.as_secs_f64()).unwrap_or(0.0))
                }
                _ => StartingPosition::TrimHorizon,
            },
            max_concurrency: c
                .scaling_config
                .as_ref()
                .and_then(|s| s.maximum_concurrency)
                .map_or(DEFAULT_SQS_CONCURRENCY, |n| n.clamp(2, 1000) as usize),
        }
    }

    /// The region of the source (its ARN's), where its records say they come from.
    pub fn region(&self) -> &str {
        self.source_arn.split(':').nth(3).unwrap_or("us-east-1")
    }

    /// The source's account (its ARN's).
    pub fn account(&self) -> &str {
        self.source_arn.split(':').nth(4).unwrap_or("000000000000")
    }
}
