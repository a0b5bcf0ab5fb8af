//! Which members the generated code reads or writes as JSON, and so which readers (`de_`) and
//! writers (`ser_`) of aggregate shapes it calls: walked over the shapes from the operations'
//! bindings, event streams and the error bindings. Decides what `json_de.rs`/`json_ser.rs` hold
//! and which modules import them.

use crate::emit_json::{aggregates, stem};
use crate::gen::Gen;
use crate::ir::{output_binding, Binding, OperationIr};
use crate::model::{Kind, Member, Shape};
use std::collections::BTreeSet;

/// Whether a value of shape `id` is read and written by its own function (an aggregate).
pub fn has_function(g: &Gen, id: &str) -> bool {
    matches!(g.shape(id).kind, Kind::Structure | Kind::Union | Kind::List | Kind::Map)
}

/// Whether any of `members` is read or written by an aggregate's function.
pub fn calls_function(g: &Gen, members: &[&Member]) -> bool {
    members.iter().any(|m| has_function(g, &m.target))
}

/// The members an operation reads from JSON: body members, a structured payload, and the
/// JSON-held members of the events of an input stream.
pub fn read_members<'m>(g: &Gen<'m>, op: &OperationIr<'m>) -> Vec<&'m Member> {
    let mut out = Vec::new();
    for (m, b) in &op.input_bindings {
        match b {
            Binding::Body => out.push(*m),
            Binding::Payload if g.is_event_stream(&m.target) => {
                for ev in events(g, &m.target).into_iter().filter(|ev| !ev.has("error")) {
                    out.extend(ev.members.iter().filter(|f| event_member_is_json(g, f)));
                }
            }
            Binding::Payload if !matches!(g.shape(&m.target).kind, Kind::Blob | Kind::String | Kind::Enum) => {
                out.push(*m)
            }
            _ => {}
        }
    }
    out
}

/// The members an operation writes as JSON: body members or a structured payload of its
/// output, and the JSON-held members of the events of an output stream.
pub fn written_members<'m>(g: &Gen<'m>, op: &OperationIr<'m>) -> Vec<&'m Member> {
    let Some(s) = op.output else { return Vec::new() };
    let Some(p) = s.members.iter().find(|m| m.has("httpPayload")) else {
        return s
            .members
            .iter()
            .filter(|m| output_binding(m) == Binding::Body)
            .collect();
    };
    if g.is_event_stream(&p.target) {
        let mut out = Vec::new();
        for ev in events(g, &p.target) {
            if ev.has("error") && !ev.members.iter().any(|f| f.has("eventPayload")) {
                out.extend(&ev.members);
            } else {
                out.extend(ev.members.iter().filter(|f| event_member_is_json(g, f)));
            }
        }
        return out;
    }
    let kind = g.shape(&p.target).kind;
    if g.is_streaming_blob(&p.target) || matches!(kind, Kind::Blob | Kind::String | Kind::Enum) {
        Vec::new()
    } else {
        vec![p]
    }
}

/// The members the error bindings write as JSON: every service error's body members except a
/// `Type` member that supplies the error type.
pub fn error_written_members<'m>(g: &Gen<'m>) -> Vec<&'m Member> {
    crate::emit_errors::service_errors(g)
        .iter()
        .flat_map(|e| {
            let s = g.shape(e);
            let type_member = crate::emit_error_bindings::type_member(g, s);
            s.members
                .iter()
                .filter(move |m| output_binding(m) == Binding::Body && type_member.is_none_or(|t| t.name != m.name))
        })
        .collect()
}

/// The event shapes of an event-stream union (not its unit members).
fn events<'m>(g: &Gen<'m>, union_id: &str) -> Vec<&'m Shape> {
    g.shape(union_id)
        .members
        .iter()
        .filter(|m| m.target != "smithy.api#Unit")
        .map(|m| g.shape(&m.target))
        .collect()
}

/// Whether an event member is held as JSON: an implicit (body) member, or a payload that is
/// neither a blob nor text.
pub fn event_member_is_json(g: &Gen, f: &Member) -> bool {
    !f.has("eventHeader") && (!f.has("eventPayload") || !matches!(g.shape(&f.target).kind, Kind::Blob | Kind::String))
}

/// The stems of the aggregate functions that reading or writing `roots` reaches, through the
/// members of each aggregate reached.
pub fn reached(g: &Gen, roots: &[&Member]) -> BTreeSet<String> {
    let fns = aggregates(g);
    let mut used = BTreeSet::new();
    let mut todo: Vec<&str> = roots.iter().map(|m| m.target.as_str()).collect();
    while let Some(id) = todo.pop() {
        if !has_function(g, id) || !used.insert(stem(g, id)) {
            continue;
        }
        if let Some(s) = fns.iter().find(|s| stem(g, &s.id) == stem(g, id)) {
            let callees: Vec<&Member> = match s.kind {
                Kind::Map => vec![&s.members[1]],
                _ => s.members.iter().collect(),
            };
            todo.extend(callees.into_iter().map(|m| m.target.as_str()));
        }
    }
    used
}
