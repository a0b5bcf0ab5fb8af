//! An invocation whose response may stream (InvokeWithResponseStream, and function URLs in
//! `RESPONSE_STREAM` mode): it runs in a task of its own, so the caller can answer as soon as the
//! runtime starts streaming and then pass each chunk on as it arrives, and still learn how the
//! invocation ended (with its log tail, when asked) once the stream is over. A runtime that
//! answers in one piece gives its whole result instead.

use super::invoke::{run_invocation, Prepared};
use super::Api;
use crate::errors;
use crate::execution::response_stream::{self, StreamPart, StreamReceiver};
use crate::execution::{Answer, Invocation, InvocationKind, InvocationOutcome, Slot};
use base64::Engine;
use bytes::Bytes;
use futures_util::future::BoxFuture;
use futures_util::FutureExt;
use lambda_server::error::ServiceError;
use tokio::sync::oneshot;

/// How an invocation ended, as a streaming caller reports it.
#[derive(Debug)]
pub struct Ending {
    pub request_id: String,
    pub outcome: InvocationOutcome,
    pub executed_version: String,
    /// The base64 log tail, when it was asked for.
    pub log_result: Option<String>,
}

/// What the invocation gave first.
pub enum Started {
    /// The runtime streams: its content type, then the rest.
    Streaming { content_type: Option<String>, rest: Rest },
    /// It answered in one piece, or ended without a stream (an error, a timeout).
    Whole(Ending),
}

/// The rest of a stream: chunks, then the ending.
pub struct Rest {
    parts: Option<StreamReceiver>,
    ending: BoxFuture<'static, Result<Ending, ServiceError>>,
}

/// One step of [`Rest`].
pub enum Next {
    Chunk(Bytes),
    /// How it ended; the stream is over. An error here is the platform's (the invocation could
    /// not be run), never the function's.
    End(Result<Ending, ServiceError>),
}

impl Rest {
    /// The next chunk, or the ending once every chunk sent before it was given. After the
    /// ending, chunks still arriving (a runtime writing past its deadline) are dropped.
    pub async fn next(&mut self) -> Next {
        loop {
            let part = match self.parts.as_mut() {
                // Chunks first: a runtime's chunks are all queued before its stream ends.
                Some(parts) => tokio::select! {
                    biased;
                    part = parts.recv() => part,
                    ending = &mut self.ending => {
                        self.parts = None;
                        return Next::End(ending);
                    }
                },
                None => return Next::End((&mut self.ending).await),
            };
            match part {
                Some(StreamPart::Chunk(b)) => return Next::Chunk(b),
                Some(StreamPart::Start { .. }) => {}
                None => self.parts = None,
            }
        }
    }
}

/// What a streamed invocation runs with.
pub struct StreamedRequest {
    pub request_id: String,
    pub payload: Bytes,
    pub client_context: Option<String>,
    /// Whether the ending carries the log tail (it then waits for the log to be gathered).
    pub tail: bool,
}

/// The log tail's size, as in Invoke's `X-Amz-Log-Result`.
const LOG_TAIL: usize = 4096;

/// Starts the invocation (holding `slot`, the function's reserved-concurrency slot, until it
/// ends) and waits for the runtime's first word: the start of a stream, or its whole result. An
/// invocation that could not be run at all is an error here, before anything was answered.
pub(crate) async fn start(api: &Api, p: Prepared, req: StreamedRequest, slot: Slot) -> Result<Started, ServiceError> {
    let (sink, mut parts) = response_stream::channel();
    let (answer_tx, answer_rx) = oneshot::channel::<Answer>();
    let tail = req.tail;
    let api = api.clone();
    let running = tokio::spawn(async move {
        let _slot = slot;
        let mut inv = Invocation::new(req.request_id, req.payload, p.invoked_arn.clone(), p.spec.timeout);
        inv.client_context = req.client_context;
        let answer = (!tail).then_some(answer_tx);
        run_invocation(&api, &p, inv, InvocationKind::RequestResponse, 1, answer, Some(sink)).await
    });
    let mut ending: BoxFuture<'static, Result<Ending, ServiceError>> = async move {
        if !tail {
            if let Ok(a) = answer_rx.await {
                return Ok(Ending {
                    request_id: a.request_id,
                    outcome: a.outcome,
                    executed_version: a.executed_version,
                    log_result: None,
                });
            }
        }
        // With a tail, or no early answer (the invocation ended before reaching a runtime).
        let result = running
            .await
            .map_err(|e| errors::service(format!("the invocation failed: {e}")))?;
        if let InvocationOutcome::NotAccepted(why) = &result.outcome {
            return Err(errors::service(format!("the invocation could not be run: {why}")));
        }
        let log_result = tail.then(|| base64::engine::general_purpose::STANDARD.encode(result.log_tail(LOG_TAIL)));
        Ok(Ending {
            request_id: result.request_id,
            outcome: result.outcome,
            executed_version: result.executed_version,
            log_result,
        })
    }
    .boxed();
    loop {
        tokio::select! {
            biased;
            part = parts.recv() => match part {
                Some(StreamPart::Start { content_type }) => {
                    return Ok(Started::Streaming {
                        content_type,
                        rest: Rest { parts: Some(parts), ending },
                    })
                }
                // Never before the start; and once the senders are gone the ending follows.
                Some(StreamPart::Chunk(_)) => {}
                None => return ending.await.map(Started::Whole),
            },
            e = &mut ending => return e.map(Started::Whole),
        }
    }
}
