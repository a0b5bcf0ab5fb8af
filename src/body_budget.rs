//! How many request bytes the server buffers at once. A request body is read whole before its
//! operation runs (the restJson1 codec parses it at once), and an upload's handler holds two or
//! three times its body while it decodes, checks and stores the zip, so the server's memory grows
//! with the large bodies in flight. A request that declares a large body (or declares none)
//! first takes its size from this budget, waiting (not failing) while other large bodies hold it,
//! and gives it back once answered; small requests (Invoke's usual payloads, the control plane)
//! never wait.

use std::sync::Arc;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Bodies of at most this many bytes pass without taking from the budget.
pub const SMALL_BODY: u64 = 1 << 20;

/// The bytes of large request bodies the server holds at once.
#[derive(Clone, Debug)]
pub struct BodyBudget {
    kilobytes: Arc<Semaphore>,
    total_kb: u32,
}

impl BodyBudget {
    pub fn new(megabytes: u32) -> BodyBudget {
        let total_kb = megabytes.max(1).saturating_mul(1024);
        BodyBudget {
            kilobytes: Arc::new(Semaphore::new(total_kb as usize)),
            total_kb,
        }
    }

    /// Waits until a body of `declared` bytes may be read (`None`: not declared, so counted at
    /// `limit`, the most its operation reads); the permit gives the bytes back when dropped.
    /// Small bodies pass at once, without a permit; a body larger than the whole budget takes
    /// all of it.
    pub async fn admit(&self, declared: Option<u64>, limit: u64) -> Option<OwnedSemaphorePermit> {
        let bytes = declared.unwrap_or(limit).min(limit);
        if bytes <= SMALL_BODY {
            return None;
        }
        let kb = (bytes.div_ceil(1024)).min(u64::from(self.total_kb)) as u32;
        self.kilobytes.clone().acquire_many_owned(kb).await.ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn large_bodies_wait_for_the_budget_and_small_ones_do_not() {
        let budget = BodyBudget::new(100);
        let limit = 70 << 20;
        assert!(budget.admit(Some(1000), limit).await.is_none());
        let first = budget.admit(Some(60 << 20), limit).await.expect("a permit");
        // A second 60 MB body waits until the first is answered.
        let second = tokio::time::timeout(Duration::from_millis(50), budget.admit(Some(60 << 20), limit)).await;
        assert!(second.is_err(), "admitted over the budget");
        assert!(budget.admit(Some(512), limit).await.is_none(), "small bodies pass");
        drop(first);
        let second = budget.admit(Some(60 << 20), limit).await.expect("a permit");
        drop(second);
        // Undeclared: counted at the operation's limit; larger than the budget: all of it.
        let all = budget.admit(None, 500 << 20).await.expect("a permit");
        assert_eq!(budget.kilobytes.available_permits(), 0);
        drop(all);
    }
}
