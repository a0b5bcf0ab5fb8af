//! One attempt of an asynchronous event and what follows it: the function resolved as it is now
//! (an unqualified event runs the code current when it is dequeued), no attempt at all under
//! reserved concurrency 0, a throttled event put back without using up a retry, and after a
//! function error a retry on the schedule, or the end: `RetriesExhausted` or `EventAgeExceeded`,
//! with the destination record and the dead-letter message.

use super::delivery::{self, Ending};
use super::record::{Condition, Response};
use super::schedule::{DEFAULT_MAX_AGE_SECS, DEFAULT_MAX_RETRIES};
use super::{AsyncEvent, AsyncQueue};
use crate::api::invoke::{prepare, run_invocation, Operation};
use crate::api::Api;
use crate::execution::{Invocation, InvocationKind, InvocationOutcome};
use lambda_server::error::ServiceError;
use std::time::Duration;
use tokio::time::Instant;

/// How the event's function and qualifier handle asynchronous events: its event invoke config
/// and its dead-letter queue.
#[derive(Clone)]
pub(super) struct Settings {
    pub max_retries: u32,
    pub max_age_secs: u64,
    pub on_success: Option<String>,
    pub on_failure: Option<String>,
    pub dead_letter: Option<String>,
    /// The qualified ARN destination records name.
    pub function_arn: String,
}

/// Reads the settings now (they may change while an event waits). Err: the function is gone.
async fn settings(api: &Api, ev: &AsyncEvent) -> Result<Settings, String> {
    let (name, qualifier) = (ev.function.clone(), ev.qualifier.clone());
    let scope = api.scope();
    api.state(move |s| {
        let q = qualifier.as_deref().unwrap_or("$LATEST");
        let func = s.functions.get(&name).ok_or("the function was deleted")?;
        let version = func
            .resolve(Some(q))
            .ok_or_else(|| format!("its qualifier {q} no longer exists"))?;
        let config = s.event_invoke_configs.get(&name, q);
        let destination = |pick: fn(&lambda_server::model::DestinationConfig) -> Option<String>| {
            config
                .and_then(|c| c.destination_config.as_ref())
                .and_then(pick)
                .filter(|d| !d.is_empty())
        };
        Ok(Settings {
            max_retries: config
                .and_then(|c| c.maximum_retry_attempts)
                .map_or(DEFAULT_MAX_RETRIES, |n| n.max(0) as u32),
            max_age_secs: config
                .and_then(|c| c.maximum_event_age_in_seconds)
                .map_or(DEFAULT_MAX_AGE_SECS, |n| n.max(0) as u64),
            on_success: destination(|d| d.on_success.as_ref().and_then(|o| o.destination.clone())),
            on_failure: destination(|d| d.on_failure.as_ref().and_then(|o| o.destination.clone())),
            dead_letter: version
                .config
                .dead_letter_config
                .as_ref()
                .and_then(|d| d.target_arn.clone())
                .filter(|t| !t.is_empty()),
            function_arn: scope.qualified_arn(&name, q),
        })
    })
    .await
    .map_err(|e| e.to_string())?
}

