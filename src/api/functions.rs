//! Functions: create, read, list, update code and configuration, delete.

use super::Api;
use crate::arn::FunctionRef;
use crate::clock::now_last_modified;
use crate::errors;
use crate::state::functions::{new_revision_id, Code, Version};
use crate::state::layers::LayerContent;
use lambda_server::error::ServiceError;
use lambda_server::model as m;

/// Environment variables a function may not set.
const RESERVED_ENV: &[&str] = &[
    "_HANDLER",
    "_X_AMZN_TRACE_ID",
    "AWS_DEFAULT_REGION",
    "AWS_REGION",
    "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE",
    "AWS_LAMBDA_LOG_GROUP_NAME",
    "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_ACCESS_KEY",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_LAMBDA_RUNTIME_API",
    "LAMBDA_TASK_ROOT",
    "LAMBDA_RUNTIME_DIR",
];

pub fn check_environment(env: Option<&m::Environment>) -> Result<(), ServiceError> {
    let Some(vars) = env.and_then(|e| e.variables.as_ref()) else {
        return Ok(());
    };
    let mut reserved: Vec<&str> = vars
        .keys()
        .map(String::as_str)
        .filter(|k| RESERVED_ENV.contains(k))
        .collect();
    if !reserved.is_empty() {
        reserved.sort_unstable();
        return Err(errors::invalid_parameter(format!(
            "Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: {}",
            reserved.join(", ")
        )));
    }
    let mut keys: Vec<&String> = vars.keys().collect();
    keys.sort();
    let compact: serde_json::Map<String, serde_json::Value> = keys
        .iter()
        .map(|k| ((*k).clone(), serde_json::Value::String(vars[*k].clone())))
        .collect();
    let measured = serde_json::Value::Object(compact).to_string();
    if measured.len() > 4096 {
        return Err(errors::invalid_parameter(format!(
            "Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: {measured}"
        )));
    }
    Ok(())
}

/// Runtimes CreateFunction and UpdateFunctionConfiguration accept (recorded 2025-11, reference §1.5,
/// plus the identifiers newer SDKs know); the model's other identifiers are fully blocked.
const ACCEPTED_RUNTIMES: &[&str] = &[
    "nodejs16.x",
    "nodejs18.x",
    "nodejs20.x",
    "nodejs22.x",
    "nodejs24.x",
    "python3.8",
    "python3.9",
    "python3.10",
    "python3.11",
    "python3.12",
    "python3.13",
    "python3.14",
    "java8.al2",
    "java11",
    "java17",
    "java21",
    "java25",
    "dotnet6",
    "dotnet8",
    "dotnet10",
    "ruby3.2",
    "ruby3.3",
    "ruby3.4",
    "ruby4.0",
    "provided.al2",
    "provided.al2023",
];

/// The runtimes AWS names, in its order, when it refuses an identifier it does not know at all
/// (recorded; an upper-case identifier is unknown too).
const RUNTIME_ENUM_SET: &str = "nodejs20.x, python3.14, provided.al2023, python3.12, python3.13, nodejs24.x, nodejs22.x, java25, python3.10, python3.11, java21, ruby3.3, ruby3.4, ruby3.2, python3.8, python3.9, java17, nodejs16.x, dotnet10, dotnet8, java11, dotnet6, nodejs18.x, provided.al2, java8.al2";

/// Lambda's own check of `Runtime` (not the model's enum check): an identifier it does not know is
/// refused with the enum set of creatable runtimes, a known but blocked one as no longer supported.
pub fn check_runtime(runtime: Option<&m::Runtime>) -> Result<(), ServiceError> {
    match runtime {
        Some(m::Runtime::Unknown(r)) => Err(errors::invalid_parameter(format!(
            "Value {r} at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: [{RUNTIME_ENUM_SET}] or be a valid ARN"
        ))),
        Some(r) if !ACCEPTED_RUNTIMES.contains(&r.as_str()) => Err(errors::invalid_parameter(format!(
            "The runtime parameter of {r} is no longer supported for creating or updating AWS Lambda functions. We recommend you use a supported runtime while creating or updating functions."
        ))),
        _ => Ok(()),
    }
}

