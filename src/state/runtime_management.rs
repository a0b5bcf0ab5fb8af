//! Runtime management configs per qualifier, and recursive-loop settings per function.

use super::per_qualifier::PerQualifier;
use super::table::Table;
use lambda_server::model as m;

/// What `PutRuntimeManagementConfig` set for one version.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RuntimeConfig {
    pub update_runtime_on: m::UpdateRuntimeOn,
    pub runtime_version_arn: Option<String>,
}

#[derive(Default)]
pub struct RuntimeManagement {
    /// By (function name, version: `$LATEST` or a number).
    pub configs: PerQualifier<RuntimeConfig>,
    /// Recursive-loop detection by function name (absent means `Terminate`).
    pub recursion: Table<String, m::RecursiveLoop>,
}

impl RuntimeManagement {
    /// The config of a version; a version never configured follows `Auto`.
    pub fn config(&self, name: &str, version: &str) -> RuntimeConfig {
        self.configs.get_for(name, version).cloned().unwrap_or(RuntimeConfig {
            update_runtime_on: m::UpdateRuntimeOn::Auto,
            runtime_version_arn: None,
        })
    }

    pub fn recursive_loop(&self, name: &str) -> m::RecursiveLoop {
        self.recursion.get(name).cloned().unwrap_or(m::RecursiveLoop::Terminate)
    }

    /// Drops what belongs to a deleted function (or one deleted qualifier of it).
    pub fn forget_function(&mut self, name: &str, qualifier: Option<&str>) {
        self.configs.forget(name, qualifier);
        if qualifier.is_none() {
            self.recursion.remove(name);
        }
    }
}