/// Runs one attempt of `ev`; Some((event, when)) puts it back for another.
pub(super) async fn run(api: &Api, queue: &AsyncQueue, mut ev: AsyncEvent) -> Option<(AsyncEvent, Instant)> {
    let schedule = queue.schedule();
    let settings = match settings(api, &ev).await {
        Ok(s) => s,
        Err(why) => {
            tracing::info!("{}: asynchronous event {} dropped: {why}", ev.function, ev.request_id);
            return None;
        }
    };
    // It waited too long behind throttles (or the maximum age was lowered meanwhile).
    if ev.enqueued.elapsed() > Duration::from_secs(settings.max_age_secs) {
        end(api, queue, ev, settings, Condition::EventAgeExceeded);
        return None;
    }
    let p = match prepare(
        api,
        &ev.function,
        ev.qualifier.as_deref(),
        &ev.payload,
        Operation::Event,
    )
    .await
    {
        Ok(p) => p,
        Err(ServiceError::ResourceNotFoundException(_)) => {
            tracing::info!(
                "{}: asynchronous event {} dropped: the function no longer exists",
                ev.function,
                ev.request_id
            );
            return None;
        }
        // Pending (an update in progress), or fauxlambda could not run it: later, not a retry.
        Err(e) => {
            tracing::debug!("{}: asynchronous event {} waits: {e}", ev.function, ev.request_id);
            return put_back(ev, &settings, schedule, queue, api);
        }
    };
    if p.reserved == Some(0) {
        end(api, queue, ev, settings, Condition::ZeroReservedConcurrency);
        return None;
    }
    let Some(slot) = api.execution.try_slot(&p.function_arn, p.reserved) else {
        return put_back(ev, &settings, schedule, queue, api);
    };
    ev.attempts += 1;
    let inv = Invocation::new(
        ev.request_id.clone(),
        ev.payload.clone(),
        p.invoked_arn.clone(),
        p.spec.timeout,
    );
    let result = run_invocation(api, &p, inv, InvocationKind::Event, ev.attempts, None, None).await;
    drop(slot);
    if let InvocationOutcome::NotAccepted(why) = &result.outcome {
        // fauxlambda's own failure: not the function's, so not a retry.
        tracing::warn!("{}: asynchronous event {} not run: {why}", ev.function, ev.request_id);
        ev.attempts -= 1;
        return put_back(ev, &settings, schedule, queue, api);
    }
    let failed = !matches!(result.outcome, InvocationOutcome::Response(_));
    ev.last = Some(Box::new(Response {
        executed_version: result.executed_version.clone(),
        function_error: failed,
        payload: result.caller_payload(),
    }));
    if !failed {
        end(api, queue, ev, settings, Condition::Success);
        return None;
    }
    if ev.attempts > settings.max_retries {
        end(api, queue, ev, settings, Condition::RetriesExhausted);
        return None;
    }
    let delay = schedule.retry_delay(ev.attempts);
    if !schedule.in_time(ev.enqueued.elapsed(), delay, settings.max_age_secs) {
        end(api, queue, ev, settings, Condition::EventAgeExceeded);
        return None;
    }
    Some((ev, Instant::now() + delay))
}

/// A throttled (or not yet runnable) event back in the queue after its backoff, unless that
/// would make it too old.
fn put_back(
    mut ev: AsyncEvent,
    settings: &Settings,
    schedule: super::Schedule,
    queue: &AsyncQueue,
    api: &Api,
) -> Option<(AsyncEvent, Instant)> {
    ev.requeues += 1;
    let delay = schedule.backoff(ev.requeues);
    if !schedule.in_time(ev.enqueued.elapsed(), delay, settings.max_age_secs) {
        end(api, queue, ev, settings.clone(), Condition::EventAgeExceeded);
        return None;
    }
    Some((ev, Instant::now() + delay))
}

/// The event is done: its record to the destination of its condition, and when it failed, the
/// original event to the dead-letter queue (both, as AWS sends both).
fn end(api: &Api, queue: &AsyncQueue, ev: AsyncEvent, settings: Settings, condition: Condition) {
    let ending = Ending {
        condition,
        function_arn: settings.function_arn,
        event: ev,
    };
    let destination = if condition.is_success() {
        settings.on_success
    } else {
        settings.on_failure
    };
    if condition.is_success() {
        tracing::debug!(
            "{}: asynchronous event {} succeeded",
            ending.event.function,
            ending.event.request_id
        );
    } else {
        tracing::info!(
            "{}: asynchronous event {} given up ({}, {} attempt(s))",
            ending.event.function,
            ending.event.request_id,
            condition.as_str(),
            ending.event.attempts
        );
    }
    let dead_letter = if condition.is_success() {
        None
    } else {
        settings.dead_letter
    };
    if destination.is_none() && dead_letter.is_none() {
        return;
    }
    delivery::send(api, queue, ending, destination, dead_letter);
}
