//! Emits `operation/<name>.rs` for each operation: its method and URI pattern, then the request
//! reader, the response and error writers and any event-stream functions, each from its own
//! emitter, with the imports the result needs.

use crate::emit_event_stream::{marshaller, unmarshaller};
use crate::emit_request::deserializer;
use crate::emit_response::{error_serializer, serializer};
use crate::gen::Gen;
use crate::imports::{calls_prefixed, with_imports};
use crate::ir::OperationIr;
use crate::names::lit;
use crate::template::fill;

pub fn operation_rs(g: &Gen, op: &OperationIr) -> String {
    let mut out = fill(
        r#"
//! HTTP bindings of the `$name` operation: `$method $uri` (success: $code).

use smithy_server_runtime as rt;
use rt::rejection::Rejection;

/// The operation's HTTP method.
pub const METHOD: &str = $method_lit;
/// The operation's URI pattern.
pub const URI: &str = $uri_lit;

"#,
        &[
            ("name", &op.name),
            ("method", &op.method),
            ("uri", &op.uri),
            ("code", &op.code.to_string()),
            ("method_lit", &lit(&op.method)),
            ("uri_lit", &lit(&op.uri)),
        ],
    );
    deserializer(g, op, &mut out);
    serializer(g, op, &mut out);
    error_serializer(g, op, &mut out);
    if let Some(s) = op.input {
        for m in s.members.iter().filter(|m| g.is_event_stream(&m.target)) {
            unmarshaller(g, &m.target, &mut out);
        }
    }
    if let Some(s) = op.output {
        for m in s.members.iter().filter(|m| g.is_event_stream(&m.target)) {
            marshaller(g, &m.target, &mut out);
        }
    }
    let validation = match (calls_prefixed(&out, "PathSeg"), calls_prefixed(&out, "Validator")) {
        (true, true) => "use rt::validation::{PathSeg, Validator};\n",
        (true, false) => "use rt::validation::PathSeg;\n",
        (false, true) => "use rt::validation::Validator;\n",
        (false, false) => "",
    };
    with_imports(
        out,
        &[
            (validation, ""),
            ("use {root}::json_de::*;\n", "de_"),
            ("use {root}::json_ser::*;\n", "ser_"),
        ],
        &g.root(),
    )
}
