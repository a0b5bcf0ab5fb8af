//! Code from S3: CreateFunction, UpdateFunctionCode and PublishLayerVersion with
//! `S3Bucket`/`S3Key`/`S3ObjectVersion`, fetched from a real `moto_server` (from `.venv`, installed
//! by `scripts/test-deps`) through `--s3-endpoint`, and the errors for missing objects/endpoints.

mod common;

use aws_sdk_lambda::error::ProvideErrorMetadata;
use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{FunctionCode, LayerVersionContentInput, Runtime};
use common::moto::{free_port, Moto};
use common::{http_get, zip, Server, ROLE};
use std::time::{Duration, Instant};

async fn put(s3: &aws_sdk_s3::Client, bucket: &str, key: &str, body: &[u8]) -> Option<String> {
    let out = s3
        .put_object()
        .bucket(bucket)
        .key(key)
        .body(aws_sdk_s3::primitives::ByteStream::from(body.to_vec()))
        .send()
        .await
        .expect("put_object");
    out.version_id().map(str::to_string)
}

fn sha256_b64(bytes: &[u8]) -> String {
    use base64::Engine;
    use sha2::Digest;
    base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(bytes))
}

fn py_zip(text: &str) -> Vec<u8> {
    zip(&[(
        "app.py",
        &format!("def handler(event, context):\n    return {text:?}\n"),
    )])
}

fn s3_code(bucket: &str, key: &str, version: Option<&str>) -> FunctionCode {
    FunctionCode::builder()
        .s3_bucket(bucket)
        .s3_key(key)
        .set_s3_object_version(version.map(str::to_string))
        .build()
}

async fn create_from_s3(
    c: &aws_sdk_lambda::Client,
    name: &str,
    code: FunctionCode,
) -> Result<
    aws_sdk_lambda::operation::create_function::CreateFunctionOutput,
    aws_sdk_lambda::error::SdkError<aws_sdk_lambda::operation::create_function::CreateFunctionError>,
> {
    c.create_function()
        .function_name(name)
        .runtime(Runtime::Python312)
        .role(ROLE)
        .handler("app.handler")
        .code(code)
        .send()
        .await
}

#[tokio::test]
async fn create_and_update_function_code_from_s3() {
    let moto = Moto::start();
    let s3 = moto.s3();
    s3.create_bucket().bucket("code").send().await.expect("create_bucket");
    let one = py_zip("one");
    let two = py_zip("two");
    put(&s3, "code", "fn/one.zip", &one).await;
    put(&s3, "code", "fn/two.zip", &two).await;

    let server = Server::start(&["--s3-endpoint", &moto.endpoint]);
    let c = server.client();
    let created = create_from_s3(&c, "from-s3", s3_code("code", "fn/one.zip", None))
        .await
        .expect("create_function from S3");
    assert_eq!(created.code_sha256(), Some(sha256_b64(&one).as_str()));
    assert_eq!(created.code_size(), one.len() as i64);
    common::wait_active(&c, "from-s3").await;

    let got = c.get_function().function_name("from-s3").send().await.unwrap();
    assert_eq!(
        got.configuration().and_then(|c| c.code_sha256()),
        Some(sha256_b64(&one).as_str())
    );
    let location = got
        .code()
        .and_then(|c| c.location())
        .expect("Code.Location")
        .to_string();
    assert_eq!(
        http_get(&location).await,
        one,
        "Code.Location serves the S3 object's bytes"
    );

    let updated = c
        .update_function_code()
        .function_name("from-s3")
        .s3_bucket("code")
        .s3_key("fn/two.zip")
        .send()
        .await
        .expect("update_function_code from S3");
    assert_eq!(updated.code_sha256(), Some(sha256_b64(&two).as_str()));
    assert_eq!(updated.code_size(), two.len() as i64);
    common::wait_active(&c, "from-s3").await;
    let got = c.get_function().function_name("from-s3").send().await.unwrap();
    let location = got
        .code()
        .and_then(|c| c.location())
        .expect("Code.Location")
        .to_string();
    assert_eq!(http_get(&location).await, two);

    // Only S3Key without S3Bucket is refused before S3 is asked.
    let err = c
        .update_function_code()
        .function_name("from-s3")
        .s3_key("fn/two.zip")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidParameterValueException"));
}

#[tokio::test]
async fn object_versions_of_a_versioned_bucket() {
    use aws_sdk_s3::types::{BucketVersioningStatus, VersioningConfiguration};
    let moto = Moto::start();
    let s3 = moto.s3();
    s3.create_bucket()
        .bucket("versioned")
        .send()
        .await
        .expect("create_bucket");
    s3.put_bucket_versioning()
        .bucket("versioned")
        .versioning_configuration(
            VersioningConfiguration::builder()
                .status(BucketVersioningStatus::Enabled)
                .build(),
        )
        .send()
        .await
        .expect("put_bucket_versioning");
    let first = py_zip("first");
    let second = py_zip("second");
    let v1 = put(&s3, "versioned", "code.zip", &first).await.expect("a version id");
    let v2 = put(&s3, "versioned", "code.zip", &second).await.expect("a version id");
    assert_ne!(v1, v2);

    let server = Server::start(&["--s3-endpoint", &moto.endpoint]);
    let c = server.client();
    // The older version, by id, although a newer one is current.
    let created = create_from_s3(&c, "pinned", s3_code("versioned", "code.zip", Some(&v1)))
        .await
        .expect("create_function with S3ObjectVersion");
    assert_eq!(created.code_sha256(), Some(sha256_b64(&first).as_str()));
    common::wait_active(&c, "pinned").await;
    // Without a version: the current one.
    let latest = create_from_s3(&c, "current", s3_code("versioned", "code.zip", None))
        .await
        .expect("create_function");
    assert_eq!(latest.code_sha256(), Some(sha256_b64(&second).as_str()));

    let updated = c
        .update_function_code()
        .function_name("pinned")
        .s3_bucket("versioned")
        .s3_key("code.zip")
        .s3_object_version(&v2)
        .send()
        .await
        .expect("update_function_code with S3ObjectVersion");
    assert_eq!(updated.code_sha256(), Some(sha256_b64(&second).as_str()));

    // A version the object never had.
    let err = create_from_s3(
        &c,
        "bad-version",
        s3_code("versioned", "code.zip", Some("nonexistentversion0000000000000")),
    )
    .await
    .unwrap_err();
    assert_eq!(err.code(), Some("InvalidParameterValueException"));
    let msg = err.message().unwrap_or_default();
    assert!(
        msg.starts_with("Error occurred while GetObject. S3 Error Code: "),
        "{msg}"
    );
}

