//! Lambda event-source-mapping `FilterCriteria`: the EventBridge pattern language restricted to Lambda's
//! operator table. Patterns are compiled once into a tree; `matches` walks it against each record, decoding
//! the SQS body / Kinesis data lazily and at most once per call.

use std::cell::OnceCell;

use base64::Engine;
use serde_json::{Map, Value};

const MAX_PATTERN_CHARS: usize = 4096;
const MAX_FILTERS: usize = 5;

/// Which source the records come from: the view a pattern is matched against differs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    Sqs,
    Kinesis,
    DynamoDb,
}

/// A mapping's compiled FilterCriteria: a record passes when any filter matches it.
#[derive(Clone, Debug, Default)]
pub struct Filters {
    source: Option<Source>,
    patterns: Vec<Obj>,
}

/// An object level of a pattern: every field must match (AND), plus one `$or` branch if any.
#[derive(Clone, Debug, Default)]
struct Obj {
    fields: Vec<(String, Pat)>,
    any_of: Vec<Obj>,
}

#[derive(Clone, Debug)]
enum Pat {
    Leaf(Vec<Op>),
    Obj(Obj),
}

#[derive(Clone, Debug)]
enum Op {
    /// null, string (including ""), boolean or number; numbers compare by serde_json's `Number` equality.
    Exact(Value),
    /// Lowercased pattern text.
    IgnoreCase(String),
    AnythingBut(Vec<Value>),
    /// Lower and upper bound, each as (value, inclusive).
    Numeric(Option<(f64, bool)>, Option<(f64, bool)>),
    Exists(bool),
    Prefix(String),
    Suffix(String),
}

impl Filters {
    /// Compiles the patterns (FilterCriteria.Filters[].Pattern, in order). Err: why it is invalid.
    pub fn compile(patterns: &[&str], source: Source) -> Result<Filters, String> {
        if patterns.len() > MAX_FILTERS {
            return Err(format!("at most {MAX_FILTERS} filters are allowed"));
        }
        let compiled = patterns
            .iter()
            .enumerate()
            .map(|(i, text)| compile_pattern(text, source).map_err(|e| format!("filter {}: {e}", i + 1)))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Filters {
            source: Some(source),
            patterns: compiled,
        })
    }

    /// No filters: every record passes.
    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// Whether `record` (the Lambda event record exactly as the function would receive it, as a serde_json::Value)
    /// passes.
    pub fn matches(&self, record: &Value) -> bool {
        let Some(source) = self.source.filter(|_| !self.patterns.is_empty()) else {
            return true;
        };
        let ctx = Ctx {
            record,
            source,
            body: OnceCell::new(),
            data: OnceCell::new(),
        };
        self.patterns.iter().any(|p| match_obj(p, Level::Root, &ctx))
    }
}

fn compile_pattern(text: &str, source: Source) -> Result<Obj, String> {
    if text.chars().count() > MAX_PATTERN_CHARS {
        return Err(format!("pattern is longer than {MAX_PATTERN_CHARS} characters"));
    }
    let value: Value = serde_json::from_str(text).map_err(|e| format!("pattern is not valid JSON: {e}"))?;
    let obj = compile_obj(value.as_object().ok_or("pattern must be a JSON object")?)?;
    if source == Source::Kinesis {
        check_kinesis_data(&obj, true)?;
    }
    Ok(obj)
}

fn compile_obj(map: &Map<String, Value>) -> Result<Obj, String> {
    if map.is_empty() {
        return Err("pattern objects must not be empty".into());
    }
    let mut obj = Obj::default();
    for (key, value) in map {
        if key == "$or" {
            let branches = value
                .as_array()
                .filter(|a| a.len() >= 2)
                .ok_or("$or must be an array of at least 2 objects")?;
            for branch in branches {
                obj.any_of
                    .push(compile_obj(branch.as_object().ok_or("$or elements must be objects")?)?);
            }
            continue;
        }
        let pat = match value {
            Value::Array(items) => Pat::Leaf(compile_leaf(key, items)?),
            Value::Object(inner) => Pat::Obj(compile_obj(inner)?),
            _ => return Err(format!("value of \"{key}\" must be an array or an object")),
        };
        obj.fields.push((key.clone(), pat));
    }
    Ok(obj)
}

