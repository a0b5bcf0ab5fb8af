//! Capacity providers (Lambda Managed Instances), the function versions on them, and function
//! scaling configs.

use super::Api;
use crate::arn::FunctionRef;
use crate::clock::now_last_modified;
use crate::errors;
use crate::pagination;
use crate::state::capacity_providers::{provider_of, MAX_CAPACITY_PROVIDERS};
use crate::state::State;
use lambda_server::error::ServiceError;
use lambda_server::model as m;

/// The provider name in a `CapacityProviderName` (a name or a capacity provider ARN).
fn provider_name(given: &str) -> Result<String, ServiceError> {
    let name = match given.split_once(":capacity-provider:") {
        Some((_, n)) => n,
        None => given,
    };
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return Err(errors::invalid_parameter(format!(
            "Invalid capacity provider name: {given}"
        )));
    }
    Ok(name.to_string())
}

fn not_found(name: &str) -> ServiceError {
    errors::not_found(format!("Capacity provider not found: {name}"))
}

fn limit_exceeded() -> ServiceError {
    ServiceError::CapacityProviderLimitExceededException(m::CapacityProviderLimitExceededException {
        r#type: Some("User".into()),
        message: Some(format!(
            "The maximum number of capacity providers for your account has been exceeded ({MAX_CAPACITY_PROVIDERS})."
        )),
    })
}

fn check_scaling(c: Option<&m::CapacityProviderScalingConfig>) -> Result<(), ServiceError> {
    let Some(c) = c else { return Ok(()) };
    let manual = matches!(c.scaling_mode, Some(m::CapacityProviderScalingMode::Manual));
    let policies = c.scaling_policies.as_deref().unwrap_or(&[]);
    if manual && policies.is_empty() {
        return Err(errors::invalid_parameter(
            "ScalingPolicies must be provided when ScalingMode is Manual.",
        ));
    }
    if !manual && !policies.is_empty() {
        return Err(errors::invalid_parameter(
            "ScalingPolicies can only be provided when ScalingMode is Manual.",
        ));
    }
    for p in policies {
        if !(p.target_value > 0.0 && p.target_value <= 100.0) {
            return Err(errors::invalid_parameter(format!(
                "TargetValue must be greater than 0 and less than or equal to 100, found {}",
                p.target_value
            )));
        }
    }
    Ok(())
}

fn check_instance_requirements(r: Option<&m::InstanceRequirements>) -> Result<(), ServiceError> {
    let Some(r) = r else { return Ok(()) };
    let allowed = r.allowed_instance_types.as_deref().unwrap_or(&[]);
    let excluded = r.excluded_instance_types.as_deref().unwrap_or(&[]);
    if !allowed.is_empty() && !excluded.is_empty() {
        return Err(errors::invalid_parameter(
            "AllowedInstanceTypes and ExcludedInstanceTypes cannot both be specified.",
        ));
    }
    Ok(())
}

/// Function versions (qualified ARN, state) whose configuration names provider `arn`.
fn versions_on(s: &State, arn: &str, scope: &crate::arn::Scope) -> Vec<m::FunctionVersionsByCapacityProviderListItem> {
    let mut out = Vec::new();
    for (name, f) in &s.functions.by_name {
        for v in std::iter::once(&f.latest).chain(f.versions.values()) {
            if provider_of(&v.config) == Some(arn) {
                out.push(m::FunctionVersionsByCapacityProviderListItem {
                    function_arn: scope.qualified_arn(name, v.config.version.as_deref().unwrap_or("$LATEST")),
                    state: v.config.state.clone().unwrap_or(m::State::Active),
                });
            }
        }
    }
    out
}

