//! Capacity providers, the function versions on them, and function scaling configs.

use super::{aws_error, Api};
use lambda_server::error::ServiceError;
use lambda_server::model as m;

pub async fn create_capacity_provider(api: &Api, input: m::CreateCapacityProviderRequest) -> Result<m::CreateCapacityProviderResponse, ServiceError> {
    let _ = (api, input);
    Err(aws_error::service("create_capacity_provider is not available yet"))
}

pub async fn delete_capacity_provider(api: &Api, input: m::DeleteCapacityProviderRequest) -> Result<m::DeleteCapacityProviderResponse, ServiceError> {
    let _ = (api, input);
    Err(aws_error::service("delete_capacity_provider is not available yet"))
}

pub async fn get_capacity_provider(api: &Api, input: m::GetCapacityProviderRequest) -> Result<m::GetCapacityProviderResponse, ServiceError> {
    let _ = (api, input);
    Err(aws_error::service("get_capacity_provider is not available yet"))
}

pub async fn get_function_scaling_config(api: &Api, input: m::GetFunctionScalingConfigRequest) -> Result<m::GetFunctionScalingConfigResponse, ServiceError> {
    let _ = (api, input);
    Err(aws_error::service("get_function_scaling_config is not available yet"))
}

pub async fn list_capacity_providers(api: &Api, input: m::ListCapacityProvidersRequest) -> Result<m::ListCapacityProvidersResponse, ServiceError> {
    let _ = (api, input);
    Err(aws_error::service("list_capacity_providers is not available yet"))
}

pub async fn list_function_versions_by_capacity_provider(api: &Api, input: m::ListFunctionVersionsByCapacityProviderRequest) -> Result<m::ListFunctionVersionsByCapacityProviderResponse, ServiceError> {
    let _ = (api, input);
    Err(aws_error::service("list_function_versions_by_capacity_provider is not available yet"))
}

pub async fn put_function_scaling_config(api: &Api, input: m::PutFunctionScalingConfigRequest) -> Result<m::PutFunctionScalingConfigResponse, ServiceError> {
    let _ = (api, input);
    Err(aws_error::service("put_function_scaling_config is not available yet"))
}

pub async fn update_capacity_provider(api: &Api, input: m::UpdateCapacityProviderRequest) -> Result<m::UpdateCapacityProviderResponse, ServiceError> {
    let _ = (api, input);
    Err(aws_error::service("update_capacity_provider is not available yet"))
}
