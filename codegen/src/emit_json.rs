//! What the JSON readers and writers share: function names per shape, JSON member names, timestamp
//! formats, which shapes get a function, and assembling `json_de.rs`/`json_ser.rs` from the
//! functions the operations reach.

use crate::gen::Gen;
use crate::model::{Kind, Member, Shape};
use crate::names::snake_raw;

pub const FMT: &str = "rt::aws_smithy_types::date_time::Format";

/// The function-name stem for an aggregate shape.
pub fn stem(g: &Gen, id: &str) -> String {
    snake_raw(&g.type_ident(id))
}

/// Timestamp format of a member: its own trait, its target's, else the context's default.
pub fn ts_format(g: &Gen, m: Option<&Member>, target: &str, default: &str) -> String {
    let f = m
        .and_then(|m| m.get("timestampFormat"))
        .or_else(|| g.shape(target).get("timestampFormat"))
        .and_then(|v| v.as_str())
        .unwrap_or(default);
    match f {
        "epoch-seconds" => format!("{FMT}::EpochSeconds"),
        "http-date" => format!("{FMT}::HttpDate"),
        _ => format!("{FMT}::DateTime"),
    }
}

pub fn json_name(m: &Member) -> String {
    m.get("jsonName")
        .and_then(|v| v.as_str())
        .unwrap_or(&m.name)
        .to_string()
}

fn is_aggregate(k: Kind) -> bool {
    matches!(k, Kind::Structure | Kind::Union | Kind::List | Kind::Map)
}

/// Shapes that get their own reader/writer function.
pub fn aggregates<'a>(g: &'a Gen) -> Vec<&'a Shape> {
    let mut v: Vec<&Shape> = g
        .closure
        .iter()
        .map(|id| g.shape(id))
        .filter(|s| is_aggregate(s.kind) && !s.has("unitType") && !s.has("streaming"))
        .filter(|s| {
            !s.members
                .iter()
                .any(|m| g.is_streaming_blob(&m.target) || g.is_event_stream(&m.target))
        })
        // Operation inputs and outputs are read and written by their operation's bindings, unless
        // some member also holds one.
        .filter(|s| !g.is_operation_io(&s.id) || g.is_member_target(&s.id))
        .collect();
    v.sort_by_key(|s| stem(g, &s.id));
    v.dedup_by_key(|s| stem(g, &s.id));
    v
}

/// A module of functions: its doc, each import whose marker the functions contain (an empty
/// marker: any function at all), the functions.
pub fn module(doc: &str, imports: &[(&str, &str)], fns: &str) -> String {
    let mut out = doc.to_string();
    for (line, marker) in imports {
        if !fns.is_empty() && fns.contains(marker) {
            out.push_str(line);
        }
    }
    out.push('\n');
    out.push_str(fns);
    out
}

/// The functions (name, text) that `callers` call, directly or through one another, in order.
pub fn reachable(fns: Vec<(String, String)>, callers: &str, prefix: &str) -> String {
    let mut used = called(callers, prefix);
    let mut todo: Vec<String> = used.iter().cloned().collect();
    while let Some(name) = todo.pop() {
        if let Some((_, text)) = fns.iter().find(|(n, _)| *n == name) {
            for callee in called(text, prefix) {
                if used.insert(callee.clone()) {
                    todo.push(callee);
                }
            }
        }
    }
    fns.into_iter()
        .filter(|(n, _)| used.contains(n))
        .map(|(_, text)| text)
        .collect()
}

/// The identifiers starting with `prefix` (at a word boundary) that `code` calls.
fn called(code: &str, prefix: &str) -> std::collections::BTreeSet<String> {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    code.match_indices(prefix)
        .filter(|(i, _)| !code[..*i].ends_with(|c: char| ident(c) || c == ':'))
        .filter_map(|(i, _)| {
            let name: String = code[i..].chars().take_while(|c| ident(*c)).collect();
            code[i + name.len()..].starts_with('(').then_some(name)
        })
        .collect()
}

pub fn indent(s: &str, pre: &str) -> String {
    s.lines()
        .map(|l| {
            if l.is_empty() {
                "\n".to_string()
            } else {
                format!("{pre}{l}\n")
            }
        })
        .collect()
}