pub async fn create_capacity_provider(
    api: &Api,
    input: m::CreateCapacityProviderRequest,
) -> Result<m::CreateCapacityProviderResponse, ServiceError> {
    let name = provider_name(&input.capacity_provider_name)?;
    super::tags::check_new_tags(input.tags.as_ref())?;
    if input.vpc_config.subnet_ids.is_empty() {
        return Err(errors::invalid_parameter(
            "VpcConfig.SubnetIds must contain at least one subnet.",
        ));
    }
    check_scaling(input.capacity_provider_scaling_config.as_ref())?;
    check_instance_requirements(input.instance_requirements.as_ref())?;
    let arn = api.scope().capacity_provider_arn(&name);
    let provider = m::CapacityProvider {
        capacity_provider_arn: arn.clone(),
        capacity_provider_scaling_config: Some(input.capacity_provider_scaling_config.unwrap_or(
            m::CapacityProviderScalingConfig {
                max_v_cpu_count: None,
                scaling_mode: Some(m::CapacityProviderScalingMode::Auto),
                scaling_policies: None,
            },
        )),
        instance_requirements: input.instance_requirements,
        kms_key_arn: input.kms_key_arn,
        last_modified: Some(now_last_modified()),
        permissions_config: input.permissions_config,
        propagate_tags: input.propagate_tags,
        state: m::CapacityProviderState::Pending,
        vpc_config: input.vpc_config,
    };
    let tags = input.tags.unwrap_or_default();
    let stored = provider.clone();
    let n = name.clone();
    api.state_try(move |s| {
        if s.capacity_providers.by_name.contains_key(&n) {
            return Err(errors::conflict(format!("Capacity provider already exists: {n}")));
        }
        if s.capacity_providers.by_name.len() >= MAX_CAPACITY_PROVIDERS {
            return Err(limit_exceeded());
        }
        if !tags.is_empty() {
            s.tags.set(&arn, tags);
        }
        s.capacity_providers.by_name.insert(n, stored);
        Ok(())
    })
    .await?;
    // The provider becomes Active shortly after, as its creation "finishes".
    api.state
        .settle_later(api.namespace(), move |s| s.capacity_providers.activate(&name));
    Ok(m::CreateCapacityProviderResponse {
        capacity_provider: provider,
    })
}

pub async fn get_capacity_provider(
    api: &Api,
    input: m::GetCapacityProviderRequest,
) -> Result<m::GetCapacityProviderResponse, ServiceError> {
    let name = provider_name(&input.capacity_provider_name)?;
    let n = name.clone();
    let p = api
        .state(move |s| s.capacity_providers.by_name.get(&n).cloned())
        .await?
        .ok_or_else(|| not_found(&name))?;
    Ok(m::GetCapacityProviderResponse { capacity_provider: p })
}

pub async fn update_capacity_provider(
    api: &Api,
    input: m::UpdateCapacityProviderRequest,
) -> Result<m::UpdateCapacityProviderResponse, ServiceError> {
    let name = provider_name(&input.capacity_provider_name)?;
    check_scaling(input.capacity_provider_scaling_config.as_ref())?;
    let p = api
        .state_try(move |s| {
            let p = s
                .capacity_providers
                .by_name
                .get_mut(&name)
                .ok_or_else(|| not_found(&name))?;
            if p.state == m::CapacityProviderState::Deleting {
                return Err(errors::conflict(format!(
                    "Capacity provider {name} is being deleted and cannot be updated."
                )));
            }
            if let Some(c) = input.capacity_provider_scaling_config {
                p.capacity_provider_scaling_config = Some(c);
            }
            if let Some(t) = input.propagate_tags {
                p.propagate_tags = Some(t);
            }
            p.last_modified = Some(now_last_modified());
            Ok(p.clone())
        })
        .await?;
    Ok(m::UpdateCapacityProviderResponse { capacity_provider: p })
}

pub async fn delete_capacity_provider(
    api: &Api,
    input: m::DeleteCapacityProviderRequest,
) -> Result<m::DeleteCapacityProviderResponse, ServiceError> {
    let name = provider_name(&input.capacity_provider_name)?;
    let scope = api.scope();
    let n = name.clone();
    let p = api
        .state_try(move |s| {
            let arn = s.capacity_providers.by_name.get(&n).ok_or_else(|| not_found(&n))?.capacity_provider_arn.clone();
            let users = versions_on(s, &arn, &scope);
            if !users.is_empty() {
                let arns: Vec<&str> = users.iter().map(|u| u.function_arn.as_str()).collect();
                return Err(errors::conflict(format!(
                    "Capacity provider {n} cannot be deleted because it is used by the following function versions: [{}]",
                    arns.join(", ")
                )));
            }
            let p = s.capacity_providers.by_name.get_mut(&n).ok_or_else(|| not_found(&n))?;
            p.state = m::CapacityProviderState::Deleting;
            Ok(p.clone())
        })
        .await?;
    // The provider is gone once its deletion "finishes".
    api.state.settle_later(api.namespace(), move |s| {
        if let Some(arn) = s.capacity_providers.finish_delete(&name) {
            s.tags.forget(&arn);
        }
    });
    Ok(m::DeleteCapacityProviderResponse { capacity_provider: p })
}

