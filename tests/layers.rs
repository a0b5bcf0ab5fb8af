//! Layers against the real binary: publishing, reading, listing with filters and pagination,
//! downloading the content, version permissions, deletion, and functions using layers.

mod common;

use aws_sdk_lambda::error::ProvideErrorMetadata;
use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{Architecture, FunctionCode, LayerVersionContentInput, Runtime};
use base64::Engine;
use common::http_get;
use common::{zip, Server, ROLE};
use sha2::Digest;

const ACCOUNT: &str = "000000000000";

fn arn(name: &str, version: i64) -> String {
    format!("arn:aws:lambda:us-east-1:{ACCOUNT}:layer:{name}:{version}")
}

/// `(code, message, status)` of a failed call.
fn failure<E: ProvideErrorMetadata, R: std::fmt::Debug>(
    r: Result<R, aws_sdk_lambda::error::SdkError<E>>,
) -> (String, String, u16) {
    let e = r.expect_err("the call should fail");
    let status = e.raw_response().map(|r| r.status().as_u16()).unwrap_or(0);
    (
        e.code().unwrap_or("").to_string(),
        e.message().unwrap_or("").to_string(),
        status,
    )
}

async fn publish(
    client: &aws_sdk_lambda::Client,
    name: &str,
    bytes: Vec<u8>,
    runtimes: &[Runtime],
    archs: &[Architecture],
) -> aws_sdk_lambda::operation::publish_layer_version::PublishLayerVersionOutput {
    let mut req = client
        .publish_layer_version()
        .layer_name(name)
        .content(LayerVersionContentInput::builder().zip_file(Blob::new(bytes)).build());
    for r in runtimes {
        req = req.compatible_runtimes(r.clone());
    }
    for a in archs {
        req = req.compatible_architectures(a.clone());
    }
    req.send().await.expect("publish_layer_version")
}

