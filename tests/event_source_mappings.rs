//! Event source mappings through the real `aws-sdk-lambda`: create per source type with defaults
//! and states, get, list with filters and pagination, update, delete, and validation errors.

mod common;

use aws_sdk_lambda::error::ProvideErrorMetadata;
use aws_sdk_lambda::types::{EventSourcePosition, Filter, FilterCriteria, FunctionResponseType};
use common::*;
use std::time::Duration;

const QUEUE: &str = "arn:aws:sqs:us-east-1:000000000000:in";
const STREAM: &str = "arn:aws:kinesis:us-east-1:000000000000:stream/s";
const DDB: &str = "arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/2024-01-01T00:00:00.000";

async fn state_of(c: &aws_sdk_lambda::Client, uuid: &str) -> String {
    c.get_event_source_mapping()
        .uuid(uuid)
        .send()
        .await
        .unwrap()
        .state()
        .unwrap_or("")
        .to_string()
}

/// Waits until the mapping `uuid` settles in `want` (a mapping passes through Creating,
/// Enabling, Disabling... first).
async fn wait_state(c: &aws_sdk_lambda::Client, uuid: &str, want: &str) {
    eventually(
        &format!("mapping {uuid} is {want}"),
        Duration::from_secs(10),
        || async move {
            let state = state_of(c, uuid).await;
            if state == want {
                Ok(())
            } else {
                Err(state)
            }
        },
    )
    .await
}

