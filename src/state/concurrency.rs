//! Reserved concurrency per function and provisioned concurrency per qualifier.

use std::collections::BTreeMap;

#[derive(Default)]
pub struct Concurrency {
    /// Reserved concurrent executions by function name.
    pub reserved: BTreeMap<String, i32>,
}

impl Concurrency {
    pub fn reserved(&self, name: &str) -> Option<i32> {
        self.reserved.get(name).copied()
    }

    /// Drops what belongs to a deleted function (or one deleted qualifier of it).
    pub fn forget_function(&mut self, name: &str, qualifier: Option<&str>) {
        if qualifier.is_none() {
            self.reserved.remove(name);
        }
    }
}
