//! Invoke, InvokeAsync and InvokeWithResponseStream. Requests are checked as AWS checks them (the
//! function and qualifier exist, the function is not Pending, the payload is JSON and within the
//! limits) and `DryRun` answers 204. Running functions is the execution engine's job, which is not
//! part of this build yet: an invocation that would run code answers a `ServiceException` saying so.

use super::{aws_error, Api};
use lambda_server::error::ServiceError;
use lambda_server::model as m;

/// Payload limits: synchronous 6 MB, asynchronous 1 MB.
pub const SYNC_PAYLOAD_LIMIT: usize = 6 * 1024 * 1024;
pub const ASYNC_PAYLOAD_LIMIT: usize = 1024 * 1024;

const NO_EXECUTION: &str = "fauxlambda cannot run functions yet: this build has the control plane only (function execution is the next piece of work)";

/// The checks every invocation shares; returns the version that would run.
async fn check(api: &Api, function_name: &str, qualifier: Option<&str>, payload: &[u8], limit: usize, op: &str) -> Result<String, ServiceError> {
    let (_, v) = super::functions::configuration(api, function_name, qualifier).await?;
    if v.config.state == Some(m::State::Pending) {
        return Err(aws_error::conflict(
            "The operation cannot be performed at this time. The function is currently in the following state: Pending",
        ));
    }
    if payload.len() > limit {
        return Err(aws_error::request_too_large(format!("Request must be smaller than {limit} bytes for the {op} operation")));
    }
    if !payload.is_empty() {
        if let Err(e) = serde_json::from_slice::<serde_json::Value>(payload) {
            return Err(aws_error::invalid_request_content(format!(
                "Could not parse request body into json: Could not parse payload into json: {e}"
            )));
        }
    }
    Ok(v.config.version.unwrap_or_else(|| "$LATEST".into()))
}

pub async fn invoke(api: &Api, input: m::InvocationRequest) -> Result<m::InvocationResponse, ServiceError> {
    let payload = input.payload.map(|b| b.into_inner()).unwrap_or_default();
    let event = matches!(input.invocation_type, Some(m::InvocationType::Event));
    let limit = if event { ASYNC_PAYLOAD_LIMIT } else { SYNC_PAYLOAD_LIMIT };
    let version = check(api, &input.function_name, input.qualifier.as_deref(), &payload, limit, "Invoke").await?;
    match input.invocation_type.unwrap_or(m::InvocationType::RequestResponse) {
        m::InvocationType::DryRun => Ok(m::InvocationResponse { status_code: 204, executed_version: Some(version), ..Default::default() }),
        _ => Err(aws_error::service(NO_EXECUTION)),
    }
}

pub async fn invoke_async(api: &Api, input: m::InvokeAsyncRequest) -> Result<m::InvokeAsyncResponse, ServiceError> {
    let payload = input.invoke_args.collect().await.map_err(|e| aws_error::invalid_request_content(format!("Could not read the request body: {e}")))?;
    check(api, &input.function_name, None, &payload, ASYNC_PAYLOAD_LIMIT, "InvokeAsync").await?;
    Err(aws_error::service(NO_EXECUTION))
}

pub async fn invoke_with_response_stream(
    api: &Api,
    input: m::InvokeWithResponseStreamRequest,
) -> Result<m::InvokeWithResponseStreamResponse, ServiceError> {
    let payload = input.payload.map(|b| b.into_inner()).unwrap_or_default();
    check(api, &input.function_name, input.qualifier.as_deref(), &payload, SYNC_PAYLOAD_LIMIT, "InvokeWithResponseStream").await?;
    Err(aws_error::service(NO_EXECUTION))
}
