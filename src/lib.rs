//! fauxlambda, a local AWS Lambda: the Lambda API served by the generated wire layer
//! (`lambda_server`), implemented over a state actor and a content-addressed package store.

pub mod api;
pub mod arn;
pub mod body_budget;
pub mod clock;
pub mod config;
pub mod connection_watch;
pub mod context;
pub mod data_dir;
pub mod errors;
pub mod execution;
pub mod function_urls;
pub mod introspection;
pub mod pagination;
pub mod s3;
pub mod server;
pub mod services;
pub mod state;
pub mod store;