fn compile_leaf(key: &str, items: &[Value]) -> Result<Vec<Op>, String> {
    if items.is_empty() {
        return Err(format!("match array of \"{key}\" must not be empty"));
    }
    items
        .iter()
        .map(|item| match item {
            Value::Array(_) => Err(format!("match array of \"{key}\" must not contain arrays")),
            Value::Object(op) => compile_op(op),
            scalar => Ok(Op::Exact(scalar.clone())),
        })
        .collect()
}

fn compile_op(op: &Map<String, Value>) -> Result<Op, String> {
    let mut entries = op.iter();
    let (Some((name, arg)), None) = (entries.next(), entries.next()) else {
        return Err("an operator object must have exactly one key".into());
    };
    let string_arg = || {
        arg.as_str()
            .map(str::to_owned)
            .ok_or(format!("\"{name}\" needs a string"))
    };
    Ok(match name.as_str() {
        "equals-ignore-case" => Op::IgnoreCase(string_arg()?.chars().flat_map(char::to_lowercase).collect()),
        "prefix" => Op::Prefix(string_arg()?),
        "suffix" => Op::Suffix(string_arg()?),
        "exists" => Op::Exists(arg.as_bool().ok_or("\"exists\" needs true or false")?),
        "anything-but" => Op::AnythingBut(compile_anything_but(arg)?),
        "numeric" => compile_numeric(arg)?,
        "wildcard" => return Err("\"wildcard\" is not supported by Lambda event filtering".into()),
        other => return Err(format!("unknown operator \"{other}\"")),
    })
}

fn compile_anything_but(arg: &Value) -> Result<Vec<Value>, String> {
    let values = match arg {
        Value::String(_) | Value::Number(_) => vec![arg.clone()],
        Value::Array(list) if !list.is_empty() => list.clone(),
        Value::Object(_) => return Err("anything-but prefix/suffix/other operators are not supported".into()),
        _ => return Err("\"anything-but\" needs a string, a number or a non-empty list of them".into()),
    };
    if values.iter().all(Value::is_string) || values.iter().all(Value::is_number) {
        Ok(values)
    } else {
        Err("\"anything-but\" list must hold only strings or only numbers".into())
    }
}

fn compile_numeric(arg: &Value) -> Result<Op, String> {
    let items = arg
        .as_array()
        .filter(|a| matches!(a.len(), 2 | 4))
        .ok_or("\"numeric\" needs 1 or 2 comparisons")?;
    let (mut lo, mut hi) = (None, None);
    for pair in items.chunks(2) {
        let op = pair[0].as_str().ok_or("numeric operator must be a string")?;
        let n = pair[1].as_f64().ok_or("numeric operand must be a number")?;
        let slot = match op {
            "=" if items.len() == 2 => return Ok(Op::Numeric(Some((n, true)), Some((n, true)))),
            "=" => return Err("numeric \"=\" cannot be combined with another comparison".into()),
            ">" | ">=" => &mut lo,
            "<" | "<=" => &mut hi,
            _ => return Err(format!("invalid numeric operator \"{op}\"")),
        };
        if slot.replace((n, op.ends_with('='))).is_some() {
            return Err("numeric allows at most one lower and one upper bound".into());
        }
    }
    if let (Some((l, _)), Some((h, _))) = (lo, hi) {
        if l >= h {
            return Err("numeric lower bound must be less than the upper bound".into());
        }
    }
    Ok(Op::Numeric(lo, hi))
}

/// Kinesis `data` (top level or under `kinesis`) is matched as JSON, so it needs an object pattern.
fn check_kinesis_data(obj: &Obj, root: bool) -> Result<(), String> {
    for (key, pat) in &obj.fields {
        match (key.as_str(), pat) {
            ("data", Pat::Leaf(_)) => return Err("Kinesis \"data\" must be filtered with a JSON object pattern".into()),
            ("kinesis", Pat::Obj(inner)) if root => check_kinesis_data(inner, false)?,
            _ => {}
        }
    }
    obj.any_of
        .iter()
        .try_for_each(|branch| check_kinesis_data(branch, root))
}

/// Per-call matching state: the record plus lazily decoded SQS body / Kinesis data.
struct Ctx<'a> {
    record: &'a Value,
    source: Source,
    body: OnceCell<Option<Value>>,
    data: OnceCell<Option<Value>>,
}

