//! Event source mappings by UUID.

#[derive(Default)]
pub struct EventSourceMappings {}
