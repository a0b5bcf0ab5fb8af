//! The Lambda Runtime API server of one execution environment (Runtime API 2018-06-01,
//! Extensions API 2020-01-01, Logs/Telemetry stubs) on its own listener, and the handle through
//! which the environment's owner invokes, observes and shuts it down. An environment's server
//! serves its own runtime and extensions only (`runtime_peers`): every other connection is
//! answered 403, and logged once.

use super::api_error::ApiError;
use super::environment::{EnvState, EnvStatus, ExtensionErrorKind, InitErrorReport, RuntimeState};
use super::extensions::{EnvironmentInfo, ExtensionStatus, ShutdownReason};
use super::invocation::{
    error_json, response_too_large_payload, Completion, Invocation, InvocationOutcome, MAX_PAYLOAD_SIZE,
};
use super::response_stream::{StreamPart, StreamSender, STREAM_LIMIT};
use super::runtime_peers::Peers;
use crate::clock;
use base64::Engine as _;
use bytes::{Bytes, BytesMut};
use http::{HeaderMap, HeaderName, HeaderValue, Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use std::convert::Infallible;
use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

/// Bytes read from an oversized body before giving up on draining it.
const DRAIN_CAP: usize = 256 * 1024 * 1024;
/// Largest body accepted on the Extensions API (register, errors).
const SMALL_BODY_LIMIT: usize = 1024 * 1024;
/// How long a connection waits for the environment's peers to be known (they are once its
/// sandbox has started) before it is refused.
const ADMISSION_WAIT: Duration = Duration::from_secs(30);

type Body = Full<Bytes>;

/// Starts Runtime API servers.
pub struct RuntimeApi;

impl RuntimeApi {
    /// Binds `bind` (port 0 picks a free one) and serves one environment's Runtime API on it, to
    /// any client, until the last handle is dropped or [`RuntimeApiHandle::close`] is called.
    pub async fn start(bind: SocketAddr, info: EnvironmentInfo) -> std::io::Result<RuntimeApiHandle> {
        Self::start_with(bind, info, Some(Peers::Anyone)).await
    }

    /// As [`start`](Self::start), for an environment about to be started: connections wait until
    /// [`RuntimeApiHandle::admit_only`] says whose they may be, and only those are served.
    pub async fn start_guarded(bind: SocketAddr, info: EnvironmentInfo) -> std::io::Result<RuntimeApiHandle> {
        Self::start_with(bind, info, None).await
    }

    async fn start_with(
        bind: SocketAddr,
        info: EnvironmentInfo,
        peers: Option<Peers>,
    ) -> std::io::Result<RuntimeApiHandle> {
        let listener = TcpListener::bind(bind).await?;
        let addr = listener.local_addr()?;
        let label = format!("{}:{}", info.function_name, info.function_version);
        let (state, status) = EnvState::new(info);
        let shared = Arc::new(Shared {
            state: Mutex::new(state),
            peers: watch::Sender::new(peers.map(Arc::new)),
            label,
        });
        let task = tokio::spawn(serve(listener, shared.clone()));
        Ok(RuntimeApiHandle {
            inner: Arc::new(Inner {
                shared,
                status,
                addr,
                task: task.abort_handle(),
            }),
        })
    }
}

struct Shared {
    state: Mutex<EnvState>,
    /// Who may connect; None until known.
    peers: watch::Sender<Option<Arc<Peers>>>,
    /// `function:version`, for the log.
    label: String,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, EnvState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

struct Inner {
    shared: Arc<Shared>,
    status: watch::Receiver<EnvStatus>,
    addr: SocketAddr,
    task: tokio::task::AbortHandle,
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.shared.lock().close();
        self.task.abort();
    }
}

/// Why an environment did not become ready.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NotReady {
    InitError(InitErrorReport),
    /// Shut down or closed before init completed.
    ShutDown,
}

