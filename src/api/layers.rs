//! Layers: publishing versions, their content, permissions, and listing with filters.

use super::Api;
use crate::clock::now_last_modified;
use crate::errors;
use crate::state::functions::new_revision_id;
use crate::state::layers::{LayerContent, LayerPolicy, LayerVersion};
use crate::state::permissions::{policy_document, Principal, Statement};
use lambda_server::error::ServiceError;
use lambda_server::model as m;

/// AWS's limit on the layers of one function.
const MAX_LAYERS_PER_FUNCTION: usize = 5;
/// Default and maximum page size of ListLayers/ListLayerVersions.
const MAX_LIST_ITEMS: usize = 50;

const NOT_FOUND: &str = "The resource you requested does not exist.";
const LAYER_REVISION_MISMATCH: &str =
    "The Revision Id provided does not match the latest Revision Id. Call the GetLayerPolicy API to retrieve the latest Revision Id";

/// The layer name of a `LayerName` member (a name or a layer ARN).
fn layer_name(input: &str) -> Result<String, ServiceError> {
    crate::arn::layer_name(input)
        .map(str::to_string)
        .ok_or_else(|| errors::invalid_parameter(format!("Invalid layer name: {input}")))
}

fn check_version_number(n: i64) -> Result<(), ServiceError> {
    if n < 1 {
        return Err(errors::invalid_parameter("Layer Version Cannot be less than 1"));
    }
    Ok(())
}

fn content(api: &Api, v: &LayerVersion) -> m::LayerVersionContentOutput {
    let (code_sha256, location) = match &v.content {
        LayerContent::Zip(p) => (
            p.sha256_b64.clone(),
            crate::store::package_url(&api.base_url(), &p.sha256_hex),
        ),
        LayerContent::HotReload { dir } => (
            super::hot_reload::CODE_SHA256.to_owned(),
            super::hot_reload::location(dir),
        ),
    };
    m::LayerVersionContentOutput {
        code_sha256: Some(code_sha256),
        code_size: v.content.size(),
        location: Some(location),
        signing_job_arn: None,
        signing_profile_version_arn: None,
    }
}

fn get_response(api: &Api, v: LayerVersion) -> m::GetLayerVersionResponse {
    m::GetLayerVersionResponse {
        content: Some(content(api, &v)),
        compatible_architectures: v.compatible_architectures,
        compatible_runtimes: v.compatible_runtimes,
        created_date: Some(v.created_date),
        description: Some(v.description),
        layer_arn: Some(v.layer_arn),
        layer_version_arn: Some(v.layer_version_arn),
        license_info: v.license_info,
        version: v.version,
    }
}

fn list_item(v: &LayerVersion) -> m::LayerVersionsListItem {
    m::LayerVersionsListItem {
        compatible_architectures: v.compatible_architectures.clone(),
        compatible_runtimes: v.compatible_runtimes.clone(),
        created_date: Some(v.created_date.clone()),
        description: Some(v.description.clone()),
        layer_version_arn: Some(v.layer_version_arn.clone()),
        license_info: v.license_info.clone(),
        version: v.version,
    }
}

/// Reads the layer archive of a PublishLayerVersion request into a stored package, or the
/// directory of a hot-reload layer (`S3Bucket: hot-reload`).
async fn read_content(api: &Api, c: m::LayerVersionContentInput) -> Result<LayerContent, ServiceError> {
    match (c.zip_file, c.s3_bucket, c.s3_key) {
        (Some(zip), None, None) => {
            let bytes = zip.into_inner();
            crate::store::check_zipped_size(bytes.len())?;
            Ok(LayerContent::Zip(api.store.put(bytes).await?))
        }
        (None, Some(bucket), Some(key)) => {
            if let Some(dir) = super::hot_reload::directory(&bucket, &key).await {
                return Ok(LayerContent::HotReload { dir: dir? });
            }
            let bytes = api.fetch_s3(&bucket, &key, c.s3_object_version.as_deref()).await?;
            Ok(LayerContent::Zip(api.store.put(bytes).await?))
        }
        (None, None, None) => Err(errors::invalid_parameter(
            "Please provide a source for the layer content: ZipFile, or S3Bucket and S3Key.",
        )),
        (None, _, _) => Err(errors::invalid_parameter("Both S3Bucket and S3Key must be provided.")),
        (Some(_), _, _) => Err(errors::invalid_parameter(
            "Please do not provide other LayerVersionContentInput parameters when providing a ZipFile.",
        )),
    }
}

