//! Runtime management configs per qualifier, and recursive-loop settings per function.

#[derive(Default)]
pub struct RuntimeManagement {}

impl RuntimeManagement {
    /// Drops what belongs to a deleted function (or one deleted qualifier of it).
    pub fn forget_function(&mut self, name: &str, qualifier: Option<&str>) {
        let _ = (name, qualifier);
    }
}
