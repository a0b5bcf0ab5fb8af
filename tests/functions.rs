//! Functions and versions through the real `aws-sdk-lambda` against the real binary: create (zip),
//! read, list with pagination, update code and configuration, publish, delete, and their errors.

mod common;

use aws_sdk_lambda::error::ProvideErrorMetadata;
use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{Environment, FunctionCode, Runtime, State};
use common::*;

#[tokio::test]
async fn create_get_update_publish_delete() {
    let server = Server::start(&[]);
    let c = server.client();
    let created = create_echo(&c, "fn-a").await;
    assert_eq!(created.state(), Some(&State::Pending));
    assert_eq!(created.version(), Some("$LATEST"));
    assert_eq!(
        created.function_arn(),
        Some("arn:aws:lambda:us-east-1:000000000000:function:fn-a")
    );
    assert_eq!(created.timeout(), Some(3));
    assert_eq!(created.memory_size(), Some(128));
    let sha = created.code_sha256().expect("sha").to_string();

    let got = c.get_function().function_name("fn-a").send().await.unwrap();
    assert_eq!(got.configuration().and_then(|c| c.state()), Some(&State::Active));
    let url = got
        .code()
        .and_then(|c| c.location())
        .expect("code location")
        .to_string();
    let downloaded = http_get(&url).await;
    assert_eq!(downloaded, echo_zip(), "Code.Location serves the exact zip");

    // Publishing twice without a change gives the same version.
    let v1 = c.publish_version().function_name("fn-a").send().await.unwrap();
    assert_eq!(v1.version(), Some("1"));
    let again = c.publish_version().function_name("fn-a").send().await.unwrap();
    assert_eq!(again.version(), Some("1"));
    let wrong_sha = c
        .publish_version()
        .function_name("fn-a")
        .code_sha256("nope")
        .send()
        .await
        .unwrap_err();
    assert_eq!(wrong_sha.code(), Some("InvalidParameterValueException"));

    let updated = c
        .update_function_configuration()
        .function_name("fn-a")
        .timeout(30)
        .environment(Environment::builder().variables("GREETING", "hi").build())
        .send()
        .await
        .unwrap();
    assert_eq!(updated.timeout(), Some(30));
    assert_ne!(updated.revision_id(), v1.revision_id());
    wait_active(&c, "fn-a").await;
    let new_code = zip(&[("app.py", "def handler(e, c):\n    return 2\n")]);
    let code = c
        .update_function_code()
        .function_name("fn-a")
        .zip_file(Blob::new(new_code))
        .publish(true)
        .send()
        .await
        .unwrap();
    assert_eq!(code.version(), Some("2"));
    assert_ne!(code.code_sha256(), Some(sha.as_str()));
    wait_active(&c, "fn-a").await;

    let v1_config = c
        .get_function_configuration()
        .function_name("fn-a")
        .qualifier("1")
        .send()
        .await
        .unwrap();
    assert_eq!(v1_config.timeout(), Some(3), "a version keeps its configuration");
    let versions = c
        .list_versions_by_function()
        .function_name("fn-a")
        .send()
        .await
        .unwrap();
    let names: Vec<_> = versions.versions().iter().filter_map(|v| v.version()).collect();
    assert_eq!(names, ["$LATEST", "1", "2"]);

    c.delete_function()
        .function_name("fn-a")
        .qualifier("1")
        .send()
        .await
        .unwrap();
    c.delete_function().function_name("fn-a").send().await.unwrap();
    let gone = c.get_function().function_name("fn-a").send().await.unwrap_err();
    assert_eq!(gone.code(), Some("ResourceNotFoundException"));
    assert_eq!(
        gone.message(),
        Some("Function not found: arn:aws:lambda:us-east-1:000000000000:function:fn-a")
    );
}

#[tokio::test]
async fn errors_of_create() {
    let server = Server::start(&[]);
    let c = server.client();
    create_echo(&c, "dup").await;
    let dup = c
        .create_function()
        .function_name("dup")
        .runtime(Runtime::Python312)
        .role(ROLE)
        .handler("app.handler")
        .code(FunctionCode::builder().zip_file(Blob::new(echo_zip())).build())
        .send()
        .await
        .unwrap_err();
    assert_eq!(dup.code(), Some("ResourceConflictException"));
    assert_eq!(dup.message(), Some("Function already exist: dup"));

    let bad_zip = c
        .create_function()
        .function_name("badzip")
        .runtime(Runtime::Python312)
        .role(ROLE)
        .handler("app.handler")
        .code(
            FunctionCode::builder()
                .zip_file(Blob::new(b"not a zip".to_vec()))
                .build(),
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(bad_zip.code(), Some("InvalidParameterValueException"));

    let reserved = c
        .create_function()
        .function_name("reserved")
        .runtime(Runtime::Python312)
        .role(ROLE)
        .handler("app.handler")
        .environment(
            Environment::builder()
                .variables("AWS_REGION", "x")
                .variables("AWS_ACCESS_KEY_ID", "y")
                .build(),
        )
        .code(FunctionCode::builder().zip_file(Blob::new(echo_zip())).build())
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        reserved.message(),
        Some("Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: AWS_ACCESS_KEY_ID, AWS_REGION")
    );

    let bad_role = c
        .create_function()
        .function_name("badrole")
        .runtime(Runtime::Python312)
        .role("not-a-role")
        .handler("app.handler")
        .code(FunctionCode::builder().zip_file(Blob::new(echo_zip())).build())
        .send()
        .await
        .unwrap_err();
    assert_eq!(bad_role.code(), Some("ValidationException"));
}