pub async fn publish_layer_version(
    api: &Api,
    input: m::PublishLayerVersionRequest,
) -> Result<m::PublishLayerVersionResponse, ServiceError> {
    let name = layer_name(&input.layer_name)?;
    let content = read_content(api, input.content).await?;
    let hot = matches!(content, LayerContent::HotReload { .. });
    let scope = api.scope();
    let description = input.description.unwrap_or_default();
    let (license_info, runtimes, architectures) = (
        input.license_info,
        input.compatible_runtimes,
        input.compatible_architectures,
    );
    let v = api
        .state(move |s| {
            let version = s.layers.next_version(&name);
            let v = LayerVersion {
                layer_arn: scope.layer_arn(&name),
                layer_version_arn: scope.layer_version_arn(&name, version),
                name,
                version,
                content,
                description,
                license_info,
                compatible_runtimes: runtimes,
                compatible_architectures: architectures,
                created_date: now_last_modified(),
                policy: None,
            };
            s.layers.insert(v.clone());
            v
        })
        .await?;
    super::hot_reload::sync(api, hot).await;
    let g = get_response(api, v);
    Ok(m::PublishLayerVersionResponse {
        compatible_architectures: g.compatible_architectures,
        compatible_runtimes: g.compatible_runtimes,
        content: g.content,
        created_date: g.created_date,
        description: g.description,
        layer_arn: g.layer_arn,
        layer_version_arn: g.layer_version_arn,
        license_info: g.license_info,
        version: g.version,
    })
}

pub async fn get_layer_version(
    api: &Api,
    input: m::GetLayerVersionRequest,
) -> Result<m::GetLayerVersionResponse, ServiceError> {
    let name = layer_name(&input.layer_name)?;
    check_version_number(input.version_number)?;
    let n = input.version_number;
    let v = api
        .state(move |s| s.layers.get(&name, n).cloned())
        .await?
        .ok_or_else(|| errors::not_found(NOT_FOUND))?;
    Ok(get_response(api, v))
}

pub async fn get_layer_version_by_arn(
    api: &Api,
    input: m::GetLayerVersionByArnRequest,
) -> Result<m::GetLayerVersionResponse, ServiceError> {
    let arn = input.arn;
    let well_formed = matches!(
        arn.split(':').collect::<Vec<_>>().as_slice(),
        ["arn", _, "lambda", _, _, "layer", name, n] if !name.is_empty() && !n.is_empty() && n.chars().all(|c| c.is_ascii_digit())
    ) || arn.split(':').nth(5) == Some("awslayer");
    if !well_formed {
        return Err(errors::invalid_parameter(format!(
            "1 validation error detected: Value '{arn}' at 'arn' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:[a-z]{{2}}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{{1}}:\\d{{12}}:layer:[a-zA-Z0-9-_]+:[0-9]+)|(arn:[a-zA-Z0-9-]+:lambda:::awslayer:[a-zA-Z0-9-_]+)"
        )));
    }
    let v = api
        .state(move |s| s.layers.by_arn(&arn).cloned())
        .await?
        .ok_or_else(|| errors::not_found(NOT_FOUND))?;
    Ok(get_response(api, v))
}

pub async fn delete_layer_version(api: &Api, input: m::DeleteLayerVersionRequest) -> Result<(), ServiceError> {
    let name = layer_name(&input.layer_name)?;
    check_version_number(input.version_number)?;
    let n = input.version_number;
    api.state(move |s| s.layers.delete(&name, n)).await?;
    super::hot_reload::sync(api, false).await;
    Ok(())
}