/// The environment's side of its Runtime API (cheap to clone; the server stops with the last clone).
#[derive(Clone)]
pub struct RuntimeApiHandle {
    inner: Arc<Inner>,
}

impl RuntimeApiHandle {
    /// The address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.inner.addr
    }

    /// The value for `AWS_LAMBDA_RUNTIME_API` (`host:port`, no scheme); a wildcard bind answers
    /// with loopback.
    pub fn runtime_api_address(&self) -> String {
        let a = self.inner.addr;
        let ip = if a.ip().is_unspecified() {
            IpAddr::V4(Ipv4Addr::LOCALHOST)
        } else {
            a.ip()
        };
        SocketAddr::new(ip, a.port()).to_string()
    }

    /// Hands `invocation` to the runtime (as soon as the environment is ready and idle) and
    /// resolves with how it ended. One invocation at a time: a second one while the first is
    /// under way resolves at once as `NotAccepted`; after an init error it resolves as that error.
    pub fn invoke(&self, invocation: Invocation) -> impl Future<Output = InvocationOutcome> + Send + 'static {
        let done = self.invoke_timed(invocation);
        async move { done.await.outcome }
    }

    /// [`invoke`](Self::invoke) with the invocation's timing (for the REPORT line).
    pub fn invoke_timed(&self, invocation: Invocation) -> impl Future<Output = Completion> + Send + 'static {
        self.invoke_streamed(invocation, None)
    }

    /// [`invoke_timed`](Self::invoke_timed); a response the runtime streams goes to `stream`
    /// as it arrives (when there is one; else it is read whole, under the buffered limit).
    pub fn invoke_streamed(
        &self,
        invocation: Invocation,
        stream: Option<StreamSender>,
    ) -> impl Future<Output = Completion> + Send + 'static {
        let rx = self.inner.shared.lock().invoke_streamed(invocation, stream);
        async move {
            rx.await.unwrap_or_else(|_| {
                let now = Instant::now();
                Completion {
                    outcome: InvocationOutcome::NotAccepted("the environment was closed".into()),
                    timing: super::invocation::InvocationTiming {
                        queued_at: now,
                        delivered_at: None,
                        completed_at: now,
                    },
                }
            })
        }
    }

    /// From now on only `peers` are served (connections already refused stay refused).
    pub fn admit_only(&self, peers: Peers) {
        self.inner.shared.peers.send_replace(Some(Arc::new(peers)));
    }

    /// An external extension's process exited with `status` (an init failure while init runs).
    pub fn extension_exited(&self, name: &str, status: &str) {
        self.inner.shared.lock().extension_exited(name, status);
    }

    /// Ends the current invocation with `outcome` (the pool's `Timeout` or `RuntimeExited`).
    /// Returns false when none was under way. The runtime's late answer gets `Invalid request ID`.
    pub fn fail_current(&self, outcome: InvocationOutcome) -> bool {
        self.inner.shared.lock().fail_current(outcome)
    }

    /// Resolves when init completes (the runtime's first `/next`, after every registered extension
    /// asked for its first event), with the instant it did.
    pub fn ready(&self) -> impl Future<Output = Result<Instant, NotReady>> + Send + 'static {
        let mut status = self.inner.status.clone();
        async move {
            loop {
                {
                    let s = status.borrow_and_update();
                    if let Some(at) = s.ready_at {
                        return Ok(at);
                    }
                    if let Some(e) = &s.init_error {
                        return Err(NotReady::InitError(e.clone()));
                    }
                    if s.shut_down || s.closed {
                        return Err(NotReady::ShutDown);
                    }
                }
                if status.changed().await.is_err() {
                    return Err(NotReady::ShutDown);
                }
            }
        }
    }

    /// Resolves with the init error when one is reported, or `None` once the environment is ready
    /// or shut down without one.
    pub fn init_error(&self) -> impl Future<Output = Option<InitErrorReport>> + Send + 'static {
        let ready = self.ready();
        async move {
            ready
                .await
                .err()
                .and_then(|e| if let NotReady::InitError(r) = e { Some(r) } else { None })
        }
    }

    /// A snapshot of the environment's status.
    pub fn status(&self) -> EnvStatus {
        self.inner.status.borrow().clone()
    }

    /// The runtime's state, and the request id it holds if any.
    pub fn runtime_state(&self) -> (RuntimeState, Option<String>) {
        let st = self.inner.shared.lock();
        (st.runtime_state(), st.current_request_id().map(str::to_owned))
    }

    /// The registered extensions.
    pub fn extensions(&self) -> Vec<ExtensionStatus> {
        self.inner.shared.lock().extensions()
    }

    /// Sends SHUTDOWN (`deadlineMs` = now + `grace`) to the extensions subscribed to it and
    /// resolves with true once all of them asked for their next event again or reported an exit
    /// error, false when `grace` ran out first. New invocations are refused from now on; one
    /// still under way ends as `NotAccepted` (end it with `fail_current` first).
    pub fn shutdown(&self, reason: ShutdownReason, grace: Duration) -> impl Future<Output = bool> + Send + 'static {
        let until = tokio::time::Instant::now() + grace;
        let rx = self.inner.shared.lock().shutdown(reason, clock::epoch_ms_after(grace));
        async move { matches!(tokio::time::timeout_at(until, rx).await, Ok(Ok(()))) }
    }

    /// Stops the server now (parked requests are dropped, the current invocation ends as
    /// `NotAccepted`).
    pub fn close(&self) {
        self.inner.shared.lock().close();
        self.inner.task.abort();
    }
}

