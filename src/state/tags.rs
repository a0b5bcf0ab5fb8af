//! Tags of every taggable resource (functions, event source mappings, code signing configs,
//! capacity providers), keyed by the resource's unqualified ARN.

use super::table::Table;
use std::collections::HashMap;

#[derive(Default)]
pub struct Tags {
    pub(crate) by_arn: Table<String, HashMap<String, String>>,
}

impl Tags {
    pub fn get(&self, arn: &str) -> HashMap<String, String> {
        self.by_arn.get(arn).cloned().unwrap_or_default()
    }

    /// Adds or overwrites tags.
    pub fn set(&mut self, arn: &str, tags: HashMap<String, String>) {
        self.by_arn.entry(arn.to_string()).or_default().extend(tags);
    }

    pub fn remove(&mut self, arn: &str, keys: &[String]) {
        if let Some(t) = self.by_arn.get_mut(arn) {
            for k in keys {
                t.remove(k);
            }
        }
    }

    pub fn forget(&mut self, arn: &str) {
        self.by_arn.remove(arn);
    }
}
