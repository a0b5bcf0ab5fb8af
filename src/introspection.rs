//! fauxlambda's own endpoints under `/_fauxlambda/`: health, package downloads, the recent
//! invocations and their logs, the warm environments, the queued asynchronous events and their
//! deliveries, the event source mappings' pollers, evicting a function's environments, and resetting everything. JSON in, JSON out; errors are `{"message": ...}`.

use crate::api::async_invocation::delivery::Delivery;
use crate::api::Api;
use crate::clock::{epoch_ms, iso8601_ms};
use crate::execution::pool::EnvironmentListing;
use crate::execution::{InvocationKind, InvocationRecord};
use crate::state::Namespaces;
use bytes::Bytes;
use http::Method;
use serde_json::{json, Value};
use smithy_server_runtime::body::{self, Body};
use std::time::SystemTime;

/// The path prefix of every endpoint here.
pub const PREFIX: &str = "/_fauxlambda/";

/// Serves one request to `/_fauxlambda/...` (`query`: the raw query string, if any).
pub async fn handle(api: &Api, method: &Method, path: &str, query: Option<&str>) -> http::Response<Body> {
    let rest = path.strip_prefix(PREFIX).unwrap_or(path);
    let segments: Vec<&str> = rest.split('/').collect();
    let query = match Query::parse(query.unwrap_or("")) {
        Ok(q) => q,
        Err(msg) => return error(400, &msg),
    };
    match segments.as_slice() {
        ["health"] => {
            only(method, &[Method::GET], || async {
                json_response(200, &json!({"status": "ok"}))
            })
            .await
        }
        ["packages", file] if file.ends_with(".zip") => {
            let sha = file.trim_end_matches(".zip").to_string();
            only(method, &[Method::GET], || package(api, sha)).await
        }
        ["invocations"] => only(method, &[Method::GET], || async { invocations(api, &query) }).await,
        ["environments"] => only(method, &[Method::GET], || async { environments(api, &query) }).await,
        ["async"] => only(method, &[Method::GET], || async { async_events(api, &query) }).await,
        ["event-source-mappings"] => only(method, &[Method::GET], || event_source_mappings(api)).await,
        ["functions", name, "evict"] => {
            let name = decode(name);
            only(method, &[Method::POST], || evict(api, name)).await
        }
        ["functions", name, "environments"] => {
            let name = decode(name);
            only(method, &[Method::DELETE], || evict(api, name)).await
        }
        ["reset"] => only(method, &[Method::POST], || reset(api)).await,
        _ => error(404, &format!("no fauxlambda endpoint {}", path)),
    }
}

/// Runs `f` when `method` is one of `allowed`, else answers 405 with `Allow`.
async fn only<F, Fut>(method: &Method, allowed: &[Method], f: F) -> http::Response<Body>
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = http::Response<Body>>,
{
    if allowed.contains(method) {
        return f().await;
    }
    let allow = allowed.iter().map(Method::as_str).collect::<Vec<_>>().join(", ");
    let mut resp = error(405, &format!("method {method} not allowed here (allowed: {allow})"));
    if let Ok(v) = http::HeaderValue::from_str(&allow) {
        resp.headers_mut().insert(http::header::ALLOW, v);
    }
    resp
}

async fn package(api: &Api, sha: String) -> http::Response<Body> {
    match api.store.read(&sha).await {
        Ok(bytes) => http::Response::builder()
            .status(200)
            .header("content-type", "application/zip")
            .header("content-length", bytes.len())
            .body(body::full(Bytes::from(bytes)))
            .unwrap_or_else(|_| http::Response::new(body::empty())),
        Err(_) => error(404, "no such package"),
    }
}

fn invocations(api: &Api, q: &Query) -> http::Response<Body> {
    let deliveries = api.async_queue.deliveries();
    let list: Vec<Value> = api
        .execution
        .recent(q.function.as_deref(), q.limit.unwrap_or(usize::MAX))
        .iter()
        .map(|r| invocation_json(r, &deliveries))
        .collect();
    json_response(200, &json!({ "invocations": list }))
}

