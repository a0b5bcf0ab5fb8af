//! Event invoke configs (async retries, age, destinations), per function and qualifier.

use super::per_qualifier::PerQualifier;
use lambda_server::model::FunctionEventInvokeConfig;

#[derive(Default)]
pub struct EventInvokeConfigs {
    /// By (function name, qualifier); `$LATEST` for the unqualified function.
    pub by_key: PerQualifier<FunctionEventInvokeConfig>,
}

impl EventInvokeConfigs {
    /// The config of a function's qualifier (`$LATEST`, a version or an alias).
    pub fn get(&self, name: &str, qualifier: &str) -> Option<&FunctionEventInvokeConfig> {
        self.by_key.get_for(name, qualifier)
    }

    /// Every config of a function, by qualifier.
    pub fn of_function<'a>(
        &'a self,
        name: &'a str,
    ) -> impl Iterator<Item = (&'a str, &'a FunctionEventInvokeConfig)> + 'a {
        self.by_key.of_function(name)
    }

    /// Drops what belongs to a deleted function (or one deleted qualifier of it).
    pub fn forget_function(&mut self, name: &str, qualifier: Option<&str>) {
        self.by_key.forget(name, qualifier);
    }
}
