//! Layers and their versions: content, compatible runtimes and architectures, and the resource
//! policy of each version.

use super::permissions::Statement;
use super::table::Table;
use crate::store::Package;
use lambda_server::model::{Architecture, Runtime};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The resource policy of one layer version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LayerPolicy {
    pub statements: Vec<Statement>,
    pub revision_id: String,
}

/// What a layer version holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum LayerContent {
    Zip(Package),
    /// Hot reload (`S3Bucket: hot-reload`): this host directory (an absolute path), used in place.
    HotReload {
        dir: String,
    },
}

impl LayerContent {
    /// The stored size (`CodeSize`): 0 for a directory.
    pub fn size(&self) -> i64 {
        match self {
            LayerContent::Zip(p) => p.size,
            LayerContent::HotReload { .. } => 0,
        }
    }
}

/// One published version of a layer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LayerVersion {
    pub name: String,
    pub version: i64,
    pub layer_arn: String,
    pub layer_version_arn: String,
    pub content: LayerContent,
    pub description: String,
    pub license_info: Option<String>,
    pub compatible_runtimes: Option<Vec<Runtime>>,
    pub compatible_architectures: Option<Vec<Architecture>>,
    /// `2018-11-27T15:10:45.123+0000`.
    pub created_date: String,
    /// `None` until a permission is first added.
    pub policy: Option<LayerPolicy>,
}

impl LayerVersion {
    /// Whether the version matches ListLayers/ListLayerVersions filters.
    pub fn matches(&self, runtime: Option<&Runtime>, architecture: Option<&Architecture>) -> bool {
        let rt = runtime.is_none_or(|r| self.compatible_runtimes.as_ref().is_some_and(|l| l.contains(r)));
        let arch = architecture.is_none_or(|a| self.compatible_architectures.as_ref().is_some_and(|l| l.contains(a)));
        rt && arch
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Layer {
    /// The last version number handed out (never reused, even after deletions).
    pub last_version: i64,
    pub versions: BTreeMap<i64, LayerVersion>,
}

#[derive(Default)]
pub struct Layers {
    pub by_name: Table<String, Layer>,
    /// Packages of deleted versions by layer version ARN: functions that referenced a version keep
    /// their copy of it, as on AWS.
    pub(crate) retired: Table<String, LayerContent>,
}

impl Layers {
    pub fn get(&self, name: &str, version: i64) -> Option<&LayerVersion> {
        self.by_name.get(name)?.versions.get(&version)
    }

    pub fn get_mut(&mut self, name: &str, version: i64) -> Option<&mut LayerVersion> {
        self.by_name.get_mut(name)?.versions.get_mut(&version)
    }

    /// The version a layer version ARN names, when it exists (the ARN must match exactly, so a
    /// version in another region or account is not found).
    pub fn by_arn(&self, arn: &str) -> Option<&LayerVersion> {
        let (rest, version) = arn.rsplit_once(':')?;
        let name = rest.rsplit_once(':')?.1;
        self.get(name, version.parse().ok()?)
            .filter(|v| v.layer_version_arn == arn)
    }

    /// The content of a layer version, for the execution engine. Still answers for a version
    /// deleted after functions started using it.
    pub fn content(&self, layer_version_arn: &str) -> Option<&LayerContent> {
        self.by_arn(layer_version_arn)
            .map(|v| &v.content)
            .or_else(|| self.retired.get(layer_version_arn))
    }

    /// The next version number of `name` (creating the layer on first use).
    pub fn next_version(&mut self, name: &str) -> i64 {
        let layer = self.by_name.entry(name.to_string()).or_default();
        layer.last_version += 1;
        layer.last_version
    }

    pub fn insert(&mut self, v: LayerVersion) {
        let layer = self.by_name.entry(v.name.clone()).or_default();
        layer.last_version = layer.last_version.max(v.version);
        layer.versions.insert(v.version, v);
    }

    /// Deletes a version; deleting a missing one is not an error.
    pub fn delete(&mut self, name: &str, version: i64) {
        if let Some(v) = self.by_name.get_mut(name).and_then(|l| l.versions.remove(&version)) {
            self.retired.insert(v.layer_version_arn, v.content);
        }
    }

    /// Total stored size of every existing layer version.
    pub fn total_code_size(&self) -> i64 {
        self.by_name
            .values()
            .flat_map(|l| l.versions.values())
            .map(|v| v.content.size())
            .sum()
    }
}
