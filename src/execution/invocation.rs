//! What one invocation is (the event handed to a runtime) and how it ends (the outcome the caller
//! of Invoke sees), with the exact payloads AWS gives for platform-decided failures.

use crate::clock;
use bytes::Bytes;
use std::time::{Duration, Instant};

/// Largest event or buffered response the Runtime API carries: `6*1024*1024 + 100` bytes
/// (RIE `interop.MaxPayloadSize`; the number in AWS's messages).
pub const MAX_PAYLOAD_SIZE: usize = 6 * 1024 * 1024 + 100;

/// One invocation, as the runtime receives it from `GET /runtime/invocation/next`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invocation {
    /// `Lambda-Runtime-Aws-Request-Id` (a UUID).
    pub request_id: String,
    /// The event, delivered verbatim as the body of `/next`.
    pub payload: Bytes,
    /// `Lambda-Runtime-Deadline-Ms`: the deadline in milliseconds since the Unix epoch.
    pub deadline_ms: u64,
    /// `Lambda-Runtime-Invoked-Function-Arn`: the ARN exactly as invoked (with its qualifier).
    pub invoked_function_arn: String,
    /// `Lambda-Runtime-Trace-Id` (`Root=1-…;Parent=…;Sampled=0`); omitted when empty.
    pub trace_id: String,
    /// `Lambda-Runtime-Client-Context`: JSON text (the base64-decoded `X-Amz-Client-Context`).
    pub client_context: Option<String>,
    /// `Lambda-Runtime-Cognito-Identity`: JSON `{"cognitoIdentityId","cognitoIdentityPoolId"}`.
    pub cognito_identity: Option<String>,
    /// `Lambda-Runtime-Aws-Tenant-Id` (multi-tenant functions).
    pub tenant_id: Option<String>,
}

impl Invocation {
    /// An invocation whose deadline is `timeout` from now, with a fresh X-Ray trace header.
    pub fn new(
        request_id: impl Into<String>,
        payload: impl Into<Bytes>,
        invoked_function_arn: impl Into<String>,
        timeout: Duration,
    ) -> Self {
        Invocation {
            request_id: request_id.into(),
            payload: payload.into(),
            deadline_ms: clock::epoch_ms_after(timeout),
            invoked_function_arn: invoked_function_arn.into(),
            trace_id: new_trace_id(),
            client_context: None,
            cognito_identity: None,
            tenant_id: None,
        }
    }

    /// Milliseconds left before the deadline (0 once it has passed).
    pub fn remaining(&self) -> Duration {
        Duration::from_millis(self.deadline_ms.saturating_sub(clock::now_epoch_ms()))
    }
}

/// How an invocation ended, as the caller of Invoke must see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InvocationOutcome {
    /// The runtime posted `/response`: the payload, verbatim.
    Response(Bytes),
    /// The runtime posted `/error` (payload verbatim, type from `Lambda-Runtime-Function-Error-Type`),
    /// or the platform failed the invocation for the function (e.g. `Function.ResponseSizeTooLarge`).
    FunctionError { error_type: Option<String>, payload: Bytes },
    /// The runtime posted `/runtime/init/error`: the environment never became ready.
    InitError { error_type: Option<String>, payload: Bytes },
    /// Decided by the caller: the deadline passed (`timeout` is the function's configured timeout).
    Timeout { timeout: Duration },
    /// Decided by the caller: the runtime process ended. `status` is the Go-style description
    /// AWS prints (`exit status 127`, `signal: killed`), `None` when it exited with 0;
    /// `out_of_memory` when it was killed for going over its memory limit (`Runtime.OutOfMemory`).
    RuntimeExited {
        status: Option<String>,
        out_of_memory: bool,
    },
    /// The environment could not take the invocation (it already runs one, was shut down or
    /// closed). The pool never lets this happen; it is a bug report, not an AWS outcome.
    NotAccepted(String),
}