fn check_limits(
    memory: Option<i32>,
    timeout: Option<i32>,
    storage: Option<&m::EphemeralStorage>,
) -> Result<(), ServiceError> {
    if let Some(mem) = memory {
        if !(128..=10240).contains(&mem) {
            return Err(errors::invalid_parameter(format!(
                "'MemorySize' value failed to satisfy constraint: Member must have value {} {}",
                if mem < 128 {
                    "greater than or equal to"
                } else {
                    "less than or equal to"
                },
                if mem < 128 { 128 } else { 10240 }
            )));
        }
    }
    if let Some(t) = timeout {
        if !(1..=900).contains(&t) {
            return Err(errors::invalid_parameter(format!(
                "'Timeout' value failed to satisfy constraint: Member must have value {} {}",
                if t < 1 {
                    "greater than or equal to"
                } else {
                    "less than or equal to"
                },
                if t < 1 { 1 } else { 900 }
            )));
        }
    }
    if let Some(s) = storage {
        if !(512..=10240).contains(&s.size) {
            return Err(errors::invalid_parameter(format!(
                "'EphemeralStorage.Size' value failed to satisfy constraint: Member must have value between 512 and 10240, found {}",
                s.size
            )));
        }
    }
    Ok(())
}

/// Reads the code of a request (zip bytes, S3 object or image) into a stored package, or the
/// directory of hot-reload code (`S3Bucket: hot-reload`).
pub async fn read_code(
    api: &Api,
    zip: Option<Vec<u8>>,
    s3: Option<(String, String, Option<String>)>,
    image_uri: Option<String>,
) -> Result<Code, ServiceError> {
    match (zip, s3, image_uri) {
        (Some(bytes), None, None) => {
            crate::store::check_zipped_size(bytes.len())?;
            Ok(Code::Zip(api.store.put(bytes).await?))
        }
        (None, Some((bucket, key, version)), None) => {
            if let Some(dir) = super::hot_reload::directory(&bucket, &key).await {
                return Ok(Code::HotReload { dir: dir? });
            }
            let bytes = api.fetch_s3(&bucket, &key, version.as_deref()).await?;
            Ok(Code::Zip(api.store.put(bytes).await?))
        }
        (None, None, Some(uri)) => Ok(Code::Image { uri }),
        (None, None, None) => Err(errors::invalid_parameter("Please provide a source for function code.")),
        _ => Err(errors::invalid_parameter(
            "Please do not provide other FunctionCode parameters when providing a ZipFile, S3 object or ImageUri.",
        )),
    }
}

fn code_sha_size(code: &Code) -> (String, i64) {
    match code {
        Code::Zip(p) => (p.sha256_b64.clone(), p.size),
        // An image's "code" is its URI; hash that so CodeSha256 changes when it does.
        Code::Image { uri } => {
            use base64::Engine;
            use sha2::Digest;
            (
                base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(uri.as_bytes())),
                0,
            )
        }
        Code::HotReload { .. } => (super::hot_reload::CODE_SHA256.to_owned(), 0),
    }
}

fn environment_response(env: Option<m::Environment>) -> Option<m::EnvironmentResponse> {
    env.map(|e| m::EnvironmentResponse {
        error: None,
        variables: Some(e.variables.unwrap_or_default()),
    })
}

fn vpc_response(v: Option<m::VpcConfig>) -> Option<m::VpcConfigResponse> {
    v.map(|v| m::VpcConfigResponse {
        ipv6_allowed_for_dual_stack: v.ipv6_allowed_for_dual_stack,
        security_group_ids: Some(v.security_group_ids.unwrap_or_default()),
        subnet_ids: Some(v.subnet_ids.unwrap_or_default()),
        vpc_id: Some(String::new()),
    })
}

/// A moment after the answer, flips a new function to `Active` and a running update to `Successful`.
fn settle(api: &Api, name: String) {
    api.state.settle_later(api.namespace(), move |s| {
        s.functions.activate(&name);
        s.functions.finish_update(&name);
    });
}