pub async fn list_capacity_providers(
    api: &Api,
    input: m::ListCapacityProvidersRequest,
) -> Result<m::ListCapacityProvidersResponse, ServiceError> {
    let want = input.state;
    let all: Vec<(String, m::CapacityProvider)> = api
        .state(move |s| {
            s.capacity_providers
                .by_name
                .iter()
                .filter(|(_, p)| want.as_ref().is_none_or(|w| &p.state == w))
                .map(|(n, p)| (n.clone(), p.clone()))
                .collect()
        })
        .await?;
    let (page, next) = pagination::page(all, |(n, _)| n.clone(), input.marker.as_deref(), input.max_items, 50)?;
    Ok(m::ListCapacityProvidersResponse {
        capacity_providers: page.into_iter().map(|(_, p)| p).collect(),
        next_marker: next,
    })
}

pub async fn list_function_versions_by_capacity_provider(
    api: &Api,
    input: m::ListFunctionVersionsByCapacityProviderRequest,
) -> Result<m::ListFunctionVersionsByCapacityProviderResponse, ServiceError> {
    let name = provider_name(&input.capacity_provider_name)?;
    let scope = api.scope();
    let n = name.clone();
    let (arn, items) = api
        .state(move |s| {
            let arn = s.capacity_providers.by_name.get(&n)?.capacity_provider_arn.clone();
            let items = versions_on(s, &arn, &scope);
            Some((arn, items))
        })
        .await?
        .ok_or_else(|| not_found(&name))?;
    // Sorted by function ARN, then version number (so 10 follows 9).
    let key = |i: &m::FunctionVersionsByCapacityProviderListItem| {
        let (f, v) = i.function_arn.rsplit_once(':').unwrap_or((&i.function_arn, ""));
        format!("{f}:{v:0>20}")
    };
    let mut items = items;
    items.sort_by_key(key);
    let (page, next) = pagination::page(items, key, input.marker.as_deref(), input.max_items, 50)?;
    Ok(m::ListFunctionVersionsByCapacityProviderResponse {
        capacity_provider_arn: arn,
        function_versions: page,
        next_marker: next,
    })
}

/// The version a scaling-config request names (`$LATEST.PUBLISHED` or a number): the function
/// name and the version's configuration.
async fn published_version(
    api: &Api,
    function_name: &str,
    qualifier: &str,
) -> Result<(String, m::FunctionConfiguration), ServiceError> {
    let scope = api.scope();
    let f = FunctionRef::parse(function_name, Some(qualifier), &scope)?;
    let q = f.qualifier.clone().unwrap_or_default();
    let arn = scope.qualified_arn(&f.name, &q);
    let name = f.name.clone();
    let config = api
        .state(move |s| {
            let func = s.functions.get(&name)?;
            let v = if q == "$LATEST.PUBLISHED" {
                func.versions.values().next_back()
            } else {
                func.versions.get(&q.parse().ok()?)
            };
            v.map(|v| v.config.clone())
        })
        .await?
        .ok_or_else(|| errors::not_found(format!("Function not found: {arn}")))?;
    if provider_of(&config).is_none() {
        return Err(errors::invalid_parameter(format!(
            "Function scaling configuration is only supported for functions with a capacity provider configuration: {arn}"
        )));
    }
    Ok((f.name, config))
}

pub async fn get_function_scaling_config(
    api: &Api,
    input: m::GetFunctionScalingConfigRequest,
) -> Result<m::GetFunctionScalingConfigResponse, ServiceError> {
    let (name, _) = published_version(api, &input.function_name, &input.qualifier).await?;
    let key = (name.clone(), input.qualifier.clone());
    let c = api
        .state(move |s| s.capacity_providers.scaling.get(&key).cloned())
        .await?;
    Ok(m::GetFunctionScalingConfigResponse {
        applied_function_scaling_config: c.clone(),
        function_arn: Some(api.scope().qualified_arn(&name, &input.qualifier)),
        requested_function_scaling_config: c,
    })
}

pub async fn put_function_scaling_config(
    api: &Api,
    input: m::PutFunctionScalingConfigRequest,
) -> Result<m::PutFunctionScalingConfigResponse, ServiceError> {
    let (name, config) = published_version(api, &input.function_name, &input.qualifier).await?;
    let c = input.function_scaling_config.unwrap_or_default();
    if let (Some(min), Some(max)) = (c.min_execution_environments, c.max_execution_environments) {
        if min > max {
            return Err(errors::invalid_parameter(format!(
                "MinExecutionEnvironments ({min}) must be less than or equal to MaxExecutionEnvironments ({max})."
            )));
        }
    }
    let key = (name, input.qualifier);
    api.state(move |s| {
        s.capacity_providers.scaling.insert(key, c);
    })
    .await?;
    Ok(m::PutFunctionScalingConfigResponse {
        function_state: Some(config.state.unwrap_or(m::State::Active)),
    })
}
