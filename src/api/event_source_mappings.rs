//! Event source mappings: validation per source type (a queue or stream that does not exist is
//! refused at create), states, listing. Each settled change is handed to the pollers
//! (`event_sources`), which start, reconfigure or stop the mapping's poller.

use super::event_sources::filter::Filters;
use super::event_sources::settings::patterns;
use super::event_sources::{dynamodb, kinesis, sqs, SourceKind};
use super::Api;
use crate::arn::{FunctionRef, Scope};
use crate::errors;
use crate::state::event_source_mappings::Mapping;
use crate::state::settle::SETTLE_DELAY;
use crate::state::{Namespace, State};
use lambda_server::error::ServiceError;
use lambda_server::model as m;

const NOT_FOUND: &str = "The resource you requested does not exist.";

/// What kind of source a mapping reads.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Sqs { fifo: bool },
    Kinesis,
    DynamoDb,
    Msk,
    SelfManagedKafka,
    Mq,
    DocumentDb,
}

impl Kind {
    fn of(req: &m::CreateEventSourceMappingRequest) -> Result<Kind, ServiceError> {
        let unrecognized = || errors::invalid_parameter("Unrecognized event source.");
        match (&req.event_source_arn, &req.self_managed_event_source) {
            (Some(_), Some(_)) => Err(errors::invalid_parameter(
                "Specify either EventSourceArn or SelfManagedEventSource, not both.",
            )),
            (None, Some(_)) => Ok(Kind::SelfManagedKafka),
            (None, None) => Err(unrecognized()),
            (Some(arn), None) => {
                let parts: Vec<&str> = arn.split(':').collect();
                if parts.len() < 6 || parts[0] != "arn" {
                    return Err(unrecognized());
                }
                match parts[2] {
                    "sqs" => Ok(Kind::Sqs {
                        fifo: arn.ends_with(".fifo"),
                    }),
                    "kinesis" => Ok(Kind::Kinesis),
                    "dynamodb" if arn.contains("/stream/") => Ok(Kind::DynamoDb),
                    "kafka" => Ok(Kind::Msk),
                    "mq" => Ok(Kind::Mq),
                    "rds" => Ok(Kind::DocumentDb),
                    _ => Err(unrecognized()),
                }
            }
        }
    }

    fn is_stream(self) -> bool {
        matches!(self, Kind::Kinesis | Kind::DynamoDb)
    }

    fn is_kafka(self) -> bool {
        matches!(self, Kind::Msk | Kind::SelfManagedKafka)
    }

    /// Default and maximum BatchSize.
    fn batch_limits(self) -> (i32, i32) {
        match self {
            Kind::Sqs { fifo: true } => (10, 10),
            Kind::Sqs { fifo: false } => (10, 10000),
            _ => (100, 10000),
        }
    }
}

fn unsupported(param: &str) -> ServiceError {
    errors::invalid_parameter(format!(
        "Unsupported {param} parameter for given event source mapping type."
    ))
}

fn on_failure(d: &Option<m::DestinationConfig>) -> Option<&str> {
    d.as_ref()
        .and_then(|d| d.on_failure.as_ref())
        .and_then(|f| f.destination.as_deref())
        .filter(|d| !d.is_empty())
}

