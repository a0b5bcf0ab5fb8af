//! `use` lines by need: a generated file imports a module only when its code calls into it, as
//! its emitter decides from the model.

/// The file with each needed `use` line inserted after `use smithy_server_runtime as rt;`
/// (`{root}` in a line stands for the crate path of the service).
pub fn with_imports(code: String, imports: &[(&str, bool)], root: &str) -> String {
    let lines: String = imports
        .iter()
        .filter(|(_, needed)| *needed)
        .map(|(line, _)| line.replace("{root}", root))
        .collect();
    code.replacen(
        "use smithy_server_runtime as rt;\n",
        &format!("use smithy_server_runtime as rt;\n{lines}"),
        1,
    )
}
