//! Durable executions: read (execution, checkpointed state, history), listed by function,
//! checkpointed, stopped, and their callbacks answered. Executions are recorded by the invoke
//! path through `state::durable_executions::DurableExecutions::record`.

use super::Api;
use crate::arn::FunctionRef;
use crate::clock;
use crate::errors;
use crate::state::durable_executions::{
    event, event_error, event_result, execution_not_found, is_terminal, new_token, CallbackOutcome, DurableExecutions,
    Execution, Timers, MAX_EXECUTION_PAYLOAD, MAX_OPERATION_PAYLOAD,
};
use base64::Engine;
use lambda_server::error::ServiceError;
use lambda_server::model as m;
use smithy_server_runtime::aws_smithy_types::DateTime;

const MARKER: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// `MaxItems` of the durable-execution operations: 0 (or absent) means the default, 100.
fn page_size(max_items: i32) -> usize {
    if max_items <= 0 {
        100
    } else {
        max_items as usize
    }
}

/// One page of `items` (sorted by their sequence number, ascending), walked ascending or
/// descending, after the item a marker names.
fn page_by_seq<T>(
    items: Vec<(u64, T)>,
    descending: bool,
    marker: Option<&str>,
    max_items: i32,
) -> Result<(Vec<T>, Option<String>), ServiceError> {
    let after = match marker.filter(|m| !m.is_empty()) {
        Some(mk) => Some(
            MARKER
                .decode(mk)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .and_then(|s| s.parse::<u64>().ok())
                .ok_or_else(|| errors::invalid_parameter(format!("Invalid marker: {mk}")))?,
        ),
        None => None,
    };
    let mut items = items;
    if descending {
        items.reverse();
    }
    let max = page_size(max_items);
    let mut rest = items
        .into_iter()
        .filter(|(seq, _)| after.is_none_or(|a| if descending { *seq < a } else { *seq > a }))
        .peekable();
    let mut out = Vec::new();
    let mut last = None;
    while out.len() < max {
        match rest.next() {
            Some((seq, item)) => {
                last = Some(seq);
                out.push(item);
            }
            None => break,
        }
    }
    let next = match (rest.peek(), last) {
        (Some(_), Some(seq)) => Some(MARKER.encode(seq.to_string())),
        _ => None,
    };
    Ok((out, next))
}

fn to_response(e: &Execution) -> m::GetDurableExecutionResponse {
    m::GetDurableExecutionResponse {
        durable_execution_arn: e.arn.clone(),
        durable_execution_name: e.name.clone(),
        end_timestamp: e.end_ms.map(DateTime::from_millis),
        error: e.error.clone(),
        function_arn: e.function_arn.clone(),
        input_payload: e.input_payload.clone(),
        result: e.result.clone(),
        start_timestamp: DateTime::from_millis(e.start_ms),
        status: e.status.clone(),
        trace_header: e.trace_id.clone().map(|t| m::TraceHeader {
            x_amzn_trace_id: Some(t),
        }),
        version: Some(e.version.clone()),
    }
}

fn summary(e: &Execution) -> m::Execution {
    m::Execution {
        durable_execution_arn: e.arn.clone(),
        durable_execution_name: e.name.clone(),
        end_timestamp: e.end_ms.map(DateTime::from_millis),
        function_arn: e.function_arn.clone(),
        start_timestamp: DateTime::from_millis(e.start_ms),
        status: e.status.clone(),
    }
}

pub async fn get_durable_execution(
    api: &Api,
    input: m::GetDurableExecutionRequest,
) -> Result<m::GetDurableExecutionResponse, ServiceError> {
    let arn = input.durable_execution_arn;
    api.state(move |s| {
        s.durable_executions
            .get(&arn, clock::now_epoch_ms_i64())
            .map(to_response)
            .ok_or_else(|| execution_not_found(&arn))
    })
    .await?
}

