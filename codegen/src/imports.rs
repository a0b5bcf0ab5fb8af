//! `use` lines by need: a generated file imports a module only when its code calls into it.

/// The file with each `use` line inserted whose module the code calls into (a function name
/// starting with the given prefix; an empty prefix always), after `use smithy_server_runtime as rt;`.
pub fn with_imports(code: String, imports: &[(&str, &str)], root: &str) -> String {
    let lines: String = imports
        .iter()
        .filter(|(_, prefix)| prefix.is_empty() || calls_prefixed(&code, prefix))
        .map(|(line, _)| line.replace("{root}", root))
        .collect();
    code.replacen(
        "use smithy_server_runtime as rt;\n",
        &format!("use smithy_server_runtime as rt;\n{lines}"),
        1,
    )
}

/// Whether `code` names an identifier starting with `prefix` (at a word boundary).
pub fn calls_prefixed(code: &str, prefix: &str) -> bool {
    code.match_indices(prefix)
        .any(|(i, _)| !code[..i].ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_' || c == ':'))
}
