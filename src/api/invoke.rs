//! Invoke, InvokeAsync and InvokeWithResponseStream.

use super::{aws_error, Api};
use lambda_server::error::ServiceError;
use lambda_server::model as m;

pub async fn invoke(api: &Api, input: m::InvocationRequest) -> Result<m::InvocationResponse, ServiceError> {
    let _ = (api, input);
    Err(aws_error::service("invoke is not available yet"))
}

pub async fn invoke_async(api: &Api, input: m::InvokeAsyncRequest) -> Result<m::InvokeAsyncResponse, ServiceError> {
    let _ = (api, input);
    Err(aws_error::service("invoke_async is not available yet"))
}

pub async fn invoke_with_response_stream(api: &Api, input: m::InvokeWithResponseStreamRequest) -> Result<m::InvokeWithResponseStreamResponse, ServiceError> {
    let _ = (api, input);
    Err(aws_error::service("invoke_with_response_stream is not available yet"))
}
