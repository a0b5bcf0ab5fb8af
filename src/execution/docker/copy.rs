//! `--docker-copy-code`: code and layers copied into a created container through the Engine API
//! (for an engine that cannot see fauxlambda's files), as tar archives built once per directory;
//! a hot-reload directory used in place is archived afresh for each container, nothing cached
//! beside it.

use super::super::unpacked::Unpacked;
use bollard::Docker;
use std::path::Path;

/// Copies the code to `/var/task` and the layers to `/opt` of a created container.
pub async fn copy_in(docker: &Docker, cid: &str, unpacked: &Unpacked) -> Result<(), String> {
    for (dir, dest, in_place) in [
        (&unpacked.task, "/var/task", unpacked.task_in_place),
        (&unpacked.opt, "/opt", unpacked.opt_in_place),
    ] {
        let tar = tar_of(dir, !in_place).await?;
        let options = bollard::query_parameters::UploadToContainerOptions {
            path: dest.to_owned(),
            ..Default::default()
        };
        docker
            .upload_to_container(cid, Some(options), bollard::body_full(tar.into()))
            .await
            .map_err(|e| format!("{dest}: {e}"))?;
    }
    Ok(())
}

/// A tar of a directory's contents (cached beside it when `cache`: code is immutable per hash).
async fn tar_of(dir: &Path, cache: bool) -> Result<Vec<u8>, String> {
    let cached = dir.with_extension("tar");
    if cache {
        if let Ok(bytes) = tokio::fs::read(&cached).await {
            return Ok(bytes);
        }
    }
    let dir = dir.to_path_buf();
    tokio::task::spawn_blocking(move || -> std::io::Result<Vec<u8>> {
        let mut builder = tar::Builder::new(Vec::new());
        builder.follow_symlinks(false);
        builder.append_dir_all(".", &dir)?;
        let bytes = builder.into_inner()?;
        if !cache {
            return Ok(bytes);
        }
        let tmp = cached.with_extension(format!("tar.{}", std::process::id()));
        std::fs::write(&tmp, &bytes)?;
        std::fs::rename(&tmp, &cached)?;
        Ok(bytes)
    })
    .await
    .map_err(|e| e.to_string())?
    .map_err(|e| e.to_string())
}
