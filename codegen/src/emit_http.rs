//! Emits `operation/<name>.rs` for each operation: its method and URI pattern, then the request
//! reader, the response and error writers and any event-stream functions, each from its own
//! emitter, with the imports the result needs.

use crate::emit_event_stream::{marshaller, unmarshaller};
use crate::emit_request::deserializer;
use crate::emit_response::{error_serializer, serializer};
use crate::gen::Gen;
use crate::imports::with_imports;
use crate::ir::{Binding, OperationIr};
use crate::json_reach::{calls_function, read_members, written_members};
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
    // A validator is declared for any input; paths are named by the members read from text or JSON.
    let reads = read_members(g, op);
    let names_path = !reads.is_empty()
        || op.input_bindings.iter().any(|(_, b)| {
            matches!(
                b,
                Binding::Label(_) | Binding::Query(_) | Binding::QueryParams | Binding::Header(_)
            )
        });
    let validation = match (names_path, op.input.is_some()) {
        (true, true) => "use rt::validation::{PathSeg, Validator};\n",
        (true, false) => "use rt::validation::PathSeg;\n",
        (false, true) => "use rt::validation::Validator;\n",
        (false, false) => "",
    };
    with_imports(
        out,
        &[
            (validation, true),
            ("use {root}::json_de::*;\n", calls_function(g, &reads)),
            ("use {root}::json_ser::*;\n", calls_function(g, &written_members(g, op))),
        ],
        &g.root(),
    )
}
