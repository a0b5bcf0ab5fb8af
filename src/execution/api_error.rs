//! The errors the Runtime and Extensions APIs answer a runtime or an extension with: status,
//! `errorType` and `errorMessage`, with the strings of AWS's Runtime Interface Emulator
//! (rapi/rendering/render_error.go, rapi/handler/constants, rapi/middleware; lambda-semantics §2.1, §2.5).

use super::invocation::{error_json, MAX_PAYLOAD_SIZE};

/// One error answer: `{"errorMessage":…,"errorType":…}` with `status`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    pub status: u16,
    pub error_type: String,
    pub message: String,
}

impl ApiError {
    fn new(status: u16, error_type: &str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            error_type: error_type.into(),
            message: message.into(),
        }
    }

    /// The JSON body.
    pub fn body(&self) -> String {
        error_json(&self.message, &self.error_type)
    }

    /// 400 `InvalidRequestID`: unknown, stale or already answered request id.
    pub fn invalid_request_id() -> Self {
        Self::new(400, "InvalidRequestID", "Invalid request ID")
    }

    /// 413 `RequestEntityTooLarge`: a response or error body over the limit.
    pub fn too_large() -> Self {
        Self::new(
            413,
            "RequestEntityTooLarge",
            format!("Exceeded maximum allowed payload size ({MAX_PAYLOAD_SIZE} bytes)."),
        )
    }

    /// 400 `InvalidFunctionResponseMode`: `Lambda-Runtime-Function-Response-Mode` other than `streaming`.
    pub fn invalid_response_mode() -> Self {
        Self::new(400, "InvalidFunctionResponseMode", "Invalid function response mode")
    }

    /// 400 `TruncatedHTTPRequest`: the body ended before its announced length.
    pub fn truncated() -> Self {
        Self::new(400, "TruncatedHTTPRequest", "HTTP request detected as truncated")
    }

    /// 403 `InvalidStateTransition` for the runtime.
    pub fn runtime_transition(from: &str, to: &str) -> Self {
        Self::new(
            403,
            "InvalidStateTransition",
            format!("State transition from {from} to {to} failed for runtime. Error: State transition is not allowed"),
        )
    }

    /// 403 `AccessDenied`: a connection from outside the environment (fauxlambda's own: an
    /// environment's Runtime API is reachable only from inside it on AWS).
    pub fn forbidden_peer() -> Self {
        Self::new(
            403,
            "AccessDenied",
            "This Runtime API serves its own execution environment only",
        )
    }

    /// 500 `InternalServerError` (the runtime must exit).
    pub fn internal() -> Self {
        Self::new(500, "InternalServerError", "Internal Server Error")
    }

    /// 403 `Extension.InvalidExtensionState` for an extension (`who` is its identifier, or its name
    /// when registering).
    pub fn extension_transition(from: &str, to: &str, who: &str) -> Self {
        Self::new(
            403,
            "Extension.InvalidExtensionState",
            format!("State transition from {from} to {to} failed for extension {who}. Error: State transition is not allowed"),
        )
    }

    pub fn extension_name_empty() -> Self {
        Self::new(403, "Extension.InvalidExtensionName", "Empty extension name")
    }

    pub fn extension_request_format(detail: impl Into<String>) -> Self {
        Self::new(403, "InvalidRequestFormat", detail)
    }

    pub fn extension_event_type(event: &str) -> Self {
        Self::new(
            403,
            "Extension.InvalidEventType",
            format!("{event}: ErrorInvalidEventType"),
        )
    }

    pub fn extension_registration_closed() -> Self {
        Self::new(
            403,
            "Extension.RegistrationClosed",
            "Extension registration closed already",
        )
    }

    pub fn extension_name_taken() -> Self {
        Self::new(
            403,
            "Extension.InvalidExtensionState",
            "Extension with this name already registered",
        )
    }

    pub fn too_many_extensions(max: usize) -> Self {
        Self::new(
            403,
            "Extension.TooManyExtensions",
            format!("Extension limit ({max}) reached"),
        )
    }

    pub fn extension_id_missing() -> Self {
        Self::new(
            403,
            "Extension.MissingExtensionIdentifier",
            "Missing Lambda-Extension-Identifier header",
        )
    }

    pub fn extension_id_invalid() -> Self {
        Self::new(
            403,
            "Extension.InvalidExtensionIdentifier",
            "Invalid Lambda-Extension-Identifier",
        )
    }

    /// Unknown identifier on `/extension/event/next`.
    pub fn extension_unknown(id: &str) -> Self {
        Self::new(
            403,
            "Extension.UnknownExtensionIdentifier",
            format!("Unknown extension {id}"),
        )
    }

    /// Unknown identifier on `/extension/init/error` and `/exit/error`.
    pub fn extension_unknown_header() -> Self {
        Self::new(
            403,
            "Extension.UnknownExtensionIdentifier",
            "Unknown Lambda-Extension-Identifier",
        )
    }

    pub fn extension_error_type_missing() -> Self {
        Self::new(
            403,
            "Extension.MissingHeader",
            "Lambda-Extension-Function-Error-Type not found",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_aws_shaped() {
        assert_eq!(
            ApiError::invalid_request_id().body(),
            r#"{"errorMessage":"Invalid request ID","errorType":"InvalidRequestID"}"#
        );
        assert_eq!(
            ApiError::too_large().body(),
            r#"{"errorMessage":"Exceeded maximum allowed payload size (6291556 bytes).","errorType":"RequestEntityTooLarge"}"#
        );
        assert_eq!(
            ApiError::runtime_transition("Ready", "InitError").message,
            "State transition from Ready to InitError failed for runtime. Error: State transition is not allowed"
        );
    }
}
