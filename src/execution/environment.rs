//! The state machine of one execution environment as the Runtime API sees it: the runtime's
//! state (RIE's names), the one invocation it may hold, the registered extensions, init,
//! init errors and shutdown. Plain synchronous code: the HTTP layer and the handle call it under
//! a short lock and await the channels it hands back.

use super::api_error::ApiError;
use super::extensions::{
    self, EnvironmentInfo, Extension, ExtensionState, ExtensionStatus, ShutdownReason, MAX_EXTENSIONS,
};
use super::invocation::{error_json, Completion, Invocation, InvocationOutcome, InvocationTiming};
use super::response_stream::StreamSender;
use bytes::Bytes;
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::{oneshot, watch};

/// The runtime's state, named as RIE names it (core/runtime_state_names.go) for state errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuntimeState {
    /// Started, has not called `/next` yet (initialising).
    Started,
    /// Posted `/runtime/init/error`.
    InitError,
    /// Called `/next`, waits for an invocation.
    Ready,
    /// Holds an invocation.
    Running,
    /// Answered (or the invocation was ended for it) and has not called `/next` again.
    ResponseSent,
}

impl RuntimeState {
    pub fn name(self) -> &'static str {
        match self {
            RuntimeState::Started => "Started",
            RuntimeState::InitError => "InitError",
            RuntimeState::Ready => "Ready",
            RuntimeState::Running => "Running",
            RuntimeState::ResponseSent => "RuntimeResponseSentState",
        }
    }
}

/// An init failure: from the runtime's `/runtime/init/error` (payload verbatim), or from an
/// extension's `/extension/init/error` (`extension` names it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InitErrorReport {
    pub error_type: Option<String>,
    pub payload: Bytes,
    pub extension: Option<String>,
}

impl InitErrorReport {
    pub fn outcome(&self) -> InvocationOutcome {
        InvocationOutcome::InitError {
            error_type: self.error_type.clone(),
            payload: self.payload.clone(),
        }
    }
}

/// What the environment's owner can watch.
#[derive(Clone, Debug, Default)]
pub struct EnvStatus {
    /// When init completed: the runtime called `/next` and every registered extension called
    /// `event/next` (and at least `expected_extensions` registered).
    pub ready_at: Option<Instant>,
    pub init_error: Option<InitErrorReport>,
    /// `shutdown` was called.
    pub shut_down: bool,
    /// The environment was closed (its server stopped).
    pub closed: bool,
}

/// Which extension error endpoint was called.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExtensionErrorKind {
    Init,
    Exit,
}

struct Active {
    /// Shared with the runtime's `/next` (no copy per delivery).
    invocation: Arc<Invocation>,
    reply: oneshot::Sender<Completion>,
    queued_at: Instant,
    delivered_at: Option<Instant>,
    /// Where a streamed response goes, when the caller takes one (taken by the Runtime API
    /// when the runtime starts streaming).
    stream: Option<StreamSender>,
}

pub(crate) struct EnvState {
    info: EnvironmentInfo,
    runtime: RuntimeState,
    runtime_waiter: Option<oneshot::Sender<Arc<Invocation>>>,
    runtime_called_next: bool,
    active: Option<Active>,
    extensions: Vec<Extension>,
    init_done: bool,
    init_error: Option<InitErrorReport>,
    shutting_down: bool,
    shutdown_waiters: Vec<oneshot::Sender<()>>,
    closed: bool,
    status: watch::Sender<EnvStatus>,
}

impl EnvState {
    pub fn new(info: EnvironmentInfo) -> (Self, watch::Receiver<EnvStatus>) {
        let (status, rx) = watch::channel(EnvStatus::default());
        let state = EnvState {
            info,
            runtime: RuntimeState::Started,
            runtime_waiter: None,
            runtime_called_next: false,
            active: None,
            extensions: Vec::new(),
            init_done: false,
            init_error: None,
            shutting_down: false,
            shutdown_waiters: Vec::new(),
            closed: false,
            status,
        };
        (state, rx)
    }

    pub fn runtime_state(&self) -> RuntimeState {
        self.runtime
    }

    pub fn current_request_id(&self) -> Option<&str> {
        self.active.as_ref().map(|a| a.invocation.request_id.as_str())
    }

    pub fn extensions(&self) -> Vec<ExtensionStatus> {
        self.extensions.iter().map(Extension::status).collect()
    }

