//! The generation context for one service: its shapes, the Rust type of each, which members are
//! optional or boxed, and the settings that differ between services.

use crate::model::{short, Kind, Member, Model, Shape};
use crate::names;
use std::collections::{BTreeMap, BTreeSet};

/// How constraint violations are rendered.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ValidationStyle {
    /// `smithy.framework#ValidationException`: `message` plus `fieldList`, JSON-pointer paths.
    Smithy,
    /// AWS's own services (Lambda): `1 validation error detected: Value 'x' at 'functionName' ...`.
    Aws,
}

/// What a generated service module is made from and how it behaves where services differ.
pub struct ServiceConfig {
    pub service: &'static str,
    /// Module the service lives in inside its crate.
    pub module: &'static str,
    pub trait_name: &'static str,
    pub service_type: &'static str,
    /// Error code for a body that cannot be parsed.
    pub serialization_error: &'static str,
    /// Whether error bodies carry `"Type": "User" | "Service"` (AWS services do).
    pub error_type_field: bool,
    /// Whether a request with no `Content-Type` may still carry a JSON body (AWS services accept it).
    pub lenient_content_type: bool,
    /// Enum members (`structure shape id`, `member name`) whose unknown values the wire layer hands
    /// to the handler instead of refusing them: values the service checks with rules of its own.
    pub handler_checked_enums: &'static [(&'static str, &'static str)],
    /// Enums whose values the service lists in an order of its own (not the model's declaration
    /// order) in its validation messages: (enum shape id, values in that order).
    pub enum_value_orders: &'static [(&'static str, &'static [&'static str])],
    /// Error shapes the service answers under another code (`X-Amzn-ErrorType`) than their name:
    /// (shape name, wire code).
    pub error_codes: &'static [(&'static str, &'static str)],
    /// Operations whose whole request the service limits below the runtime's `REQUEST_LIMIT`:
    /// (operation name, bytes). The body is read up to the limit and no further, and the 413
    /// names the operation.
    pub request_limits: &'static [(&'static str, usize)],
}

pub struct Gen<'m> {
    pub model: &'m Model,
    pub cfg: &'m ServiceConfig,
    pub renames: BTreeMap<String, String>,
    pub closure: BTreeSet<String>,
    pub ops: Vec<String>,
    /// (shape id, member name) pairs that need a `Box` to break a recursive type.
    boxed: BTreeSet<(String, String)>,
}

