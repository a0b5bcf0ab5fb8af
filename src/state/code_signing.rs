//! Code signing configs and which function uses which.

use super::table::Table;
use crate::errors;
use lambda_server::error::ServiceError;
use lambda_server::model as m;

#[derive(Default)]
pub struct CodeSigning {
    /// Configs by ARN.
    pub configs: Table<String, m::CodeSigningConfig>,
    /// The config ARN each function uses, by function name.
    pub by_function: Table<String, String>,
}

impl CodeSigning {
    /// Attaches a config to a function being created; the config must exist.
    pub fn attach_on_create(&mut self, function: &str, arn: &str) -> Result<(), ServiceError> {
        if !self.configs.contains_key(arn) {
            return Err(config_not_found(arn));
        }
        self.by_function.insert(function.to_string(), arn.to_string());
        Ok(())
    }

    /// Drops what belongs to a deleted function.
    pub fn forget_function(&mut self, name: &str) {
        self.by_function.remove(name);
    }

    /// The names of the functions using config `arn`, in name order.
    pub fn functions_using(&self, arn: &str) -> Vec<String> {
        self.by_function
            .iter()
            .filter(|(_, a)| a.as_str() == arn)
            .map(|(f, _)| f.clone())
            .collect()
    }
}

/// `CodeSigningConfigNotFoundException` for a config a function refers to.
pub fn config_not_found(arn: &str) -> ServiceError {
    errors::code_signing_config_not_found(format!(
        "The code signing configuration cannot be found. Check that the provided configuration is not deleted: {arn}."
    ))
}
