//! The AWS errors fauxlambda answers, built as `ServiceError` values with AWS's wording conventions
//! (`Type` `User` for client faults, `Service` for server faults; no `Type` where AWS's recorded
//! bodies have none).

use lambda_server::error::ServiceError;
use lambda_server::model as m;

/// One constructor per error shape that carries a `Type` (`$type`: `Some("User")`, or `None` where
/// AWS's bodies have none) and a message.
macro_rules! error_fns {
    ($type:expr; $($(#[$doc:meta])* $fn:ident => $shape:ident),* $(,)?) => {
        $(
            $(#[$doc])*
            pub fn $fn(message: impl Into<String>) -> ServiceError {
                ServiceError::$shape(m::$shape { r#type: $type, message: Some(message.into()) })
            }
        )*
    };
}

error_fns! {
    Some("User".into());
    /// 404 `ResourceNotFoundException`.
    not_found => ResourceNotFoundException,
    /// 400 `InvalidParameterValueException`.
    invalid_parameter => InvalidParameterValueException,
    /// 409 `ResourceConflictException`.
    conflict => ResourceConflictException,
    /// 412 `PreconditionFailedException`.
    precondition_failed => PreconditionFailedException,
    /// 400 `ResourceInUseException`.
    in_use => ResourceInUseException,
    /// 400 `PolicyLengthExceededException`.
    policy_too_long => PolicyLengthExceededException,
    /// 400 `CodeStorageExceededException`.
    code_storage_exceeded => CodeStorageExceededException,
    /// 404 `ProvisionedConcurrencyConfigNotFoundException`.
    provisioned_concurrency_not_found => ProvisionedConcurrencyConfigNotFoundException,
    /// 404 `CodeSigningConfigNotFoundException`.
    code_signing_config_not_found => CodeSigningConfigNotFoundException,
    /// 400 `InvalidRequestContentException`.
    invalid_request_content => InvalidRequestContentException,
}

// The errors whose AWS bodies carry no `Type` (recorded): only the message.
error_fns! {
    None;
    /// 413 `RequestEntityTooLargeException` (modelled as `RequestTooLargeException`), without `Type`.
    request_too_large => RequestTooLargeException,
    /// 400 `InvalidParameterValueException` without `Type`, as AWS answers some (concurrency limits,
    /// routing to `$LATEST`).
    invalid_parameter_untyped => InvalidParameterValueException,
    /// 404 `CodeSigningConfigNotFoundException` without `Type`, as AWS answers a code signing
    /// configuration named by ARN that does not exist (Get, Update, Delete, ListFunctionsBy).
    code_signing_config_not_found_untyped => CodeSigningConfigNotFoundException,
}

/// 500 `ServiceException`: something on our side failed.
pub fn service(message: impl Into<String>) -> ServiceError {
    ServiceError::ServiceException(m::ServiceException {
        r#type: Some("Service".into()),
        message: Some(message.into()),
    })
}

/// 429 `TooManyRequestsException` with its `Reason`.
pub fn too_many_requests(reason: m::ThrottleReason, message: impl Into<String>) -> ServiceError {
    ServiceError::TooManyRequestsException(m::TooManyRequestsException {
        reason: Some(reason),
        r#type: Some("User".into()),
        message: Some(message.into()),
        retry_after_seconds: None,
    })
}

/// 400 `ValidationException` for a member longer than `max` characters, worded as the wire layer
/// words the model's own length constraints: for limits Lambda applies beyond the model's (a new
/// function's name is at most 64 characters, though `FunctionName` admits 140 for ARNs).
pub fn too_long(member: &'static str, value: &str, max: u64) -> ServiceError {
    use smithy_server_runtime::validation::{Constraint, PathSeg, Violation};
    ServiceError::Validation(vec![Violation {
        path: vec![PathSeg::Member(member)],
        constraint: Constraint::Length(value.chars().count(), Some(1), Some(max)),
        value: Some(value.to_string()),
    }])
}