impl<'m> Gen<'m> {
    pub fn new(model: &'m Model, cfg: &'m ServiceConfig) -> Gen<'m> {
        let closure = model.closure(cfg.service);
        let mut g = Gen {
            model,
            cfg,
            renames: model.renames(cfg.service),
            ops: model.operations(cfg.service),
            closure,
            boxed: BTreeSet::new(),
        };
        g.boxed = g.find_boxed();
        g
    }

    /// Services whose operations model `smithy.framework#ValidationException` get its wording.
    pub fn validation_style(&self) -> ValidationStyle {
        let smithy = self.ops.iter().any(|op| {
            self.model
                .operation_errors(self.cfg.service, op)
                .iter()
                .any(|e| e == "smithy.framework#ValidationException")
        });
        if smithy {
            ValidationStyle::Smithy
        } else {
            ValidationStyle::Aws
        }
    }

    pub fn shape(&self, id: &str) -> &'m Shape {
        self.model.shape(id)
    }

    /// The Rust name of a generated type (structure, union, enum).
    pub fn type_ident(&self, id: &str) -> String {
        names::type_name(self.renames.get(id).map(String::as_str).unwrap_or(short(id)))
    }

    pub fn root(&self) -> String {
        format!("crate::{}", self.cfg.module)
    }

    /// Shapes that become Rust types, in a stable order.
    pub fn generated_shapes(&self) -> Vec<&'m Shape> {
        let mut v: Vec<&Shape> = self
            .closure
            .iter()
            .map(|id| self.shape(id))
            .filter(|s| matches!(s.kind, Kind::Structure | Kind::Union | Kind::Enum | Kind::IntEnum))
            .filter(|s| !s.has("unitType"))
            .collect();
        v.sort_by_key(|s| self.type_ident(&s.id));
        v
    }

    /// Whether a shape is the input or output of one of the service's operations.
    pub fn is_operation_io(&self, id: &str) -> bool {
        self.ops.iter().any(|op| {
            let o = self.shape(op);
            o.input().as_deref() == Some(id) || o.output().as_deref() == Some(id)
        })
    }

    /// Whether some member in the service's closure targets the shape.
    pub fn is_member_target(&self, id: &str) -> bool {
        self.closure
            .iter()
            .any(|s| self.shape(s).members.iter().any(|m| m.target == id))
    }

    pub fn is_streaming_blob(&self, target: &str) -> bool {
        let s = self.shape(target);
        s.kind == Kind::Blob && s.has("streaming")
    }

    pub fn is_event_stream(&self, target: &str) -> bool {
        let s = self.shape(target);
        s.kind == Kind::Union && s.has("streaming")
    }

    /// The Rust type of a value of shape `id` (without the Option of an optional member).
    pub fn rust_type(&self, id: &str) -> String {
        let s = self.shape(id);
        match s.kind {
            Kind::Blob if s.has("streaming") => "rt::body::ByteStream".into(),
            Kind::Blob => "rt::aws_smithy_types::Blob".into(),
            Kind::Boolean => "bool".into(),
            Kind::String => "::std::string::String".into(),
            Kind::Byte => "i8".into(),
            Kind::Short => "i16".into(),
            Kind::Integer | Kind::IntEnum => "i32".into(),
            Kind::Long => "i64".into(),
            Kind::Float => "f32".into(),
            Kind::Double => "f64".into(),
            Kind::BigInteger => "rt::aws_smithy_types::BigInteger".into(),
            Kind::BigDecimal => "rt::aws_smithy_types::BigDecimal".into(),
            Kind::Timestamp => "rt::aws_smithy_types::DateTime".into(),
            Kind::Document => "rt::aws_smithy_types::Document".into(),
            Kind::Enum | Kind::Structure => format!("{}::model::{}", self.root(), self.type_ident(id)),
            Kind::Union if s.has("streaming") => {
                format!(
                    "rt::event_stream::EventStream<{}::model::{}>",
                    self.root(),
                    self.type_ident(id)
                )
            }
            Kind::Union => format!("{}::model::{}", self.root(), self.type_ident(id)),
            Kind::List => {
                let m = &s.members[0];
                let inner = self.rust_type(&m.target);
                if s.has("sparse") {
                    format!("::std::vec::Vec<::std::option::Option<{inner}>>")
                } else {
                    format!("::std::vec::Vec<{inner}>")
                }
            }
            Kind::Map => {
                let v = self.rust_type(&s.members[1].target);
                let v = if s.has("sparse") {
                    format!("::std::option::Option<{v}>")
                } else {
                    v
                };
                format!("::std::collections::HashMap<::std::string::String, {v}>")
            }
            Kind::Operation | Kind::Service | Kind::Resource => panic!("{id} is not a value shape"),
        }
    }

    /// A member's default value from the model, when it has a non-null one.
    pub fn default_value(&self, m: &'m Member) -> Option<&'m serde_json::Value> {
        let t = self.shape(&m.target);
        let v = match m.get("default") {
            Some(v) => Some(v),
            None if t.id.starts_with("smithy.api#Primitive") => t.get("default"),
            None => None,
        };
        v.filter(|v| !v.is_null())
    }

    /// A member is an `Option` unless it is required, has a default, or is a stream.
    pub fn is_optional(&self, m: &'m Member) -> bool {
        if self.is_streaming_blob(&m.target) || self.is_event_stream(&m.target) {
            return false;
        }
        !(m.has("required") || self.default_value(m).is_some())
    }

    pub fn is_boxed(&self, owner: &str, member: &str) -> bool {
        self.boxed.contains(&(owner.to_string(), member.to_string()))
    }

    /// The field type of a structure member.
    pub fn member_type(&self, owner: &Shape, m: &'m Member) -> String {
        let mut t = self.rust_type(&m.target);
        if self.is_boxed(&owner.id, &m.name) {
            t = format!("::std::boxed::Box<{t}>");
        }
        if self.is_optional(m) {
            t = format!("::std::option::Option<{t}>");
        }
        t
    }

    fn find_boxed(&self) -> BTreeSet<(String, String)> {
        // Edges between aggregate shapes that are stored inline (not behind a Vec or HashMap).
        let inline = |id: &str| -> Vec<(String, String)> {
            let s = self.shape(id);
            if !matches!(s.kind, Kind::Structure | Kind::Union) {
                return vec![];
            }
            s.members
                .iter()
                .filter(|m| matches!(self.shape(&m.target).kind, Kind::Structure | Kind::Union))
                .map(|m| (m.name.clone(), m.target.clone()))
                .collect()
        };
        let reaches = |from: &str, to: &str| -> bool {
            let mut seen = BTreeSet::new();
            let mut stack = vec![from.to_string()];
            while let Some(x) = stack.pop() {
                if x == to {
                    return true;
                }
                if seen.insert(x.clone()) {
                    stack.extend(inline(&x).into_iter().map(|(_, t)| t));
                }
            }
            false
        };
        let mut out = BTreeSet::new();
        for id in &self.closure {
            for (name, target) in inline(id) {
                if reaches(&target, id) {
                    out.insert((id.clone(), name));
                }
            }
        }
        out
    }

    /// Whether values of this shape can implement `PartialEq` (streams cannot).
    /// An event-stream union itself compares fine; what holds one (as `EventStream`) does not.
    pub fn comparable(&self, id: &str) -> bool {
        let root = self.shape(id);
        let stream_ok = |s: &Shape| !(s.has("streaming") && (s.kind == Kind::Blob || s.id != root.id));
        self.walk_all(id, &|s: &Shape| stream_ok(s))
    }

    /// Whether values of this shape have a `Default`.
    pub fn defaultable(&self, id: &str) -> bool {
        let s = self.shape(id);
        match s.kind {
            Kind::Timestamp | Kind::Document => false,
            Kind::Union if s.has("streaming") => false,
            Kind::Structure => s
                .members
                .iter()
                .all(|m| self.is_optional(m) || self.default_value(m).is_some() || self.defaultable(&m.target)),
            _ => true,
        }
    }

    /// True when `pred` holds for every shape reachable from `id`.
    fn walk_all(&self, id: &str, pred: &dyn Fn(&Shape) -> bool) -> bool {
        let mut seen = BTreeSet::new();
        let mut stack = vec![id.to_string()];
        while let Some(x) = stack.pop() {
            if !seen.insert(x.clone()) {
                continue;
            }
            let s = self.shape(&x);
            if !pred(s) {
                return false;
            }
            stack.extend(s.members.iter().map(|m| m.target.clone()));
        }
        true
    }

    /// Whether a value of this shape must be redacted in `Debug`.
    pub fn sensitive(&self, id: &str) -> bool {
        let s = self.shape(id);
        s.has("sensitive")
            || (matches!(s.kind, Kind::List | Kind::Map) && s.members.iter().any(|m| self.sensitive(&m.target)))
    }

    pub fn op_error_type(&self, op: &str) -> String {
        format!("{}Error", names::pascal(short(op)))
    }

    pub fn input_type(&self, op: &str) -> String {
        match self.shape(op).input() {
            Some(i) => self.rust_type(&i),
            None => "()".into(),
        }
    }

    pub fn output_type(&self, op: &str) -> String {
        match self.shape(op).output() {
            Some(o) => self.rust_type(&o),
            None => "()".into(),
        }
    }

    /// The documentation comment for a shape or member, if the model has one.
    pub fn doc(&self, traits: &serde_json::Map<String, serde_json::Value>, indent: &str) -> String {
        match traits.get("smithy.api#documentation").and_then(|d| d.as_str()) {
            Some(d) => {
                let s = names::first_sentence(d);
                if s.is_empty() {
                    String::new()
                } else {
                    format!("{indent}/// {s}\n")
                }
            }
            None => String::new(),
        }
    }
}
