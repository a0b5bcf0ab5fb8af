//! Runtime management and recursive-loop configs of functions.

use super::{aws_error, Api};
use lambda_server::error::ServiceError;
use lambda_server::model as m;

pub async fn get_function_recursion_config(api: &Api, input: m::GetFunctionRecursionConfigRequest) -> Result<m::GetFunctionRecursionConfigResponse, ServiceError> {
    let _ = (api, input);
    Err(aws_error::service("get_function_recursion_config is not available yet"))
}

pub async fn get_runtime_management_config(api: &Api, input: m::GetRuntimeManagementConfigRequest) -> Result<m::GetRuntimeManagementConfigResponse, ServiceError> {
    let _ = (api, input);
    Err(aws_error::service("get_runtime_management_config is not available yet"))
}

pub async fn put_function_recursion_config(api: &Api, input: m::PutFunctionRecursionConfigRequest) -> Result<m::PutFunctionRecursionConfigResponse, ServiceError> {
    let _ = (api, input);
    Err(aws_error::service("put_function_recursion_config is not available yet"))
}

pub async fn put_runtime_management_config(api: &Api, input: m::PutRuntimeManagementConfigRequest) -> Result<m::PutRuntimeManagementConfigResponse, ServiceError> {
    let _ = (api, input);
    Err(aws_error::service("put_runtime_management_config is not available yet"))
}