pub async fn create_function(
    api: &Api,
    input: m::CreateFunctionRequest,
) -> Result<m::FunctionConfiguration, ServiceError> {
    let scope = api.scope();
    let f = FunctionRef::parse_new(&input.function_name, None, &scope)?;
    super::tags::check_new_tags(input.tags.as_ref())?;
    if f.qualifier.is_some() {
        return Err(errors::invalid_parameter(
            "Function name must not include a qualifier when creating a function",
        ));
    }
    let package_type = input.package_type.clone().unwrap_or(m::PackageType::Zip);
    match package_type {
        m::PackageType::Zip => {
            if input.runtime.is_none() || input.handler.is_none() {
                return Err(errors::invalid_parameter(
                    "Runtime and Handler are mandatory parameters for functions created with deployment packages.",
                ));
            }
            if input.code.image_uri.is_some() {
                return Err(errors::invalid_parameter(
                    "Please don't provide ImageUri when updating a function with packageType Zip.",
                ));
            }
        }
        m::PackageType::Image => {
            if input.code.image_uri.is_none() {
                return Err(errors::invalid_parameter(
                    "ImageUri must be provided when the package type is Image.",
                ));
            }
            if input.runtime.is_some() || input.handler.is_some() {
                return Err(errors::invalid_parameter(
                    "Runtime and Handler are not supported for functions with the Image package type.",
                ));
            }
        }
        m::PackageType::Unknown(_) => return Err(errors::invalid_parameter("Unknown package type")),
    }
    check_runtime(input.runtime.as_ref())?;
    check_limits(input.memory_size, input.timeout, input.ephemeral_storage.as_ref())?;
    check_environment(input.environment.as_ref())?;
    let layers = super::layers::resolve_for_function(api, input.layers.as_deref().unwrap_or(&[])).await?;
    let s3 = match (&input.code.s3_bucket, &input.code.s3_key) {
        (Some(b), Some(k)) => Some((b.clone(), k.clone(), input.code.s3_object_version.clone())),
        (None, None) => None,
        _ => return Err(errors::invalid_parameter("Both S3Bucket and S3Key must be provided.")),
    };
    let code = read_code(
        api,
        input.code.zip_file.map(|b| b.into_inner()),
        s3,
        input.code.image_uri.clone(),
    )
    .await?;
    let (sha, size) = code_sha_size(&code);
    let hot = matches!(code, Code::HotReload { .. });
    let name = f.name.clone();
    let config = m::FunctionConfiguration {
        function_name: Some(name.clone()),
        function_arn: Some(scope.function_arn(&name)),
        runtime: input.runtime,
        role: Some(input.role),
        handler: input.handler,
        code_size: size,
        description: Some(input.description.unwrap_or_default()),
        timeout: Some(input.timeout.unwrap_or(3)),
        memory_size: Some(input.memory_size.unwrap_or(128)),
        last_modified: Some(now_last_modified()),
        code_sha256: Some(sha),
        version: Some("$LATEST".into()),
        vpc_config: vpc_response(input.vpc_config),
        dead_letter_config: input.dead_letter_config,
        environment: environment_response(input.environment),
        kms_key_arn: input.kms_key_arn,
        tracing_config: Some(m::TracingConfigResponse {
            mode: Some(
                input
                    .tracing_config
                    .and_then(|t| t.mode)
                    .unwrap_or(m::TracingMode::PassThrough),
            ),
        }),
        revision_id: Some(new_revision_id()),
        layers: if layers.is_empty() { None } else { Some(layers) },
        state: Some(m::State::Pending),
        state_reason: Some("The function is being created.".into()),
        state_reason_code: Some(m::StateReasonCode::Creating),
        // AWS's create answer has no `LastUpdateStatus`; it appears (`Successful`) once Active.
        last_update_status: None,
        file_system_configs: input.file_system_configs,
        package_type: Some(package_type),
        image_config_response: input.image_config.map(|c| m::ImageConfigResponse {
            image_config: Some(c),
            error: None,
        }),
        architectures: Some(
            input
                .architectures
                .filter(|a| !a.is_empty())
                .unwrap_or_else(|| vec![m::Architecture::X8664]),
        ),
        ephemeral_storage: Some(input.ephemeral_storage.unwrap_or(m::EphemeralStorage { size: 512 })),
        snap_start: Some(m::SnapStartResponse {
            apply_on: Some(
                input
                    .snap_start
                    .and_then(|s| s.apply_on)
                    .unwrap_or(m::SnapStartApplyOn::None),
            ),
            optimization_status: Some(m::SnapStartOptimizationStatus::Off),
        }),
        logging_config: Some(logging_config(input.logging_config, &name)),
        capacity_provider_config: input.capacity_provider_config,
        durable_config: input.durable_config,
        tenancy_config: input.tenancy_config,
        ..m::FunctionConfiguration::default()
    };
    let latest = Version { config, code };
    let arn = scope.function_arn(&name);
    let tags = input.tags.unwrap_or_default();
    let csc = input.code_signing_config_arn;
    let publish = input.publish;
    let created = api
        .state_try(move |s| {
            check_combined_size(&s.layers, &latest.code, latest.config.layers.as_deref().unwrap_or(&[]))?;
            s.functions.create(latest)?;
            if !tags.is_empty() {
                s.tags.set(&arn, tags);
            }
            if let Some(csc) = csc {
                s.code_signing.attach_on_create(&name, &csc)?;
            }
            let f = s
                .functions
                .get_mut(&name)
                .ok_or_else(|| errors::service("function vanished"))?;
            if publish {
                let v = crate::state::versions::publish(f, None, None, None, true)?;
                return Ok(v);
            }
            Ok(f.latest.config.clone())
        })
        .await?;
    settle(api, f.name);
    super::hot_reload::sync(api, hot).await;
    Ok(created)
}

