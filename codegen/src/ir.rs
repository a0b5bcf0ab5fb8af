//! The typed intermediate form of an operation, read from the model once: its names, its `@http`
//! binding (method, URI pattern and labels, success status), its input, output and error shapes,
//! and where each input member is bound. Emitters consume this instead of re-walking the model.

use crate::gen::Gen;
use crate::model::{short, Kind, Member, Shape};
use crate::names::{pascal, snake};

/// Where a member of an input or output structure is bound.
#[derive(Debug, Clone, PartialEq)]
pub enum Binding {
    Label(usize),
    Query(String),
    QueryParams,
    Header(String),
    PrefixHeaders(String),
    Payload,
    ResponseCode,
    Body,
}

/// One operation of a service, ready to emit.
pub struct OperationIr<'m> {
    /// The operation's shape id.
    pub id: String,
    /// Its name in the model (`CreateFunction`).
    pub name: String,
    /// Its module and trait method (`create_function`).
    pub module: String,
    /// Its `Operation` variant (`CreateFunction`).
    pub variant: String,
    pub method: String,
    pub uri: String,
    /// The status of a success.
    pub code: u16,
    pub input: Option<&'m Shape>,
    pub output: Option<&'m Shape>,
    /// Rust types of the input and output (`()` when the model has none) and of the error enum.
    pub input_type: String,
    pub output_type: String,
    pub error_type: String,
    /// The error shapes the model lists for the operation.
    pub errors: Vec<String>,
    /// Each input member with its binding, in model order.
    pub input_bindings: Vec<(&'m Member, Binding)>,
    /// The `Content-Type` a request must have (`None`: no body), `*/*` for an unmodelled blob.
    pub request_content_type: Option<String>,
    /// The media type of a response body, `*/*` for an unmodelled blob (checked against `Accept`).
    pub response_content_type: String,
}

impl<'m> OperationIr<'m> {
    pub fn new(g: &Gen<'m>, id: &str) -> OperationIr<'m> {
        let op = g.shape(id);
        let http = op.get("http").cloned().unwrap_or_default();
        let method = http
            .get("method")
            .and_then(|v| v.as_str())
            .unwrap_or("POST")
            .to_string();
        let uri = http.get("uri").and_then(|v| v.as_str()).unwrap_or("/").to_string();
        let code = http.get("code").and_then(|v| v.as_u64()).unwrap_or(200) as u16;
        let labels = uri_labels(&uri);
        let input = op.input().map(|i| g.shape(&i));
        let output = op.output().map(|o| g.shape(&o));
        let input_bindings = input
            .map(|s| s.members.iter().map(|m| (m, binding(m, &labels))).collect())
            .unwrap_or_default();
        OperationIr {
            id: id.to_string(),
            name: short(id).to_string(),
            module: module_name(id),
            variant: pascal(short(id)),
            method,
            uri,
            code,
            input,
            output,
            input_type: g.input_type(id),
            output_type: g.output_type(id),
            error_type: g.op_error_type(id),
            errors: g.model.operation_errors(g.cfg.service, id),
            input_bindings,
            request_content_type: match input {
                Some(s) if any_blob_payload(g, s) => Some("*/*".into()),
                _ => body_media_type(g, input),
            },
            response_content_type: match output {
                Some(s) if any_blob_payload(g, s) => "*/*".into(),
                _ => body_media_type(g, output).unwrap_or_else(|| "application/json".into()),
            },
        }
    }
}

/// Whether a structure's payload is a blob without a modelled media type: it may be anything.
fn any_blob_payload(g: &Gen, s: &Shape) -> bool {
    s.members
        .iter()
        .any(|m| m.has("httpPayload") && g.shape(&m.target).kind == Kind::Blob && !g.shape(&m.target).has("mediaType"))
}

/// The media type of a body: the payload member's, or JSON when members are in the body.
pub fn body_media_type(g: &Gen, s: Option<&Shape>) -> Option<String> {
    let s = s?;
    if let Some(p) = s.members.iter().find(|m| m.has("httpPayload")) {
        let t = g.shape(&p.target);
        let own = t.get("mediaType").and_then(|v| v.as_str()).map(str::to_string);
        return Some(match t.kind {
            Kind::Blob => own.unwrap_or_else(|| "application/octet-stream".into()),
            Kind::String | Kind::Enum => own.unwrap_or_else(|| "text/plain".into()),
            Kind::Union if t.has("streaming") => "application/vnd.amazon.eventstream".into(),
            _ => "application/json".into(),
        });
    }
    if s.members.is_empty() || s.members.iter().any(|m| binding(m, &[]) == Binding::Body) {
        Some("application/json".into())
    } else {
        None
    }
}

/// The module (and trait method) of an operation.
pub fn module_name(op: &str) -> String {
    snake(short(op))
}

/// Label names of a URI pattern, in order.
pub fn uri_labels(uri: &str) -> Vec<String> {
    let path = uri.split('?').next().unwrap_or("");
    path.split('/')
        .filter_map(|seg| {
            seg.strip_prefix('{')?
                .strip_suffix('}')
                .map(|l| l.trim_end_matches('+').to_string())
        })
        .collect()
}

/// Where a member of an input is bound, given the operation's URI labels.
pub fn binding(m: &Member, labels: &[String]) -> Binding {
    if m.has("httpLabel") {
        Binding::Label(labels.iter().position(|l| *l == m.name).unwrap_or(0))
    } else if let Some(q) = m.get("httpQuery").and_then(|v| v.as_str()) {
        Binding::Query(q.to_string())
    } else if m.has("httpQueryParams") {
        Binding::QueryParams
    } else if let Some(h) = m.get("httpHeader").and_then(|v| v.as_str()) {
        Binding::Header(h.to_string())
    } else if let Some(p) = m.get("httpPrefixHeaders").and_then(|v| v.as_str()) {
        Binding::PrefixHeaders(p.to_string())
    } else if m.has("httpPayload") {
        Binding::Payload
    } else if m.has("httpResponseCode") {
        Binding::ResponseCode
    } else {
        Binding::Body
    }
}

/// Where a member of an *output* or error is bound: query and label bindings mean nothing there.
pub fn output_binding(m: &Member) -> Binding {
    match binding(m, &[]) {
        Binding::Label(_) | Binding::Query(_) | Binding::QueryParams => Binding::Body,
        b => b,
    }
}