async fn serve(listener: TcpListener, shared: Arc<Shared>) {
    // Connections live in the set, so aborting this task ends them too.
    let mut conns = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, peer)) = accepted else {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                };
                let _ = stream.set_nodelay(true);
                let shared = shared.clone();
                conns.spawn(async move {
                    let io = hyper_util::rt::TokioIo::new(stream);
                    let mut http = hyper::server::conn::http1::Builder::new();
                    let served = match admission(&shared, peer, io.inner().local_addr()).await {
                        Ok(()) => {
                            let svc = hyper::service::service_fn(move |req| {
                                let shared = shared.clone();
                                async move { Ok::<_, Infallible>(route(&shared, req).await) }
                            });
                            http.keep_alive(true).serve_connection(io, svc).await
                        }
                        Err(why) => {
                            tracing::warn!("the Runtime API of {} refused a connection from {peer}: {why}", shared.label);
                            let svc = hyper::service::service_fn(|_req| async { Ok::<_, Infallible>(forbidden()) });
                            http.keep_alive(false).serve_connection(io, svc).await
                        }
                    };
                    if let Err(e) = served {
                        tracing::debug!("runtime API connection: {e}");
                    }
                });
            }
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
        }
    }
}

/// Whether the connection from `peer` may be served: once the environment's peers are known
/// (they are as soon as its sandbox has started), checked against them once.
async fn admission(shared: &Shared, peer: SocketAddr, local: std::io::Result<SocketAddr>) -> Result<(), String> {
    let mut known = shared.peers.subscribe();
    let peers = match tokio::time::timeout(ADMISSION_WAIT, known.wait_for(Option::is_some)).await {
        Ok(Ok(p)) => p.clone().expect("waited for Some"),
        Ok(Err(_)) => return Err("the environment is gone".into()),
        Err(_) => return Err("the environment's processes were not known in time".into()),
    };
    let local = local.map_err(|e| format!("the connection's own address: {e}"))?;
    match &*peers {
        Peers::Anyone => Ok(()),
        Peers::Address(_) => peers.admits(peer, local),
        // Reads /proc: off the event loop.
        Peers::ProcessTree(_) => tokio::task::spawn_blocking(move || peers.admits(peer, local))
            .await
            .unwrap_or_else(|e| Err(format!("the check failed: {e}"))),
    }
}

