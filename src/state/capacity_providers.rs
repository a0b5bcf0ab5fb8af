//! Capacity providers and function scaling configs.

#[derive(Default)]
pub struct CapacityProviders {}
