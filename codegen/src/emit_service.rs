//! Emits `service.rs`: the operation trait (one async method per operation, no default bodies), the
//! routing table, and the `tower::Service` that routes, reads, validates, calls and writes.

use crate::gen::{Gen, ValidationStyle};
use crate::ir::OperationIr;
use crate::names::lit;
use crate::template::fill;

pub fn service_rs(g: &Gen, ops: &[OperationIr]) -> String {
    let root = g.root();
    let style = match g.validation_style() {
        ValidationStyle::Smithy => "Smithy",
        ValidationStyle::Aws => "Aws",
    };
    let per_op = |f: &dyn Fn(&OperationIr) -> String| ops.iter().map(f).collect::<String>();
    let limited: String = ops
        .iter()
        .filter_map(|op| {
            let (_, bytes) = g.cfg.request_limits.iter().find(|(name, _)| *name == op.name)?;
            Some(format!("            Operation::{} => {bytes},\n", op.variant))
        })
        .collect();
    let request_limit = if limited.is_empty() {
        "        rt::body::REQUEST_LIMIT\n".to_string()
    } else {
        format!("        match self {{\n{limited}            _ => rt::body::REQUEST_LIMIT,\n        }}\n")
    };
    fill(
        FILE,
        &[
            ("tr", g.cfg.trait_name),
            ("svc", g.cfg.service_type),
            ("serialization_error", &lit(g.cfg.serialization_error)),
            ("error_type_field", &g.cfg.error_type_field.to_string()),
            ("style", style),
            ("trait_methods", &per_op(&|op| trait_method(g, op))),
            ("variants", &per_op(&|op| format!("    {},\n", op.variant))),
            ("all", &per_op(&|op| format!("        Operation::{},\n", op.variant))),
            (
                "names",
                &per_op(&|op| format!("            Operation::{} => {},\n", op.variant, lit(&op.name))),
            ),
            (
                "http",
                &per_op(&|op| {
                    let m = format!("{root}::operation::{}", op.module);
                    format!("            Operation::{} => ({m}::METHOD, {m}::URI),\n", op.variant)
                }),
            ),
            ("request_limit", &request_limit),
            ("handle_arms", &per_op(&|op| handle_arm(&root, op))),
            (
                "read_arms",
                &per_op(&|op| {
                    format!(
                        "        Operation::{} => {root}::operation::{}::deserialize_request(req, labels).await.map(|_| ()),\n",
                        op.variant, op.module
                    )
                }),
            ),
        ],
    )
}

/// The trait method an implementation provides for one operation.
fn trait_method(g: &Gen, op: &OperationIr) -> String {
    let input = match op.input {
        Some(_) => format!(", input: {}", op.input_type),
        None => String::new(),
    };
    fill(
        "$doc    fn $m(&self$input) -> impl ::std::future::Future<Output = ::std::result::Result<$output, $root::error::$error>> + Send;\n",
        &[
            ("doc", &g.doc(&g.shape(&op.id).traits, "    ")),
            ("m", &op.module),
            ("input", &input),
            ("output", &op.output_type),
            ("root", &g.root()),
            ("error", &op.error_type),
        ],
    )
}

/// The arm of `handle` serving one operation. Each operation's reading and call run as a future of
/// its own on the heap: inline, `handle`'s future would be as large as the largest operation's
/// (tens of kilobytes with real handlers), and moving it into the connection's task would copy all
/// of it per request.
fn handle_arm(root: &str, op: &OperationIr) -> String {
    let m = &op.module;
    let call = match op.input {
        Some(_) => format!("api.{m}(input)"),
        None => format!("{{ let () = input; api.{m}() }}"),
    };
    fill(
        r#"
        Operation::$variant => ::std::boxed::Box::pin(async move {
            match $op::deserialize_request(req, labels).await {
                Ok(input) => match $call.await {
                    Ok(output) => $op::serialize_response(output),
                    Err(error) => $op::serialize_error(error),
                },
                Err(rejection) => rejection.into_response(&PROTOCOL),
            }
        })
        .await,
"#,
        &[
            ("variant", &op.variant),
            ("op", &format!("{root}::operation::{m}")),
            ("call", &call),
        ],
    )
}

const FILE: &str = r#"
//! The `$tr` trait, the routing table and `$svc`, the HTTP service over a `$tr`.

use smithy_server_runtime as rt;
use rt::rejection::Rejection;

/// How this service renders framework errors.
pub const PROTOCOL: rt::rejection::Protocol = rt::rejection::Protocol {
    serialization_error: $serialization_error,
    error_type_field: $error_type_field,
    validation: rt::validation::Style::$style,
};

