//! Layers: publishing versions, their content, permissions, and listing with filters.

use super::{aws_error, Api};
use lambda_server::error::ServiceError;
use lambda_server::model as m;

pub async fn add_layer_version_permission(api: &Api, input: m::AddLayerVersionPermissionRequest) -> Result<m::AddLayerVersionPermissionResponse, ServiceError> {
    let _ = (api, input);
    Err(aws_error::service("add_layer_version_permission is not available yet"))
}

pub async fn delete_layer_version(api: &Api, input: m::DeleteLayerVersionRequest) -> Result<(), ServiceError> {
    let _ = (api, input);
    Err(aws_error::service("delete_layer_version is not available yet"))
}

pub async fn get_layer_version(api: &Api, input: m::GetLayerVersionRequest) -> Result<m::GetLayerVersionResponse, ServiceError> {
    let _ = (api, input);
    Err(aws_error::service("get_layer_version is not available yet"))
}

pub async fn get_layer_version_by_arn(api: &Api, input: m::GetLayerVersionByArnRequest) -> Result<m::GetLayerVersionResponse, ServiceError> {
    let _ = (api, input);
    Err(aws_error::service("get_layer_version_by_arn is not available yet"))
}

pub async fn get_layer_version_policy(api: &Api, input: m::GetLayerVersionPolicyRequest) -> Result<m::GetLayerVersionPolicyResponse, ServiceError> {
    let _ = (api, input);
    Err(aws_error::service("get_layer_version_policy is not available yet"))
}

pub async fn list_layer_versions(api: &Api, input: m::ListLayerVersionsRequest) -> Result<m::ListLayerVersionsResponse, ServiceError> {
    let _ = (api, input);
    Err(aws_error::service("list_layer_versions is not available yet"))
}

pub async fn list_layers(api: &Api, input: m::ListLayersRequest) -> Result<m::ListLayersResponse, ServiceError> {
    let _ = (api, input);
    Err(aws_error::service("list_layers is not available yet"))
}

pub async fn publish_layer_version(api: &Api, input: m::PublishLayerVersionRequest) -> Result<m::PublishLayerVersionResponse, ServiceError> {
    let _ = (api, input);
    Err(aws_error::service("publish_layer_version is not available yet"))
}

pub async fn remove_layer_version_permission(api: &Api, input: m::RemoveLayerVersionPermissionRequest) -> Result<(), ServiceError> {
    let _ = (api, input);
    Err(aws_error::service("remove_layer_version_permission is not available yet"))
}

/// The `Layers` of a function configuration for the given layer version ARNs; each must exist.
pub async fn resolve_for_function(api: &Api, arns: &[String]) -> Result<Vec<m::Layer>, ServiceError> {
    let _ = api;
    match arns.first() {
        None => Ok(Vec::new()),
        Some(arn) => Err(aws_error::invalid_parameter(format!("Layer version {arn} does not exist."))),
    }
}
