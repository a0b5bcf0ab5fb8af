//! The environment variables AWS gives a function (lambda-semantics §3) that do not depend on
//! where the executor put its files, and the layer search paths of each runtime family. Each
//! executor adds its own paths on top.

use super::spec::FunctionSpec;
use std::collections::BTreeMap;

/// Dummy role credentials every function gets (any credentials work against the emulator).
pub const ACCESS_KEY_ID: &str = "ASIAFAUXLAMBDA000000";
pub const SECRET_ACCESS_KEY: &str = "fauxlambda/secret/access/key/000000000000";
pub const SESSION_TOKEN: &str = "fauxlambda-session-token";

/// The function's own variables, then `extra` (platform additions such as `AWS_ENDPOINT_URL`),
/// then the reserved variables, each overriding the one before (RIE's precedence).
pub fn platform(
    spec: &FunctionSpec,
    runtime_api: &str,
    env_id: &str,
    extra: &BTreeMap<String, String>,
) -> BTreeMap<String, String> {
    let mut v: BTreeMap<String, String> = spec.environment.clone();
    for (k, val) in extra {
        v.insert(k.clone(), val.clone());
    }
    let mut set = |k: &str, val: String| {
        v.insert(k.to_owned(), val);
    };
    set("AWS_LAMBDA_RUNTIME_API", runtime_api.to_owned());
    if !spec.handler.is_empty() {
        set("_HANDLER", spec.handler.clone());
    }
    set("AWS_REGION", spec.region.clone());
    set("AWS_DEFAULT_REGION", spec.region.clone());
    set("AWS_LAMBDA_FUNCTION_NAME", spec.function_name.clone());
    set("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", spec.memory_mb.to_string());
    set("AWS_LAMBDA_FUNCTION_VERSION", spec.version.clone());
    set("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand".into());
    set("AWS_LAMBDA_LOG_GROUP_NAME", log_group_name(&spec.function_name));
    set("AWS_LAMBDA_LOG_STREAM_NAME", log_stream_name(&spec.version, env_id));
    set("AWS_ACCESS_KEY", ACCESS_KEY_ID.into());
    set("AWS_ACCESS_KEY_ID", ACCESS_KEY_ID.into());
    set("AWS_SECRET_ACCESS_KEY", SECRET_ACCESS_KEY.into());
    set("AWS_SESSION_TOKEN", SESSION_TOKEN.into());
    set("AWS_XRAY_CONTEXT_MISSING", "LOG_ERROR".into());
    set("AWS_XRAY_DAEMON_ADDRESS", "127.0.0.1:2000".into());
    set("_AWS_XRAY_DAEMON_ADDRESS", "127.0.0.1".into());
    set("_AWS_XRAY_DAEMON_PORT", "2000".into());
    let rtid = spec.runtime.as_str();
    if !rtid.is_empty() && !rtid.starts_with("provided") {
        set("AWS_EXECUTION_ENV", format!("AWS_Lambda_{rtid}"));
    }
    v
}

/// The variables an external extension gets: the function's, without the `_`-prefixed ones.
pub fn for_extension(function_env: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    function_env
        .iter()
        .filter(|(k, _)| !k.starts_with('_'))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// `PYTHONPATH` of a Python runtime: the layer paths (`opt`), then the runtime directory.
pub fn python_path(spec: &FunctionSpec, opt: &str, runtime_dir: &str) -> Option<String> {
    let ver = spec.runtime.strip_prefix("python")?;
    Some(format!(
        "{opt}/python/lib/python{ver}/site-packages:{opt}/python:{runtime_dir}"
    ))
}

/// `PYTHONPYCACHEPREFIX` of a Python function that runs code from host directories (hot reload):
/// bytecode under the environment's own `tmp`, so none is written into those directories and a
/// stale cache there (from an edit within the same second) is never read. None when the function
/// sets it itself.
pub fn python_cache_prefix(spec: &FunctionSpec, tmp: &str) -> Option<String> {
    let hot = spec.hot_dirs().next().is_some();
    (hot && spec.runtime.starts_with("python") && !spec.environment.contains_key("PYTHONPYCACHEPREFIX"))
        .then(|| format!("{tmp}/.pycache"))
}

/// `NODE_PATH` of a Node.js runtime, as AWS's bootstrap sets it.
pub fn node_path(spec: &FunctionSpec, opt: &str, runtime_dir: &str, task: &str) -> Option<String> {
    let major = spec.runtime.strip_prefix("nodejs")?.trim_end_matches(".x");
    Some(format!("{opt}/nodejs/node{major}/node_modules:{opt}/nodejs/node_modules:{runtime_dir}/node_modules:{runtime_dir}:{task}"))
}

/// `/aws/lambda/<name>`.
pub fn log_group_name(function_name: &str) -> String {
    format!("/aws/lambda/{function_name}")
}

/// `YYYY/MM/DD/[<version>]<32 hex>`.
pub fn log_stream_name(version: &str, env_id: &str) -> String {
    format!("{}/[{version}]{env_id}", crate::clock::log_stream_date())
}