/// The answer to every request of a refused connection.
fn forbidden() -> Response<Body> {
    api_error(&ApiError::forbidden_peer())
}

async fn route(shared: &Shared, req: Request<Incoming>) -> Response<Body> {
    let path = req.uri().path().to_owned();
    let method = req.method().clone();
    tracing::debug!("runtime API {method} {path}");
    let get = method == Method::GET;
    let post = method == Method::POST;
    let put = method == Method::PUT;
    match path.as_str() {
        "/2018-06-01/runtime/invocation/next" if get => runtime_next(shared).await,
        "/2018-06-01/runtime/init/error" if post => runtime_init_error(shared, req).await,
        "/2018-06-01/ping" if get => text(StatusCode::OK, "pong"),
        "/2020-01-01/extension/register" if post => extension_register(shared, req).await,
        "/2020-01-01/extension/event/next" if get => extension_next(shared, req).await,
        "/2020-01-01/extension/init/error" if post => extension_error(shared, req, ExtensionErrorKind::Init).await,
        "/2020-01-01/extension/exit/error" if post => extension_error(shared, req, ExtensionErrorKind::Exit).await,
        "/2020-08-15/logs" if put => json(
            StatusCode::ACCEPTED,
            error_json("Logs API is not supported", "Logs.NotSupported"),
        ),
        "/2022-07-01/telemetry" if put => json(
            StatusCode::ACCEPTED,
            error_json("Telemetry API is not supported", "Telemetry.NotSupported"),
        ),
        "/2018-06-01/runtime/invocation/next"
        | "/2018-06-01/runtime/init/error"
        | "/2018-06-01/ping"
        | "/2020-01-01/extension/register"
        | "/2020-01-01/extension/event/next"
        | "/2020-01-01/extension/init/error"
        | "/2020-01-01/extension/exit/error"
        | "/2020-08-15/logs"
        | "/2022-07-01/telemetry" => method_not_allowed(),
        _ => match invocation_path(&path) {
            Some((id, is_error)) if post => invocation_result(shared, req, id, is_error).await,
            Some(_) => method_not_allowed(),
            None => text(StatusCode::NOT_FOUND, "404 page not found\n"),
        },
    }
}

/// `/2018-06-01/runtime/invocation/{id}/response|error` → (id, is_error).
fn invocation_path(path: &str) -> Option<(String, bool)> {
    let rest = path.strip_prefix("/2018-06-01/runtime/invocation/")?;
    let (id, action) = rest.split_once('/')?;
    if id.is_empty() {
        return None;
    }
    match action {
        "response" => Some((id.to_owned(), false)),
        "error" => Some((id.to_owned(), true)),
        _ => None,
    }
}

async fn runtime_next(shared: &Shared) -> Response<Body> {
    let rx = match shared.lock().runtime_next() {
        Ok(rx) => rx,
        Err(e) => return api_error(&e),
    };
    match rx.await {
        Ok(inv) => render_invocation(&inv),
        Err(_) => api_error(&ApiError::internal()),
    }
}

