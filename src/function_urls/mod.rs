//! Function URLs: HTTP requests to `<url-id>.lambda-url.<region>.<anything>` (by `Host`, on
//! fauxlambda's port) or to `/_fauxlambda/url/<url-id>/<path…>` become invocations of the
//! function and qualifier the URL belongs to, and their results HTTP answers, as AWS's front end
//! does: the auth type checked (NONE needs the `lambda:InvokeFunctionUrl` permission statement,
//! AWS_IAM a SigV4 signature, `sigv4`), CORS from the config (`cors`), the payload 2.0 event
//! (`event`), the answer from the result (`response`), buffered or, in `RESPONSE_STREAM` mode,
//! streamed as the function writes. Every answer carries `x-amzn-RequestId`, the invocation's id.

mod cors;
mod event;
mod response;
pub mod sigv4;

use crate::api::invoke::{check_payload, run_answered, Operation, Prepared, Resolve, SYNC_PAYLOAD_LIMIT};
use crate::api::streamed_invocation::{self, Next, Started, StreamedRequest};
use crate::api::Api;
use crate::context;
use crate::execution::invocation::new_trace_id;
use crate::execution::InvocationOutcome;
use crate::state::permissions::Principal;
use bytes::Bytes;
use http::{HeaderValue, StatusCode};
use hyper::body::Incoming;
use lambda_server::error::ServiceError;
use lambda_server::model as m;
use smithy_server_runtime::body::{self, Body};
use std::net::SocketAddr;

/// The path form's prefix.
pub const PATH_PREFIX: &str = "/_fauxlambda/url/";

/// The content type of a stream that opens with a prelude.
const HTTP_INTEGRATION: &str = "application/vnd.awslambda.http-integration-response";

/// AWS's answer to a request AuthType NONE does not let in (recorded).
const FORBIDDEN: &str = r#"{"Message":"Forbidden. For troubleshooting Function URL authorization issues, see: https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html"}"#;

/// The URL a request is for.
#[derive(Debug, PartialEq, Eq)]
pub struct Target {
    pub url_id: String,
    /// The path within the URL, raw (`/` at least).
    pub path: String,
}

/// The URL a request is for, by its `Host` (`<url-id>.lambda-url.<region>.<anything>[:port]`) or
/// its path (`/_fauxlambda/url/<url-id>/<path…>`); None for every other request.
pub fn target(host: Option<&str>, path: &str) -> Option<Target> {
    if let Some(rest) = path.strip_prefix(PATH_PREFIX) {
        let (id, within) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        return Some(Target {
            url_id: id.to_ascii_lowercase(),
            path: within.to_string(),
        });
    }
    // Checked on every request: no allocation unless it is a URL's.
    let host = host?;
    let (id, rest) = host.split_once('.')?;
    let (label, rest) = rest.split_once('.')?;
    // `<region>.<anything>`: at least two more labels.
    if !label.eq_ignore_ascii_case("lambda-url") || id.is_empty() || !rest.contains('.') {
        return None;
    }
    Some(Target {
        url_id: id.to_ascii_lowercase(),
        path: if path.is_empty() { "/".into() } else { path.into() },
    })
}

/// What the request's URL is: its function, qualifier and config, and whether AuthType NONE lets
/// anyone in (the permission statement).
struct Url {
    config: m::FunctionUrlConfig,
    public: bool,
}

/// The URL and, resolved in the same state job, the version it would run (or why not). A URL id
/// is unique across regions: its namespace is the one that holds it.
async fn find(api: &Api, url_id: String) -> Result<Option<(Url, Result<Prepared, ServiceError>)>, ServiceError> {
    let store = api.store.clone();
    api.state
        .call_all(move |all| {
            let ns = all
                .iter()
                .find(|(_, s)| s.url_configs.by_url_id(&url_id).is_some())
                .map(|(ns, _)| ns.clone())?;
            let scope = crate::arn::Scope {
                region: ns.region.clone(),
                account: ns.account.clone(),
            };
            let s = all.get_mut(&ns);
            let (name, q, c) = s.url_configs.by_url_id(&url_id)?;
            let qualifier = (q != "$LATEST").then(|| q.to_string());
            let public = s.permissions.statements(name, qualifier.as_deref()).iter().any(|st| {
                st.principal == Principal::Anyone
                    && matches!(st.action.as_str(), "lambda:InvokeFunctionUrl" | "lambda:*")
                    && st
                        .conditions
                        .iter()
                        .filter(|(_, k, _)| k == "lambda:FunctionUrlAuthType")
                        .all(|(_, _, v)| v == "NONE")
            });
            let prepared = Resolve::new(&scope, store, name, qualifier.as_deref()).and_then(|r| r.run(s));
            Some((
                Url {
                    config: c.config.clone(),
                    public,
                },
                prepared,
            ))
        })
        .await
        .map_err(|g| crate::errors::service(g.to_string()))
}

