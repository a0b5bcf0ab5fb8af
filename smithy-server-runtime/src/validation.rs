//! Constraint checking: a `Validator` that generated deserializers feed as they read a request, and
//! the rendering of its violations in the two wordings servers use (Smithy's `ValidationException`
//! and AWS's own services').

use std::fmt::Write;

/// One step of the path to a value.
#[derive(Debug, Clone, PartialEq)]
pub enum PathSeg {
    Member(&'static str),
    Index(usize),
    Key(String),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Constraint {
    Required,
    /// Actual length, then the model's bounds.
    Length(usize, Option<u64>, Option<u64>),
    /// The model's bounds as written in the model.
    Range(Option<&'static str>, Option<&'static str>),
    Pattern(&'static str),
    Enum(&'static [&'static str]),
    UniqueItems,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    pub path: Vec<PathSeg>,
    pub constraint: Constraint,
    /// The offending value as AWS quotes it (`'x y'`, `'20000'`), when it is a scalar.
    pub value: Option<String>,
}

/// How violations are worded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// `1 validation error detected. Value at '/a/b' failed to satisfy constraint: ...` plus a
    /// `fieldList` (smithy.framework#ValidationException).
    Smithy,
    /// `1 validation error detected: Value 'x' at 'a.b' failed to satisfy constraint: ...` (AWS).
    Aws,
}

/// Collects violations while a request is read.
#[derive(Debug, Default)]
pub struct Validator {
    path: Vec<PathSeg>,
    pub violations: Vec<Violation>,
}

impl Validator {
    pub fn new() -> Validator {
        Validator::default()
    }

    pub fn enter(&mut self, seg: PathSeg) {
        self.path.push(seg);
    }

    pub fn leave(&mut self) {
        self.path.pop();
    }

    pub fn is_valid(&self) -> bool {
        self.violations.is_empty()
    }

    fn record(&mut self, extra: Option<PathSeg>, constraint: Constraint, value: Option<String>) {
        let mut path = self.path.clone();
        path.extend(extra);
        self.violations.push(Violation {
            path,
            constraint,
            value,
        });
    }

    /// A required member was absent; `member` is its name.
    pub fn missing(&mut self, member: &'static str) {
        self.record(Some(PathSeg::Member(member)), Constraint::Required, None);
    }

    pub fn length(&mut self, len: usize, min: Option<u64>, max: Option<u64>, value: Option<&str>) {
        let l = len as u64;
        if min.is_some_and(|m| l < m) || max.is_some_and(|m| l > m) {
            self.record(None, Constraint::Length(len, min, max), value.map(str::to_string));
        }
    }

    /// `v` is checked against bounds given both as numbers and as the model wrote them.
    pub fn range(&mut self, v: f64, min: Option<(f64, &'static str)>, max: Option<(f64, &'static str)>, shown: String) {
        let bad = v.is_nan() && (min.is_some() || max.is_some())
            || min.is_some_and(|(m, _)| v < m)
            || max.is_some_and(|(m, _)| v > m);
        if bad {
            self.record(None, Constraint::Range(min.map(|m| m.1), max.map(|m| m.1)), Some(shown));
        }
    }

    pub fn pattern(&mut self, v: &str, re: &fancy_regex::Regex, pattern: &'static str) {
        // A pattern that exhausts its backtracking budget counts as not matched.
        if !re.is_match(v).unwrap_or(false) {
            self.record(None, Constraint::Pattern(pattern), Some(v.to_string()));
        }
    }

    pub fn enum_value(&mut self, v: &str, allowed: &'static [&'static str]) {
        self.record(None, Constraint::Enum(allowed), Some(v.to_string()));
    }

    pub fn int_enum(&mut self, v: i32, allowed: &'static [i32]) {
        if !allowed.contains(&v) {
            self.record(None, Constraint::Enum(&[]), Some(v.to_string()));
        }
    }

    pub fn unique<T: PartialEq>(&mut self, items: &[T]) {
        let dup = items.iter().enumerate().any(|(i, a)| items[..i].iter().any(|b| a == b));
        if dup {
            self.record(None, Constraint::UniqueItems, None);
        }
    }
}

fn smithy_path(path: &[PathSeg]) -> String {
    let mut s = String::new();
    for seg in path {
        s.push('/');
        match seg {
            PathSeg::Member(m) => s.push_str(m),
            PathSeg::Index(i) => {
                let _ = write!(s, "{i}");
            }
            PathSeg::Key(k) => s.push_str(k),
        }
    }
    s
}

