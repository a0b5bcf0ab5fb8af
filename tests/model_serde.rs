//! Model values survive a serde_json round trip exactly (the form the on-disk store keeps them in):
//! member names as in the model, enums as their wire values (unknown ones too), timestamps as
//! seconds and nanoseconds, blobs as base64.

use lambda_server::model::*;
use serde::{de::DeserializeOwned, Serialize};
use serde_json::{json, Value};
use smithy_server_runtime::aws_smithy_types::{Blob, DateTime};
use std::collections::HashMap;
use std::fmt::Debug;

/// Writes `v`, reads it back, checks it is equal; answers what was written.
fn round_trip<T: Serialize + DeserializeOwned + PartialEq + Debug>(v: &T) -> Value {
    let text = serde_json::to_string(v).unwrap();
    let back: T = serde_json::from_str(&text).unwrap();
    assert_eq!(&back, v, "{text}");
    serde_json::from_str(&text).unwrap()
}

fn function_configuration() -> FunctionConfiguration {
    FunctionConfiguration {
        function_name: Some("hello".into()),
        function_arn: Some("arn:aws:lambda:us-east-1:123456789012:function:hello".into()),
        runtime: Some(Runtime::Python312),
        role: Some("arn:aws:iam::123456789012:role/r".into()),
        handler: Some("app.handler".into()),
        code_size: 1234,
        description: Some("é \"quoted\" \n".into()),
        timeout: Some(30),
        memory_size: Some(512),
        last_modified: Some("2024-01-02T03:04:05.678+0000".into()),
        code_sha256: Some("abc=".into()),
        version: Some("$LATEST".into()),
        environment: Some(EnvironmentResponse {
            variables: Some(HashMap::from([
                ("A".to_string(), "1".to_string()),
                ("EMPTY".to_string(), String::new()),
            ])),
            error: None,
        }),
        dead_letter_config: Some(DeadLetterConfig {
            target_arn: Some("arn:aws:sqs:us-east-1:123456789012:dlq".into()),
        }),
        tracing_config: Some(TracingConfigResponse {
            mode: Some(TracingMode::PassThrough),
        }),
        layers: Some(vec![
            Layer {
                arn: Some("arn:aws:lambda:us-east-1:123456789012:layer:l:1".into()),
                code_size: 10,
                ..Default::default()
            },
            Layer::default(),
        ]),
        state: Some(State::Active),
        last_update_status: Some(LastUpdateStatus::Successful),
        package_type: Some(PackageType::Zip),
        architectures: Some(vec![Architecture::Arm64, Architecture::Unknown("riscv64".into())]),
        ephemeral_storage: Some(EphemeralStorage { size: 10240 }),
        file_system_configs: Some(vec![FileSystemConfig {
            arn: "arn:aws:elasticfilesystem:us-east-1:123456789012:access-point/fsap-1".into(),
            local_mount_path: "/mnt/efs".into(),
        }]),
        image_config_response: Some(ImageConfigResponse {
            image_config: Some(ImageConfig {
                command: Some(vec!["a".into(), "b".into()]),
                entry_point: Some(vec![]),
                working_directory: None,
            }),
            error: None,
        }),
        logging_config: Some(LoggingConfig {
            log_format: Some(LogFormat::Json),
            application_log_level: Some(ApplicationLogLevel::Debug),
            system_log_level: Some(SystemLogLevel::Warn),
            log_group: Some("/aws/lambda/hello".into()),
        }),
        vpc_config: Some(VpcConfigResponse {
            subnet_ids: Some(vec!["subnet-1".into()]),
            security_group_ids: Some(vec![]),
            vpc_id: Some(String::new()),
            ipv6_allowed_for_dual_stack: Some(false),
        }),
        ..Default::default()
    }
}

#[test]
fn a_function_configuration_round_trips() {
    let v = round_trip(&function_configuration());
    assert_eq!(v["FunctionName"], "hello");
    assert_eq!(v["Runtime"], "python3.12");
    assert_eq!(v["Architectures"], json!(["arm64", "riscv64"]));
    assert_eq!(v["Environment"]["Variables"]["A"], "1");
    assert_eq!(v["TracingConfig"]["Mode"], "PassThrough");
    assert_eq!(v["CodeSize"], 1234);
    // None is left out.
    assert!(v.get("KMSKeyArn").is_none() && v.get("MasterArn").is_none(), "{v}");
}

#[test]
fn an_unknown_enum_value_survives() {
    let f = FunctionConfiguration {
        runtime: Some(Runtime::Unknown("python9.99".into())),
        state: Some(State::Unknown(String::new())),
        ..Default::default()
    };
    let v = round_trip(&f);
    assert_eq!(v["Runtime"], "python9.99");
    assert_eq!(v["State"], "");
    let read: FunctionConfiguration = serde_json::from_value(json!({"Runtime": "nodejs99.x"})).unwrap();
    assert_eq!(read.runtime, Some(Runtime::Unknown("nodejs99.x".into())));
}

#[test]
fn missing_members_read_as_their_defaults_and_unknown_ones_are_ignored() {
    let read: FunctionConfiguration = serde_json::from_value(json!({})).unwrap();
    assert_eq!(read, FunctionConfiguration::default());
    let read: Layer = serde_json::from_value(json!({"Arn": "a", "NotInTheModel": 1})).unwrap();
    assert_eq!(read.arn.as_deref(), Some("a"));
    assert_eq!(read.code_size, 0);
}

