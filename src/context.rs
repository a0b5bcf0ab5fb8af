//! What a handler knows about the request it serves besides its typed input: the region (from the
//! SigV4 credential scope, else the default), the account, and the request's id (its
//! `x-amzn-RequestId`, which an invocation it starts runs under). Set per request by the server.

use std::sync::Arc;

#[derive(Debug, Clone)]
pub struct RequestContext {
    pub region: Arc<str>,
    pub account: Arc<str>,
    /// `http://host:port` the client reached us at, for URLs we hand out (code locations).
    pub base_url: Arc<str>,
    /// The request's id (a UUID), answered as `x-amzn-RequestId`; empty outside requests.
    pub request_id: Arc<str>,
}

tokio::task_local! {
    static CURRENT: RequestContext;
}

/// Runs `f` with `ctx` as the current request context. (Not an `async fn`: that would hold `f`
/// twice, as its argument and inside the scope.)
pub fn scope<F: std::future::Future>(ctx: RequestContext, f: F) -> impl std::future::Future<Output = F::Output> {
    CURRENT.scope(ctx, f)
}

/// Spawns `f` as a task that keeps the current request context (a task does not inherit it):
/// background work a request starts stays in the request's region and account.
pub fn spawn<F>(fallback: &RequestContext, f: F) -> tokio::task::JoinHandle<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    tokio::spawn(scope(current_or(fallback), f))
}

/// The context of the request being served. Outside a request (tests of handlers, background
/// tasks) it is the fallback given.
pub fn current_or(fallback: &RequestContext) -> RequestContext {
    CURRENT.try_with(Clone::clone).unwrap_or_else(|_| fallback.clone())
}

/// The id of the request being served; a fresh one outside requests (background work).
pub fn request_id() -> String {
    CURRENT
        .try_with(|c| c.request_id.to_string())
        .ok()
        .filter(|id| !id.is_empty())
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string())
}

/// The region of an `Authorization: AWS4-HMAC-SHA256 Credential=AKID/20240101/us-west-2/lambda/aws4_request, ...`.
pub fn region_from_authorization(value: &str) -> Option<&str> {
    let cred = value.split("Credential=").nth(1)?;
    let scope = cred.split([',', ' ']).next()?;
    let mut parts = scope.split('/');
    let _akid = parts.next()?;
    let _date = parts.next()?;
    parts.next().filter(|r| !r.is_empty())
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_the_credential_scope() {
        let h = "AWS4-HMAC-SHA256 Credential=AKID/20240101/eu-west-3/lambda/aws4_request, SignedHeaders=host, Signature=abc";
        assert_eq!(super::region_from_authorization(h), Some("eu-west-3"));
        assert_eq!(super::region_from_authorization("Bearer x"), None);
    }
}