fn aws_path(path: &[PathSeg]) -> String {
    let mut parts: Vec<String> = Vec::new();
    for seg in path {
        match seg {
            PathSeg::Member(m) => {
                let mut c = m.chars();
                parts.push(
                    c.next()
                        .map(|f| f.to_ascii_lowercase().to_string() + c.as_str())
                        .unwrap_or_default(),
                );
            }
            PathSeg::Index(i) => parts.push(format!("{}.member", i + 1)),
            PathSeg::Key(k) => parts.push(k.clone()),
        }
    }
    parts.join(".")
}

fn bounds(min: Option<String>, max: Option<String>, between: &str) -> String {
    match (min, max) {
        (Some(a), Some(b)) => format!("{between} between {a} and {b}, inclusive"),
        (Some(a), None) => format!("{between} greater than or equal to {a}"),
        (None, Some(b)) => format!("{between} less than or equal to {b}"),
        (None, None) => String::new(),
    }
}

impl Violation {
    fn requirement(&self, style: Style) -> String {
        match &self.constraint {
            Constraint::Required => "Member must not be null".into(),
            Constraint::Length(len, min, max) => match style {
                Style::Smithy => bounds(
                    min.map(|m| m.to_string()),
                    max.map(|m| m.to_string()),
                    "Member must have length",
                ),
                // AWS names the bound that was crossed.
                Style::Aws if min.is_some_and(|m| (*len as u64) < m) => {
                    format!("Member must have length greater than or equal to {}", min.unwrap_or(0))
                }
                Style::Aws => format!("Member must have length less than or equal to {}", max.unwrap_or(0)),
            },
            Constraint::Range(min, max) => match style {
                Style::Smithy => bounds(min.map(str::to_string), max.map(str::to_string), "Member must be"),
                Style::Aws => {
                    let v: f64 = self.value.as_deref().and_then(|v| v.parse().ok()).unwrap_or(f64::NAN);
                    match min {
                        Some(m) if m.parse::<f64>().is_ok_and(|m| v < m) => {
                            format!("Member must have value greater than or equal to {m}")
                        }
                        _ => format!("Member must have value less than or equal to {}", max.unwrap_or("")),
                    }
                }
            },
            Constraint::Pattern(p) => format!("Member must satisfy regular expression pattern: {p}"),
            Constraint::Enum(values) => format!("Member must satisfy enum value set: [{}]", values.join(", ")),
            Constraint::UniqueItems => "Member must have unique values".into(),
        }
    }

    /// The violation in the given wording.
    pub fn message(&self, style: Style) -> String {
        match style {
            Style::Smithy => {
                let subject = match &self.constraint {
                    Constraint::Length(len, ..) => format!("Value with length {len}"),
                    _ => "Value".into(),
                };
                format!(
                    "{subject} at '{}' failed to satisfy constraint: {}",
                    smithy_path(&self.path),
                    self.requirement(style)
                )
            }
            Style::Aws => {
                let value = match (&self.constraint, &self.value) {
                    (Constraint::Required, _) => "null".to_string(),
                    (_, Some(v)) => format!("'{v}'"),
                    (_, None) => String::new(),
                };
                let value = if value.is_empty() {
                    String::new()
                } else {
                    format!(" {value}")
                };
                format!(
                    "Value{value} at '{}' failed to satisfy constraint: {}",
                    aws_path(&self.path),
                    self.requirement(style)
                )
            }
        }
    }

    pub fn smithy_path(&self) -> String {
        smithy_path(&self.path)
    }
}

/// The top-level message for a list of violations.
pub fn summary(violations: &[Violation], style: Style) -> String {
    let n = violations.len();
    let head = if n == 1 {
        "1 validation error detected".to_string()
    } else {
        format!("{n} validation errors detected")
    };
    let items: Vec<String> = violations.iter().map(|v| v.message(style)).collect();
    match style {
        Style::Smithy => format!("{head}. {}", items.join("; ")),
        Style::Aws => format!("{head}: {}", items.join("; ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn wordings() {
        let mut v = Validator::new();
        v.enter(PathSeg::Member("FunctionName"));
        let re = fancy_regex::Regex::new("^[a-z]+$").unwrap();
        v.pattern("x y", &re, "^[a-z]+$");
        v.leave();
        v.missing("Role");
        assert_eq!(
            summary(&v.violations, Style::Aws),
            "2 validation errors detected: Value 'x y' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-z]+$; Value null at 'role' failed to satisfy constraint: Member must not be null"
        );
        let mut v = Validator::new();
        v.enter(PathSeg::Member("minString"));
        v.length(1, Some(2), None, Some("a"));
        assert_eq!(
            summary(&v.violations, Style::Smithy),
            "1 validation error detected. Value with length 1 at '/minString' failed to satisfy constraint: Member must have length greater than or equal to 2"
        );
    }
}
