//! The statements checking a member's constraints (length, pattern, range, enum values, unique
//! items) as its value is read, recording violations in the validator `val`. Which constraints a
//! member has comes from the IR ([`crate::ir::constraints`]).

use crate::gen::{Gen, ValidationStyle};
use crate::ir::{constraints, Bound, Constraint, Counted};
use crate::model::Member;
use crate::names::lit;
use crate::template::fill;

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
    let style = g.validation_style();
    constraints(g, m).iter().map(|c| check(c, x, key, style)).collect()
}

/// A pattern as a violation quotes it: AWS services print the model's expression without its outer
/// `^` and `$` anchors (inner ones stay); Smithy's `ValidationException` prints it as written.
pub fn shown_pattern(p: &str, style: ValidationStyle) -> &str {
    if style == ValidationStyle::Smithy {
        return p;
    }
    let p = p.strip_prefix('^').unwrap_or(p);
    match p.strip_suffix('$') {
        // A trailing `\$` is a literal dollar, not an anchor: kept.
        Some(rest) if rest.chars().rev().take_while(|&c| c == '\\').count() % 2 == 0 => rest,
        _ => p,
    }
}

/// The statement checking constraint `c` on `&x` (nothing for `Required`, checked where a member
/// is found absent), worded for `style`.
fn check(c: &Constraint, x: &str, key: bool, style: ValidationStyle) -> String {
    match c {
        Constraint::Required => String::new(),
        Constraint::Length { counted, min, max } => {
            let (n, shown) = match counted {
                Counted::Chars => (format!("{x}.chars().count()"), format!("Some({x}.as_str())")),
                Counted::Bytes => (format!("{x}.as_ref().len()"), "None".into()),
                Counted::Entries => (format!("{x}.len()"), "None".into()),
            };
            let bound = |b: &Option<u64>| b.map_or("None".into(), |v| format!("Some({v})"));
            fill(
                "val.length($n, $min, $max, $shown);\n",
                &[("n", &n), ("min", &bound(min)), ("max", &bound(max)), ("shown", &shown)],
            )
        }
        Constraint::Pattern(p) => fill(
            r#"
{
    static RE: ::std::sync::LazyLock<rt::regex::Regex> =
        ::std::sync::LazyLock::new(|| rt::regex::Regex::new($p).expect("pattern checked by codegen"));
    val.pattern($x, &RE, $shown);
}
"#,
            &[("p", &lit(p)), ("x", x), ("shown", &lit(shown_pattern(p, style)))],
        ),
        Constraint::Range { min, max, double } => {
            let bound = |b: &Option<Bound>| match b {
                Some(b) => format!("Some(({:?}, {}))", b.value, lit(&b.text)),
                None => "None".into(),
            };
            fill(
                "val.range(*$x$as_f64, $min, $max, $x.to_string());\n",
                &[
                    ("x", x),
                    ("as_f64", if *double { "" } else { " as f64" }),
                    ("min", &bound(min)),
                    ("max", &bound(max)),
                ],
            )
        }
        Constraint::EnumValue { rust_type } => {
            let template = if key {
                r#"
if !$t::VALUES.contains(&$x.as_str()) {
    val.enum_value($x, $t::VALUES);
}
"#
            } else {
                r#"
if let $t::Unknown(s) = $x {
    val.enum_value(s, $t::VALUES);
}
"#
            };
            fill(template, &[("t", rust_type), ("x", x)])
        }
        Constraint::IntEnumValue(values) => fill(
            "val.int_enum(*$x, &[$values]);\n",
            &[("x", x), ("values", &values.join(", "))],
        ),
        Constraint::UniqueItems => fill("val.unique($x);\n", &[("x", x)]),
    }
}

#[cfg(test)]
mod tests {
    use super::shown_pattern;
    use crate::gen::ValidationStyle::{Aws, Smithy};

    #[test]
    fn aws_drops_only_the_outer_anchors() {
        assert_eq!(
            shown_pattern("^(?!^[0-9]+$)([a-zA-Z0-9-_]+)$", Aws),
            "(?!^[0-9]+$)([a-zA-Z0-9-_]+)"
        );
        assert_eq!(
            shown_pattern("^\\$(LATEST(\\.PUBLISHED)?)|[a-zA-Z0-9-_$]+$", Aws),
            "\\$(LATEST(\\.PUBLISHED)?)|[a-zA-Z0-9-_$]+"
        );
        assert_eq!(shown_pattern("[a-z]+", Aws), "[a-z]+");
        assert_eq!(shown_pattern("^a\\$", Aws), "a\\$");
        assert_eq!(shown_pattern("^a\\\\$", Aws), "a\\\\");
        assert_eq!(shown_pattern("^[a-z]+$", Smithy), "^[a-z]+$");
    }
}