impl Ctx<'_> {
    /// The SQS body parsed as JSON when it is a JSON object or array.
    fn body(&self) -> Option<&Value> {
        let parse = || {
            let text = self.record.get("body")?.as_str()?;
            if !text.trim_start().starts_with(['{', '[']) {
                return None;
            }
            serde_json::from_str(text).ok()
        };
        self.body.get_or_init(parse).as_ref()
    }

    /// The Kinesis data, base64-decoded and parsed as JSON.
    fn data(&self) -> Option<&Value> {
        let decode = || {
            let encoded = self.record.get("kinesis")?.get("data")?.as_str()?;
            let bytes = base64::engine::general_purpose::STANDARD.decode(encoded).ok()?;
            serde_json::from_slice(&bytes).ok()
        };
        self.data.get_or_init(decode).as_ref()
    }
}

/// Where the keys of a pattern object level are looked up.
#[derive(Clone, Copy)]
enum Level<'c> {
    /// The record, through the source's view.
    Root,
    /// The Kinesis record's `kinesis` object (with `data` decoded).
    KinesisInner,
    /// A plain event object, or `None` when the event has nothing there.
    Node(Option<&'c Value>),
}

fn match_obj<'c>(obj: &Obj, level: Level<'c>, ctx: &'c Ctx<'_>) -> bool {
    obj.fields.iter().all(|(key, pat)| match_field(key, pat, level, ctx))
        && (obj.any_of.is_empty() || obj.any_of.iter().any(|branch| match_obj(branch, level, ctx)))
}

fn match_field<'c>(key: &str, pat: &Pat, level: Level<'c>, ctx: &'c Ctx<'_>) -> bool {
    let record = ctx.record;
    let value = match (level, ctx.source, key) {
        (Level::Root, Source::Sqs, "body") => return match_sqs_body(pat, ctx),
        (Level::Root | Level::KinesisInner, Source::Kinesis, "data") => {
            return ctx.data().is_some_and(|data| match_pat(pat, Some(data), ctx));
        }
        (Level::Root, Source::Kinesis, "kinesis") => match pat {
            Pat::Obj(inner) => return match_obj(inner, Level::KinesisInner, ctx),
            Pat::Leaf(_) => record.get(key),
        },
        (Level::Root, Source::Kinesis, _) => record.get(key).or_else(|| record.get("kinesis")?.get(key)),
        (Level::Root, _, _) => record.get(key),
        (Level::KinesisInner, _, _) => record.get("kinesis").and_then(|k| k.get(key)),
        (Level::Node(node), _, _) => node.and_then(|n| n.get(key)),
    };
    match_pat(pat, value, ctx)
}

/// SQS `body`: an object pattern needs a JSON object body; a leaf pattern needs a body that is not JSON.
fn match_sqs_body(pat: &Pat, ctx: &Ctx<'_>) -> bool {
    match pat {
        Pat::Obj(obj) => ctx
            .body()
            .is_some_and(|b| b.is_object() && match_obj(obj, Level::Node(Some(b)), ctx)),
        Pat::Leaf(ops) => ctx.body().is_none() && match_leaf(ops, ctx.record.get("body")),
    }
}

fn match_pat<'c>(pat: &Pat, value: Option<&'c Value>, ctx: &'c Ctx<'_>) -> bool {
    match pat {
        Pat::Leaf(ops) => match_leaf(ops, value),
        Pat::Obj(obj) => match value {
            Some(Value::Array(items)) if !items.is_empty() => items.iter().any(|item| match_pat(pat, Some(item), ctx)),
            Some(node @ Value::Object(_)) => match_obj(obj, Level::Node(Some(node)), ctx),
            _ => match_obj(obj, Level::Node(None), ctx),
        },
    }
}

/// A leaf matches when any operator matches any scalar at the key (arrays are flattened; objects are not
/// leaves, so only `exists:false` can match them).
fn match_leaf(ops: &[Op], value: Option<&Value>) -> bool {
    ops.iter().any(|op| match op {
        Op::Exists(want) => value.is_some_and(|v| any_scalar(v, &|_| true)) == *want,
        _ => value.is_some_and(|v| any_scalar(v, &|s| op_matches(op, s))),
    })
}

fn any_scalar(value: &Value, f: &impl Fn(&Value) -> bool) -> bool {
    match value {
        Value::Array(items) => items.iter().any(|item| any_scalar(item, f)),
        Value::Object(_) => false,
        scalar => f(scalar),
    }
}

