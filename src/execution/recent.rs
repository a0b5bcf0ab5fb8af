//! The record of the last `RECENT_INVOCATIONS` finished invocations (and at most
//! `RECENT_LOG_BYTES` of their logs), which `/_fauxlambda/invocations` shows: each one's
//! `InvocationRecord`, with its kind and status.

use crate::execution::InvocationResult;
use std::collections::VecDeque;
use std::sync::Mutex;

/// How many finished invocations are kept for `/_fauxlambda/invocations`.
pub const RECENT_INVOCATIONS: usize = 200;
/// How many bytes of logs they keep together, at most (each log is at most about 256 KB: see
/// `logs::KEEP_EACH_END`); the oldest records go first.
pub const RECENT_LOG_BYTES: usize = 16 * 1024 * 1024;

/// One finished invocation, as the introspection endpoint shows it.
#[derive(Debug, Clone)]
pub struct InvocationRecord {
    pub request_id: String,
    pub function: String,
    pub qualifier: String,
    pub executed_version: String,
    pub invocation_type: InvocationKind,
    /// 1, or for an asynchronous event's retries 2 and 3 (under the same request id).
    pub attempt: u32,
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

/// The last `RECENT_INVOCATIONS` finished invocations, oldest first.
#[derive(Default)]
pub struct Recent {
    records: Mutex<Records>,
}

#[derive(Default)]
struct Records {
    list: VecDeque<InvocationRecord>,
    log_bytes: usize,
}

impl Recent {
    /// Keeps a finished invocation (the oldest goes when there are too many); its log goes to the
    /// debug log too.
    pub fn record(&self, record: InvocationRecord) {
        tracing::debug!(request_id = %record.request_id, function = %record.function, "invocation log:\n{}", record.log);
        let mut r = self.records.lock().unwrap_or_else(|p| p.into_inner());
        r.log_bytes += record.log.len();
        r.list.push_back(record);
        while r.list.len() > RECENT_INVOCATIONS || (r.log_bytes > RECENT_LOG_BYTES && r.list.len() > 1) {
            if let Some(old) = r.list.pop_front() {
                r.log_bytes -= old.log.len();
            }
        }
    }

    /// The recent invocations (of `function`), newest first, at most `limit`.
    pub fn newest_first(&self, function: Option<&str>, limit: usize) -> Vec<InvocationRecord> {
        let r = self.records.lock().unwrap_or_else(|p| p.into_inner());
        r.list
            .iter()
            .rev()
            .filter(|rec| function.is_none_or(|f| f == rec.function))
            .take(limit)
            .cloned()
            .collect()
    }

    pub fn clear(&self) {
        *self.records.lock().unwrap_or_else(|p| p.into_inner()) = Records::default();
    }
}

/// The status of a finished invocation, and the error type a user sees when it failed.
pub fn status_of(result: &InvocationResult) -> (InvocationStatus, Option<String>) {
    use crate::execution::InvocationOutcome as O;
    let status = match &result.outcome {
        O::Response(_) => InvocationStatus::Success,
        O::FunctionError { .. } => InvocationStatus::FunctionError,
        _ => InvocationStatus::PlatformError,
    };
    (status, error_type_of(&result.outcome, &result.request_id))
}

/// The error type a user sees for an outcome: the `errorType` of its payload, when the runtime
/// wrote one, else the outcome's own; None for a response.
pub fn error_type_of(outcome: &crate::execution::InvocationOutcome, request_id: &str) -> Option<String> {
    if matches!(outcome, crate::execution::InvocationOutcome::Response(_)) {
        return None;
    }
    serde_json::from_slice::<serde_json::Value>(&outcome.caller_payload(request_id))
        .ok()
        .and_then(|v| v.get("errorType").and_then(|t| t.as_str()).map(str::to_string))
        .or_else(|| outcome.error_type())
}
