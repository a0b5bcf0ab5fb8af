//! Resource-based policies of functions: AddPermission, RemovePermission, GetPolicy.

use super::{aws_error, Api};
use lambda_server::error::ServiceError;
use lambda_server::model as m;

pub async fn add_permission(api: &Api, input: m::AddPermissionRequest) -> Result<m::AddPermissionResponse, ServiceError> {
    let _ = (api, input);
    Err(aws_error::service("add_permission is not available yet"))
}

pub async fn get_policy(api: &Api, input: m::GetPolicyRequest) -> Result<m::GetPolicyResponse, ServiceError> {
    let _ = (api, input);
    Err(aws_error::service("get_policy is not available yet"))
}

pub async fn remove_permission(api: &Api, input: m::RemovePermissionRequest) -> Result<(), ServiceError> {
    let _ = (api, input);
    Err(aws_error::service("remove_permission is not available yet"))
}
