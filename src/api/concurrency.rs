//! Reserved and provisioned concurrency, with the account's unreserved-minimum rule.

use super::Api;
use crate::arn::{FunctionRef, Scope};
use crate::clock::now_last_modified;
use crate::errors;
use crate::state::concurrency::{Provisioned, MIN_UNRESERVED};
use crate::state::functions::Function;
use crate::state::State;
use lambda_server::error::ServiceError;
use lambda_server::model as m;

const UNRESERVED_MINIMUM: &str =
    "Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [100].";

fn function_not_found(scope: &Scope, name: &str, qualifier: Option<&str>) -> ServiceError {
    errors::not_found(format!("Function not found: {}", scope.arn(name, qualifier)))
}

/// The unqualified function a reserved-concurrency request names.
fn unqualified(api: &Api, function_name: &str) -> Result<(String, Scope), ServiceError> {
    let scope = api.scope();
    let f = FunctionRef::parse(function_name, None, &scope)?;
    if let Some(q) = f.qualifier {
        return Err(errors::invalid_parameter(format!(
            "Reserved concurrency applies to a whole function: remove the qualifier '{q}' from the function name."
        )));
    }
    Ok((f.name, scope))
}

fn existing<'a>(s: &'a State, scope: &Scope, name: &str) -> Result<&'a Function, ServiceError> {
    s.functions
        .get(name)
        .ok_or_else(|| function_not_found(scope, name, None))
}

pub async fn put_function_concurrency(
    api: &Api,
    input: m::PutFunctionConcurrencyRequest,
) -> Result<m::Concurrency, ServiceError> {
    let (name, scope) = unqualified(api, &input.function_name)?;
    let wanted = input.reserved_concurrent_executions;
    if wanted < 0 {
        return Err(errors::invalid_parameter(format!(
            "1 validation error detected: Value '{wanted}' at 'reservedConcurrentExecutions' failed to satisfy constraint: Member must have value greater than or equal to 0"
        )));
    }
    api.state_try(move |s| {
        existing(s, &scope, &name)?;
        let others = s.concurrency.reserved_by_others(&name);
        if crate::state::concurrency::ACCOUNT_CONCURRENCY - others - wanted < MIN_UNRESERVED {
            return Err(errors::invalid_parameter_untyped(UNRESERVED_MINIMUM));
        }
        s.concurrency.reserved.insert(name, wanted);
        Ok(m::Concurrency {
            reserved_concurrent_executions: Some(wanted),
        })
    })
    .await
}

pub async fn get_function_concurrency(
    api: &Api,
    input: m::GetFunctionConcurrencyRequest,
) -> Result<m::GetFunctionConcurrencyResponse, ServiceError> {
    let (name, scope) = unqualified(api, &input.function_name)?;
    api.state_try(move |s| {
        existing(s, &scope, &name)?;
        Ok(m::GetFunctionConcurrencyResponse {
            reserved_concurrent_executions: s.concurrency.reserved(&name),
        })
    })
    .await
}

pub async fn delete_function_concurrency(
    api: &Api,
    input: m::DeleteFunctionConcurrencyRequest,
) -> Result<(), ServiceError> {
    let (name, scope) = unqualified(api, &input.function_name)?;
    api.state_try(move |s| {
        existing(s, &scope, &name)?;
        s.concurrency.reserved.remove(&name);
        Ok(())
    })
    .await
}

/// The function and qualifier (a version or an alias, never `$LATEST`) of a provisioned
/// concurrency request. `latest_message` is what AWS answers for `$LATEST` in this operation.
fn provisioned_ref(
    api: &Api,
    function_name: &str,
    qualifier: &str,
    latest_message: &str,
) -> Result<(FunctionRef, String, Scope), ServiceError> {
    let scope = api.scope();
    let f = FunctionRef::parse(function_name, Some(qualifier), &scope)?;
    let q = f.qualifier.clone().unwrap_or_default();
    if q == "$LATEST" {
        return Err(errors::invalid_parameter(latest_message));
    }
    Ok((f, q, scope))
}