/// An invocation; an asynchronous event's shows the deliveries of its event (on every attempt's
/// record, the event's one request id being theirs).
fn invocation_json(r: &InvocationRecord, deliveries: &[Delivery]) -> Value {
    let delivered: Vec<Value> = deliveries
        .iter()
        .filter(|d| r.invocation_type == InvocationKind::Event && d.request_id == r.request_id)
        .map(delivery_json)
        .collect();
    json!({
        "requestId": r.request_id,
        "function": r.function,
        "qualifier": r.qualifier,
        "executedVersion": r.executed_version,
        "invocationType": r.invocation_type.as_str(),
        "attempt": r.attempt,
        "deliveries": delivered,
        "start": iso8601_ms(r.start_ms),
        "startMs": r.start_ms,
        "durationMs": r.duration_ms,
        "status": r.status.as_str(),
        "errorType": r.error_type,
        "coldStart": r.cold_start,
        "environmentId": r.environment_id,
        "log": r.log,
    })
}

fn environments(api: &Api, q: &Query) -> http::Response<Body> {
    let now = SystemTime::now();
    let list: Vec<Value> = api
        .execution
        .pool
        .environments(q.function.as_deref())
        .iter()
        .map(|e| environment_json(e, now))
        .collect();
    json_response(200, &json!({ "environments": list }))
}

fn environment_json(e: &EnvironmentListing, now: SystemTime) -> Value {
    let since = |t: SystemTime| now.duration_since(t).map(|d| d.as_millis() as u64).unwrap_or(0);
    let idle = e.state == crate::execution::pool::EnvironmentState::Idle;
    json!({
        "function": e.function,
        "version": e.version,
        "environmentId": e.environment_id,
        "state": e.state.as_str(),
        "pid": e.pid,
        "container": e.container,
        "createdAt": iso8601_ms(epoch_ms(e.created_at)),
        "ageMs": since(e.created_at),
        "lastUsed": e.last_used.map(|t| iso8601_ms(epoch_ms(t))),
        // How long it has waited for its next invocation; null while busy.
        "idleMs": idle.then(|| since(e.last_used.unwrap_or(e.created_at))),
        "invocations": e.invocations,
    })
}

/// The queued asynchronous events, soonest first, the attempts running per function, and the
/// last destination and dead-letter deliveries.
fn async_events(api: &Api, q: &Query) -> http::Response<Body> {
    let now = crate::clock::now_epoch_ms();
    let (queued, running) = api.async_queue.listing(q.function.as_deref());
    let events: Vec<Value> = queued
        .iter()
        .map(|e| {
            json!({
                "function": e.function,
                "qualifier": e.qualifier,
                "requestId": e.request_id,
                "attempts": e.attempts,
                "requeues": e.requeues,
                "enqueued": iso8601_ms(e.enqueued_ms),
                "ageMs": now.saturating_sub(e.enqueued_ms),
                "due": iso8601_ms(now + e.due_in_ms),
                "dueInMs": e.due_in_ms,
            })
        })
        .collect();
    let deliveries: Vec<Value> = api
        .async_queue
        .deliveries()
        .iter()
        .filter(|d| q.function.as_deref().is_none_or(|f| f == d.function))
        .map(delivery_json)
        .collect();
    json_response(
        200,
        &json!({ "events": events, "running": running, "deliveries": deliveries }),
    )
}

/// Each event source mapping: its state as the API shows it, and what its poller has done
/// (batches, records, filtered and given-up records, the last error, each shard's checkpoint).
async fn event_source_mappings(api: &Api) -> http::Response<Body> {
    let configs = api
        .state
        .call_all(|all| {
            all.iter()
                .flat_map(|(_, s)| s.event_source_mappings.by_uuid.iter())
                .map(|(uuid, m)| (uuid.clone(), m.config.clone()))
                .collect::<std::collections::BTreeMap<_, _>>()
        })
        .await;
    let configs = match configs {
        Ok(c) => c,
        Err(e) => return error(500, &e.to_string()),
    };
    let pollers: std::collections::HashMap<String, _> = api
        .event_sources
        .listing()
        .into_iter()
        .map(|(settings, status)| (settings.uuid.clone(), status))
        .collect();
    let mappings: Vec<Value> = configs
        .iter()
        .map(|(uuid, c)| {
            let poller = pollers.get(uuid).map(|p| {
                let shards: serde_json::Map<String, Value> = p
                    .shards
                    .iter()
                    .map(|(id, sh)| {
                        let v = json!({"checkpoint": sh.checkpoint, "records": sh.records, "finished": sh.finished});
                        (id.clone(), v)
                    })
                    .collect();
                json!({
                    "state": p.state,
                    "batches": p.batches,
                    "records": p.records,
                    "failedInvocations": p.failed_invocations,
                    "filtered": p.filtered,
                    "discarded": p.discarded,
                    "lastBatch": p.last_batch_ms.map(iso8601_ms),
                    "lastError": p.last_error,
                    "lastErrorAt": p.last_error_ms.map(iso8601_ms),
                    "shards": shards,
                })
            });
            json!({
                "uuid": uuid,
                "eventSourceArn": c.event_source_arn,
                "functionArn": c.function_arn,
                "state": c.state,
                "lastProcessingResult": c.last_processing_result,
                "poller": poller,
            })
        })
        .collect();
    json_response(200, &json!({ "eventSourceMappings": mappings }))
}

