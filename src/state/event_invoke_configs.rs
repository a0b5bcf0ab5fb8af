//! Event invoke configs (async retries, age, destinations), per qualifier.

#[derive(Default)]
pub struct EventInvokeConfigs {}

impl EventInvokeConfigs {
    /// Drops what belongs to a deleted function (or one deleted qualifier of it).
    pub fn forget_function(&mut self, name: &str, qualifier: Option<&str>) {
        let _ = (name, qualifier);
    }
}