fn render_invocation(inv: &Invocation) -> Response<Body> {
    let mut resp = Response::new(Full::new(inv.payload.clone()));
    *resp.status_mut() = StatusCode::OK;
    let h = resp.headers_mut();
    set(h, REQUEST_ID, &inv.request_id);
    h.insert(DEADLINE_MS, HeaderValue::from(inv.deadline_ms));
    set(h, INVOKED_FUNCTION_ARN, &inv.invoked_function_arn);
    set(h, TRACE_ID, &inv.trace_id);
    for (name, value) in [
        (CLIENT_CONTEXT, &inv.client_context),
        (COGNITO_IDENTITY, &inv.cognito_identity),
        (TENANT_ID, &inv.tenant_id),
    ] {
        if let Some(v) = value {
            set(h, name, v);
        }
    }
    h.insert(http::header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    resp
}

// The headers of an invocation on `/next` (section 2.2), named once rather than parsed from text
// on every delivery.
const REQUEST_ID: HeaderName = HeaderName::from_static("lambda-runtime-aws-request-id");
const DEADLINE_MS: HeaderName = HeaderName::from_static("lambda-runtime-deadline-ms");
const INVOKED_FUNCTION_ARN: HeaderName = HeaderName::from_static("lambda-runtime-invoked-function-arn");
const TRACE_ID: HeaderName = HeaderName::from_static("lambda-runtime-trace-id");
const CLIENT_CONTEXT: HeaderName = HeaderName::from_static("lambda-runtime-client-context");
const COGNITO_IDENTITY: HeaderName = HeaderName::from_static("lambda-runtime-cognito-identity");
const TENANT_ID: HeaderName = HeaderName::from_static("lambda-runtime-aws-tenant-id");

/// Sets a header unless the value is empty; line breaks (invalid in headers) are dropped.
fn set(h: &mut HeaderMap, name: HeaderName, value: &str) {
    if value.is_empty() {
        return;
    }
    // Copying the value char by char only when it has a line break to drop (this runs for every
    // header of every delivery).
    let parsed = if value.bytes().any(|b| b == b'\r' || b == b'\n') {
        let cleaned: String = value.chars().filter(|c| *c != '\r' && *c != '\n').collect();
        HeaderValue::from_str(&cleaned)
    } else {
        HeaderValue::from_str(value)
    };
    match parsed {
        Ok(v) => {
            h.insert(name, v);
        }
        Err(_) => tracing::warn!("runtime API: dropping header {name}: not a valid header value"),
    }
}

async fn invocation_result(shared: &Shared, req: Request<Incoming>, id: String, is_error: bool) -> Response<Body> {
    if let Err(e) = shared.lock().check_current(&id) {
        return api_error(&e);
    }
    let headers = req.headers();
    let mut streaming = false;
    if !is_error {
        if let Some(mode) = header(headers, "Lambda-Runtime-Function-Response-Mode") {
            streaming = mode == "streaming";
            if !streaming {
                // (unverified) RIE sends this type with an empty payload; give the caller a body.
                let outcome = function_error(
                    "Runtime.InvalidResponseModeHeader",
                    Bytes::from(error_json(
                        "Invalid function response mode",
                        "Runtime.InvalidResponseModeHeader",
                    )),
                );
                return match shared.lock().runtime_result(&id, outcome) {
                    Ok(()) => api_error(&ApiError::invalid_response_mode()),
                    Err(e) => api_error(&e),
                };
            }
        }
    }
    if streaming {
        let sink = match shared.lock().take_stream(&id) {
            Ok(sink) => sink,
            Err(e) => return api_error(&e),
        };
        if let Some(sink) = sink {
            return stream_result(shared, req, id, sink).await;
        }
    }
    let error_type = header(headers, "Lambda-Runtime-Function-Error-Type").map(str::to_owned);
    let (outcome, reply) = match read_body(req.into_body(), MAX_PAYLOAD_SIZE).await {
        ReadBody::TooLarge => (
            function_error("Function.ResponseSizeTooLarge", response_too_large_payload()),
            Some(ApiError::too_large()),
        ),
        ReadBody::Truncated => (
            // (unverified) caller text; RIE classifies this as Runtime.TruncatedResponse.
            function_error(
                "Runtime.TruncatedResponse",
                Bytes::from(error_json("Response was truncated", "Runtime.TruncatedResponse")),
            ),
            Some(ApiError::truncated()),
        ),
        ReadBody::Complete { data, .. } if is_error => (error_outcome(error_type, data), None),
        ReadBody::Complete { data, trailers } => (
            streamed_error(&trailers).unwrap_or(InvocationOutcome::Response(data)),
            None,
        ),
    };
    if let Err(e) = shared.lock().runtime_result(&id, outcome) {
        return api_error(&e); // ended meanwhile (deadline, process exit)
    }
    match reply {
        Some(e) => api_error(&e),
        None => accepted(),
    }
}

/// A streamed `/response` whose caller takes the stream: the start (the runtime's
/// `Content-Type`) and each chunk go to `sink` as they arrive; the trailers, a broken body or the
/// 200 MB limit decide the outcome. Past the limit the invocation ends at once as an error and the
/// rest is drained (up to `DRAIN_CAP`) so the runtime reads its 413.
async fn stream_result(shared: &Shared, req: Request<Incoming>, id: String, sink: StreamSender) -> Response<Body> {
    let content_type = header(req.headers(), "Content-Type").map(str::to_owned);
    // A caller gone meanwhile (its client hung up) leaves the runtime to finish unheard.
    let mut listening = sink.send(StreamPart::Start { content_type }).await;
    let mut body = req.into_body();
    let mut seen = 0usize;
    let mut trailers = None;
    let mut broken = false;
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else {
            broken = true;
            break;
        };
        match frame.into_data() {
            Ok(chunk) => {
                seen = seen.saturating_add(chunk.len());
                if seen > STREAM_LIMIT {
                    break;
                }
                if listening && !chunk.is_empty() {
                    listening = sink.send(StreamPart::Chunk(chunk)).await;
                }
            }
            Err(frame) => trailers = frame.into_trailers().ok(),
        }
    }
    drop(sink);
    if seen > STREAM_LIMIT {
        let outcome = function_error("Function.ResponseSizeTooLarge", stream_too_large_payload());
        let ended = shared.lock().runtime_result(&id, outcome);
        while let Some(Ok(frame)) = body.frame().await {
            seen = seen.saturating_add(frame.data_ref().map_or(0, |d| d.len()));
            if seen > DRAIN_CAP {
                break;
            }
        }
        return match ended {
            Ok(()) => api_error(&ApiError::too_large()),
            Err(e) => api_error(&e),
        };
    }
    let outcome = if broken {
        // (unverified) caller text; RIE classifies this as Runtime.TruncatedResponse.
        function_error(
            "Runtime.TruncatedResponse",
            Bytes::from(error_json("Response was truncated", "Runtime.TruncatedResponse")),
        )
    } else {
        streamed_error(&trailers).unwrap_or(InvocationOutcome::Response(Bytes::new()))
    };
    if let Err(e) = shared.lock().runtime_result(&id, outcome) {
        return api_error(&e); // ended meanwhile (deadline, process exit)
    }
    if broken {
        api_error(&ApiError::truncated())
    } else {
        accepted()
    }
}

