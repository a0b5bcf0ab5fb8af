//! Fetching function and layer code given as `S3Bucket`/`S3Key`/`S3ObjectVersion` from the S3
//! endpoint the user configured (`--endpoint s3=URL`, `AWS_ENDPOINT_URL_S3`, `AWS_ENDPOINT_URL`),
//! through the official Rust S3 client of `services` (path-style addressing, any credentials).

use crate::errors;
use crate::services::Services;
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use lambda_server::error::ServiceError;

fn get_object_error(code: &str, message: &str) -> ServiceError {
    errors::invalid_parameter(format!(
        "Error occurred while GetObject. S3 Error Code: {code}. S3 Error Message: {message}"
    ))
}

/// The bytes of `s3://bucket/key` (at `version` when given), or AWS's error for a missing
/// bucket/key/version, or a clear error when no S3 endpoint (`endpoint`) is configured or reachable.
/// `region` is the request's.
pub async fn fetch(
    services: &Services,
    region: &str,
    bucket: &str,
    key: &str,
    version: Option<&str>,
) -> Result<Vec<u8>, ServiceError> {
    let Some(endpoint) = services.endpoint("s3") else {
        return Err(get_object_error(
            "NoSuchEndpoint",
            &format!("fauxlambda has no S3 endpoint to fetch s3://{bucket}/{key} from; start it with --endpoint s3=URL (or --s3-endpoint URL) or set AWS_ENDPOINT_URL_S3"),
        ));
    };
    let endpoint = endpoint.as_str();
    if !(endpoint.starts_with("http://") || endpoint.starts_with("https://")) {
        return Err(get_object_error(
            "InvalidEndpoint",
            &format!("the S3 endpoint {endpoint:?} (--endpoint s3=URL, --s3-endpoint, AWS_ENDPOINT_URL_S3) is not an http:// URL"),
        ));
    }
    let s3 = services
        .s3(region)
        .map_err(|e| get_object_error("NoSuchEndpoint", &e))?;
    let out = s3
        .get_object()
        .bucket(bucket)
        .key(key)
        .set_version_id(version.map(str::to_string))
        .send()
        .await;
    let out = match out {
        Ok(out) => out,
        Err(SdkError::ServiceError(e)) => {
            let e = e.into_err();
            let code = e.code().unwrap_or("Unknown").to_string();
            let message = e
                .message()
                .map(str::to_string)
                .unwrap_or_else(|| default_message(&code));
            return Err(get_object_error(&code, &message));
        }
        Err(e @ (SdkError::DispatchFailure(_) | SdkError::TimeoutError(_))) => {
            let cause = describe(&e);
            return Err(unreachable(endpoint, bucket, key, &cause));
        }
        Err(e) => {
            let cause = describe(&e);
            // A response that is not S3's (a wrong endpoint) lands here too.
            return Err(unreachable(endpoint, bucket, key, &cause));
        }
    };
    if let Some(len) = out.content_length() {
        if len as u64 > crate::store::MAX_UNZIPPED {
            return Err(errors::invalid_parameter(format!(
                "Unzipped size must be smaller than {} bytes",
                crate::store::MAX_UNZIPPED
            )));
        }
    }
    match out.body.collect().await {
        Ok(data) => Ok(data.into_bytes().to_vec()),
        Err(e) => Err(unreachable(
            endpoint,
            bucket,
            key,
            &format!("reading the object failed: {e}"),
        )),
    }
}

fn unreachable(endpoint: &str, bucket: &str, key: &str, cause: &str) -> ServiceError {
    get_object_error(
        "EndpointUnreachable",
        &format!("fauxlambda could not fetch s3://{bucket}/{key} from the S3 endpoint {endpoint} (--endpoint s3=URL, --s3-endpoint, AWS_ENDPOINT_URL_S3): {cause}"),
    )
}

/// S3's messages for the codes whose error responses may come without a body.
fn default_message(code: &str) -> String {
    match code {
        "NoSuchKey" => "The specified key does not exist.".into(),
        "NoSuchBucket" => "The specified bucket does not exist".into(),
        "NoSuchVersion" => "The specified version does not exist.".into(),
        "AccessDenied" => "Access Denied".into(),
        other => other.to_string(),
    }
}

/// The innermost cause of a client-side failure, in one line.
fn describe<E: std::error::Error + 'static, R: std::fmt::Debug>(e: &SdkError<E, R>) -> String {
    let mut msg = e.to_string();
    let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
    while let Some(s) = source {
        msg = s.to_string();
        source = s.source();
    }
    msg
}