/// Operations a replay needs: children of a finished context are left out unless the context
/// asked for them (`ReplayChildren`).
fn replayed(e: &Execution) -> Vec<(u64, m::Operation)> {
    let hidden = |op: &m::Operation| {
        let mut parent = op.parent_id.clone();
        while let Some(p) = parent {
            let Some(po) = e.op(&p) else { return false };
            let closed = po.r#type == m::OperationType::Context
                && is_terminal(&po.status)
                && po.context_details.as_ref().and_then(|d| d.replay_children) != Some(true);
            if closed {
                return true;
            }
            parent = po.parent_id.clone();
        }
        false
    };
    e.operations
        .iter()
        .enumerate()
        .filter(|(_, o)| !hidden(o))
        .map(|(i, o)| (i as u64 + 1, o.clone()))
        .collect()
}

pub async fn get_durable_execution_state(
    api: &Api,
    input: m::GetDurableExecutionStateRequest,
) -> Result<m::GetDurableExecutionStateResponse, ServiceError> {
    let arn = input.durable_execution_arn;
    let token = input.checkpoint_token;
    let ops = api
        .state_try(move |s| {
            let e = s
                .durable_executions
                .get(&arn, clock::now_epoch_ms_i64())
                .ok_or_else(|| errors::invalid_parameter(format!("Durable execution not found: {arn}")))?;
            if !e.knows_token(&token) {
                return Err(errors::invalid_parameter("Invalid checkpoint token."));
            }
            Ok(replayed(e))
        })
        .await?;
    let (operations, next_marker) = page_by_seq(ops, false, input.marker.as_deref(), input.max_items)?;
    Ok(m::GetDurableExecutionStateResponse {
        next_marker,
        operations,
    })
}

/// An event without its data (inputs, results, error payloads).
fn without_data(mut e: m::Event) -> m::Event {
    fn r(x: &mut m::EventResult) {
        x.payload = None;
    }
    fn er(x: &mut m::EventError) {
        x.payload = None;
    }
    if let Some(d) = e.execution_started_details.as_mut() {
        d.input.payload = None;
    }
    if let Some(d) = e.execution_succeeded_details.as_mut() {
        r(&mut d.result);
    }
    if let Some(d) = e.execution_failed_details.as_mut() {
        er(&mut d.error);
    }
    if let Some(d) = e.execution_timed_out_details.as_mut().and_then(|d| d.error.as_mut()) {
        er(d);
    }
    if let Some(d) = e.execution_stopped_details.as_mut() {
        er(&mut d.error);
    }
    if let Some(d) = e.context_succeeded_details.as_mut() {
        r(&mut d.result);
    }
    if let Some(d) = e.context_failed_details.as_mut() {
        er(&mut d.error);
    }
    if let Some(d) = e.wait_cancelled_details.as_mut().and_then(|d| d.error.as_mut()) {
        er(d);
    }
    if let Some(d) = e.step_succeeded_details.as_mut() {
        r(&mut d.result);
    }
    if let Some(d) = e.step_failed_details.as_mut() {
        er(&mut d.error);
    }
    if let Some(d) = e.chained_invoke_started_details.as_mut().and_then(|d| d.input.as_mut()) {
        d.payload = None;
    }
    if let Some(d) = e.chained_invoke_succeeded_details.as_mut() {
        r(&mut d.result);
    }
    if let Some(d) = e.chained_invoke_failed_details.as_mut() {
        er(&mut d.error);
    }
    if let Some(d) = e.chained_invoke_timed_out_details.as_mut() {
        er(&mut d.error);
    }
    if let Some(d) = e.chained_invoke_stopped_details.as_mut() {
        er(&mut d.error);
    }
    if let Some(d) = e.callback_succeeded_details.as_mut() {
        r(&mut d.result);
    }
    if let Some(d) = e.callback_failed_details.as_mut() {
        er(&mut d.error);
    }
    if let Some(d) = e.callback_timed_out_details.as_mut() {
        er(&mut d.error);
    }
    if let Some(d) = e.invocation_completed_details.as_mut().and_then(|d| d.error.as_mut()) {
        er(d);
    }
    e
}

