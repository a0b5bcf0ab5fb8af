//! Capacity providers (Lambda Managed Instances) and function scaling configs through the real
//! `aws-sdk-lambda` against the real binary.

mod common;

use aws_sdk_lambda::error::ProvideErrorMetadata;
use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{
    CapacityProviderConfig, CapacityProviderPermissionsConfig, CapacityProviderScalingConfig,
    CapacityProviderScalingMode, CapacityProviderState, CapacityProviderVpcConfig, FunctionCode, FunctionScalingConfig,
    LambdaManagedInstancesCapacityProviderConfig, Runtime, State,
};
use common::*;
use std::time::Duration;

const OPERATOR: &str = "arn:aws:iam::000000000000:role/operator";

async fn create(
    c: &aws_sdk_lambda::Client,
    name: &str,
) -> aws_sdk_lambda::operation::create_capacity_provider::CreateCapacityProviderOutput {
    c.create_capacity_provider()
        .capacity_provider_name(name)
        .vpc_config(
            CapacityProviderVpcConfig::builder()
                .subnet_ids("subnet-1")
                .security_group_ids("sg-1")
                .build()
                .unwrap(),
        )
        .permissions_config(
            CapacityProviderPermissionsConfig::builder()
                .capacity_provider_operator_role_arn(OPERATOR)
                .build()
                .unwrap(),
        )
        .tags("team", "a")
        .send()
        .await
        .unwrap()
}

async fn wait_state(c: &aws_sdk_lambda::Client, name: &str, want: CapacityProviderState) {
    eventually(&format!("{name} is {want:?}"), Duration::from_secs(5), || async {
        let p = c
            .get_capacity_provider()
            .capacity_provider_name(name)
            .send()
            .await
            .unwrap();
        let state = p.capacity_provider().unwrap().state();
        if state == &want {
            Ok(())
        } else {
            Err(format!("{state:?}"))
        }
    })
    .await
}

