//! What a function's answer to a batch means, with `ReportBatchItemFailures` (events-urls-streaming
//! §2.5, lambda-semantics §6.1): success, a whole-batch failure, or the items that failed.

use serde_json::Value;

#[derive(Debug, PartialEq, Eq)]
pub enum BatchResult {
    /// Every record succeeded.
    Success,
    /// The whole batch failed, and why.
    Failed(String),
    /// These identifiers (SQS message ids, stream sequence numbers) failed, each one in the batch.
    Partial(Vec<String>),
}

/// Reads `payload` (the function's answer) against the batch's identifiers. `""`, `null`, `[]`,
/// `{}` and an empty or null `batchItemFailures` are success; an answer that is not JSON, or an
/// item whose `itemIdentifier` is not a non-empty string of the batch, fails the whole batch.
pub fn parse(payload: &[u8], ids: &[&str]) -> BatchResult {
    if payload.iter().all(u8::is_ascii_whitespace) {
        return BatchResult::Success;
    }
    let value: Value = match serde_json::from_slice(payload) {
        Ok(v) => v,
        Err(e) => return BatchResult::Failed(format!("the function's answer is not JSON: {e}")),
    };
    let Some(failures) = value.as_object().and_then(|o| o.get("batchItemFailures")) else {
        return BatchResult::Success;
    };
    let items = match failures {
        Value::Null => return BatchResult::Success,
        Value::Array(items) => items,
        other => return BatchResult::Failed(format!("batchItemFailures is not a list: {other}")),
    };
    let mut failed = Vec::with_capacity(items.len());
    for item in items {
        match item.get("itemIdentifier").and_then(Value::as_str) {
            Some(id) if !id.is_empty() && ids.contains(&id) => {
                if !failed.iter().any(|f| f == id) {
                    failed.push(id.to_owned());
                }
            }
            _ => {
                return BatchResult::Failed(format!(
                    "batchItemFailures names an item that is not in the batch: {item}"
                ))
            }
        }
    }
    if failed.is_empty() {
        BatchResult::Success
    } else {
        BatchResult::Partial(failed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_recorded_matrix() {
        let ids = ["1", "2", "3"];
        for ok in [
            "",
            "\"\"",
            "[]",
            "null",
            "{}",
            r#"{"batchItemFailures":[]}"#,
            r#"{"batchItemFailures":null}"#,
        ] {
            assert_eq!(parse(ok.as_bytes(), &ids), BatchResult::Success, "{ok}");
        }
        for bad in [
            r#"{"batchItemFailures":[{"itemIdentifier":123}]}"#,
            r#"{"batchItemFailures":[{"itemIdentifier":"9"}]}"#,
            r#"{"batchItemFailures":[{"itemIdentifier":""}]}"#,
            r#"{"batchItemFailures":[{"itemIdentifier":null}]}"#,
            r#"{"batchItemFailures":[{"foo":123}]}"#,
            r#"{"batchItemFailures":[{"foo":null}]}"#,
            r#"{"batchItemFailures":"2"}"#,
            "not json",
        ] {
            assert!(matches!(parse(bad.as_bytes(), &ids), BatchResult::Failed(_)), "{bad}");
        }
        assert_eq!(
            parse(
                br#"{"batchItemFailures":[{"itemIdentifier":"3"},{"itemIdentifier":"2"},{"itemIdentifier":"3"}]}"#,
                &ids
            ),
            BatchResult::Partial(vec!["3".into(), "2".into()])
        );
    }
}
