//! Aliases: named pointers to a version, with weighted routing to a second one.

use super::Api;
use crate::arn::{FunctionRef, Scope};
use crate::errors;
use crate::state::functions::{new_revision_id, Function};
use lambda_server::error::ServiceError;
use lambda_server::model as m;

const PRECONDITION: &str =
    "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id";

/// The function an alias operation names (its qualifier, if any, plays no part).
fn function_ref(api: &Api, function_name: &str) -> Result<(FunctionRef, Scope), ServiceError> {
    let scope = api.scope();
    let f = FunctionRef::parse(function_name, None, &scope)?;
    Ok((f, scope))
}

fn function_not_found(scope: &Scope, name: &str, qualifier: Option<&str>) -> ServiceError {
    errors::not_found(format!("Function not found: {}", scope.arn(name, qualifier)))
}

fn alias_not_found(scope: &Scope, name: &str, alias: &str) -> ServiceError {
    errors::not_found(format!("Cannot find alias arn: {}", scope.qualified_arn(name, alias)))
}

/// A version a request names exists on the function (`$LATEST` always does).
fn version_exists(f: &Function, version: &str) -> bool {
    version == "$LATEST" || version.parse::<u64>().ok().is_some_and(|n| f.versions.contains_key(&n))
}

/// Checks a routing configuration against the primary version and returns what the alias keeps
/// (`None` when there is no additional version).
fn check_routing(
    f: &Function,
    scope: &Scope,
    name: &str,
    primary: &str,
    routing: Option<m::AliasRoutingConfiguration>,
) -> Result<Option<m::AliasRoutingConfiguration>, ServiceError> {
    let Some(weights) = routing
        .and_then(|r| r.additional_version_weights)
        .filter(|w| !w.is_empty())
    else {
        return Ok(None);
    };
    if weights.len() > 1 {
        return Err(errors::invalid_parameter(
            "Number of items in AdditionalVersionWeights cannot be greater than 1",
        ));
    }
    for (version, weight) in &weights {
        if !(0.0..=1.0).contains(weight) || weight.is_nan() {
            return Err(errors::invalid_parameter(format!(
                "1 validation error detected: Value '{{{version}={weight}}}' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map value must satisfy constraint: [Member must have value less than or equal to 1.0, Member must have value greater than or equal to 0.0, Member must not be null]"
            )));
        }
        if version == primary {
            return Err(errors::invalid_parameter(format!(
                "Invalid function version {primary}. Function version {primary} is already included in routing configuration."
            )));
        }
        if primary == "$LATEST" {
            return Err(errors::invalid_parameter_untyped(
                "$LATEST is not supported for an alias pointing to more than 1 version",
            ));
        }
        if !version_exists(f, version) || version == "$LATEST" {
            return Err(function_not_found(scope, name, Some(version)));
        }
    }
    Ok(Some(m::AliasRoutingConfiguration {
        additional_version_weights: Some(weights),
    }))
}

pub async fn create_alias(api: &Api, input: m::CreateAliasRequest) -> Result<m::AliasConfiguration, ServiceError> {
    let (f, scope) = function_ref(api, &input.function_name)?;
    api.state_try(move |s| {
        let func = s
            .functions
            .get_mut(&f.name)
            .ok_or_else(|| function_not_found(&scope, &f.name, None))?;
        if !version_exists(func, &input.function_version) {
            return Err(function_not_found(&scope, &f.name, Some(&input.function_version)));
        }
        let alias_arn = scope.qualified_arn(&f.name, &input.name);
        if func.aliases.contains_key(&input.name) {
            return Err(errors::conflict(format!("Alias already exists: {alias_arn}")));
        }
        let routing = check_routing(func, &scope, &f.name, &input.function_version, input.routing_config)?;
        let alias = m::AliasConfiguration {
            alias_arn: Some(alias_arn),
            description: Some(input.description.unwrap_or_default()),
            function_version: Some(input.function_version),
            name: Some(input.name.clone()),
            revision_id: Some(new_revision_id()),
            routing_config: routing,
        };
        func.aliases.insert(input.name, alias.clone());
        Ok(alias)
    })
    .await
}

