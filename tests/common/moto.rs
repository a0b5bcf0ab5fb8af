//! A real `moto_server` for the tests (from `.venv`, installed by `scripts/test-deps`): the other
//! AWS services fauxlambda reaches (S3 for code; SQS, SNS, EventBridge and S3 for asynchronous
//! destinations and dead-letter queues), and their SDK clients pointed at it.

use super::eventually_sync;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A running `moto_server`; killed when dropped.
pub struct Moto {
    child: Child,
    pub endpoint: String,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `moto_server`: `FAUXLAMBDA_MOTO_SERVER`, else `.venv/bin/moto_server` (running
/// `scripts/test-deps` first when the venv is not there yet).
fn moto_server_bin() -> PathBuf {
    if let Ok(p) = std::env::var("FAUXLAMBDA_MOTO_SERVER") {
        return PathBuf::from(p);
    }
    let root = super::root();
    let bin = root.join(".venv/bin/moto_server");
    static INSTALL: std::sync::Once = std::sync::Once::new();
    INSTALL.call_once(|| {
        if !bin.exists() {
            let status = Command::new(root.join("scripts/test-deps"))
                .status()
                .expect("running scripts/test-deps");
            assert!(status.success(), "scripts/test-deps failed");
        }
    });
    assert!(bin.exists(), "{} is missing: run scripts/test-deps", bin.display());
    bin
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("a free port")
        .local_addr()
        .expect("addr")
        .port()
}

impl Moto {
    /// A fresh `moto_server` on a free loopback port, its account fauxlambda's (`000000000000`).
    pub fn start() -> Moto {
        let port = free_port();
        let child = Command::new(moto_server_bin())
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .env("MOTO_ACCOUNT_ID", "000000000000")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("starting moto_server");
        eventually_sync("moto_server listens", Duration::from_secs(30), || {
            std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
        });
        Moto {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
        }
    }

    pub fn s3(&self) -> aws_sdk_s3::Client {
        let config = aws_sdk_s3::Config::builder()
            .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
            .endpoint_url(&self.endpoint)
            .force_path_style(true)
            .region(aws_sdk_s3::config::Region::new("us-east-1"))
            .credentials_provider(aws_sdk_s3::config::Credentials::new(
                "AKIDTEST", "secret", None, None, "test",
            ))
            .http_client(aws_smithy_http_client::Builder::new().build_http())
            .build();
        aws_sdk_s3::Client::from_conf(config)
    }
}

/// An SDK client of crate `$sdk` for moto (any credentials, us-east-1).
macro_rules! moto_client {
    ($sdk:ident, $endpoint:expr) => {{
        let config = $sdk::Config::builder()
            .behavior_version($sdk::config::BehaviorVersion::latest())
            .endpoint_url($endpoint)
            .region($sdk::config::Region::new("us-east-1"))
            .credentials_provider($sdk::config::Credentials::new("AKIDTEST", "secret", None, None, "test"))
            .http_client(aws_smithy_http_client::Builder::new().build_http())
            .build();
        $sdk::Client::from_conf(config)
    }};
}

impl Moto {
    pub fn sqs(&self) -> aws_sdk_sqs::Client {
        moto_client!(aws_sdk_sqs, &self.endpoint)
    }

    pub fn sns(&self) -> aws_sdk_sns::Client {
        moto_client!(aws_sdk_sns, &self.endpoint)
    }

    pub fn eventbridge(&self) -> aws_sdk_eventbridge::Client {
        moto_client!(aws_sdk_eventbridge, &self.endpoint)
    }

    pub fn kinesis(&self) -> aws_sdk_kinesis::Client {
        moto_client!(aws_sdk_kinesis, &self.endpoint)
    }

    pub fn dynamodb(&self) -> aws_sdk_dynamodb::Client {
        moto_client!(aws_sdk_dynamodb, &self.endpoint)
    }
}