#[tokio::test]
async fn layers_end_to_end() {
    let server = Server::start(&[]);
    let client = server.client();

    // Publish with every attribute, and check what comes back.
    let bytes1 = zip(&[("python/helper.py", "X = 1\n")]);
    let v1 = client
        .publish_layer_version()
        .layer_name("shared")
        .description("helpers")
        .license_info("MIT")
        .compatible_runtimes(Runtime::Python312)
        .compatible_runtimes(Runtime::Nodejs20x)
        .compatible_architectures(Architecture::X8664)
        .content(
            LayerVersionContentInput::builder()
                .zip_file(Blob::new(bytes1.clone()))
                .build(),
        )
        .send()
        .await
        .expect("publish v1");
    assert_eq!(v1.version(), 1);
    assert_eq!(
        v1.layer_arn(),
        Some(format!("arn:aws:lambda:us-east-1:{ACCOUNT}:layer:shared").as_str())
    );
    assert_eq!(v1.layer_version_arn(), Some(arn("shared", 1).as_str()));
    assert_eq!(v1.description(), Some("helpers"));
    assert_eq!(v1.license_info(), Some("MIT"));
    assert_eq!(v1.compatible_runtimes(), &[Runtime::Python312, Runtime::Nodejs20x]);
    assert_eq!(v1.compatible_architectures(), &[Architecture::X8664]);
    let created = v1.created_date().expect("created date");
    assert_eq!(created.len(), "2018-11-27T15:10:45.123+0000".len(), "{created}");
    assert!(
        created.ends_with("+0000") && created.as_bytes()[10] == b'T',
        "{created}"
    );
    let content = v1.content().expect("content");
    let sha = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(&bytes1));
    assert_eq!(content.code_sha256(), Some(sha.as_str()));
    assert_eq!(content.code_size(), bytes1.len() as i64);
    assert_eq!(http_get(content.location().expect("location")).await, bytes1);

    // More versions and another layer.
    let bytes2 = zip(&[("python/helper.py", "X = 2\n")]);
    let v2 = publish(
        &client,
        "shared",
        bytes2.clone(),
        &[Runtime::Python312],
        &[Architecture::Arm64],
    )
    .await;
    assert_eq!(v2.version(), 2);
    let other = publish(
        &client,
        &format!("arn:aws:lambda:us-east-1:{ACCOUNT}:layer:other"),
        zip(&[("nodejs/x.js", "1")]),
        &[Runtime::Nodejs20x],
        &[],
    )
    .await;
    assert_eq!(other.layer_version_arn(), Some(arn("other", 1).as_str()));

    // Get, by name and by ARN.
    let g = client
        .get_layer_version()
        .layer_name("shared")
        .version_number(1)
        .send()
        .await
        .expect("get v1");
    assert_eq!(g.layer_version_arn(), Some(arn("shared", 1).as_str()));
    assert_eq!(g.content().and_then(|c| c.code_sha256()), Some(sha.as_str()));
    assert_eq!(g.created_date(), Some(created));
    let g2 = client
        .get_layer_version_by_arn()
        .arn(arn("shared", 2))
        .send()
        .await
        .expect("get by arn");
    assert_eq!(g2.version(), 2);
    assert_eq!(
        http_get(g2.content().and_then(|c| c.location()).expect("location")).await,
        bytes2
    );
    let (code, msg, status) = failure(
        client
            .get_layer_version()
            .layer_name("shared")
            .version_number(7)
            .send()
            .await,
    );
    assert_eq!(
        (code.as_str(), msg.as_str(), status),
        (
            "ResourceNotFoundException",
            "The resource you requested does not exist.",
            404
        )
    );
    let (code, msg, status) = failure(client.get_layer_version_by_arn().arn(arn("nosuch", 1)).send().await);
    assert_eq!(
        (code.as_str(), msg.as_str(), status),
        (
            "ResourceNotFoundException",
            "The resource you requested does not exist.",
            404
        )
    );
    let (code, _, status) = failure(
        client
            .get_layer_version_by_arn()
            .arn(format!("arn:aws:lambda:us-east-1:{ACCOUNT}:layer:shared"))
            .send()
            .await,
    );
    assert_eq!((code.as_str(), status), ("ValidationException", 400));
    let (code, msg, status) = failure(
        client
            .get_layer_version()
            .layer_name("shared")
            .version_number(0)
            .send()
            .await,
    );
    assert_eq!(
        (code.as_str(), msg.as_str(), status),
        (
            "InvalidParameterValueException",
            "Layer Version Cannot be less than 1",
            400
        )
    );
    let (code, msg, _) = failure(
        client
            .publish_layer_version()
            .layer_name("bad")
            .content(
                LayerVersionContentInput::builder()
                    .zip_file(Blob::new(b"not a zip".to_vec()))
                    .build(),
            )
            .send()
            .await,
    );
    assert_eq!(code, "InvalidParameterValueException");
    assert_eq!(
        msg,
        "Could not unzip uploaded file. Please check your file, then try to upload again."
    );

    // ListLayerVersions: newest first, filters, pagination.
    let versions = |out: &aws_sdk_lambda::operation::list_layer_versions::ListLayerVersionsOutput| {
        out.layer_versions().iter().map(|v| v.version()).collect::<Vec<_>>()
    };
    let all = client
        .list_layer_versions()
        .layer_name("shared")
        .send()
        .await
        .expect("list versions");
    assert_eq!(versions(&all), [2, 1]);
    assert_eq!(all.layer_versions()[1].description(), Some("helpers"));
    assert_eq!(all.layer_versions()[1].license_info(), Some("MIT"));
    let x86 = client
        .list_layer_versions()
        .layer_name("shared")
        .compatible_architecture(Architecture::X8664)
        .send()
        .await
        .expect("list x86");
    assert_eq!(versions(&x86), [1]);
    let node = client
        .list_layer_versions()
        .layer_name("shared")
        .compatible_runtime(Runtime::Nodejs20x)
        .send()
        .await
        .expect("list node");
    assert_eq!(versions(&node), [1]);
    let p1 = client
        .list_layer_versions()
        .layer_name("shared")
        .max_items(1)
        .send()
        .await
        .expect("page 1");
    assert_eq!(versions(&p1), [2]);
    let p2 = client
        .list_layer_versions()
        .layer_name("shared")
        .max_items(1)
        .marker(p1.next_marker().expect("marker"))
        .send()
        .await
        .expect("page 2");
    assert_eq!(versions(&p2), [1]);
    assert!(p2.next_marker().is_none());
    let none = client
        .list_layer_versions()
        .layer_name("nosuch")
        .send()
        .await
        .expect("list missing layer");
    assert!(none.layer_versions().is_empty());

    // ListLayers: the latest matching version of each layer.
    let summary = |out: &aws_sdk_lambda::operation::list_layers::ListLayersOutput| {
        out.layers()
            .iter()
            .map(|l| {
                (
                    l.layer_name().unwrap_or("").to_string(),
                    l.latest_matching_version().map(|v| v.version()).unwrap_or(0),
                )
            })
            .collect::<Vec<_>>()
    };
    let layers = client.list_layers().send().await.expect("list layers");
    assert_eq!(summary(&layers), [("other".to_string(), 1), ("shared".to_string(), 2)]);
    assert_eq!(
        layers.layers()[1].layer_arn(),
        Some(format!("arn:aws:lambda:us-east-1:{ACCOUNT}:layer:shared").as_str())
    );
    let node = client
        .list_layers()
        .compatible_runtime(Runtime::Nodejs20x)
        .send()
        .await
        .expect("list node layers");
    assert_eq!(summary(&node), [("other".to_string(), 1), ("shared".to_string(), 1)]);
    let arm = client
        .list_layers()
        .compatible_architecture(Architecture::Arm64)
        .send()
        .await
        .expect("list arm layers");
    assert_eq!(summary(&arm), [("shared".to_string(), 2)]);
    let l1 = client.list_layers().max_items(1).send().await.expect("layers page 1");
    assert_eq!(summary(&l1), [("other".to_string(), 1)]);
    let l2 = client
        .list_layers()
        .max_items(1)
        .marker(l1.next_marker().expect("marker"))
        .send()
        .await
        .expect("layers page 2");
    assert_eq!(summary(&l2), [("shared".to_string(), 2)]);
    assert!(l2.next_marker().is_none());

    // Functions using layers.
    let f = client
        .create_function()
        .function_name("with-layers")
        .runtime(Runtime::Python312)
        .role(ROLE)
        .handler("app.handler")
        .code(FunctionCode::builder().zip_file(Blob::new(common::echo_zip())).build())
        .layers(arn("shared", 1))
        .layers(arn("other", 1))
        .send()
        .await
        .expect("create with layers");
    let used: Vec<(String, i64)> = f
        .layers()
        .iter()
        .map(|l| (l.arn().unwrap_or("").to_string(), l.code_size()))
        .collect();
    assert_eq!(
        used,
        [
            (arn("shared", 1), bytes1.len() as i64),
            (arn("other", 1), other.content().map(|c| c.code_size()).unwrap_or(-1))
        ]
    );
    common::wait_active(&client, "with-layers").await;
    let got = client
        .get_function_configuration()
        .function_name("with-layers")
        .send()
        .await
        .expect("get config");
    assert_eq!(got.layers().len(), 2);
    let up = client
        .update_function_configuration()
        .function_name("with-layers")
        .layers(arn("shared", 2))
        .send()
        .await
        .expect("update layers");
    assert_eq!(
        up.layers().iter().map(|l| l.arn().unwrap_or("")).collect::<Vec<_>>(),
        [arn("shared", 2)]
    );
    common::wait_active(&client, "with-layers").await;

    let create_with = |layers: Vec<String>| {
        client
            .create_function()
            .function_name("bad-layers")
            .runtime(Runtime::Python312)
            .role(ROLE)
            .handler("app.handler")
            .code(FunctionCode::builder().zip_file(Blob::new(common::echo_zip())).build())
            .set_layers(Some(layers))
            .send()
    };
    let (code, msg, status) = failure(create_with(vec![arn("shared", 9)]).await);
    assert_eq!(code, "InvalidParameterValueException");
    assert_eq!(status, 400);
    assert_eq!(msg, format!("Layer version {} does not exist.", arn("shared", 9)));
    let (_, msg, _) = failure(create_with((1..=6).map(|i| arn(&format!("l{i}"), 1)).collect()).await);
    assert_eq!(msg, "Cannot reference more than 5 layers.");
    let (_, msg, _) = failure(create_with(vec![arn("shared", 1), arn("shared", 2)]).await);
    assert_eq!(
        msg,
        format!("Two different versions of the same layer are not allowed to be referenced in the same function. {} and {} are versions of the same layer.", arn("shared", 1), arn("shared", 2))
    );

    // Layer version permissions.
    let add = client
        .add_layer_version_permission()
        .layer_name("shared")
        .version_number(1)
        .statement_id("xaccount")
        .action("lambda:GetLayerVersion")
        .principal("210987654321")
        .send()
        .await
        .expect("add layer permission");
    let stmt = format!(
        r#"{{"Sid":"xaccount","Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::210987654321:root"}},"Action":"lambda:GetLayerVersion","Resource":"{}"}}"#,
        arn("shared", 1)
    );
    assert_eq!(add.statement(), Some(stmt.as_str()));
    let rev1 = add.revision_id().expect("revision").to_string();
    let (code, msg, status) = failure(
        client
            .add_layer_version_permission()
            .layer_name("shared")
            .version_number(1)
            .statement_id("xaccount")
            .action("lambda:GetLayerVersion")
            .principal("*")
            .send()
            .await,
    );
    assert_eq!(
        (code.as_str(), msg.as_str(), status),
        ("ResourceConflictException", "The statement id (xaccount) provided already exists. Please provide a new statement id, or remove the existing statement.", 409)
    );
    let (code, _, status) = failure(
        client
            .add_layer_version_permission()
            .layer_name("shared")
            .version_number(1)
            .statement_id("org")
            .action("lambda:GetLayerVersion")
            .principal("*")
            .revision_id("stale")
            .send()
            .await,
    );
    assert_eq!((code.as_str(), status), ("PreconditionFailedException", 412));
    let org = client
        .add_layer_version_permission()
        .layer_name("shared")
        .version_number(1)
        .statement_id("org")
        .action("lambda:GetLayerVersion")
        .principal("*")
        .organization_id("o-abcdefghij")
        .revision_id(&rev1)
        .send()
        .await
        .expect("add org permission");
    let org_stmt = format!(
        r#"{{"Sid":"org","Effect":"Allow","Principal":"*","Action":"lambda:GetLayerVersion","Resource":"{}","Condition":{{"StringEquals":{{"aws:PrincipalOrgID":"o-abcdefghij"}}}}}}"#,
        arn("shared", 1)
    );
    assert_eq!(org.statement(), Some(org_stmt.as_str()));
    let policy = client
        .get_layer_version_policy()
        .layer_name("shared")
        .version_number(1)
        .send()
        .await
        .expect("get layer policy");
    assert_eq!(
        policy.policy(),
        Some(format!(r#"{{"Version":"2012-10-17","Id":"default","Statement":[{stmt},{org_stmt}]}}"#).as_str())
    );
    assert_eq!(policy.revision_id(), org.revision_id());
    client
        .remove_layer_version_permission()
        .layer_name("shared")
        .version_number(1)
        .statement_id("xaccount")
        .send()
        .await
        .expect("remove layer permission");
    let (code, msg, status) = failure(
        client
            .remove_layer_version_permission()
            .layer_name("shared")
            .version_number(1)
            .statement_id("xaccount")
            .send()
            .await,
    );
    assert_eq!(
        (code.as_str(), msg.as_str(), status),
        (
            "ResourceNotFoundException",
            "Statement xaccount is not found in resource policy.",
            404
        )
    );
    let (code, msg, _) = failure(
        client
            .get_layer_version_policy()
            .layer_name("shared")
            .version_number(2)
            .send()
            .await,
    );
    assert_eq!(
        (code.as_str(), msg.as_str()),
        (
            "ResourceNotFoundException",
            "No policy is associated with the given resource."
        )
    );
    let (code, msg, _) = failure(
        client
            .get_layer_version_policy()
            .layer_name("shared")
            .version_number(5)
            .send()
            .await,
    );
    assert_eq!(
        (code.as_str(), msg),
        (
            "ResourceNotFoundException",
            format!("Layer version {} does not exist.", arn("shared", 5))
        )
    );

    // Deletion is idempotent and numbers are never reused.
    client
        .delete_layer_version()
        .layer_name("shared")
        .version_number(2)
        .send()
        .await
        .expect("delete v2");
    client
        .delete_layer_version()
        .layer_name("shared")
        .version_number(2)
        .send()
        .await
        .expect("delete v2 again");
    let (code, _, _) = failure(
        client
            .get_layer_version()
            .layer_name("shared")
            .version_number(2)
            .send()
            .await,
    );
    assert_eq!(code, "ResourceNotFoundException");
    // The function that used v2 keeps its configuration.
    let kept = client
        .get_function_configuration()
        .function_name("with-layers")
        .send()
        .await
        .expect("config after delete");
    assert_eq!(kept.layers()[0].arn(), Some(arn("shared", 2).as_str()));
    let v3 = publish(&client, "shared", zip(&[("python/helper.py", "X = 3\n")]), &[], &[]).await;
    assert_eq!(v3.version(), 3);
    assert!(v3.compatible_runtimes().is_empty());
    client
        .delete_layer_version()
        .layer_name("other")
        .version_number(1)
        .send()
        .await
        .expect("delete other");
    let layers = client.list_layers().send().await.expect("list after delete");
    assert_eq!(summary(&layers), [("shared".to_string(), 3)]);
}
