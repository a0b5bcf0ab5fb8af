//! Runtime management configs of function versions, and recursive-loop detection settings.

use super::Api;
use crate::api::functions::configuration;
use crate::arn::FunctionRef;
use crate::errors;
use crate::state::functions::Code;
use crate::state::runtime_management::RuntimeConfig;
use lambda_server::error::ServiceError;
use lambda_server::model as m;

/// The function version a request names: its name and version (`$LATEST` or a number).
async fn version_of(
    api: &Api,
    function_name: &str,
    qualifier: Option<&str>,
) -> Result<(String, String, bool), ServiceError> {
    let (f, v) = configuration(api, function_name, qualifier).await?;
    let version = v.config.version.clone().unwrap_or_else(|| "$LATEST".to_string());
    let image = matches!(v.code, Code::Image { .. });
    Ok((f.name, version, image))
}

fn check_runtime_version_arn(arn: &str) -> Result<(), ServiceError> {
    let parts: Vec<&str> = arn.split(':').collect();
    if parts.len() == 7 && parts[0] == "arn" && parts[2] == "lambda" && parts[5] == "runtime" && !parts[6].is_empty() {
        Ok(())
    } else {
        Err(errors::invalid_parameter(format!("Invalid RuntimeVersionArn: {arn}")))
    }
}

pub async fn get_runtime_management_config(
    api: &Api,
    input: m::GetRuntimeManagementConfigRequest,
) -> Result<m::GetRuntimeManagementConfigResponse, ServiceError> {
    let (name, version, _) = version_of(api, &input.function_name, input.qualifier.as_deref()).await?;
    let (n, v) = (name.clone(), version.clone());
    let c = api.state(move |s| s.runtime_management.config(&n, &v)).await?;
    Ok(m::GetRuntimeManagementConfigResponse {
        function_arn: Some(api.scope().qualified_arn(&name, &version)),
        runtime_version_arn: c.runtime_version_arn,
        update_runtime_on: Some(c.update_runtime_on),
    })
}

pub async fn put_runtime_management_config(
    api: &Api,
    input: m::PutRuntimeManagementConfigRequest,
) -> Result<m::PutRuntimeManagementConfigResponse, ServiceError> {
    let (name, version, image) = version_of(api, &input.function_name, input.qualifier.as_deref()).await?;
    if image {
        return Err(errors::invalid_parameter(
            "Runtime management configuration is not supported for functions with the Image package type.",
        ));
    }
    match (&input.update_runtime_on, input.runtime_version_arn.as_deref()) {
        (m::UpdateRuntimeOn::Manual, None) => {
            return Err(errors::invalid_parameter(
                "RuntimeVersionArn is required when UpdateRuntimeOn is Manual.",
            ))
        }
        (m::UpdateRuntimeOn::Manual, Some(arn)) => check_runtime_version_arn(arn)?,
        (_, Some(_)) => {
            return Err(errors::invalid_parameter(
                "RuntimeVersionArn can be specified only when UpdateRuntimeOn is Manual.",
            ))
        }
        (_, None) => {}
    }
    let config = RuntimeConfig {
        update_runtime_on: input.update_runtime_on,
        runtime_version_arn: input.runtime_version_arn,
    };
    let stored = config.clone();
    let (n, v) = (name.clone(), version.clone());
    api.state(move |s| {
        if stored.update_runtime_on == m::UpdateRuntimeOn::Auto {
            s.runtime_management.configs.remove(&(n, v));
        } else {
            s.runtime_management.configs.insert((n, v), stored);
        }
    })
    .await?;
    Ok(m::PutRuntimeManagementConfigResponse {
        function_arn: api.scope().qualified_arn(&name, &version),
        runtime_version_arn: config.runtime_version_arn,
        update_runtime_on: config.update_runtime_on,
    })
}

/// The unqualified function a recursion-config request names; it must exist.
async fn function_name(api: &Api, function_name: &str) -> Result<String, ServiceError> {
    let scope = api.scope();
    let f = FunctionRef::parse(function_name, None, &scope)?;
    if f.qualifier.is_some() {
        return Err(errors::invalid_parameter(
            "The recursion configuration applies to the unqualified function; remove the qualifier.",
        ));
    }
    let arn = scope.function_arn(&f.name);
    let name = f.name.clone();
    let exists = api.state(move |s| s.functions.get(&name).is_some()).await?;
    if !exists {
        return Err(errors::not_found(format!("Function not found: {arn}")));
    }
    Ok(f.name)
}

pub async fn get_function_recursion_config(
    api: &Api,
    input: m::GetFunctionRecursionConfigRequest,
) -> Result<m::GetFunctionRecursionConfigResponse, ServiceError> {
    let name = function_name(api, &input.function_name).await?;
    let r = api.state(move |s| s.runtime_management.recursive_loop(&name)).await?;
    Ok(m::GetFunctionRecursionConfigResponse {
        recursive_loop: Some(r),
    })
}

pub async fn put_function_recursion_config(
    api: &Api,
    input: m::PutFunctionRecursionConfigRequest,
) -> Result<m::PutFunctionRecursionConfigResponse, ServiceError> {
    let name = function_name(api, &input.function_name).await?;
    let r = input.recursive_loop;
    let stored = r.clone();
    api.state(move |s| {
        s.runtime_management.recursion.insert(name, stored);
    })
    .await?;
    Ok(m::PutFunctionRecursionConfigResponse {
        recursive_loop: Some(r),
    })
}
