//! Extensions API 2020-01-01 pieces: who an extension is, its states (named as AWS names them),
//! the register request and response, and the INVOKE / SHUTDOWN events it receives.

use super::api_error::ApiError;
use super::invocation::{json_string, Invocation};
use bytes::Bytes;
use std::collections::VecDeque;
use tokio::sync::oneshot;

/// At most this many extensions per environment (AWS's limit, RIE `core.MaxAgentsAllowed`).
pub const MAX_EXTENSIONS: usize = 10;

/// What the environment runs, as extensions learn it at registration.
#[derive(Clone, Debug, Default)]
pub struct EnvironmentInfo {
    pub function_name: String,
    /// `$LATEST` or a version number.
    pub function_version: String,
    pub handler: String,
    /// Returned only to extensions that send `Lambda-Extension-Accept-Feature: accountId`.
    pub account_id: Option<String>,
    /// Init is not complete before this many extensions have registered (the pool knows how many
    /// it launched); 0 when it launches none.
    pub expected_extensions: usize,
}

/// Why an environment is shut down (the SHUTDOWN event's `shutdownReason`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShutdownReason {
    Spindown,
    Timeout,
    Failure,
}

impl ShutdownReason {
    pub fn as_str(self) -> &'static str {
        match self {
            ShutdownReason::Spindown => "spindown",
            ShutdownReason::Timeout => "timeout",
            ShutdownReason::Failure => "failure",
        }
    }
}

/// An extension's state, with RIE's names (core/agent_state_names.go).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExtensionState {
    /// Registered, has not asked for an event yet.
    Registered,
    /// Waiting in `event/next`.
    Ready,
    /// Processing the last event it got.
    Running,
    InitError,
    ExitError,
}

impl ExtensionState {
    pub fn name(self) -> &'static str {
        match self {
            ExtensionState::Registered => "Registered",
            ExtensionState::Ready => "Ready",
            ExtensionState::Running => "Running",
            ExtensionState::InitError => "InitError",
            ExtensionState::ExitError => "ExitError",
        }
    }
}

/// What the handle reports about a registered extension.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExtensionStatus {
    pub id: String,
    pub name: String,
    pub invoke: bool,
    pub shutdown: bool,
    pub state: ExtensionState,
    /// The `Lambda-Extension-Function-Error-Type` it posted to init/error or exit/error.
    pub error_type: Option<String>,
}

/// One registered extension inside the environment's state.
pub(crate) struct Extension {
    pub id: String,
    pub name: String,
    pub invoke: bool,
    pub shutdown: bool,
    pub state: ExtensionState,
    pub error_type: Option<String>,
    /// Events not yet picked up.
    pub queue: VecDeque<Bytes>,
    /// Its parked `event/next`, if any.
    pub waiter: Option<oneshot::Sender<Bytes>>,
    /// It received SHUTDOWN (so its next `event/next`, or an exit error, ends its shutdown).
    pub got_shutdown: bool,
}

impl Extension {
    pub fn new(name: String, invoke: bool, shutdown: bool) -> Self {
        Extension {
            id: uuid::Uuid::new_v4().to_string(),
            name,
            invoke,
            shutdown,
            state: ExtensionState::Registered,
            error_type: None,
            queue: VecDeque::new(),
            waiter: None,
            got_shutdown: false,
        }
    }

    /// Parked in `event/next` on a live connection.
    pub fn is_waiting(&self) -> bool {
        self.waiter.as_ref().is_some_and(|w| !w.is_closed())
    }

    pub fn failed(&self) -> bool {
        matches!(self.state, ExtensionState::InitError | ExtensionState::ExitError)
    }

    /// Hands `event` to the parked `event/next`, or queues it for the next one.
    pub fn deliver(&mut self, event: Bytes) {
        let undelivered = match self.waiter.take() {
            Some(w) => w.send(event).err(),
            None => Some(event),
        };
        match undelivered {
            Some(event) => self.queue.push_back(event),
            None => self.state = ExtensionState::Running,
        }
    }

    /// `event/next`: a queued event at once, else park.
    pub fn next(&mut self) -> Result<oneshot::Receiver<Bytes>, ApiError> {
        if self.failed() {
            return Err(ApiError::extension_transition(
                self.state.name(),
                ExtensionState::Ready.name(),
                &self.id,
            ));
        }
        let (tx, rx) = oneshot::channel();
        match self.queue.pop_front() {
            Some(event) => {
                let _ = tx.send(event);
                self.state = ExtensionState::Running;
            }
            None => {
                self.waiter = Some(tx);
                self.state = ExtensionState::Ready;
            }
        }
        Ok(rx)
    }

    pub fn status(&self) -> ExtensionStatus {
        ExtensionStatus {
            id: self.id.clone(),
            name: self.name.clone(),
            invoke: self.invoke,
            shutdown: self.shutdown,
            state: self.state,
            error_type: self.error_type.clone(),
        }
    }
}

