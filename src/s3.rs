//! Fetching function and layer code given as `S3Bucket`/`S3Key`/`S3ObjectVersion` from the S3
//! endpoint the user configured (`--s3-endpoint`, `AWS_ENDPOINT_URL_S3`, `AWS_ENDPOINT_URL`).

use crate::api::{aws_error, Api};
use lambda_server::error::ServiceError;

pub async fn fetch(api: &Api, bucket: &str, key: &str, version: Option<&str>) -> Result<Vec<u8>, ServiceError> {
    let Some(endpoint) = api.s3_endpoint.as_deref() else {
        return Err(aws_error::invalid_parameter(format!(
            "Error occurred while GetObject. S3 Error Code: NoSuchEndpoint. S3 Error Message: fauxlambda has no S3 endpoint to fetch s3://{bucket}/{key} from; start it with --s3-endpoint or set AWS_ENDPOINT_URL_S3"
        )));
    };
    let _ = (endpoint, version);
    Err(aws_error::invalid_parameter(format!("Error occurred while GetObject. S3 Error Code: NotImplemented. S3 Error Message: fetching s3://{bucket}/{key} is not available yet")))
}