#[test]
fn timestamps_keep_their_nanoseconds() {
    let started = DateTime::from_secs_and_nanos(1_700_000_000, 123_456_789);
    let op = Operation {
        id: "op-1".into(),
        name: Some("step".into()),
        r#type: OperationType::Step,
        status: OperationStatus::Succeeded,
        start_timestamp: started,
        end_timestamp: Some(DateTime::from_secs_and_nanos(-5, 1)),
        step_details: Some(StepDetails {
            attempt: 2,
            next_attempt_timestamp: Some(DateTime::from_secs(0)),
            result: Some("{}".into()),
            error: Some(ErrorObject {
                error_type: Some("Boom".into()),
                stack_trace: Some(vec!["at a".into(), "at b".into()]),
                ..Default::default()
            }),
        }),
        parent_id: None,
        sub_type: None,
        callback_details: None,
        chained_invoke_details: None,
        context_details: None,
        execution_details: None,
        wait_details: None,
    };
    let v = round_trip(&op);
    assert_eq!(
        v["StartTimestamp"],
        json!({"seconds": 1_700_000_000, "nanos": 123_456_789})
    );
    assert_eq!(v["EndTimestamp"], json!({"seconds": -5, "nanos": 1}));
    assert_eq!(v["Type"], "STEP");
    assert!(v.get("WaitDetails").is_none());
    // A required timestamp must be there; an optional one may be missing.
    assert!(serde_json::from_value::<Operation>(json!({"Id": "a", "Type": "STEP", "Status": "READY"})).is_err());
    let mut no_end = v.clone();
    no_end.as_object_mut().unwrap().remove("EndTimestamp");
    let read: Operation = serde_json::from_value(no_end).unwrap();
    assert_eq!(read.end_timestamp, None);
    assert_eq!(read.start_timestamp, started);
}

#[test]
fn blobs_are_base64() {
    let code = FunctionCode {
        zip_file: Some(Blob::new(b"PK\x03\x04\x00\xff".to_vec())),
        s3_bucket: Some("b".into()),
        ..Default::default()
    };
    let v = round_trip(&code);
    assert_eq!(v["ZipFile"], "UEsDBAD/");
    round_trip(&FunctionCode::default());
}

#[test]
fn alias_weights_keep_every_bit() {
    // Finite doubles spread over the whole range, each written and read back as itself.
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut weights = HashMap::new();
    while weights.len() < 2000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let f = f64::from_bits(x);
        if f.is_finite() {
            weights.insert(format!("{}", weights.len()), f);
        }
    }
    weights.insert("a".into(), 0.1 + 0.2);
    weights.insert("b".into(), 5e-324);
    let alias = AliasConfiguration {
        name: Some("live".into()),
        function_version: Some("1".into()),
        routing_config: Some(AliasRoutingConfiguration {
            additional_version_weights: Some(weights),
        }),
        ..Default::default()
    };
    round_trip(&alias);
}

#[test]
fn the_event_stream_union_round_trips() {
    for e in [
        InvokeWithResponseStreamResponseEvent::PayloadChunk(InvokeResponseStreamUpdate {
            payload: Some(Blob::new(*b"chunk")),
        }),
        InvokeWithResponseStreamResponseEvent::InvokeComplete(InvokeWithResponseStreamCompleteEvent {
            error_code: Some("Unhandled".into()),
            ..Default::default()
        }),
        InvokeWithResponseStreamResponseEvent::Unknown,
    ] {
        round_trip(&e);
    }
    let v = round_trip(&InvokeWithResponseStreamResponseEvent::PayloadChunk(
        InvokeResponseStreamUpdate {
            payload: Some(Blob::new(*b"hi")),
        },
    ));
    assert_eq!(v, json!({"PayloadChunk": {"Payload": "aGk="}}));
}

#[test]
fn other_stored_shapes_round_trip() {
    round_trip(&EventSourceMappingConfiguration {
        uuid: Some("u".into()),
        batch_size: Some(10),
        last_modified: Some(DateTime::from_secs_and_nanos(1_700_000_000, 500_000_000)),
        starting_position: Some(EventSourcePosition::TrimHorizon),
        starting_position_timestamp: Some(DateTime::from_secs(1)),
        function_response_types: Some(vec![FunctionResponseType::ReportBatchItemFailures]),
        ..Default::default()
    });
    round_trip(&FunctionUrlConfig {
        function_url: "https://x.lambda-url.us-east-1.on.aws/".into(),
        auth_type: FunctionUrlAuthType::AwsIam,
        invoke_mode: Some(InvokeMode::ResponseStream),
        ..Default::default()
    });
    round_trip(&CodeSigningConfig {
        code_signing_config_id: "csc-1".into(),
        code_signing_policies: CodeSigningPolicies {
            untrusted_artifact_on_deployment: Some(CodeSigningPolicy::Enforce),
        },
        ..Default::default()
    });
    round_trip(&CapacityProvider {
        capacity_provider_arn: "arn:aws:lambda:us-east-1:123456789012:capacity-provider:cp".into(),
        state: CapacityProviderState::Active,
        ..Default::default()
    });
    assert_eq!(
        round_trip(&ProvisionedConcurrencyStatusEnum::InProgress),
        json!("IN_PROGRESS")
    );
    assert_eq!(round_trip(&ExecutionStatus::Succeeded), json!("SUCCEEDED"));
}
