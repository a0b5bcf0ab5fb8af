//! Event streams: the type of an event-stream output member, and the AWS event-stream binary framing
//! (prelude, headers, payload, CRCs) its events are sent in.

use crate::BoxError;
use aws_smithy_types::event_stream::{Header, HeaderValue, Message};
use bytes::Bytes;
use futures_util::stream::{BoxStream, Stream, StreamExt};

/// A stream of events of type `T` sent to the client as the response body.
pub struct EventStream<T> {
    inner: BoxStream<'static, Result<T, BoxError>>,
}

impl<T> EventStream<T> {
    pub fn new(stream: impl Stream<Item = Result<T, BoxError>> + Send + 'static) -> EventStream<T> {
        EventStream { inner: stream.boxed() }
    }

    pub fn into_inner(self) -> BoxStream<'static, Result<T, BoxError>> {
        self.inner
    }
}

impl<T> std::fmt::Debug for EventStream<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EventStream")
    }
}

/// An event message (`:message-type` `event`) of the given type carrying `payload`.
pub fn event(event_type: &str, content_type: Option<&str>, payload: Bytes, headers: Vec<Header>) -> Message {
    let mut m = Message::new(payload)
        .add_header(Header::new(
            ":message-type",
            HeaderValue::String("event".to_string().into()),
        ))
        .add_header(Header::new(
            ":event-type",
            HeaderValue::String(event_type.to_string().into()),
        ));
    if let Some(ct) = content_type {
        m = m.add_header(Header::new(":content-type", HeaderValue::String(ct.to_string().into())));
    }
    for h in headers {
        m = m.add_header(h);
    }
    m
}

/// A modelled error sent on the stream (`:message-type` `exception`), with its JSON body.
pub fn exception(exception_type: &str, payload: Bytes) -> Message {
    Message::new(payload)
        .add_header(Header::new(
            ":message-type",
            HeaderValue::String("exception".to_string().into()),
        ))
        .add_header(Header::new(
            ":exception-type",
            HeaderValue::String(exception_type.to_string().into()),
        ))
        .add_header(Header::new(
            ":content-type",
            HeaderValue::String("application/json".to_string().into()),
        ))
}

/// The wire frame of one message.
pub fn encode(message: &Message) -> Result<Bytes, BoxError> {
    let mut buf = Vec::new();
    aws_smithy_eventstream::frame::write_message_to(message, &mut buf)?;
    Ok(Bytes::from(buf))
}

/// Reads the events of an event-stream request body as they arrive; `unmarshall` turns each
/// message into an event. A framing error or an unreadable body ends the stream with an error.
pub fn from_body<T, B>(body: B, unmarshall: fn(&Message) -> Result<T, BoxError>) -> EventStream<T>
where
    T: Send + 'static,
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    use aws_smithy_eventstream::frame::{DecodedFrame, MessageFrameDecoder};
    use http_body_util::BodyExt;
    struct State<B> {
        body: std::pin::Pin<Box<B>>,
        buf: bytes::BytesMut,
        decoder: MessageFrameDecoder,
        done: bool,
    }
    let state = State {
        body: Box::pin(body),
        buf: bytes::BytesMut::new(),
        decoder: MessageFrameDecoder::new(),
        done: false,
    };
    let stream = futures_util::stream::unfold(state, move |mut st| async move {
        loop {
            if st.done {
                return None;
            }
            match st.decoder.decode_frame(&mut st.buf) {
                Ok(DecodedFrame::Complete(message)) => return Some((unmarshall(&message), st)),
                Ok(DecodedFrame::Incomplete) => {}
                Err(e) => {
                    st.done = true;
                    return Some((Err(e.into()), st));
                }
            }
            match st.body.as_mut().frame().await {
                Some(Ok(frame)) => {
                    if let Ok(data) = frame.into_data() {
                        st.buf.extend_from_slice(&data);
                    }
                }
                Some(Err(e)) => {
                    st.done = true;
                    return Some((Err(e.into()), st));
                }
                None if st.buf.is_empty() => return None,
                None => {
                    st.done = true;
                    return Some((Err("the event stream ended in the middle of a message".into()), st));
                }
            }
        }
    });
    EventStream::new(stream)
}

/// The value of a string header of a message.
pub fn string_header<'a>(message: &'a Message, name: &str) -> Option<&'a str> {
    message
        .headers()
        .iter()
        .find(|h| h.name().as_str() == name)
        .and_then(|h| h.value().as_string().ok())
        .map(|s| s.as_str())
}

/// A header of a message, by name.
pub fn header<'a>(message: &'a Message, name: &str) -> Option<&'a HeaderValue> {
    message
        .headers()
        .iter()
        .find(|h| h.name().as_str() == name)
        .map(|h| h.value())
}

/// Turns a stream of events into a response body of frames; `marshall` builds each event's message.
pub fn into_body<T: Send + 'static>(stream: EventStream<T>, marshall: fn(&T) -> Message) -> crate::body::Body {
    use http_body_util::BodyExt;
    let frames = stream.into_inner().map(move |item| {
        let message = marshall(&item?);
        encode(&message).map(http_body::Frame::data)
    });
    http_body_util::StreamBody::new(frames).boxed_unsync()
}