    fn publish(&self) {
        let (init_error, shut_down, closed) = (self.init_error.clone(), self.shutting_down, self.closed);
        self.status.send_modify(|s| {
            s.init_error = init_error;
            s.shut_down = shut_down;
            s.closed = closed;
        });
    }

    // ---- the owner's side -------------------------------------------------------------------

    /// Takes an invocation; the receiver gets its completion.
    #[cfg(test)]
    pub fn invoke(&mut self, invocation: Invocation) -> oneshot::Receiver<Completion> {
        self.invoke_streamed(invocation, None)
    }

    /// Takes an invocation whose caller takes a streamed response through `stream`, if any.
    pub fn invoke_streamed(
        &mut self,
        invocation: Invocation,
        stream: Option<StreamSender>,
    ) -> oneshot::Receiver<Completion> {
        let (tx, rx) = oneshot::channel();
        let now = Instant::now();
        let refuse = |tx: oneshot::Sender<Completion>, outcome| {
            let _ = tx.send(Completion {
                outcome,
                timing: InvocationTiming {
                    queued_at: now,
                    delivered_at: None,
                    completed_at: now,
                },
            });
        };
        if self.closed || self.shutting_down {
            refuse(
                tx,
                InvocationOutcome::NotAccepted("the environment is shut down".into()),
            );
        } else if let Some(report) = &self.init_error {
            refuse(tx, report.outcome());
        } else if let Some(a) = &self.active {
            refuse(
                tx,
                InvocationOutcome::NotAccepted(format!(
                    "the environment is busy with invocation {}",
                    a.invocation.request_id
                )),
            );
        } else {
            self.active = Some(Active {
                invocation: Arc::new(invocation),
                reply: tx,
                queued_at: now,
                delivered_at: None,
                stream,
            });
            self.pump();
        }
        rx
    }

    /// Ends the current invocation (queued or running) with `outcome`; false when there is none.
    /// A response the runtime posts for it afterwards gets `Invalid request ID`.
    pub fn fail_current(&mut self, outcome: InvocationOutcome) -> bool {
        self.finish(outcome)
    }

    fn finish(&mut self, outcome: InvocationOutcome) -> bool {
        let Some(active) = self.active.take() else { return false };
        if active.delivered_at.is_some() && self.runtime == RuntimeState::Running {
            self.runtime = RuntimeState::ResponseSent;
        }
        let timing = InvocationTiming {
            queued_at: active.queued_at,
            delivered_at: active.delivered_at,
            completed_at: Instant::now(),
        };
        let _ = active.reply.send(Completion { outcome, timing });
        true
    }

    /// Sends SHUTDOWN to every extension subscribed to it; the receiver completes once each of
    /// them has asked for its next event again (or reported an exit error).
    pub fn shutdown(&mut self, reason: ShutdownReason, deadline_ms: u64) -> oneshot::Receiver<()> {
        let (tx, rx) = oneshot::channel();
        if !self.shutting_down {
            self.shutting_down = true;
            self.finish(InvocationOutcome::NotAccepted("the environment was shut down".into()));
            let event = extensions::shutdown_event(reason, deadline_ms);
            for ext in self.extensions.iter_mut().filter(|e| e.shutdown && !e.failed()) {
                ext.got_shutdown = true;
                ext.deliver(event.clone());
            }
            self.publish();
        }
        self.shutdown_waiters.push(tx);
        self.check_shutdown_done();
        rx
    }

    fn shutdown_pending(&self) -> bool {
        self.extensions.iter().any(|e| e.got_shutdown && !e.failed())
    }

    fn check_shutdown_done(&mut self) {
        if self.shutting_down && !self.shutdown_pending() {
            for w in self.shutdown_waiters.drain(..) {
                let _ = w.send(());
            }
        }
    }

    /// Stops everything: the current invocation ends as `NotAccepted`, parked requests are
    /// dropped (their handlers answer 500, which tells a runtime to exit).
    pub fn close(&mut self) {
        if self.closed {
            return;
        }
        self.closed = true;
        self.finish(InvocationOutcome::NotAccepted("the environment was closed".into()));
        self.runtime_waiter = None;
        for e in &mut self.extensions {
            e.waiter = None;
        }
        self.shutdown_waiters.clear();
        self.publish();
    }

    // ---- the runtime's side -----------------------------------------------------------------