fn op_matches(op: &Op, v: &Value) -> bool {
    match op {
        Op::Exact(expected) => expected == v,
        Op::IgnoreCase(lower) => v
            .as_str()
            .is_some_and(|s| s.chars().flat_map(char::to_lowercase).eq(lower.chars())),
        Op::AnythingBut(excluded) => !excluded.contains(v),
        Op::Numeric(lo, hi) => v.as_f64().is_some_and(|n| {
            lo.is_none_or(|(b, inclusive)| if inclusive { n >= b } else { n > b })
                && hi.is_none_or(|(b, inclusive)| if inclusive { n <= b } else { n < b })
        }),
        Op::Prefix(p) => v.as_str().is_some_and(|s| s.starts_with(p.as_str())),
        Op::Suffix(p) => v.as_str().is_some_and(|s| s.ends_with(p.as_str())),
        Op::Exists(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn compile(pats: &[&str], src: Source) -> Filters {
        Filters::compile(pats, src).unwrap_or_else(|e| panic!("{pats:?}: {e}"))
    }

    fn sq(pat: &str) -> Filters {
        compile(&[pat], Source::Sqs)
    }

    fn kn(pat: &str) -> Filters {
        compile(&[pat], Source::Kinesis)
    }

    /// Whether the single pattern `pat` (DynamoDb view = record as-is) matches `rec`.
    fn m(pat: &str, rec: Value) -> bool {
        compile(&[pat], Source::DynamoDb).matches(&rec)
    }

    fn sqs(body: &str) -> Value {
        json!({"messageId": "m1", "body": body, "attributes": {"ApproximateReceiveCount": "1"},
               "messageAttributes": {"k": {"stringValue": "v", "dataType": "String"}}, "eventSource": "aws:sqs"})
    }

    fn kinesis(data: &str) -> Value {
        json!({"kinesis": {"partitionKey": "k1", "sequenceNumber": "49", "data": base64::engine::general_purpose::STANDARD.encode(data),
               "approximateArrivalTimestamp": 1.7e9, "kinesisSchemaVersion": "1.0"},
               "eventSource": "aws:kinesis", "awsRegion": "us-east-1", "eventName": "aws:kinesis:record"})
    }

    #[test]
    fn equals_strings_are_exact() {
        assert!(m(r#"{"a":["v"]}"#, json!({"a": "v"})));
        assert!(!m(r#"{"a":["v"]}"#, json!({"a": "V"})));
        assert!(!m(r#"{"a":["v"]}"#, json!({"b": "v"})));
        assert!(m(r#"{"a":["x","v"]}"#, json!({"a": "v"}))); // leaf array is an OR
        assert!(!m(r#"{"a":["5"]}"#, json!({"a": 5}))); // string pattern vs number
        assert!(m(r#"{"a":[true]}"#, json!({"a": true})));
        assert!(!m(r#"{"a":[true]}"#, json!({"a": "true"})));
    }

    #[test]
    fn null_and_empty_string_are_distinct() {
        assert!(m(r#"{"a":[null]}"#, json!({"a": null})));
        assert!(!m(r#"{"a":[null]}"#, json!({"a": ""})));
        assert!(!m(r#"{"a":[null]}"#, json!({}))); // null does not match a missing key
        assert!(m(r#"{"a":[""]}"#, json!({"a": ""})));
        assert!(!m(r#"{"a":[""]}"#, json!({"a": null})));
    }

    #[test]
    fn number_equality_uses_text_form() {
        assert!(m(r#"{"a":[300]}"#, json!({"a": 300})));
        assert!(!m(r#"{"a":[300]}"#, json!({"a": 300.0})));
        assert!(!m(r#"{"a":[300.0]}"#, json!({"a": 300})));
        assert!(m(r#"{"a":[300.0]}"#, json!({"a": 300.0})));
        assert!(m(r#"{"a":[-7]}"#, json!({"a": -7})));
        assert!(!m(r#"{"a":[300]}"#, json!({"a": "300"})));
        assert!(m(r#"{"a":[{"numeric":["=",300]}]}"#, json!({"a": 300.0}))); // numeric compares by value
    }

    #[test]
    fn equals_ignore_case() {
        let p = r#"{"a":[{"equals-ignore-case":"HeLLo"}]}"#;
        assert!(m(p, json!({"a": "hello"})));
        assert!(m(p, json!({"a": "HELLO"})));
        assert!(!m(p, json!({"a": "hello!"})));
        assert!(!m(p, json!({"a": 1})));
        assert!(m(r#"{"a":[{"equals-ignore-case":"ÄÖ"}]}"#, json!({"a": "äö"})));
    }

    #[test]
    fn anything_but() {
        let p = r#"{"a":[{"anything-but":["x","y"]}]}"#;
        assert!(m(p, json!({"a": "z"})));
        assert!(!m(p, json!({"a": "x"})));
        assert!(!m(p, json!({}))); // needs the key to exist
        assert!(m(p, json!({"a": ["x", "z"]}))); // any array element
        assert!(!m(p, json!({"a": ["x", "y"]})));
        assert!(m(r#"{"a":[{"anything-but":"x"}]}"#, json!({"a": "X"})));
        assert!(!m(r#"{"a":[{"anything-but":"x"}]}"#, json!({"a": "x"})));
        assert!(!m(r#"{"a":[{"anything-but":[100,200]}]}"#, json!({"a": 100})));
        assert!(m(r#"{"a":[{"anything-but":[100,200]}]}"#, json!({"a": 150})));
        assert!(m(r#"{"a":[{"anything-but":100}]}"#, json!({"a": "100"})));
    }

    #[test]
    fn numeric_operators_and_ranges() {
        let range = r#"{"a":[{"numeric":[">",10,"<=",20]}]}"#;
        for (v, want) in [(10.0, false), (10.5, true), (20.0, true), (20.1, false)] {
            assert_eq!(m(range, json!({ "a": v })), want, "{v}");
        }
        assert!(m(r#"{"a":[{"numeric":["<=",20,">=",10]}]}"#, json!({"a": 10}))); // bounds in any order
        assert!(m(r#"{"a":[{"numeric":["=",100]}]}"#, json!({"a": 100})));
        assert!(!m(r#"{"a":[{"numeric":["=",100]}]}"#, json!({"a": 101})));
        assert!(m(r#"{"a":[{"numeric":["<",0]}]}"#, json!({"a": -1})));
        assert!(!m(r#"{"a":[{"numeric":["<",0]}]}"#, json!({"a": 0})));
        assert!(m(r#"{"a":[{"numeric":[">=",1.5]}]}"#, json!({"a": [0, 2]})));
        assert!(!m(r#"{"a":[{"numeric":[">",0]}]}"#, json!({"a": "5"}))); // never matches strings
        assert!(!m(r#"{"a":[{"numeric":[">",0]}]}"#, json!({})));
    }

    #[test]
    fn exists() {
        let yes = r#"{"a":[{"exists":true}]}"#;
        let no = r#"{"a":[{"exists":false}]}"#;
        assert!(m(yes, json!({"a": "v"})));
        assert!(m(yes, json!({"a": null})));
        assert!(!m(yes, json!({})));
        assert!(!m(no, json!({"a": 0})));
        assert!(m(no, json!({"b": 1}))); // exists:false matches a missing key
        assert!(m(no, json!({"a": {"c": 1}}))); // objects are not leaves
        assert!(!m(yes, json!({"a": {"c": 1}})));
        assert!(m(no, json!({"a": []})));
        assert!(m(yes, json!({"a": [1]})));
        assert!(m(r#"{"x":{"a":[{"exists":false}]}}"#, json!({}))); // missing parent
        assert!(!m(r#"{"x":{"a":["v"]}}"#, json!({})));
    }

    #[test]
    fn prefix_and_suffix() {
        assert!(m(r#"{"r":[{"prefix":"us-"}]}"#, json!({"r": "us-east-1"})));
        assert!(!m(r#"{"r":[{"prefix":"us-"}]}"#, json!({"r": "eu-west-1"})));
        assert!(!m(r#"{"r":[{"prefix":"us-"}]}"#, json!({"r": "US-east-1"})));
        assert!(m(r#"{"f":[{"suffix":".png"}]}"#, json!({"f": "a.png"})));
        assert!(!m(r#"{"f":[{"suffix":".png"}]}"#, json!({"f": "a.png.jpg"})));
        assert!(!m(r#"{"f":[{"suffix":"1"}]}"#, json!({"f": 1})));
    }

    #[test]
    fn arrays_in_events() {
        assert!(m(r#"{"a":["x"]}"#, json!({"a": ["w", "x"]})));
        assert!(!m(r#"{"a":["x"]}"#, json!({"a": ["w", "y"]})));
        assert!(m(r#"{"a":["x"]}"#, json!({"a": [["x"]]}))); // nested arrays flatten
        let nested = r#"{"items":{"k":["b"],"n":[2]}}"#;
        assert!(m(nested, json!({"items": [{"k": "a", "n": 1}, {"k": "b", "n": 2}]})));
        assert!(!m(nested, json!({"items": [{"k": "a", "n": 2}, {"k": "b", "n": 1}]})));
        // same element
    }

    #[test]
    fn nested_objects_and_and_of_keys() {
        let p = r#"{"d":{"e":{"f":["1"]}},"g":["2"]}"#;
        assert!(m(p, json!({"d": {"e": {"f": "1", "x": 0}}, "g": "2"})));
        assert!(!m(p, json!({"d": {"e": {"f": "1"}}, "g": "3"}))); // all keys must match
        assert!(!m(p, json!({"d": {"e": "1"}, "g": "2"})));
        assert!(!m(p, json!({"d": {"f": "1"}, "g": "2"})));
        assert!(!m(r#"{"d":["v"]}"#, json!({"d": {"v": 1}}))); // leaf against an object
    }

    #[test]
    fn or_patterns() {
        let p = r#"{"a":["1"],"$or":[{"b":["2"]},{"c":{"d":[{"numeric":[">",5]}]}}]}"#;
        assert!(m(p, json!({"a": "1", "b": "2"})));
        assert!(m(p, json!({"a": "1", "c": {"d": 9}})));
        assert!(!m(p, json!({"a": "1", "c": {"d": 1}})));
        assert!(!m(p, json!({"a": "0", "b": "2"})));
        let nested = r#"{"x":{"$or":[{"y":["1"]},{"z":[{"exists":false}]}]}}"#;
        assert!(m(nested, json!({"x": {"y": "1", "z": 0}})));
        assert!(m(nested, json!({"x": {"y": "2"}})));
        assert!(!m(nested, json!({"x": {"y": "2", "z": 0}})));
    }

    #[test]
    fn filters_are_ored_and_empty_passes_everything() {
        let f = compile(&[r#"{"a":["1"]}"#, r#"{"b":["2"]}"#], Source::DynamoDb);
        assert!(!f.is_empty());
        assert!(f.matches(&json!({"a": "1"})));
        assert!(f.matches(&json!({"b": "2"})));
        assert!(!f.matches(&json!({"a": "2", "b": "1"})));
        assert!(Filters::default().is_empty() && Filters::default().matches(&json!({})));
        let none = compile(&[], Source::Sqs);
        assert!(none.is_empty() && none.matches(&json!({"x": 1})));
        assert!(m(r#"{"a":["1"],"a":["2"]}"#, json!({"a": "2"}))); // duplicate keys: last wins
    }

    #[test]
    fn invalid_patterns_are_rejected() {
        // Written as JSON values (one kind per line); each is compiled from its text form.
        let cases = json!([
            [1], "a", 1, {}, {"a": {}}, {"a": "b"}, {"a": 1}, {"a": null}, {"a": []}, {"a": [["b"]]},
            {"a": [{"contains": "b"}]}, {"a": [{"prefix": "b", "suffix": "c"}]}, {"a": [{}]},
            {"a": [{"wildcard": "*.png"}]}, {"a": [{"cidr": "10.0.0.0/24"}]},
            {"a": [{"numeric": ["==", 1]}]}, {"a": [{"numeric": [">", "1"]}]}, {"a": [{"numeric": [">"]}]},
            {"a": [{"numeric": []}]}, {"a": [{"numeric": 5}]}, {"a": [{"numeric": [">", 1, ">", 2]}]},
            {"a": [{"numeric": [">", 1, "<", 5, "<", 6]}]}, {"a": [{"numeric": ["=", 1, "<", 5]}]},
            {"a": [{"numeric": [">", 5, "<", 1]}]}, {"a": [{"numeric": [">=", 5, "<=", 5]}]},
            {"a": [{"exists": "true"}]}, {"a": [{"prefix": 1}]}, {"a": [{"suffix": null}]},
            {"a": [{"equals-ignore-case": ["x"]}]},
            {"a": [{"anything-but": {"prefix": "x"}}]}, {"a": [{"anything-but": {"suffix": "x"}}]},
            {"a": [{"anything-but": []}]}, {"a": [{"anything-but": ["x", 1]}]},
            {"a": [{"anything-but": [null]}]}, {"a": [{"anything-but": true}]},
            {"$or": "x"}, {"$or": [{"a": ["1"]}]}, {"$or": [{"a": ["1"]}, "b"]}, {"$or": [{"a": ["1"]}, {}]}
        ]);
        let invalid = |pat: &str| Filters::compile(&[pat], Source::Sqs).err();
        for case in cases.as_array().unwrap() {
            let pat = case.to_string();
            assert!(invalid(&pat).is_some(), "{pat} should be invalid");
        }
        assert!(invalid("not json").is_some() && invalid("").is_some());
        let sized = |n: usize, c: &str| format!(r#"{{"a":["{}"]}}"#, c.repeat(n));
        assert!(invalid(&sized(4087, "x")).is_some()); // 4097 chars
        assert!(invalid(&sized(4086, "x")).is_none()); // 4096 chars
        assert!(invalid(&sized(4086, "é")).is_none()); // counted in chars, not bytes
        let p = r#"{"a":["1"]}"#;
        assert!(Filters::compile(&[p; 5], Source::Sqs).is_ok());
        let err = Filters::compile(&[p; 6], Source::Sqs).unwrap_err();
        assert!(err.contains("at most 5"), "{err}");
        let err = Filters::compile(&[p, "{}"], Source::Sqs).unwrap_err();
        assert!(err.starts_with("filter 2:"), "{err}");
    }

    #[test]
    fn sqs_json_body() {
        let f = sq(r#"{"body":{"kind":["order"],"qty":[{"numeric":[">",1]}]}}"#);
        assert!(f.matches(&sqs(r#"{"kind":"order","qty":3}"#)));
        assert!(!f.matches(&sqs(r#"{"kind":"order","qty":1}"#)));
        assert!(!f.matches(&sqs("kind=order"))); // plain body never matches a JSON pattern
        assert!(!f.matches(&sqs(r#"{"kind":"order""#))); // broken JSON
        assert!(!f.matches(&sqs(r#"[{"kind":"order","qty":3}]"#))); // JSON array body is not an object
        let missing = sq(r#"{"body":{"x":[{"exists":false}]}}"#);
        assert!(missing.matches(&sqs(r#"{"y":1}"#)));
        assert!(!missing.matches(&sqs("plain")));
    }

    #[test]
    fn sqs_plain_body_and_other_keys() {
        let f = sq(r#"{"body":[{"prefix":"hello"}]}"#);
        assert!(f.matches(&sqs("hello world")));
        assert!(!f.matches(&sqs("bye")));
        assert!(!sq(r#"{"body":[{"prefix":"{"}]}"#).matches(&sqs(r#"{"a":1}"#)));
        assert!(!sq(r#"{"body":[{"exists":true}]}"#).matches(&sqs("[1,2]")));
        assert!(sq(r#"{"body":["123"]}"#).matches(&sqs("123"))); // JSON scalar = plain
        assert!(sq(r#"{"body":["{oops"]}"#).matches(&sqs("{oops")));
        let attrs =
            r#"{"attributes":{"ApproximateReceiveCount":["1"]},"messageAttributes":{"k":{"stringValue":["v"]}}}"#;
        assert!(sq(attrs).matches(&sqs("x")));
        assert!(sq(r#"{"eventSource":["aws:sqs"]}"#).matches(&sqs("x")));
        let both = sq(r#"{"$or":[{"body":["plain"]},{"body":{"a":[1]}}]}"#); // the body rules apply inside $or
        assert!(both.matches(&sqs("plain")) && both.matches(&sqs(r#"{"a":1}"#)));
        assert!(!both.matches(&sqs(r#"{"a":2}"#)));
    }

    #[test]
    fn kinesis_data_is_decoded_json() {
        let top = kn(r#"{"data":{"temp":[{"numeric":[">",30]}]}}"#);
        let inner = kn(r#"{"kinesis":{"data":{"temp":[{"numeric":[">",30]}]}}}"#);
        for f in [&top, &inner] {
            assert!(f.matches(&kinesis(r#"{"temp":35}"#)));
            assert!(!f.matches(&kinesis(r#"{"temp":25}"#)));
            assert!(!f.matches(&kinesis("temp=35"))); // non-JSON data never matches
        }
        let missing = kn(r#"{"data":{"x":[{"exists":false}]}}"#);
        assert!(missing.matches(&kinesis("{}")));
        assert!(!missing.matches(&kinesis("not json")));
        let mut bad = kinesis("{}");
        bad["kinesis"]["data"] = json!("%%%not-base64");
        assert!(!missing.matches(&bad));
        assert!(kn(r#"{"eventName":["aws:kinesis:record"]}"#).matches(&kinesis("x")));
    }

    #[test]
    fn kinesis_fields_at_top_level_or_under_kinesis() {
        for p in [r#"{"partitionKey":["k1"]}"#, r#"{"kinesis":{"partitionKey":["k1"]}}"#] {
            let f = kn(p);
            assert!(f.matches(&kinesis("x")), "{p}");
            let mut other = kinesis("x");
            other["kinesis"]["partitionKey"] = json!("k2");
            assert!(!f.matches(&other), "{p}");
        }
        let combo = r#"{"awsRegion":["us-east-1"],"partitionKey":[{"prefix":"k"}],"data":{"a":["b"]}}"#;
        assert!(kn(combo).matches(&kinesis(r#"{"a":"b"}"#)));
        assert!(kn(r#"{"shardId":[{"exists":false}]}"#).matches(&kinesis("x")));
        let f = kn(r#"{"$or":[{"partitionKey":["zz"]},{"data":{"a":["b"]}}]}"#);
        assert!(f.matches(&kinesis(r#"{"a":"b"}"#)));
        // The same pattern under DynamoDb/Sqs sees the record as-is: there is no top-level partitionKey.
        assert!(!compile(&[r#"{"partitionKey":["k1"]}"#], Source::DynamoDb).matches(&kinesis("x")));
    }

    #[test]
    fn kinesis_data_leaf_pattern_is_invalid() {
        for p in [
            r#"{"data":["x"]}"#,
            r#"{"kinesis":{"data":[{"prefix":"x"}]}}"#,
            r#"{"$or":[{"a":["1"]},{"data":[{"exists":true}]}]}"#,
        ] {
            assert!(Filters::compile(&[p], Source::Kinesis).is_err(), "{p}");
            assert!(Filters::compile(&[p], Source::Sqs).is_ok(), "{p} is fine elsewhere");
        }
        assert!(Filters::compile(&[r#"{"x":{"data":["v"]}}"#], Source::Kinesis).is_ok());
        // only data at the root
    }

    #[test]
    fn dynamodb_view() {
        let rec = json!({"eventName": "INSERT", "eventSource": "aws:dynamodb", "dynamodb": {
            "ApproximateCreationDateTime": 1700000000, "Keys": {"id": {"S": "1"}},
            "NewImage": {"id": {"S": "1"}, "k": {"S": "v"}, "n": {"N": "5"}, "tags": {"L": [{"S": "a"}, {"S": "b"}]}},
            "StreamViewType": "NEW_IMAGE"}});
        let yes = |p: &str| compile(&[p], Source::DynamoDb).matches(&rec);
        assert!(yes(r#"{"dynamodb":{"NewImage":{"k":{"S":["v"]}}}}"#));
        assert!(!yes(r#"{"dynamodb":{"NewImage":{"k":["v"]}}}"#)); // attribute-type key is required
        assert!(!yes(r#"{"dynamodb":{"NewImage":{"k":[{"exists":true}]}}}"#));
        assert!(yes(r#"{"dynamodb":{"NewImage":{"k":{"S":[{"exists":true}]}}}}"#));
        assert!(yes(r#"{"dynamodb":{"NewImage":{"gone":{"S":[{"exists":false}]}}}}"#));
        assert!(!yes(r#"{"dynamodb":{"NewImage":{"n":{"N":[{"numeric":[">",1]}]}}}}"#)); // N is a string
        assert!(yes(r#"{"dynamodb":{"NewImage":{"n":{"N":["5"]}}}}"#));
        assert!(yes(
            r#"{"dynamodb":{"ApproximateCreationDateTime":[{"numeric":[">",1e9]}]}}"#
        ));
        assert!(yes(r#"{"dynamodb":{"NewImage":{"tags":{"L":{"S":["b"]}}}}}"#));
        assert!(yes(
            r#"{"eventName":["INSERT"],"dynamodb":{"Keys":{"id":{"S":["1"]}}}}"#
        ));
        assert!(!yes(r#"{"eventName":["REMOVE"]}"#));
    }
}
