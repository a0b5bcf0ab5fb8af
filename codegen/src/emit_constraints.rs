//! The statements checking a member's constraints (length, pattern, range, enum values, unique
//! items) as its value is read, recording violations in the validator `val`.

use crate::gen::Gen;
use crate::model::{Kind, Member};
use crate::names::lit;
use std::fmt::Write;

/// Statements checking the constraints of `member` (merged over its target's) on `&x`.
pub fn checks(g: &Gen, m: &Member, x: &str) -> String {
    checks_of(g, m, x, false)
}

/// Checks of a map key, which is held as a `String` even when the model makes it an enum.
pub fn key_checks(g: &Gen, m: &Member, x: &str) -> String {
    checks_of(g, m, x, true)
}

fn checks_of(g: &Gen, m: &Member, x: &str, key: bool) -> String {
    let x = &if x.chars().all(|c| c.is_alphanumeric() || c == '_') {
        x.to_string()
    } else {
        format!("({x})")
    };
    let t = g.shape(&m.target);
    let trait_of = |name: &str| m.get(name).or_else(|| t.get(name));
    let mut out = String::new();
    let shown_str = matches!(t.kind, Kind::String | Kind::Enum);
    if let Some(len) = trait_of("length") {
        let min = len
            .get("min")
            .and_then(|v| v.as_u64())
            .map_or("None".into(), |v| format!("Some({v})"));
        let max = len
            .get("max")
            .and_then(|v| v.as_u64())
            .map_or("None".into(), |v| format!("Some({v})"));
        let (n, shown) = match t.kind {
            Kind::String => (format!("{x}.chars().count()"), format!("Some({x}.as_str())")),
            Kind::Blob => (format!("{x}.as_ref().len()"), "None".into()),
            Kind::List | Kind::Map => (format!("{x}.len()"), "None".into()),
            _ => (String::new(), String::new()),
        };
        if !n.is_empty() {
            writeln!(out, "val.length({n}, {min}, {max}, {shown});").unwrap();
        }
    }
    if let Some(p) = trait_of("pattern").and_then(|p| p.as_str()) {
        if shown_str && t.kind == Kind::String {
            writeln!(
                out,
                "{{ static RE: ::std::sync::LazyLock<rt::regex::Regex> = ::std::sync::LazyLock::new(|| rt::regex::Regex::new({p}).expect(\"pattern checked by codegen\")); val.pattern({x}, &RE, {p}); }}",
                p = lit(p)
            )
            .unwrap();
        }
    }
    if let Some(r) = trait_of("range") {
        let num = matches!(
            t.kind,
            Kind::Byte | Kind::Short | Kind::Integer | Kind::Long | Kind::Float | Kind::Double | Kind::IntEnum
        );
        if num {
            let bound = |k: &str| match r.get(k) {
                Some(v) => format!("Some(({:?}, {}))", v.as_f64().unwrap_or(0.0), lit(&v.to_string())),
                None => "None".into(),
            };
            let as_f64 = if t.kind == Kind::Double { "" } else { " as f64" };
            writeln!(
                out,
                "val.range(*{x}{as_f64}, {}, {}, {x}.to_string());",
                bound("min"),
                bound("max")
            )
            .unwrap();
        }
    }
    if t.kind == Kind::Enum && key {
        writeln!(
            out,
            "if !{t}::VALUES.contains(&{x}.as_str()) {{ val.enum_value({x}, {t}::VALUES); }}",
            t = g.rust_type(&t.id)
        )
        .unwrap();
    } else if t.kind == Kind::Enum {
        writeln!(
            out,
            "if let {}::Unknown(s) = {x} {{ val.enum_value(s, {}::VALUES); }}",
            g.rust_type(&t.id),
            g.rust_type(&t.id)
        )
        .unwrap();
    }
    if t.kind == Kind::IntEnum {
        let vals: Vec<String> = t
            .members
            .iter()
            .filter_map(|m| m.get("enumValue"))
            .map(|v| v.to_string())
            .collect();
        writeln!(out, "val.int_enum(*{x}, &[{}]);", vals.join(", ")).unwrap();
    }
    if trait_of("uniqueItems").is_some() && t.kind == Kind::List {
        writeln!(out, "val.unique({x});").unwrap();
    }
    out
}
