//! Reserved and provisioned concurrency, with the account's unreserved-minimum rule.

use super::{aws_error, Api};
use lambda_server::error::ServiceError;
use lambda_server::model as m;

pub async fn delete_function_concurrency(api: &Api, input: m::DeleteFunctionConcurrencyRequest) -> Result<(), ServiceError> {
    let _ = (api, input);
    Err(aws_error::service("delete_function_concurrency is not available yet"))
}

pub async fn delete_provisioned_concurrency_config(api: &Api, input: m::DeleteProvisionedConcurrencyConfigRequest) -> Result<(), ServiceError> {
    let _ = (api, input);
    Err(aws_error::service("delete_provisioned_concurrency_config is not available yet"))
}

pub async fn get_function_concurrency(api: &Api, input: m::GetFunctionConcurrencyRequest) -> Result<m::GetFunctionConcurrencyResponse, ServiceError> {
    let _ = (api, input);
    Err(aws_error::service("get_function_concurrency is not available yet"))
}

pub async fn get_provisioned_concurrency_config(api: &Api, input: m::GetProvisionedConcurrencyConfigRequest) -> Result<m::GetProvisionedConcurrencyConfigResponse, ServiceError> {
    let _ = (api, input);
    Err(aws_error::service("get_provisioned_concurrency_config is not available yet"))
}

pub async fn list_provisioned_concurrency_configs(api: &Api, input: m::ListProvisionedConcurrencyConfigsRequest) -> Result<m::ListProvisionedConcurrencyConfigsResponse, ServiceError> {
    let _ = (api, input);
    Err(aws_error::service("list_provisioned_concurrency_configs is not available yet"))
}

pub async fn put_function_concurrency(api: &Api, input: m::PutFunctionConcurrencyRequest) -> Result<m::Concurrency, ServiceError> {
    let _ = (api, input);
    Err(aws_error::service("put_function_concurrency is not available yet"))
}

pub async fn put_provisioned_concurrency_config(api: &Api, input: m::PutProvisionedConcurrencyConfigRequest) -> Result<m::PutProvisionedConcurrencyConfigResponse, ServiceError> {
    let _ = (api, input);
    Err(aws_error::service("put_provisioned_concurrency_config is not available yet"))
}