#[tokio::test]
async fn providers_lifecycle() {
    let server = Server::start(&[]);
    let c = server.client();
    let created = create(&c, "cp-a").await;
    let p = created.capacity_provider().unwrap();
    assert_eq!(
        p.capacity_provider_arn(),
        "arn:aws:lambda:us-east-1:000000000000:capacity-provider:cp-a"
    );
    assert_eq!(p.state(), &CapacityProviderState::Pending);
    assert_eq!(p.vpc_config().unwrap().subnet_ids(), ["subnet-1"]);
    assert_eq!(
        p.permissions_config().unwrap().capacity_provider_operator_role_arn(),
        OPERATOR
    );
    wait_state(&c, "cp-a", CapacityProviderState::Active).await;

    let dup = c
        .create_capacity_provider()
        .capacity_provider_name("cp-a")
        .vpc_config(
            CapacityProviderVpcConfig::builder()
                .subnet_ids("subnet-1")
                .set_security_group_ids(Some(vec![]))
                .build()
                .unwrap(),
        )
        .permissions_config(
            CapacityProviderPermissionsConfig::builder()
                .capacity_provider_operator_role_arn(OPERATOR)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(dup.code(), Some("ResourceConflictException"));
    assert_eq!(dup.message(), Some("Capacity provider already exists: cp-a"));

    let updated = c
        .update_capacity_provider()
        .capacity_provider_name("arn:aws:lambda:us-east-1:000000000000:capacity-provider:cp-a")
        .capacity_provider_scaling_config(
            CapacityProviderScalingConfig::builder()
                .max_v_cpu_count(64)
                .scaling_mode(CapacityProviderScalingMode::Auto)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let sc = updated
        .capacity_provider()
        .unwrap()
        .capacity_provider_scaling_config()
        .unwrap();
    assert_eq!(sc.max_v_cpu_count(), Some(64));

    create(&c, "cp-b").await;
    create(&c, "cp-c").await;
    let p1 = c.list_capacity_providers().max_items(2).send().await.unwrap();
    assert_eq!(p1.capacity_providers().len(), 2);
    let p2 = c
        .list_capacity_providers()
        .max_items(2)
        .marker(p1.next_marker().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(p2.capacity_providers().len(), 1);
    assert!(p2.next_marker().is_none());
    wait_state(&c, "cp-c", CapacityProviderState::Active).await;
    let active = c
        .list_capacity_providers()
        .state(CapacityProviderState::Active)
        .send()
        .await
        .unwrap();
    assert_eq!(active.capacity_providers().len(), 3);
    let pending = c
        .list_capacity_providers()
        .state(CapacityProviderState::Pending)
        .send()
        .await
        .unwrap();
    assert!(pending.capacity_providers().is_empty());

    let deleted = c
        .delete_capacity_provider()
        .capacity_provider_name("cp-b")
        .send()
        .await
        .unwrap();
    assert_eq!(
        deleted.capacity_provider().unwrap().state(),
        &CapacityProviderState::Deleting
    );
    let e = eventually("cp-b is removed", Duration::from_secs(5), || async {
        c.get_capacity_provider()
            .capacity_provider_name("cp-b")
            .send()
            .await
            .err()
    })
    .await;
    assert_eq!(e.code(), Some("ResourceNotFoundException"));
    assert_eq!(e.message(), Some("Capacity provider not found: cp-b"));
    let e = c
        .delete_capacity_provider()
        .capacity_provider_name("cp-b")
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("ResourceNotFoundException"));
}

#[tokio::test]
async fn function_versions_and_scaling_configs() {
    let server = Server::start(&[]);
    let c = server.client();
    let arn = create(&c, "cp")
        .await
        .capacity_provider()
        .unwrap()
        .capacity_provider_arn()
        .to_string();
    wait_state(&c, "cp", CapacityProviderState::Active).await;
    c.create_function()
        .function_name("mi")
        .runtime(Runtime::Python312)
        .role(ROLE)
        .handler("app.handler")
        .code(FunctionCode::builder().zip_file(Blob::new(echo_zip())).build())
        .capacity_provider_config(
            CapacityProviderConfig::builder()
                .lambda_managed_instances_capacity_provider_config(
                    LambdaManagedInstancesCapacityProviderConfig::builder()
                        .capacity_provider_arn(&arn)
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    wait_active(&c, "mi").await;
    c.publish_version().function_name("mi").send().await.unwrap();
    create_echo(&c, "plain").await;

    let listed = c
        .list_function_versions_by_capacity_provider()
        .capacity_provider_name("cp")
        .send()
        .await
        .unwrap();
    assert_eq!(listed.capacity_provider_arn(), arn);
    let arns: Vec<&str> = listed.function_versions().iter().map(|v| v.function_arn()).collect();
    assert_eq!(
        arns,
        [
            "arn:aws:lambda:us-east-1:000000000000:function:mi:$LATEST",
            "arn:aws:lambda:us-east-1:000000000000:function:mi:1"
        ]
    );
    assert!(listed.function_versions().iter().all(|v| v.state() == &State::Active));
    let page = c
        .list_function_versions_by_capacity_provider()
        .capacity_provider_name("cp")
        .max_items(1)
        .send()
        .await
        .unwrap();
    assert_eq!(page.function_versions().len(), 1);
    let rest = c
        .list_function_versions_by_capacity_provider()
        .capacity_provider_name("cp")
        .marker(page.next_marker().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(
        rest.function_versions()[0].function_arn(),
        "arn:aws:lambda:us-east-1:000000000000:function:mi:1"
    );

    // Scaling configs of a published version.
    let none = c
        .get_function_scaling_config()
        .function_name("mi")
        .qualifier("1")
        .send()
        .await
        .unwrap();
    assert!(none.requested_function_scaling_config().is_none());
    let put = c
        .put_function_scaling_config()
        .function_name("mi")
        .qualifier("1")
        .function_scaling_config(
            FunctionScalingConfig::builder()
                .min_execution_environments(1)
                .max_execution_environments(5)
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(put.function_state(), Some(&State::Active));
    let got = c
        .get_function_scaling_config()
        .function_name("mi")
        .qualifier("1")
        .send()
        .await
        .unwrap();
    assert_eq!(
        got.function_arn(),
        Some("arn:aws:lambda:us-east-1:000000000000:function:mi:1")
    );
    let req = got.requested_function_scaling_config().unwrap();
    assert_eq!(
        (req.min_execution_environments(), req.max_execution_environments()),
        (Some(1), Some(5))
    );
    assert_eq!(
        got.applied_function_scaling_config(),
        got.requested_function_scaling_config()
    );

    let bad = c
        .put_function_scaling_config()
        .function_name("mi")
        .qualifier("1")
        .function_scaling_config(
            FunctionScalingConfig::builder()
                .min_execution_environments(9)
                .max_execution_environments(2)
                .build(),
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(bad.code(), Some("InvalidParameterValueException"));
    let e = c
        .get_function_scaling_config()
        .function_name("mi")
        .qualifier("9")
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("ResourceNotFoundException"));
    assert_eq!(
        e.message(),
        Some("Function not found: arn:aws:lambda:us-east-1:000000000000:function:mi:9")
    );
    c.publish_version().function_name("plain").send().await.unwrap();
    let e = c
        .get_function_scaling_config()
        .function_name("plain")
        .qualifier("1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("InvalidParameterValueException"));

    // In use by function versions: cannot be deleted until they are gone.
    let e = c
        .delete_capacity_provider()
        .capacity_provider_name("cp")
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("ResourceConflictException"));
    assert_eq!(e.raw_response().map(|r| r.status().as_u16()), Some(409));
    c.delete_function().function_name("mi").send().await.unwrap();
    let listed = c
        .list_function_versions_by_capacity_provider()
        .capacity_provider_name("cp")
        .send()
        .await
        .unwrap();
    assert!(listed.function_versions().is_empty());
    c.delete_capacity_provider()
        .capacity_provider_name("cp")
        .send()
        .await
        .unwrap();
    let e = c
        .list_function_versions_by_capacity_provider()
        .capacity_provider_name("nope")
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("ResourceNotFoundException"));
}