fn delivery_json(d: &Delivery) -> Value {
    json!({
        "requestId": d.request_id,
        "function": d.function,
        "kind": d.kind.as_str(),
        "target": d.target,
        "condition": d.condition.as_str(),
        "status": if d.delivered { "delivered" } else { "failed" },
        "tries": d.tries,
        "error": d.error,
        "at": iso8601_ms(d.at_ms),
    })
}

/// Stops a function's environments; the next invocation is a cold start.
async fn evict(api: &Api, name: String) -> http::Response<Body> {
    let Some(name) = function_name(&name) else {
        return error(400, &format!("Invalid function name: {name}"));
    };
    let count = api.execution.pool.environments(Some(&name)).len();
    if count == 0 {
        let n = name.clone();
        let exists = api
            .state
            .call_all(move |all| all.iter().any(|(_, s)| s.functions.get(&n).is_some()))
            .await;
        match exists {
            Ok(true) => {}
            Ok(false) => return error(404, &format!("Function not found: {name}")),
            Err(e) => return error(500, &e.to_string()),
        }
    }
    api.execution.pool.retire(&name, None);
    json_response(200, &json!({ "evicted": count }))
}

/// Everything back to empty: control-plane state, environments, the invocation record.
/// Stored packages stay (they are content-addressed and unreferenced once the state is gone).
async fn reset(api: &Api) -> http::Response<Body> {
    if let Err(e) = api.state.call_all(Namespaces::reset).await {
        return error(500, &e.to_string());
    }
    api.execution.hot_reload.clear();
    let evicted = api.execution.pool.retire_all();
    api.async_queue.clear();
    api.event_sources.stop_all();
    api.execution.clear_recent();
    json_response(200, &json!({ "status": "ok", "evicted": evicted }))
}

/// A function name, or the name in a function ARN (`...:function:name[:qualifier]`).
fn function_name(input: &str) -> Option<String> {
    let name = match input.split_once(":function:") {
        Some((_, rest)) => rest.split(':').next().unwrap_or(""),
        None => input,
    };
    let valid =
        !name.is_empty() && name.len() <= 64 && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    valid.then(|| name.to_string())
}

/// The query parameters the endpoints read; others are ignored.
#[derive(Debug, Default, PartialEq)]
struct Query {
    function: Option<String>,
    limit: Option<usize>,
}

impl Query {
    fn parse(raw: &str) -> Result<Query, String> {
        let mut q = Query::default();
        for pair in raw.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let v = decode(&v.replace('+', " "));
            match k {
                "function" if !v.is_empty() => {
                    q.function = Some(function_name(&v).ok_or_else(|| format!("Invalid function name: {v}"))?);
                }
                "limit" => {
                    let n = v.parse::<usize>().ok().filter(|n| *n > 0);
                    q.limit = Some(n.ok_or_else(|| format!("limit must be a positive integer, got '{v}'"))?);
                }
                _ => {}
            }
        }
        Ok(q)
    }
}

/// Percent-decoding (invalid escapes and non-UTF-8 results are kept as they are).
fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = |c: u8| (c as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

fn json_response(status: u16, value: &Value) -> http::Response<Body> {
    http::Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(body::full(value.to_string()))
        .unwrap_or_else(|_| http::Response::new(body::empty()))
}

pub fn error(status: u16, message: &str) -> http::Response<Body> {
    json_response(status, &json!({ "message": message }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_and_names() {
        assert_eq!(
            Query::parse("function=f1&limit=3&x=y").unwrap(),
            Query {
                function: Some("f1".into()),
                limit: Some(3)
            }
        );
        assert!(Query::parse("limit=0").is_err());
        assert!(Query::parse("limit=abc").is_err());
        assert!(Query::parse("function=a%20b").is_err());
        assert_eq!(
            Query::parse("function=arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Ag%3A1")
                .unwrap()
                .function
                .as_deref(),
            Some("g")
        );
        assert_eq!(decode("a%2"), "a%2");
        assert_eq!(decode("%41%"), "A%");
        assert_eq!(decode("%é1"), "%é1");
        assert_eq!(iso8601_ms(1_700_000_000_123), "2023-11-14T22:13:20.123Z");
    }
}
