//! Settle transitions. AWS answers a create or an update while the resource is still `Pending`,
//! `InProgress`, `Creating` or `Deleting`, and finishes the transition a moment later; clients that
//! read straight after see the transitional state, waiters pass at once. Each such transition is one
//! job that runs on the state actor `SETTLE_DELAY` after the answer.

use super::{Namespace, State, StateHandle};
use std::time::Duration;

/// How long a transition lasts: long enough that the answer and an immediate read can see it,
/// short enough that waiters pass at once.
pub const SETTLE_DELAY: Duration = Duration::from_millis(100);

impl StateHandle {
    /// Runs `finish` on the state of `ns` `SETTLE_DELAY` from now (not at all when the actor is
    /// gone).
    pub fn settle_later(&self, ns: Namespace, finish: impl FnOnce(&mut State) + Send + 'static) {
        self.settle_after(SETTLE_DELAY, ns, finish);
    }

    /// Runs `finish` on the state of `ns` after `delay`.
    pub fn settle_after(&self, delay: Duration, ns: Namespace, finish: impl FnOnce(&mut State) + Send + 'static) {
        let state = self.clone();
        tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            let _ = state.call(&ns, finish).await;
        });
    }
}