pub async fn get_durable_execution_history(
    api: &Api,
    input: m::GetDurableExecutionHistoryRequest,
) -> Result<m::GetDurableExecutionHistoryResponse, ServiceError> {
    let arn = input.durable_execution_arn;
    let events = api
        .state_try(move |s| {
            s.durable_executions
                .get(&arn, clock::now_epoch_ms_i64())
                .map(|e| {
                    e.events
                        .iter()
                        .map(|ev| (ev.event_id as u64, ev.clone()))
                        .collect::<Vec<_>>()
                })
                .ok_or_else(|| execution_not_found(&arn))
        })
        .await?;
    let (mut events, next_marker) = page_by_seq(
        events,
        input.reverse_order == Some(true),
        input.marker.as_deref(),
        input.max_items,
    )?;
    if input.include_execution_data == Some(false) {
        events = events.into_iter().map(without_data).collect();
    }
    Ok(m::GetDurableExecutionHistoryResponse { events, next_marker })
}

pub async fn checkpoint_durable_execution(
    api: &Api,
    input: m::CheckpointDurableExecutionRequest,
) -> Result<m::CheckpointDurableExecutionResponse, ServiceError> {
    api.state(move |s| {
        s.durable_executions.checkpoint(
            &input.durable_execution_arn,
            &input.checkpoint_token,
            input.client_token.as_deref(),
            input.updates.unwrap_or_default(),
            clock::now_epoch_ms_i64(),
        )
    })
    .await?
}

pub async fn stop_durable_execution(
    api: &Api,
    input: m::StopDurableExecutionRequest,
) -> Result<m::StopDurableExecutionResponse, ServiceError> {
    let arn = input.durable_execution_arn;
    let error = input.error;
    let at = api
        .state_try(move |s| s.durable_executions.stop(&arn, error, clock::now_epoch_ms_i64()))
        .await?;
    Ok(m::StopDurableExecutionResponse {
        stop_timestamp: DateTime::from_millis(at),
    })
}

pub async fn send_durable_execution_callback_success(
    api: &Api,
    input: m::SendDurableExecutionCallbackSuccessRequest,
) -> Result<m::SendDurableExecutionCallbackSuccessResponse, ServiceError> {
    api.state_try(move |s| {
        s.durable_executions.callback(
            &input.callback_id,
            CallbackOutcome::Success(input.result),
            clock::now_epoch_ms_i64(),
        )
    })
    .await?;
    Ok(m::SendDurableExecutionCallbackSuccessResponse {})
}

pub async fn send_durable_execution_callback_failure(
    api: &Api,
    input: m::SendDurableExecutionCallbackFailureRequest,
) -> Result<m::SendDurableExecutionCallbackFailureResponse, ServiceError> {
    api.state_try(move |s| {
        s.durable_executions.callback(
            &input.callback_id,
            CallbackOutcome::Failure(input.error),
            clock::now_epoch_ms_i64(),
        )
    })
    .await?;
    Ok(m::SendDurableExecutionCallbackFailureResponse {})
}

pub async fn send_durable_execution_callback_heartbeat(
    api: &Api,
    input: m::SendDurableExecutionCallbackHeartbeatRequest,
) -> Result<m::SendDurableExecutionCallbackHeartbeatResponse, ServiceError> {
    api.state_try(move |s| {
        s.durable_executions.callback(
            &input.callback_id,
            CallbackOutcome::Heartbeat,
            clock::now_epoch_ms_i64(),
        )
    })
    .await?;
    Ok(m::SendDurableExecutionCallbackHeartbeatResponse {})
}

