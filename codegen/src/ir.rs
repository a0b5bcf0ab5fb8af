//! The typed intermediate form of an operation, read from the model once: its names, its `@http`
//! binding (method, URI pattern and labels, success status), its input, output and error shapes,
//! and where each input member is bound; and the typed constraints on a member's value. Emitters
//! consume this instead of re-walking the model.

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
    /// Whether some input member is read from a JSON document (the body, or a payload that is
    /// neither text, a blob nor a stream): such a reader may mark the input invalid.
    pub reads_json: bool,
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
        let input_bindings: Vec<(&Member, Binding)> = input
            .map(|s| s.members.iter().map(|m| (m, binding(m, &labels))).collect())
            .unwrap_or_default();
        let reads_json = input_bindings.iter().any(|(m, b)| match b {
            Binding::Body => true,
            Binding::Payload => {
                let kind = g.shape(&m.target).kind;
                !matches!(kind, Kind::Blob | Kind::String | Kind::Enum) && !g.is_event_stream(&m.target)
            }
            _ => false,
        });
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
            reads_json,
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

/// A constraint the model puts on a member's value (merged over its target's traits), kept only
/// where it applies to the target's kind.
#[derive(Debug, Clone, PartialEq)]
pub enum Constraint {
    /// `@required`: an absent member is a violation.
    Required,
    /// `@length`, counting what `counted` says.
    Length {
        counted: Counted,
        min: Option<u64>,
        max: Option<u64>,
    },
    /// `@pattern` on a string: the regular expression.
    Pattern(String),
    /// `@range` on a number; `double` when the value is already an `f64`.
    Range {
        min: Option<Bound>,
        max: Option<Bound>,
        double: bool,
    },
    /// An enum's value must be one of its values; `rust_type` is the enum's type.
    EnumValue { rust_type: String },
    /// An intEnum's value must be one of these (their JSON text).
    IntEnumValue(Vec<String>),
    /// `@uniqueItems` on a list.
    UniqueItems,
}

/// What a `@length` counts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Counted {
    /// A string's characters (the value is shown in a violation).
    Chars,
    /// A blob's bytes.
    Bytes,
    /// A list's or map's entries.
    Entries,
}

/// A bound of a `@range`: its value and its text in the model.
#[derive(Debug, Clone, PartialEq)]
pub struct Bound {
    pub value: f64,
    pub text: String,
}

/// The constraints on member `m`'s value, in the order they are checked.
pub fn constraints(g: &Gen, m: &Member) -> Vec<Constraint> {
    let t = g.shape(&m.target);
    let trait_of = |name: &str| m.get(name).or_else(|| t.get(name));
    let mut out = Vec::new();
    if m.has("required") {
        out.push(Constraint::Required);
    }
    if let Some(len) = trait_of("length") {
        let counted = match t.kind {
            Kind::String => Some(Counted::Chars),
            Kind::Blob => Some(Counted::Bytes),
            Kind::List | Kind::Map => Some(Counted::Entries),
            _ => None,
        };
        if let Some(counted) = counted {
            let min = len.get("min").and_then(|v| v.as_u64());
            let max = len.get("max").and_then(|v| v.as_u64());
            out.push(Constraint::Length { counted, min, max });
        }
    }
    if let Some(p) = trait_of("pattern").and_then(|p| p.as_str()) {
        if t.kind == Kind::String {
            out.push(Constraint::Pattern(p.to_string()));
        }
    }
    if let Some(r) = trait_of("range") {
        let numeric = matches!(
            t.kind,
            Kind::Byte | Kind::Short | Kind::Integer | Kind::Long | Kind::Float | Kind::Double | Kind::IntEnum
        );
        if numeric {
            let bound = |k: &str| {
                r.get(k).map(|v| Bound {
                    value: v.as_f64().unwrap_or(0.0),
                    text: v.to_string(),
                })
            };
            out.push(Constraint::Range {
                min: bound("min"),
                max: bound("max"),
                double: t.kind == Kind::Double,
            });
        }
    }
    if t.kind == Kind::Enum {
        out.push(Constraint::EnumValue {
            rust_type: g.rust_type(&t.id),
        });
    }
    if t.kind == Kind::IntEnum {
        let values = t
            .members
            .iter()
            .filter_map(|m| m.get("enumValue"))
            .map(|v| v.to_string())
            .collect();
        out.push(Constraint::IntEnumValue(values));
    }
    if trait_of("uniqueItems").is_some() && t.kind == Kind::List {
        out.push(Constraint::UniqueItems);
    }
    out
}