impl InvocationOutcome {
    /// True for every outcome the caller sees as `X-Amz-Function-Error: Unhandled`.
    pub fn is_function_error(&self) -> bool {
        !matches!(self, InvocationOutcome::Response(_) | InvocationOutcome::NotAccepted(_))
    }

    /// The error type to log / classify, when this is a failure.
    pub fn error_type(&self) -> Option<String> {
        match self {
            InvocationOutcome::Response(_) | InvocationOutcome::NotAccepted(_) => None,
            InvocationOutcome::FunctionError { error_type, .. } | InvocationOutcome::InitError { error_type, .. } => {
                Some(error_type.clone().unwrap_or_else(|| "Unhandled".into()))
            }
            InvocationOutcome::Timeout { .. } => Some("Sandbox.Timedout".into()),
            InvocationOutcome::RuntimeExited { out_of_memory, .. } => Some(exit_error_type(*out_of_memory).into()),
        }
    }

    /// The body the caller of Invoke receives for this outcome (`request_id` is the invocation's).
    pub fn caller_payload(&self, request_id: &str) -> Bytes {
        match self {
            InvocationOutcome::Response(b) => b.clone(),
            InvocationOutcome::FunctionError { payload, .. } | InvocationOutcome::InitError { payload, .. } => {
                payload.clone()
            }
            InvocationOutcome::Timeout { timeout } => timeout_payload(request_id, *timeout),
            InvocationOutcome::RuntimeExited { status, out_of_memory } => {
                runtime_exit_payload(request_id, status.as_deref(), *out_of_memory)
            }
            InvocationOutcome::NotAccepted(reason) => Bytes::from(error_json(reason, "Sandbox.Failure")),
        }
    }
}

/// When an invocation was queued, handed to the runtime and ended: the REPORT line's Duration is
/// `completed_at - delivered_at`.
#[derive(Clone, Copy, Debug)]
pub struct InvocationTiming {
    pub queued_at: Instant,
    pub delivered_at: Option<Instant>,
    pub completed_at: Instant,
}

impl InvocationTiming {
    /// Time the function ran (delivery to completion); zero if it was never delivered.
    pub fn duration(&self) -> Duration {
        self.delivered_at
            .map(|d| self.completed_at.saturating_duration_since(d))
            .unwrap_or_default()
    }
}

/// An outcome with its timing.
#[derive(Clone, Debug)]
pub struct Completion {
    pub outcome: InvocationOutcome,
    pub timing: InvocationTiming,
}

/// Caller payload for a buffered response over the limit (recorded 2025-11-24, lambda-semantics §2.3).
pub fn response_too_large_payload() -> Bytes {
    Bytes::from(error_json(
        &format!("Response payload size exceeded maximum allowed payload size ({MAX_PAYLOAD_SIZE} bytes)."),
        "Function.ResponseSizeTooLarge",
    ))
}

/// Caller payload for a timeout, 2025 format (lambda-semantics §4.2):
/// `{"errorType":"Sandbox.Timedout","errorMessage":"RequestId: <id> Error: Task timed out after 1.00 seconds"}`.
pub fn timeout_payload(request_id: &str, timeout: Duration) -> Bytes {
    let msg = format!(
        "RequestId: {request_id} Error: Task timed out after {:.2} seconds",
        timeout.as_secs_f64()
    );
    Bytes::from(type_first_error_json("Sandbox.Timedout", &msg))
}

/// The error type of a runtime's exit: `Runtime.OutOfMemory` when it was killed for its memory,
/// else `Runtime.ExitError`.
pub fn exit_error_type(out_of_memory: bool) -> &'static str {
    if out_of_memory {
        "Runtime.OutOfMemory"
    } else {
        "Runtime.ExitError"
    }
}

