//! Function URL configs, per function and qualifier.

#[derive(Default)]
pub struct UrlConfigs {}

impl UrlConfigs {
    /// Drops what belongs to a deleted function (or one deleted qualifier of it).
    pub fn forget_function(&mut self, name: &str, qualifier: Option<&str>) {
        let _ = (name, qualifier);
    }
}