#[tokio::test]
async fn names_qualifiers_and_pagination() {
    let server = Server::start(&[]);
    let c = server.client();
    for i in 0..5 {
        create_echo(&c, &format!("page-{i}")).await;
    }
    let mut seen = Vec::new();
    let mut marker = None;
    loop {
        let page = c
            .list_functions()
            .max_items(2)
            .set_marker(marker.clone())
            .send()
            .await
            .unwrap();
        assert!(page.functions().len() <= 2);
        seen.extend(
            page.functions()
                .iter()
                .filter_map(|f| f.function_name().map(str::to_string)),
        );
        marker = page.next_marker().map(str::to_string);
        if marker.is_none() {
            break;
        }
    }
    assert_eq!(seen, ["page-0", "page-1", "page-2", "page-3", "page-4"]);

    // Every way of naming a function reaches the same one.
    for name in [
        "page-1",
        "page-1:$LATEST",
        "000000000000:function:page-1",
        "arn:aws:lambda:us-east-1:000000000000:function:page-1",
    ] {
        let got = c.get_function_configuration().function_name(name).send().await.unwrap();
        assert_eq!(got.function_name(), Some("page-1"), "{name}");
    }
    let twice = c
        .get_function_configuration()
        .function_name("page-1:1")
        .qualifier("2")
        .send()
        .await
        .unwrap_err();
    assert_eq!(twice.code(), Some("InvalidParameterValueException"));
    let missing_version = c
        .get_function_configuration()
        .function_name("page-1")
        .qualifier("7")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        missing_version.message(),
        Some("Function not found: arn:aws:lambda:us-east-1:000000000000:function:page-1:7")
    );

    // The region comes from the request's credential scope.
    let west = server.client_in("eu-west-1");
    let created = create_echo(&west, "in-west").await;
    assert_eq!(
        created.function_arn(),
        Some("arn:aws:lambda:eu-west-1:000000000000:function:in-west")
    );
}

#[tokio::test]
async fn error_paths_of_reads_updates_and_deletes() {
    let server = Server::start(&[]);
    let c = server.client();
    create_echo(&c, "err").await;

    let bad_marker = c.list_functions().marker("%%%").send().await.unwrap_err();
    assert_eq!(bad_marker.code(), Some("InvalidParameterValueException"));

    let missing = c
        .update_function_code()
        .function_name("nope")
        .zip_file(Blob::new(echo_zip()))
        .send()
        .await
        .unwrap_err();
    assert_eq!(missing.code(), Some("ResourceNotFoundException"));
    assert_eq!(
        missing.message(),
        Some("Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope")
    );

    let stale = c
        .update_function_configuration()
        .function_name("err")
        .revision_id("stale")
        .timeout(5)
        .send()
        .await
        .unwrap_err();
    assert_eq!(stale.code(), Some("PreconditionFailedException"));
    assert_eq!(
        stale.message(),
        Some("The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id")
    );

    // An update in progress refuses the next one, with AWS's message.
    c.update_function_configuration()
        .function_name("err")
        .timeout(5)
        .send()
        .await
        .unwrap();
    let busy = c
        .update_function_configuration()
        .function_name("err")
        .timeout(6)
        .send()
        .await
        .unwrap_err();
    assert_eq!(busy.code(), Some("ResourceConflictException"));
    assert_eq!(
        busy.message(),
        Some("The operation cannot be performed at this time. An update is in progress for resource: arn:aws:lambda:us-east-1:000000000000:function:err")
    );
    wait_active(&c, "err").await;

    let too_much_memory = c
        .update_function_configuration()
        .function_name("err")
        .memory_size(20000)
        .send()
        .await
        .unwrap_err();
    assert_eq!(too_much_memory.code(), Some("InvalidParameterValueException"));

    let deprecated = c
        .update_function_configuration()
        .function_name("err")
        .runtime(Runtime::Python27)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        deprecated.message(),
        Some("The runtime parameter of python2.7 is no longer supported for creating or updating AWS Lambda functions. We recommend you use a supported runtime while creating or updating functions.")
    );

    let versions = c
        .list_versions_by_function()
        .function_name("nope")
        .send()
        .await
        .unwrap_err();
    assert_eq!(versions.code(), Some("ResourceNotFoundException"));

    let latest = c
        .delete_function()
        .function_name("err")
        .qualifier("$LATEST")
        .send()
        .await
        .unwrap_err();
    assert_eq!(latest.code(), Some("InvalidParameterValueException"));
    assert_eq!(
        latest.message(),
        Some("$LATEST version cannot be deleted without deleting the function.")
    );

    let image_code = c
        .update_function_code()
        .function_name("err")
        .image_uri("repo/img:1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(image_code.code(), Some("InvalidParameterValueException"));

    let v = c.publish_version().function_name("err").send().await.unwrap();
    let stale_publish = c
        .publish_version()
        .function_name("err")
        .revision_id("stale")
        .send()
        .await
        .unwrap_err();
    assert_eq!(stale_publish.code(), Some("PreconditionFailedException"));
    assert_eq!(v.version(), Some("1"));
}
