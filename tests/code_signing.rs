//! Code signing configs through the real `aws-sdk-lambda` against the real binary: create, get,
//! update, list with pagination, attach to functions, list the functions, detach, delete, and
//! their errors.

mod common;

use aws_sdk_lambda::error::ProvideErrorMetadata;
use aws_sdk_lambda::types::{AllowedPublishers, CodeSigningPolicies, CodeSigningPolicy};
use common::*;

const PROFILE: &str = "arn:aws:signer:us-east-1:000000000000:/signing-profiles/MyProfile/abcdef1234";

fn publishers() -> AllowedPublishers {
    AllowedPublishers::builder()
        .signing_profile_version_arns(PROFILE)
        .build()
        .unwrap()
}

#[tokio::test]
async fn configs_lifecycle_and_functions() {
    let server = Server::start(&[]);
    let c = server.client();

    let created = c
        .create_code_signing_config()
        .allowed_publishers(publishers())
        .description("first")
        .send()
        .await
        .unwrap();
    let cfg = created.code_signing_config().unwrap();
    let id = cfg.code_signing_config_id();
    assert!(id.starts_with("csc-") && id.len() == 21, "{id}");
    assert!(id[4..]
        .chars()
        .all(|ch| ch.is_ascii_hexdigit() && !ch.is_ascii_uppercase()));
    let arn = cfg.code_signing_config_arn().to_string();
    assert_eq!(
        arn,
        format!("arn:aws:lambda:us-east-1:000000000000:code-signing-config:{id}")
    );
    assert_eq!(
        cfg.code_signing_policies().unwrap().untrusted_artifact_on_deployment(),
        Some(&CodeSigningPolicy::Warn)
    );
    assert_eq!(
        cfg.allowed_publishers().unwrap().signing_profile_version_arns(),
        [PROFILE]
    );
    assert_eq!(cfg.description(), Some("first"));
    assert!(cfg.last_modified().starts_with("20"));

    let got = c
        .get_code_signing_config()
        .code_signing_config_arn(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(got.code_signing_config().unwrap().code_signing_config_id(), id);

    let updated = c
        .update_code_signing_config()
        .code_signing_config_arn(&arn)
        .description("second")
        .code_signing_policies(
            CodeSigningPolicies::builder()
                .untrusted_artifact_on_deployment(CodeSigningPolicy::Enforce)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let u = updated.code_signing_config().unwrap();
    assert_eq!(u.description(), Some("second"));
    assert_eq!(
        u.code_signing_policies().unwrap().untrusted_artifact_on_deployment(),
        Some(&CodeSigningPolicy::Enforce)
    );

    // Two more, listed two at a time.
    for _ in 0..2 {
        c.create_code_signing_config()
            .allowed_publishers(publishers())
            .send()
            .await
            .unwrap();
    }
    let p1 = c.list_code_signing_configs().max_items(2).send().await.unwrap();
    assert_eq!(p1.code_signing_configs().len(), 2);
    let p2 = c
        .list_code_signing_configs()
        .max_items(2)
        .marker(p1.next_marker().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(p2.code_signing_configs().len(), 1);
    assert!(p2.next_marker().is_none());

    // A function without a config answers an empty ARN.
    create_echo(&c, "signed").await;
    let none = c
        .get_function_code_signing_config()
        .function_name("signed")
        .send()
        .await
        .unwrap();
    assert_eq!(none.code_signing_config_arn(), "");
    assert_eq!(none.function_name(), "signed");

    let put = c
        .put_function_code_signing_config()
        .function_name("signed")
        .code_signing_config_arn(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(put.code_signing_config_arn(), arn);
    assert_eq!(put.function_name(), "signed");
    let got = c
        .get_function_code_signing_config()
        .function_name("signed")
        .send()
        .await
        .unwrap();
    assert_eq!(got.code_signing_config_arn(), arn);
    let fns = c
        .list_functions_by_code_signing_config()
        .code_signing_config_arn(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(
        fns.function_arns(),
        ["arn:aws:lambda:us-east-1:000000000000:function:signed"]
    );

    // In use: cannot be deleted.
    let in_use = c
        .delete_code_signing_config()
        .code_signing_config_arn(&arn)
        .send()
        .await
        .unwrap_err();
    assert_eq!(in_use.code(), Some("ResourceConflictException"));
    assert_eq!(in_use.raw_response().map(|r| r.status().as_u16()), Some(409));

    c.delete_function_code_signing_config()
        .function_name("signed")
        .send()
        .await
        .unwrap();
    let fns = c
        .list_functions_by_code_signing_config()
        .code_signing_config_arn(&arn)
        .send()
        .await
        .unwrap();
    assert!(fns.function_arns().is_empty());
    c.delete_code_signing_config()
        .code_signing_config_arn(&arn)
        .send()
        .await
        .unwrap();
    let gone = c
        .get_code_signing_config()
        .code_signing_config_arn(&arn)
        .send()
        .await
        .unwrap_err();
    assert_eq!(gone.code(), Some("CodeSigningConfigNotFoundException"));
    assert_eq!(
        gone.message(),
        Some(format!("The Lambda code signing configuration {arn} can not be found.").as_str())
    );
}

#[tokio::test]
async fn function_config_errors() {
    let server = Server::start(&[]);
    let c = server.client();
    let missing = "arn:aws:lambda:us-east-1:000000000000:code-signing-config:csc-0123456789abcdef0";
    create_echo(&c, "f").await;

    let e = c
        .put_function_code_signing_config()
        .function_name("f")
        .code_signing_config_arn(missing)
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("CodeSigningConfigNotFoundException"));
    assert_eq!(
        e.message(),
        Some(format!("The code signing configuration cannot be found. Check that the provided configuration is not deleted: {missing}.").as_str())
    );
    let created = c
        .create_code_signing_config()
        .allowed_publishers(publishers())
        .send()
        .await
        .unwrap();
    let arn = created
        .code_signing_config()
        .unwrap()
        .code_signing_config_arn()
        .to_string();
    let e = c
        .put_function_code_signing_config()
        .function_name("nope")
        .code_signing_config_arn(&arn)
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("ResourceNotFoundException"));
    assert_eq!(
        e.message(),
        Some("Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope")
    );
    let e = c
        .get_function_code_signing_config()
        .function_name("nope")
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("ResourceNotFoundException"));
    let e = c
        .list_functions_by_code_signing_config()
        .code_signing_config_arn(missing)
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("CodeSigningConfigNotFoundException"));
    let e = c
        .update_code_signing_config()
        .code_signing_config_arn(missing)
        .description("x")
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("CodeSigningConfigNotFoundException"));
    let e = c
        .delete_code_signing_config()
        .code_signing_config_arn(missing)
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("CodeSigningConfigNotFoundException"));

    // Deleting the function releases its config.
    c.put_function_code_signing_config()
        .function_name("f")
        .code_signing_config_arn(&arn)
        .send()
        .await
        .unwrap();
    c.delete_function().function_name("f").send().await.unwrap();
    c.delete_code_signing_config()
        .code_signing_config_arn(&arn)
        .send()
        .await
        .unwrap();
}
