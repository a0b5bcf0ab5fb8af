//! The bridge from the control plane to the execution layer: the `FunctionSpec` (what an executor
//! needs to start an environment) of a stored function version, its layers' and code's packages
//! found in the store (or their host directories, for hot reload).

use crate::execution::{FunctionSpec, ImageSpec, LayerPackage};
use crate::state::functions::{Code, Version};
use crate::state::layers::LayerContent;
use crate::state::State;
use crate::store::Store;
use std::path::PathBuf;
use std::time::Duration;

/// The spec of a stored function version; an error names what is missing (a layer's package).
pub fn function_spec(
    state: &State,
    store: &Store,
    version: &Version,
    region: &str,
    account_id: &str,
) -> Result<FunctionSpec, String> {
    let c = &version.config;
    let mut layers = Vec::new();
    for l in c.layers.iter().flatten() {
        let arn = l.arn.clone().unwrap_or_default();
        let content = state
            .layers
            .content(&arn)
            .ok_or_else(|| format!("layer {arn} has no stored package"))?;
        layers.push(match content {
            LayerContent::Zip(p) => LayerPackage {
                sha256_hex: p.sha256_hex.clone(),
                zip: store.path(&p.sha256_hex),
                dir: None,
            },
            LayerContent::HotReload { dir } => LayerPackage {
                dir: Some(PathBuf::from(dir)),
                ..Default::default()
            },
        });
    }
    let mut code_dir = None;
    let (code_sha256_hex, code_zip, image) = match &version.code {
        Code::Zip(pkg) => (pkg.sha256_hex.clone(), store.path(&pkg.sha256_hex), None),
        Code::HotReload { dir } => {
            code_dir = Some(PathBuf::from(dir));
            (String::new(), PathBuf::new(), None)
        }
        Code::Image { uri } => {
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
        code_dir,
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
