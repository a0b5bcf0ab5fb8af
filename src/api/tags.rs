//! Tags on every taggable resource: ListTags, TagResource, UntagResource.

use super::Api;
use crate::arn::FunctionRef;
use crate::errors;
use crate::state::functions::new_revision_id;
use crate::state::State;
use lambda_server::error::ServiceError;
use lambda_server::model as m;
use std::collections::HashMap;

/// AWS's limit on the tags of one resource.
const MAX_TAGS: usize = 50;

const TOO_MANY_TAGS: &str = "Number of tags exceeds resource tag limit.";

/// The tag limit at creation (CreateFunction, CreateEventSourceMapping, CreateCodeSigningConfig,
/// CreateCapacityProvider): more than 50 tags is refused before anything is created.
pub fn check_new_tags(tags: Option<&HashMap<String, String>>) -> Result<(), ServiceError> {
    match tags {
        Some(t) if t.len() > MAX_TAGS => Err(errors::invalid_parameter(TOO_MANY_TAGS)),
        _ => Ok(()),
    }
}

/// A taggable resource, read from its ARN.
enum Resource {
    /// A function, by name; tags live under its unqualified ARN.
    Function { name: String, arn: String },
    /// An event source mapping, code signing config or capacity provider, by ARN.
    Other { arn: String },
}

fn malformed(arn: &str) -> ServiceError {
    errors::invalid_parameter(format!(
        "1 validation error detected: Value '{arn}' at 'resource' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*):lambda:(eusc-)?[a-z]{{2}}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{{1}}:\\d{{12}}:(function:[a-zA-Z0-9-_]+(:(\\$LATEST|[a-zA-Z0-9-_]+))?|code-signing-config:csc-[a-z0-9]{{17}}|event-source-mapping:[0-9a-fA-F]{{8}}-[0-9a-fA-F]{{4}}-[0-9a-fA-F]{{4}}-[0-9a-fA-F]{{4}}-[0-9a-fA-F]{{12}}|capacity-provider:[a-zA-Z0-9-_]{{1,64}})"
    ))
}

fn resource(api: &Api, arn: &str) -> Result<Resource, ServiceError> {
    let scope = api.scope();
    let parts: Vec<&str> = arn.split(':').collect();
    if parts.len() < 7 || parts[0] != "arn" || parts[2] != "lambda" {
        return Err(malformed(arn));
    }
    match parts[5] {
        "function" => {
            let f = FunctionRef::parse(arn, None, &scope)?;
            if f.qualifier.is_some() {
                return Err(errors::invalid_parameter(
                    "Tags on function aliases and versions are not supported. Please specify a function ARN.",
                ));
            }
            Ok(Resource::Function {
                arn: scope.function_arn(&f.name),
                name: f.name,
            })
        }
        "event-source-mapping" | "code-signing-config" | "capacity-provider"
            if parts.len() == 7 && !parts[6].is_empty() =>
        {
            if parts[3] != scope.region || parts[4] != scope.account {
                return Err(errors::not_found("The resource you requested does not exist."));
            }
            Ok(Resource::Other { arn: arn.to_string() })
        }
        _ => Err(malformed(arn)),
    }
}

/// Checks the resource exists (AWS's not-found wording differs by resource type) and returns the
/// ARN its tags are kept under.
fn existing<'a>(s: &State, target: &'a Resource) -> Result<&'a str, ServiceError> {
    match target {
        Resource::Function { name, arn } => {
            if s.functions.get(name).is_none() {
                return Err(errors::not_found(format!("Function not found: {arn}")));
            }
            Ok(arn)
        }
        Resource::Other { arn } => {
            let id = arn.rsplit(':').next().unwrap_or_default();
            if arn.contains(":event-source-mapping:") && !s.event_source_mappings.by_uuid.contains_key(id) {
                return Err(errors::not_found(format!("Event source mapping not found: {arn}")));
            }
            if arn.contains(":capacity-provider:") && !s.capacity_providers.by_name.contains_key(id) {
                return Err(errors::not_found(format!("Capacity provider not found: {arn}")));
            }
            if arn.contains(":code-signing-config:") && !s.code_signing.configs.contains_key(arn.as_str()) {
                return Err(super::code_signing::not_found(arn));
            }
            Ok(arn)
        }
    }
}

pub async fn list_tags(api: &Api, input: m::ListTagsRequest) -> Result<m::ListTagsResponse, ServiceError> {
    let target = resource(api, &input.resource)?;
    let tags = api.state_try(move |s| Ok(s.tags.get(existing(s, &target)?))).await?;
    Ok(m::ListTagsResponse { tags: Some(tags) })
}

pub async fn tag_resource(api: &Api, input: m::TagResourceRequest) -> Result<(), ServiceError> {
    if input.tags.is_empty() {
        return Err(errors::invalid_parameter(
            "An error occurred and the request cannot be processed.",
        ));
    }
    let target = resource(api, &input.resource)?;
    let tags: HashMap<String, String> = input.tags;
    api.state_try(move |s| {
        let arn = existing(s, &target)?;
        let mut merged = s.tags.get(arn);
        merged.extend(tags.clone());
        if merged.len() > MAX_TAGS {
            return Err(errors::invalid_parameter(TOO_MANY_TAGS));
        }
        s.tags.set(arn, tags);
        if let Resource::Function { name, .. } = &target {
            // Tagging a function changes its revision, as on AWS.
            if let Some(f) = s.functions.get_mut(name) {
                f.latest.config.revision_id = Some(new_revision_id());
            }
        }
        Ok(())
    })
    .await
}

pub async fn untag_resource(api: &Api, input: m::UntagResourceRequest) -> Result<(), ServiceError> {
    let target = resource(api, &input.resource)?;
    let keys = input.tag_keys;
    api.state_try(move |s| {
        let arn = existing(s, &target)?;
        s.tags.remove(arn, &keys);
        if let Resource::Function { name, .. } = &target {
            if let Some(f) = s.functions.get_mut(name) {
                f.latest.config.revision_id = Some(new_revision_id());
            }
        }
        Ok(())
    })
    .await
}
