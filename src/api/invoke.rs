//! Invoke, InvokeAsync and InvokeWithResponseStream: a request is checked as AWS checks it (the
//! function and qualifier exist, the function is not Pending, the payload is JSON and within the
//! limits, reserved concurrency is not exhausted), the version to run is chosen (an alias's weights
//! decide between its two versions), and the environment pool runs it. An `Event` invoke (and
//! InvokeAsync) is checked the same way, then queued for `async_invocation` and answered 202.

use super::async_invocation::AsyncEvent;
use super::function_spec::function_spec;
use super::streamed_invocation::{self, Ending, Next, Started, StreamedRequest};
use super::Api;
use crate::arn::FunctionRef;
use crate::clock;
use crate::context;
use crate::errors;
use crate::execution::{error_type_of, status_of, InvocationKind, InvocationRecord, StreamSender};
use crate::execution::{Answer, FunctionSpec, Invocation, InvocationOutcome, InvocationResult};
use base64::Engine;
use bytes::Bytes;
use lambda_server::error::ServiceError;
use lambda_server::model as m;
use tokio::sync::oneshot;

/// Payload limits: synchronous 6 MB, asynchronous 1 MB.
pub const SYNC_PAYLOAD_LIMIT: usize = 6 * 1024 * 1024;
pub const ASYNC_PAYLOAD_LIMIT: usize = 1024 * 1024;
/// `X-Amz-Log-Result` carries the last 4 KB of the invocation's log.
const LOG_TAIL: usize = 4096;
/// `X-Amz-Client-Context` may hold at most this many bytes.
const CLIENT_CONTEXT_LIMIT: usize = 3583;

/// What an invocation needs once the request is checked.
pub(crate) struct Prepared {
    pub name: String,
    /// The unqualified ARN: the function across its namespaces (reserved concurrency counts by it).
    pub function_arn: String,
    /// As invoked, or `$LATEST`.
    pub qualifier: String,
    pub invoked_arn: String,
    pub spec: FunctionSpec,
    pub reserved: Option<i32>,
}

/// Chooses a version for a qualifier; an alias with a routing config picks by weight.
fn pick<'f>(
    func: &'f crate::state::functions::Function,
    qualifier: Option<&str>,
) -> Option<&'f crate::state::functions::Version> {
    let alias = qualifier.and_then(|q| func.aliases.get(q));
    if let Some(a) = alias {
        let weights = a
            .routing_config
            .as_ref()
            .and_then(|r| r.additional_version_weights.as_ref());
        if let Some((other, w)) = weights.and_then(|w| w.iter().next()) {
            if rand_unit() < *w {
                return func.resolve(Some(other));
            }
        }
    }
    func.resolve(qualifier)
}

/// A uniform number in [0, 1) (weighted alias routing needs no stronger randomness).
fn rand_unit() -> f64 {
    let bits = uuid::Uuid::new_v4().as_u128() >> 75;
    bits as f64 / (1u128 << 53) as f64
}

/// What a request's payload is checked as: its limit and the 413 message depend on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Operation {
    /// Invoke, synchronous (or a dry run).
    InvokeFunction,
    /// An asynchronous invocation: Invoke with `Event`, or InvokeAsync.
    Event,
    InvokeWithResponseStream,
}

impl Operation {
    fn payload_limit(self) -> usize {
        match self {
            Operation::Event => ASYNC_PAYLOAD_LIMIT,
            Operation::InvokeFunction | Operation::InvokeWithResponseStream => SYNC_PAYLOAD_LIMIT,
        }
    }
}

/// Checks the request (see the module doc) and builds what its invocation needs.
pub(crate) async fn prepare(
    api: &Api,
    function_name: &str,
    qualifier: Option<&str>,
    payload: &[u8],
    op: Operation,
) -> Result<Prepared, ServiceError> {
    check_payload(payload, op)?;
    let resolve = Resolve::new(&api.scope(), api.store.clone(), function_name, qualifier)?;
    api.state_try(move |s| resolve.run(s)).await
}

