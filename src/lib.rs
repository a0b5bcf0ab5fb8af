//! fauxlambda, a local AWS Lambda.
//!
//! Today this package holds the wire layer: the Lambda API server generated from the official Smithy
//! model (`lambda_server`, in `generated/lambda-server`). The control plane (the state actor and the
//! handlers implementing `LambdaApi`) and the execution of functions build on it.

pub use lambda_server as wire;
