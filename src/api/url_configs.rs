//! Function URL configs: the URL (served by `function_urls`), auth type, CORS, invoke mode.

use super::Api;
use crate::arn::{FunctionRef, Scope};
use crate::errors;
use crate::state::url_configs::UrlConfig;
use crate::state::State;
use lambda_server::error::ServiceError;
use lambda_server::model as m;

const NOT_FOUND: &str = "The resource you requested does not exist.";
/// What every URL config operation answers for a function that does not exist (recorded).
const NO_FUNCTION: &str = "Function does not exist";

/// A random 32-character lowercase alphanumeric URL id.
fn new_url_id() -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let bytes = [uuid::Uuid::new_v4().into_bytes(), uuid::Uuid::new_v4().into_bytes()].concat();
    bytes
        .iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect()
}

/// The URL fauxlambda serves a config at: `http://<url-id>.lambda-url.<region>.localhost:<port>/`
/// (clients resolve `*.localhost` to loopback), on the port the request came in on.
fn function_url(url_id: &str, region: &str, base_url: &str) -> String {
    let port = base_url
        .rsplit_once(':')
        .map(|(_, p)| p.trim_end_matches('/'))
        .filter(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
    match port {
        Some(p) => format!("http://{url_id}.lambda-url.{region}.localhost:{p}/"),
        None => format!("http://{url_id}.lambda-url.{region}.localhost/"),
    }
}

/// Function name and qualifier (`$LATEST` or an alias) of a request, and the function ARN the
/// config shows (unqualified for `$LATEST`).
fn target(
    api: &Api,
    function_name: &str,
    qualifier: Option<&str>,
) -> Result<(String, String, String, Scope), ServiceError> {
    let scope = api.scope();
    let f = FunctionRef::parse(function_name, qualifier, &scope)?;
    let q = f.qualifier.unwrap_or_else(|| "$LATEST".to_string());
    if q.chars().all(|c| c.is_ascii_digit()) {
        return Err(errors::invalid_parameter(format!(
            "1 validation error detected: Value '{q}' at 'qualifier' failed to satisfy constraint: Member must satisfy regular expression pattern: ((?!^\\d+$)^[0-9a-zA-Z-_]+$)"
        )));
    }
    let arn = if q == "$LATEST" {
        scope.function_arn(&f.name)
    } else {
        scope.qualified_arn(&f.name, &q)
    };
    Ok((f.name, q, arn, scope))
}

/// The function exists (else AWS's `Function does not exist`).
fn check_function(s: &State, name: &str) -> Result<(), ServiceError> {
    s.functions
        .get(name)
        .map(|_| ())
        .ok_or_else(|| errors::not_found(NO_FUNCTION))
}

/// The function exists and, when the qualifier is an alias, so does the alias.
fn check_exists(s: &State, scope: &Scope, name: &str, q: &str) -> Result<(), ServiceError> {
    let func = s.functions.get(name).ok_or_else(|| errors::not_found(NO_FUNCTION))?;
    if q != "$LATEST" && !func.aliases.contains_key(q) {
        return Err(errors::not_found(format!(
            "Function not found: {}",
            scope.qualified_arn(name, q)
        )));
    }
    Ok(())
}

pub async fn create_function_url_config(
    api: &Api,
    input: m::CreateFunctionUrlConfigRequest,
) -> Result<m::CreateFunctionUrlConfigResponse, ServiceError> {
    let (name, q, arn, scope) = target(api, &input.function_name, input.qualifier.as_deref())?;
    let region = scope.region.clone();
    let base_url = api.base_url();
    api.state_try(move |s| {
        check_exists(s, &scope, &name, &q)?;
        if s.url_configs.get(&name, &q).is_some() {
            return Err(errors::conflict(format!(
                "Failed to create function url config for [functionArn = {arn}]. Error message:  FunctionUrlConfig exists for this Lambda function"
            )));
        }
        let url_id = new_url_id();
        let now = crate::clock::now_iso8601_micros();
        let config = m::FunctionUrlConfig {
            auth_type: input.auth_type,
            cors: input.cors,
            creation_time: now.clone(),
            function_arn: arn,
            function_url: function_url(&url_id, &region, &base_url),
            invoke_mode: Some(input.invoke_mode.unwrap_or(m::InvokeMode::Buffered)),
            last_modified_time: now,
        };
        let out = m::CreateFunctionUrlConfigResponse {
            auth_type: config.auth_type.clone(),
            cors: config.cors.clone(),
            creation_time: config.creation_time.clone(),
            function_arn: config.function_arn.clone(),
            function_url: config.function_url.clone(),
            invoke_mode: config.invoke_mode.clone(),
        };
        s.url_configs.by_key.insert((name, q), UrlConfig { url_id, config });
        Ok(out)
    })
    .await
}

pub async fn delete_function_url_config(
    api: &Api,
    input: m::DeleteFunctionUrlConfigRequest,
) -> Result<(), ServiceError> {
    let (name, q, _, _) = target(api, &input.function_name, input.qualifier.as_deref())?;
    api.state_try(move |s| {
        check_function(s, &name)?;
        s.url_configs
            .by_key
            .remove(&(name, q))
            .map(|_| ())
            .ok_or_else(|| errors::not_found(NOT_FOUND))
    })
    .await
}

pub async fn get_function_url_config(
    api: &Api,
    input: m::GetFunctionUrlConfigRequest,
) -> Result<m::GetFunctionUrlConfigResponse, ServiceError> {
    let (name, q, _, _) = target(api, &input.function_name, input.qualifier.as_deref())?;
    let c = api
        .state_try(move |s| {
            check_function(s, &name)?;
            s.url_configs
                .get(&name, &q)
                .map(|c| c.config.clone())
                .ok_or_else(|| errors::not_found(NOT_FOUND))
        })
        .await?;
    Ok(m::GetFunctionUrlConfigResponse {
        auth_type: c.auth_type,
        cors: c.cors,
        creation_time: c.creation_time,
        function_arn: c.function_arn,
        function_url: c.function_url,
        invoke_mode: c.invoke_mode,
        last_modified_time: c.last_modified_time,
    })
}

pub async fn list_function_url_configs(
    api: &Api,
    input: m::ListFunctionUrlConfigsRequest,
) -> Result<m::ListFunctionUrlConfigsResponse, ServiceError> {
    let scope = api.scope();
    let name = FunctionRef::parse(&input.function_name, None, &scope)?.name;
    let items = api
        .state_try(move |s| {
            check_exists(s, &scope, &name, "$LATEST")?;
            Ok(s.url_configs
                .of_function(&name)
                .map(|(q, c)| (q.to_string(), c.config.clone()))
                .collect())
        })
        .await?;
    let (page, next) =
        crate::pagination::page(items, |(q, _)| q.clone(), input.marker.as_deref(), input.max_items, 50)?;
    Ok(m::ListFunctionUrlConfigsResponse {
        function_url_configs: page.into_iter().map(|(_, c)| c).collect(),
        next_marker: next,
    })
}

pub async fn update_function_url_config(
    api: &Api,
    input: m::UpdateFunctionUrlConfigRequest,
) -> Result<m::UpdateFunctionUrlConfigResponse, ServiceError> {
    let (name, q, _, scope) = target(api, &input.function_name, input.qualifier.as_deref())?;
    let c = api
        .state_try(move |s| {
            check_exists(s, &scope, &name, &q)?;
            let entry = s
                .url_configs
                .by_key
                .get_mut(&(name, q))
                .ok_or_else(|| errors::not_found(NOT_FOUND))?;
            let c = &mut entry.config;
            if let Some(a) = input.auth_type {
                c.auth_type = a;
            }
            if let Some(cors) = input.cors {
                c.cors = Some(cors);
            }
            if let Some(mode) = input.invoke_mode {
                c.invoke_mode = Some(mode);
            }
            c.last_modified_time = crate::clock::now_iso8601_micros();
            Ok(c.clone())
        })
        .await?;
    Ok(m::UpdateFunctionUrlConfigResponse {
        auth_type: c.auth_type,
        cors: c.cors,
        creation_time: c.creation_time,
        function_arn: c.function_arn,
        function_url: c.function_url,
        invoke_mode: c.invoke_mode,
        last_modified_time: c.last_modified_time,
    })
}