/// Caller payload for a runtime that exited (lambda-semantics §4.2): `Runtime exited with error:
/// <status>`, or `Runtime exited without providing a reason` for a clean exit. Killed for its
/// memory, the same message under `Runtime.OutOfMemory` (unverified: AWS's type and REPORT
/// status are documented, this message is the exit's as AWS words it for other kills).
pub fn runtime_exit_payload(request_id: &str, status: Option<&str>, out_of_memory: bool) -> Bytes {
    let msg = match status {
        Some(s) => format!("RequestId: {request_id} Error: Runtime exited with error: {s}"),
        None => format!("RequestId: {request_id} Error: Runtime exited without providing a reason"),
    };
    Bytes::from(type_first_error_json(exit_error_type(out_of_memory), &msg))
}

/// `{"errorMessage":…,"errorType":…}`: the Runtime API's error body and most caller payloads.
pub fn error_json(message: &str, error_type: &str) -> String {
    format!(
        "{{\"errorMessage\":{},\"errorType\":{}}}",
        json_string(message),
        json_string(error_type)
    )
}

/// `{"errorType":…,"errorMessage":…}`: the order AWS uses for Sandbox/Runtime platform errors.
fn type_first_error_json(error_type: &str, message: &str) -> String {
    format!(
        "{{\"errorType\":{},\"errorMessage\":{}}}",
        json_string(error_type),
        json_string(message)
    )
}

/// A JSON string literal.
pub(crate) fn json_string(s: &str) -> String {
    serde_json::Value::String(s.to_owned()).to_string()
}

/// A fresh X-Ray trace header, `Root=1-<8 hex epoch s>-<24 hex>;Parent=<16 hex>;Sampled=0`.
pub fn new_trace_id() -> String {
    let secs = clock::now_epoch_secs();
    let (a, b) = (uuid::Uuid::new_v4().as_u128(), uuid::Uuid::new_v4().as_u128());
    format!(
        "Root=1-{:08x}-{:024x};Parent={:016x};Sampled=0",
        secs as u32,
        a >> 32,
        b as u64
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platform_payloads_match_aws() {
        assert_eq!(
            &response_too_large_payload()[..],
            br#"{"errorMessage":"Response payload size exceeded maximum allowed payload size (6291556 bytes).","errorType":"Function.ResponseSizeTooLarge"}"#
        );
        assert_eq!(
            &timeout_payload("abc", Duration::from_secs(1))[..],
            br#"{"errorType":"Sandbox.Timedout","errorMessage":"RequestId: abc Error: Task timed out after 1.00 seconds"}"#
        );
        assert_eq!(
            &runtime_exit_payload("abc", Some("exit status 127"), false)[..],
            br#"{"errorType":"Runtime.ExitError","errorMessage":"RequestId: abc Error: Runtime exited with error: exit status 127"}"#
        );
        assert_eq!(
            &runtime_exit_payload("abc", None, false)[..],
            br#"{"errorType":"Runtime.ExitError","errorMessage":"RequestId: abc Error: Runtime exited without providing a reason"}"#
        );
        assert_eq!(
            &runtime_exit_payload("abc", Some("signal: killed"), true)[..],
            br#"{"errorType":"Runtime.OutOfMemory","errorMessage":"RequestId: abc Error: Runtime exited with error: signal: killed"}"#
        );
        assert_eq!(error_json("a\"b", "T"), r#"{"errorMessage":"a\"b","errorType":"T"}"#);
    }

    #[test]
    fn outcomes_classify() {
        let t = InvocationOutcome::Timeout {
            timeout: Duration::from_millis(2500),
        };
        assert!(t.is_function_error());
        assert_eq!(t.error_type().as_deref(), Some("Sandbox.Timedout"));
        assert!(std::str::from_utf8(&t.caller_payload("r"))
            .unwrap()
            .contains("after 2.50 seconds"));
        assert!(!InvocationOutcome::Response(Bytes::from_static(b"1")).is_function_error());
        let trace = new_trace_id();
        assert!(trace.starts_with("Root=1-") && trace.ends_with(";Sampled=0"), "{trace}");
        assert_eq!(
            trace.len(),
            "Root=1-".len() + 8 + 1 + 24 + ";Parent=".len() + 16 + ";Sampled=0".len()
        );
    }
}
