//! One synchronous invocation of a mapping's function with a batch, as Lambda's pollers make it
//! (`RequestResponse`, a fresh request id, the function's reserved concurrency respected). A batch
//! that could not be run at all (throttled, the function missing or being updated) is told apart
//! from one the function failed: the first is tried again later without counting as a retry.

use super::Settings;
use crate::api::invoke::{prepare, run_invocation, Operation};
use crate::api::Api;
use crate::execution::{Invocation, InvocationKind, InvocationOutcome};
use bytes::Bytes;

/// How an invocation went.
pub enum Outcome {
    /// The function answered (its answer may still report failed items).
    Answered(Answered),
    /// The function failed: an error, a timeout, a crash.
    Failed(Answered),
    /// Not run: throttled, the function missing or `Pending`; the reason.
    NotRun(String),
}

/// The answer of an invocation that ran.
pub struct Answered {
    pub request_id: String,
    pub executed_version: String,
    pub payload: Bytes,
    /// The `errorType` (or `Unhandled`), for a failed one.
    pub error_type: Option<String>,
}

/// Invokes the mapping's function with `payload` (the batch's event, JSON).
pub async fn invoke(api: &Api, s: &Settings, payload: Vec<u8>) -> Outcome {
    let p = match prepare(
        api,
        &s.function,
        s.qualifier.as_deref(),
        &payload,
        Operation::InvokeFunction,
    )
    .await
    {
        Ok(p) => p,
        Err(e) => return Outcome::NotRun(e.to_string()),
    };
    let Some(slot) = api.execution.try_slot(&p.function_arn, p.reserved) else {
        return Outcome::NotRun("throttled: the function's reserved concurrency is in use".into());
    };
    let request_id = uuid::Uuid::new_v4().to_string();
    let inv = Invocation::new(request_id, Bytes::from(payload), p.invoked_arn.clone(), p.spec.timeout);
    let result = run_invocation(api, &p, inv, InvocationKind::RequestResponse, 1, None, None).await;
    drop(slot);
    if let InvocationOutcome::NotAccepted(why) = &result.outcome {
        return Outcome::NotRun(format!("the invocation could not be run: {why}"));
    }
    let failed = !matches!(result.outcome, InvocationOutcome::Response(_));
    let answered = Answered {
        error_type: failed.then(|| result.function_error().unwrap_or("Unhandled").to_owned()),
        payload: result.caller_payload(),
        executed_version: result.executed_version.clone(),
        request_id: result.request_id.clone(),
    };
    if failed {
        Outcome::Failed(answered)
    } else {
        Outcome::Answered(answered)
    }
}