pub async fn list_layers(api: &Api, input: m::ListLayersRequest) -> Result<m::ListLayersResponse, ServiceError> {
    let (rt, arch) = (input.compatible_runtime, input.compatible_architecture);
    let items: Vec<m::LayersListItem> = api
        .state(move |s| {
            s.layers
                .by_name
                .iter()
                .filter_map(|(name, layer)| {
                    let latest = layer
                        .versions
                        .values()
                        .rev()
                        .find(|v| v.matches(rt.as_ref(), arch.as_ref()))?;
                    Some(m::LayersListItem {
                        latest_matching_version: Some(list_item(latest)),
                        layer_arn: Some(latest.layer_arn.clone()),
                        layer_name: Some(name.clone()),
                    })
                })
                .collect()
        })
        .await?;
    let (page, next) = crate::pagination::page(
        items,
        |i| i.layer_name.clone().unwrap_or_default(),
        input.marker.as_deref(),
        input.max_items,
        MAX_LIST_ITEMS,
    )?;
    Ok(m::ListLayersResponse {
        layers: Some(page),
        next_marker: next,
    })
}

pub async fn list_layer_versions(
    api: &Api,
    input: m::ListLayerVersionsRequest,
) -> Result<m::ListLayerVersionsResponse, ServiceError> {
    let name = layer_name(&input.layer_name)?;
    let (rt, arch) = (input.compatible_runtime, input.compatible_architecture);
    let items: Vec<m::LayerVersionsListItem> = api
        .state(move |s| {
            s.layers
                .by_name
                .get(&name)
                .map(|l| {
                    l.versions
                        .values()
                        .rev()
                        .filter(|v| v.matches(rt.as_ref(), arch.as_ref()))
                        .map(list_item)
                        .collect()
                })
                .unwrap_or_default()
        })
        .await?;
    // Newest first: the sort key grows as version numbers fall.
    let (page, next) = crate::pagination::page(
        items,
        |i| format!("{:020}", i64::MAX - i.version),
        input.marker.as_deref(),
        input.max_items,
        MAX_LIST_ITEMS,
    )?;
    Ok(m::ListLayerVersionsResponse {
        layer_versions: Some(page),
        next_marker: next,
    })
}

/// Who a layer permission names: an account id, `*`, or an account's root ARN.
fn layer_principal(p: &str, partition: &str) -> Result<Principal, ServiceError> {
    if p == "*" {
        Ok(Principal::Anyone)
    } else if p.len() == 12 && p.chars().all(|c| c.is_ascii_digit()) {
        Ok(Principal::Aws(format!("arn:{partition}:iam::{p}:root")))
    } else if p.starts_with("arn:") && p.ends_with(":root") {
        Ok(Principal::Aws(p.to_string()))
    } else {
        Err(errors::invalid_parameter(
            "The provided principal was invalid. Please check the principal and try again.",
        ))
    }
}

fn layer_version_missing(scope: &crate::arn::Scope, name: &str, n: i64) -> ServiceError {
    errors::not_found(format!(
        "Layer version {} does not exist.",
        scope.layer_version_arn(name, n)
    ))
}

pub async fn add_layer_version_permission(
    api: &Api,
    input: m::AddLayerVersionPermissionRequest,
) -> Result<m::AddLayerVersionPermissionResponse, ServiceError> {
    let name = layer_name(&input.layer_name)?;
    check_version_number(input.version_number)?;
    if input.action != "lambda:GetLayerVersion" {
        return Err(errors::invalid_parameter(format!(
            "1 validation error detected: Value '{}' at 'action' failed to satisfy constraint: Member must satisfy regular expression pattern: lambda:GetLayerVersion",
            input.action
        )));
    }
    let principal = layer_principal(&input.principal, "aws")?;
    let scope = api.scope();
    let n = input.version_number;
    let (sid, action, org, revision) = (
        input.statement_id,
        input.action,
        input.organization_id,
        input.revision_id,
    );
    let (statement, revision_id) = api
        .state_try(move |s| {
            let v = s.layers.get_mut(&name, n).ok_or_else(|| layer_version_missing(&scope, &name, n))?;
            let current = v.policy.as_ref().map(|p| p.revision_id.as_str());
            if let Some(r) = revision.as_deref() {
                if current != Some(r) {
                    return Err(errors::precondition_failed(LAYER_REVISION_MISMATCH));
                }
            }
            if v.policy.as_ref().is_some_and(|p| p.statements.iter().any(|st| st.sid == sid)) {
                return Err(errors::conflict(format!(
                    "The statement id ({sid}) provided already exists. Please provide a new statement id, or remove the existing statement."
                )));
            }
            let statement = Statement {
                sid,
                principal,
                action,
                resource: v.layer_version_arn.clone(),
                conditions: org.map(|o| vec![("StringEquals".to_string(), "aws:PrincipalOrgID".to_string(), o)]).unwrap_or_default(),
            };
            let json = statement.to_json();
            let policy = v.policy.get_or_insert_with(|| LayerPolicy { statements: Vec::new(), revision_id: String::new() });
            policy.statements.push(statement);
            policy.revision_id = new_revision_id();
            Ok((json, policy.revision_id.clone()))
        })
        .await?;
    Ok(m::AddLayerVersionPermissionResponse {
        revision_id: Some(revision_id),
        statement: Some(statement),
    })
}

