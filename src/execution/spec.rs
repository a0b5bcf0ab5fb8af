//! What an executor needs to start an environment for one function version: the `FunctionSpec`,
//! built from the stored configuration on each invoke (the pool compares it with the spec of its
//! warm environments, so a changed configuration never reuses an old one).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

/// A stored layer package, in the order the function lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LayerPackage {
    pub sha256_hex: String,
    pub zip: PathBuf,
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
    /// The zip package (empty for image functions).
    pub code_sha256_hex: String,
    pub code_zip: PathBuf,
    pub layers: Vec<LayerPackage>,
    /// Set for image functions.
    pub image: Option<ImageSpec>,
    /// `x86_64` (default) or `arm64`.
    pub architecture: String,
    /// `EphemeralStorage` in MB (512 by default): the size of `/tmp`.
    pub ephemeral_storage_mb: u32,
}

impl FunctionSpec {
    /// The spec of a stored function version.
    pub fn from_version(
        state: &crate::state::State,
        store: &crate::store::Store,
        version: &crate::state::functions::Version,
        region: &str,
        account_id: &str,
    ) -> Result<FunctionSpec, String> {
        let c = &version.config;
        let mut layers = Vec::new();
        for l in c.layers.iter().flatten() {
            let arn = l.arn.clone().unwrap_or_default();
            let p = state
                .layers
                .package(&arn)
                .ok_or_else(|| format!("layer {arn} has no stored package"))?;
            layers.push(LayerPackage {
                sha256_hex: p.sha256_hex.clone(),
                zip: store.path(&p.sha256_hex),
            });
        }
        let (code_sha256_hex, code_zip, image) = match &version.code {
            crate::state::functions::Code::Zip(pkg) => (pkg.sha256_hex.clone(), store.path(&pkg.sha256_hex), None),
            crate::state::functions::Code::Image { uri } => {
                let cfg = c
                    .image_config_response
                    .as_ref()
                    .and_then(|r| r.image_config.clone())
                    .unwrap_or_default();
                let image = ImageSpec {
                    uri: uri.clone(),
                    entry_point: cfg.entry_point,
                    command: cfg.command,
                    working_directory: cfg.working_directory,
                };
                (String::new(), PathBuf::new(), Some(image))
            }
        };
        Ok(FunctionSpec {
            function_name: c.function_name.clone().unwrap_or_default(),
            version: c.version.clone().unwrap_or_else(|| "$LATEST".into()),
            runtime: c.runtime.as_ref().map(|r| r.as_str().to_owned()).unwrap_or_default(),
            handler: c.handler.clone().unwrap_or_default(),
            memory_mb: c.memory_size.unwrap_or(128).max(1) as u32,
            timeout: Duration::from_secs(c.timeout.unwrap_or(3).max(1) as u64),
            region: region.to_owned(),
            account_id: account_id.to_owned(),
            environment: c
                .environment
                .as_ref()
                .and_then(|e| e.variables.clone())
                .unwrap_or_default()
                .into_iter()
                .collect(),
            code_sha256_hex,
            code_zip,
            layers,
            image,
            architecture: c
                .architectures
                .as_ref()
                .and_then(|a| a.first())
                .map(|a| a.as_str().to_owned())
                .unwrap_or_else(|| "x86_64".into()),
            ephemeral_storage_mb: c
                .ephemeral_storage
                .as_ref()
                .map(|e| e.size.max(512) as u32)
                .unwrap_or(512),
        })
    }

    /// The Lambda runtime family (`python`, `nodejs`, `provided`, …) of the runtime id.
    pub fn family(&self) -> &str {
        let rt = self.runtime.as_str();
        let end = rt.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(rt.len());
        &rt[..end]
    }
}
