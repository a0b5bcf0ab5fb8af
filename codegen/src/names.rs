//! Rust identifiers for Smithy names: snake_case fields and functions, PascalCase variants,
//! keyword escaping, and doc-comment text.

/// Splits a Smithy name into lowercase words ("FunctionARN" -> ["function", "arn"],
/// "python3.12" -> ["python3", "12"], "X-Amz-Type" -> ["x", "amz", "type"]).
pub fn words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        if c.is_ascii_uppercase() && !cur.is_empty() {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            if prev.is_ascii_lowercase() || prev.is_ascii_digit() || (prev.is_ascii_uppercase() && next_lower) {
                out.push(std::mem::take(&mut cur));
            }
        }
        cur.push(c.to_ascii_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

const KEYWORDS: &[&str] = &[
    "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn", "for", "if", "impl", "in",
    "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "self", "Self", "static", "struct", "super",
    "trait", "true", "type", "unsafe", "use", "where", "while", "async", "await", "dyn", "abstract", "become", "box",
    "do", "final", "macro", "override", "priv", "typeof", "unsized", "virtual", "yield", "try", "gen",
];

fn escape(id: String) -> String {
    match id.as_str() {
        "self" | "Self" | "super" | "crate" => format!("{id}_"),
        _ if KEYWORDS.contains(&id.as_str()) => format!("r#{id}"),
        _ if id.is_empty() => "value".into(),
        _ if id.starts_with(|c: char| c.is_ascii_digit()) => format!("_{id}"),
        _ => id,
    }
}

pub fn snake(name: &str) -> String {
    escape(words(name).join("_"))
}

/// snake_case without keyword escaping (for building longer identifiers).
pub fn snake_raw(name: &str) -> String {
    words(name).join("_")
}

pub fn pascal(name: &str) -> String {
    let s: String = words(name)
        .iter()
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
                None => String::new(),
            }
        })
        .collect();
    let s = if s.starts_with(|c: char| c.is_ascii_digit()) {
        format!("V{s}")
    } else {
        s
    };
    escape(s)
}

/// Type names keep the model's shape name, unless it clashes with a Rust prelude name.
pub fn type_name(shape_name: &str) -> String {
    match shape_name {
        "String" | "Option" | "Result" | "Vec" | "Box" | "Some" | "None" | "Ok" | "Err" | "Self" | "Default" => {
            format!("{shape_name}Shape")
        }
        _ => shape_name.to_string(),
    }
}

/// A Rust string literal.
pub fn lit(s: &str) -> String {
    format!("{s:?}")
}

/// The first sentence of a model documentation string, without HTML, for a `///` comment.
pub fn first_sentence(doc: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in doc.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                text.push(' ');
            }
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let text = text
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
        .replace("&quot;", "\"");
    let end = text.find(". ").map(|i| i + 1).unwrap_or(text.len());
    text[..end]
        .replace('[', "\\[")
        .replace(']', "\\]")
        .replace('<', "\\<")
        .replace('`', "'")
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn splits() {
        assert_eq!(snake("FunctionARN"), "function_arn");
        assert_eq!(snake("CreateFunction"), "create_function");
        assert_eq!(snake("type"), "r#type");
        assert_eq!(pascal("python3.12"), "Python312");
        assert_eq!(pascal("nodejs4.3-edge"), "Nodejs43Edge");
        assert_eq!(snake("HTTPHeaders"), "http_headers");
    }
}