#[tokio::test]
async fn sqs_mapping_lifecycle() {
    let server = Server::start(&[]);
    let c = server.client();
    create_echo(&c, "esm").await;
    let created = c
        .create_event_source_mapping()
        .function_name("esm")
        .event_source_arn(QUEUE)
        .function_response_types(FunctionResponseType::ReportBatchItemFailures)
        .filter_criteria(
            FilterCriteria::builder()
                .filters(Filter::builder().pattern(r#"{"body":{"a":["b"]}}"#).build())
                .build(),
        )
        .send()
        .await
        .unwrap();
    let uuid = created.uuid().unwrap().to_string();
    assert_eq!(created.state(), Some("Creating"));
    assert_eq!(created.batch_size(), Some(10));
    assert_eq!(created.maximum_batching_window_in_seconds(), Some(0));
    assert_eq!(
        created.function_arn(),
        Some("arn:aws:lambda:us-east-1:000000000000:function:esm")
    );
    assert_eq!(
        created.event_source_mapping_arn(),
        Some(format!("arn:aws:lambda:us-east-1:000000000000:event-source-mapping:{uuid}").as_str())
    );
    assert_eq!(created.state_transition_reason(), Some("USER_INITIATED"));
    assert!(created.last_modified().is_some());
    assert_eq!(uuid::Uuid::parse_str(&uuid).unwrap().get_version_num(), 4);
    wait_state(&c, &uuid, "Enabled").await;

    let dup = c
        .create_event_source_mapping()
        .function_name("esm")
        .event_source_arn(QUEUE)
        .send()
        .await
        .unwrap_err();
    assert_eq!(dup.code(), Some("ResourceConflictException"));
    assert_eq!(
        dup.message(),
        Some(format!("An event source mapping with SQS arn (\" {QUEUE} \") and function (\" esm \") already exists. Please update or delete the existing mapping with UUID {uuid}").as_str())
    );

    let up = c
        .update_event_source_mapping()
        .uuid(&uuid)
        .enabled(false)
        .batch_size(50)
        .maximum_batching_window_in_seconds(5)
        .send()
        .await
        .unwrap();
    assert_eq!(up.state(), Some("Disabling"));
    assert_eq!(up.batch_size(), Some(50));
    wait_state(&c, &uuid, "Disabled").await;
    let bad = c
        .update_event_source_mapping()
        .uuid(&uuid)
        .maximum_batching_window_in_seconds(0)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        bad.message(),
        Some("Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10")
    );

    let del = c.delete_event_source_mapping().uuid(&uuid).send().await.unwrap();
    assert_eq!(del.state(), Some("Deleting"));
    let gone = eventually("the deleted mapping is gone", Duration::from_secs(10), || async {
        match c.get_event_source_mapping().uuid(&uuid).send().await {
            Ok(m) => Err(format!("still there, {:?}", m.state())),
            Err(e) => Ok(e),
        }
    })
    .await;
    assert_eq!(gone.code(), Some("ResourceNotFoundException"));
    assert_eq!(gone.message(), Some("The resource you requested does not exist."));
}

#[tokio::test]
async fn stream_mappings_and_listing() {
    let server = Server::start(&[]);
    let c = server.client();
    create_echo(&c, "esm").await;
    let k = c
        .create_event_source_mapping()
        .function_name("arn:aws:lambda:us-east-1:000000000000:function:esm")
        .event_source_arn(STREAM)
        .starting_position(EventSourcePosition::TrimHorizon)
        .enabled(false)
        .send()
        .await
        .unwrap();
    assert_eq!(k.batch_size(), Some(100));
    assert_eq!(k.maximum_retry_attempts(), Some(-1));
    assert_eq!(k.maximum_record_age_in_seconds(), Some(-1));
    assert_eq!(k.parallelization_factor(), Some(1));
    assert_eq!(k.bisect_batch_on_function_error(), Some(false));
    assert_eq!(k.starting_position(), Some(&EventSourcePosition::TrimHorizon));
    wait_state(&c, k.uuid().unwrap(), "Disabled").await;
    c.create_event_source_mapping()
        .function_name("esm")
        .event_source_arn(DDB)
        .starting_position(EventSourcePosition::Latest)
        .send()
        .await
        .unwrap();
    c.create_event_source_mapping()
        .function_name("esm")
        .event_source_arn(QUEUE)
        .send()
        .await
        .unwrap();

    let all = c
        .list_event_source_mappings()
        .function_name("esm")
        .send()
        .await
        .unwrap();
    assert_eq!(all.event_source_mappings().len(), 3);
    let by_source = c
        .list_event_source_mappings()
        .event_source_arn(STREAM)
        .send()
        .await
        .unwrap();
    assert_eq!(by_source.event_source_mappings().len(), 1);
    let p1 = c.list_event_source_mappings().max_items(2).send().await.unwrap();
    assert_eq!(p1.event_source_mappings().len(), 2);
    let p2 = c
        .list_event_source_mappings()
        .max_items(2)
        .marker(p1.next_marker().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(p2.event_source_mappings().len(), 1);
    assert!(p2.next_marker().is_none());

    let dup = c
        .create_event_source_mapping()
        .function_name("esm")
        .event_source_arn(DDB)
        .starting_position(EventSourcePosition::Latest)
        .send()
        .await
        .unwrap_err();
    assert!(dup.message().unwrap().starts_with(&format!(
        "The event source arn (\" {DDB} \") and function (\" esm \") provided mapping already exists."
    )));
}

#[tokio::test]
async fn validation_errors() {
    let server = Server::start(&[]);
    let c = server.client();
    create_echo(&c, "esm").await;
    let e = c
        .create_event_source_mapping()
        .function_name("esm")
        .event_source_arn(STREAM)
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("InvalidParameterValueException"));
    assert_eq!(e.message(), Some("1 validation error detected: Value null at 'startingPosition' failed to satisfy constraint: Member must not be null."));
    let e = c
        .create_event_source_mapping()
        .function_name("esm")
        .event_source_arn(QUEUE)
        .batch_size(100)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        e.message(),
        Some("Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10")
    );
    let e = c
        .create_event_source_mapping()
        .function_name("esm")
        .event_source_arn(QUEUE)
        .filter_criteria(
            FilterCriteria::builder()
                .filters(Filter::builder().pattern("not json").build())
                .build(),
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.message(), Some("Invalid filter pattern definition."));
    let e = c
        .create_event_source_mapping()
        .function_name("esm")
        .event_source_arn(DDB)
        .starting_position(EventSourcePosition::AtTimestamp)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        e.message(),
        Some(format!("Unsupported starting position for arn type: {DDB}").as_str())
    );
    let e = c
        .create_event_source_mapping()
        .function_name("esm")
        .event_source_arn(STREAM)
        .starting_position(EventSourcePosition::Latest)
        .maximum_record_age_in_seconds(30)
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("InvalidParameterValueException"));
    let e = c
        .create_event_source_mapping()
        .function_name("esm")
        .event_source_arn(QUEUE)
        .parallelization_factor(2)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        e.message(),
        Some("Unsupported ParallelizationFactor parameter for given event source mapping type.")
    );
    let e = c
        .create_event_source_mapping()
        .function_name("nope")
        .event_source_arn(QUEUE)
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.message(), Some("Function does not exist"));
    let e = c
        .create_event_source_mapping()
        .function_name("esm:live")
        .event_source_arn(QUEUE)
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.message(), Some("Function does not exist"));
    let e = c
        .delete_event_source_mapping()
        .uuid("00000000-0000-4000-8000-000000000000")
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("ResourceNotFoundException"));
}