/// Reads a register body `{"events":["INVOKE","SHUTDOWN"]}` into (invoke, shutdown).
pub(crate) fn parse_register(body: &[u8]) -> Result<(bool, bool), ApiError> {
    let v: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| ApiError::extension_request_format(e.to_string()))?;
    let obj = match &v {
        serde_json::Value::Null => return Ok((false, false)),
        serde_json::Value::Object(o) => o,
        _ => {
            return Err(ApiError::extension_request_format(
                "json: cannot unmarshal the body into a register request",
            ))
        }
    };
    if let Some(keys) = obj.get("configurationKeys") {
        if keys.as_array().is_some_and(|a| !a.is_empty()) {
            return Err(ApiError::extension_request_format(
                "configurationKeys are deprecated; use environment variables instead",
            ));
        }
    }
    let (mut invoke, mut shutdown) = (false, false);
    match obj.get("events") {
        None | Some(serde_json::Value::Null) => {}
        Some(serde_json::Value::Array(events)) => {
            for e in events {
                match e.as_str() {
                    Some("INVOKE") => invoke = true,
                    Some("SHUTDOWN") => shutdown = true,
                    Some(other) => return Err(ApiError::extension_event_type(other)),
                    None => {
                        return Err(ApiError::extension_request_format(
                            "json: cannot unmarshal a non-string event",
                        ))
                    }
                }
            }
        }
        Some(_) => {
            return Err(ApiError::extension_request_format(
                "json: cannot unmarshal events: not an array",
            ))
        }
    }
    Ok((invoke, shutdown))
}

/// The register response body: `{"functionName","functionVersion","handler"[,"accountId"]}`.
pub(crate) fn register_response(info: &EnvironmentInfo, with_account: bool) -> String {
    let mut s = format!(
        "{{\"functionName\":{},\"functionVersion\":{},\"handler\":{}",
        json_string(&info.function_name),
        json_string(&info.function_version),
        json_string(&info.handler)
    );
    if with_account {
        if let Some(a) = &info.account_id {
            s.push_str(&format!(",\"accountId\":{}", json_string(a)));
        }
    }
    s.push('}');
    s
}

/// Whether `Lambda-Extension-Accept-Feature` (comma-separated) asks for `accountId`.
pub(crate) fn wants_account_id(header: Option<&str>) -> bool {
    header.is_some_and(|h| h.split(',').any(|f| f.trim() == "accountId"))
}

/// INVOKE event: `{"eventType","deadlineMs","requestId","invokedFunctionArn","tracing"}`.
pub(crate) fn invoke_event(inv: &Invocation) -> Bytes {
    let mut s = format!(
        "{{\"eventType\":\"INVOKE\",\"deadlineMs\":{},\"requestId\":{},\"invokedFunctionArn\":{}",
        inv.deadline_ms,
        json_string(&inv.request_id),
        json_string(&inv.invoked_function_arn)
    );
    if !inv.trace_id.is_empty() {
        s.push_str(&format!(
            ",\"tracing\":{{\"type\":\"X-Amzn-Trace-Id\",\"value\":{}}}",
            json_string(&inv.trace_id)
        ));
    }
    s.push('}');
    Bytes::from(s)
}

/// SHUTDOWN event: `{"eventType","deadlineMs","shutdownReason"}`.
pub(crate) fn shutdown_event(reason: ShutdownReason, deadline_ms: u64) -> Bytes {
    Bytes::from(format!(
        "{{\"eventType\":\"SHUTDOWN\",\"deadlineMs\":{deadline_ms},\"shutdownReason\":\"{}\"}}",
        reason.as_str()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn register_bodies() {
        assert_eq!(parse_register(br#"{"events":["INVOKE","SHUTDOWN"]}"#), Ok((true, true)));
        assert_eq!(parse_register(br#"{"events":["SHUTDOWN"]}"#), Ok((false, true)));
        assert_eq!(parse_register(br#"{}"#), Ok((false, false)));
        assert_eq!(parse_register(b"null"), Ok((false, false)));
        let e = parse_register(br#"{"events":["FOO"]}"#).unwrap_err();
        assert_eq!(
            (e.status, e.error_type.as_str(), e.message.as_str()),
            (403, "Extension.InvalidEventType", "FOO: ErrorInvalidEventType")
        );
        assert_eq!(parse_register(b"").unwrap_err().error_type, "InvalidRequestFormat");
        assert_eq!(
            parse_register(br#"{"events":[],"configurationKeys":["a"]}"#)
                .unwrap_err()
                .message,
            "configurationKeys are deprecated; use environment variables instead"
        );
    }

    #[test]
    fn events_render() {
        let mut inv = Invocation::new(
            "r1",
            "{}",
            "arn:aws:lambda:us-east-1:000000000000:function:f",
            std::time::Duration::from_secs(3),
        );
        inv.deadline_ms = 42;
        inv.trace_id = "Root=1-a-b;Parent=c;Sampled=0".into();
        assert_eq!(
            &invoke_event(&inv)[..],
            br#"{"eventType":"INVOKE","deadlineMs":42,"requestId":"r1","invokedFunctionArn":"arn:aws:lambda:us-east-1:000000000000:function:f","tracing":{"type":"X-Amzn-Trace-Id","value":"Root=1-a-b;Parent=c;Sampled=0"}}"#
        );
        assert_eq!(
            &shutdown_event(ShutdownReason::Spindown, 7)[..],
            br#"{"eventType":"SHUTDOWN","deadlineMs":7,"shutdownReason":"spindown"}"#
        );
        let info = EnvironmentInfo {
            function_name: "f".into(),
            function_version: "$LATEST".into(),
            handler: "app.h".into(),
            account_id: Some("1".into()),
            expected_extensions: 0,
        };
        assert_eq!(
            register_response(&info, false),
            r#"{"functionName":"f","functionVersion":"$LATEST","handler":"app.h"}"#
        );
        assert!(register_response(&info, true).ends_with(r#","accountId":"1"}"#));
        assert!(wants_account_id(Some("foo, accountId")));
        assert!(!wants_account_id(None));
    }
}
