//! Code signing configs (create, read, update, delete, list) and the functions that use them.

use super::Api;
use crate::arn::FunctionRef;
use crate::clock::now_last_modified;
use crate::errors;
use crate::pagination;
use crate::state::code_signing::config_not_found;
use crate::state::functions::Code;
use lambda_server::error::ServiceError;
use lambda_server::model as m;

/// `csc-` and 17 lowercase hex characters, as Lambda names its configs.
fn new_config_id() -> String {
    let hex = uuid::Uuid::new_v4().simple().to_string();
    format!("csc-{}", &hex[..17])
}

/// A config named by ARN in Get/Update/Delete/ListFunctionsBy (and the tag operations): AWS
/// answers the specific `CodeSigningConfigNotFoundException` (404) here, though the model
/// declares only `ResourceNotFoundException` for these operations.
pub(super) fn not_found(arn: &str) -> ServiceError {
    errors::code_signing_config_not_found_untyped(format!(
        "The Lambda code signing configuration {arn} can not be found."
    ))
}

fn policies(given: Option<m::CodeSigningPolicies>) -> m::CodeSigningPolicies {
    m::CodeSigningPolicies {
        untrusted_artifact_on_deployment: Some(
            given
                .and_then(|p| p.untrusted_artifact_on_deployment)
                .unwrap_or(m::CodeSigningPolicy::Warn),
        ),
    }
}

fn check_publishers(p: &m::AllowedPublishers) -> Result<(), ServiceError> {
    if p.signing_profile_version_arns.is_empty() {
        return Err(errors::invalid_parameter(
            "AllowedPublishers.SigningProfileVersionArns must contain at least one signing profile version ARN.",
        ));
    }
    for arn in &p.signing_profile_version_arns {
        let parts: Vec<&str> = arn.split(':').collect();
        if parts.len() < 6 || parts[0] != "arn" || parts[2] != "signer" {
            return Err(errors::invalid_parameter(format!(
                "Invalid signing profile version ARN: {arn}"
            )));
        }
    }
    Ok(())
}

pub async fn create_code_signing_config(
    api: &Api,
    input: m::CreateCodeSigningConfigRequest,
) -> Result<m::CreateCodeSigningConfigResponse, ServiceError> {
    check_publishers(&input.allowed_publishers)?;
    super::tags::check_new_tags(input.tags.as_ref())?;
    let id = new_config_id();
    let arn = api.scope().code_signing_config_arn(&id);
    let config = m::CodeSigningConfig {
        allowed_publishers: input.allowed_publishers,
        code_signing_config_arn: arn.clone(),
        code_signing_config_id: id,
        code_signing_policies: policies(input.code_signing_policies),
        description: Some(input.description.unwrap_or_default()),
        last_modified: now_last_modified(),
    };
    let tags = input.tags.unwrap_or_default();
    let stored = config.clone();
    api.state(move |s| {
        if !tags.is_empty() {
            s.tags.set(&arn, tags);
        }
        s.code_signing.configs.insert(arn, stored);
    })
    .await?;
    Ok(m::CreateCodeSigningConfigResponse {
        code_signing_config: config,
    })
}

pub async fn get_code_signing_config(
    api: &Api,
    input: m::GetCodeSigningConfigRequest,
) -> Result<m::GetCodeSigningConfigResponse, ServiceError> {
    let arn = input.code_signing_config_arn;
    let found = {
        let arn = arn.clone();
        api.state(move |s| s.code_signing.configs.get(&arn).cloned()).await?
    };
    let config = found.ok_or_else(|| not_found(&arn))?;
    Ok(m::GetCodeSigningConfigResponse {
        code_signing_config: config,
    })
}

pub async fn update_code_signing_config(
    api: &Api,
    input: m::UpdateCodeSigningConfigRequest,
) -> Result<m::UpdateCodeSigningConfigResponse, ServiceError> {
    if let Some(p) = &input.allowed_publishers {
        check_publishers(p)?;
    }
    let arn = input.code_signing_config_arn;
    let updated = api
        .state_try(move |s| {
            let c = s.code_signing.configs.get_mut(&arn).ok_or_else(|| not_found(&arn))?;
            if let Some(p) = input.allowed_publishers {
                c.allowed_publishers = p;
            }
            if let Some(p) = input
                .code_signing_policies
                .and_then(|p| p.untrusted_artifact_on_deployment)
            {
                c.code_signing_policies.untrusted_artifact_on_deployment = Some(p);
            }
            if let Some(d) = input.description {
                c.description = Some(d);
            }
            c.last_modified = now_last_modified();
            Ok(c.clone())
        })
        .await?;
    Ok(m::UpdateCodeSigningConfigResponse {
        code_signing_config: updated,
    })
}

