//! Functions: `$LATEST`, the published versions and the aliases of every function, with the rules
//! that tie them together (publishing only what changed, revision ids, states).

use super::table::Table;
use crate::errors;
use crate::store::Package;
use lambda_server::error::ServiceError;
use lambda_server::model::{
    AliasConfiguration, FunctionConfiguration, LastUpdateStatus, RuntimeVersionConfig, State as FnState,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Where a version's code comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Code {
    Zip(Package),
    Image {
        uri: String,
    },
    /// Hot reload (`S3Bucket: hot-reload`): the code is this host directory (an absolute path),
    /// run in place.
    HotReload {
        dir: String,
    },
}

/// One version of a function: its configuration as the API shows it, and its code.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Version {
    pub config: FunctionConfiguration,
    pub code: Code,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Function {
    pub latest: Version,
    pub versions: BTreeMap<u64, Version>,
    /// The last version number handed out (never reused).
    pub last_version: u64,
    pub aliases: BTreeMap<String, AliasConfiguration>,
}

impl Function {
    pub fn name(&self) -> &str {
        self.latest.config.function_name.as_deref().unwrap_or("")
    }

    /// The version a qualifier names: `$LATEST`, a number, or an alias (resolved to its primary
    /// version).
    pub fn resolve(&self, qualifier: Option<&str>) -> Option<&Version> {
        match qualifier {
            None | Some("$LATEST") => Some(&self.latest),
            Some(q) if q.chars().all(|c| c.is_ascii_digit()) => self.versions.get(&q.parse().ok()?),
            Some(alias) => {
                let a = self.aliases.get(alias)?;
                self.resolve(a.function_version.as_deref())
            }
        }
    }
}

#[derive(Default)]
pub struct Functions {
    pub by_name: Table<String, Function>,
    /// Functions loaded from the data directory, as stored, while they are `Pending` again
    /// (in memory only: the disk keeps what was stored).
    restarting: BTreeMap<String, Function>,
}

pub fn new_revision_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

impl Functions {
    pub fn get(&self, name: &str) -> Option<&Function> {
        self.by_name.get(name)
    }

    pub fn get_mut(&mut self, name: &str) -> Option<&mut Function> {
        self.by_name.get_mut(name)
    }

    /// Adds a new function; `Function already exist` when the name is taken.
    pub fn create(&mut self, latest: Version) -> Result<(), ServiceError> {
        let name = latest.config.function_name.clone().unwrap_or_default();
        if self.by_name.contains_key(&name) {
            return Err(errors::conflict(format!("Function already exist: {name}")));
        }
        self.by_name.insert(
            name,
            Function {
                latest,
                versions: BTreeMap::new(),
                last_version: 0,
                aliases: BTreeMap::new(),
            },
        );
        Ok(())
    }

    /// Marks a function (and the versions published while it was `Pending` or updating) `Active`
    /// once its creation "finished": a new revision id, `LastUpdateStatus: Successful` and the
    /// runtime version it runs.
    pub fn activate(&mut self, name: &str) {
        if let Some(f) = self.by_name.get_mut(name) {
            activate_config(&mut f.latest.config);
            for v in f.versions.values_mut() {
                activate_config(&mut v.config);
            }
        }
    }

    /// After a restart: every loaded function and its versions `Pending` again, as AWS brings them
    /// back, until `finish_restart`. Answers their names.
    pub fn restart(&mut self) -> Vec<String> {
        let names: Vec<String> = self.by_name.keys().cloned().collect();
        for name in &names {
            let f = self.by_name.get_mut(name).expect("listed");
            self.restarting.insert(name.clone(), f.clone());
            for c in std::iter::once(&mut f.latest.config).chain(f.versions.values_mut().map(|v| &mut v.config)) {
                c.state = Some(FnState::Pending);
                c.state_reason = Some("The function is being created.".into());
                c.state_reason_code = Some(lambda_server::model::StateReasonCode::Creating);
                c.last_update_status = None;
                c.last_update_status_reason = None;
                c.last_update_status_reason_code = None;
            }
        }
        names
    }

    /// A restarted function back as it was stored (one still settling when it was stored
    /// settles now, as it would have).
    pub fn finish_restart(&mut self, name: &str) {
        let (Some(stored), Some(f)) = (self.restarting.remove(name), self.by_name.get_mut(name)) else {
            return;
        };
        restore_state(&mut f.latest.config, &stored.latest.config);
        for (n, v) in f.versions.iter_mut() {
            if let Some(s) = stored.versions.get(n) {
                restore_state(&mut v.config, &s.config);
            }
        }
        self.activate(name);
        self.finish_update(name);
    }

    /// Marks the last update of `$LATEST` as finished (a new revision id, like AWS).
    pub fn finish_update(&mut self, name: &str) {
        if let Some(f) = self.by_name.get_mut(name) {
            let c = &mut f.latest.config;
            if c.last_update_status == Some(LastUpdateStatus::InProgress) {
                c.last_update_status = Some(LastUpdateStatus::Successful);
                c.last_update_status_reason = None;
                c.last_update_status_reason_code = None;
                c.revision_id = Some(new_revision_id());
                if c.state == Some(FnState::Active) {
                    c.runtime_version_config = runtime_version_config(c);
                }
            }
        }
    }
}

/// A configuration's state as stored, put back after a restart.
fn restore_state(c: &mut FunctionConfiguration, stored: &FunctionConfiguration) {
    c.state = stored.state.clone();
    c.state_reason = stored.state_reason.clone();
    c.state_reason_code = stored.state_reason_code.clone();
    c.last_update_status = stored.last_update_status.clone();
    c.last_update_status_reason = stored.last_update_status_reason.clone();
    c.last_update_status_reason_code = stored.last_update_status_reason_code.clone();
}

/// `Pending` → `Active` for one version's configuration.
fn activate_config(c: &mut FunctionConfiguration) {
    if c.state != Some(FnState::Pending) {
        return;
    }
    c.state = Some(FnState::Active);
    c.state_reason = None;
    c.state_reason_code = None;
    c.last_update_status = Some(LastUpdateStatus::Successful);
    c.revision_id = Some(new_revision_id());
    c.runtime_version_config = runtime_version_config(c);
}

/// The runtime version a managed runtime runs, as AWS shows it once the function is `Active`:
/// `arn:aws:lambda:<region>::runtime:<64 hex>`, stable per runtime (the SHA-256 of its
/// identifier). Functions without a runtime (images) have none.
pub fn runtime_version_config(c: &FunctionConfiguration) -> Option<RuntimeVersionConfig> {
    use sha2::Digest;
    let runtime = c.runtime.as_ref()?;
    let region = c.function_arn.as_deref()?.split(':').nth(3)?;
    let hex: String = sha2::Sha256::digest(runtime.as_str().as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Some(RuntimeVersionConfig {
        runtime_version_arn: Some(format!("arn:aws:lambda:{region}::runtime:{hex}")),
        error: None,
    })
}

/// What publishing compares: the code and every setting that a version freezes.
pub fn same_content(a: &Version, b: &Version) -> bool {
    let strip = |c: &FunctionConfiguration| {
        let mut c = c.clone();
        c.version = None;
        c.function_arn = None;
        c.last_modified = None;
        c.revision_id = None;
        c.description = None;
        c.state = None;
        c.state_reason = None;
        c.state_reason_code = None;
        c.last_update_status = None;
        c.last_update_status_reason = None;
        c.last_update_status_reason_code = None;
        c.runtime_version_config = None;
        c
    };
    a.code == b.code && strip(&a.config) == strip(&b.config)
}
