//! What an executor needs to start an environment for one function version: the `FunctionSpec`,
//! built from the stored configuration on each invoke (by `api::function_spec`; the pool compares
//! it with the spec of its warm environments, so a changed configuration never reuses an old one).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

/// A stored layer package, in the order the function lists it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LayerPackage {
    pub sha256_hex: String,
    pub zip: PathBuf,
    /// Hot reload: the layer is this host directory, used as it is now (`sha256_hex` and `zip`
    /// are then empty).
    pub dir: Option<PathBuf>,
}

/// A container image function (`PackageType: Image`): its image and `ImageConfig` overrides.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImageSpec {
    pub uri: String,
    pub entry_point: Option<Vec<String>>,
    pub command: Option<Vec<String>>,
    pub working_directory: Option<String>,
}

/// Everything needed to start an environment for one function version.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FunctionSpec {
    pub function_name: String,
    /// `$LATEST` or a version number.
    pub version: String,
    /// Empty for image functions.
    pub runtime: String,
    pub handler: String,
    pub memory_mb: u32,
    pub timeout: Duration,
    pub region: String,
    pub account_id: String,
    /// The function's own variables.
    pub environment: BTreeMap<String, String>,
    /// The zip package (empty for image functions and hot-reload code).
    pub code_sha256_hex: String,
    pub code_zip: PathBuf,
    /// Hot reload: the code is this host directory, run in place.
    pub code_dir: Option<PathBuf>,
    pub layers: Vec<LayerPackage>,
    /// Set for image functions.
    pub image: Option<ImageSpec>,
    /// `x86_64` (default) or `arm64`.
    pub architecture: String,
    /// `EphemeralStorage` in MB (512 by default): the size of `/tmp`.
    pub ephemeral_storage_mb: u32,
}

impl FunctionSpec {
    /// The host directories it runs from in place (hot reload): its code's, its layers'.
    pub fn hot_dirs(&self) -> impl Iterator<Item = &PathBuf> {
        self.code_dir
            .iter()
            .chain(self.layers.iter().filter_map(|l| l.dir.as_ref()))
    }

    /// The Lambda runtime family (`python`, `nodejs`, `provided`, …) of the runtime id.
    pub fn family(&self) -> &str {
        let rt = self.runtime.as_str();
        let end = rt.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(rt.len());
        &rt[..end]
    }
}
