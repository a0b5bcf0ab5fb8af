//! Resource-based policy statements of functions, per qualifier.

#[derive(Default)]
pub struct Permissions {}

impl Permissions {
    /// Drops what belongs to a deleted function (or one deleted qualifier of it).
    pub fn forget_function(&mut self, name: &str, qualifier: Option<&str>) {
        let _ = (name, qualifier);
    }
}