/// Checks that the qualifier exists on the function; answers the version it stands for. A missing
/// function is answered as AWS does for provisioned concurrency: as a missing alias.
fn resolve_qualifier(s: &State, scope: &Scope, name: &str, q: &str) -> Result<String, ServiceError> {
    let func = s
        .functions
        .get(name)
        .ok_or_else(|| errors::not_found(format!("Cannot find alias arn: {}", scope.qualified_arn(name, q))))?;
    if q.chars().all(|c| c.is_ascii_digit()) {
        let exists = q.parse::<u64>().ok().is_some_and(|n| func.versions.contains_key(&n));
        if !exists {
            return Err(function_not_found(scope, name, Some(q)));
        }
        return Ok(q.to_string());
    }
    let alias = func
        .aliases
        .get(q)
        .ok_or_else(|| errors::not_found(format!("Cannot find alias arn: {}", scope.qualified_arn(name, q))))?;
    Ok(alias.function_version.clone().unwrap_or_default())
}

fn put_response(p: &Provisioned) -> m::PutProvisionedConcurrencyConfigResponse {
    m::PutProvisionedConcurrencyConfigResponse {
        allocated_provisioned_concurrent_executions: Some(p.allocated),
        available_provisioned_concurrent_executions: Some(p.available),
        last_modified: Some(p.last_modified.clone()),
        requested_provisioned_concurrent_executions: Some(p.requested),
        status: Some(p.status.clone()),
        status_reason: p.status_reason.clone(),
    }
}

pub async fn put_provisioned_concurrency_config(
    api: &Api,
    input: m::PutProvisionedConcurrencyConfigRequest,
) -> Result<m::PutProvisionedConcurrencyConfigResponse, ServiceError> {
    const UNPUBLISHED: &str = "Provisioned Concurrency Configs cannot be applied to unpublished function versions.";
    let (f, q, scope) = provisioned_ref(api, &input.function_name, &input.qualifier, UNPUBLISHED)?;
    let requested = input.provisioned_concurrent_executions;
    if requested < 1 {
        return Err(errors::invalid_parameter(format!(
            "1 validation error detected: Value '{requested}' at 'provisionedConcurrentExecutions' failed to satisfy constraint: Member must have value greater than or equal to 1"
        )));
    }
    let name = f.name.clone();
    let qualifier = q.clone();
    let out = api
        .state_try(move |s| {
            let version = resolve_qualifier(s, &scope, &name, &q)?;
            if version == "$LATEST" {
                return Err(errors::invalid_parameter(UNPUBLISHED));
            }
            let func = existing(s, &scope, &name)?;
            let is_alias = !q.chars().all(|c| c.is_ascii_digit());
            if is_alias && s.concurrency.provisioned(&name, &version).is_some() {
                return Err(errors::conflict(
                    "Alias can't be used for Provisioned Concurrency configuration on an already Provisioned version",
                ));
            }
            if !is_alias {
                let pointed = func.aliases.values().any(|a| {
                    a.function_version.as_deref() == Some(q.as_str())
                        && a.name.as_deref().is_some_and(|n| s.concurrency.provisioned(&name, n).is_some())
                });
                if pointed {
                    return Err(errors::conflict("Version is pointed by a Provisioned Concurrency alias"));
                }
            }
            let others: i32 = s.concurrency.provisioned_of(&name).filter(|(other, _)| *other != q).map(|(_, p)| p.requested).sum();
            match s.concurrency.reserved(&name) {
                Some(reserved) if reserved < others + requested => {
                    return Err(errors::invalid_parameter(
                        "Requested Provisioned Concurrency should not be greater than the reservedConcurrentExecution for function",
                    ))
                }
                Some(_) => {}
                None => {
                    if s.concurrency.unreserved() - requested < MIN_UNRESERVED {
                        return Err(errors::invalid_parameter_untyped(format!(
                            "Specified ConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [{MIN_UNRESERVED}]."
                        )));
                    }
                }
            }
            let p = Provisioned {
                requested,
                available: 0,
                allocated: 0,
                status: m::ProvisionedConcurrencyStatusEnum::InProgress,
                status_reason: None,
                last_modified: now_last_modified(),
            };
            let out = put_response(&p);
            s.concurrency.provisioned.insert((name, q), p);
            Ok(out)
        })
        .await?;
    // The environments are "allocated" shortly after.
    let name = f.name;
    api.state.settle_later(api.namespace(), move |s| {
        s.concurrency.finish_provisioning(&name, &qualifier)
    });
    Ok(out)
}

