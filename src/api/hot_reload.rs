//! Hot reload, the API side: the `hot-reload` S3 marker (`Code: {"S3Bucket": "hot-reload",
//! "S3Key": "/abs/dir"}`, the convention LocalStack and others use) read into a host directory,
//! what such code reports (`CodeSha256`, `CodeSize`, `Code.Location`), and the directories a
//! namespace's functions and layers run from, handed to the watcher (`execution::hot_reload`)
//! after each change that can alter them.

use super::Api;
use crate::errors;
use crate::state::functions::Code;
use crate::state::layers::LayerContent;
use crate::state::State;
use lambda_server::error::ServiceError;
use std::collections::BTreeSet;
use std::path::PathBuf;

/// The bucket name that marks hot-reload code.
pub const MARKER_BUCKET: &str = "hot-reload";
/// The `CodeSha256` of hot-reload code and layers (LocalStack's).
pub const CODE_SHA256: &str = "hot-reloading-hash-not-available";

/// `Code.Location` (and a layer's `Content.Location`) of a directory: no download URL.
pub fn location(dir: &str) -> String {
    format!("Code location: {dir}")
}

/// The directory `S3Key` names when `bucket` is the marker (None otherwise): `$VAR` and `${VAR}`
/// expanded from fauxlambda's environment; it must be absolute and an existing directory.
pub async fn directory(bucket: &str, key: &str) -> Option<Result<String, ServiceError>> {
    if bucket != MARKER_BUCKET {
        return None;
    }
    let expanded = expand_vars(key, |name| std::env::var(name).ok());
    if !expanded.starts_with('/') {
        return Some(Err(errors::invalid_parameter(format!(
            "When using hot reloading, the archive key has to be an absolute path! Your archive key: {key}"
        ))));
    }
    // One spelling per directory (one watch each): no trailing slash.
    let dir = match expanded.trim_end_matches('/') {
        "" => "/".to_owned(),
        d => d.to_owned(),
    };
    let is_dir = tokio::fs::metadata(&dir).await.map(|m| m.is_dir());
    Some(match is_dir {
        Ok(true) => Ok(dir),
        Ok(false) => Err(errors::invalid_parameter(format!(
            "When using hot reloading, the archive key has to be a directory! Your archive key: {key} ({dir} is not a directory)"
        ))),
        Err(e) => Err(errors::invalid_parameter(format!(
            "When using hot reloading, the archive key has to be an existing directory! Your archive key: {key} ({dir}: {e})"
        ))),
    })
}

/// `$NAME` and `${NAME}` replaced by `lookup(NAME)`; names it does not know are left as they are
/// (as a shell's `os.path.expandvars` does).
pub fn expand_vars(s: &str, lookup: impl Fn(&str) -> Option<String>) -> String {
    let is_name = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let (name, len) = if let Some(braced) = after.strip_prefix('{') {
            match braced.find('}') {
                Some(end) => (&braced[..end], end + 2),
                None => ("", 0),
            }
        } else {
            let end = after.find(|c: char| !is_name(c)).unwrap_or(after.len());
            (&after[..end], end)
        };
        match (!name.is_empty() && name.chars().all(is_name))
            .then(|| lookup(name))
            .flatten()
        {
            Some(value) => out.push_str(&value),
            None => out.push_str(&rest[at..at + 1 + len]),
        }
        rest = &rest[at + 1 + len..];
    }
    out.push_str(rest);
    out
}

/// Every directory the namespace runs from in place: each function version's code and layers,
/// and each layer version.
pub fn dirs_in_use(s: &State) -> BTreeSet<PathBuf> {
    let mut dirs = BTreeSet::new();
    let mut layer = |content: Option<&LayerContent>| {
        if let Some(LayerContent::HotReload { dir }) = content {
            dirs.insert(PathBuf::from(dir));
        }
    };
    for l in s.layers.by_name.values() {
        for v in l.versions.values() {
            layer(Some(&v.content));
        }
    }
    let mut code = Vec::new();
    for f in s.functions.by_name.values() {
        for v in std::iter::once(&f.latest).chain(f.versions.values()) {
            if let Code::HotReload { dir } = &v.code {
                code.push(PathBuf::from(dir));
            }
            for arn in v.config.layers.iter().flatten().filter_map(|l| l.arn.as_deref()) {
                layer(s.layers.content(arn));
            }
        }
    }
    dirs.extend(code);
    dirs
}

/// The watcher's name of the request's namespace.
fn namespace_key(api: &Api) -> String {
    let ns = api.namespace();
    format!("{}/{}", ns.account, ns.region)
}

/// Tells the watcher the directories the request's namespace uses, after a change that can have
/// altered them: always when `hot` (the change involved hot-reload code or a layer), else only
/// when the namespace used some before (nothing to do for the many that never do).
pub async fn sync(api: &Api, hot: bool) {
    let key = namespace_key(api);
    let watcher = api.execution.hot_reload.clone();
    if !hot && !watcher.in_use(&key) {
        return;
    }
    let w = watcher.clone();
    // Numbered inside the job: jobs run in order, so a set computed later wins.
    match api.state(move |s| (w.next_seq(), dirs_in_use(s))).await {
        Ok((seq, dirs)) => watcher.sync(&key, seq, dirs),
        Err(e) => tracing::warn!("hot reload: the directories in use could not be read: {e:?}"),
    }
}

/// The directories of every namespace (after state is loaded rather than built by requests).
pub async fn sync_all(api: &Api) {
    let watcher = api.execution.hot_reload.clone();
    let w = watcher.clone();
    let all = api
        .state
        .call_all(move |all| {
            all.iter()
                .map(|(ns, s)| (format!("{}/{}", ns.account, ns.region), w.next_seq(), dirs_in_use(s)))
                .collect::<Vec<_>>()
        })
        .await;
    match all {
        Ok(all) => {
            for (key, seq, dirs) in all {
                watcher.sync(&key, seq, dirs);
            }
        }
        Err(e) => tracing::warn!("hot reload: the directories in use could not be read: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_are_expanded_like_expandvars() {
        let lookup = |n: &str| match n {
            "HOME" => Some("/home/me".to_owned()),
            "X_1" => Some("x".to_owned()),
            _ => None,
        };
        assert_eq!(expand_vars("$HOME/src", lookup), "/home/me/src");
        assert_eq!(expand_vars("${HOME}/a/${X_1}y", lookup), "/home/me/a/xy");
        assert_eq!(expand_vars("$X_1$X_1", lookup), "xx");
        assert_eq!(expand_vars("$NOPE/a/${NOPE}", lookup), "$NOPE/a/${NOPE}");
        assert_eq!(expand_vars("a$/b${/c${unterminated", lookup), "a$/b${/c${unterminated");
        assert_eq!(expand_vars("/plain/path", lookup), "/plain/path");
    }
}
