//! Event invoke configs (async retries, age, destinations), per function and qualifier.

use lambda_server::model::FunctionEventInvokeConfig;
use std::collections::BTreeMap;

#[derive(Default)]
pub struct EventInvokeConfigs {
    /// By (function name, qualifier); `$LATEST` for the unqualified function.
    pub by_key: BTreeMap<(String, String), FunctionEventInvokeConfig>,
}

impl EventInvokeConfigs {
    /// The config of a function's qualifier (`$LATEST`, a version or an alias).
    pub fn get(&self, name: &str, qualifier: &str) -> Option<&FunctionEventInvokeConfig> {
        self.by_key.get(&(name.to_string(), qualifier.to_string()))
    }

    /// Every config of a function, by qualifier.
    pub fn of_function<'a>(&'a self, name: &'a str) -> impl Iterator<Item = (&'a str, &'a FunctionEventInvokeConfig)> + 'a {
        self.by_key.iter().filter(move |((n, _), _)| n == name).map(|((_, q), c)| (q.as_str(), c))
    }

    /// Drops what belongs to a deleted function (or one deleted qualifier of it).
    pub fn forget_function(&mut self, name: &str, qualifier: Option<&str>) {
        match qualifier {
            None => self.by_key.retain(|(n, _), _| n != name),
            Some(q) => {
                self.by_key.remove(&(name.to_string(), q.to_string()));
            }
        }
    }
}
