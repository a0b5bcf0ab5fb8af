//! Emits `service.rs`: the operation trait (one async method per operation, no default bodies), the
//! routing table, and the `tower::Service` that routes, reads, validates, calls and writes.

use crate::emit_http::module_name;
use crate::gen::{Gen, ValidationStyle};
use crate::model::short;
use crate::names::{lit, pascal};
use std::fmt::Write;

pub fn service_rs(g: &Gen) -> String {
    let tr = g.cfg.trait_name;
    let svc = g.cfg.service_type;
    let root = g.root();
    let mut out = format!(
        "//! The `{tr}` trait, the routing table and `{svc}`, the HTTP service over a `{tr}`.\n\nuse smithy_server_runtime as rt;\nuse rt::rejection::Rejection;\n\n"
    );
    let style = match g.validation_style() {
        ValidationStyle::Smithy => "Smithy",
        ValidationStyle::Aws => "Aws",
    };
    writeln!(
        out,
        "/// How this service renders framework errors.\npub const PROTOCOL: rt::rejection::Protocol = rt::rejection::Protocol {{\n    serialization_error: {},\n    error_type_field: {},\n    validation: rt::validation::Style::{style},\n}};\n",
        lit(g.cfg.serialization_error),
        g.cfg.error_type_field
    )
    .unwrap();

    // The trait.
    writeln!(out, "/// The operations of the service; implement every method to serve it.\npub trait {tr}: Send + Sync + 'static {{").unwrap();
    for op in &g.ops {
        out.push_str(&g.doc(&g.shape(op).traits, "    "));
        let input = match g.shape(op).input() {
            Some(_) => format!(", input: {}", g.input_type(op)),
            None => String::new(),
        };
        writeln!(
            out,
            "    fn {}(&self{input}) -> impl ::std::future::Future<Output = ::std::result::Result<{}, {root}::error::{}>> + Send;",
            module_name(op),
            g.output_type(op),
            g.op_error_type(op)
        )
        .unwrap();
    }
    out.push_str("}\n\n");

    // The operation enum.
    out.push_str("/// The operations, as the router names them.\n#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]\npub enum Operation {\n");
    for op in &g.ops {
        writeln!(out, "    {},", pascal(short(op))).unwrap();
    }
    out.push_str("}\n\nimpl Operation {\n    /// Every operation, in name order.\n    pub const ALL: &'static [Operation] = &[\n");
    for op in &g.ops {
        writeln!(out, "        Operation::{},", pascal(short(op))).unwrap();
    }
    out.push_str("    ];\n\n    /// The operation's name in the model.\n    pub fn name(self) -> &'static str {\n        match self {\n");
    for op in &g.ops {
        writeln!(
            out,
            "            Operation::{} => {},",
            pascal(short(op)),
            lit(short(op))
        )
        .unwrap();
    }
    out.push_str("        }\n    }\n\n    /// The operation's HTTP method and URI pattern.\n    pub fn http(self) -> (&'static str, &'static str) {\n        match self {\n");
    for op in &g.ops {
        writeln!(
            out,
            "            Operation::{} => ({root}::operation::{m}::METHOD, {root}::operation::{m}::URI),",
            pascal(short(op)),
            m = module_name(op)
        )
        .unwrap();
    }
    out.push_str("        }\n    }\n}\n\n");

    // The router.
    out.push_str("static ROUTER: ::std::sync::LazyLock<rt::routing::Router<Operation>> = ::std::sync::LazyLock::new(|| {\n    rt::routing::Router::new(\n        Operation::ALL\n            .iter()\n            .map(|op| {\n                let (method, uri) = op.http();\n                let method = rt::http::Method::from_bytes(method.as_bytes()).expect(\"model method\");\n                (method, rt::routing::UriPattern::parse(uri).expect(\"pattern checked by codegen\"), *op)\n            })\n            .collect(),\n    )\n});\n\n");
    out.push_str("/// Finds the operation a request is for, and the raw values of its URI labels.\npub fn route(method: &rt::http::Method, path: &str, query: Option<&str>) -> ::std::result::Result<(Operation, ::std::vec::Vec<::std::string::String>), Rejection> {\n    ROUTER.route(method, path, query).map_err(|e| match e {\n        rt::routing::RouteError::NotFound => Rejection::UnknownOperation,\n        rt::routing::RouteError::MethodNotAllowed => Rejection::MethodNotAllowed,\n    })\n}\n\n");

    // Dispatch. Each operation's reading and call run as a future of its own on the heap: inline,
    // `handle`'s future would be as large as the largest operation's (tens of kilobytes with
    // real handlers), and moving it into the connection's task would copy all of it per request.
    writeln!(out, "/// Serves one request with `api`: route, read and validate the input, call the operation, write the answer.\npub async fn handle<T: {tr}, B>(api: &T, req: rt::http::Request<B>) -> rt::http::Response<rt::body::Body>\nwhere\n    B: rt::http_body::Body<Data = rt::bytes::Bytes> + Send + 'static,\n    B::Error: Into<rt::BoxError>,\n{{").unwrap();
    out.push_str("    let (op, labels) = match route(req.method(), req.uri().path(), req.uri().query()) {\n        Ok(r) => r,\n        Err(rejection) => return rejection.into_response(&PROTOCOL),\n    };\n    match op {\n");
    for op in &g.ops {
        let m = module_name(op);
        let call = match g.shape(op).input() {
            Some(_) => format!("api.{m}(input)"),
            None => format!("{{ let () = input; api.{m}() }}"),
        };
        writeln!(
            out,
            "        Operation::{v} => ::std::boxed::Box::pin(async move {{\n            match {root}::operation::{m}::deserialize_request(req, labels).await {{\n                Ok(input) => match {call}.await {{\n                    Ok(output) => {root}::operation::{m}::serialize_response(output),\n                    Err(error) => {root}::operation::{m}::serialize_error(error),\n                }},\n                Err(rejection) => rejection.into_response(&PROTOCOL),\n            }}\n        }})\n        .await,",
            v = pascal(short(op))
        )
        .unwrap();
    }
    out.push_str("    }\n}\n\n");

    // Reading without calling.
    writeln!(out, "/// Routes and reads a request without calling any operation: `Ok` with the operation when the\n/// request is acceptable, else the error response the service answers.\npub async fn read_request<B>(req: rt::http::Request<B>) -> ::std::result::Result<Operation, rt::http::Response<rt::body::Body>>\nwhere\n    B: rt::http_body::Body<Data = rt::bytes::Bytes> + Send + 'static,\n    B::Error: Into<rt::BoxError>,\n{{").unwrap();
    out.push_str("    let (op, labels) = route(req.method(), req.uri().path(), req.uri().query()).map_err(|r| r.into_response(&PROTOCOL))?;\n    let read = match op {\n");
    for op in &g.ops {
        writeln!(
            out,
            "        Operation::{} => {root}::operation::{}::deserialize_request(req, labels).await.map(|_| ()),",
            pascal(short(op)),
            module_name(op)
        )
        .unwrap();
    }
    out.push_str("    };\n    read.map(|()| op).map_err(|r| r.into_response(&PROTOCOL))\n}\n\n");

    // The tower service.
    writeln!(
        out,
        "/// The HTTP service: a `tower::Service` over any `{tr}`.\npub struct {svc}<T> {{\n    api: ::std::sync::Arc<T>,\n}}\n\nimpl<T> {svc}<T> {{\n    pub fn new(api: T) -> Self {{\n        Self {{ api: ::std::sync::Arc::new(api) }}\n    }}\n\n    pub fn from_arc(api: ::std::sync::Arc<T>) -> Self {{\n        Self {{ api }}\n    }}\n}}\n\nimpl<T> Clone for {svc}<T> {{\n    fn clone(&self) -> Self {{\n        Self {{ api: self.api.clone() }}\n    }}\n}}\n"
    )
    .unwrap();
    writeln!(
        out,
        "impl<T: {tr}, B> rt::tower::Service<rt::http::Request<B>> for {svc}<T>\nwhere\n    B: rt::http_body::Body<Data = rt::bytes::Bytes> + Send + 'static,\n    B::Error: Into<rt::BoxError>,\n{{\n    type Response = rt::http::Response<rt::body::Body>;\n    type Error = ::std::convert::Infallible;\n    type Future = ::std::pin::Pin<::std::boxed::Box<dyn ::std::future::Future<Output = ::std::result::Result<Self::Response, Self::Error>> + Send>>;\n\n    fn poll_ready(&mut self, _: &mut ::std::task::Context<'_>) -> ::std::task::Poll<::std::result::Result<(), Self::Error>> {{\n        ::std::task::Poll::Ready(Ok(()))\n    }}\n\n    fn call(&mut self, req: rt::http::Request<B>) -> Self::Future {{\n        let api = self.api.clone();\n        ::std::boxed::Box::pin(async move {{ Ok(handle(&*api, req).await) }})\n    }}\n}}"
    )
    .unwrap();
    out
}
