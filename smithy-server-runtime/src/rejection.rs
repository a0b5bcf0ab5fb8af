//! Requests a generated service turns away before any handler runs (unknown route, wrong media type,
//! unreadable body, constraint violations) and how each is rendered as a restJson1 error response.

use crate::body::{full, Body};
use crate::json_ser::JsonWriter;
use crate::validation::{summary, Style, Violation};

/// The settings that differ between services when rendering errors.
#[derive(Debug, Clone, Copy)]
pub struct Protocol {
    /// Error code of an unreadable request (`SerializationException`, or Lambda's
    /// `InvalidRequestContentException`).
    pub serialization_error: &'static str,
    /// Whether error bodies carry `"Type": "User" | "Service"`.
    pub error_type_field: bool,
    pub validation: Style,
}

#[derive(Debug)]
pub enum Rejection {
    UnknownOperation,
    MethodNotAllowed,
    UnsupportedMediaType,
    NotAcceptable,
    Serialization(String),
    /// The body is larger than `limit`; `operation` names the operation when the service's
    /// message does (`Request must be smaller than <limit> bytes for the <operation> operation`).
    TooLarge {
        limit: usize,
        operation: Option<&'static str>,
    },
    Validation(Vec<Violation>),
    /// The request body could not be read from the connection.
    Body(String),
}

impl From<crate::json_de::DeError> for Rejection {
    fn from(e: crate::json_de::DeError) -> Self {
        match e {
            crate::json_de::DeError::Malformed(m) => Rejection::Serialization(m),
            // Only produced together with recorded violations, which the caller renders instead.
            crate::json_de::DeError::Invalid => Rejection::Validation(vec![]),
        }
    }
}

impl From<crate::http_values::ValueError> for Rejection {
    fn from(e: crate::http_values::ValueError) -> Self {
        Rejection::Serialization(e.0)
    }
}

/// The `Type` an AWS error body carries for a client (`User`) or server (`Service`) fault.
pub fn fault_type(client: bool) -> &'static str {
    if client {
        "User"
    } else {
        "Service"
    }
}

/// Builds an error response: status, `X-Amzn-ErrorType`, JSON body written by `body`, and (for
/// services that use it) `"Type"`, whose value the caller gives: the fault's, or the one a handler
/// set on the error's own `Type` member; `None` leaves it out (AWS's bodies for some errors have
/// none).
pub fn error_response(
    status: u16,
    code: &str,
    protocol: &Protocol,
    type_value: Option<&str>,
    body: impl FnOnce(&mut JsonWriter),
) -> http::Response<Body> {
    let mut w = JsonWriter::new();
    w.begin_object();
    if let Some(t) = type_value.filter(|_| protocol.error_type_field) {
        w.key("Type");
        w.string(t);
    }
    body(&mut w);
    w.end_object();
    http::Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .header("x-amzn-errortype", code)
        .body(full(w.finish()))
        .unwrap_or_else(|_| http::Response::new(crate::body::empty()))
}

impl Rejection {
    pub fn into_response(self, protocol: &Protocol) -> http::Response<Body> {
        let msg = |m: String| {
            move |w: &mut JsonWriter| {
                w.key("message");
                w.string(&m);
            }
        };
        match self {
            Rejection::UnknownOperation => error_response(
                404,
                "UnknownOperationException",
                protocol,
                Some("User"),
                msg("Unknown operation".into()),
            ),
            Rejection::MethodNotAllowed => error_response(
                405,
                "MethodNotAllowedException",
                protocol,
                Some("User"),
                msg("Method not allowed".into()),
            ),
            Rejection::UnsupportedMediaType => error_response(
                415,
                "UnsupportedMediaTypeException",
                protocol,
                Some("User"),
                msg("The content type of the request is not supported".into()),
            ),
            Rejection::NotAcceptable => error_response(
                406,
                "NotAcceptableException",
                protocol,
                Some("User"),
                msg("The requested media type is not acceptable".into()),
            ),
            Rejection::Serialization(m) => {
                error_response(400, protocol.serialization_error, protocol, Some("User"), msg(m))
            }
            Rejection::Body(m) => error_response(400, protocol.serialization_error, protocol, Some("User"), msg(m)),
            // AWS's 413 bodies carry no `Type`.
            Rejection::TooLarge { limit, operation } => error_response(
                413,
                "RequestEntityTooLargeException",
                protocol,
                None,
                msg(match operation {
                    Some(op) => format!("Request must be smaller than {limit} bytes for the {op} operation"),
                    None => format!("Request must be smaller than {limit} bytes"),
                }),
            ),
            Rejection::Validation(violations) => {
                let style = protocol.validation;
                let message = summary(&violations, style);
                error_response(400, "ValidationException", protocol, Some("User"), |w| {
                    w.key("message");
                    w.string(&message);
                    if style == Style::Smithy {
                        w.key("fieldList");
                        w.begin_array();
                        for v in &violations {
                            w.begin_object();
                            w.key("message");
                            w.string(&v.message(style));
                            w.key("path");
                            w.string(&v.smithy_path());
                            w.end_object();
                        }
                        w.end_array();
                    }
                })
            }
        }
    }
}
