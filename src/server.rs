//! The HTTP server: accepts connections (on the address functions in containers reach, only from
//! their network), gives each request its context (region from the SigV4 credential scope), hands
//! `/_fauxlambda/` to fauxlambda's own endpoints (`introspection`, not served to functions),
//! everything else to the generated Lambda service, and logs one line per request.

use crate::api::Api;
use crate::body_budget::BodyBudget;
use crate::connection_watch::{Activity, Watched};
use crate::context::{self, RequestContext};
use crate::execution::docker::Subnet;
use crate::function_urls::{self, sigv4::Credentials};
use hyper::body::Incoming;
use smithy_server_runtime::body::Body;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpListener;

/// Bounds on the connections of one listener, and the request bytes buffered at once.
#[derive(Clone, Debug)]
pub struct ConnectionLimits {
    /// How long a connection may take to send a request's headers, and stay idle between
    /// requests, before it is closed.
    pub idle_timeout: Duration,
    /// Connections open at once, at most: further ones wait in the listen backlog.
    pub max_connections: usize,
    /// Large request bodies read at once (shared by every listener given the same budget).
    pub bodies: BodyBudget,
}

/// Who a listener serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Audience {
    /// Whoever connects: the Lambda API and `/_fauxlambda/`.
    Everyone,
    /// Functions in containers, on the address they reach the host at: connections from their
    /// network's subnet only (when the engine says what it is), and the Lambda API only.
    Functions(Option<Subnet>),
}

/// How long accepting pauses after it failed (out of file descriptors, say): failing again at once
/// would spin a core and flood the log.
const ACCEPT_PAUSE: Duration = Duration::from_millis(100);

/// Serves the Lambda API and function URLs (`iam`: the keys whose SigV4 signatures are verified)
/// on `listener` to `audience` until `shutdown` resolves.
pub async fn serve(
    listener: TcpListener,
    api: Api,
    limits: ConnectionLimits,
    audience: Audience,
    iam: Arc<Credentials>,
    shutdown: impl std::future::Future<Output = ()>,
) -> std::io::Result<()> {
    let api = Arc::new(api);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let slots = Arc::new(tokio::sync::Semaphore::new(limits.max_connections.max(1)));
    let mut http = hyper::server::conn::http1::Builder::new();
    // No hyper timer: `connection_watch` closes slow and idle connections off the request path.
    http.keep_alive(true);
    let mut failing: Option<(Instant, u64)> = None;
    let mut at_cap = false;
    tokio::pin!(shutdown);
    loop {
        let slot = match slots.clone().try_acquire_owned() {
            Ok(s) => s,
            Err(_) => {
                if !std::mem::replace(&mut at_cap, true) {
                    tracing::warn!(
                        "{} connections open, the most allowed (--max-connections): new ones wait until one closes",
                        limits.max_connections
                    );
                }
                tokio::select! {
                    s = slots.clone().acquire_owned() => match s {
                        Ok(s) => s,
                        Err(_) => break,
                    },
                    _ = &mut shutdown => break,
                }
            }
        };
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, peer) = match accepted {
                    Ok(x) => x,
                    Err(e) => {
                        // Logged once per burst of failures; then a pause, not a spin.
                        match &mut failing {
                            Some((_, n)) => *n += 1,
                            None => {
                                tracing::warn!("accepting a connection failed: {e}; pausing accepts (until they succeed again, failures are counted, not logged)");
                                failing = Some((Instant::now(), 1));
                            }
                        }
                        tokio::select! {
                            _ = tokio::time::sleep(ACCEPT_PAUSE) => {}
                            _ = &mut shutdown => break,
                        }
                        continue;
                    }
                };
                if let Some((since, n)) = failing.take() {
                    tracing::warn!("accepting connections again, after {n} failed accepts over {:.1} s", since.elapsed().as_secs_f64());
                }
                at_cap = false;
                if let Audience::Functions(Some(subnet)) = audience {
                    if !subnet.contains(peer.ip()) {
                        tracing::warn!("refused a connection from {peer}: not from the functions' network {subnet}");
                        continue;
                    }
                }
                let _ = stream.set_nodelay(true);
                let api = api.clone();
                let local = stream.local_addr().ok();
                let activity = Activity::new();
                let seen = activity.clone();
                let bodies = limits.bodies.clone();
                let iam = iam.clone();
                let svc = hyper::service::service_fn(move |req| {
                    let (api, seen, bodies, iam) = (api.clone(), seen.clone(), bodies.clone(), iam.clone());
                    seen.request_started();
                    async move {
                        let resp = handle(&api, &bodies, req, Peers { local, remote: peer }, audience, &iam).await;
                        seen.request_ended();
                        Ok::<_, Infallible>(resp)
                    }
                });
                let io = hyper_util::rt::TokioIo::new(Watched::new(stream, activity.clone()));
                let conn = graceful.watch(http.serve_connection(io, svc));
                let timeout = limits.idle_timeout;
                tokio::spawn(async move {
                    tokio::select! {
                        r = conn => if let Err(e) = r {
                            tracing::debug!("connection from {peer}: {e}");
                        },
                        why = activity.expiry(timeout) => {
                            tracing::debug!("connection from {peer} closed: {why}");
                        }
                    }
                    drop(slot);
                });
            }
            _ = &mut shutdown => break,
        }
    }
    tokio::select! {
        _ = graceful.shutdown() => {}
        _ = tokio::time::sleep(std::time::Duration::from_secs(5)) => {}
    }
    Ok(())
}

