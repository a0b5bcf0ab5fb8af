//! The command line and `FAUXLAMBDA_*` environment settings of the `fauxlambda` binary.

use clap::Parser;
use std::net::SocketAddr;
use std::path::PathBuf;

/// The executors fauxlambda can run functions with.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Executor {
    /// Local processes with the host's interpreters.
    Process,
    /// Docker containers of the official images.
    Docker,
    /// Docker when an engine answers, else local processes.
    Auto,
}

#[derive(Parser, Debug, Clone)]
#[command(
    name = "fauxlambda",
    version,
    about = "A local AWS Lambda: the real Lambda API, on your machine",
    after_help = "Hot reload: create a function once with its code in a host directory, then edit and invoke:\n  aws lambda create-function --function-name f --runtime python3.12 --handler app.handler \\\n      --role arn:aws:iam::000000000000:role/r --code S3Bucket=hot-reload,S3Key=/abs/path/to/dir\n  (edit /abs/path/to/dir/app.py)\n  aws lambda invoke --function-name f out.json     # runs the edited code, no redeploy\nThe directory is watched: a change retires the function's warm environments. Layers take the same marker."
)]
pub struct Config {
    /// Address the Lambda API listens on.
    #[arg(long, env = "FAUXLAMBDA_LISTEN", default_value = "127.0.0.1:4566")]
    pub listen: SocketAddr,

    /// Region used when a request does not name one in its SigV4 credential scope.
    #[arg(long, env = "FAUXLAMBDA_REGION", default_value = "us-east-1")]
    pub region: String,

    /// The account id in every ARN.
    #[arg(long, env = "FAUXLAMBDA_ACCOUNT_ID", default_value = "000000000000")]
    pub account_id: String,

    /// Keeps the whole control-plane state here across restarts and crashes: functions, versions,
    /// aliases, layers, permissions, tags, configs, URLs, event source mappings with their
    /// checkpoints, queued asynchronous events (`state.sqlite`), and the code packages. One
    /// fauxlambda at a time per directory. Default: a fresh temporary directory, removed on exit,
    /// and the state in memory only.
    #[arg(long, env = "FAUXLAMBDA_DATA_DIR")]
    pub data_dir: Option<PathBuf>,

    /// Log filter, e.g. `info`, `debug`, `fauxlambda=debug`.
    #[arg(long, env = "FAUXLAMBDA_LOG_LEVEL", default_value = "info")]
    pub log_level: String,

    /// How functions run: `docker` (containers of the official images), `process` (local
    /// processes) or `auto` (per function: Docker when an engine answers and the runtime's image
    /// is present or can be pulled, else a local process when the host can run the runtime).
    #[arg(long, env = "FAUXLAMBDA_EXECUTOR", value_enum, default_value_t = Executor::Auto)]
    pub executor: Executor,

