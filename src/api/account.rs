//! GetAccountSettings: the account's limits and live usage.

use super::Api;
use crate::errors;
use crate::state::functions::Code;
use lambda_server::error::ServiceError;
use lambda_server::model as m;

/// AWS's default quotas.
const TOTAL_CODE_SIZE: i64 = 80_530_636_800;
const CODE_SIZE_UNZIPPED: i64 = 262_144_000;
const CODE_SIZE_ZIPPED: i64 = 52_428_800;
const CONCURRENT_EXECUTIONS: i32 = 1000;

pub async fn get_account_settings(
    api: &Api,
    input: m::GetAccountSettingsRequest,
) -> Result<m::GetAccountSettingsResponse, ServiceError> {
    let _ = input;
    let (function_count, code_size, reserved) = api
        .state(|s| {
            let function_count = s.functions.by_name.len() as i64;
            // Every version keeps its own copy of its package, as AWS counts it; images count
            // against ECR, not Lambda.
            let function_code: i64 = s
                .functions
                .by_name
                .values()
                .flat_map(|f| std::iter::once(&f.latest).chain(f.versions.values()))
                .map(|v| match &v.code {
                    Code::Zip(p) => p.size,
                    Code::Image { .. } | Code::HotReload { .. } => 0,
                })
                .sum();
            let reserved: i64 = s.concurrency.reserved.values().map(|r| i64::from(*r)).sum();
            (function_count, function_code + s.layers.total_code_size(), reserved)
        })
        .await?;
    let unreserved = i64::from(CONCURRENT_EXECUTIONS) - reserved;
    let unreserved = i32::try_from(unreserved).map_err(|_| errors::service("reserved concurrency out of range"))?;
    Ok(m::GetAccountSettingsResponse {
        account_limit: Some(m::AccountLimit {
            code_size_unzipped: CODE_SIZE_UNZIPPED,
            code_size_zipped: CODE_SIZE_ZIPPED,
            concurrent_executions: CONCURRENT_EXECUTIONS,
            total_code_size: TOTAL_CODE_SIZE,
            unreserved_concurrent_executions: Some(unreserved),
        }),
        account_usage: Some(m::AccountUsage {
            function_count,
            total_code_size: code_size,
        }),
    })
}
