//! The other AWS services fauxlambda reaches (never emulates): where each one is, and the official
//! SDK clients that talk to it. An endpoint is resolved as the AWS tools resolve it: the
//! `--endpoint SERVICE=URL` flag first, then `AWS_ENDPOINT_URL_<SERVICE>`, then `AWS_ENDPOINT_URL`.
//! S3 serves code given as `S3Bucket`/`S3Key` (`s3.rs`) and failed events' records.
//! Functions get the same endpoints as their `AWS_ENDPOINT_URL_<SERVICE>` variables, so a function
//! that writes to SQS reaches the SQS fauxlambda delivers to.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::Duration;

/// The services whose endpoints functions are given (`AWS_ENDPOINT_URL_<SERVICE>` names).
const KNOWN: &[&str] = &[
    "S3",
    "SQS",
    "SNS",
    "EVENTBRIDGE",
    "KINESIS",
    "DYNAMODB",
    "DYNAMODB_STREAMS",
];

/// How long connecting to a service may take before it counts as down.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// How long one call (with the SDK's retries) may take.
const OPERATION_TIMEOUT: Duration = Duration::from_secs(15);
/// S3's: a GetObject of function code may be large.
const S3_OPERATION_TIMEOUT: Duration = Duration::from_secs(120);

/// An SDK client of crate `$sdk` for `endpoint` in `region`: any credentials, plain HTTP (and
/// HTTPS), short timeouts, one retry, no stalled-stream protection.
macro_rules! sdk_client {
    ($sdk:ident, $endpoint:expr, $region:expr, $timeout:expr $(, $extra:ident($arg:expr))*) => {{
        let config = $sdk::Config::builder()
            .behavior_version($sdk::config::BehaviorVersion::latest())
            .endpoint_url($endpoint)
            .region($sdk::config::Region::new($region.to_string()))
            .credentials_provider($sdk::config::Credentials::new(
                "fauxlambda",
                "fauxlambda",
                None,
                None,
                "fauxlambda",
            ))
            .http_client(aws_smithy_http_client::Builder::new().build_http())
            .timeout_config(
                $sdk::config::timeout::TimeoutConfig::builder()
                    .connect_timeout(CONNECT_TIMEOUT)
                    .operation_timeout($timeout)
                    .build(),
            )
            .retry_config($sdk::config::retry::RetryConfig::standard().with_max_attempts(2))
            // Its throughput checks wake the event loop over and over while a call waits (an
            // SQS long poll of 20 s: about nine wake-ups a second); the timeouts above bound a
            // stalled call instead.
            .stalled_stream_protection($sdk::config::StalledStreamProtectionConfig::disabled())
            $(.$extra($arg))*
            .build();
        $sdk::Client::from_conf(config)
    }};
}

/// The endpoints of the other services, and their clients (one per service and region).
#[derive(Default)]
pub struct Services {
    /// By `AWS_ENDPOINT_URL_<SERVICE>` suffix (`SQS`, `EVENTBRIDGE`…); None: named with an empty
    /// URL, which means no endpoint at all (whatever the environment says).
    flags: BTreeMap<String, Option<String>>,
    /// `AWS_ENDPOINT_URL_<SERVICE>` and `AWS_ENDPOINT_URL`, read once at start.
    env: BTreeMap<String, String>,
    global: Option<String>,
    sqs: Mutex<HashMap<String, aws_sdk_sqs::Client>>,
    sns: Mutex<HashMap<String, aws_sdk_sns::Client>>,
    eventbridge: Mutex<HashMap<String, aws_sdk_eventbridge::Client>>,
    s3: Mutex<HashMap<String, aws_sdk_s3::Client>>,
    kinesis: Mutex<HashMap<String, aws_sdk_kinesis::Client>>,
    dynamodb_streams: Mutex<HashMap<String, aws_sdk_dynamodbstreams::Client>>,
}

/// The `AWS_ENDPOINT_URL_<SERVICE>` suffix of a service named on the command line: `sqs` → `SQS`,
/// `events` → `EVENTBRIDGE`, `dynamodb-streams` → `DYNAMODB_STREAMS`.
fn suffix(service: &str) -> String {
    let s = service.trim().to_ascii_uppercase().replace(['-', ' '], "_");
    match s.as_str() {
        "EVENTS" => "EVENTBRIDGE".into(),
        "DYNAMODBSTREAMS" | "STREAMS_DYNAMODB" => "DYNAMODB_STREAMS".into(),
        _ => s,
    }
}

