//! The execution service: the environment pool that runs invocations, the count of invocations in
//! flight per function (for reserved concurrency), and the record of recent invocations that
//! `/_fauxlambda/invocations` shows. Invoke and the introspection endpoints use it.

use crate::execution::{InvocationResult, Pool};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

/// How many finished invocations are kept for `/_fauxlambda/invocations`.
pub const RECENT_INVOCATIONS: usize = 200;

/// One finished invocation, as the introspection endpoint shows it.
#[derive(Debug, Clone)]
pub struct InvocationRecord {
    pub request_id: String,
    pub function: String,
    pub qualifier: String,
    pub executed_version: String,
    pub invocation_type: InvocationKind,
    /// Milliseconds since the Unix epoch.
    pub start_ms: u64,
    pub duration_ms: f64,
    pub status: InvocationStatus,
    pub error_type: Option<String>,
    pub cold_start: bool,
    pub environment_id: String,
    pub log: String,
}

/// How an invocation was asked for: its `InvocationType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InvocationKind {
    /// Synchronous (Invoke, InvokeWithResponseStream).
    RequestResponse,
    /// Asynchronous (Invoke with `Event`, InvokeAsync).
    Event,
}

impl InvocationKind {
    /// As `/_fauxlambda/invocations` shows it: `RequestResponse` or `Event`.
    pub fn as_str(self) -> &'static str {
        match self {
            InvocationKind::RequestResponse => "RequestResponse",
            InvocationKind::Event => "Event",
        }
    }
}

/// How a finished invocation went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InvocationStatus {
    /// The runtime gave a response.
    Success,
    /// The function failed (the runtime posted an error).
    FunctionError,
    /// The platform ended it: timeout, runtime exit, init error, failed start.
    PlatformError,
}

impl InvocationStatus {
    /// As `/_fauxlambda/invocations` shows it: `success`, `error` or `platform-error`.
    pub fn as_str(self) -> &'static str {
        match self {
            InvocationStatus::Success => "success",
            InvocationStatus::FunctionError => "error",
            InvocationStatus::PlatformError => "platform-error",
        }
    }
}

pub struct Execution {
    pub pool: Pool,
    in_flight: Mutex<HashMap<String, usize>>,
    recent: Mutex<VecDeque<InvocationRecord>>,
}

/// An invocation slot of a function; the count goes down when it is dropped.
pub struct Slot {
    exec: Arc<Execution>,
    function: String,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut m = self.exec.in_flight.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = m.get_mut(&self.function) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                m.remove(&self.function);
            }
        }
    }
}

impl Execution {
    pub fn new(pool: Pool) -> Arc<Execution> {
        Arc::new(Execution {
            pool,
            in_flight: Mutex::new(HashMap::new()),
            recent: Mutex::new(VecDeque::new()),
        })
    }

    /// Takes an invocation slot unless `limit` (the function's reserved concurrency) are in use.
    pub fn try_slot(self: &Arc<Self>, function: &str, limit: Option<i32>) -> Option<Slot> {
        let mut m = self.in_flight.lock().unwrap_or_else(|p| p.into_inner());
        let n = m.entry(function.to_string()).or_insert(0);
        if limit.is_some_and(|l| *n as i64 >= l as i64) {
            if *n == 0 {
                m.remove(function);
            }
            return None;
        }
        *n += 1;
        Some(Slot {
            exec: self.clone(),
            function: function.to_string(),
        })
    }

    pub fn record(&self, record: InvocationRecord) {
        tracing::debug!(request_id = %record.request_id, function = %record.function, "invocation log:\n{}", record.log);
        let mut r = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        if r.len() == RECENT_INVOCATIONS {
            r.pop_front();
        }
        r.push_back(record);
    }

    /// Recent invocations, newest first.
    pub fn recent(&self) -> Vec<InvocationRecord> {
        self.recent
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .rev()
            .cloned()
            .collect()
    }

    pub fn clear_recent(&self) {
        self.recent.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }
}

/// The status of a finished invocation, and the error type a user sees when it failed.
pub fn status_of(result: &InvocationResult) -> (InvocationStatus, Option<String>) {
    use crate::execution::InvocationOutcome as O;
    // The error type a user sees is the `errorType` of the payload, when the runtime wrote one.
    let payload_type = || {
        serde_json::from_slice::<serde_json::Value>(&result.caller_payload())
            .ok()
            .and_then(|v| v.get("errorType").and_then(|t| t.as_str()).map(str::to_string))
    };
    match &result.outcome {
        O::Response(_) => (InvocationStatus::Success, None),
        O::FunctionError { .. } => (
            InvocationStatus::FunctionError,
            payload_type().or_else(|| result.outcome.error_type()),
        ),
        other => (
            InvocationStatus::PlatformError,
            payload_type().or_else(|| other.error_type()),
        ),
    }
}
