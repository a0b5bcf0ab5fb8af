//! Durable executions: each one's operations (what checkpoints recorded), history events,
//! checkpoint token and callbacks. The invoke path records an execution with
//! [`DurableExecutions::record`]; the API reads and advances it. Timers (waits, step retries,
//! callback and execution timeouts) are applied lazily, whenever an execution is touched.

use crate::clock::timestamp;
use crate::errors;
use base64::Engine;
use lambda_server::error::ServiceError;
use lambda_server::model as m;
use smithy_server_runtime::aws_smithy_types::Blob;
use std::collections::{BTreeMap, HashMap, HashSet};

/// Largest payload of a `STEP`, `CONTEXT`, `WAIT` or `CALLBACK` update (256 KB).
pub const MAX_OPERATION_PAYLOAD: usize = 256 * 1024;
/// Largest payload of an `EXECUTION` or `CHAINED_INVOKE` update (6 MB).
pub const MAX_EXECUTION_PAYLOAD: usize = 6 * 1024 * 1024;

/// A random opaque token in the model's `^[A-Za-z0-9+/]+={0,2}$` alphabet.
pub(crate) fn new_token() -> String {
    let mut bytes = uuid::Uuid::new_v4().as_bytes().to_vec();
    bytes.extend_from_slice(uuid::Uuid::new_v4().as_bytes());
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// What starting a durable execution needs.
#[derive(Debug, Clone)]
pub struct NewExecution {
    /// The function ARN qualified with the version that runs (`$LATEST` or a number).
    pub function_arn: String,
    /// `DurableExecutionName` of the invoke, if given (else a generated one).
    pub name: Option<String>,
    pub input_payload: Option<String>,
    /// `DurableConfig.ExecutionTimeout` of the version, in seconds (0: none).
    pub execution_timeout: i32,
    pub trace_id: Option<String>,
}

/// A recorded execution: what the runtime needs to drive it.
#[derive(Debug, Clone, PartialEq)]
pub struct Started {
    pub arn: String,
    pub name: String,
    pub checkpoint_token: String,
}

/// Deadlines of one operation, in epoch milliseconds.
#[derive(Debug, Clone, Default)]
pub(crate) struct Timers {
    pub(crate) wait_until: Option<i64>,
    pub(crate) retry_at: Option<i64>,
    pub(crate) timeout_at: Option<i64>,
    pub(crate) heartbeat_ms: Option<i64>,
    pub(crate) heartbeat_at: Option<i64>,
}

#[derive(Clone)]
pub struct Execution {
    pub arn: String,
    pub name: String,
    /// Qualified with the version that runs.
    pub function_arn: String,
    pub function_name: String,
    pub version: String,
    /// Order of starting, across all executions.
    pub seq: u64,
    pub input_payload: Option<String>,
    pub start_ms: i64,
    pub end_ms: Option<i64>,
    pub status: m::ExecutionStatus,
    pub result: Option<String>,
    pub error: Option<m::ErrorObject>,
    pub trace_id: Option<String>,
    pub execution_timeout: i32,
    /// In the order they started.
    pub operations: Vec<m::Operation>,
    /// In the order they happened; `EventId` is the position + 1.
    pub events: Vec<m::Event>,
    pub(crate) timers: HashMap<String, Timers>,
    pub(crate) token: String,
    pub(crate) issued_tokens: HashSet<String>,
    /// Operations changed outside checkpoints (callbacks, timers) since the last checkpoint.
    pub(crate) changed: Vec<String>,
    /// Answers by `ClientToken`, with the checkpoint token they consumed.
    pub(crate) replies: HashMap<String, (String, m::CheckpointDurableExecutionResponse)>,
}

/// An event of `type` about `op` at `at`, with no details yet.
pub fn event(at: i64, event_type: m::EventType, op: Option<&m::Operation>) -> m::Event {
    m::Event {
        callback_failed_details: None,
        callback_started_details: None,
        callback_succeeded_details: None,
        callback_timed_out_details: None,
        chained_invoke_failed_details: None,
        chained_invoke_started_details: None,
        chained_invoke_stopped_details: None,
        chained_invoke_succeeded_details: None,
        chained_invoke_timed_out_details: None,
        context_failed_details: None,
        context_started_details: None,
        context_succeeded_details: None,
        event_id: 1,
        event_timestamp: Some(timestamp(at)),
        event_type: Some(event_type),
        execution_failed_details: None,
        execution_started_details: None,
        execution_stopped_details: None,
        execution_succeeded_details: None,
        execution_timed_out_details: None,
        id: op.map(|o| o.id.clone()),
        invocation_completed_details: None,
        name: op.and_then(|o| o.name.clone()),
        parent_id: op.and_then(|o| o.parent_id.clone()),
        step_failed_details: None,
        step_started_details: None,
        step_succeeded_details: None,
        sub_type: op.and_then(|o| o.sub_type.clone()),
        wait_cancelled_details: None,
        wait_started_details: None,
        wait_succeeded_details: None,
    }
}

pub fn event_result(payload: Option<String>) -> m::EventResult {
    m::EventResult {
        payload,
        truncated: Some(false),
    }
}

pub fn event_error(payload: Option<m::ErrorObject>) -> m::EventError {
    m::EventError {
        payload,
        truncated: Some(false),
    }
}

pub fn is_terminal(s: &m::OperationStatus) -> bool {
    !matches!(
        s,
        m::OperationStatus::Started | m::OperationStatus::Pending | m::OperationStatus::Ready
    )
}

impl Execution {
    pub fn op(&self, id: &str) -> Option<&m::Operation> {
        self.operations.iter().find(|o| o.id == id)
    }

    pub(crate) fn op_mut(&mut self, id: &str) -> Option<&mut m::Operation> {
        self.operations.iter_mut().find(|o| o.id == id)
    }

    pub fn push_event(&mut self, mut e: m::Event) {
        e.event_id = self.events.len() as i32 + 1;
        self.events.push(e);
    }

    /// The `EXECUTION` operation's id.
    pub fn execution_op_id(&self) -> String {
        self.arn.rsplit('/').next().unwrap_or_default().to_string()
    }

    pub fn is_running(&self) -> bool {
        self.status == m::ExecutionStatus::Running
    }

    /// The current checkpoint token, or one issued before it (reads accept both).
    pub fn knows_token(&self, token: &str) -> bool {
        self.issued_tokens.contains(token)
    }

    pub fn token(&self) -> &str {
        &self.token
    }

    /// Finishes the execution (and its `EXECUTION` operation) with `status`.
    pub fn finish(
        &mut self,
        status: m::ExecutionStatus,
        at: i64,
        result: Option<String>,
        error: Option<m::ErrorObject>,
    ) {
        let op_status = match status {
            m::ExecutionStatus::Succeeded => m::OperationStatus::Succeeded,
            m::ExecutionStatus::Failed => m::OperationStatus::Failed,
            m::ExecutionStatus::TimedOut => m::OperationStatus::TimedOut,
            _ => m::OperationStatus::Stopped,
        };
        let event_type = match status {
            m::ExecutionStatus::Succeeded => m::EventType::ExecutionSucceeded,
            m::ExecutionStatus::Failed => m::EventType::ExecutionFailed,
            m::ExecutionStatus::TimedOut => m::EventType::ExecutionTimedOut,
            _ => m::EventType::ExecutionStopped,
        };
        self.status = status;
        self.end_ms = Some(at);
        self.result = result.clone();
        self.error = error.clone();
        let exec_id = self.execution_op_id();
        let stopped = op_status == m::OperationStatus::Stopped || op_status == m::OperationStatus::TimedOut;
        for o in self.operations.iter_mut() {
            if o.id == exec_id {
                o.status = op_status.clone();
                o.end_timestamp = Some(timestamp(at));
            } else if stopped && !is_terminal(&o.status) {
                // In-progress operations end with the execution.
                o.status = m::OperationStatus::Stopped;
                o.end_timestamp = Some(timestamp(at));
            }
        }
        let op = self.op(&exec_id).cloned();
        let mut e = event(at, event_type.clone(), op.as_ref());
        match event_type {
            m::EventType::ExecutionSucceeded => {
                e.execution_succeeded_details = Some(m::ExecutionSucceededDetails {
                    result: event_result(result),
                })
            }
            m::EventType::ExecutionFailed => {
                e.execution_failed_details = Some(m::ExecutionFailedDetails {
                    error: event_error(error),
                })
            }
            m::EventType::ExecutionTimedOut => {
                e.execution_timed_out_details = Some(m::ExecutionTimedOutDetails {
                    error: Some(event_error(error)),
                })
            }
            _ => {
                e.execution_stopped_details = Some(m::ExecutionStoppedDetails {
                    error: event_error(error),
                })
            }
        }
        self.push_event(e);
    }

    /// Applies every deadline that passed by `now`: the execution timeout, finished waits, step
    /// retries that are due, and callback (heartbeat) timeouts.
    pub fn refresh(&mut self, now: i64) {
        if !self.is_running() {
            return;
        }
        if self.execution_timeout > 0 {
            let deadline = self.start_ms + i64::from(self.execution_timeout) * 1000;
            if now >= deadline {
                let error = m::ErrorObject {
                    error_type: Some("Execution.Timeout".into()),
                    error_message: Some(format!(
                        "The durable execution exceeded its ExecutionTimeout of {} seconds.",
                        self.execution_timeout
                    )),
                    ..Default::default()
                };
                self.finish(m::ExecutionStatus::TimedOut, deadline, None, Some(error));
                return;
            }
        }
        let mut due: Vec<(i64, String)> = Vec::new();
        for (id, t) in &self.timers {
            let at = [t.wait_until, t.retry_at, t.timeout_at, t.heartbeat_at]
                .into_iter()
                .flatten()
                .filter(|&d| d <= now)
                .min();
            if let Some(at) = at {
                due.push((at, id.clone()));
            }
        }
        due.sort();
        for (at, id) in due {
            let t = self.timers.remove(&id).unwrap_or_default();
            let Some(op) = self.op_mut(&id) else { continue };
            match op.r#type {
                m::OperationType::Wait if op.status == m::OperationStatus::Started => {
                    op.status = m::OperationStatus::Succeeded;
                    op.end_timestamp = Some(timestamp(at));
                    let started = op.start_timestamp.to_millis().unwrap_or(at);
                    let op = op.clone();
                    let mut e = event(at, m::EventType::WaitSucceeded, Some(&op));
                    e.wait_succeeded_details = Some(m::WaitSucceededDetails {
                        duration: Some(((at - started) / 1000) as i32),
                    });
                    self.push_event(e);
                }
                m::OperationType::Step if op.status == m::OperationStatus::Pending => {
                    op.status = m::OperationStatus::Ready;
                }
                m::OperationType::Callback if op.status == m::OperationStatus::Started => {
                    let heartbeat = t.heartbeat_at.is_some_and(|h| h <= now) && t.timeout_at.is_none_or(|d| d > now);
                    let error = m::ErrorObject {
                        error_type: Some(
                            if heartbeat {
                                "Callback.HeartbeatTimeout"
                            } else {
                                "Callback.Timeout"
                            }
                            .into(),
                        ),
                        error_message: Some(
                            if heartbeat {
                                "The callback did not receive a heartbeat in time."
                            } else {
                                "The callback timed out."
                            }
                            .into(),
                        ),
                        ..Default::default()
                    };
                    op.status = m::OperationStatus::TimedOut;
                    op.end_timestamp = Some(timestamp(at));
                    if let Some(d) = op.callback_details.as_mut() {
                        d.error = Some(error.clone());
                    }
                    let op = op.clone();
                    let mut e = event(at, m::EventType::CallbackTimedOut, Some(&op));
                    e.callback_timed_out_details = Some(m::CallbackTimedOutDetails {
                        error: event_error(Some(error)),
                    });
                    self.push_event(e);
                }
                _ => continue,
            }
            if !self.changed.contains(&id) {
                self.changed.push(id);
            }
        }
    }
}