fn logging_config(given: Option<m::LoggingConfig>, name: &str) -> m::LoggingConfig {
    let g = given.unwrap_or_default();
    let json = matches!(g.log_format, Some(m::LogFormat::Json));
    m::LoggingConfig {
        log_format: Some(g.log_format.unwrap_or(m::LogFormat::Text)),
        log_group: Some(g.log_group.unwrap_or_else(|| format!("/aws/lambda/{name}"))),
        application_log_level: if json {
            Some(g.application_log_level.unwrap_or(m::ApplicationLogLevel::Info))
        } else {
            g.application_log_level
        },
        system_log_level: if json {
            Some(g.system_log_level.unwrap_or(m::SystemLogLevel::Info))
        } else {
            g.system_log_level
        },
    }
}

/// The configuration of a function version, or the AWS not-found error naming it.
pub async fn configuration(
    api: &Api,
    function_name: &str,
    qualifier: Option<&str>,
) -> Result<(FunctionRef, Version), ServiceError> {
    let scope = api.scope();
    let f = FunctionRef::parse(function_name, qualifier, &scope)?;
    let fr = f.clone();
    let arn = scope.arn(&f.name, f.qualifier.as_deref());
    let v = api
        .state(move |s| {
            s.functions
                .get(&fr.name)
                .and_then(|func| func.resolve(fr.qualifier.as_deref()).cloned())
        })
        .await?
        .ok_or_else(|| errors::not_found(format!("Function not found: {arn}")))?;
    Ok((f, v))
}

pub async fn get_function(api: &Api, input: m::GetFunctionRequest) -> Result<m::GetFunctionResponse, ServiceError> {
    let (f, v) = configuration(api, &input.function_name, input.qualifier.as_deref()).await?;
    let scope = api.scope();
    let arn = scope.function_arn(&f.name);
    let name = f.name.clone();
    let (tags, reserved) = api
        .state(move |s| (s.tags.get(&arn), s.concurrency.reserved(&name)))
        .await?;
    let code = match &v.code {
        Code::Zip(p) => m::FunctionCodeLocation {
            repository_type: Some("S3".into()),
            location: Some(crate::store::package_url(&api.base_url(), &p.sha256_hex)),
            ..Default::default()
        },
        Code::Image { uri } => m::FunctionCodeLocation {
            repository_type: Some("ECR".into()),
            image_uri: Some(uri.clone()),
            resolved_image_uri: Some(uri.clone()),
            ..Default::default()
        },
        // A directory on this host: where it is, not a download URL (LocalStack's words).
        Code::HotReload { dir } => m::FunctionCodeLocation {
            repository_type: Some("S3".into()),
            location: Some(super::hot_reload::location(dir)),
            ..Default::default()
        },
    };
    Ok(m::GetFunctionResponse {
        code: Some(code),
        concurrency: reserved.map(|r| m::Concurrency {
            reserved_concurrent_executions: Some(r),
        }),
        configuration: Some(v.config),
        tags: if tags.is_empty() { None } else { Some(tags) },
        tags_error: None,
    })
}

pub async fn get_function_configuration(
    api: &Api,
    input: m::GetFunctionConfigurationRequest,
) -> Result<m::FunctionConfiguration, ServiceError> {
    configuration(api, &input.function_name, input.qualifier.as_deref())
        .await
        .map(|(_, v)| v.config)
}

