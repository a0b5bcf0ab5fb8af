//! Function URL configs, per function and qualifier (`$LATEST` or an alias).

use super::per_qualifier::PerQualifier;
use lambda_server::model::FunctionUrlConfig;

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct UrlConfig {
    /// The 32-character id that starts the URL's host name.
    pub url_id: String,
    pub config: FunctionUrlConfig,
}

#[derive(Default)]
pub struct UrlConfigs {
    /// By (function name, qualifier); `$LATEST` for the unqualified function.
    pub by_key: PerQualifier<UrlConfig>,
}

impl UrlConfigs {
    pub fn get(&self, name: &str, qualifier: &str) -> Option<&UrlConfig> {
        self.by_key.get_for(name, qualifier)
    }

    /// The function name and qualifier a URL id belongs to.
    pub fn by_url_id(&self, url_id: &str) -> Option<(&str, &str, &UrlConfig)> {
        self.by_key
            .iter()
            .find(|(_, c)| c.url_id == url_id)
            .map(|((n, q), c)| (n.as_str(), q.as_str(), c))
    }

    /// Every config of a function, by qualifier.
    pub fn of_function<'a>(&'a self, name: &'a str) -> impl Iterator<Item = (&'a str, &'a UrlConfig)> + 'a {
        self.by_key.of_function(name)
    }

    /// Drops what belongs to a deleted function (or one deleted qualifier of it).
    pub fn forget_function(&mut self, name: &str, qualifier: Option<&str>) {
        self.by_key.forget(name, qualifier);
    }
}
