//! ARNs: building them for functions, versions, aliases and layers, and reading the ways a caller can
//! name a function (name, `name:qualifier`, partial ARN, full ARN).

use crate::errors;
use lambda_server::error::ServiceError;

/// Where ARNs live: region and account.
#[derive(Debug, Clone)]
pub struct Scope {
    pub region: String,
    pub account: String,
}

impl Scope {
    pub fn function_arn(&self, name: &str) -> String {
        format!("arn:aws:lambda:{}:{}:function:{name}", self.region, self.account)
    }

    pub fn qualified_arn(&self, name: &str, qualifier: &str) -> String {
        format!("{}:{qualifier}", self.function_arn(name))
    }

    /// The ARN of `name`, qualified when a qualifier is given.
    pub fn arn(&self, name: &str, qualifier: Option<&str>) -> String {
        match qualifier {
            Some(q) => self.qualified_arn(name, q),
            None => self.function_arn(name),
        }
    }

    pub fn layer_arn(&self, layer: &str) -> String {
        format!("arn:aws:lambda:{}:{}:layer:{layer}", self.region, self.account)
    }

    pub fn layer_version_arn(&self, layer: &str, version: i64) -> String {
        format!("{}:{version}", self.layer_arn(layer))
    }

    pub fn event_source_mapping_arn(&self, uuid: &str) -> String {
        format!(
            "arn:aws:lambda:{}:{}:event-source-mapping:{uuid}",
            self.region, self.account
        )
    }

    pub fn code_signing_config_arn(&self, id: &str) -> String {
        format!(
            "arn:aws:lambda:{}:{}:code-signing-config:{id}",
            self.region, self.account
        )
    }

    pub fn capacity_provider_arn(&self, name: &str) -> String {
        format!(
            "arn:aws:lambda:{}:{}:capacity-provider:{name}",
            self.region, self.account
        )
    }
}

/// A function as a request names it.
#[derive(Debug, Clone, PartialEq)]
pub struct FunctionRef {
    pub name: String,
    pub qualifier: Option<String>,
}

fn valid_name(name: &str) -> bool {
    !name.is_empty() && name.len() <= 64 && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

impl FunctionRef {
    /// Reads `FunctionName` (and a separate `Qualifier`, when the operation has one).
    pub fn parse(function_name: &str, qualifier: Option<&str>, scope: &Scope) -> Result<FunctionRef, ServiceError> {
        let parts: Vec<&str> = function_name.split(':').collect();
        let (name, from_name) = match parts.as_slice() {
            [name] => (*name, None),
            [name, q] => (*name, Some(*q)),
            [account, "function", name] => {
                check_account(account, scope)?;
                (*name, None)
            }
            [account, "function", name, q] => {
                check_account(account, scope)?;
                (*name, Some(*q))
            }
            ["arn", _partition, "lambda", region, account, "function", name, rest @ ..] if rest.len() <= 1 => {
                if *region != scope.region {
                    return Err(errors::invalid_parameter(format!(
                        "Functions from '{region}' are not reachable in this region ('{}')",
                        scope.region
                    )));
                }
                check_account(account, scope)?;
                (*name, rest.first().copied())
            }
            _ => {
                return Err(errors::invalid_parameter(format!(
                    "Invalid function name: {function_name}"
                )))
            }
        };
        if !valid_name(name) {
            return Err(errors::invalid_parameter(format!(
                "Invalid function name: {function_name}"
            )));
        }
        let qualifier = match (from_name, qualifier) {
            (Some(a), Some(b)) if a != b => {
                return Err(errors::invalid_parameter(
                    "The derived qualifier from the function name does not match the specified qualifier.",
                ))
            }
            (Some(a), _) => Some(a.to_string()),
            (None, b) => b.map(str::to_string),
        };
        if qualifier.as_deref() == Some("") {
            return Err(errors::invalid_parameter("Qualifier must not be empty"));
        }
        Ok(FunctionRef {
            name: name.to_string(),
            qualifier,
        })
    }
}

fn check_account(account: &str, scope: &Scope) -> Result<(), ServiceError> {
    if account == scope.account {
        Ok(())
    } else {
        Err(errors::not_found(format!(
            "Function not found: account {account} is not this emulator's account ({})",
            scope.account
        )))
    }
}

/// Reads a layer name or layer ARN (`arn:aws:lambda:region:account:layer:name`) into the name.
pub fn layer_name(input: &str) -> Option<&str> {
    match input.split(':').collect::<Vec<_>>().as_slice() {
        [name] => Some(*name),
        ["arn", _, "lambda", _, _, "layer", name] => Some(*name),
        _ => None,
    }
    .filter(|n| !n.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope() -> Scope {
        Scope {
            region: "us-east-1".into(),
            account: "000000000000".into(),
        }
    }

    #[test]
    fn every_way_of_naming_a_function() {
        let s = scope();
        let f = |n: &str, q: Option<&str>| FunctionRef::parse(n, q, &s);
        assert_eq!(
            f("my-fn", None).unwrap(),
            FunctionRef {
                name: "my-fn".into(),
                qualifier: None
            }
        );
        assert_eq!(f("my-fn:prod", None).unwrap().qualifier.as_deref(), Some("prod"));
        assert_eq!(
            f("000000000000:function:my-fn:3", None).unwrap().qualifier.as_deref(),
            Some("3")
        );
        assert_eq!(
            f("arn:aws:lambda:us-east-1:000000000000:function:my-fn", Some("$LATEST"))
                .unwrap()
                .qualifier
                .as_deref(),
            Some("$LATEST")
        );
        assert!(f("my-fn:1", Some("2")).is_err());
        assert!(f("arn:aws:lambda:eu-west-1:000000000000:function:my-fn", None).is_err());
        assert!(f("111111111111:function:my-fn", None).is_err());
        assert!(f("bad name", None).is_err());
        assert_eq!(f("my-fn:1", Some("1")).unwrap().qualifier.as_deref(), Some("1"));
    }
}