pub async fn list_functions(
    api: &Api,
    input: m::ListFunctionsRequest,
) -> Result<m::ListFunctionsResponse, ServiceError> {
    let all = matches!(input.function_version, Some(m::FunctionVersion::All));
    if let Some(m::FunctionVersion::Unknown(v)) = &input.function_version {
        return Err(errors::invalid_parameter(format!("Invalid FunctionVersion: {v}")));
    }
    let configs: Vec<m::FunctionConfiguration> = api
        .state(move |s| {
            let mut out = Vec::new();
            for f in s.functions.by_name.values() {
                if all {
                    out.push(qualified_latest(&f.latest.config));
                    out.extend(f.versions.values().map(|v| v.config.clone()));
                } else {
                    out.push(f.latest.config.clone());
                }
            }
            out
        })
        .await?;
    // Sort key: name, then version padded so `$LATEST` sorts first and 10 after 9.
    let key = |c: &m::FunctionConfiguration| {
        let v = c.version.as_deref().unwrap_or("");
        let v = if v == "$LATEST" {
            String::new()
        } else {
            format!("{v:0>20}")
        };
        format!("{}\u{0}{v}", c.function_name.as_deref().unwrap_or(""))
    };
    let (page, next) = crate::pagination::page(configs, key, input.marker.as_deref(), input.max_items, 50)?;
    Ok(m::ListFunctionsResponse {
        functions: Some(page),
        next_marker: next,
    })
}

/// `$LATEST` as the version listings show it: its ARN qualified (`…:function:<name>:$LATEST`).
pub fn qualified_latest(c: &m::FunctionConfiguration) -> m::FunctionConfiguration {
    let mut c = c.clone();
    if let Some(arn) = c.function_arn.as_mut() {
        arn.push_str(":$LATEST");
    }
    c
}

pub async fn delete_function(
    api: &Api,
    input: m::DeleteFunctionRequest,
) -> Result<m::DeleteFunctionResponse, ServiceError> {
    let scope = api.scope();
    let f = FunctionRef::parse(&input.function_name, input.qualifier.as_deref(), &scope)?;
    let arn = scope.function_arn(&f.name);
    let full = scope.arn(&f.name, f.qualifier.as_deref());
    let (name, qualifier) = (f.name.clone(), f.qualifier.clone());
    api.state_try(move |s| {
        let not_found = || errors::not_found(format!("Function not found: {full}"));
        match f.qualifier.as_deref() {
            None => {
                if s.functions.by_name.remove(&f.name).is_none() {
                    return Err(not_found());
                }
                s.forget_function(&arn, &f.name, None);
            }
            Some("$LATEST") => {
                return Err(errors::invalid_parameter(
                    "$LATEST version cannot be deleted without deleting the function.",
                ))
            }
            Some(q) => {
                let func = s.functions.get_mut(&f.name).ok_or_else(not_found)?;
                let n: u64 = q.parse().map_err(|_| {
                    errors::invalid_parameter(format!(
                        "Invalid qualifier {q}: an alias cannot be deleted with DeleteFunction"
                    ))
                })?;
                if let Some(alias) = func.aliases.values().find(|a| {
                    a.function_version.as_deref() == Some(q)
                        || a.routing_config
                            .as_ref()
                            .and_then(|r| r.additional_version_weights.as_ref())
                            .is_some_and(|w| w.contains_key(q))
                }) {
                    return Err(errors::conflict(format!(
                        "Unable to delete version because the following aliases reference it: [{}]",
                        alias.name.as_deref().unwrap_or("")
                    )));
                }
                func.versions.remove(&n).ok_or_else(not_found)?;
                s.forget_function(&arn, &f.name, Some(q));
            }
        }
        Ok(())
    })
    .await?;
    api.execution.pool.retire(&name, qualifier.as_deref());
    if qualifier.is_none() {
        // Its queued asynchronous events go with it (a deleted version's are dropped when due).
        api.async_queue.drop_function(api, &api.namespace(), &name).await;
    }
    super::hot_reload::sync(api, false).await;
    Ok(m::DeleteFunctionResponse { status_code: 204 })
}