pub async fn get_provisioned_concurrency_config(
    api: &Api,
    input: m::GetProvisionedConcurrencyConfigRequest,
) -> Result<m::GetProvisionedConcurrencyConfigResponse, ServiceError> {
    const NOT_ALIAS_OR_VERSION: &str = "The function resource provided must be an alias or a published version.";
    let (f, q, scope) = provisioned_ref(api, &input.function_name, &input.qualifier, NOT_ALIAS_OR_VERSION)?;
    api.state_try(
        move |s| -> Result<m::GetProvisionedConcurrencyConfigResponse, ServiceError> {
            resolve_qualifier(s, &scope, &f.name, &q)?;
            let p = s.concurrency.provisioned(&f.name, &q).ok_or_else(|| {
                errors::provisioned_concurrency_not_found("No Provisioned Concurrency Config found for this function")
            })?;
            Ok(m::GetProvisionedConcurrencyConfigResponse {
                allocated_provisioned_concurrent_executions: Some(p.allocated),
                available_provisioned_concurrent_executions: Some(p.available),
                last_modified: Some(p.last_modified.clone()),
                requested_provisioned_concurrent_executions: Some(p.requested),
                status: Some(p.status.clone()),
                status_reason: p.status_reason.clone(),
            })
        },
    )
    .await
}

pub async fn delete_provisioned_concurrency_config(
    api: &Api,
    input: m::DeleteProvisionedConcurrencyConfigRequest,
) -> Result<(), ServiceError> {
    const NOT_ALIAS_OR_VERSION: &str = "The function resource provided must be an alias or a published version.";
    let (f, q, scope) = provisioned_ref(api, &input.function_name, &input.qualifier, NOT_ALIAS_OR_VERSION)?;
    api.state_try(move |s| {
        resolve_qualifier(s, &scope, &f.name, &q)?;
        // Deleting a config that is not there succeeds, as on AWS.
        s.concurrency.provisioned.remove(&(f.name, q));
        Ok(())
    })
    .await
}

pub async fn list_provisioned_concurrency_configs(
    api: &Api,
    input: m::ListProvisionedConcurrencyConfigsRequest,
) -> Result<m::ListProvisionedConcurrencyConfigsResponse, ServiceError> {
    let (name, scope) = {
        let scope = api.scope();
        let f = FunctionRef::parse(&input.function_name, None, &scope)?;
        (f.name, scope)
    };
    let items = api
        .state_try(
            move |s| -> Result<Vec<(String, m::ProvisionedConcurrencyConfigListItem)>, ServiceError> {
                existing(s, &scope, &name)?;
                Ok(s.concurrency
                    .provisioned_of(&name)
                    .map(|(q, p)| {
                        let item = m::ProvisionedConcurrencyConfigListItem {
                            allocated_provisioned_concurrent_executions: Some(p.allocated),
                            available_provisioned_concurrent_executions: Some(p.available),
                            function_arn: Some(scope.qualified_arn(&name, q)),
                            last_modified: Some(p.last_modified.clone()),
                            requested_provisioned_concurrent_executions: Some(p.requested),
                            status: Some(p.status.clone()),
                            status_reason: p.status_reason.clone(),
                        };
                        (q.to_string(), item)
                    })
                    .collect())
            },
        )
        .await?;
    let (page, next) =
        crate::pagination::page(items, |(q, _)| q.clone(), input.marker.as_deref(), input.max_items, 50)?;
    Ok(m::ListProvisionedConcurrencyConfigsResponse {
        next_marker: next,
        provisioned_concurrency_configs: Some(page.into_iter().map(|(_, i)| i).collect()),
    })
}
