//! Event invoke configs: retries, maximum age and destinations of async invokes (Put replaces, Update merges).

use super::{aws_error, Api};
use lambda_server::error::ServiceError;
use lambda_server::model as m;

pub async fn delete_function_event_invoke_config(api: &Api, input: m::DeleteFunctionEventInvokeConfigRequest) -> Result<(), ServiceError> {
    let _ = (api, input);
    Err(aws_error::service("delete_function_event_invoke_config is not available yet"))
}

pub async fn get_function_event_invoke_config(api: &Api, input: m::GetFunctionEventInvokeConfigRequest) -> Result<m::FunctionEventInvokeConfig, ServiceError> {
    let _ = (api, input);
    Err(aws_error::service("get_function_event_invoke_config is not available yet"))
}

pub async fn list_function_event_invoke_configs(api: &Api, input: m::ListFunctionEventInvokeConfigsRequest) -> Result<m::ListFunctionEventInvokeConfigsResponse, ServiceError> {
    let _ = (api, input);
    Err(aws_error::service("list_function_event_invoke_configs is not available yet"))
}

pub async fn put_function_event_invoke_config(api: &Api, input: m::PutFunctionEventInvokeConfigRequest) -> Result<m::FunctionEventInvokeConfig, ServiceError> {
    let _ = (api, input);
    Err(aws_error::service("put_function_event_invoke_config is not available yet"))
}

pub async fn update_function_event_invoke_config(api: &Api, input: m::UpdateFunctionEventInvokeConfigRequest) -> Result<m::FunctionEventInvokeConfig, ServiceError> {
    let _ = (api, input);
    Err(aws_error::service("update_function_event_invoke_config is not available yet"))
}
