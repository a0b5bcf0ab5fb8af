//! Sending a message to another AWS service named by ARN, as Lambda does for what it leaves
//! behind: an SQS queue, an SNS topic or an S3 bucket, through the official SDK clients at the
//! configured endpoints (`services.rs`). The asynchronous queue's destinations and dead-letter
//! queues (`async_invocation/delivery.rs`) and the event source mappings' on-failure destinations
//! (`event_sources/on_failure.rs`) both send through here.

use crate::api::Api;

/// SNS drops larger messages (events-urls-streaming §1.4).
pub const SNS_LIMIT: usize = 256 * 1024;

/// A target ARN's parts: `arn:<partition>:<service>:<region>:<account>:<resource>`.
pub struct Target<'a> {
    pub service: &'a str,
    pub region: &'a str,
    pub account: &'a str,
    pub resource: &'a str,
}

impl<'a> Target<'a> {
    pub fn parse(arn: &'a str) -> Result<Target<'a>, String> {
        let parts: Vec<&str> = arn.splitn(6, ':').collect();
        match parts.as_slice() {
            ["arn", _, service, region, account, resource] if !resource.is_empty() => Ok(Target {
                service,
                region,
                account,
                resource,
            }),
            _ => Err(format!("{arn} is not an ARN")),
        }
    }
}

/// A message attribute: name, data type (`String`, `Number`) and value.
pub type Attribute<'a> = (&'a str, &'a str, &'a str);

/// Sends `body` to the queue `t` with an `AWSTraceHeader`, and `attributes`.
pub async fn send_sqs(api: &Api, t: &Target<'_>, body: String, attributes: &[Attribute<'_>]) -> Result<(), String> {
    use aws_sdk_sqs::types::{MessageAttributeValue, MessageSystemAttributeNameForSends, MessageSystemAttributeValue};
    if t.resource.ends_with(".fifo") {
        return Err("FIFO queues are not supported as destinations or dead-letter queues".into());
    }
    let sqs = api.services.sqs(t.region)?;
    let url = sqs
        .get_queue_url()
        .queue_name(t.resource)
        .queue_owner_aws_account_id(t.account)
        .send()
        .await
        .map_err(|e| sdk_error("GetQueueUrl", &e))?
        .queue_url
        .ok_or("GetQueueUrl gave no URL")?;
    let trace = MessageSystemAttributeValue::builder()
        .data_type("String")
        .string_value(crate::execution::invocation::new_trace_id())
        .build()
        .map_err(|e| e.to_string())?;
    let mut send = sqs
        .send_message()
        .queue_url(url)
        .message_body(body)
        .message_system_attributes(MessageSystemAttributeNameForSends::AwsTraceHeader, trace);
    for (name, kind, value) in attributes {
        let value = MessageAttributeValue::builder()
            .data_type(*kind)
            .string_value(*value)
            .build()
            .map_err(|e| e.to_string())?;
        send = send.message_attributes(*name, value);
    }
    send.send().await.map_err(|e| sdk_error("SendMessage", &e))?;
    Ok(())
}

/// Publishes `message` to the topic `t` (`arn`), with `attributes`.
pub async fn publish_sns(
    api: &Api,
    t: &Target<'_>,
    arn: &str,
    message: String,
    attributes: &[Attribute<'_>],
) -> Result<(), String> {
    use aws_sdk_sns::types::MessageAttributeValue;
    if message.len() > SNS_LIMIT {
        return Err(format!(
            "the message is {} bytes, more than SNS takes ({SNS_LIMIT})",
            message.len()
        ));
    }
    if t.resource.ends_with(".fifo") {
        return Err("FIFO topics are not supported as destinations or dead-letter queues".into());
    }
    let mut publish = api.services.sns(t.region)?.publish().topic_arn(arn).message(message);
    for (name, kind, value) in attributes {
        let value = MessageAttributeValue::builder()
            .data_type(*kind)
            .string_value(*value)
            .build()
            .map_err(|e| e.to_string())?;
        publish = publish.message_attributes(*name, value);
    }
    publish.send().await.map_err(|e| sdk_error("Publish", &e))?;
    Ok(())
}

/// Writes `body` (JSON) as the object `key` of `bucket`, through the S3 client of `region`.
pub async fn put_s3(api: &Api, region: &str, bucket: &str, key: String, body: Vec<u8>) -> Result<(), String> {
    api.services
        .s3(region)?
        .put_object()
        .bucket(bucket)
        .key(key)
        .content_type("application/json")
        .body(aws_sdk_s3::primitives::ByteStream::from(body))
        .send()
        .await
        .map_err(|e| sdk_error("PutObject", &e))?;
    Ok(())
}

/// An SDK error with the service's code and message when it answered, else the transport's cause.
pub fn sdk_error<E, R>(operation: &str, e: &aws_sdk_sqs::error::SdkError<E, R>) -> String
where
    E: aws_sdk_sqs::error::ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    use aws_sdk_sqs::error::ProvideErrorMetadata;
    match e.code() {
        Some(code) => format!("{operation}: {code}: {}", e.message().unwrap_or_default()),
        None => {
            let mut text = format!("{operation}: {e}");
            let mut source = std::error::Error::source(e);
            while let Some(s) = source {
                text.push_str(&format!(": {s}"));
                source = s.source();
            }
            text
        }
    }
}