    /// `GET /runtime/invocation/next`.
    pub fn runtime_next(&mut self) -> Result<oneshot::Receiver<Arc<Invocation>>, ApiError> {
        match self.runtime {
            RuntimeState::InitError | RuntimeState::Running => {
                return Err(ApiError::runtime_transition(
                    self.runtime.name(),
                    RuntimeState::Ready.name(),
                ))
            }
            _ => {}
        }
        if self.runtime_waiter.as_ref().is_some_and(|w| !w.is_closed()) {
            // A second concurrent /next while the first is still parked.
            return Err(ApiError::runtime_transition(
                RuntimeState::Ready.name(),
                RuntimeState::Ready.name(),
            ));
        }
        let (tx, rx) = oneshot::channel();
        self.runtime_waiter = Some(tx);
        self.runtime_called_next = true;
        self.runtime = RuntimeState::Ready;
        self.pump();
        Ok(rx)
    }

    /// Whether `request_id` is the invocation the runtime holds now.
    pub fn check_current(&self, request_id: &str) -> Result<(), ApiError> {
        match &self.active {
            Some(a) if a.delivered_at.is_some() && a.invocation.request_id == request_id => Ok(()),
            _ => Err(ApiError::invalid_request_id()),
        }
    }

    /// Where the response of the invocation the runtime holds streams to: `None` when its
    /// caller takes no stream, or it was taken already.
    pub fn take_stream(&mut self, request_id: &str) -> Result<Option<StreamSender>, ApiError> {
        self.check_current(request_id)?;
        Ok(self.active.as_mut().and_then(|a| a.stream.take()))
    }

    /// `POST /runtime/invocation/{id}/response|error`, once the body is read.
    pub fn runtime_result(&mut self, request_id: &str, outcome: InvocationOutcome) -> Result<(), ApiError> {
        self.check_current(request_id)?;
        self.finish(outcome);
        self.runtime = RuntimeState::ResponseSent;
        Ok(())
    }

    /// `POST /runtime/init/error`: only before the runtime's first `/next`.
    pub fn runtime_init_error(&mut self, error_type: Option<String>, payload: Bytes) -> Result<(), ApiError> {
        if self.runtime != RuntimeState::Started || self.closed {
            return Err(ApiError::runtime_transition(
                self.runtime.name(),
                RuntimeState::InitError.name(),
            ));
        }
        self.runtime = RuntimeState::InitError;
        self.set_init_error(InitErrorReport {
            error_type,
            payload,
            extension: None,
        });
        Ok(())
    }

    fn set_init_error(&mut self, report: InitErrorReport) {
        if self.init_error.is_some() || self.init_done {
            return;
        }
        let outcome = report.outcome();
        self.init_error = Some(report);
        // The error is the result of the invocation waiting for init.
        if self.active.as_ref().is_some_and(|a| a.delivered_at.is_none()) {
            self.finish(outcome);
        }
        self.publish();
    }

    // ---- the extensions' side ---------------------------------------------------------------

    /// An external extension's process exited (reported by the executor). During init that is
    /// the init's failure, `Extension.Crash`, instead of a wait for the init limit; afterwards
    /// it is left to the invocations (AWS resets the environment on the next one).
    pub fn extension_exited(&mut self, name: &str, status: &str) {
        if self.init_done || self.closed || self.shutting_down {
            return;
        }
        // (unverified) AWS's caller-side text for an extension crash is not recorded.
        let payload = Bytes::from(error_json(
            &format!("Extension {name} exited during init: {status}"),
            "Extension.Crash",
        ));
        self.set_init_error(InitErrorReport {
            error_type: Some("Extension.Crash".into()),
            payload,
            extension: Some(name.to_owned()),
        });
    }

    /// `POST /extension/register`: the new identifier and the response body.
    pub fn extension_register(
        &mut self,
        name: &str,
        accept_feature: Option<&str>,
        body: &[u8],
    ) -> Result<(String, String), ApiError> {
        if name.is_empty() {
            return Err(ApiError::extension_name_empty());
        }
        let with_account = extensions::wants_account_id(accept_feature);
        let (invoke, shutdown) = extensions::parse_register(body)?;
        if self.init_done || self.init_error.is_some() || self.shutting_down || self.closed {
            return Err(ApiError::extension_registration_closed());
        }
        if self.extensions.iter().any(|e| e.name == name) {
            return Err(ApiError::extension_name_taken());
        }
        if self.extensions.len() >= MAX_EXTENSIONS {
            return Err(ApiError::too_many_extensions(MAX_EXTENSIONS));
        }
        let ext = Extension::new(name.to_owned(), invoke, shutdown);
        let id = ext.id.clone();
        self.extensions.push(ext);
        Ok((id, extensions::register_response(&self.info, with_account)))
    }

