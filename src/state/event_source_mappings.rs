//! Event source mappings by UUID: the configuration as the API shows it, the function it invokes
//! and whether it is enabled. The pollers (`api::event_sources`) are given each settled mapping.

use super::table::Table;
use lambda_server::model::EventSourceMappingConfiguration;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Mapping {
    pub config: EventSourceMappingConfiguration,
    /// Name of the function the mapping invokes (its qualifier, if any, is in `FunctionArn`).
    pub function_name: String,
    /// What the user asked for; `config.state` settles to `Enabled` or `Disabled` accordingly.
    pub enabled: bool,
    /// Streams: per shard, the sequence number of the last record done with (the poller reads on
    /// after it, also after a restart).
    #[serde(default)]
    pub checkpoints: BTreeMap<String, String>,
}

#[derive(Default)]
pub struct EventSourceMappings {
    pub by_uuid: Table<String, Mapping>,
}

impl EventSourceMappings {
    pub fn get(&self, uuid: &str) -> Option<&Mapping> {
        self.by_uuid.get(uuid)
    }

    /// Ends a transition (`Creating`, `Enabling`, `Disabling`, `Updating`) in `Enabled` or
    /// `Disabled`; a `Deleting` mapping is removed. Answers the ARN of a removed mapping.
    pub fn settle(&mut self, uuid: &str) -> Option<String> {
        // Read first: a settled mapping is not marked changed (`get_mut`), so nothing is written.
        match self.by_uuid.get(uuid)?.config.state.as_deref() {
            Some("Deleting") => self.by_uuid.remove(uuid)?.config.event_source_mapping_arn,
            Some("Creating" | "Enabling" | "Disabling" | "Updating") => {
                let m = self.by_uuid.get_mut(uuid)?;
                m.config.state = Some(if m.enabled { "Enabled" } else { "Disabled" }.to_string());
                None
            }
            _ => None,
        }
    }

    /// Records a shard's checkpoint.
    pub fn set_checkpoint(&mut self, uuid: &str, shard: &str, sequence: String) {
        if let Some(m) = self.by_uuid.get_mut(uuid) {
            m.checkpoints.insert(shard.to_owned(), sequence);
        }
    }

    /// A deleted function (or qualifier) does not take its mappings with it, as on AWS: they stay
    /// until deleted, and report that their function is gone.
    pub fn forget_function(&mut self, name: &str, qualifier: Option<&str>) {
        for m in self.by_uuid.values_mut().filter(|m| m.function_name == name) {
            let arn = m.config.function_arn.as_deref().unwrap_or("");
            let hit = match qualifier {
                None => true,
                Some(q) => arn.rsplit(':').next() == Some(q) && arn.matches(':').count() == 7,
            };
            if hit {
                m.config.last_processing_result = Some("PROBLEM: Function not found.".to_string());
            }
        }
    }
}
