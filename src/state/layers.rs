//! Layers and their versions: content, compatible runtimes, permissions.

#[derive(Default)]
pub struct Layers {}