    /// `GET /extension/event/next`.
    pub fn extension_next(&mut self, id: &str) -> Result<oneshot::Receiver<Bytes>, ApiError> {
        let ext = self
            .extensions
            .iter_mut()
            .find(|e| e.id == id)
            .ok_or_else(|| ApiError::extension_unknown(id))?;
        // Asking again after SHUTDOWN was picked up means the extension is done shutting down.
        let finished_shutdown = ext.got_shutdown && ext.queue.is_empty() && ext.state == ExtensionState::Running;
        let rx = ext.next()?;
        if finished_shutdown {
            ext.got_shutdown = false;
        }
        self.check_shutdown_done();
        self.pump();
        Ok(rx)
    }

    /// `POST /extension/init/error` and `/extension/exit/error`.
    pub fn extension_error(&mut self, id: &str, kind: ExtensionErrorKind, error_type: String) -> Result<(), ApiError> {
        let ext = self
            .extensions
            .iter_mut()
            .find(|e| e.id == id)
            .ok_or_else(ApiError::extension_unknown_header)?;
        let (allowed, target) = match kind {
            ExtensionErrorKind::Init => (ext.state == ExtensionState::Registered, ExtensionState::InitError),
            ExtensionErrorKind::Exit => (!ext.failed(), ExtensionState::ExitError),
        };
        if !allowed {
            return Err(ApiError::extension_transition(ext.state.name(), target.name(), &ext.id));
        }
        ext.state = target;
        ext.error_type = Some(error_type.clone());
        ext.waiter = None;
        let name = ext.name.clone();
        if kind == ExtensionErrorKind::Init {
            // (unverified) AWS's caller-side text for an extension init failure is not recorded.
            let payload = Bytes::from(error_json(
                &format!("Extension {name} reported an init error: {error_type}"),
                &error_type,
            ));
            self.set_init_error(InitErrorReport {
                error_type: Some(error_type),
                payload,
                extension: Some(name),
            });
        }
        self.check_shutdown_done();
        self.pump();
        Ok(())
    }

    // ---- progress ---------------------------------------------------------------------------

    /// Completes init when its conditions hold, then hands a queued invocation to the runtime
    /// (and INVOKE to the subscribed extensions) once all of them wait for it.
    fn pump(&mut self) {
        if self.closed || self.shutting_down || self.init_error.is_some() {
            return;
        }
        let now = Instant::now();
        if !self.init_done
            && self.runtime_called_next
            && self.extensions.len() >= self.info.expected_extensions
            && self
                .extensions
                .iter()
                .all(|e| e.failed() || e.state != ExtensionState::Registered)
        {
            self.init_done = true;
            self.status.send_modify(|s| s.ready_at = Some(now));
        }
        if !self.init_done {
            return;
        }
        let Some(active) = self.active.as_mut() else { return };
        if active.delivered_at.is_some() {
            return;
        }
        if self.runtime_waiter.as_ref().is_some_and(|w| w.is_closed()) {
            self.runtime_waiter = None;
        }
        if self.runtime_waiter.is_none()
            || self
                .extensions
                .iter()
                .any(|e| e.invoke && !e.failed() && !e.is_waiting())
        {
            return;
        }
        let Some(waiter) = self.runtime_waiter.take() else {
            return;
        };
        if waiter.send(active.invocation.clone()).is_err() {
            return; // the runtime's connection went away; the next /next gets it
        }
        active.delivered_at = Some(now);
        self.runtime = RuntimeState::Running;
        // The INVOKE event only when an extension takes it (rendering it is most of the cost of
        // a delivery).
        if self.extensions.iter().any(|e| e.invoke && !e.failed()) {
            let event = extensions::invoke_event(&active.invocation);
            for ext in self.extensions.iter_mut().filter(|e| e.invoke && !e.failed()) {
                ext.deliver(event.clone());
            }
        }
    }
}

#[cfg(test)]
#[path = "environment_tests.rs"]
mod tests;