/// The two ends of a request's connection.
#[derive(Clone, Copy)]
struct Peers {
    local: Option<SocketAddr>,
    remote: SocketAddr,
}

async fn handle(
    api: &Api,
    bodies: &BodyBudget,
    req: http::Request<Incoming>,
    peers: Peers,
    audience: Audience,
    iam: &Credentials,
) -> http::Response<Body> {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let ctx = request_context(api, &req, peers.local);
    let host = req.headers().get(http::header::HOST).and_then(|v| v.to_str().ok());
    let url = function_urls::target(host, &path);
    let mut resp = if let Some(target) = url {
        // Boxed: its future would enlarge every request's.
        let serving = function_urls::serve(api, req, target, Some(peers.remote), peers.local, iam);
        context::scope(ctx.clone(), Box::pin(serving)).await
    } else if path.starts_with(crate::introspection::PREFIX) && audience != Audience::Everyone {
        crate::introspection::error(
            403,
            "/_fauxlambda/ is not served on the address functions reach fauxlambda at",
        )
    } else if path.starts_with(crate::introspection::PREFIX) {
        // Boxed: rare, and inline its future would enlarge every request's.
        Box::pin(crate::introspection::handle(api, &method, &path, req.uri().query())).await
    } else if let Some(refused) = too_large(&req) {
        // Boxed for the same reason.
        Box::pin(drain(req.into_body())).await;
        refused
    } else {
        // A large body waits for its share of the budget, held until it is answered.
        let _bytes = match lambda_server::route(req.method(), req.uri().path(), req.uri().query()) {
            Ok((op, _)) => bodies.admit(content_length(&req), op.request_limit() as u64).await,
            Err(_) => None,
        };
        context::scope(ctx.clone(), lambda_server::handle(api, req)).await
    };
    if !path.starts_with(crate::introspection::PREFIX) || path.starts_with(function_urls::PATH_PREFIX) {
        // Every AWS answer names its request; an invocation the request started runs under it.
        if let Ok(id) = http::HeaderValue::from_str(&ctx.request_id) {
            resp.headers_mut().entry("x-amzn-requestid").or_insert(id);
        }
    }
    tracing::info!(
        region = %ctx.region,
        "{method} {path} {} {:.1}ms",
        resp.status().as_u16(),
        started.elapsed().as_secs_f64() * 1000.0
    );
    resp
}

/// The 413 for a request whose `Content-Length` is over its operation's limit (AWS's
/// `Request must be smaller than 70167211 bytes for the CreateFunction operation` for the uploads),
/// answered before reading the body. The generated layer gives the same answer; here the body can
/// be drained so the client reads it.
fn too_large(req: &http::Request<Incoming>) -> Option<http::Response<Body>> {
    let length = content_length(req)?;
    let (op, _) = lambda_server::route(req.method(), req.uri().path(), req.uri().query()).ok()?;
    (length > op.request_limit() as u64).then(|| op.too_large())
}

/// The body's length as the request declares it.
fn content_length(req: &http::Request<Incoming>) -> Option<u64> {
    req.headers()
        .get(http::header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .parse()
        .ok()
}

/// Reads and drops a refused request's body (up to `DRAIN_AT_MOST`), so that the client, still
/// sending, reads the answer instead of a reset connection.
pub(crate) async fn drain(mut body: Incoming) {
    use http_body_util::BodyExt;
    let mut read = 0u64;
    while let Some(Ok(frame)) = body.frame().await {
        read += frame.data_ref().map_or(0, |d| d.len() as u64);
        if read > DRAIN_AT_MOST {
            break;
        }
    }
}

/// The most of a refused body `drain` reads: as much as any operation would have read.
const DRAIN_AT_MOST: u64 = smithy_server_runtime::body::REQUEST_LIMIT as u64;

fn request_context(api: &Api, req: &http::Request<Incoming>, local: Option<SocketAddr>) -> RequestContext {
    let region = req
        .headers()
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(context::region_from_authorization)
        .map(Arc::from)
        .unwrap_or_else(|| api.defaults.region.clone());
    let host = req
        .headers()
        .get(http::header::HOST)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let base_url = match (host, local) {
        (Some(h), _) => format!("http://{h}"),
        (None, Some(a)) => format!("http://{a}"),
        (None, None) => api.defaults.base_url.to_string(),
    };
    RequestContext {
        region,
        account: api.defaults.account.clone(),
        base_url: Arc::from(base_url),
        request_id: Arc::from(uuid::Uuid::new_v4().to_string()),
    }
}
