//! Idle environments: the watcher that stops one once it has been idle for the keepalive (or its
//! runtime exits while idle), and the stopping itself (SHUTDOWN to extensions, then the signals).

use super::listing::EnvMeta;
use super::{Env, Inner, Pool, PoolConfig, VersionKey};
use crate::execution::extensions::ShutdownReason;
use crate::execution::sandbox::ExitInfo;
use std::future::Future;
use std::sync::Weak;
use std::time::Duration;

/// Stops an environment once it has been idle for the keepalive, or as soon as its runtime exits
/// while idle; ends when the environment is stopped by anyone else (or the pool is gone).
pub(super) async fn watch_idle(
    pool: Weak<Inner>,
    key: VersionKey,
    env_id: String,
    meta: Weak<EnvMeta>,
    exited: impl Future<Output = ExitInfo>,
) {
    enum Next {
        // Boxed (an `Env` is large): one allocation when an idle environment is stopped, off the invoke path.
        Stop(Box<Env>),
        Wake(tokio::time::Instant),
        Done,
    }
    tokio::pin!(exited);
    let Some(keepalive) = pool.upgrade().map(|p| p.config.keepalive) else {
        return;
    };
    let mut wake = tokio::time::Instant::now() + keepalive;
    loop {
        let gone = tokio::select! {
            _ = tokio::time::sleep_until(wake) => false,
            _ = &mut exited => true,
        };
        let Some(inner) = pool.upgrade() else { return };
        let now = tokio::time::Instant::now();
        let next = {
            let mut st = inner.lock();
            match st.versions.get_mut(&key) {
                None => Next::Done,
                Some(vp) => match vp.idle.iter().position(|i| i.env.sandbox.id == env_id) {
                    Some(pos) if gone || vp.idle[pos].since + keepalive <= now => {
                        Next::Stop(Box::new(vp.idle.remove(pos).env))
                    }
                    Some(pos) => Next::Wake(vp.idle[pos].since + keepalive),
                    // Stopped, or its exit is the invocation's business (it is busy).
                    None if gone || meta.upgrade().is_none_or(|m| m.is_stopping()) => Next::Done,
                    None => Next::Wake(now + keepalive),
                },
            }
        };
        match next {
            Next::Stop(env) => {
                Pool { inner }.discard(*env, ShutdownReason::Spindown);
                return;
            }
            Next::Wake(at) => wake = at,
            Next::Done => return,
        }
    }
}

/// SHUTDOWN to the extensions (when there are any), SIGTERM, SIGKILL after the grace, then the
/// Runtime API server goes.
pub(super) async fn stop_env(env: Env, reason: ShutdownReason, config: PoolConfig) {
    env.meta.stop();
    let grace = if env.api.extensions().is_empty() {
        Duration::ZERO
    } else {
        config.extension_shutdown_grace
    };
    env.api.shutdown(reason, grace).await;
    env.sandbox.stop(config.stop_grace).await;
    env.api.close();
}