/// Answers one request to a function URL (in the request's context: its id is the invocation's).
pub async fn serve(
    api: &Api,
    req: http::Request<Incoming>,
    target: Target,
    peer: Option<SocketAddr>,
    local: Option<SocketAddr>,
    iam: &sigv4::Credentials,
) -> http::Response<Body> {
    let (url, prepared) = match find(api, target.url_id.clone()).await {
        Ok(Some(found)) => found,
        Ok(None) => return access_denied(r#"{"Message":null}"#),
        Err(_) => return plain(StatusCode::BAD_GATEWAY, "Internal Server Error"),
    };
    let origin = req
        .headers()
        .get(http::header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let cors = url.config.cors.clone();
    let preflight = cors.is_some() && cors::is_preflight(req.method(), req.headers());
    let mut resp = if preflight {
        plain(StatusCode::OK, "")
    } else {
        invoke(api, req, &target, &url, prepared, peer, local, iam).await
    };
    if let Some(c) = &cors {
        cors::apply(c, origin.as_deref(), preflight, resp.headers_mut());
    }
    resp
}

#[allow(clippy::too_many_arguments)]
async fn invoke(
    api: &Api,
    req: http::Request<Incoming>,
    target: &Target,
    url: &Url,
    prepared: Result<Prepared, ServiceError>,
    peer: Option<SocketAddr>,
    local: Option<SocketAddr>,
    iam: &sigv4::Credentials,
) -> http::Response<Body> {
    let (parts, body) = req.into_parts();
    let length = parts
        .headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if length.is_some_and(|l| l > SYNC_PAYLOAD_LIMIT as u64) {
        // Read (and dropped) so that the client, still sending, reads the answer.
        crate::server::drain(body).await;
        return plain(StatusCode::PAYLOAD_TOO_LARGE, "Request Entity Too Large");
    }
    let body = match body::collect(body, SYNC_PAYLOAD_LIMIT).await {
        Ok(b) => b,
        Err(Ok(_)) => return plain(StatusCode::PAYLOAD_TOO_LARGE, "Request Entity Too Large"),
        Err(Err(_)) => return plain(StatusCode::BAD_REQUEST, "Bad Request"),
    };
    let (account_id, authorizer) = match url.config.auth_type {
        m::FunctionUrlAuthType::AwsIam => match sigv4::check(&parts, &body, iam) {
            Ok(caller) => {
                let account = api.scope().account;
                let authorizer = caller.authorizer(&account);
                (account, Some(authorizer))
            }
            Err(why) => {
                tracing::info!("function URL {}: refused a request: {why}", target.url_id);
                return access_denied(FORBIDDEN);
            }
        },
        _ if !url.public => return access_denied(FORBIDDEN),
        _ => ("anonymous".to_string(), None),
    };
    let request_id = context::request_id();
    let trace_id = new_trace_id();
    let raw_query = parts.uri.query().unwrap_or("").to_string();
    let facts = event::RequestFacts {
        url_id: &target.url_id,
        method: parts.method.as_str(),
        raw_path: &target.path,
        raw_query: &raw_query,
        source_ip: peer.map(|p| p.ip().to_string()).unwrap_or_else(|| "127.0.0.1".into()),
        port: local.map_or(80, |l| l.port()),
        request_id: &request_id,
        trace_id: &trace_id,
        account_id: &account_id,
        authorizer,
    };
    let event = event::build(&facts, &parts.headers, &body).to_string().into_bytes();
    let p = match check_payload(&event, Operation::InvokeFunction).and(prepared) {
        Ok(p) => p,
        Err(e) => return refused(&e),
    };
    let Some(slot) = api.execution.try_slot(&p.function_arn, p.reserved) else {
        return plain(StatusCode::TOO_MANY_REQUESTS, r#"{"Message":"Rate Exceeded."}"#);
    };
    if url.config.invoke_mode == Some(m::InvokeMode::ResponseStream) {
        let req = StreamedRequest {
            request_id,
            payload: Bytes::from(event),
            client_context: None,
            tail: false,
        };
        return match streamed_invocation::start(api, p, req, slot).await {
            Ok(started) => streamed(started).await,
            Err(e) => refused(&e),
        };
    }
    let answered = run_answered(api, p, request_id, event, None).await;
    drop(slot);
    match answered {
        Ok(a) if !a.function_error => {
            let (head, body) = response::buffered(&a.payload);
            let mut resp = http::Response::new(body::full(body));
            *resp.status_mut() = head.status;
            *resp.headers_mut() = head.headers;
            resp
        }
        Ok(_) => plain(StatusCode::BAD_GATEWAY, "Internal Server Error"),
        Err(e) => refused(&e),
    }
}

/// A `RESPONSE_STREAM` answer: a stream with a prelude sets the head from it; any other stream
/// goes out with its content type; a result in one piece is sent verbatim (§4.5). Whatever
/// happens once the body has begun just ends it.
async fn streamed(started: Started) -> http::Response<Body> {
    match started {
        Started::Whole(ending) => match ending.outcome {
            InvocationOutcome::Response(b) => {
                let mut resp = http::Response::new(body::full(b));
                resp.headers_mut()
                    .insert(http::header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
                resp
            }
            _ => plain(StatusCode::BAD_GATEWAY, "Internal Server Error"),
        },
        Started::Streaming { content_type, mut rest } => {
            let (head, first) = if content_type.as_deref() == Some(HTTP_INTEGRATION) {
                let mut reader = response::PreludeReader::default();
                loop {
                    match rest.next().await {
                        Next::Chunk(c) => {
                            if let Some((prelude, after)) = reader.feed(&c) {
                                break (response::from_prelude(&prelude), after);
                            }
                        }
                        // Ended before its prelude did (a handler that never wrote): the defaults.
                        Next::End(_) => {
                            let head = response::from_prelude(b"");
                            return answer(head, body::empty());
                        }
                    }
                }
            } else {
                let mut head = response::from_prelude(b"");
                if let Some(v) = content_type.and_then(|c| HeaderValue::from_str(&c).ok()) {
                    head.headers.insert(http::header::CONTENT_TYPE, v);
                }
                (head, Bytes::new())
            };
            let first = (!first.is_empty()).then_some(first);
            let chunks = futures_util::stream::unfold((first, Some(rest)), |(first, rest)| async move {
                if let Some(b) = first {
                    return Some((
                        Ok::<_, std::convert::Infallible>(hyper::body::Frame::data(b)),
                        (None, rest),
                    ));
                }
                let mut rest = rest?;
                match rest.next().await {
                    Next::Chunk(b) => Some((Ok(hyper::body::Frame::data(b)), (None, Some(rest)))),
                    Next::End(_) => None,
                }
            });
            let body = http_body_util::StreamBody::new(chunks);
            answer(head, body::boxed(body))
        }
    }
}

fn answer(head: response::Head, body: Body) -> http::Response<Body> {
    let mut resp = http::Response::new(body);
    *resp.status_mut() = head.status;
    *resp.headers_mut() = head.headers;
    resp
}

/// The answer for an invocation refused before it ran.
fn refused(e: &ServiceError) -> http::Response<Body> {
    match e {
        ServiceError::RequestTooLargeException(_) => plain(StatusCode::PAYLOAD_TOO_LARGE, "Request Entity Too Large"),
        ServiceError::TooManyRequestsException(_) => {
            plain(StatusCode::TOO_MANY_REQUESTS, r#"{"Message":"Rate Exceeded."}"#)
        }
        // The URL's alias (or function) is gone: AWS answers as to an unauthorised caller.
        ServiceError::ResourceNotFoundException(_) => access_denied(FORBIDDEN),
        _ => plain(StatusCode::BAD_GATEWAY, "Internal Server Error"),
    }
}

fn plain(status: StatusCode, text: &'static str) -> http::Response<Body> {
    let mut resp = http::Response::new(body::full(Bytes::from_static(text.as_bytes())));
    *resp.status_mut() = status;
    if text.starts_with('{') {
        resp.headers_mut()
            .insert(http::header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    }
    resp
}

/// 403 `AccessDeniedException` with `body`.
fn access_denied(body: &'static str) -> http::Response<Body> {
    let mut resp = plain(StatusCode::FORBIDDEN, body);
    resp.headers_mut()
        .insert("x-amzn-errortype", HeaderValue::from_static("AccessDeniedException"));
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets() {
        let id = "abcdefghijklmnopqrstuvwxyz012345";
        assert_eq!(
            target(Some(&format!("{id}.lambda-url.us-east-1.localhost:4566")), "/a/b"),
            Some(Target {
                url_id: id.into(),
                path: "/a/b".into()
            })
        );
        assert_eq!(
            target(None, &format!("/_fauxlambda/url/{id}")),
            Some(Target {
                url_id: id.into(),
                path: "/".into()
            })
        );
        assert_eq!(target(Some("127.0.0.1:4566"), "/2015-03-31/functions"), None);
        assert_eq!(target(Some("lambda-url.localhost"), "/"), None);
    }
}
