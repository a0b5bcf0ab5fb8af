//! Aliases: named pointers to a version, with weighted routing to a second one.

use super::{aws_error, Api};
use lambda_server::error::ServiceError;
use lambda_server::model as m;

pub async fn create_alias(api: &Api, input: m::CreateAliasRequest) -> Result<m::AliasConfiguration, ServiceError> {
    let _ = (api, input);
    Err(aws_error::service("create_alias is not available yet"))
}

pub async fn delete_alias(api: &Api, input: m::DeleteAliasRequest) -> Result<(), ServiceError> {
    let _ = (api, input);
    Err(aws_error::service("delete_alias is not available yet"))
}

pub async fn get_alias(api: &Api, input: m::GetAliasRequest) -> Result<m::AliasConfiguration, ServiceError> {
    let _ = (api, input);
    Err(aws_error::service("get_alias is not available yet"))
}

pub async fn list_aliases(api: &Api, input: m::ListAliasesRequest) -> Result<m::ListAliasesResponse, ServiceError> {
    let _ = (api, input);
    Err(aws_error::service("list_aliases is not available yet"))
}

pub async fn update_alias(api: &Api, input: m::UpdateAliasRequest) -> Result<m::AliasConfiguration, ServiceError> {
    let _ = (api, input);
    Err(aws_error::service("update_alias is not available yet"))
}