/// What an external system says about a callback.
#[derive(Debug, Clone)]
pub enum CallbackOutcome {
    Success(Option<Blob>),
    Failure(Option<m::ErrorObject>),
    Heartbeat,
}

#[derive(Default)]
pub struct DurableExecutions {
    /// By execution ARN.
    pub by_arn: BTreeMap<String, Execution>,
    /// Callback id → (execution ARN, operation id), kept after the callback closes so that a late
    /// answer is told it is closed.
    pub(crate) callbacks: HashMap<String, (String, String)>,
    next_seq: u64,
}

fn already_started(name: &str) -> ServiceError {
    ServiceError::DurableExecutionAlreadyStartedException(m::DurableExecutionAlreadyStartedException {
        r#type: Some("User".into()),
        message: Some(format!(
            "The durable execution with the name {name} has already been started for this function."
        )),
    })
}

pub fn execution_not_found(arn: &str) -> ServiceError {
    errors::not_found(format!("Durable execution not found: {arn}"))
}

fn callback_closed(id: &str) -> ServiceError {
    ServiceError::CallbackTimeoutException(m::CallbackTimeoutException {
        r#type: Some("User".into()),
        message: Some(format!("The callback ID token has either expired or the callback associated with the token has already been closed: {id}")),
    })
}