pub async fn delete_code_signing_config(
    api: &Api,
    input: m::DeleteCodeSigningConfigRequest,
) -> Result<m::DeleteCodeSigningConfigResponse, ServiceError> {
    let arn = input.code_signing_config_arn;
    api.state_try(move |s| {
        if !s.code_signing.configs.contains_key(&arn) {
            return Err(not_found(&arn));
        }
        let users = s.code_signing.functions_using(&arn);
        if !users.is_empty() {
            return Err(errors::conflict(format!(
                "The code signing configuration {arn} cannot be deleted because it is used by the following functions: [{}]",
                users.join(", ")
            )));
        }
        s.code_signing.configs.remove(&arn);
        s.tags.forget(&arn);
        Ok(())
    })
    .await?;
    Ok(m::DeleteCodeSigningConfigResponse {})
}

pub async fn list_code_signing_configs(
    api: &Api,
    input: m::ListCodeSigningConfigsRequest,
) -> Result<m::ListCodeSigningConfigsResponse, ServiceError> {
    let all: Vec<m::CodeSigningConfig> = api
        .state(|s| s.code_signing.configs.values().cloned().collect())
        .await?;
    let (page, next) = pagination::page(
        all,
        |c| c.code_signing_config_arn.clone(),
        input.marker.as_deref(),
        input.max_items,
        50,
    )?;
    Ok(m::ListCodeSigningConfigsResponse {
        code_signing_configs: Some(page),
        next_marker: next,
    })
}

pub async fn list_functions_by_code_signing_config(
    api: &Api,
    input: m::ListFunctionsByCodeSigningConfigRequest,
) -> Result<m::ListFunctionsByCodeSigningConfigResponse, ServiceError> {
    let arn = input.code_signing_config_arn;
    let users = {
        let arn = arn.clone();
        api.state(move |s| {
            s.code_signing
                .configs
                .contains_key(&arn)
                .then(|| s.code_signing.functions_using(&arn))
        })
        .await?
    };
    let users = users.ok_or_else(|| not_found(&arn))?;
    let scope = api.scope();
    let arns: Vec<String> = users.iter().map(|n| scope.function_arn(n)).collect();
    let (page, next) = pagination::page(arns, |a| a.clone(), input.marker.as_deref(), input.max_items, 50)?;
    Ok(m::ListFunctionsByCodeSigningConfigResponse {
        function_arns: Some(page),
        next_marker: next,
    })
}

/// The function a request names (it must exist and must not be a container image function).
async fn signable_function(api: &Api, function_name: &str) -> Result<String, ServiceError> {
    let scope = api.scope();
    let f = FunctionRef::parse(function_name, None, &scope)?;
    let arn = scope.arn(&f.name, f.qualifier.as_deref());
    let name = f.name.clone();
    let image = api
        .state(move |s| {
            s.functions
                .get(&name)
                .map(|func| matches!(func.latest.code, Code::Image { .. }))
        })
        .await?
        .ok_or_else(|| errors::not_found(format!("Function not found: {arn}")))?;
    if image {
        return Err(errors::invalid_parameter(
            "Code signing is not supported for functions created with container images.",
        ));
    }
    Ok(f.name)
}

pub async fn put_function_code_signing_config(
    api: &Api,
    input: m::PutFunctionCodeSigningConfigRequest,
) -> Result<m::PutFunctionCodeSigningConfigResponse, ServiceError> {
    let name = signable_function(api, &input.function_name).await?;
    let arn = input.code_signing_config_arn;
    let (n, a) = (name.clone(), arn.clone());
    api.state_try(move |s| {
        if !s.code_signing.configs.contains_key(&a) {
            return Err(config_not_found(&a));
        }
        if s.functions.get(&n).is_none() {
            return Err(errors::not_found(format!("Function not found: {n}")));
        }
        s.code_signing.by_function.insert(n, a);
        Ok(())
    })
    .await?;
    Ok(m::PutFunctionCodeSigningConfigResponse {
        code_signing_config_arn: arn,
        function_name: name,
    })
}

pub async fn get_function_code_signing_config(
    api: &Api,
    input: m::GetFunctionCodeSigningConfigRequest,
) -> Result<m::GetFunctionCodeSigningConfigResponse, ServiceError> {
    let name = signable_function(api, &input.function_name).await?;
    let n = name.clone();
    let arn = api.state(move |s| s.code_signing.by_function.get(&n).cloned()).await?;
    // A function without a config answers an empty ARN, as Lambda does.
    Ok(m::GetFunctionCodeSigningConfigResponse {
        code_signing_config_arn: arn.unwrap_or_default(),
        function_name: name,
    })
}

pub async fn delete_function_code_signing_config(
    api: &Api,
    input: m::DeleteFunctionCodeSigningConfigRequest,
) -> Result<(), ServiceError> {
    let name = signable_function(api, &input.function_name).await?;
    api.state(move |s| s.code_signing.forget_function(&name)).await?;
    Ok(())
}