/// A payload within the operation's limit, and JSON.
pub(crate) fn check_payload(payload: &[u8], op: Operation) -> Result<(), ServiceError> {
    let limit = op.payload_limit();
    if payload.len() > limit {
        return Err(errors::request_too_large(too_large_message(payload.len(), limit, op)));
    }
    if !payload.is_empty() {
        // Checked without building it (IgnoredAny): this runs on every invoke.
        if let Err(e) = serde_json::from_slice::<serde::de::IgnoredAny>(payload) {
            return Err(errors::invalid_request_content(format!(
                "Could not parse request body into json: Could not parse payload into json: {e}"
            )));
        }
    }
    Ok(())
}

/// The function and qualifier an invocation is for, to be resolved (in a state job, `run`) into
/// the version to run: what `prepare` does once the payload is checked.
pub(crate) struct Resolve {
    f: FunctionRef,
    invoked_arn: String,
    /// The ARN a missing function is named by.
    missing: String,
    store: crate::store::Store,
    region: String,
    account: String,
}

impl Resolve {
    pub(crate) fn new(
        scope: &crate::arn::Scope,
        store: crate::store::Store,
        function_name: &str,
        qualifier: Option<&str>,
    ) -> Result<Resolve, ServiceError> {
        let f = FunctionRef::parse(function_name, qualifier, scope)?;
        Ok(Resolve {
            invoked_arn: scope.arn(&f.name, f.qualifier.as_deref()),
            // Invoke names a missing function with the version it would have run: `:$LATEST` when unqualified.
            missing: scope.qualified_arn(&f.name, f.qualifier.as_deref().unwrap_or("$LATEST")),
            f,
            store,
            region: scope.region.clone(),
            account: scope.account.clone(),
        })
    }

    /// In a state job: the version to run (an alias's weights pick one), refusing a Pending one.
    pub(crate) fn run(self, s: &crate::state::State) -> Result<Prepared, ServiceError> {
        let Resolve {
            f,
            invoked_arn,
            missing,
            store,
            region,
            account,
        } = self;
        let func = s
            .functions
            .get(&f.name)
            .ok_or_else(|| errors::not_found(format!("Function not found: {missing}")))?;
        let v = pick(func, f.qualifier.as_deref())
            .ok_or_else(|| errors::not_found(format!("Function not found: {missing}")))?;
        if v.config.state == Some(m::State::Pending) {
            return Err(errors::conflict(
                "The operation cannot be performed at this time. The function is currently in the following state: Pending",
            ));
        }
        let spec = function_spec(s, &store, v, &region, &account).map_err(|e| {
            errors::invalid_parameter(format!(
                "fauxlambda cannot run this function with the process executor: {e}"
            ))
        })?;
        let reserved = s.concurrency.reserved(&f.name);
        Ok(Prepared {
            function_arn: format!("arn:aws:lambda:{region}:{account}:function:{}", f.name),
            qualifier: f.qualifier.unwrap_or_else(|| "$LATEST".into()),
            name: f.name,
            invoked_arn,
            spec,
            reserved,
        })
    }
}

/// AWS's 413 messages: `Request must be smaller than 6291456 bytes for the InvokeFunction
/// operation` (synchronous), `<n> byte payload is too large for the Event invocation type (limit
/// <limit> bytes)` (asynchronous); both as seen in AWS SDK error reports.
fn too_large_message(len: usize, limit: usize, op: Operation) -> String {
    match op {
        Operation::Event => {
            format!("{len} byte payload is too large for the Event invocation type (limit {limit} bytes)")
        }
        Operation::InvokeFunction => {
            format!("Request must be smaller than {limit} bytes for the InvokeFunction operation")
        }
        Operation::InvokeWithResponseStream => {
            format!("Request must be smaller than {limit} bytes for the InvokeWithResponseStream operation")
        }
    }
}

fn throttled() -> ServiceError {
    errors::too_many_requests(
        m::ThrottleReason::ReservedFunctionConcurrentInvocationLimitExceeded,
        "Rate Exceeded.",
    )
}

/// Runs a prepared invocation and records it; `answer` (see `Pool::invoke_answering`) gets the
/// result before the log is gathered.
async fn run(
    api: &Api,
    p: &Prepared,
    request_id: String,
    payload: Vec<u8>,
    client_context: Option<String>,
    answer: Option<oneshot::Sender<Answer>>,
) -> InvocationResult {
    let payload = event_bytes(payload);
    let mut inv = Invocation::new(request_id, payload, p.invoked_arn.clone(), p.spec.timeout);
    inv.client_context = client_context;
    run_invocation(api, p, inv, InvocationKind::RequestResponse, 1, answer, None).await
}