pub async fn delete_alias(api: &Api, input: m::DeleteAliasRequest) -> Result<(), ServiceError> {
    let (f, scope) = function_ref(api, &input.function_name)?;
    api.state_try(move |s| {
        let func = s
            .functions
            .get_mut(&f.name)
            .ok_or_else(|| function_not_found(&scope, &f.name, None))?;
        // Deleting an alias that does not exist succeeds (204), as on AWS.
        if func.aliases.remove(&input.name).is_none() {
            return Ok(());
        }
        let arn = scope.function_arn(&f.name);
        s.forget_function(&arn, &f.name, Some(&input.name));
        Ok(())
    })
    .await
}

pub async fn get_alias(api: &Api, input: m::GetAliasRequest) -> Result<m::AliasConfiguration, ServiceError> {
    let (f, scope) = function_ref(api, &input.function_name)?;
    api.state_try(move |s| {
        let func = s
            .functions
            .get(&f.name)
            .ok_or_else(|| function_not_found(&scope, &f.name, None))?;
        func.aliases
            .get(&input.name)
            .cloned()
            .ok_or_else(|| alias_not_found(&scope, &f.name, &input.name))
    })
    .await
}

pub async fn list_aliases(api: &Api, input: m::ListAliasesRequest) -> Result<m::ListAliasesResponse, ServiceError> {
    let (f, scope) = function_ref(api, &input.function_name)?;
    let version = input.function_version.clone();
    let aliases = api
        .state_try(move |s| {
            let func = s
                .functions
                .get(&f.name)
                .ok_or_else(|| function_not_found(&scope, &f.name, None))?;
            Ok(func
                .aliases
                .values()
                .filter(|a| {
                    version
                        .as_deref()
                        .is_none_or(|v| a.function_version.as_deref() == Some(v))
                })
                .cloned()
                .collect())
        })
        .await?;
    let key = |a: &m::AliasConfiguration| a.name.clone().unwrap_or_default();
    let (page, next) = crate::pagination::page(aliases, key, input.marker.as_deref(), input.max_items, 50)?;
    Ok(m::ListAliasesResponse {
        aliases: Some(page),
        next_marker: next,
    })
}

pub async fn update_alias(api: &Api, input: m::UpdateAliasRequest) -> Result<m::AliasConfiguration, ServiceError> {
    let (f, scope) = function_ref(api, &input.function_name)?;
    api.state_try(move |s| {
        let func = s
            .functions
            .get_mut(&f.name)
            .ok_or_else(|| function_not_found(&scope, &f.name, None))?;
        let current = func
            .aliases
            .get(&input.name)
            .cloned()
            .ok_or_else(|| alias_not_found(&scope, &f.name, &input.name))?;
        if let Some(r) = &input.revision_id {
            if current.revision_id.as_deref() != Some(r.as_str()) {
                return Err(errors::precondition_failed(PRECONDITION));
            }
        }
        let mut next = current.clone();
        if let Some(v) = input.function_version {
            if !version_exists(func, &v) {
                return Err(function_not_found(&scope, &f.name, Some(&v)));
            }
            // A new primary version resets the routing unless the request gives one.
            if current.function_version.as_deref() != Some(v.as_str()) && input.routing_config.is_none() {
                next.routing_config = None;
            }
            next.function_version = Some(v);
        }
        let primary = next.function_version.clone().unwrap_or_default();
        if let Some(routing) = input.routing_config {
            next.routing_config = check_routing(func, &scope, &f.name, &primary, Some(routing))?;
        } else if next.routing_config.is_some() && primary == "$LATEST" {
            return Err(errors::invalid_parameter_untyped(
                "$LATEST is not supported for an alias pointing to more than 1 version",
            ));
        }
        if let Some(d) = input.description {
            next.description = Some(d);
        }
        next.revision_id = Some(new_revision_id());
        func.aliases.insert(input.name, next.clone());
        Ok(next)
    })
    .await
}
