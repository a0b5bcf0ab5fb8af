//! Event invoke configs through the real `aws-sdk-lambda`: put replaces, update merges, get, list,
//! delete, per qualifier, with destination validation and AWS's not-found message.

mod common;

use aws_sdk_lambda::error::ProvideErrorMetadata;
use aws_sdk_lambda::types::{DestinationConfig, OnFailure, OnSuccess};
use common::*;

const ARN: &str = "arn:aws:lambda:us-east-1:000000000000:function:eic";
const QUEUE: &str = "arn:aws:sqs:us-east-1:000000000000:failures";
const TOPIC: &str = "arn:aws:sns:us-east-1:000000000000:ok";

#[tokio::test]
async fn put_update_get_list_delete() {
    let server = Server::start(&[]);
    let c = server.client();
    create_echo(&c, "eic").await;
    c.publish_version().function_name("eic").send().await.unwrap();

    let dest = DestinationConfig::builder()
        .on_failure(OnFailure::builder().destination(QUEUE).build())
        .build();
    let put = c
        .put_function_event_invoke_config()
        .function_name("eic")
        .maximum_retry_attempts(1)
        .destination_config(dest)
        .send()
        .await
        .unwrap();
    assert_eq!(put.function_arn(), Some(format!("{ARN}:$LATEST").as_str()));
    assert_eq!(put.maximum_retry_attempts(), Some(1));
    assert_eq!(
        put.destination_config()
            .and_then(|d| d.on_failure())
            .and_then(|f| f.destination()),
        Some(QUEUE)
    );
    assert!(put.last_modified().is_some());

    let dest = DestinationConfig::builder()
        .on_success(OnSuccess::builder().destination(TOPIC).build())
        .build();
    let up = c
        .update_function_event_invoke_config()
        .function_name("eic")
        .maximum_event_age_in_seconds(120)
        .destination_config(dest)
        .send()
        .await
        .unwrap();
    assert_eq!(
        up.maximum_retry_attempts(),
        Some(1),
        "update keeps what it does not name"
    );
    assert_eq!(up.maximum_event_age_in_seconds(), Some(120));
    assert_eq!(
        up.destination_config()
            .and_then(|d| d.on_failure())
            .and_then(|f| f.destination()),
        Some(QUEUE)
    );
    assert_eq!(
        up.destination_config()
            .and_then(|d| d.on_success())
            .and_then(|f| f.destination()),
        Some(TOPIC)
    );

    // Put replaces the whole config.
    let put = c
        .put_function_event_invoke_config()
        .function_name("eic")
        .maximum_event_age_in_seconds(60)
        .send()
        .await
        .unwrap();
    assert_eq!(put.maximum_retry_attempts(), None);
    let got = c
        .get_function_event_invoke_config()
        .function_name("eic")
        .send()
        .await
        .unwrap();
    assert_eq!(got.maximum_event_age_in_seconds(), Some(60));
    assert_eq!(
        got.destination_config()
            .and_then(|d| d.on_failure())
            .and_then(|f| f.destination()),
        None
    );

    c.put_function_event_invoke_config()
        .function_name("eic")
        .qualifier("1")
        .maximum_retry_attempts(0)
        .send()
        .await
        .unwrap();
    let list = c
        .list_function_event_invoke_configs()
        .function_name("eic")
        .send()
        .await
        .unwrap();
    let arns: Vec<_> = list
        .function_event_invoke_configs()
        .iter()
        .filter_map(|c| c.function_arn())
        .collect();
    assert_eq!(arns, [format!("{ARN}:$LATEST"), format!("{ARN}:1")]);
    let page = c
        .list_function_event_invoke_configs()
        .function_name("eic")
        .max_items(1)
        .send()
        .await
        .unwrap();
    assert!(page.next_marker().is_some());

    c.delete_function_event_invoke_config()
        .function_name("eic")
        .send()
        .await
        .unwrap();
    let gone = c
        .get_function_event_invoke_config()
        .function_name("eic")
        .send()
        .await
        .unwrap_err();
    assert_eq!(gone.code(), Some("ResourceNotFoundException"));
    assert_eq!(
        gone.message(),
        Some(format!("The function {ARN}:$LATEST doesn't have an EventInvokeConfig").as_str())
    );
    // Deleting the version takes its config along.
    c.delete_function()
        .function_name("eic")
        .qualifier("1")
        .send()
        .await
        .unwrap();
    let list = c
        .list_function_event_invoke_configs()
        .function_name("eic")
        .send()
        .await
        .unwrap();
    assert!(list.function_event_invoke_configs().is_empty());
}

#[tokio::test]
async fn errors() {
    let server = Server::start(&[]);
    let c = server.client();
    create_echo(&c, "eic").await;
    let bad = DestinationConfig::builder()
        .on_success(OnSuccess::builder().destination("arn:aws:s3:::bucket").build())
        .build();
    let e = c
        .put_function_event_invoke_config()
        .function_name("eic")
        .destination_config(bad)
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("InvalidParameterValueException"));
    assert_eq!(
        e.message(),
        Some("The provided destination config DestinationConfig(onSuccess=OnSuccess(destination=arn:aws:s3:::bucket), onFailure=null) is invalid.")
    );
    let itself = DestinationConfig::builder()
        .on_failure(OnFailure::builder().destination(ARN).build())
        .build();
    let e = c
        .put_function_event_invoke_config()
        .function_name("eic")
        .destination_config(itself)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        e.message(),
        Some("You can't specify the function as a destination for itself.")
    );
    let e = c
        .update_function_event_invoke_config()
        .function_name("eic")
        .maximum_retry_attempts(1)
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("ResourceNotFoundException"));
    let e = c
        .put_function_event_invoke_config()
        .function_name("eic")
        .qualifier("nope")
        .maximum_retry_attempts(1)
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("ResourceNotFoundException"));
    let e = c
        .put_function_event_invoke_config()
        .function_name("eic")
        .maximum_retry_attempts(3)
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("ValidationException"));
}