/// The error a stream over [`STREAM_LIMIT`] ends with (unverified: AWS's type and text for a
/// streamed response over its limit are not recorded; the buffered limit's are used).
fn stream_too_large_payload() -> Bytes {
    Bytes::from(error_json(
        &format!("Response payload size exceeded maximum allowed payload size ({STREAM_LIMIT} bytes)."),
        "Function.ResponseSizeTooLarge",
    ))
}

fn function_error(error_type: &str, payload: Bytes) -> InvocationOutcome {
    InvocationOutcome::FunctionError {
        error_type: Some(error_type.to_owned()),
        payload,
    }
}

/// `/error`: the body verbatim; with no body, the error is built from the error-type header
/// (unverified shape: AWS documents that it does so, not the text).
fn error_outcome(error_type: Option<String>, data: Bytes) -> InvocationOutcome {
    let payload = if data.is_empty() {
        let t = error_type.clone().unwrap_or_else(|| "Runtime.Unknown".into());
        Bytes::from(error_json("", &t))
    } else {
        data
    };
    InvocationOutcome::FunctionError { error_type, payload }
}

/// A streamed response whose trailers report an error (`Lambda-Runtime-Function-Error-Type`,
/// `Lambda-Runtime-Function-Error-Body` = base64 of the error JSON).
fn streamed_error(trailers: &Option<HeaderMap>) -> Option<InvocationOutcome> {
    let t = trailers.as_ref()?;
    let error_type = header(t, "Lambda-Runtime-Function-Error-Type")?.to_owned();
    let payload = header(t, "Lambda-Runtime-Function-Error-Body")
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b.trim()).ok())
        .map(Bytes::from)
        .unwrap_or_else(|| Bytes::from(error_json("", &error_type)));
    Some(InvocationOutcome::FunctionError {
        error_type: Some(error_type),
        payload,
    })
}

