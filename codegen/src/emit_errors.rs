//! Emits `error.rs`: `ServiceError`, any error shape of the service, and one error enum per
//! operation listing the errors the model gives it, convertible to and from `ServiceError` (errors
//! an operation does not list become `Unmodelled`).

use crate::gen::Gen;
use crate::ir::OperationIr;
use crate::template::fill;

/// Every error shape the service's operations can answer, in a stable order.
pub fn service_errors(g: &Gen) -> Vec<String> {
    let mut all: Vec<String> = g
        .ops
        .iter()
        .flat_map(|op| g.model.operation_errors(g.cfg.service, op))
        .collect();
    all.sort_by_key(|e| g.type_ident(e));
    all.dedup();
    all
}

/// `error.rs`.
pub fn error_rs(g: &Gen, ops: &[OperationIr]) -> String {
    let all = service_errors(g);
    let mut out = String::from(
        "//! The errors each operation may answer, as the model lists them, and `ServiceError`, any error of\n//! the service.\n\n",
    );
    out.push_str(&error_enum(
        g,
        "ServiceError",
        "Any error shape of the service.",
        &all,
        false,
    ));
    for op in ops {
        let ty = &op.error_type;
        let doc = format!("An error of the `{}` operation.", op.name);
        out.push_str(&error_enum(g, ty, &doc, &op.errors, true));
        out.push_str(&from_service_error(g, ty, &op.errors));
        out.push_str(&into_service_error(g, ty, &op.errors));
    }
    out
}

/// An error enum: a variant per error shape (and `Unmodelled` for an operation's), `From` each
/// shape, `Display` and `Error`.
fn error_enum(g: &Gen, ty: &str, doc: &str, errors: &[String], unmodelled: bool) -> String {
    let per_error = |f: &dyn Fn(String, String) -> String| -> String {
        errors.iter().map(|e| f(g.type_ident(e), g.rust_type(e))).collect()
    };
    let variants = per_error(&|v, t| format!("    {v}({t}),\n"));
    let froms = per_error(&|v, t| {
        fill(
            r#"
impl ::std::convert::From<$t> for $ty {
    fn from(e: $t) -> Self {
        Self::$v(e)
    }
}

"#,
            &[("t", &t), ("ty", ty), ("v", &v)],
        )
    });
    // An operation's enum carries the service's other errors as `Unmodelled`; the service's own
    // enum carries the `ValidationException` a handler's checks can answer, beside the model's shapes.
    let (unmodelled_variant, unmodelled_arm) = if unmodelled {
        (
            "    /// An error of the service that the model does not list for this operation; it is\n    /// rendered like any other error of the service.\n    Unmodelled(ServiceError),\n",
            "            Self::Unmodelled(e) => ::std::fmt::Display::fmt(e, f),\n",
        )
    } else {
        (
            "    /// A `ValidationException` from a handler's own checks (a constraint the service applies\n    /// beyond the model's), worded as the wire layer words the model's.\n    Validation(::std::vec::Vec<::smithy_server_runtime::validation::Violation>),\n",
            "            Self::Validation(v) => write!(f, \"ValidationException: {v:?}\"),\n",
        )
    };
    let display = {
        fill(
            r#"
impl ::std::fmt::Display for $ty {
    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
        match self {
$arms$unmodelled        }
    }
}
"#,
            &[
                ("ty", ty),
                (
                    "arms",
                    &per_error(&|v, _| format!("            Self::{v}(e) => ::std::fmt::Display::fmt(e, f),\n")),
                ),
                ("unmodelled", unmodelled_arm),
            ],
        )
    };
    fill(
        r#"
/// $doc
#[derive(Debug)]
pub enum $ty {
$variants$unmodelled}

$froms$display
impl ::std::error::Error for $ty {}

"#,
        &[
            ("doc", doc),
            ("ty", ty),
            ("variants", &variants),
            ("unmodelled", unmodelled_variant),
            ("froms", &froms),
            ("display", &display),
        ],
    )
}

/// `From<ServiceError>` for an operation's error enum: its own errors by variant, the rest as
/// `Unmodelled` (`ServiceError::Validation` among them).
fn from_service_error(g: &Gen, ty: &str, errors: &[String]) -> String {
    let body = if errors.is_empty() {
        "Self::Unmodelled(e)".to_string()
    } else {
        let arms: String = errors
            .iter()
            .map(|e| format!("ServiceError::{v}(e) => Self::{v}(e),\n", v = g.type_ident(e)))
            .collect();
        // `ServiceError::Validation` is never an operation's own error: always `Unmodelled`.
        format!("match e {{\n{arms}other => Self::Unmodelled(other),\n}}")
    };
    fill(
        r#"
impl ::std::convert::From<ServiceError> for $ty {
    fn from(e: ServiceError) -> Self {
        $body
    }
}

"#,
        &[("ty", ty), ("body", &body)],
    )
}

/// `From` an operation's error enum for `ServiceError`.
fn into_service_error(g: &Gen, ty: &str, errors: &[String]) -> String {
    let body = if errors.is_empty() {
        format!("let {ty}::Unmodelled(e) = e;\ne")
    } else {
        let arms: String = errors
            .iter()
            .map(|e| format!("{ty}::{v}(e) => Self::{v}(e),\n", v = g.type_ident(e)))
            .collect();
        format!("match e {{\n{arms}{ty}::Unmodelled(e) => e,\n}}")
    };
    fill(
        r#"
impl ::std::convert::From<$ty> for ServiceError {
    fn from(e: $ty) -> Self {
        $body
    }
}

"#,
        &[("ty", ty), ("body", &body)],
    )
}