pub async fn get_layer_version_policy(
    api: &Api,
    input: m::GetLayerVersionPolicyRequest,
) -> Result<m::GetLayerVersionPolicyResponse, ServiceError> {
    let name = layer_name(&input.layer_name)?;
    check_version_number(input.version_number)?;
    let scope = api.scope();
    let n = input.version_number;
    let policy = api
        .state_try(move |s| {
            let v = s
                .layers
                .get(&name, n)
                .ok_or_else(|| layer_version_missing(&scope, &name, n))?;
            v.policy
                .clone()
                .ok_or_else(|| errors::not_found("No policy is associated with the given resource."))
        })
        .await?;
    Ok(m::GetLayerVersionPolicyResponse {
        policy: Some(policy_document(&policy.statements)),
        revision_id: Some(policy.revision_id),
    })
}

pub async fn remove_layer_version_permission(
    api: &Api,
    input: m::RemoveLayerVersionPermissionRequest,
) -> Result<(), ServiceError> {
    let name = layer_name(&input.layer_name)?;
    check_version_number(input.version_number)?;
    let scope = api.scope();
    let n = input.version_number;
    let (sid, revision) = (input.statement_id, input.revision_id);
    api.state_try(move |s| {
        let v = s
            .layers
            .get_mut(&name, n)
            .ok_or_else(|| layer_version_missing(&scope, &name, n))?;
        let not_found = || errors::not_found(format!("Statement {sid} is not found in resource policy."));
        let policy = v
            .policy
            .as_mut()
            .ok_or_else(|| errors::not_found("No policy is associated with the given resource."))?;
        if let Some(r) = revision.as_deref() {
            if policy.revision_id != r {
                return Err(errors::precondition_failed(LAYER_REVISION_MISMATCH));
            }
        }
        let before = policy.statements.len();
        policy.statements.retain(|st| st.sid != sid);
        if policy.statements.len() == before {
            return Err(not_found());
        }
        policy.revision_id = new_revision_id();
        Ok(())
    })
    .await
}

/// The `Layers` of a function configuration for the given layer version ARNs; each must exist.
pub async fn resolve_for_function(api: &Api, arns: &[String]) -> Result<Vec<m::Layer>, ServiceError> {
    if arns.len() > MAX_LAYERS_PER_FUNCTION {
        return Err(errors::invalid_parameter("Cannot reference more than 5 layers."));
    }
    let scope = api.scope();
    // Two versions of one layer may not be used together.
    let mut seen: Vec<(&str, &str)> = Vec::new();
    for arn in arns {
        let layer = arn.rsplit_once(':').map(|(l, _)| l).unwrap_or(arn);
        if let Some((_, first)) = seen.iter().find(|(l, _)| *l == layer) {
            return Err(errors::invalid_parameter(format!(
                "Two different versions of the same layer are not allowed to be referenced in the same function. {first} and {arn} are versions of the same layer."
            )));
        }
        seen.push((layer, arn));
        let parts: Vec<&str> = arn.split(':').collect();
        if parts.len() == 8 && parts[5] == "layer" && parts[3] != scope.region {
            return Err(errors::invalid_parameter(format!(
                "Layers are not in the same region as the function. Layers are expected to be in region {}.",
                scope.region
            )));
        }
    }
    let arns = arns.to_vec();
    api.state(move |s| {
        arns.iter()
            .map(|arn| {
                let v = s
                    .layers
                    .by_arn(arn)
                    .ok_or_else(|| errors::invalid_parameter(format!("Layer version {arn} does not exist.")))?;
                Ok(m::Layer {
                    arn: Some(arn.clone()),
                    code_size: v.content.size(),
                    signing_job_arn: None,
                    signing_profile_version_arn: None,
                })
            })
            .collect()
    })
    .await?
}