async fn runtime_init_error(shared: &Shared, req: Request<Incoming>) -> Response<Body> {
    let error_type = header(req.headers(), "Lambda-Runtime-Function-Error-Type").map(str::to_owned);
    let data = match read_body(req.into_body(), MAX_PAYLOAD_SIZE).await {
        ReadBody::Complete { data, .. } => data,
        ReadBody::TooLarge => return api_error(&ApiError::too_large()),
        ReadBody::Truncated => return api_error(&ApiError::truncated()),
    };
    match shared.lock().runtime_init_error(error_type, data) {
        Ok(()) => accepted(),
        Err(e) => api_error(&e),
    }
}

async fn extension_register(shared: &Shared, req: Request<Incoming>) -> Response<Body> {
    let name = header(req.headers(), "Lambda-Extension-Name").unwrap_or("").to_owned();
    let feature = header(req.headers(), "Lambda-Extension-Accept-Feature").map(str::to_owned);
    let data = match read_body(req.into_body(), SMALL_BODY_LIMIT).await {
        ReadBody::Complete { data, .. } => data,
        ReadBody::TooLarge => return api_error(&ApiError::extension_request_format("request body too large")),
        ReadBody::Truncated => return api_error(&ApiError::truncated()),
    };
    match shared.lock().extension_register(&name, feature.as_deref(), &data) {
        Ok((id, body)) => {
            let mut resp = json(StatusCode::OK, body);
            set(
                resp.headers_mut(),
                HeaderName::from_static("lambda-extension-identifier"),
                &id,
            );
            resp
        }
        Err(e) => api_error(&e),
    }
}

/// The `Lambda-Extension-Identifier` header, checked as RIE's middleware checks it.
fn extension_id(headers: &HeaderMap) -> Result<String, ApiError> {
    let id = header(headers, "Lambda-Extension-Identifier").unwrap_or("");
    if id.is_empty() {
        return Err(ApiError::extension_id_missing());
    }
    uuid::Uuid::parse_str(id)
        .map(|u| u.to_string())
        .map_err(|_| ApiError::extension_id_invalid())
}

async fn extension_next(shared: &Shared, req: Request<Incoming>) -> Response<Body> {
    let rx = match extension_id(req.headers()).and_then(|id| shared.lock().extension_next(&id)) {
        Ok(rx) => rx,
        Err(e) => return api_error(&e),
    };
    match rx.await {
        Ok(event) => {
            let mut resp = json(StatusCode::OK, event);
            set(
                resp.headers_mut(),
                HeaderName::from_static("lambda-extension-event-identifier"),
                &uuid::Uuid::new_v4().to_string(),
            );
            resp
        }
        Err(_) => api_error(&ApiError::internal()),
    }
}

async fn extension_error(shared: &Shared, req: Request<Incoming>, kind: ExtensionErrorKind) -> Response<Body> {
    let id = match extension_id(req.headers()) {
        Ok(id) => id,
        Err(e) => return api_error(&e),
    };
    let Some(error_type) = header(req.headers(), "Lambda-Extension-Function-Error-Type").map(str::to_owned) else {
        return api_error(&ApiError::extension_error_type_missing());
    };
    // The body (an optional error object) is read and not kept.
    let _ = read_body(req.into_body(), SMALL_BODY_LIMIT).await;
    match shared.lock().extension_error(&id, kind, error_type) {
        Ok(()) => accepted(),
        Err(e) => api_error(&e),
    }
}

