//! Versions: publishing `$LATEST` as a numbered version, listing versions.

use super::Api;
use crate::arn::FunctionRef;
use crate::errors;
use lambda_server::error::ServiceError;
use lambda_server::model as m;

pub async fn publish_version(
    api: &Api,
    input: m::PublishVersionRequest,
) -> Result<m::FunctionConfiguration, ServiceError> {
    let scope = api.scope();
    let f = FunctionRef::parse(&input.function_name, None, &scope)?;
    if f.qualifier.is_some() {
        return Err(errors::invalid_parameter(
            "PublishVersion applies to $LATEST: do not qualify the function name",
        ));
    }
    let arn = scope.function_arn(&f.name);
    api.state(move |s| {
        let func = s
            .functions
            .get_mut(&f.name)
            .ok_or_else(|| errors::not_found(format!("Function not found: {arn}")))?;
        if func.latest.config.last_update_status == Some(m::LastUpdateStatus::InProgress) {
            return Err(errors::conflict(format!(
                "The operation cannot be performed at this time. An update is in progress for resource: {arn}"
            )));
        }
        crate::state::versions::publish(
            func,
            input.code_sha256.as_deref(),
            input.revision_id.as_deref(),
            input.description,
            false,
        )
    })
    .await?
}

pub async fn list_versions_by_function(
    api: &Api,
    input: m::ListVersionsByFunctionRequest,
) -> Result<m::ListVersionsByFunctionResponse, ServiceError> {
    let scope = api.scope();
    let f = FunctionRef::parse(&input.function_name, None, &scope)?;
    let arn = scope.function_arn(&f.name);
    let versions = api
        .state(move |s| {
            s.functions.get(&f.name).map(|func| {
                let mut v = vec![super::functions::qualified_latest(&func.latest.config)];
                v.extend(func.versions.values().map(|x| x.config.clone()));
                v
            })
        })
        .await?
        .ok_or_else(|| errors::not_found(format!("Function not found: {arn}")))?;
    // `$LATEST` first, then versions in numeric order (never an empty key: markers are keys).
    let key = |c: &m::FunctionConfiguration| match c.version.as_deref() {
        Some("$LATEST") | None => "0".to_string(),
        Some(v) => format!("1{v:0>20}"),
    };
    let (page, next) = crate::pagination::page(versions, key, input.marker.as_deref(), input.max_items, 50)?;
    Ok(m::ListVersionsByFunctionResponse {
        versions: Some(page),
        next_marker: next,
    })
}
