//! Service-independent runtime for the restJson1 servers that `codegen` generates.
//!
//! Generated crates hold everything that comes from a model (types, routes, bindings, constraint
//! checks); this crate holds what is the same for every model: matching Smithy URI patterns, parsing
//! and formatting HTTP header/query/label values, reading and writing JSON, collecting constraint
//! violations, rendering framework errors, and event-stream framing; with the `serde` feature, the
//! exact serde encodings of its types that model values are stored with.

pub mod body;
pub mod event_stream;
pub mod headers;
pub mod http_values;
pub mod json_de;
pub mod json_ser;
pub mod media_type;
pub mod rejection;
pub mod routing;
#[cfg(feature = "serde")]
pub mod serde_support;
pub mod validation;

pub use aws_smithy_types;
pub use bytes;
pub use fancy_regex as regex;
pub use http;
pub use http_body;
pub use serde_json;
pub use tower;

/// The error type boxed bodies and streams carry.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;