/// AWS's limit on a function's code and its layers unzipped together (each alone is checked when
/// it is stored): `Function code combined with layers exceeds the maximum allowed size of
/// 262144000 bytes. The actual size is <n> bytes.`
fn check_combined_size(
    stored: &crate::state::layers::Layers,
    code: &Code,
    layers: &[m::Layer],
) -> Result<(), ServiceError> {
    let Code::Zip(package) = code else { return Ok(()) };
    let total = layers
        .iter()
        .filter_map(|l| match stored.content(l.arn.as_deref()?)? {
            LayerContent::Zip(p) => Some(p),
            LayerContent::HotReload { .. } => None,
        })
        .fold(package.unzipped_size, |sum, p| sum.saturating_add(p.unzipped_size));
    if total > crate::store::MAX_UNZIPPED {
        return Err(errors::invalid_parameter(format!(
            "Function code combined with layers exceeds the maximum allowed size of {} bytes. The actual size is {total} bytes.",
            crate::store::MAX_UNZIPPED
        )));
    }
    Ok(())
}

/// Refuses changes while a function is still being created, and stale revision ids.
fn check_updatable(c: &m::FunctionConfiguration, revision_id: Option<&str>, arn: &str) -> Result<(), ServiceError> {
    if c.state == Some(m::State::Pending) {
        return Err(errors::conflict(
            "The operation cannot be performed at this time. The function is currently in the following state: Pending",
        ));
    }
    if c.last_update_status == Some(m::LastUpdateStatus::InProgress) {
        return Err(errors::conflict(format!(
            "The operation cannot be performed at this time. An update is in progress for resource: {arn}"
        )));
    }
    if let Some(r) = revision_id {
        if c.revision_id.as_deref() != Some(r) {
            return Err(errors::precondition_failed(
                "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id",
            ));
        }
    }
    Ok(())
}

fn mark_in_progress(c: &mut m::FunctionConfiguration) {
    c.last_modified = Some(now_last_modified());
    c.revision_id = Some(new_revision_id());
    c.last_update_status = Some(m::LastUpdateStatus::InProgress);
    c.last_update_status_reason = Some("The function is being created.".into());
    c.last_update_status_reason_code = Some(m::LastUpdateStatusReasonCode::from("Creating"));
}

pub async fn update_function_code(
    api: &Api,
    input: m::UpdateFunctionCodeRequest,
) -> Result<m::FunctionConfiguration, ServiceError> {
    let scope = api.scope();
    let f = FunctionRef::parse(&input.function_name, None, &scope)?;
    if f.qualifier.is_some() {
        return Err(errors::invalid_parameter(
            "UpdateFunctionCode applies to $LATEST: do not qualify the function name",
        ));
    }
    let s3 = match (&input.s3_bucket, &input.s3_key) {
        (Some(b), Some(k)) => Some((b.clone(), k.clone(), input.s3_object_version.clone())),
        (None, None) => None,
        _ => return Err(errors::invalid_parameter("Both S3Bucket and S3Key must be provided.")),
    };
    // Check the function exists (and its package type) before storing anything.
    let (_, current) = configuration(api, &f.name, None).await?;
    let is_image = current.config.package_type == Some(m::PackageType::Image);
    if is_image && input.image_uri.is_none() {
        return Err(errors::invalid_parameter(
            "Please provide ImageUri when updating a function with packageType Image.",
        ));
    }
    if !is_image && input.image_uri.is_some() {
        return Err(errors::invalid_parameter(
            "Please don't provide ImageUri when updating a function with packageType Zip.",
        ));
    }
    let code = read_code(api, input.zip_file.map(|b| b.into_inner()), s3, input.image_uri).await?;
    let (sha, size) = code_sha_size(&code);
    let hot = matches!(code, Code::HotReload { .. });
    let arn = scope.function_arn(&f.name);
    let name = f.name.clone();
    let (dry_run, publish, revision, architectures) =
        (input.dry_run, input.publish, input.revision_id, input.architectures);
    let updated = api
        .state_try(move |s| {
            let func = s
                .functions
                .get_mut(&name)
                .ok_or_else(|| errors::not_found(format!("Function not found: {arn}")))?;
            check_updatable(&func.latest.config, revision.as_deref(), &arn)?;
            check_combined_size(&s.layers, &code, func.latest.config.layers.as_deref().unwrap_or(&[]))?;
            let mut next = func.latest.clone();
            next.code = code;
            next.config.code_sha256 = Some(sha);
            next.config.code_size = size;
            if let Some(a) = architectures.filter(|a| !a.is_empty()) {
                next.config.architectures = Some(a);
            }
            if dry_run {
                return Ok(next.config);
            }
            mark_in_progress(&mut next.config);
            func.latest = next;
            if publish {
                return crate::state::versions::publish(func, None, None, None, false);
            }
            Ok(func.latest.config.clone())
        })
        .await?;
    if !dry_run {
        // Warm environments of $LATEST run the old code: retire them (busy ones finish first).
        api.execution.pool.retire(&f.name, Some("$LATEST"));
        settle(api, f.name);
        super::hot_reload::sync(api, hot).await;
    }
    Ok(updated)
}

