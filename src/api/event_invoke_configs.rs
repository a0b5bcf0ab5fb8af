//! Event invoke configs: retries, maximum age and destinations of async invokes (Put replaces, Update merges).

use super::Api;
use crate::arn::{FunctionRef, Scope};
use crate::errors;
use crate::state::State;
use lambda_server::error::ServiceError;
use lambda_server::model as m;

/// Function name and qualifier (`$LATEST` when none) of a request.
fn target(api: &Api, function_name: &str, qualifier: Option<&str>) -> Result<(String, String, Scope), ServiceError> {
    let scope = api.scope();
    let f = FunctionRef::parse(function_name, qualifier, &scope)?;
    Ok((f.name, f.qualifier.unwrap_or_else(|| "$LATEST".to_string()), scope))
}

fn missing_config(scope: &Scope, name: &str, q: &str) -> ServiceError {
    errors::not_found(format!(
        "The function {} doesn't have an EventInvokeConfig",
        scope.qualified_arn(name, q)
    ))
}

/// The function and qualifier exist (`$LATEST`, a published version or an alias).
fn check_exists(s: &State, name: &str, q: &str) -> Result<(), ServiceError> {
    let func = s
        .functions
        .get(name)
        .ok_or_else(|| errors::not_found("The function doesn't exist."))?;
    let exists = match q {
        "$LATEST" => true,
        v if v.chars().all(|c| c.is_ascii_digit()) => {
            v.parse::<u64>().ok().is_some_and(|n| func.versions.contains_key(&n))
        }
        alias => func.aliases.contains_key(alias),
    };
    if exists {
        Ok(())
    } else {
        Err(errors::not_found("The function doesn't exist."))
    }
}

fn destination(d: &Option<m::OnSuccess>) -> Option<&str> {
    d.as_ref()
        .and_then(|d| d.destination.as_deref())
        .filter(|d| !d.is_empty())
}

fn failure_destination(d: &Option<m::OnFailure>) -> Option<&str> {
    d.as_ref()
        .and_then(|d| d.destination.as_deref())
        .filter(|d| !d.is_empty())
}

/// Validates the destinations of a config: SQS, SNS, Lambda and EventBridge for both, S3 for
/// failures only; a Lambda destination must exist and not be the function itself.
fn check_destinations(s: &State, scope: &Scope, name: &str, config: &m::DestinationConfig) -> Result<(), ServiceError> {
    let success = destination(&config.on_success);
    let failure = failure_destination(&config.on_failure);
    let invalid = || {
        let part = |kind: &str, d: Option<&str>| {
            d.map(|d| format!("{kind}(destination={d})"))
                .unwrap_or_else(|| "null".into())
        };
        errors::invalid_parameter(format!(
            "The provided destination config DestinationConfig(onSuccess={}, onFailure={}) is invalid.",
            part("OnSuccess", success),
            part("OnFailure", failure)
        ))
    };
    for (arn, on_failure) in [(success, false), (failure, true)] {
        let Some(arn) = arn else { continue };
        let parts: Vec<&str> = arn.split(':').collect();
        if parts.len() < 6 || parts[0] != "arn" {
            return Err(invalid());
        }
        match parts[2] {
            "sqs" | "sns" | "events" => {}
            "s3" if on_failure => {}
            "lambda" => {
                let target = FunctionRef::parse(arn, None, scope)
                    .map_err(|_| errors::invalid_parameter(format!("The destination ARN {arn} is invalid.")))?;
                if target.name == name {
                    return Err(errors::invalid_parameter(
                        "You can't specify the function as a destination for itself.",
                    ));
                }
                if s.functions.get(&target.name).is_none() {
                    return Err(errors::invalid_parameter(format!(
                        "The destination ARN {arn} is invalid."
                    )));
                }
            }
            _ => return Err(invalid()),
        }
    }
    Ok(())
}

/// Both destinations, present even when empty, as Lambda answers them.
fn normalized(config: Option<m::DestinationConfig>) -> m::DestinationConfig {
    let c = config.unwrap_or_default();
    m::DestinationConfig {
        on_success: Some(c.on_success.unwrap_or_default()),
        on_failure: Some(c.on_failure.unwrap_or_default()),
    }
}