impl Services {
    /// From `--endpoint SERVICE=URL` pairs (later ones win) and this process's environment.
    pub fn new(flags: &[String]) -> Result<Services, String> {
        let mut services = Services::default();
        for pair in flags {
            let (service, url) = pair
                .split_once('=')
                .filter(|(s, _)| !s.trim().is_empty())
                .ok_or_else(|| format!("--endpoint {pair:?}: expected SERVICE=URL, e.g. sqs=http://127.0.0.1:5000"))?;
            let url = url.trim();
            if url.is_empty() {
                services.flags.insert(suffix(service), None);
                continue;
            }
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(format!(
                    "--endpoint {pair:?}: the URL must start with http:// or https://"
                ));
            }
            services
                .flags
                .insert(suffix(service), Some(url.trim_end_matches('/').to_owned()));
        }
        for (name, value) in std::env::vars() {
            if let Some(service) = name.strip_prefix("AWS_ENDPOINT_URL_") {
                if !value.is_empty() {
                    services.env.insert(service.to_owned(), value);
                }
            }
        }
        services.global = std::env::var("AWS_ENDPOINT_URL").ok().filter(|v| !v.is_empty());
        Ok(services)
    }

    /// The endpoint of a service (`sqs`, `s3`, `eventbridge`…), if one is configured.
    pub fn endpoint(&self, service: &str) -> Option<String> {
        let key = suffix(service);
        match self.flags.get(&key) {
            Some(chosen) => chosen.clone(),
            None => self.env.get(&key).or(self.global.as_ref()).cloned(),
        }
    }

    /// `AWS_ENDPOINT_URL_<SERVICE>` for a function's environment: every configured endpoint of the
    /// services functions commonly call (and of any named with `--endpoint`).
    pub fn function_variables(&self) -> BTreeMap<String, String> {
        let mut services: Vec<String> = KNOWN.iter().map(|s| s.to_string()).collect();
        services.extend(self.flags.keys().cloned());
        services
            .into_iter()
            .filter_map(|s| Some((format!("AWS_ENDPOINT_URL_{s}"), self.endpoint(&s)?)))
            .collect()
    }

    fn missing(service: &str) -> String {
        format!(
            "no {service} endpoint is configured (--endpoint {}=URL, AWS_ENDPOINT_URL_{} or AWS_ENDPOINT_URL)",
            service.to_ascii_lowercase(),
            suffix(service)
        )
    }

    pub fn sqs(&self, region: &str) -> Result<aws_sdk_sqs::Client, String> {
        let endpoint = self.endpoint("sqs").ok_or_else(|| Self::missing("SQS"))?;
        Ok(cached(&self.sqs, region, || {
            sdk_client!(aws_sdk_sqs, &endpoint, region, OPERATION_TIMEOUT)
        }))
    }

    pub fn sns(&self, region: &str) -> Result<aws_sdk_sns::Client, String> {
        let endpoint = self.endpoint("sns").ok_or_else(|| Self::missing("SNS"))?;
        Ok(cached(&self.sns, region, || {
            sdk_client!(aws_sdk_sns, &endpoint, region, OPERATION_TIMEOUT)
        }))
    }

    pub fn eventbridge(&self, region: &str) -> Result<aws_sdk_eventbridge::Client, String> {
        let endpoint = self
            .endpoint("eventbridge")
            .ok_or_else(|| Self::missing("EventBridge"))?;
        Ok(cached(&self.eventbridge, region, || {
            sdk_client!(aws_sdk_eventbridge, &endpoint, region, OPERATION_TIMEOUT)
        }))
    }

    pub fn s3(&self, region: &str) -> Result<aws_sdk_s3::Client, String> {
        let endpoint = self.endpoint("s3").ok_or_else(|| Self::missing("S3"))?;
        Ok(cached(&self.s3, region, || {
            sdk_client!(
                aws_sdk_s3,
                &endpoint,
                region,
                S3_OPERATION_TIMEOUT,
                force_path_style(true)
            )
        }))
    }
}

impl Services {
    pub fn kinesis(&self, region: &str) -> Result<aws_sdk_kinesis::Client, String> {
        let endpoint = self.endpoint("kinesis").ok_or_else(|| Self::missing("Kinesis"))?;
        Ok(cached(&self.kinesis, region, || {
            sdk_client!(aws_sdk_kinesis, &endpoint, region, OPERATION_TIMEOUT)
        }))
    }

    pub fn dynamodb_streams(&self, region: &str) -> Result<aws_sdk_dynamodbstreams::Client, String> {
        let endpoint = self
            .endpoint("dynamodb_streams")
            .ok_or_else(|| Self::missing("DynamoDB_Streams"))?;
        Ok(cached(&self.dynamodb_streams, region, || {
            sdk_client!(aws_sdk_dynamodbstreams, &endpoint, region, OPERATION_TIMEOUT)
        }))
    }
}

/// The client of `region` in `clients`, built on first use.
fn cached<C: Clone>(clients: &Mutex<HashMap<String, C>>, region: &str, build: impl FnOnce() -> C) -> C {
    let mut clients = clients.lock().unwrap_or_else(|p| p.into_inner());
    clients.entry(region.to_owned()).or_insert_with(build).clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_names_and_precedence() {
        assert_eq!(suffix("sqs"), "SQS");
        assert_eq!(suffix("events"), "EVENTBRIDGE");
        assert_eq!(suffix("dynamodb-streams"), "DYNAMODB_STREAMS");
        let mut s = Services::new(&["sqs=http://127.0.0.1:1/".into()]).unwrap();
        s.env.insert("SQS".into(), "http://env-sqs".into());
        s.env.insert("SNS".into(), "http://env-sns".into());
        s.global = Some("http://global".into());
        assert_eq!(s.endpoint("sqs").as_deref(), Some("http://127.0.0.1:1"));
        assert_eq!(s.endpoint("sns").as_deref(), Some("http://env-sns"));
        assert_eq!(s.endpoint("eventbridge").as_deref(), Some("http://global"));
        assert!(Services::new(&["sqs".into()]).is_err());
        // An empty URL: no endpoint, whatever the environment says.
        let mut none = Services::new(&["s3=".into()]).unwrap();
        none.global = Some("http://global".into());
        assert_eq!(none.endpoint("s3"), None);
        assert!(Services::new(&["sqs=ftp://x".into()]).is_err());
    }
}