pub async fn list_durable_executions_by_function(
    api: &Api,
    input: m::ListDurableExecutionsByFunctionRequest,
) -> Result<m::ListDurableExecutionsByFunctionResponse, ServiceError> {
    let scope = api.scope();
    let f = FunctionRef::parse(&input.function_name, input.qualifier.as_deref(), &scope)?;
    let arn = scope.arn(&f.name, f.qualifier.as_deref());
    let after = input.started_after.and_then(|t| t.to_millis().ok());
    let before = input.started_before.and_then(|t| t.to_millis().ok());
    let name_filter = input.durable_execution_name;
    let statuses = input.statuses;
    let found = api
        .state(move |s| -> Option<Vec<(u64, m::Execution)>> {
            let func = s.functions.get(&f.name)?;
            let version = match f.qualifier.as_deref() {
                Some("$LATEST.PUBLISHED") => func.versions.keys().next_back()?.to_string(),
                q => func
                    .resolve(q)?
                    .config
                    .version
                    .clone()
                    .unwrap_or_else(|| "$LATEST".into()),
            };
            let items = s
                .durable_executions
                .of_version(&f.name, &version, clock::now_epoch_ms_i64())
                .into_iter()
                .filter(|e| name_filter.as_ref().is_none_or(|n| &e.name == n))
                .filter(|e| statuses.as_ref().is_none_or(|st| st.contains(&e.status)))
                .filter(|e| after.is_none_or(|a| e.start_ms > a))
                .filter(|e| before.is_none_or(|b| e.start_ms < b))
                .map(|e| (e.seq, summary(e)))
                .collect();
            Some(items)
        })
        .await?
        .ok_or_else(|| errors::not_found(format!("Function not found: {arn}")))?;
    // Newest first unless ReverseOrder asks for oldest first.
    let (page, next_marker) = page_by_seq(
        found,
        input.reverse_order != Some(true),
        input.marker.as_deref(),
        input.max_items,
    )?;
    Ok(m::ListDurableExecutionsByFunctionResponse {
        durable_executions: Some(page),
        next_marker,
    })
}

// ---- Checkpoints: how operation updates advance an execution. ----

fn bad(message: impl Into<String>) -> ServiceError {
    errors::invalid_parameter(message)
}

fn check_payload(u: &m::OperationUpdate) -> Result<(), ServiceError> {
    let max = match u.r#type {
        m::OperationType::Execution | m::OperationType::ChainedInvoke => MAX_EXECUTION_PAYLOAD,
        _ => MAX_OPERATION_PAYLOAD,
    };
    match &u.payload {
        Some(p) if p.len() > max => Err(bad(format!(
            "The payload of operation {} exceeds the maximum size of {max} bytes.",
            u.id
        ))),
        _ => Ok(()),
    }
}