pub async fn update_function_configuration(
    api: &Api,
    input: m::UpdateFunctionConfigurationRequest,
) -> Result<m::FunctionConfiguration, ServiceError> {
    let scope = api.scope();
    let f = FunctionRef::parse(&input.function_name, None, &scope)?;
    if f.qualifier.is_some() {
        return Err(errors::invalid_parameter(
            "UpdateFunctionConfiguration applies to $LATEST: do not qualify the function name",
        ));
    }
    check_runtime(input.runtime.as_ref())?;
    check_limits(input.memory_size, input.timeout, input.ephemeral_storage.as_ref())?;
    check_environment(input.environment.as_ref())?;
    let layers = match &input.layers {
        Some(l) => Some(super::layers::resolve_for_function(api, l).await?),
        None => None,
    };
    let arn = scope.function_arn(&f.name);
    let name = f.name.clone();
    let updated = api
        .state_try(move |s| {
            let func = s
                .functions
                .get_mut(&name)
                .ok_or_else(|| errors::not_found(format!("Function not found: {arn}")))?;
            check_updatable(&func.latest.config, input.revision_id.as_deref(), &arn)?;
            if let Some(new_layers) = &layers {
                check_combined_size(&s.layers, &func.latest.code, new_layers)?;
            }
            let c = &mut func.latest.config;
            let image = c.package_type == Some(m::PackageType::Image);
            if image && (input.runtime.is_some() || input.handler.is_some()) {
                return Err(errors::invalid_parameter(
                    "Runtime and Handler are not supported for functions with the Image package type.",
                ));
            }
            if let Some(v) = input.role {
                c.role = Some(v);
            }
            if let Some(v) = input.handler {
                c.handler = Some(v);
            }
            if let Some(v) = input.description {
                c.description = Some(v);
            }
            if let Some(v) = input.timeout {
                c.timeout = Some(v);
            }
            if let Some(v) = input.memory_size {
                c.memory_size = Some(v);
            }
            if let Some(v) = input.vpc_config {
                c.vpc_config = vpc_response(Some(v));
            }
            if let Some(v) = input.environment {
                c.environment = environment_response(Some(v));
            }
            if let Some(v) = input.runtime {
                c.runtime = Some(v);
            }
            if let Some(v) = input.dead_letter_config {
                c.dead_letter_config = Some(v);
            }
            if let Some(v) = input.kms_key_arn {
                c.kms_key_arn = Some(v);
            }
            if let Some(v) = input.tracing_config {
                c.tracing_config = Some(m::TracingConfigResponse {
                    mode: Some(v.mode.unwrap_or(m::TracingMode::PassThrough)),
                });
            }
            if let Some(v) = layers {
                c.layers = if v.is_empty() { None } else { Some(v) };
            }
            if let Some(v) = input.file_system_configs {
                c.file_system_configs = Some(v);
            }
            if let Some(v) = input.image_config {
                c.image_config_response = Some(m::ImageConfigResponse {
                    image_config: Some(v),
                    error: None,
                });
            }
            if let Some(v) = input.ephemeral_storage {
                c.ephemeral_storage = Some(v);
            }
            if let Some(v) = input.snap_start {
                c.snap_start = Some(m::SnapStartResponse {
                    apply_on: Some(v.apply_on.unwrap_or(m::SnapStartApplyOn::None)),
                    optimization_status: Some(m::SnapStartOptimizationStatus::Off),
                });
            }
            if let Some(v) = input.logging_config {
                c.logging_config = Some(logging_config(Some(v), &name));
            }
            if let Some(v) = input.capacity_provider_config {
                c.capacity_provider_config = Some(v);
            }
            if let Some(v) = input.durable_config {
                c.durable_config = Some(v);
            }
            mark_in_progress(c);
            Ok(c.clone())
        })
        .await?;
    api.execution.pool.retire(&f.name, Some("$LATEST"));
    settle(api, f.name);
    super::hot_reload::sync(api, false).await;
    Ok(updated)
}
