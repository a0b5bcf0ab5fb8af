//! Code signing configs and the functions that use them.

use super::{aws_error, Api};
use lambda_server::error::ServiceError;
use lambda_server::model as m;

pub async fn create_code_signing_config(api: &Api, input: m::CreateCodeSigningConfigRequest) -> Result<m::CreateCodeSigningConfigResponse, ServiceError> {
    let _ = (api, input);
    Err(aws_error::service("create_code_signing_config is not available yet"))
}

pub async fn delete_code_signing_config(api: &Api, input: m::DeleteCodeSigningConfigRequest) -> Result<m::DeleteCodeSigningConfigResponse, ServiceError> {
    let _ = (api, input);
    Err(aws_error::service("delete_code_signing_config is not available yet"))
}

pub async fn delete_function_code_signing_config(api: &Api, input: m::DeleteFunctionCodeSigningConfigRequest) -> Result<(), ServiceError> {
    let _ = (api, input);
    Err(aws_error::service("delete_function_code_signing_config is not available yet"))
}

pub async fn get_code_signing_config(api: &Api, input: m::GetCodeSigningConfigRequest) -> Result<m::GetCodeSigningConfigResponse, ServiceError> {
    let _ = (api, input);
    Err(aws_error::service("get_code_signing_config is not available yet"))
}

pub async fn get_function_code_signing_config(api: &Api, input: m::GetFunctionCodeSigningConfigRequest) -> Result<m::GetFunctionCodeSigningConfigResponse, ServiceError> {
    let _ = (api, input);
    Err(aws_error::service("get_function_code_signing_config is not available yet"))
}

pub async fn list_code_signing_configs(api: &Api, input: m::ListCodeSigningConfigsRequest) -> Result<m::ListCodeSigningConfigsResponse, ServiceError> {
    let _ = (api, input);
    Err(aws_error::service("list_code_signing_configs is not available yet"))
}

pub async fn list_functions_by_code_signing_config(api: &Api, input: m::ListFunctionsByCodeSigningConfigRequest) -> Result<m::ListFunctionsByCodeSigningConfigResponse, ServiceError> {
    let _ = (api, input);
    Err(aws_error::service("list_functions_by_code_signing_config is not available yet"))
}

pub async fn put_function_code_signing_config(api: &Api, input: m::PutFunctionCodeSigningConfigRequest) -> Result<m::PutFunctionCodeSigningConfigResponse, ServiceError> {
    let _ = (api, input);
    Err(aws_error::service("put_function_code_signing_config is not available yet"))
}

pub async fn update_code_signing_config(api: &Api, input: m::UpdateCodeSigningConfigRequest) -> Result<m::UpdateCodeSigningConfigResponse, ServiceError> {
    let _ = (api, input);
    Err(aws_error::service("update_code_signing_config is not available yet"))
}