/// The operations of the service; implement every method to serve it.
pub trait $tr: Send + Sync + 'static {
$trait_methods}

/// The operations, as the router names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
$variants}

impl Operation {
    /// Every operation, in name order.
    pub const ALL: &'static [Operation] = &[
$all    ];

    /// The operation's name in the model.
    pub fn name(self) -> &'static str {
        match self {
$names        }
    }

    /// The operation's HTTP method and URI pattern.
    pub fn http(self) -> (&'static str, &'static str) {
        match self {
$http        }
    }

    /// The most request body the operation reads: the service's own limit, else the runtime's.
    pub fn request_limit(self) -> usize {
$request_limit    }

    /// The 413 of a request over `request_limit`, as the operation answers it (naming the
    /// operation when the limit is the service's own).
    pub fn too_large(self) -> rt::http::Response<rt::body::Body> {
        let limit = self.request_limit();
        let operation = (limit != rt::body::REQUEST_LIMIT).then(|| self.name());
        Rejection::TooLarge { limit, operation }.into_response(&PROTOCOL)
    }
}

static ROUTER: ::std::sync::LazyLock<rt::routing::Router<Operation>> = ::std::sync::LazyLock::new(|| {
    rt::routing::Router::new(
        Operation::ALL
            .iter()
            .map(|op| {
                let (method, uri) = op.http();
                let method = rt::http::Method::from_bytes(method.as_bytes()).expect("model method");
                (method, rt::routing::UriPattern::parse(uri).expect("pattern checked by codegen"), *op)
            })
            .collect(),
    )
});

/// Finds the operation a request is for, and the raw values of its URI labels.
pub fn route(method: &rt::http::Method, path: &str, query: Option<&str>) -> ::std::result::Result<(Operation, ::std::vec::Vec<::std::string::String>), Rejection> {
    ROUTER.route(method, path, query).map_err(|e| match e {
        rt::routing::RouteError::NotFound => Rejection::UnknownOperation,
        rt::routing::RouteError::MethodNotAllowed => Rejection::MethodNotAllowed,
    })
}

/// Serves one request with `api`: route, read and validate the input, call the operation, write the answer.
pub async fn handle<T: $tr, B>(api: &T, req: rt::http::Request<B>) -> rt::http::Response<rt::body::Body>
where
    B: rt::http_body::Body<Data = rt::bytes::Bytes> + Send + 'static,
    B::Error: Into<rt::BoxError>,
{
    let (op, labels) = match route(req.method(), req.uri().path(), req.uri().query()) {
        Ok(r) => r,
        Err(rejection) => return rejection.into_response(&PROTOCOL),
    };
    match op {
$handle_arms    }
}

/// Routes and reads a request without calling any operation: `Ok` with the operation when the
/// request is acceptable, else the error response the service answers.
pub async fn read_request<B>(req: rt::http::Request<B>) -> ::std::result::Result<Operation, rt::http::Response<rt::body::Body>>
where
    B: rt::http_body::Body<Data = rt::bytes::Bytes> + Send + 'static,
    B::Error: Into<rt::BoxError>,
{
    let (op, labels) = route(req.method(), req.uri().path(), req.uri().query()).map_err(|r| r.into_response(&PROTOCOL))?;
    let read = match op {
$read_arms    };
    read.map(|()| op).map_err(|r| r.into_response(&PROTOCOL))
}

/// The HTTP service: a `tower::Service` over any `$tr`.
pub struct $svc<T> {
    api: ::std::sync::Arc<T>,
}

impl<T> $svc<T> {
    pub fn new(api: T) -> Self {
        Self { api: ::std::sync::Arc::new(api) }
    }

    pub fn from_arc(api: ::std::sync::Arc<T>) -> Self {
        Self { api }
    }
}

impl<T> Clone for $svc<T> {
    fn clone(&self) -> Self {
        Self { api: self.api.clone() }
    }
}

impl<T: $tr, B> rt::tower::Service<rt::http::Request<B>> for $svc<T>
where
    B: rt::http_body::Body<Data = rt::bytes::Bytes> + Send + 'static,
    B::Error: Into<rt::BoxError>,
{
    type Response = rt::http::Response<rt::body::Body>;
    type Error = ::std::convert::Infallible;
    type Future = ::std::pin::Pin<::std::boxed::Box<dyn ::std::future::Future<Output = ::std::result::Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, _: &mut ::std::task::Context<'_>) -> ::std::task::Poll<::std::result::Result<(), Self::Error>> {
        ::std::task::Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: rt::http::Request<B>) -> Self::Future {
        let api = self.api.clone();
        ::std::boxed::Box::pin(async move { Ok(handle(&*api, req).await) })
    }
}
"#;
