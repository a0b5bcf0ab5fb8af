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
    /// Reads `FunctionName` (and a separate `Qualifier`, when the operation has one) of a function
    /// to look up. A name the model's pattern accepts but no function can have (65 characters, a
    /// `.`, `arn:aws:lambda:<region>:<account>:function` read as the function `function`) is read
    /// as that name: the lookup then fails with the operation's own not-found answer, as on AWS.
    pub fn parse(function_name: &str, qualifier: Option<&str>, scope: &Scope) -> Result<FunctionRef, ServiceError> {
        match Self::read(function_name, qualifier, scope) {
            Err(invalid) => match pattern_name(function_name) {
                Some((region, account, name, q)) => {
                    if let Some(region) = region {
                        if region != scope.region {
                            return Err(errors::invalid_parameter(format!(
                                "Functions from '{region}' are not reachable in this region ('{}')",
                                scope.region
                            )));
                        }
                    }
                    if let Some(account) = account {
                        check_account(account, scope)?;
                    }
                    Self::qualified(name, q, qualifier)
                }
                None => Err(invalid),
            },
            ok => ok,
        }
    }

    /// Reads the `FunctionName` of a function to create: it must be a name a function can have. A
    /// plain name over 64 characters gets AWS's length ValidationException (the model's limit is 140,
    /// for ARNs), not `Invalid function name`.
    pub fn parse_new(function_name: &str, qualifier: Option<&str>, scope: &Scope) -> Result<FunctionRef, ServiceError> {
        if !function_name.contains(':') && function_name.chars().count() > 64 {
            return Err(errors::too_long("FunctionName", function_name, 64));
        }
        Self::read(function_name, qualifier, scope)
    }

    fn read(function_name: &str, qualifier: Option<&str>, scope: &Scope) -> Result<FunctionRef, ServiceError> {
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
        Self::qualified(name, from_name, qualifier)
    }

    /// The reference, with the qualifier from the name and the separate one reconciled.
    fn qualified(name: &str, from_name: Option<&str>, qualifier: Option<&str>) -> Result<FunctionRef, ServiceError> {
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

/// Region, account, name and qualifier of a `FunctionName` read by the model's pattern.
type PatternName<'a> = (Option<&'a str>, Option<&'a str>, &'a str, Option<&'a str>);

/// Reads a function name the way the model's `FunctionName` pattern does,
/// `(arn:(aws[a-zA-Z-]*)?:lambda:)?(<region>:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_\.]+)(:<qualifier>)?`:
/// region, account, name and qualifier, or `None` when it does not match.
fn pattern_name(input: &str) -> Option<PatternName<'_>> {
    let mut parts: &[&str] = &input.split(':').collect::<Vec<_>>();
    let owned: Vec<&str>;
    if let ["arn", partition, "lambda", rest @ ..] = parts {
        if !(partition.is_empty() || partition.starts_with("aws")) {
            return None;
        }
        owned = rest.to_vec();
        parts = &owned;
    }
    let mut region = None;
    let mut account = None;
    let is_region = |p: &str| {
        let segments: Vec<&str> = p.split('-').collect();
        segments.len() >= 3
            && segments
                .last()
                .is_some_and(|d| d.len() == 1 && d.chars().all(|c| c.is_ascii_digit()))
            && segments[0].len() == 2
            && segments[0].chars().all(|c| c.is_ascii_lowercase())
    };
    if parts.len() > 1 && is_region(parts[0]) {
        region = Some(parts[0]);
        parts = &parts[1..];
    }
    if parts.len() > 1 && parts[0].len() == 12 && parts[0].chars().all(|c| c.is_ascii_digit()) {
        account = Some(parts[0]);
        parts = &parts[1..];
    }
    if parts.len() > 1 && parts[0] == "function" {
        parts = &parts[1..];
    }
    let name_ok = |n: &str| !n.is_empty() && n.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    let qualifier_ok =
        |q: &str| q == "$LATEST" || q == "$LATEST.PUBLISHED" || (!q.is_empty() && name_ok(q) && !q.contains('.'));
    match parts {
        [name] if name_ok(name) => Some((region, account, name, None)),
        [name, q] if name_ok(name) && qualifier_ok(q) => Some((region, account, name, Some(q))),
        _ => None,
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

    #[test]
    fn names_the_pattern_accepts_but_no_function_has() {
        let s = scope();
        let long = "a".repeat(65);
        assert_eq!(FunctionRef::parse(&long, None, &s).unwrap().name, long);
        assert!(FunctionRef::parse_new(&long, None, &s).is_err());
        let arn = FunctionRef::parse("arn:aws:lambda:us-east-1:000000000000:function", None, &s).unwrap();
        assert_eq!((arn.name.as_str(), arn.qualifier), ("function", None));
        assert_eq!(
            FunctionRef::parse("a.b:prod", None, &s).unwrap().qualifier.as_deref(),
            Some("prod")
        );
        assert!(FunctionRef::parse("arn:aws:lambda:eu-west-1:000000000000:function", None, &s).is_err());
        assert!(FunctionRef::parse("a b", None, &s).is_err());
    }
}