impl DurableExecutions {
    /// Records a new `RUNNING` execution of a function version, with its `EXECUTION` operation
    /// and `ExecutionStarted` event. Names are unique per function.
    pub fn record(&mut self, new: NewExecution, now: i64) -> Result<Started, ServiceError> {
        let parts: Vec<&str> = new.function_arn.split(':').collect();
        let (function_name, version) = match parts.as_slice() {
            ["arn", _, "lambda", _, _, "function", name, version] => (name.to_string(), version.to_string()),
            _ => {
                return Err(errors::invalid_parameter(format!(
                    "A durable execution needs a qualified function ARN: {}",
                    new.function_arn
                )))
            }
        };
        let id = uuid::Uuid::new_v4().simple().to_string();
        let name = new.name.unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        if self
            .by_arn
            .values()
            .any(|e| e.function_name == function_name && e.name == name)
        {
            return Err(already_started(&name));
        }
        let arn = format!("{}/durable-execution/{name}/{id}", new.function_arn);
        let token = new_token();
        self.next_seq += 1;
        let exec_op = m::Operation {
            callback_details: None,
            chained_invoke_details: None,
            context_details: None,
            end_timestamp: None,
            execution_details: Some(m::ExecutionDetails {
                input_payload: new.input_payload.clone(),
            }),
            id: id.clone(),
            name: None,
            parent_id: None,
            start_timestamp: timestamp(now),
            status: m::OperationStatus::Started,
            step_details: None,
            sub_type: None,
            r#type: m::OperationType::Execution,
            wait_details: None,
        };
        let mut e = Execution {
            arn: arn.clone(),
            name: name.clone(),
            function_arn: new.function_arn,
            function_name,
            version,
            seq: self.next_seq,
            input_payload: new.input_payload.clone(),
            start_ms: now,
            end_ms: None,
            status: m::ExecutionStatus::Running,
            result: None,
            error: None,
            trace_id: new.trace_id,
            execution_timeout: new.execution_timeout,
            operations: vec![exec_op.clone()],
            events: Vec::new(),
            timers: HashMap::new(),
            token: token.clone(),
            issued_tokens: [token.clone()].into_iter().collect(),
            changed: Vec::new(),
            replies: HashMap::new(),
        };
        let mut ev = event(now, m::EventType::ExecutionStarted, Some(&exec_op));
        ev.execution_started_details = Some(m::ExecutionStartedDetails {
            execution_timeout: new.execution_timeout,
            input: m::EventInput {
                payload: new.input_payload,
                truncated: Some(false),
            },
        });
        e.push_event(ev);
        self.by_arn.insert(arn.clone(), e);
        Ok(Started {
            arn,
            name,
            checkpoint_token: token,
        })
    }

