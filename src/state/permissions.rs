//! Resource-based policy statements of functions, per qualifier, and the policy statement type
//! (shared with layer version policies) rendered as AWS writes it.

use super::table::Table;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Who a statement lets in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Principal {
    /// `*`.
    Anyone,
    /// A service principal (`s3.amazonaws.com`).
    Service(String),
    /// An account root or IAM ARN (`arn:aws:iam::123456789012:root`).
    Aws(String),
}

/// One statement of a resource policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Statement {
    pub sid: String,
    pub principal: Principal,
    pub action: String,
    pub resource: String,
    /// `(operator, key, value)` in the order AWS writes them, e.g.
    /// `("ArnLike", "AWS:SourceArn", "arn:aws:s3:::bucket")`.
    pub conditions: Vec<(String, String, String)>,
}

fn js(s: &str) -> String {
    serde_json::Value::String(s.to_string()).to_string()
}

impl Statement {
    /// The statement as AWS serialises it: `Sid`, `Effect`, `Principal`, `Action`, `Resource`,
    /// `Condition`, in that order.
    pub fn to_json(&self) -> String {
        let principal = match &self.principal {
            Principal::Anyone => js("*"),
            Principal::Service(s) => format!("{{\"Service\":{}}}", js(s)),
            Principal::Aws(a) => format!("{{\"AWS\":{}}}", js(a)),
        };
        let mut out = format!(
            "{{\"Sid\":{},\"Effect\":\"Allow\",\"Principal\":{principal},\"Action\":{},\"Resource\":{}",
            js(&self.sid),
            js(&self.action),
            js(&self.resource)
        );
        if !self.conditions.is_empty() {
            // Group by operator, keeping the order operators first appear in.
            let mut ops: Vec<(&str, Vec<String>)> = Vec::new();
            for (op, key, value) in &self.conditions {
                let entry = format!("{}:{}", js(key), js(value));
                match ops.iter_mut().find(|(o, _)| o == op) {
                    Some((_, entries)) => entries.push(entry),
                    None => ops.push((op, vec![entry])),
                }
            }
            let rendered: Vec<String> = ops
                .iter()
                .map(|(op, entries)| format!("{}:{{{}}}", js(op), entries.join(",")))
                .collect();
            out.push_str(&format!(",\"Condition\":{{{}}}", rendered.join(",")));
        }
        out.push('}');
        out
    }
}

/// A policy document as AWS serialises it: `{"Version":"2012-10-17","Id":"default","Statement":[...]}`.
pub fn policy_document(statements: &[Statement]) -> String {
    let parts: Vec<String> = statements.iter().map(Statement::to_json).collect();
    format!(
        "{{\"Version\":\"2012-10-17\",\"Id\":\"default\",\"Statement\":[{}]}}",
        parts.join(",")
    )
}

/// The policy key of an unqualified function (and of `$LATEST`).
pub const LATEST: &str = "$LATEST";

#[derive(Default)]
pub struct Permissions {
    /// Statements by function name, then by qualifier (`$LATEST` for the unqualified function).
    pub(crate) by_function: Table<String, BTreeMap<String, Vec<Statement>>>,
}

impl Permissions {
    /// The statements of a function's policy for a qualifier (`None` and `$LATEST` are the same).
    pub fn statements(&self, name: &str, qualifier: Option<&str>) -> &[Statement] {
        self.by_function
            .get(name)
            .and_then(|q| q.get(qualifier.unwrap_or(LATEST)))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    pub fn contains(&self, name: &str, qualifier: Option<&str>, sid: &str) -> bool {
        self.statements(name, qualifier).iter().any(|s| s.sid == sid)
    }

    pub fn add(&mut self, name: &str, qualifier: Option<&str>, statement: Statement) {
        self.by_function
            .entry(name.to_string())
            .or_default()
            .entry(qualifier.unwrap_or(LATEST).to_string())
            .or_default()
            .push(statement);
    }

    /// Removes a statement; false when there was none with that id. A policy left without
    /// statements is dropped.
    pub fn remove(&mut self, name: &str, qualifier: Option<&str>, sid: &str) -> bool {
        let q = qualifier.unwrap_or(LATEST);
        let Some(per_q) = self.by_function.get_mut(name) else {
            return false;
        };
        let Some(list) = per_q.get_mut(q) else { return false };
        let before = list.len();
        list.retain(|s| s.sid != sid);
        let removed = list.len() != before;
        if list.is_empty() {
            per_q.remove(q);
        }
        if per_q.is_empty() {
            self.by_function.remove(name);
        }
        removed
    }

    /// Drops what belongs to a deleted function (or one deleted qualifier of it).
    pub fn forget_function(&mut self, name: &str, qualifier: Option<&str>) {
        match qualifier {
            None => {
                self.by_function.remove(name);
            }
            Some(q) => {
                if let Some(per_q) = self.by_function.get_mut(name) {
                    per_q.remove(q);
                    if per_q.is_empty() {
                        self.by_function.remove(name);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_statements_in_aws_order() {
        let s = Statement {
            sid: "s3".into(),
            principal: Principal::Service("s3.amazonaws.com".into()),
            action: "lambda:InvokeFunction".into(),
            resource: "arn:aws:lambda:us-east-1:000000000000:function:f".into(),
            conditions: vec![
                ("StringEquals".into(), "AWS:SourceAccount".into(), "111111111111".into()),
                ("ArnLike".into(), "AWS:SourceArn".into(), "arn:aws:s3:::b".into()),
            ],
        };
        assert_eq!(
            s.to_json(),
            r#"{"Sid":"s3","Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:us-east-1:000000000000:function:f","Condition":{"StringEquals":{"AWS:SourceAccount":"111111111111"},"ArnLike":{"AWS:SourceArn":"arn:aws:s3:::b"}}}"#
        );
        let mut p = Permissions::default();
        p.add("f", None, s.clone());
        assert!(p.contains("f", Some("$LATEST"), "s3"));
        assert!(!p.remove("f", None, "nope"));
        assert!(p.remove("f", None, "s3"));
        assert!(p.statements("f", None).is_empty());
        assert_eq!(
            policy_document(&[]),
            r#"{"Version":"2012-10-17","Id":"default","Statement":[]}"#
        );
    }
}