pub async fn put_function_event_invoke_config(
    api: &Api,
    input: m::PutFunctionEventInvokeConfigRequest,
) -> Result<m::FunctionEventInvokeConfig, ServiceError> {
    let (name, q, scope) = target(api, &input.function_name, input.qualifier.as_deref())?;
    if input.maximum_event_age_in_seconds.is_none()
        && input.maximum_retry_attempts.is_none()
        && input.destination_config.is_none()
    {
        return Err(errors::invalid_parameter(
            "You must specify at least one of error handling or destination setting.",
        ));
    }
    api.state_try(move |s| {
        check_exists(s, &name, &q)?;
        let destinations = normalized(input.destination_config);
        check_destinations(s, &scope, &name, &destinations)?;
        let config = m::FunctionEventInvokeConfig {
            destination_config: Some(destinations),
            function_arn: Some(scope.qualified_arn(&name, &q)),
            last_modified: Some(crate::clock::now_timestamp()),
            maximum_event_age_in_seconds: input.maximum_event_age_in_seconds,
            maximum_retry_attempts: input.maximum_retry_attempts,
        };
        s.event_invoke_configs.by_key.insert((name, q), config.clone());
        Ok(config)
    })
    .await
}

pub async fn update_function_event_invoke_config(
    api: &Api,
    input: m::UpdateFunctionEventInvokeConfigRequest,
) -> Result<m::FunctionEventInvokeConfig, ServiceError> {
    let (name, q, scope) = target(api, &input.function_name, input.qualifier.as_deref())?;
    api.state_try(move |s| {
        check_exists(s, &name, &q)?;
        let mut config = s
            .event_invoke_configs
            .get(&name, &q)
            .cloned()
            .ok_or_else(|| missing_config(&scope, &name, &q))?;
        if let Some(d) = input.destination_config {
            let mut merged = normalized(config.destination_config.take());
            if d.on_success.is_some() {
                merged.on_success = d.on_success;
            }
            if d.on_failure.is_some() {
                merged.on_failure = d.on_failure;
            }
            let merged = normalized(Some(merged));
            check_destinations(s, &scope, &name, &merged)?;
            config.destination_config = Some(merged);
        }
        if let Some(v) = input.maximum_event_age_in_seconds {
            config.maximum_event_age_in_seconds = Some(v);
        }
        if let Some(v) = input.maximum_retry_attempts {
            config.maximum_retry_attempts = Some(v);
        }
        config.last_modified = Some(crate::clock::now_timestamp());
        s.event_invoke_configs.by_key.insert((name, q), config.clone());
        Ok(config)
    })
    .await
}

pub async fn get_function_event_invoke_config(
    api: &Api,
    input: m::GetFunctionEventInvokeConfigRequest,
) -> Result<m::FunctionEventInvokeConfig, ServiceError> {
    let (name, q, scope) = target(api, &input.function_name, input.qualifier.as_deref())?;
    api.state(move |s| {
        s.event_invoke_configs
            .get(&name, &q)
            .cloned()
            .ok_or_else(|| missing_config(&scope, &name, &q))
    })
    .await?
}

pub async fn delete_function_event_invoke_config(
    api: &Api,
    input: m::DeleteFunctionEventInvokeConfigRequest,
) -> Result<(), ServiceError> {
    let (name, q, scope) = target(api, &input.function_name, input.qualifier.as_deref())?;
    api.state_try(
        move |s| match s.event_invoke_configs.by_key.remove(&(name.clone(), q.clone())) {
            Some(_) => Ok(()),
            None => Err(missing_config(&scope, &name, &q)),
        },
    )
    .await
}

pub async fn list_function_event_invoke_configs(
    api: &Api,
    input: m::ListFunctionEventInvokeConfigsRequest,
) -> Result<m::ListFunctionEventInvokeConfigsResponse, ServiceError> {
    let (name, _, _) = target(api, &input.function_name, None)?;
    let items = api
        .state_try(
            move |s| -> Result<Vec<(String, m::FunctionEventInvokeConfig)>, ServiceError> {
                if s.functions.get(&name).is_none() {
                    return Err(errors::not_found("The function doesn't exist."));
                }
                Ok(s.event_invoke_configs
                    .of_function(&name)
                    .map(|(q, c)| (q.to_string(), c.clone()))
                    .collect())
            },
        )
        .await?;
    let (page, next) =
        crate::pagination::page(items, |(q, _)| q.clone(), input.marker.as_deref(), input.max_items, 50)?;
    Ok(m::ListFunctionEventInvokeConfigsResponse {
        function_event_invoke_configs: Some(page.into_iter().map(|(_, c)| c).collect()),
        next_marker: next,
    })
}