/// Runs `inv` (an asynchronous event's attempt `attempt`, or a synchronous invocation) and records
/// it; a response the runtime streams goes to `stream`, when there is one.
pub(super) async fn run_invocation(
    api: &Api,
    p: &Prepared,
    inv: Invocation,
    kind: InvocationKind,
    attempt: u32,
    answer: Option<oneshot::Sender<Answer>>,
    stream: Option<StreamSender>,
) -> InvocationResult {
    let start_ms = clock::now_epoch_ms();
    let result = api.execution.pool.invoke_streaming(&p.spec, inv, answer, stream).await;
    let (status, error_type) = status_of(&result);
    api.execution.record(InvocationRecord {
        request_id: result.request_id.clone(),
        function: p.name.clone(),
        qualifier: p.qualifier.clone(),
        executed_version: result.executed_version.clone(),
        invocation_type: kind,
        attempt,
        start_ms,
        duration_ms: result.duration.as_secs_f64() * 1000.0,
        status,
        error_type,
        cold_start: result.init_duration.is_some(),
        environment_id: result.environment_id.clone(),
        log: result.log_lines.join("\n"),
    });
    result
}

/// The event a runtime receives: the payload, or `{}` when the request had none (as AWS sends).
fn event_bytes(payload: Vec<u8>) -> Bytes {
    if payload.is_empty() {
        Bytes::from_static(b"{}")
    } else {
        Bytes::from(payload)
    }
}

