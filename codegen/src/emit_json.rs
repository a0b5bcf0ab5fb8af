//! What the JSON readers and writers share: function names per shape, JSON member names, timestamp
//! formats, which shapes get a function, and assembling `json_de.rs`/`json_ser.rs`.

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

/// A module of functions: its doc, each import that is needed, the functions.
pub fn module(doc: &str, imports: &[(&str, bool)], fns: &str) -> String {
    let mut out = doc.to_string();
    for (line, needed) in imports {
        if *needed {
            out.push_str(line);
        }
    }
    out.push('\n');
    out.push_str(fns);
    out
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