    /// An execution, with its deadlines applied.
    pub fn get(&mut self, arn: &str, now: i64) -> Option<&Execution> {
        let e = self.by_arn.get_mut(arn)?;
        e.refresh(now);
        Some(e)
    }

    pub fn get_mut(&mut self, arn: &str, now: i64) -> Option<&mut Execution> {
        let e = self.by_arn.get_mut(arn)?;
        e.refresh(now);
        Some(e)
    }

    /// Executions of a function version, deadlines applied, in starting order.
    pub fn of_version(&mut self, function_name: &str, version: &str, now: i64) -> Vec<&Execution> {
        let mut out: Vec<&mut Execution> = self
            .by_arn
            .values_mut()
            .filter(|e| e.function_name == function_name && e.version == version)
            .collect();
        out.iter_mut().for_each(|e| e.refresh(now));
        let mut out: Vec<&Execution> = out.into_iter().map(|e| &*e).collect();
        out.sort_by_key(|e| e.seq);
        out
    }

    /// Stops a running execution; a finished one cannot be stopped.
    pub fn stop(&mut self, arn: &str, error: Option<m::ErrorObject>, now: i64) -> Result<i64, ServiceError> {
        let e = self.get_mut(arn, now).ok_or_else(|| execution_not_found(arn))?;
        if !e.is_running() {
            return Err(errors::invalid_parameter(format!(
                "Cannot stop durable execution {arn} because it is not running. Current status: {}",
                e.status.as_str()
            )));
        }
        e.finish(m::ExecutionStatus::Stopped, now, None, error);
        Ok(now)
    }

