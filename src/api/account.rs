//! GetAccountSettings: the account's limits and live usage.

use super::{aws_error, Api};
use lambda_server::error::ServiceError;
use lambda_server::model as m;

pub async fn get_account_settings(api: &Api, input: m::GetAccountSettingsRequest) -> Result<m::GetAccountSettingsResponse, ServiceError> {
    let _ = (api, input);
    Err(aws_error::service("get_account_settings is not available yet"))
}