    /// The image for a runtime, e.g. `python3.12=my/python:3.12` (repeatable; default: the
    /// official `public.ecr.aws/lambda/<family>:<version>` images).
    #[arg(
        long = "runtime-image",
        value_name = "RUNTIME=IMAGE",
        env = "FAUXLAMBDA_RUNTIME_IMAGES",
        value_delimiter = ','
    )]
    pub runtime_images: Vec<String>,

    /// The Docker network of function containers: `host`, `bridge` (Docker's default bridge), or
    /// a network name (default: a network of fauxlambda's own, created at start-up and removed at
    /// exit, whose gateway `host.docker.internal` reaches fauxlambda at).
    #[arg(long, env = "FAUXLAMBDA_DOCKER_NETWORK")]
    pub docker_network: Option<String>,

    /// Copy code and layers into each container through the Docker API instead of bind-mounting
    /// them (for an engine that cannot see fauxlambda's files, e.g. fauxlambda in a container).
    #[arg(long, env = "FAUXLAMBDA_DOCKER_COPY_CODE")]
    pub docker_copy_code: bool,

    /// Threads running fauxlambda's event loop. With one (the default) a warm invoke, a chain of
    /// hand-offs between the Invoke request, the environment's Runtime API and back, never
    /// crosses threads; more spread CPU-heavy requests (large payloads) over cores.
    #[arg(long, env = "FAUXLAMBDA_WORKER_THREADS", default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..))]
    pub worker_threads: u16,

    /// Seconds a client may take to send a request's headers, and a keep-alive connection may
    /// stay idle between requests, before fauxlambda closes it.
    #[arg(long, env = "FAUXLAMBDA_IDLE_TIMEOUT", default_value_t = 60.0, value_parser = positive_seconds)]
    pub idle_timeout: f64,

    /// Access keys whose SigV4 signatures `AWS_IAM` function URLs verify, as `KEY:SECRET[,…]`;
    /// without it any well-formed signature for service `lambda` is accepted.
    #[arg(long, env = "FAUXLAMBDA_IAM_CREDENTIALS", value_parser = iam_credentials)]
    pub iam_credentials: Option<crate::function_urls::sigv4::Credentials>,

    /// Connections open at once, at most; more wait in the listen backlog (default: 4096, or
    /// half the open-file limit when that is lower).
    #[arg(long, env = "FAUXLAMBDA_MAX_CONNECTIONS", value_parser = clap::value_parser!(u32).range(1..))]
    pub max_connections: Option<u32>,

    /// Megabytes of large request bodies (over 1 MB each: code uploads, large payloads) read
    /// and handled at once; more wait their turn. An upload's handling holds about three times
    /// its body, so the server's memory stays within about three times this plus its own.
    #[arg(long, env = "FAUXLAMBDA_BODY_BUFFER_MB", default_value_t = 128, value_parser = clap::value_parser!(u32).range(8..=65536))]
    pub body_buffer_mb: u32,

    /// Execution environments per function version at most.
    #[arg(long, env = "FAUXLAMBDA_MAX_ENVIRONMENTS", default_value_t = 32)]
    pub max_environments: usize,

    /// Seconds an idle execution environment is kept warm.
    #[arg(long, env = "FAUXLAMBDA_KEEPALIVE", default_value_t = 600)]
    pub keepalive: u64,

    /// The interpreter for a runtime, e.g. `python3.12=/usr/bin/python3.12` or `nodejs=node`
    /// (repeatable; a family name like `python` covers all its versions).
    #[arg(
        long = "runtime-command",
        value_name = "RUNTIME=COMMAND",
        env = "FAUXLAMBDA_RUNTIME_COMMANDS",
        value_delimiter = ','
    )]
    pub runtime_commands: Vec<String>,

    /// Directory of the official Node.js runtime interface client (`aws-lambda-ric`) to use for
    /// nodejs functions (default: the `aws-lambda-ric` command on PATH, as `npm install -g
    /// aws-lambda-ric` links it, else fauxlambda's own Node client).
    #[arg(long, env = "FAUXLAMBDA_NODE_RIC")]
    pub node_ric: Option<PathBuf>,

    /// Run local process environments as plain processes even when bubblewrap (`bwrap`) is on
    /// PATH. With it (the default when it works here), each runs in a sandbox of its own: the
    /// host read-only, a private `/tmp` of `EphemeralStorage`, its own pid namespace and `/proc`.
    #[arg(long, env = "FAUXLAMBDA_NO_BWRAP")]
    pub no_bwrap: bool,

    /// Run Python and Node functions with fauxlambda's own runtime clients even when the official
    /// ones are installed.
    #[arg(long, env = "FAUXLAMBDA_OWN_RUNTIME_CLIENTS")]
    pub own_runtime_clients: bool,

    /// The endpoint of another AWS service, e.g. `sqs=http://127.0.0.1:5000` (repeatable; the
    /// services: s3, sqs, sns, eventbridge, kinesis, dynamodb-streams, and any other by its
    /// `AWS_ENDPOINT_URL_<SERVICE>` name). Default: `AWS_ENDPOINT_URL_<SERVICE>`, then
    /// `AWS_ENDPOINT_URL`. Event source mappings poll their queues and streams there, destinations
    /// and dead-letter queues are delivered there, `S3Bucket` code fetched from there, and
    /// functions get them as their `AWS_ENDPOINT_URL_<SERVICE>`.
    #[arg(
        long = "endpoint",
        value_name = "SERVICE=URL",
        env = "FAUXLAMBDA_ENDPOINTS",
        value_delimiter = ','
    )]
    pub endpoints: Vec<String>,

    /// The S3 endpoint: an alias of `--endpoint s3=URL`.
    #[arg(long, env = "FAUXLAMBDA_S3_ENDPOINT")]
    pub s3_endpoint: Option<String>,

    /// Seconds before the first retry of a failed asynchronous invocation; retry n comes
    /// base × n after the attempt before it (AWS: 60, so about 1 and 2 minutes). Fractions
    /// allowed: tests use 1 or less. Throttled events back off on the same scale.
    #[arg(long, env = "FAUXLAMBDA_ASYNC_RETRY_BASE_DELAY", default_value_t = 60.0, value_parser = retry_base_delay)]
    pub async_retry_base_delay: f64,

    /// Megabytes of asynchronous event payloads the queue holds at most (and 100,000 events);
    /// beyond that `Event` invokes are throttled (429) until events have run.
    #[arg(long, env = "FAUXLAMBDA_ASYNC_QUEUE_MB", default_value_t = 256, value_parser = clap::value_parser!(u64).range(1..=65536))]
    pub async_queue_mb: u64,
}

fn positive_seconds(s: &str) -> Result<f64, String> {
    let v: f64 = s.parse().map_err(|e| format!("{s:?}: {e}"))?;
    if !(v > 0.0 && v <= 86_400.0) {
        return Err(format!("{v} is not between 0 and 86400 seconds"));
    }
    Ok(v)
}

fn retry_base_delay(s: &str) -> Result<f64, String> {
    let v: f64 = s.parse().map_err(|e| format!("{s:?}: {e}"))?;
    if !(0.0..=3600.0).contains(&v) || v.is_nan() {
        return Err(format!("{v} is not between 0 and 3600 seconds"));
    }
    Ok(v)
}

impl Config {
    /// `--endpoint` pairs, with `--s3-endpoint` as `s3=URL` (the explicit `--endpoint s3=` wins).
    pub fn endpoint_flags(&self) -> Vec<String> {
        let mut all: Vec<String> = self.s3_endpoint.iter().map(|u| format!("s3={u}")).collect();
        all.extend(self.endpoints.iter().cloned());
        all
    }
}

fn iam_credentials(s: &str) -> Result<crate::function_urls::sigv4::Credentials, String> {
    crate::function_urls::sigv4::Credentials::parse(s)
}
