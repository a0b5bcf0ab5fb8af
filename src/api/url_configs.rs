//! Function URL configs: the URL in AWS format, auth type, CORS.

use super::{aws_error, Api};
use lambda_server::error::ServiceError;
use lambda_server::model as m;

pub async fn create_function_url_config(api: &Api, input: m::CreateFunctionUrlConfigRequest) -> Result<m::CreateFunctionUrlConfigResponse, ServiceError> {
    let _ = (api, input);
    Err(aws_error::service("create_function_url_config is not available yet"))
}

pub async fn delete_function_url_config(api: &Api, input: m::DeleteFunctionUrlConfigRequest) -> Result<(), ServiceError> {
    let _ = (api, input);
    Err(aws_error::service("delete_function_url_config is not available yet"))
}

pub async fn get_function_url_config(api: &Api, input: m::GetFunctionUrlConfigRequest) -> Result<m::GetFunctionUrlConfigResponse, ServiceError> {
    let _ = (api, input);
    Err(aws_error::service("get_function_url_config is not available yet"))
}

pub async fn list_function_url_configs(api: &Api, input: m::ListFunctionUrlConfigsRequest) -> Result<m::ListFunctionUrlConfigsResponse, ServiceError> {
    let _ = (api, input);
    Err(aws_error::service("list_function_url_configs is not available yet"))
}

pub async fn update_function_url_config(api: &Api, input: m::UpdateFunctionUrlConfigRequest) -> Result<m::UpdateFunctionUrlConfigResponse, ServiceError> {
    let _ = (api, input);
    Err(aws_error::service("update_function_url_config is not available yet"))
}