    /// Applies an external system's answer to a pending callback.
    pub fn callback(&mut self, id: &str, outcome: CallbackOutcome, now: i64) -> Result<(), ServiceError> {
        let (arn, op_id) = self
            .callbacks
            .get(id)
            .cloned()
            .ok_or_else(|| errors::not_found(format!("Callback not found: {id}")))?;
        let e = self
            .by_arn
            .get_mut(&arn)
            .ok_or_else(|| errors::not_found(format!("Callback not found: {id}")))?;
        e.refresh(now);
        let running = e.is_running();
        let op = e.op_mut(&op_id).ok_or_else(|| callback_closed(id))?;
        if !running || op.status != m::OperationStatus::Started {
            return Err(callback_closed(id));
        }
        let mut ev = match outcome {
            CallbackOutcome::Heartbeat => {
                if let Some(t) = e.timers.get_mut(&op_id) {
                    if let Some(every) = t.heartbeat_ms {
                        t.heartbeat_at = Some(now + every);
                    }
                }
                return Ok(());
            }
            CallbackOutcome::Success(blob) => {
                let result = blob.map(|b| String::from_utf8_lossy(b.as_ref()).into_owned());
                op.status = m::OperationStatus::Succeeded;
                if let Some(d) = op.callback_details.as_mut() {
                    d.result = result.clone();
                }
                let mut ev = event(now, m::EventType::CallbackSucceeded, Some(op));
                ev.callback_succeeded_details = Some(m::CallbackSucceededDetails {
                    result: event_result(result),
                });
                ev
            }
            CallbackOutcome::Failure(error) => {
                op.status = m::OperationStatus::Failed;
                if let Some(d) = op.callback_details.as_mut() {
                    d.error = error.clone();
                }
                let mut ev = event(now, m::EventType::CallbackFailed, Some(op));
                ev.callback_failed_details = Some(m::CallbackFailedDetails {
                    error: event_error(error),
                });
                ev
            }
        };
        op.end_timestamp = Some(timestamp(now));
        ev.event_timestamp = Some(timestamp(now));
        e.push_event(ev);
        e.timers.remove(&op_id);
        if !e.changed.contains(&op_id) {
            e.changed.push(op_id);
        }
        Ok(())
    }