impl DurableExecutions {
    /// Applies a checkpoint: checks the token, applies every update atomically and answers a new
    /// token with the operations that changed since the previous checkpoint.
    pub fn checkpoint(
        &mut self,
        arn: &str,
        token: &str,
        client_token: Option<&str>,
        updates: Vec<m::OperationUpdate>,
        now: i64,
    ) -> Result<m::CheckpointDurableExecutionResponse, ServiceError> {
        let e = self
            .get_mut(arn, now)
            .ok_or_else(|| bad(format!("Durable execution not found: {arn}")))?;
        if let Some((consumed, reply)) = client_token.and_then(|c| e.replies.get(c)) {
            if consumed == token {
                return Ok(reply.clone());
            }
        }
        if token != e.token {
            return Err(bad("Invalid checkpoint token."));
        }
        if !e.is_running() {
            return Err(bad(format!(
                "Durable execution {arn} is not running. Current status: {}",
                e.status.as_str()
            )));
        }
        let mut work = e.clone();
        let mut touched: Vec<String> = std::mem::take(&mut work.changed);
        for u in updates {
            check_payload(&u)?;
            let id = u.id.clone();
            work.apply(u, now)?;
            if !touched.contains(&id) {
                touched.push(id);
            }
        }
        let operations: Vec<m::Operation> = work
            .operations
            .iter()
            .filter(|o| touched.contains(&o.id))
            .cloned()
            .collect();
        let new_callbacks: Vec<(String, String)> = operations
            .iter()
            .filter(|o| o.r#type == m::OperationType::Callback && o.status == m::OperationStatus::Started)
            .filter_map(|o| {
                o.callback_details
                    .as_ref()
                    .and_then(|d| d.callback_id.clone())
                    .map(|c| (c, o.id.clone()))
            })
            .collect();
        let next = new_token();
        work.token = next.clone();
        work.issued_tokens.insert(next.clone());
        let reply = m::CheckpointDurableExecutionResponse {
            checkpoint_token: Some(next),
            new_execution_state: m::CheckpointUpdatedExecutionState {
                operations: Some(operations),
                next_marker: None,
            },
        };
        if let Some(c) = client_token {
            work.replies.insert(c.to_string(), (token.to_string(), reply.clone()));
        }
        *e = work;
        for (callback, op) in new_callbacks {
            self.callbacks.insert(callback, (arn.to_string(), op));
        }
        Ok(reply)
    }
}

impl Execution {
    /// Applies one operation update of a checkpoint.
    fn apply(&mut self, u: m::OperationUpdate, now: i64) -> Result<(), ServiceError> {
        use m::OperationAction as A;
        use m::OperationType as T;
        let kind = u.r#type.as_str().to_string();
        let existing = self.op(&u.id).cloned();
        if let Some(op) = &existing {
            if op.r#type != u.r#type {
                return Err(bad(format!(
                    "Operation {} is of type {}, not {kind}.",
                    u.id,
                    op.r#type.as_str()
                )));
            }
        }
        if let Some(parent) = &u.parent_id {
            if self.op(parent).is_none() {
                return Err(bad(format!(
                    "Parent operation {parent} of operation {} does not exist.",
                    u.id
                )));
            }
        }
        match (&u.action, existing) {
            (A::Start, Some(op))
                if op.r#type == T::Step
                    && matches!(op.status, m::OperationStatus::Ready | m::OperationStatus::Pending) =>
            {
                // A retried step starts its next attempt.
                let op = self.op_mut(&u.id).expect("operation exists");
                op.status = m::OperationStatus::Started;
                if let Some(d) = op.step_details.as_mut() {
                    d.attempt += 1;
                    d.next_attempt_timestamp = None;
                }
                let op = op.clone();
                self.timers.remove(&u.id);
                let mut e = event(now, m::EventType::StepStarted, Some(&op));
                e.step_started_details = Some(m::StepStartedDetails {});
                self.push_event(e);
                Ok(())
            }
            (A::Start, Some(_)) => Err(bad(format!("Operation {} has already been started.", u.id))),
            (A::Start, None) => self.start(u, now),
            (_, None) => Err(bad(format!("Operation {} does not exist.", u.id))),
            (_, Some(op)) if is_terminal(&op.status) => Err(bad(format!(
                "Operation {} has already completed with status {}.",
                u.id,
                op.status.as_str()
            ))),
            (A::Succeed | A::Fail, Some(op))
                if matches!(op.r#type, T::Execution | T::Step | T::Context | T::ChainedInvoke) =>
            {
                self.complete(u, now);
                Ok(())
            }
            (A::Retry, Some(op)) if op.r#type == T::Step => {
                let delay = u
                    .step_options
                    .as_ref()
                    .and_then(|o| o.next_attempt_delay_seconds)
                    .unwrap_or(1);
                let at = now + i64::from(delay) * 1000;
                let op = self.op_mut(&u.id).expect("operation exists");
                op.status = m::OperationStatus::Pending;
                let attempt = op.step_details.as_ref().map(|d| d.attempt).unwrap_or(1);
                if let Some(d) = op.step_details.as_mut() {
                    d.next_attempt_timestamp = Some(clock::timestamp(at));
                    d.error = u.error.clone();
                }
                let op = op.clone();
                self.timers.insert(
                    u.id.clone(),
                    Timers {
                        retry_at: Some(at),
                        ..Default::default()
                    },
                );
                let mut e = event(now, m::EventType::StepFailed, Some(&op));
                e.step_failed_details = Some(m::StepFailedDetails {
                    error: event_error(u.error),
                    retry_details: m::RetryDetails {
                        current_attempt: attempt,
                        next_attempt_delay_seconds: Some(delay),
                    },
                });
                self.push_event(e);
                Ok(())
            }
            (A::Cancel, Some(op)) if matches!(op.r#type, T::Wait | T::Callback | T::ChainedInvoke) => {
                let op = self.op_mut(&u.id).expect("operation exists");
                op.status = m::OperationStatus::Cancelled;
                op.end_timestamp = Some(clock::timestamp(now));
                let op = op.clone();
                self.timers.remove(&u.id);
                match op.r#type {
                    T::Wait => {
                        let mut e = event(now, m::EventType::WaitCancelled, Some(&op));
                        e.wait_cancelled_details = Some(m::WaitCancelledDetails {
                            error: Some(event_error(u.error)),
                        });
                        self.push_event(e);
                    }
                    T::ChainedInvoke => {
                        let mut e = event(now, m::EventType::ChainedInvokeStopped, Some(&op));
                        e.chained_invoke_stopped_details = Some(m::ChainedInvokeStoppedDetails {
                            error: event_error(u.error),
                        });
                        self.push_event(e);
                    }
                    _ => {}
                }
                Ok(())
            }
            (action, Some(_)) => Err(bad(format!(
                "Action {} is not supported for operations of type {kind}.",
                action.as_str()
            ))),
        }
    }

    /// `START` of a new operation.
    fn start(&mut self, u: m::OperationUpdate, now: i64) -> Result<(), ServiceError> {
        use m::OperationType as T;
        let mut op = m::Operation {
            callback_details: None,
            chained_invoke_details: None,
            context_details: None,
            end_timestamp: None,
            execution_details: None,
            id: u.id.clone(),
            name: u.name.clone(),
            parent_id: u.parent_id.clone(),
            start_timestamp: clock::timestamp(now),
            status: m::OperationStatus::Started,
            step_details: None,
            sub_type: u.sub_type.clone(),
            r#type: u.r#type.clone(),
            wait_details: None,
        };
        let mut timers = Timers::default();
        let mut e = event(now, m::EventType::StepStarted, Some(&op));
        match u.r#type {
            T::Execution => {
                return Err(bad(
                    "The EXECUTION operation is started by Lambda and cannot be started by a checkpoint.",
                ))
            }
            T::Step => {
                op.step_details = Some(m::StepDetails {
                    attempt: 1,
                    error: None,
                    next_attempt_timestamp: None,
                    result: None,
                });
                e.step_started_details = Some(m::StepStartedDetails {});
            }
            T::Wait => {
                let secs = u.wait_options.as_ref().and_then(|w| w.wait_seconds).ok_or_else(|| {
                    bad(format!(
                        "WaitOptions.WaitSeconds is required to start WAIT operation {}.",
                        u.id
                    ))
                })?;
                let end = now + i64::from(secs) * 1000;
                op.wait_details = Some(m::WaitDetails {
                    scheduled_end_timestamp: Some(clock::timestamp(end)),
                });
                timers.wait_until = Some(end);
                e.event_type = Some(m::EventType::WaitStarted);
                e.wait_started_details = Some(m::WaitStartedDetails {
                    duration: secs,
                    scheduled_end_timestamp: clock::timestamp(end),
                });
            }
            T::Callback => {
                let o = u.callback_options.clone().unwrap_or_default();
                let id = new_token();
                op.callback_details = Some(m::CallbackDetails {
                    callback_id: Some(id.clone()),
                    result: None,
                    error: None,
                });
                if o.timeout_seconds > 0 {
                    timers.timeout_at = Some(now + i64::from(o.timeout_seconds) * 1000);
                }
                if o.heartbeat_timeout_seconds > 0 {
                    timers.heartbeat_ms = Some(i64::from(o.heartbeat_timeout_seconds) * 1000);
                    timers.heartbeat_at = Some(now + i64::from(o.heartbeat_timeout_seconds) * 1000);
                }
                e.event_type = Some(m::EventType::CallbackStarted);
                e.callback_started_details = Some(m::CallbackStartedDetails {
                    callback_id: id,
                    heartbeat_timeout: (o.heartbeat_timeout_seconds > 0).then_some(o.heartbeat_timeout_seconds),
                    timeout: (o.timeout_seconds > 0).then_some(o.timeout_seconds),
                });
            }
            T::Context => {
                op.context_details = Some(m::ContextDetails {
                    replay_children: u.context_options.as_ref().and_then(|c| c.replay_children),
                    result: None,
                    error: None,
                });
                e.event_type = Some(m::EventType::ContextStarted);
                e.context_started_details = Some(m::ContextStartedDetails {});
            }
            T::ChainedInvoke => {
                let o = u.chained_invoke_options.as_ref().ok_or_else(|| {
                    bad(format!(
                        "ChainedInvokeOptions is required to start CHAINED_INVOKE operation {}.",
                        u.id
                    ))
                })?;
                op.chained_invoke_details = Some(m::ChainedInvokeDetails::default());
                e.event_type = Some(m::EventType::ChainedInvokeStarted);
                e.chained_invoke_started_details = Some(m::ChainedInvokeStartedDetails {
                    function_name: o.function_name.clone(),
                    tenant_id: o.tenant_id.clone(),
                    input: Some(m::EventInput {
                        payload: u.payload.clone(),
                        truncated: Some(false),
                    }),
                    executed_version: None,
                    durable_execution_arn: None,
                });
            }
            T::Unknown(ref t) => return Err(bad(format!("Unknown operation type: {t}"))),
        }
        if timers.wait_until.is_some() || timers.timeout_at.is_some() || timers.heartbeat_at.is_some() {
            self.timers.insert(u.id.clone(), timers);
        }
        self.operations.push(op);
        self.push_event(e);
        Ok(())
    }

    /// `SUCCEED` or `FAIL` of a running `EXECUTION`, `STEP`, `CONTEXT` or `CHAINED_INVOKE`.
    fn complete(&mut self, u: m::OperationUpdate, now: i64) {
        use m::OperationType as T;
        let ok = u.action == m::OperationAction::Succeed;
        if u.r#type == T::Execution {
            let status = if ok {
                m::ExecutionStatus::Succeeded
            } else {
                m::ExecutionStatus::Failed
            };
            self.finish(
                status,
                now,
                if ok { u.payload } else { None },
                if ok { None } else { u.error },
            );
            return;
        }
        let Some(op) = self.op_mut(&u.id) else { return };
        op.status = if ok {
            m::OperationStatus::Succeeded
        } else {
            m::OperationStatus::Failed
        };
        op.end_timestamp = Some(clock::timestamp(now));
        let (result, error) = if ok {
            (u.payload.clone(), None)
        } else {
            (None, u.error.clone())
        };
        match op.r#type {
            T::Step => {
                if let Some(d) = op.step_details.as_mut() {
                    d.result = result.clone();
                    d.error = error.clone();
                    d.next_attempt_timestamp = None;
                }
            }
            T::Context => {
                if let Some(d) = op.context_details.as_mut() {
                    d.result = result.clone();
                    d.error = error.clone();
                }
            }
            _ => {
                if let Some(d) = op.chained_invoke_details.as_mut() {
                    d.result = result.clone();
                    d.error = error.clone();
                }
            }
        }
        let op = op.clone();
        let attempt = op.step_details.as_ref().map(|d| d.attempt).unwrap_or(1);
        let retry = m::RetryDetails {
            current_attempt: attempt,
            next_attempt_delay_seconds: None,
        };
        let mut e = event(now, m::EventType::StepSucceeded, Some(&op));
        match (op.r#type.clone(), ok) {
            (T::Step, true) => {
                e.step_succeeded_details = Some(m::StepSucceededDetails {
                    result: event_result(result),
                    retry_details: retry,
                })
            }
            (T::Step, false) => {
                e.event_type = Some(m::EventType::StepFailed);
                e.step_failed_details = Some(m::StepFailedDetails {
                    error: event_error(error),
                    retry_details: retry,
                });
            }
            (T::Context, true) => {
                e.event_type = Some(m::EventType::ContextSucceeded);
                e.context_succeeded_details = Some(m::ContextSucceededDetails {
                    result: event_result(result),
                });
            }
            (T::Context, false) => {
                e.event_type = Some(m::EventType::ContextFailed);
                e.context_failed_details = Some(m::ContextFailedDetails {
                    error: event_error(error),
                });
            }
            (_, true) => {
                e.event_type = Some(m::EventType::ChainedInvokeSucceeded);
                e.chained_invoke_succeeded_details = Some(m::ChainedInvokeSucceededDetails {
                    result: event_result(result),
                });
            }
            (_, false) => {
                e.event_type = Some(m::EventType::ChainedInvokeFailed);
                e.chained_invoke_failed_details = Some(m::ChainedInvokeFailedDetails {
                    error: event_error(error),
                });
            }
        }
        self.push_event(e);
    }
}
