//! Queued asynchronous events in the data directory (`--data-dir`): each event's row is written
//! through the state actor before its `Invoke` is answered 202, rewritten when it is put back for
//! another attempt (its attempt count and due time), and removed when it ends. At start-up the
//! rows go back in their queues under the same request ids, with their attempt counts, due when
//! they were due (and not before the functions are `Active` again).

use super::record::Response;
use super::{AsyncEvent, AsyncQueue};
use crate::api::restart::RESUME_AFTER;
use crate::api::Api;
use crate::state::database::StoredRow;
use crate::state::{Namespace, ASYNC_EVENTS};
use base64::Engine;
use serde::{Deserialize, Serialize};
use std::time::Duration;
use tokio::time::Instant;

/// An event's row.
#[derive(Serialize, Deserialize)]
struct Row {
    function: String,
    qualifier: Option<String>,
    /// Base64.
    payload: String,
    enqueued_ms: u64,
    attempts: u32,
    requeues: u32,
    due_ms: u64,
    last: Option<LastResponse>,
}

#[derive(Serialize, Deserialize)]
struct LastResponse {
    executed_version: String,
    function_error: bool,
    /// Base64.
    payload: String,
}

fn b64() -> base64::engine::GeneralPurpose {
    base64::engine::general_purpose::STANDARD
}

/// Writes the row of `ev`, due at `due`, and returns once it is on disk (at once when nothing is
/// kept). Err: it could not be written.
pub async fn save(api: &Api, ns: &Namespace, ev: &AsyncEvent, due: Instant) -> Result<(), String> {
    if !api.state.persistent() {
        return Ok(());
    }
    let wait = due.saturating_duration_since(Instant::now());
    let row = Row {
        function: ev.function.clone(),
        qualifier: ev.qualifier.clone(),
        payload: b64().encode(&ev.payload),
        enqueued_ms: ev.enqueued_ms,
        attempts: ev.attempts,
        requeues: ev.requeues,
        due_ms: crate::clock::now_epoch_ms() + wait.as_millis() as u64,
        last: ev.last.as_ref().map(|r| LastResponse {
            executed_version: r.executed_version.clone(),
            function_error: r.function_error,
            payload: b64().encode(&r.payload),
        }),
    };
    let value = serde_json::to_string(&row).map_err(|e| e.to_string())?;
    let (ns, key) = (ns.clone(), ev.request_id.clone());
    api.state
        .call_all(move |all| all.journal(&ns, ASYNC_EVENTS, key, Some(value)))
        .await
        .map_err(|e| e.to_string())
}

/// Removes the row of an event that ended.
pub async fn forget(api: &Api, ns: &Namespace, request_id: &str) {
    forget_all(api, ns, vec![request_id.to_owned()]).await
}

/// Removes the rows of events that ended or were dropped, in one commit.
pub async fn forget_all(api: &Api, ns: &Namespace, request_ids: Vec<String>) {
    if !api.state.persistent() || request_ids.is_empty() {
        return;
    }
    let ns = ns.clone();
    let count = request_ids.len();
    let removed = api
        .state
        .call_all(move |all| {
            for key in request_ids {
                all.journal(&ns, ASYNC_EVENTS, key, None);
            }
        })
        .await;
    if let Err(e) = removed {
        tracing::warn!("{count} asynchronous event row(s) could not be removed: {e}");
    }
}

/// Puts the stored events back in their queues; a row that cannot be read is logged and kept.
pub fn restore(api: &Api, queue: &AsyncQueue, rows: Vec<StoredRow>) -> usize {
    let now_ms = crate::clock::now_epoch_ms();
    let now = Instant::now();
    let mut restored = 0;
    for stored in rows {
        let row: Row = match serde_json::from_str(&stored.value) {
            Ok(r) => r,
            Err(e) => {
                tracing::error!(
                    "asynchronous event {}: its stored row cannot be read ({e}); left as it is",
                    stored.key
                );
                continue;
            }
        };
        let Ok(payload) = b64().decode(&row.payload) else {
            tracing::error!(
                "asynchronous event {}: its stored payload is not base64; left as it is",
                stored.key
            );
            continue;
        };
        let ev = AsyncEvent {
            request_id: stored.key.clone(),
            function: row.function,
            qualifier: row.qualifier,
            payload: payload.into(),
            enqueued: now
                .checked_sub(Duration::from_millis(now_ms.saturating_sub(row.enqueued_ms)))
                .unwrap_or(now),
            enqueued_ms: row.enqueued_ms,
            attempts: row.attempts,
            requeues: row.requeues,
            last: row.last.and_then(|l| {
                Some(Box::new(Response {
                    executed_version: l.executed_version,
                    function_error: l.function_error,
                    payload: b64().decode(l.payload).ok()?.into(),
                }))
            }),
        };
        // Not before the restarted functions are `Active` again.
        let due = now + Duration::from_millis(row.due_ms.saturating_sub(now_ms)).max(RESUME_AFTER);
        let context = Namespace {
            region: stored.region,
            account: stored.account,
        }
        .context(&api.defaults);
        let (queue, api) = (queue.clone(), api.clone());
        tokio::spawn(crate::context::scope(context, async move { queue.put(&api, ev, due) }));
        restored += 1;
    }
    restored
}
