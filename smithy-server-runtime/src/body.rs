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

/// Undoes a `Content-Encoding: gzip` (the last coding applied, as SDKs append it for
/// `@requestCompression`); other codings are left to the operation.
pub fn decode_content_encoding(headers: &http::HeaderMap, bytes: Bytes, limit: usize) -> Result<Bytes, String> {
    let Some(enc) = headers
        .get(http::header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
    else {
        return Ok(bytes);
    };
    let last = enc.rsplit(',').next().unwrap_or("").trim();
    if !last.eq_ignore_ascii_case("gzip") || bytes.is_empty() {
        return Ok(bytes);
    }
    use std::io::Read;
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(&bytes[..])
        .take(limit as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|e| format!("the gzip request body cannot be decompressed: {e}"))?;
    if out.len() > limit {
        return Err(format!("the decompressed request body is larger than {limit} bytes"));
    }
    Ok(Bytes::from(out))
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn gzip_bodies_are_decompressed() {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(b"{\"a\":1}").unwrap();
        let gz = Bytes::from(enc.finish().unwrap());
        let mut h = http::HeaderMap::new();
        h.insert("content-encoding", "custom, gzip".parse().unwrap());
        assert_eq!(
            decode_content_encoding(&h, gz.clone(), 100).unwrap(),
            Bytes::from_static(b"{\"a\":1}")
        );
        assert!(decode_content_encoding(&h, gz, 3).is_err());
        assert!(decode_content_encoding(&h, Bytes::from_static(b"not gzip"), 100).is_err());
        h.insert("content-encoding", "identity".parse().unwrap());
        assert_eq!(
            decode_content_encoding(&h, Bytes::from_static(b"x"), 100).unwrap(),
            Bytes::from_static(b"x")
        );
    }
}
