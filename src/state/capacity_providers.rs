//! Capacity providers (Lambda Managed Instances) and function scaling configs.

use super::per_qualifier::PerQualifier;
use super::table::Table;
use lambda_server::model as m;

/// Capacity providers an account may have (Lambda Managed Instances quotas: 1,000).
pub const MAX_CAPACITY_PROVIDERS: usize = 1000;

#[derive(Default)]
pub struct CapacityProviders {
    /// By name.
    pub by_name: Table<String, m::CapacityProvider>,
    /// Requested scaling configs by (function name, qualifier: a version number or
    /// `$LATEST.PUBLISHED`).
    pub scaling: PerQualifier<m::FunctionScalingConfig>,
}

impl CapacityProviders {
    /// Ends a provider's creation: `Pending` → `Active`.
    pub fn activate(&mut self, name: &str) {
        self.by_name.update_if(
            name,
            |p| p.state == m::CapacityProviderState::Pending,
            |p| p.state = m::CapacityProviderState::Active,
        );
    }

    /// Ends a provider's deletion: a `Deleting` provider is removed; answers its ARN.
    pub fn finish_delete(&mut self, name: &str) -> Option<String> {
        let deleting = self.by_name.get(name)?.state == m::CapacityProviderState::Deleting;
        deleting
            .then(|| self.by_name.remove(name))?
            .map(|p| p.capacity_provider_arn)
    }

    /// Each provider name, for the transitions a restart finishes.
    pub fn names(&self) -> Vec<String> {
        self.by_name.keys().cloned().collect()
    }

    /// Drops what belongs to a deleted function (or one deleted version of it).
    pub fn forget_function(&mut self, name: &str, qualifier: Option<&str>) {
        self.scaling.forget(name, qualifier);
    }
}

/// The capacity provider ARN a function configuration runs on, if any.
pub fn provider_of(config: &m::FunctionConfiguration) -> Option<&str> {
    config.capacity_provider_config.as_ref().map(|c| {
        c.lambda_managed_instances_capacity_provider_config
            .capacity_provider_arn
            .as_str()
    })
}