#[tokio::test]
async fn publish_layer_version_from_s3() {
    let moto = Moto::start();
    let s3 = moto.s3();
    s3.create_bucket().bucket("layers").send().await.expect("create_bucket");
    let layer = zip(&[("python/helper.py", "VALUE = 42\n")]);
    put(&s3, "layers", "helper.zip", &layer).await;

    let server = Server::start(&["--s3-endpoint", &moto.endpoint]);
    let c = server.client();
    let published = c
        .publish_layer_version()
        .layer_name("helper")
        .content(
            LayerVersionContentInput::builder()
                .s3_bucket("layers")
                .s3_key("helper.zip")
                .build(),
        )
        .compatible_runtimes(Runtime::Python312)
        .send()
        .await
        .expect("publish_layer_version from S3");
    assert_eq!(published.version(), 1);
    let content = published.content().expect("Content");
    assert_eq!(content.code_sha256(), Some(sha256_b64(&layer).as_str()));
    assert_eq!(content.code_size(), layer.len() as i64);
    let location = content.location().expect("Content.Location").to_string();
    assert_eq!(
        http_get(&location).await,
        layer,
        "Content.Location serves the S3 object's bytes"
    );

    let err = c
        .publish_layer_version()
        .layer_name("helper")
        .content(
            LayerVersionContentInput::builder()
                .s3_bucket("layers")
                .s3_key("missing.zip")
                .build(),
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidParameterValueException"));
    assert_eq!(err.message(), Some("Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 Error Message: The specified key does not exist."));
}

#[tokio::test]
async fn missing_key_and_bucket() {
    let moto = Moto::start();
    let s3 = moto.s3();
    s3.create_bucket().bucket("code").send().await.expect("create_bucket");
    let server = Server::start(&["--s3-endpoint", &moto.endpoint]);
    let c = server.client();

    let err = create_from_s3(&c, "no-key", s3_code("code", "missing.zip", None))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidParameterValueException"));
    assert_eq!(err.message(), Some("Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 Error Message: The specified key does not exist."));

    let err = create_from_s3(&c, "no-bucket", s3_code("no-such-bucket", "code.zip", None))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidParameterValueException"));
    assert_eq!(err.message(), Some("Error occurred while GetObject. S3 Error Code: NoSuchBucket. S3 Error Message: The specified bucket does not exist"));

    // Nothing was created by the failed requests.
    let err = c.get_function().function_name("no-key").send().await.unwrap_err();
    assert_eq!(err.code(), Some("ResourceNotFoundException"));

    // An S3 object that is not a zip is refused like a bad ZipFile.
    put(&s3, "code", "not-a-zip.zip", b"plain text").await;
    let err = create_from_s3(&c, "not-zip", s3_code("code", "not-a-zip.zip", None))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidParameterValueException"));
}

#[tokio::test]
async fn no_endpoint_or_unreachable_endpoint() {
    // An empty flag wins over AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL: no endpoint at all.
    let server = Server::start(&["--s3-endpoint", ""]);
    let c = server.client();
    let err = create_from_s3(&c, "f", s3_code("code", "code.zip", None))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidParameterValueException"));
    let msg = err.message().unwrap_or_default();
    assert!(
        msg.starts_with("Error occurred while GetObject. S3 Error Code: "),
        "{msg}"
    );
    assert!(
        msg.contains("--s3-endpoint") && msg.contains("AWS_ENDPOINT_URL_S3"),
        "{msg}"
    );

    // A port nothing listens on.
    let closed = format!("http://127.0.0.1:{}", free_port());
    let server = Server::start(&["--s3-endpoint", &closed]);
    let c = server.client();
    let started = Instant::now();
    let err = create_from_s3(&c, "f", s3_code("code", "code.zip", None))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidParameterValueException"));
    let msg = err.message().unwrap_or_default();
    assert!(msg.contains("--s3-endpoint") && msg.contains(&closed), "{msg}");
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "an unreachable endpoint fails fast"
    );

    // Zip upload still works without S3.
    let created = c
        .create_function()
        .function_name("zip")
        .runtime(Runtime::Python312)
        .role(ROLE)
        .handler("app.handler")
        .code(FunctionCode::builder().zip_file(Blob::new(py_zip("z"))).build())
        .send()
        .await
        .expect("create_function from ZipFile");
    assert_eq!(created.function_name(), Some("zip"));
}