/// Validates a mapping as a whole (a create request, or an existing mapping with an update applied).
fn validate(req: &m::CreateEventSourceMappingRequest, kind: Kind) -> Result<(), ServiceError> {
    let on_success = req
        .destination_config
        .as_ref()
        .and_then(|d| d.on_success.as_ref())
        .and_then(|s| s.destination.as_deref());
    if on_success.is_some_and(|d| !d.is_empty()) {
        return Err(unsupported("DestinationConfig"));
    }
    let (_, max_batch) = kind.batch_limits();
    if let Some(b) = req.batch_size {
        if !(1..=max_batch).contains(&b) {
            return Err(errors::invalid_parameter(format!(
                "1 validation error detected: Value '{b}' at 'batchSize' failed to satisfy constraint: Member must have value less than or equal to {max_batch}"
            )));
        }
    }
    if let Some(filters) = req.filter_criteria.as_ref().and_then(|f| f.filters.as_ref()) {
        let source = SourceKind::of(req.event_source_arn.as_deref()).filter_source();
        if filters.iter().any(|f| f.pattern.is_none())
            || Filters::compile(&patterns(req.filter_criteria.as_ref()), source).is_err()
        {
            return Err(errors::invalid_parameter("Invalid filter pattern definition."));
        }
    }
    let stream_only: [(&str, bool); 5] = [
        ("ParallelizationFactor", req.parallelization_factor.is_some()),
        ("MaximumRetryAttempts", req.maximum_retry_attempts.is_some()),
        ("MaximumRecordAgeInSeconds", req.maximum_record_age_in_seconds.is_some()),
        (
            "BisectBatchOnFunctionError",
            req.bisect_batch_on_function_error.is_some(),
        ),
        ("TumblingWindowInSeconds", req.tumbling_window_in_seconds.is_some()),
    ];
    if !kind.is_stream() {
        if let Some((p, _)) = stream_only.iter().find(|(_, given)| *given) {
            return Err(unsupported(p));
        }
    }
    if !matches!(kind, Kind::Sqs { .. }) && req.scaling_config.is_some() {
        return Err(unsupported("ScalingConfig"));
    }
    if !kind.is_kafka() && req.topics.is_some() {
        return Err(unsupported("Topics"));
    }
    if kind != Kind::Mq && req.queues.is_some() {
        return Err(unsupported("Queues"));
    }
    if matches!(kind, Kind::Mq | Kind::DocumentDb)
        && req.function_response_types.as_ref().is_some_and(|t| !t.is_empty())
    {
        return Err(unsupported("FunctionResponseTypes"));
    }
    let arn = req.event_source_arn.as_deref().unwrap_or("");
    let position_required = || {
        errors::invalid_parameter("1 validation error detected: Value null at 'startingPosition' failed to satisfy constraint: Member must not be null.")
    };
    match kind {
        Kind::Sqs { .. } => {
            if req.starting_position.is_some() {
                return Err(errors::invalid_parameter(
                    "StartingPosition is not valid for SQS event sources.",
                ));
            }
            if on_failure(&req.destination_config).is_some() {
                return Err(unsupported("DestinationConfig"));
            }
            if req.batch_size.unwrap_or(10) > 10 && req.maximum_batching_window_in_seconds.unwrap_or(0) == 0 {
                return Err(errors::invalid_parameter(
                    "Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10",
                ));
            }
        }
        Kind::Kinesis | Kind::DynamoDb | Kind::Msk | Kind::SelfManagedKafka | Kind::DocumentDb => {
            let position = req.starting_position.as_ref().ok_or_else(position_required)?;
            if *position == m::EventSourcePosition::AtTimestamp {
                if kind == Kind::DynamoDb {
                    return Err(errors::invalid_parameter(format!(
                        "Unsupported starting position for arn type: {arn}"
                    )));
                }
                if req.starting_position_timestamp.is_none() {
                    return Err(errors::invalid_parameter(
                        "StartingPositionTimestamp must be provided when StartingPosition is AT_TIMESTAMP.",
                    ));
                }
            } else if req.starting_position_timestamp.is_some() {
                return Err(errors::invalid_parameter(
                    "StartingPositionTimestamp is only valid when StartingPosition is AT_TIMESTAMP.",
                ));
            }
        }
        Kind::Mq => {
            if req.starting_position.is_some() {
                return Err(unsupported("StartingPosition"));
            }
        }
    }
    if kind.is_stream() {
        if let Some(age) = req.maximum_record_age_in_seconds {
            if age != -1 && !(60..=604800).contains(&age) {
                return Err(errors::invalid_parameter(format!(
                    "Invalid MaximumRecordAgeInSeconds: {age}. The value must be -1 (infinite) or between 60 and 604800."
                )));
            }
        }
    }
    if let Some(dest) = on_failure(&req.destination_config) {
        let service = dest.split(':').nth(2).unwrap_or("");
        let ok = dest.starts_with("arn:") && matches!(service, "sqs" | "sns" | "s3")
            || (kind.is_kafka() && dest.starts_with("kafka://"));
        if !ok {
            return Err(errors::invalid_parameter(format!(
                "The provided destination config DestinationConfig(onSuccess=null, onFailure=OnFailure(destination={dest})) is invalid."
            )));
        }
    }
    match kind {
        Kind::Msk | Kind::SelfManagedKafka if req.topics.as_ref().is_none_or(|t| t.is_empty()) => {
            return Err(errors::invalid_parameter(
                "Topics must be specified for Kafka event sources.",
            ));
        }
        Kind::SelfManagedKafka => {
            let servers = req
                .self_managed_event_source
                .as_ref()
                .and_then(|s| s.endpoints.as_ref())
                .and_then(|e| e.get(m::EndPointType::KafkaBootstrapServers.as_str()))
                .is_some_and(|s| !s.is_empty());
            if !servers {
                return Err(errors::invalid_parameter(
                    "SelfManagedEventSource must list KAFKA_BOOTSTRAP_SERVERS endpoints.",
                ));
            }
        }
        Kind::Mq => {
            if req.queues.as_ref().is_none_or(|q| q.is_empty()) {
                return Err(errors::invalid_parameter(
                    "Queues must be specified for Amazon MQ event sources.",
                ));
            }
            let basic = req
                .source_access_configurations
                .as_ref()
                .is_some_and(|c| c.iter().any(|c| c.r#type == Some(m::SourceAccessType::BasicAuth)));
            if !basic {
                return Err(errors::invalid_parameter(
                    "Required 'sourceAccessConfigurations' parameter is missing.",
                ));
            }
        }
        Kind::DocumentDb => {
            let db = req
                .document_db_event_source_config
                .as_ref()
                .and_then(|d| d.database_name.as_deref())
                .is_some_and(|d| !d.is_empty());
            if !db {
                return Err(errors::invalid_parameter(
                    "DocumentDBEventSourceConfig.DatabaseName must be specified for DocumentDB event sources.",
                ));
            }
        }
        _ => {}
    }
    Ok(())
}

/// The configuration of a validated mapping, with each source type's defaults.
fn build(
    req: m::CreateEventSourceMappingRequest,
    kind: Kind,
    function_arn: String,
    uuid: &str,
    esm_arn: String,
) -> m::EventSourceMappingConfiguration {
    let (default_batch, _) = kind.batch_limits();
    let stream = kind.is_stream();
    let failure_dest = matches!(
        kind,
        Kind::Kinesis | Kind::DynamoDb | Kind::Msk | Kind::SelfManagedKafka
    );
    m::EventSourceMappingConfiguration {
        amazon_managed_kafka_event_source_config: req.amazon_managed_kafka_event_source_config,
        batch_size: Some(req.batch_size.unwrap_or(default_batch)),
        bisect_batch_on_function_error: if stream {
            Some(req.bisect_batch_on_function_error.unwrap_or(false))
        } else {
            None
        },
        destination_config: if failure_dest {
            Some(req.destination_config.unwrap_or_else(|| m::DestinationConfig {
                on_failure: Some(m::OnFailure::default()),
                on_success: None,
            }))
        } else {
            None
        },
        document_db_event_source_config: req.document_db_event_source_config,
        event_source_arn: req.event_source_arn,
        event_source_mapping_arn: Some(esm_arn),
        filter_criteria: req.filter_criteria,
        filter_criteria_error: None,
        function_arn: Some(function_arn),
        function_response_types: Some(req.function_response_types.unwrap_or_default()),
        kms_key_arn: req.kms_key_arn,
        last_modified: Some(crate::clock::now_timestamp()),
        last_processing_result: if matches!(kind, Kind::Sqs { .. }) {
            None
        } else {
            Some("No records processed".to_string())
        },
        logging_config: req.logging_config,
        maximum_batching_window_in_seconds: Some(req.maximum_batching_window_in_seconds.unwrap_or(0)),
        maximum_record_age_in_seconds: if stream {
            Some(req.maximum_record_age_in_seconds.unwrap_or(-1))
        } else {
            None
        },
        maximum_retry_attempts: if stream {
            Some(req.maximum_retry_attempts.unwrap_or(-1))
        } else {
            None
        },
        metrics_config: req.metrics_config,
        parallelization_factor: if stream {
            Some(req.parallelization_factor.unwrap_or(1))
        } else {
            None
        },
        provisioned_poller_config: req.provisioned_poller_config,
        queues: req.queues,
        scaling_config: req.scaling_config,
        self_managed_event_source: req.self_managed_event_source,
        self_managed_kafka_event_source_config: req.self_managed_kafka_event_source_config,
        source_access_configurations: req.source_access_configurations,
        starting_position: req.starting_position,
        starting_position_timestamp: req.starting_position_timestamp,
        state: Some("Creating".to_string()),
        state_transition_reason: Some("USER_INITIATED".to_string()),
        topics: req.topics,
        tumbling_window_in_seconds: if stream {
            Some(req.tumbling_window_in_seconds.unwrap_or(0))
        } else {
            None
        },
        uuid: Some(uuid.to_string()),
    }
}

/// The request a stored mapping would be created with (to re-validate it after an update).
fn as_request(mapping: &Mapping) -> m::CreateEventSourceMappingRequest {
    let c = mapping.config.clone();
    m::CreateEventSourceMappingRequest {
        amazon_managed_kafka_event_source_config: c.amazon_managed_kafka_event_source_config,
        batch_size: c.batch_size,
        bisect_batch_on_function_error: c.bisect_batch_on_function_error,
        destination_config: c.destination_config,
        document_db_event_source_config: c.document_db_event_source_config,
        enabled: Some(mapping.enabled),
        event_source_arn: c.event_source_arn,
        filter_criteria: c.filter_criteria,
        function_name: c.function_arn.unwrap_or_default(),
        function_response_types: c.function_response_types,
        kms_key_arn: c.kms_key_arn,
        logging_config: c.logging_config,
        maximum_batching_window_in_seconds: c.maximum_batching_window_in_seconds,
        maximum_record_age_in_seconds: c.maximum_record_age_in_seconds,
        maximum_retry_attempts: c.maximum_retry_attempts,
        metrics_config: c.metrics_config,
        parallelization_factor: c.parallelization_factor,
        provisioned_poller_config: c.provisioned_poller_config,
        queues: c.queues,
        scaling_config: c.scaling_config,
        self_managed_event_source: c.self_managed_event_source,
        self_managed_kafka_event_source_config: c.self_managed_kafka_event_source_config,
        source_access_configurations: c.source_access_configurations,
        starting_position: c.starting_position,
        starting_position_timestamp: c.starting_position_timestamp,
        tags: None,
        topics: c.topics,
        tumbling_window_in_seconds: c.tumbling_window_in_seconds,
    }
}

/// The ARN a mapping shows for its function (qualified when the request named a qualifier), after
/// checking that the function and qualifier exist.
fn function_arn(s: &State, scope: &Scope, f: &FunctionRef) -> Result<String, ServiceError> {
    let exists = s
        .functions
        .get(&f.name)
        .is_some_and(|func| func.resolve(f.qualifier.as_deref()).is_some());
    if !exists {
        return Err(errors::invalid_parameter("Function does not exist"));
    }
    Ok(scope.arn(&f.name, f.qualifier.as_deref()))
}

/// The existing mapping a new one would duplicate: same source and same function.
fn duplicate(
    s: &State,
    req: &m::CreateEventSourceMappingRequest,
    kind: Kind,
    fn_arn: &str,
    name: &str,
    except: Option<&str>,
) -> Result<(), ServiceError> {
    let servers = |src: &Option<m::SelfManagedEventSource>| -> Vec<String> {
        src.as_ref()
            .and_then(|s| s.endpoints.as_ref())
            .and_then(|e| e.get(m::EndPointType::KafkaBootstrapServers.as_str()))
            .cloned()
            .unwrap_or_default()
    };
    let mine = servers(&req.self_managed_event_source);
    for (uuid, other) in &s.event_source_mappings.by_uuid {
        let c = &other.config;
        if Some(uuid.as_str()) == except
            || c.state.as_deref() == Some("Deleting")
            || c.function_arn.as_deref() != Some(fn_arn)
        {
            continue;
        }
        let same_source = match kind {
            Kind::SelfManagedKafka => servers(&c.self_managed_event_source).iter().any(|s| mine.contains(s)),
            _ => c.event_source_arn.is_some() && c.event_source_arn == req.event_source_arn,
        };
        if !same_source {
            continue;
        }
        let arn = req.event_source_arn.as_deref().unwrap_or("");
        let message = match kind {
            Kind::Sqs { .. } => format!(
                "An event source mapping with SQS arn (\" {arn} \") and function (\" {name} \") already exists. Please update or delete the existing mapping with UUID {uuid}"
            ),
            Kind::Msk | Kind::SelfManagedKafka => {
                let topics = req.topics.clone().unwrap_or_default();
                if !c.topics.clone().unwrap_or_default().iter().any(|t| topics.contains(t)) {
                    continue;
                }
                let source = if kind == Kind::Msk { arn.to_string() } else { mine.join(",") };
                format!(
                    "An event source mapping with event source (\"{source}\"), function (\"{fn_arn}\"), topics (\"{}\") already exists. Please update or delete the existing mapping with UUID {uuid}",
                    topics.join(",")
                )
            }
            _ => format!(
                "The event source arn (\" {arn} \") and function (\" {name} \") provided mapping already exists. Please update or delete the existing mapping with UUID {uuid}"
            ),
        };
        return Err(errors::conflict(message));
    }
    Ok(())
}

/// After a short delay, ends the mapping's transition (or removes a deleted mapping), and brings
/// its poller in line.
fn settle(api: &Api, uuid: String) {
    // The pollers run in the mapping's region and account.
    let mut context = crate::context::current_or(&api.defaults);
    context.request_id = std::sync::Arc::from("");
    settle_in(api, context, SETTLE_DELAY, uuid);
}

/// Settles mapping `uuid` of the namespace of `context` after `delay`, and brings its poller in
/// line (also at start-up, for every mapping loaded).
pub fn settle_in(api: &Api, context: crate::context::RequestContext, delay: std::time::Duration, uuid: String) {
    let api2 = api.clone();
    api.state.settle_after(delay, Namespace::of(&context), move |s| {
        if let Some(arn) = s.event_source_mappings.settle(&uuid) {
            s.tags.forget(&arn);
        }
        api2.event_sources
            .apply(&api2, context, &uuid, s.event_source_mappings.get(&uuid));
    });
}

/// Refuses a mapping whose queue or stream does not exist, when its service has an endpoint.
async fn check_source(api: &Api, kind: Kind, arn: Option<&str>) -> Result<(), ServiceError> {
    let Some(arn) = arn else { return Ok(()) };
    match kind {
        Kind::Sqs { .. } => sqs::check_source(api, arn).await,
        Kind::Kinesis => kinesis::check_source(api, arn).await,
        Kind::DynamoDb => dynamodb::check_source(api, arn).await,
        _ => Ok(()),
    }
}

pub async fn create_event_source_mapping(
    api: &Api,
    input: m::CreateEventSourceMappingRequest,
) -> Result<m::EventSourceMappingConfiguration, ServiceError> {
    let scope = api.scope();
    let kind = Kind::of(&input)?;
    validate(&input, kind)?;
    super::tags::check_new_tags(input.tags.as_ref())?;
    let f = FunctionRef::parse(&input.function_name, None, &scope)?;
    check_source(api, kind, input.event_source_arn.as_deref()).await?;
    let uuid = uuid::Uuid::new_v4().to_string();
    let esm_arn = scope.event_source_mapping_arn(&uuid);
    let id = uuid.clone();
    let config = api
        .state_try(move |s| {
            let fn_arn = function_arn(s, &scope, &f)?;
            duplicate(s, &input, kind, &fn_arn, &f.name, None)?;
            let enabled = input.enabled.unwrap_or(true);
            let mut req = input;
            let tags = req.tags.take().unwrap_or_default();
            let config = build(req, kind, fn_arn, &id, esm_arn.clone());
            if !tags.is_empty() {
                s.tags.set(&esm_arn, tags);
            }
            s.event_source_mappings.by_uuid.insert(
                id,
                Mapping {
                    config: config.clone(),
                    function_name: f.name,
                    enabled,
                    checkpoints: Default::default(),
                },
            );
            Ok(config)
        })
        .await?;
    settle(api, uuid);
    Ok(config)
}

pub async fn delete_event_source_mapping(
    api: &Api,
    input: m::DeleteEventSourceMappingRequest,
) -> Result<m::EventSourceMappingConfiguration, ServiceError> {
    let uuid = input.uuid.clone();
    let config = api
        .state_try(move |s| {
            let mapping = s
                .event_source_mappings
                .by_uuid
                .get_mut(&input.uuid)
                .ok_or_else(|| errors::not_found(NOT_FOUND))?;
            mapping.config.state = Some("Deleting".to_string());
            Ok(mapping.config.clone())
        })
        .await?;
    settle(api, uuid);
    Ok(config)
}

pub async fn get_event_source_mapping(
    api: &Api,
    input: m::GetEventSourceMappingRequest,
) -> Result<m::EventSourceMappingConfiguration, ServiceError> {
    api.state(move |s| {
        s.event_source_mappings
            .get(&input.uuid)
            .map(|m| m.config.clone())
            .ok_or_else(|| errors::not_found(NOT_FOUND))
    })
    .await?
}

pub async fn list_event_source_mappings(
    api: &Api,
    input: m::ListEventSourceMappingsRequest,
) -> Result<m::ListEventSourceMappingsResponse, ServiceError> {
    let scope = api.scope();
    let function = match &input.function_name {
        Some(n) => Some(FunctionRef::parse(n, None, &scope)?),
        None => None,
    };
    let source = input.event_source_arn.clone();
    let items = api
        .state(move |s| {
            s.event_source_mappings
                .by_uuid
                .values()
                .filter(|m| source.is_none() || m.config.event_source_arn == source)
                .filter(|m| match &function {
                    None => true,
                    Some(f) if f.qualifier.is_none() => m.function_name == f.name,
                    Some(f) => {
                        m.config.function_arn.as_deref() == Some(scope.arn(&f.name, f.qualifier.as_deref()).as_str())
                    }
                })
                .map(|m| m.config.clone())
                .collect::<Vec<_>>()
        })
        .await?;
    let key = |c: &m::EventSourceMappingConfiguration| c.uuid.clone().unwrap_or_default();
    let (page, next) = crate::pagination::page(items, key, input.marker.as_deref(), input.max_items, 100)?;
    Ok(m::ListEventSourceMappingsResponse {
        event_source_mappings: Some(page),
        next_marker: next,
    })
}

pub async fn update_event_source_mapping(
    api: &Api,
    input: m::UpdateEventSourceMappingRequest,
) -> Result<m::EventSourceMappingConfiguration, ServiceError> {
    let scope = api.scope();
    let new_function = match &input.function_name {
        Some(n) => Some(FunctionRef::parse(n, None, &scope)?),
        None => None,
    };
    let uuid = input.uuid.clone();
    let config = api
        .state_try(move |s| {
            let current = s
                .event_source_mappings
                .get(&input.uuid)
                .cloned()
                .ok_or_else(|| errors::not_found(NOT_FOUND))?;
            if current.config.state.as_deref() == Some("Deleting") {
                return Err(errors::in_use(format!(
                    "Cannot update the event source mapping {} because it is being deleted.",
                    input.uuid
                )));
            }
            let mut req = as_request(&current);
            let kind = Kind::of(&req)?;
            macro_rules! apply {
                ($($field:ident),*) => { $( if input.$field.is_some() { req.$field = input.$field; } )* };
            }
            apply!(
                amazon_managed_kafka_event_source_config,
                batch_size,
                bisect_batch_on_function_error,
                destination_config,
                document_db_event_source_config,
                filter_criteria,
                function_response_types,
                kms_key_arn,
                logging_config,
                maximum_batching_window_in_seconds,
                maximum_record_age_in_seconds,
                maximum_retry_attempts,
                metrics_config,
                parallelization_factor,
                provisioned_poller_config,
                scaling_config,
                self_managed_kafka_event_source_config,
                source_access_configurations,
                tumbling_window_in_seconds
            );
            validate(&req, kind)?;
            let (fn_arn, function_name) = match &new_function {
                Some(f) => {
                    let arn = function_arn(s, &scope, f)?;
                    duplicate(s, &req, kind, &arn, &f.name, Some(&input.uuid))?;
                    (arn, f.name.clone())
                }
                None => (
                    current.config.function_arn.clone().unwrap_or_default(),
                    current.function_name.clone(),
                ),
            };
            let enabled = input.enabled.unwrap_or(current.enabled);
            let mut config = build(
                req,
                kind,
                fn_arn,
                &input.uuid,
                current.config.event_source_mapping_arn.clone().unwrap_or_default(),
            );
            config.last_processing_result = current.config.last_processing_result.clone();
            config.state = Some(
                match (current.enabled, enabled) {
                    (false, true) => "Enabling",
                    (true, false) => "Disabling",
                    _ => "Updating",
                }
                .to_string(),
            );
            let checkpoints = s
                .event_source_mappings
                .get(&input.uuid)
                .map(|m| m.checkpoints.clone())
                .unwrap_or_default();
            s.event_source_mappings.by_uuid.insert(
                input.uuid,
                Mapping {
                    config: config.clone(),
                    function_name,
                    enabled,
                    checkpoints,
                },
            );
            Ok(config)
        })
        .await?;
    settle(api, uuid);
    Ok(config)
}