/// The decoded `X-Amz-Client-Context` (base64 JSON), as the runtime receives it.
fn client_context(header: Option<&str>) -> Result<Option<String>, ServiceError> {
    let Some(h) = header.filter(|h| !h.is_empty()) else {
        return Ok(None);
    };
    if h.len() > CLIENT_CONTEXT_LIMIT {
        return Err(errors::invalid_parameter(format!(
            "Client context must be smaller than {CLIENT_CONTEXT_LIMIT} bytes."
        )));
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(h)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .filter(|s| serde_json::from_str::<serde_json::Value>(s).is_ok())
        .ok_or_else(|| errors::invalid_parameter("Client context must be a valid Base64-encoded JSON object."))?;
    Ok(Some(decoded))
}

/// Queues an asynchronous event (the function and payload are checked already): its attempts,
/// retries and destinations are the async queue's (`async_invocation`). The queue answers 429
/// when it is full.
pub(super) async fn queue_event(
    api: &Api,
    p: &Prepared,
    request_id: String,
    payload: Vec<u8>,
) -> Result<(), ServiceError> {
    if !api.async_queue.has_room(payload.len().max(2)) {
        return Err(errors::too_many_requests(
            m::ThrottleReason::ConcurrentInvocationLimitExceeded,
            "Rate Exceeded.",
        ));
    }
    // Unqualified stays unqualified: `$LATEST` is resolved when the event runs.
    let qualified = p
        .invoked_arn
        .rsplit_once(":function:")
        .is_some_and(|(_, rest)| rest.contains(':'));
    let payload = event_bytes(payload);
    let event = AsyncEvent::new(
        request_id,
        p.name.clone(),
        qualified.then(|| p.qualifier.clone()),
        payload,
    );
    // Kept before it is acknowledged (with a data directory).
    crate::api::async_invocation::persisted::save(api, &api.namespace(), &event, tokio::time::Instant::now())
        .await
        .map_err(|e| errors::service(format!("the event could not be saved: {e}")))?;
    api.async_queue.submit(api, event);
    Ok(())
}

fn fail_if_not_accepted(result: &InvocationResult) -> Result<(), ServiceError> {
    match &result.outcome {
        InvocationOutcome::NotAccepted(why) => Err(errors::service(format!("the invocation could not be run: {why}"))),
        _ => Ok(()),
    }
}

pub async fn invoke(api: &Api, input: m::InvocationRequest) -> Result<m::InvocationResponse, ServiceError> {
    let payload = input.payload.map(|b| b.into_inner()).unwrap_or_default();
    let kind = input
        .invocation_type
        .clone()
        .unwrap_or(m::InvocationType::RequestResponse);
    let client_ctx = client_context(input.client_context.as_deref())?;
    let op = if kind == m::InvocationType::Event {
        Operation::Event
    } else {
        Operation::InvokeFunction
    };
    let p = prepare(api, &input.function_name, input.qualifier.as_deref(), &payload, op).await?;
    match kind {
        m::InvocationType::DryRun => Ok(m::InvocationResponse {
            status_code: 204,
            ..Default::default()
        }),
        m::InvocationType::Event => {
            queue_event(api, &p, context::request_id(), payload).await?;
            Ok(m::InvocationResponse {
                status_code: 202,
                ..Default::default()
            })
        }
        _ => {
            let _slot = api
                .execution
                .try_slot(&p.function_arn, p.reserved)
                .ok_or_else(throttled)?;
            let tail = matches!(input.log_type, Some(m::LogType::Tail));
            if !tail {
                return answer_early(api, p, payload, client_ctx).await;
            }
            let result = run(api, &p, context::request_id(), payload, client_ctx, None).await;
            fail_if_not_accepted(&result)?;
            Ok(m::InvocationResponse {
                status_code: 200,
                payload: Some(m_blob(result.caller_payload())),
                function_error: result.function_error().map(str::to_string),
                executed_version: Some(result.executed_version.clone()),
                log_result: tail.then(|| base64::engine::general_purpose::STANDARD.encode(result.log_tail(LOG_TAIL))),
                durable_execution_arn: None,
            })
        }
    }
}

/// A synchronous invoke without a log tail: answered as soon as the runtime gives its result,
/// while the invocation's log and REPORT are gathered and recorded in a task of their own.
async fn answer_early(
    api: &Api,
    p: Prepared,
    payload: Vec<u8>,
    client_ctx: Option<String>,
) -> Result<m::InvocationResponse, ServiceError> {
    let a = run_answered(api, p, context::request_id(), payload, client_ctx).await?;
    Ok(m::InvocationResponse {
        status_code: 200,
        payload: Some(m_blob(a.payload)),
        function_error: a.function_error.then(|| "Unhandled".to_string()),
        executed_version: Some(a.executed_version),
        log_result: None,
        durable_execution_arn: None,
    })
}

/// What a synchronous invocation answers its caller.
pub(crate) struct Answered {
    /// The caller's payload (the response, or the error's).
    pub payload: Bytes,
    pub function_error: bool,
    pub executed_version: String,
}

/// Runs a prepared synchronous invocation under `request_id` and gives its answer as soon as the
/// runtime has one; its log is gathered and recorded in a task of its own.
pub(crate) async fn run_answered(
    api: &Api,
    p: Prepared,
    request_id: String,
    payload: Vec<u8>,
    client_ctx: Option<String>,
) -> Result<Answered, ServiceError> {
    let (tx, rx) = oneshot::channel();
    let api = api.clone();
    let running = tokio::spawn(async move { run(&api, &p, request_id, payload, client_ctx, Some(tx)).await });
    Ok(match rx.await {
        Ok(a) => Answered {
            payload: a.outcome.caller_payload(&a.request_id),
            function_error: a.outcome.is_function_error(),
            executed_version: a.executed_version,
        },
        // No early answer: the invocation ended before reaching a runtime (a failed start, a
        // shut-down pool); its whole result says how.
        Err(_) => {
            let result = running
                .await
                .map_err(|e| errors::service(format!("the invocation failed: {e}")))?;
            fail_if_not_accepted(&result)?;
            Answered {
                payload: result.caller_payload(),
                function_error: result.outcome.is_function_error(),
                executed_version: result.executed_version,
            }
        }
    })
}

fn m_blob(b: Bytes) -> smithy_server_runtime::aws_smithy_types::Blob {
    smithy_server_runtime::aws_smithy_types::Blob::new(b.to_vec())
}

pub async fn invoke_async(api: &Api, input: m::InvokeAsyncRequest) -> Result<m::InvokeAsyncResponse, ServiceError> {
    let payload = input
        .invoke_args
        .collect()
        .await
        .map_err(|e| errors::invalid_request_content(format!("Could not read the request body: {e}")))?;
    let p = prepare(api, &input.function_name, None, &payload, Operation::Event).await?;
    queue_event(api, &p, context::request_id(), payload.to_vec()).await?;
    Ok(m::InvokeAsyncResponse { status: 202 })
}

pub async fn invoke_with_response_stream(
    api: &Api,
    input: m::InvokeWithResponseStreamRequest,
) -> Result<m::InvokeWithResponseStreamResponse, ServiceError> {
    let payload = input.payload.map(|b| b.into_inner()).unwrap_or_default();
    let client_ctx = client_context(input.client_context.as_deref())?;
    let p = prepare(
        api,
        &input.function_name,
        input.qualifier.as_deref(),
        &payload,
        Operation::InvokeWithResponseStream,
    )
    .await?;
    if matches!(input.invocation_type, Some(m::ResponseStreamingInvocationType::DryRun)) {
        return Ok(m::InvokeWithResponseStreamResponse {
            status_code: 204,
            executed_version: None,
            response_stream_content_type: None,
            event_stream: smithy_server_runtime::event_stream::EventStream::new(futures_util::stream::empty()),
        });
    }
    let slot = api
        .execution
        .try_slot(&p.function_arn, p.reserved)
        .ok_or_else(throttled)?;
    let version = p.spec.version.clone();
    let req = StreamedRequest {
        request_id: context::request_id(),
        payload: event_bytes(payload),
        client_context: client_ctx,
        tail: matches!(input.log_type, Some(m::LogType::Tail)),
    };
    type Item = Result<m::InvokeWithResponseStreamResponseEvent, smithy_server_runtime::BoxError>;
    match streamed_invocation::start(api, p, req, slot).await? {
        // Each chunk is sent as the runtime sends it; whatever happens after the start is told by
        // the completion event, never by an HTTP error.
        Started::Streaming { content_type, rest } => {
            let events = futures_util::stream::unfold(Some(rest), |rest| async move {
                let mut rest = rest?;
                match rest.next().await {
                    Next::Chunk(b) => Some((Ok(payload_chunk(b)) as Item, Some(rest))),
                    Next::End(ending) => {
                        let complete = match ending {
                            Ok(e) => complete_event(&e),
                            Err(e) => m::InvokeWithResponseStreamCompleteEvent {
                                error_code: Some("ServiceException".into()),
                                error_details: Some(e.to_string()),
                                log_result: None,
                            },
                        };
                        Some((
                            Ok(m::InvokeWithResponseStreamResponseEvent::InvokeComplete(complete)),
                            None,
                        ))
                    }
                }
            });
            Ok(m::InvokeWithResponseStreamResponse {
                status_code: 200,
                executed_version: Some(version),
                response_stream_content_type: content_type,
                event_stream: smithy_server_runtime::event_stream::EventStream::new(events),
            })
        }
        // A function that answers in one piece streams as one chunk, then the completion event.
        Started::Whole(ending) => {
            let mut events: Vec<Item> = Vec::new();
            if let InvocationOutcome::Response(body) = &ending.outcome {
                if !body.is_empty() {
                    events.push(Ok(payload_chunk(body.clone())));
                }
            }
            events.push(Ok(m::InvokeWithResponseStreamResponseEvent::InvokeComplete(
                complete_event(&ending),
            )));
            Ok(m::InvokeWithResponseStreamResponse {
                status_code: 200,
                executed_version: Some(ending.executed_version),
                response_stream_content_type: None,
                event_stream: smithy_server_runtime::event_stream::EventStream::new(futures_util::stream::iter(events)),
            })
        }
    }
}

fn payload_chunk(b: Bytes) -> m::InvokeWithResponseStreamResponseEvent {
    m::InvokeWithResponseStreamResponseEvent::PayloadChunk(m::InvokeResponseStreamUpdate {
        payload: Some(m_blob(b)),
    })
}

/// `InvokeComplete`: no error after a response (its chunks were sent); else the error's type as
/// `ErrorCode` and its payload (a streamed response's decoded error trailer) as `ErrorDetails`.
fn complete_event(e: &Ending) -> m::InvokeWithResponseStreamCompleteEvent {
    match &e.outcome {
        InvocationOutcome::Response(_) => m::InvokeWithResponseStreamCompleteEvent {
            error_code: None,
            error_details: None,
            log_result: e.log_result.clone(),
        },
        failed => m::InvokeWithResponseStreamCompleteEvent {
            error_code: Some(error_type_of(failed, &e.request_id).unwrap_or_else(|| "Unhandled".into())),
            error_details: Some(String::from_utf8_lossy(&failed.caller_payload(&e.request_id)).into_owned()),
            log_result: e.log_result.clone(),
        },
    }
}
