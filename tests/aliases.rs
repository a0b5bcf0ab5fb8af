//! Aliases through the real `aws-sdk-lambda`: create (with routing), get, list with filter and
//! pagination, update (revision precondition, routing reset), delete, and their AWS errors.

mod common;

use aws_sdk_lambda::error::ProvideErrorMetadata;
use aws_sdk_lambda::types::AliasRoutingConfiguration;
use common::*;

const ARN: &str = "arn:aws:lambda:us-east-1:000000000000:function:al";

async fn publish_two(c: &aws_sdk_lambda::Client) {
    create_echo(c, "al").await;
    c.publish_version().function_name("al").send().await.unwrap();
    c.update_function_configuration()
        .function_name("al")
        .timeout(9)
        .send()
        .await
        .unwrap();
    wait_active(c, "al").await;
    c.publish_version().function_name("al").send().await.unwrap();
}

#[tokio::test]
async fn alias_lifecycle() {
    let server = Server::start(&[]);
    let c = server.client();
    publish_two(&c).await;
    let routing = AliasRoutingConfiguration::builder()
        .additional_version_weights("2", 0.25)
        .build();
    let a = c
        .create_alias()
        .function_name("al")
        .name("live")
        .function_version("1")
        .routing_config(routing)
        .send()
        .await
        .unwrap();
    assert_eq!(a.alias_arn(), Some(format!("{ARN}:live").as_str()));
    assert_eq!(a.function_version(), Some("1"));
    assert_eq!(a.description(), Some(""));
    assert_eq!(
        a.routing_config()
            .and_then(|r| r.additional_version_weights())
            .and_then(|w| w.get("2")),
        Some(&0.25)
    );
    let rev = a.revision_id().unwrap().to_string();
    c.create_alias()
        .function_name("al")
        .name("dev")
        .function_version("$LATEST")
        .send()
        .await
        .unwrap();

    let got = c.get_alias().function_name(ARN).name("live").send().await.unwrap();
    assert_eq!(got.revision_id(), Some(rev.as_str()));

    let all = c.list_aliases().function_name("al").send().await.unwrap();
    let names: Vec<_> = all.aliases().iter().filter_map(|a| a.name()).collect();
    assert_eq!(names, ["dev", "live"]);
    let only1 = c
        .list_aliases()
        .function_name("al")
        .function_version("1")
        .send()
        .await
        .unwrap();
    assert_eq!(only1.aliases().len(), 1);
    let p1 = c.list_aliases().function_name("al").max_items(1).send().await.unwrap();
    assert_eq!(p1.aliases()[0].name(), Some("dev"));
    let p2 = c
        .list_aliases()
        .function_name("al")
        .marker(p1.next_marker().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(p2.aliases()[0].name(), Some("live"));
    assert!(p2.next_marker().is_none());

    // Stale revision → 412; a new version resets routing.
    let stale = c
        .update_alias()
        .function_name("al")
        .name("live")
        .description("x")
        .revision_id("nope")
        .send()
        .await
        .unwrap_err();
    assert_eq!(stale.code(), Some("PreconditionFailedException"));
    assert_eq!(
        stale.message(),
        Some("The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id")
    );
    let up = c
        .update_alias()
        .function_name("al")
        .name("live")
        .function_version("2")
        .revision_id(&rev)
        .send()
        .await
        .unwrap();
    assert_eq!(up.function_version(), Some("2"));
    assert!(up.routing_config().is_none());
    assert_ne!(up.revision_id(), Some(rev.as_str()));

    c.delete_alias().function_name("al").name("live").send().await.unwrap();
    let gone = c.get_alias().function_name("al").name("live").send().await.unwrap_err();
    assert_eq!(gone.code(), Some("ResourceNotFoundException"));
    assert_eq!(
        gone.message(),
        Some(format!("Cannot find alias arn: {ARN}:live").as_str())
    );
}

#[tokio::test]
async fn alias_errors() {
    let server = Server::start(&[]);
    let c = server.client();
    publish_two(&c).await;
    c.create_alias()
        .function_name("al")
        .name("live")
        .function_version("1")
        .send()
        .await
        .unwrap();
    let dup = c
        .create_alias()
        .function_name("al")
        .name("live")
        .function_version("1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(dup.code(), Some("ResourceConflictException"));
    assert_eq!(
        dup.message(),
        Some(format!("Alias already exists: {ARN}:live").as_str())
    );

    let missing = c
        .create_alias()
        .function_name("al")
        .name("x")
        .function_version("7")
        .send()
        .await
        .unwrap_err();
    assert_eq!(missing.code(), Some("ResourceNotFoundException"));
    assert_eq!(missing.message(), Some(format!("Function not found: {ARN}:7").as_str()));

    let w = |v: &str| {
        AliasRoutingConfiguration::builder()
            .additional_version_weights(v, 0.5)
            .build()
    };
    let latest = c
        .create_alias()
        .function_name("al")
        .name("x")
        .function_version("$LATEST")
        .routing_config(w("1"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        latest.message(),
        Some("$LATEST is not supported for an alias pointing to more than 1 version")
    );
    let same = c
        .create_alias()
        .function_name("al")
        .name("x")
        .function_version("1")
        .routing_config(w("1"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        same.message(),
        Some("Invalid function version 1. Function version 1 is already included in routing configuration.")
    );
    let two = AliasRoutingConfiguration::builder()
        .additional_version_weights("1", 0.1)
        .additional_version_weights("2", 0.1)
        .build();
    let many = c
        .create_alias()
        .function_name("al")
        .name("x")
        .function_version("1")
        .routing_config(two)
        .send()
        .await
        .unwrap_err();
    assert_eq!(many.code(), Some("InvalidParameterValueException"));
    assert_eq!(
        many.message(),
        Some("Number of items in AdditionalVersionWeights cannot be greater than 1")
    );

    // Deleting an alias that does not exist succeeds, as on AWS.
    c.delete_alias()
        .function_name("al")
        .name("nope")
        .send()
        .await
        .expect("idempotent delete");
}
