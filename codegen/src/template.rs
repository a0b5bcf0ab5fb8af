//! Code templates: raw-string Rust text with `$name` placeholders, filled from named values, so an
//! emitter's output can be read in the shape it will have.

/// Fills every `$name` (ASCII letters, digits, `_`) in `template` with its value from `vars`;
/// `${name}` does the same where the placeholder runs into identifier text.
/// One newline right after the opening quote is dropped, so a template may start on its own line.
/// A placeholder without a value is a generator bug and panics.
pub fn fill(template: &str, vars: &[(&str, &str)]) -> String {
    let t = template.strip_prefix('\n').unwrap_or(template);
    let mut out = String::with_capacity(t.len());
    let mut rest = t;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let braced = after.starts_with('{');
        let after = if braced { &after[1..] } else { after };
        let len = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        let name = &after[..len];
        match vars.iter().find(|(k, _)| *k == name) {
            Some((_, v)) => out.push_str(v),
            None => panic!("template placeholder ${name} has no value"),
        }
        rest = &after[len..];
        if braced {
            rest = rest.strip_prefix('}').expect("a `${` placeholder ends with `}`");
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::fill;

    #[test]
    fn fills_named_placeholders() {
        let t = r#"
fn $name() -> $ty {
    $ty::default()
}
"#;
        assert_eq!(
            fill(t, &[("name", "f"), ("ty", "u8")]),
            "fn f() -> u8 {\n    u8::default()\n}\n"
        );
        assert_eq!(fill("${a}b", &[("a", "x")]), "xb");
    }

    #[test]
    #[should_panic(expected = "$missing")]
    fn a_missing_value_is_a_bug() {
        fill("$missing", &[]);
    }
}
