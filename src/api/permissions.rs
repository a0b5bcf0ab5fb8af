//! Resource-based policies of functions: AddPermission, RemovePermission, GetPolicy.

use super::Api;
use crate::arn::{FunctionRef, Scope};
use crate::errors;
use crate::state::functions::new_revision_id;
use crate::state::permissions::{policy_document, Principal, Statement};
use crate::state::State;
use lambda_server::error::ServiceError;
use lambda_server::model as m;

/// AWS's limit on the size of a function's resource policy.
const MAX_POLICY_SIZE: usize = 20480;

const REVISION_MISMATCH: &str =
    "The Revision Id provided does not match the latest Revision Id. Call the GetPolicy API to retrieve the latest Revision Id";

/// Reads a principal the way Lambda writes it into a statement.
fn principal(p: &str, partition: &str) -> Result<Principal, ServiceError> {
    let service_suffix = [".amazonaws.com", ".amazonaws.com.cn", ".amazon.com"];
    if p == "*" {
        Ok(Principal::Anyone)
    } else if p.len() == 12 && p.chars().all(|c| c.is_ascii_digit()) {
        Ok(Principal::Aws(format!("arn:{partition}:iam::{p}:root")))
    } else if p.starts_with("arn:") && p.split(':').nth(2) == Some("iam") {
        Ok(Principal::Aws(p.to_string()))
    } else if !p.contains(':') && service_suffix.iter().any(|s| p.ends_with(s) && p.len() > s.len()) {
        Ok(Principal::Service(p.to_string()))
    } else {
        Err(errors::invalid_parameter(
            "The provided principal was invalid. Please check the principal and try again.",
        ))
    }
}

fn is_version(q: &str) -> bool {
    q.chars().all(|c| c.is_ascii_digit())
}

/// The revision id of the function version or alias a policy belongs to; AWS's not-found errors
/// when the function or the qualifier does not exist.
fn target_revision<'a>(
    s: &'a mut State,
    scope: &Scope,
    name: &str,
    qualifier: Option<&str>,
) -> Result<&'a mut Option<String>, ServiceError> {
    let func = s
        .functions
        .get_mut(name)
        .ok_or_else(|| errors::not_found(format!("Function not found: {}", scope.function_arn(name))))?;
    match qualifier {
        None | Some("$LATEST") => Ok(&mut func.latest.config.revision_id),
        Some(q) if is_version(q) => q
            .parse::<u64>()
            .ok()
            .and_then(|n| func.versions.get_mut(&n))
            .map(|v| &mut v.config.revision_id)
            .ok_or_else(|| errors::not_found(format!("Function not found: {}", scope.qualified_arn(name, q)))),
        Some(alias) => {
            func.aliases.get_mut(alias).map(|a| &mut a.revision_id).ok_or_else(|| {
                errors::not_found(format!("Cannot find alias arn: {}", scope.qualified_arn(name, alias)))
            })
        }
    }
}

/// The policy key of a qualifier: `$LATEST` and none are the same policy.
fn policy_key(qualifier: Option<&str>) -> Option<String> {
    qualifier.filter(|q| *q != "$LATEST").map(str::to_string)
}

