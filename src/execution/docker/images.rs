//! Which image runs which runtime (lambda-semantics §1.5: `public.ecr.aws/lambda/<family>:<tag>`,
//! overridable with `--runtime-image RUNTIME=IMAGE`), and making sure an image is present: a
//! missing one is pulled, with progress in the log; a failed pull names the image and the flag.

use super::super::executor::StartError;
use bollard::Docker;
use futures_util::StreamExt;
use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// Runtime identifiers with an official base image, and its tag (§1.5).
const OFFICIAL: &[(&str, &str)] = &[
    ("nodejs24.x", "nodejs:24"),
    ("nodejs22.x", "nodejs:22"),
    ("nodejs20.x", "nodejs:20"),
    ("nodejs18.x", "nodejs:18"),
    ("python3.14", "python:3.14"),
    ("python3.13", "python:3.13"),
    ("python3.12", "python:3.12"),
    ("python3.11", "python:3.11"),
    ("python3.10", "python:3.10"),
    ("python3.9", "python:3.9"),
    ("java25", "java:25"),
    ("java21", "java:21"),
    ("java17", "java:17"),
    ("java11", "java:11"),
    ("java8.al2", "java:8.al2"),
    ("dotnet10", "dotnet:10"),
    ("dotnet8", "dotnet:8"),
    ("ruby3.4", "ruby:3.4"),
    ("ruby3.3", "ruby:3.3"),
    ("ruby3.2", "ruby:3.2"),
    ("provided.al2023", "provided:al2023"),
    ("provided.al2", "provided:al2"),
];

/// The image of a zip function's runtime: the override, else the official image.
pub fn image_for(runtime: &str, overrides: &BTreeMap<String, String>) -> Result<String, StartError> {
    if let Some(image) = overrides.get(runtime) {
        return Ok(image.clone());
    }
    match OFFICIAL.iter().find(|(id, _)| *id == runtime) {
        Some((_, tag)) => Ok(format!("public.ecr.aws/lambda/{tag}")),
        None => Err(StartError::sandbox(format!(
            "No base image exists for the runtime {runtime} (it is deprecated, or not a Lambda runtime). Choose a supported runtime, or name an image with --runtime-image {runtime}=IMAGE."
        ))),
    }
}

/// The Docker platform of a Lambda architecture.
pub fn platform(architecture: &str) -> &'static str {
    if architecture == "arm64" {
        "linux/arm64"
    } else {
        "linux/amd64"
    }
}

/// What the executor knows of an image.
#[derive(Clone, Debug, Default)]
pub struct ImageInfo {
    pub entrypoint: Vec<String>,
    pub cmd: Vec<String>,
}

/// Images present locally (inspected once), and recent pull failures (not retried for a while).
#[derive(Default)]
pub struct Images {
    known: Mutex<HashMap<String, ImageInfo>>,
    failed: std::sync::Mutex<HashMap<String, (Instant, String)>>,
}

/// How long a failed pull is remembered (an unreachable registry can take long to fail).
const FAILED_PULL_TTL: Duration = Duration::from_secs(30);

impl Images {
    /// The image, pulled first when it is not present. `runtime` names the runtime for the
    /// error message (None for image functions).
    pub async fn ensure(&self, docker: &Docker, image: &str, runtime: Option<&str>) -> Result<ImageInfo, StartError> {
        // One caller at a time: concurrent cold starts of the same image pull it once.
        let mut known = self.known.lock().await;
        if let Some(info) = known.get(image) {
            return Ok(info.clone());
        }
        if let Some((at, err)) = self.failed.lock().unwrap_or_else(|e| e.into_inner()).get(image) {
            if at.elapsed() < FAILED_PULL_TTL {
                return Err(pull_error(image, runtime, err));
            }
        }
        let inspected = match docker.inspect_image(image).await {
            Ok(i) => i,
            Err(_) => {
                if let Err(e) = pull(docker, image).await {
                    self.failed
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .insert(image.to_owned(), (Instant::now(), e.clone()));
                    return Err(pull_error(image, runtime, &e));
                }
                docker
                    .inspect_image(image)
                    .await
                    .map_err(|e| pull_error(image, runtime, &e.to_string()))?
            }
        };
        let config = inspected.config.unwrap_or_default();
        let info = ImageInfo {
            entrypoint: config.entrypoint.unwrap_or_default(),
            cmd: config.cmd.unwrap_or_default(),
        };
        known.insert(image.to_owned(), info.clone());
        Ok(info)
    }
}

impl Images {
    /// Why the last pull of `image` failed, while that is remembered.
    pub fn pull_failure(&self, image: &str) -> Option<String> {
        let failed = self.failed.lock().unwrap_or_else(|e| e.into_inner());
        failed
            .get(image)
            .filter(|(at, _)| at.elapsed() < FAILED_PULL_TTL)
            .map(|(_, why)| why.clone())
    }
}

fn pull_error(image: &str, runtime: Option<&str>, err: &str) -> StartError {
    let hint = match runtime {
        Some(rt) => format!("Pull it (docker pull {image}), name a local image with --runtime-image {rt}=IMAGE, or run functions as local processes with --executor process."),
        None => format!("Pull or build it (docker pull {image}) so the Docker engine has it."),
    };
    StartError::sandbox(format!(
        "The image {image} is not available and could not be pulled: {err}. {hint}"
    ))
}

/// Pulls `image`, logging its progress (one line per layer status change).
async fn pull(docker: &Docker, image: &str) -> Result<(), String> {
    tracing::info!("pulling {image}");
    let options = bollard::query_parameters::CreateImageOptions {
        from_image: Some(image.to_owned()),
        ..Default::default()
    };
    let mut stream = docker.create_image(Some(options), None, None);
    let mut last: HashMap<String, String> = HashMap::new();
    while let Some(item) = stream.next().await {
        let info = item.map_err(|e| {
            tracing::warn!("pulling {image} failed: {e}");
            e.to_string()
        })?;
        let status = info.status.unwrap_or_default();
        let id = info.id.unwrap_or_default();
        if last.get(&id) != Some(&status) {
            tracing::info!(
                "pulling {image}: {}{status}",
                if id.is_empty() {
                    String::new()
                } else {
                    format!("{id}: ")
                }
            );
            last.insert(id, status);
        }
    }
    tracing::info!("pulled {image}");
    Ok(())
}