fn header<'a>(h: &'a HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

enum ReadBody {
    Complete { data: Bytes, trailers: Option<HeaderMap> },
    TooLarge,
    Truncated,
}

/// Reads a body up to `limit` bytes (trailers included). Past the limit it keeps draining (up to
/// `DRAIN_CAP`) so the client can read the 413 instead of a reset.
async fn read_body(mut body: Incoming, limit: usize) -> ReadBody {
    let mut data = BytesMut::new();
    let mut trailers = None;
    let mut seen = 0usize;
    loop {
        match body.frame().await {
            None => break,
            Some(Err(_)) => {
                return if seen > limit {
                    ReadBody::TooLarge
                } else {
                    ReadBody::Truncated
                }
            }
            Some(Ok(frame)) => match frame.into_data() {
                Ok(chunk) => {
                    seen = seen.saturating_add(chunk.len());
                    if seen <= limit {
                        data.extend_from_slice(&chunk);
                    } else if seen > DRAIN_CAP {
                        return ReadBody::TooLarge;
                    }
                }
                Err(frame) => {
                    if let Ok(t) = frame.into_trailers() {
                        trailers = Some(t);
                    }
                }
            },
        }
    }
    if seen > limit {
        ReadBody::TooLarge
    } else {
        ReadBody::Complete {
            data: data.freeze(),
            trailers,
        }
    }
}

fn json(status: StatusCode, body: impl Into<Bytes>) -> Response<Body> {
    let mut resp = Response::new(Full::new(body.into()));
    *resp.status_mut() = status;
    resp.headers_mut()
        .insert(http::header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    resp
}

fn text(status: StatusCode, body: &'static str) -> Response<Body> {
    let mut resp = Response::new(Full::new(Bytes::from_static(body.as_bytes())));
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    resp
}

fn method_not_allowed() -> Response<Body> {
    let mut resp = Response::new(Full::new(Bytes::new()));
    *resp.status_mut() = StatusCode::METHOD_NOT_ALLOWED;
    resp
}

fn accepted() -> Response<Body> {
    json(StatusCode::ACCEPTED, Bytes::from_static(br#"{"status":"OK"}"#))
}

fn api_error(e: &ApiError) -> Response<Body> {
    let status = StatusCode::from_u16(e.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    json(status, e.body())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invocation_paths() {
        assert_eq!(
            invocation_path("/2018-06-01/runtime/invocation/abc/response"),
            Some(("abc".into(), false))
        );
        assert_eq!(
            invocation_path("/2018-06-01/runtime/invocation/abc/error"),
            Some(("abc".into(), true))
        );
        assert_eq!(invocation_path("/2018-06-01/runtime/invocation//error"), None);
        assert_eq!(invocation_path("/2018-06-01/runtime/invocation/abc/other"), None);
        assert_eq!(invocation_path("/2018-06-01/runtime/invocation/abc"), None);
    }

    #[test]
    fn error_bodies_without_payload_use_the_header() {
        match error_outcome(Some("Runtime.Custom".into()), Bytes::new()) {
            InvocationOutcome::FunctionError { error_type, payload } => {
                assert_eq!(error_type.as_deref(), Some("Runtime.Custom"));
                assert_eq!(&payload[..], br#"{"errorMessage":"","errorType":"Runtime.Custom"}"#);
            }
            other => panic!("{other:?}"),
        }
        let mut t = HeaderMap::new();
        t.insert("Lambda-Runtime-Function-Error-Type", HeaderValue::from_static("Oops"));
        t.insert(
            "Lambda-Runtime-Function-Error-Body",
            HeaderValue::from_static("eyJhIjoxfQ=="),
        );
        assert_eq!(
            streamed_error(&Some(t)),
            Some(InvocationOutcome::FunctionError {
                error_type: Some("Oops".into()),
                payload: Bytes::from_static(br#"{"a":1}"#)
            })
        );
    }
}