pub async fn add_permission(
    api: &Api,
    input: m::AddPermissionRequest,
) -> Result<m::AddPermissionResponse, ServiceError> {
    let scope = api.scope();
    let f = FunctionRef::parse(&input.function_name, input.qualifier.as_deref(), &scope)?;
    if f.qualifier.as_deref() == Some("$LATEST") {
        return Err(errors::invalid_parameter(
            "We currently do not support adding policies for $LATEST.",
        ));
    }
    let principal = principal(&input.principal, "aws")?;
    let mut conditions = Vec::new();
    let mut string_equals =
        |key: &str, value: String| conditions.push(("StringEquals".to_string(), key.to_string(), value));
    if let Some(t) = &input.function_url_auth_type {
        string_equals("lambda:FunctionUrlAuthType", t.as_str().to_string());
    }
    if let Some(o) = input.principal_org_id {
        string_equals("aws:PrincipalOrgID", o);
    }
    if let Some(a) = input.source_account {
        string_equals("AWS:SourceAccount", a);
    }
    if let Some(t) = input.event_source_token {
        string_equals("lambda:EventSourceToken", t);
    }
    if let Some(a) = input.source_arn {
        conditions.push(("ArnLike".to_string(), "AWS:SourceArn".to_string(), a));
    }
    if input.invoked_via_function_url == Some(true) {
        conditions.push((
            "Bool".to_string(),
            "lambda:InvokedViaFunctionUrl".to_string(),
            "true".to_string(),
        ));
    }
    let statement = Statement {
        sid: input.statement_id,
        principal,
        action: input.action,
        resource: scope.arn(&f.name, f.qualifier.as_deref()),
        conditions,
    };
    let revision = input.revision_id;
    let json = api
        .state_try(move |s| {
            let key = policy_key(f.qualifier.as_deref());
            let current = target_revision(s, &scope, &f.name, key.as_deref())?.clone();
            if let Some(r) = revision.as_deref() {
                if current.as_deref() != Some(r) {
                    return Err(errors::precondition_failed(REVISION_MISMATCH));
                }
            }
            if s.permissions.contains(&f.name, key.as_deref(), &statement.sid) {
                return Err(errors::conflict(format!(
                    "The statement id ({}) provided already exists. Please provide a new statement id, or remove the existing statement.",
                    statement.sid
                )));
            }
            let mut all = s.permissions.statements(&f.name, key.as_deref()).to_vec();
            all.push(statement.clone());
            let size = policy_document(&all).len();
            if size > MAX_POLICY_SIZE {
                return Err(errors::policy_too_long(format!("The final policy size ({size}) is bigger than the limit ({MAX_POLICY_SIZE}).")));
            }
            let json = statement.to_json();
            s.permissions.add(&f.name, key.as_deref(), statement);
            *target_revision(s, &scope, &f.name, key.as_deref())? = Some(new_revision_id());
            Ok(json)
        })
        .await?;
    Ok(m::AddPermissionResponse { statement: Some(json) })
}

pub async fn get_policy(api: &Api, input: m::GetPolicyRequest) -> Result<m::GetPolicyResponse, ServiceError> {
    let scope = api.scope();
    let f = FunctionRef::parse(&input.function_name, input.qualifier.as_deref(), &scope)?;
    let (policy, revision) = api
        .state_try(move |s| {
            let key = policy_key(f.qualifier.as_deref());
            // A missing function or version is AWS's generic not-found here, not `Function not found`.
            let missing = match (s.functions.get(&f.name), key.as_deref()) {
                (None, _) => true,
                (Some(func), Some(q)) if is_version(q) => {
                    q.parse::<u64>().ok().and_then(|n| func.versions.get(&n)).is_none()
                }
                _ => false,
            };
            if missing {
                return Err(errors::not_found("The resource you requested does not exist."));
            }
            let revision = target_revision(s, &scope, &f.name, key.as_deref())?.clone();
            let statements = s.permissions.statements(&f.name, key.as_deref());
            if statements.is_empty() {
                return Err(errors::not_found("The resource you requested does not exist."));
            }
            Ok((policy_document(statements), revision))
        })
        .await?;
    Ok(m::GetPolicyResponse {
        policy: Some(policy),
        revision_id: revision,
    })
}

pub async fn remove_permission(api: &Api, input: m::RemovePermissionRequest) -> Result<(), ServiceError> {
    let scope = api.scope();
    let f = FunctionRef::parse(&input.function_name, input.qualifier.as_deref(), &scope)?;
    let (sid, revision) = (input.statement_id, input.revision_id);
    api.state_try(move |s| {
        if s.functions.get(&f.name).is_none() {
            return Err(errors::not_found(format!(
                "No policy found for: {}",
                scope.function_arn(&f.name)
            )));
        }
        let key = policy_key(f.qualifier.as_deref());
        let current = target_revision(s, &scope, &f.name, key.as_deref())?.clone();
        if s.permissions.statements(&f.name, key.as_deref()).is_empty() {
            return Err(errors::not_found("No policy is associated with the given resource."));
        }
        if !s.permissions.contains(&f.name, key.as_deref(), &sid) {
            return Err(errors::not_found(format!(
                "Statement {sid} is not found in resource policy."
            )));
        }
        if let Some(r) = revision.as_deref() {
            if current.as_deref() != Some(r) {
                return Err(errors::precondition_failed(REVISION_MISMATCH));
            }
        }
        s.permissions.remove(&f.name, key.as_deref(), &sid);
        *target_revision(s, &scope, &f.name, key.as_deref())? = Some(new_revision_id());
        Ok(())
    })
    .await
}
