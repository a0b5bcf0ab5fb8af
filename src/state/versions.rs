//! Publishing: freezing `$LATEST` into the next version number, or answering the last version when
//! nothing changed since it was published.

use crate::clock::now_last_modified;
use crate::errors;
use crate::state::functions::{new_revision_id, same_content, Function};
use lambda_server::error::ServiceError;
use lambda_server::model as m;

/// Publishes `$LATEST` of `f`. `code_sha256` and `revision_id` are the optional preconditions of
/// PublishVersion; `description` the version's own description. `Publish` on CreateFunction
/// publishes while the function is still `Pending` (the version is Pending too until it settles).
pub fn publish(
    f: &mut Function,
    code_sha256: Option<&str>,
    revision_id: Option<&str>,
    description: Option<String>,
    on_create: bool,
) -> Result<m::FunctionConfiguration, ServiceError> {
    let latest = &f.latest.config;
    let settling =
        latest.state == Some(m::State::Pending) || latest.last_update_status == Some(m::LastUpdateStatus::InProgress);
    if latest.state == Some(m::State::Pending) && !on_create {
        return Err(errors::conflict(
            "The operation cannot be performed at this time. The function is currently in the following state: Pending",
        ));
    }
    // Hot-reload code has no hash to compare (LocalStack skips the check too).
    let hot_reload = matches!(f.latest.code, crate::state::functions::Code::HotReload { .. });
    if let Some(given) = code_sha256.filter(|_| !hot_reload) {
        let current = latest.code_sha256.as_deref().unwrap_or("");
        if given != current {
            return Err(errors::invalid_parameter(format!(
                "CodeSHA256 ({given}) is different from current CodeSHA256 in $LATEST ({current}). Please try again with the CodeSHA256 in $LATEST."
            )));
        }
    }
    if let Some(given) = revision_id {
        if latest.revision_id.as_deref() != Some(given) {
            return Err(errors::precondition_failed(
                "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id",
            ));
        }
    }
    if let Some((_, last)) = f.versions.iter().next_back() {
        if same_content(last, &f.latest) {
            return Ok(last.config.clone());
        }
    }
    f.last_version += 1;
    let n = f.last_version;
    let mut v = f.latest.clone();
    let arn = latest.function_arn.clone().unwrap_or_default();
    v.config.version = Some(n.to_string());
    v.config.function_arn = Some(format!("{arn}:{n}"));
    v.config.last_modified = Some(now_last_modified());
    v.config.revision_id = Some(new_revision_id());
    v.config.last_update_status_reason = None;
    v.config.last_update_status_reason_code = None;
    // A version published while `$LATEST` is still being created or updated starts `Pending`, like
    // the function itself, and settles with it.
    if settling {
        v.config.state = Some(m::State::Pending);
        v.config.state_reason = Some("The function is being created.".into());
        v.config.state_reason_code = Some(m::StateReasonCode::Creating);
        v.config.last_update_status = None;
        v.config.runtime_version_config = None;
    } else {
        v.config.last_update_status = Some(m::LastUpdateStatus::Successful);
    }
    if let Some(d) = description {
        v.config.description = Some(d);
    }
    let out = v.config.clone();
    f.versions.insert(n, v);
    // Publishing bumps the revision of $LATEST too.
    f.latest.config.revision_id = Some(new_revision_id());
    Ok(out)
}
