//! HTTP bodies: the boxed response body every generated service answers with, collecting request
//! bodies under a size limit, and `ByteStream`, the type of streaming blob members.

use crate::BoxError;
use bytes::Bytes;
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Empty, Full};

/// The largest request body a service reads into memory (Lambda's direct zip upload is 50 MB,
/// which is about 67 MB once base64-encoded in JSON).
pub const REQUEST_LIMIT: usize = 128 * 1024 * 1024;

/// The body type of responses.
pub type Body = UnsyncBoxBody<Bytes, BoxError>;

pub fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into()).map_err(|e| match e {}).boxed_unsync()
}

pub fn empty() -> Body {
    Empty::new().map_err(|e| match e {}).boxed_unsync()
}

/// Boxes any body whose chunks are `Bytes`.
pub fn boxed<B>(body: B) -> Body
where
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    body.map_err(Into::into).boxed_unsync()
}

/// The body was larger than the limit.
#[derive(Debug)]
pub struct TooLarge;

/// Reads a whole body into memory, failing once more than `limit` bytes arrived.
pub async fn collect<B>(body: B, limit: usize) -> Result<Bytes, Result<TooLarge, BoxError>>
where
    B: http_body::Body<Data = Bytes>,
    B::Error: Into<BoxError>,
{
    if body.size_hint().lower() > limit as u64 {
        return Err(Ok(TooLarge));
    }
    let limited = http_body_util::Limited::new(body, limit);
    match limited.collect().await {
        Ok(c) => Ok(c.to_bytes()),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => Err(Ok(TooLarge)),
        Err(e) => Err(Err(e)),
    }
}

/// A streaming blob: the bytes of a request or response that need not be held in memory at once.
pub struct ByteStream {
    inner: Body,
}

impl ByteStream {
    pub fn new(bytes: impl Into<Bytes>) -> ByteStream {
        ByteStream { inner: full(bytes) }
    }

    pub fn from_body<B>(body: B) -> ByteStream
    where
        B: http_body::Body<Data = Bytes> + Send + 'static,
        B::Error: Into<BoxError>,
    {
        ByteStream { inner: boxed(body) }
    }

    /// Reads the whole stream.
    pub async fn collect(self) -> Result<Bytes, BoxError> {
        Ok(self.inner.collect().await?.to_bytes())
    }

    pub fn into_body(self) -> Body {
        self.inner
    }
}

impl Default for ByteStream {
    fn default() -> Self {
        ByteStream { inner: empty() }
    }
}

impl std::fmt::Debug for ByteStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ByteStream")
    }
}

impl From<Bytes> for ByteStream {
    fn from(b: Bytes) -> Self {
        ByteStream::new(b)
    }
}

impl From<Vec<u8>> for ByteStream {
    fn from(b: Vec<u8>) -> Self {
        ByteStream::new(b)
    }
}