    /// Drops the executions of a deleted function (or of one deleted version of it).
    pub fn forget_function(&mut self, name: &str, qualifier: Option<&str>) {
        let gone = |e: &Execution| e.function_name == name && qualifier.is_none_or(|q| e.version == q);
        self.by_arn.retain(|_, e| !gone(e));
        let arns: HashSet<&String> = self.by_arn.keys().collect();
        self.callbacks.retain(|_, (arn, _)| arns.contains(arn));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FN: &str = "arn:aws:lambda:us-east-1:000000000000:function:durable:$LATEST";

    fn start(d: &mut DurableExecutions, timeout: i32, now: i64) -> Started {
        let new = NewExecution {
            function_arn: FN.into(),
            name: None,
            input_payload: Some("{}".into()),
            execution_timeout: timeout,
            trace_id: None,
        };
        d.record(new, now).unwrap()
    }

    fn update(id: &str, t: m::OperationType, a: m::OperationAction) -> m::OperationUpdate {
        m::OperationUpdate {
            id: id.into(),
            r#type: t,
            action: a,
            ..Default::default()
        }
    }

    #[test]
    fn names_are_unique_per_function() {
        let mut d = DurableExecutions::default();
        let new = NewExecution {
            function_arn: FN.into(),
            name: Some("run".into()),
            input_payload: None,
            execution_timeout: 0,
            trace_id: None,
        };
        let s = d.record(new.clone(), 0).unwrap();
        assert!(s.arn.starts_with(&format!("{FN}/durable-execution/run/")));
        assert!(matches!(
            d.record(new, 1),
            Err(ServiceError::DurableExecutionAlreadyStartedException(_))
        ));
    }

    #[test]
    fn timers_apply_lazily() {
        let mut d = DurableExecutions::default();
        let s = start(&mut d, 60, 0);
        let mut wait = update("w", m::OperationType::Wait, m::OperationAction::Start);
        wait.wait_options = Some(m::WaitOptions { wait_seconds: Some(5) });
        let mut cb = update("cb", m::OperationType::Callback, m::OperationAction::Start);
        cb.callback_options = Some(m::CallbackOptions {
            timeout_seconds: 10,
            heartbeat_timeout_seconds: 0,
        });
        let reply = d
            .checkpoint(&s.arn, &s.checkpoint_token, None, vec![wait, cb], 0)
            .unwrap();
        let callback_id = reply.new_execution_state.operations.unwrap()[1]
            .callback_details
            .clone()
            .unwrap()
            .callback_id
            .unwrap();

        let e = d.get(&s.arn, 6_000).unwrap();
        assert_eq!(e.op("w").unwrap().status, m::OperationStatus::Succeeded);
        assert_eq!(e.op("cb").unwrap().status, m::OperationStatus::Started);
        let e = d.get(&s.arn, 11_000).unwrap();
        assert_eq!(e.op("cb").unwrap().status, m::OperationStatus::TimedOut);
        assert!(matches!(
            d.callback(&callback_id, CallbackOutcome::Heartbeat, 11_000),
            Err(ServiceError::CallbackTimeoutException(_))
        ));

        // The next checkpoint reports what changed meanwhile.
        let token = reply.checkpoint_token.unwrap();
        let next = d.checkpoint(&s.arn, &token, None, vec![], 12_000).unwrap();
        let ids: Vec<String> = next
            .new_execution_state
            .operations
            .unwrap()
            .into_iter()
            .map(|o| o.id)
            .collect();
        assert_eq!(ids, ["w", "cb"]);

        let e = d.get(&s.arn, 61_000).unwrap();
        assert_eq!(e.status, m::ExecutionStatus::TimedOut);
        assert_eq!(e.end_ms, Some(60_000));
        let types: Vec<m::EventType> = e.events.iter().filter_map(|e| e.event_type.clone()).collect();
        assert_eq!(
            types,
            [
                m::EventType::ExecutionStarted,
                m::EventType::WaitStarted,
                m::EventType::CallbackStarted,
                m::EventType::WaitSucceeded,
                m::EventType::CallbackTimedOut,
                m::EventType::ExecutionTimedOut
            ]
        );
    }

    #[test]
    fn heartbeats_extend_callbacks_and_steps_retry() {
        let mut d = DurableExecutions::default();
        let s = start(&mut d, 0, 0);
        let mut cb = update("cb", m::OperationType::Callback, m::OperationAction::Start);
        cb.callback_options = Some(m::CallbackOptions {
            timeout_seconds: 0,
            heartbeat_timeout_seconds: 5,
        });
        let step = update("s", m::OperationType::Step, m::OperationAction::Start);
        let r = d
            .checkpoint(&s.arn, &s.checkpoint_token, None, vec![cb, step], 0)
            .unwrap();
        let id = r.new_execution_state.operations.unwrap()[0]
            .callback_details
            .clone()
            .unwrap()
            .callback_id
            .unwrap();
        d.callback(&id, CallbackOutcome::Heartbeat, 4_000).unwrap();
        assert_eq!(
            d.get(&s.arn, 8_000).unwrap().op("cb").unwrap().status,
            m::OperationStatus::Started
        );
        assert_eq!(
            d.get(&s.arn, 9_500).unwrap().op("cb").unwrap().status,
            m::OperationStatus::TimedOut
        );

        let mut retry = update("s", m::OperationType::Step, m::OperationAction::Retry);
        retry.step_options = Some(m::StepOptions {
            next_attempt_delay_seconds: Some(2),
        });
        let r = d
            .checkpoint(
                &s.arn,
                r.checkpoint_token.as_deref().unwrap(),
                None,
                vec![retry],
                10_000,
            )
            .unwrap();
        assert_eq!(
            d.get(&s.arn, 11_000).unwrap().op("s").unwrap().status,
            m::OperationStatus::Pending
        );
        assert_eq!(
            d.get(&s.arn, 12_000).unwrap().op("s").unwrap().status,
            m::OperationStatus::Ready
        );
        let again = update("s", m::OperationType::Step, m::OperationAction::Start);
        d.checkpoint(
            &s.arn,
            r.checkpoint_token.as_deref().unwrap(),
            None,
            vec![again],
            12_000,
        )
        .unwrap();
        let op = d.get(&s.arn, 12_000).unwrap().op("s").unwrap().clone();
        assert_eq!(
            (op.status, op.step_details.unwrap().attempt),
            (m::OperationStatus::Started, 2)
        );
    }

    #[test]
    fn forgetting_a_function_drops_its_executions() {
        let mut d = DurableExecutions::default();
        let s = start(&mut d, 0, 0);
        d.forget_function("durable", Some("1"));
        assert!(d.get(&s.arn, 0).is_some());
        d.forget_function("durable", None);
        assert!(d.get(&s.arn, 0).is_none());
    }
}
