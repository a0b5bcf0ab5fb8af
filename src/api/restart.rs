//! Start-up with a state loaded from the data directory: the functions come back `Pending` and
//! turn `Active` a moment later, as on AWS; then the event source mappings' pollers start again
//! (streams read on from their checkpoints) and the queued asynchronous events go back in their
//! queues; what was left in transition (provisioned concurrency, capacity providers) ends.

use super::async_invocation::persisted;
use super::Api;
use crate::state::database::StoredRow;
use crate::state::settle::SETTLE_DELAY;
use crate::state::{Namespace, Namespaces};
use std::time::Duration;

/// How long loaded functions stay `Pending` after start-up.
pub const RESTART_PENDING: Duration = Duration::from_millis(500);
/// When the pollers and the queued events of a loaded state start: once its functions are
/// `Active` again.
pub const RESUME_AFTER: Duration = RESTART_PENDING.saturating_add(SETTLE_DELAY);

/// What was loaded, for `resume`.
pub struct Loaded {
    functions: Vec<(Namespace, String)>,
    mappings: Vec<(Namespace, String)>,
    events: Vec<StoredRow>,
}

impl Loaded {
    /// Before the actor starts on `state`: its functions `Pending`, its mappings listed.
    pub fn prepare(state: &mut Namespaces, events: Vec<StoredRow>) -> Loaded {
        let functions = state.restart_functions();
        let mappings = state
            .iter()
            .flat_map(|(ns, s)| s.event_source_mappings.by_uuid.keys().map(|u| (ns.clone(), u.clone())))
            .collect();
        Loaded {
            functions,
            mappings,
            events,
        }
    }

    pub fn function_count(&self) -> usize {
        self.functions.len()
    }
}

/// Settles the functions, then starts the pollers and requeues the events. Answers how many
/// events went back in queues.
pub fn resume(api: &Api, loaded: Loaded) -> usize {
    for (ns, name) in loaded.functions {
        api.state
            .settle_after(RESTART_PENDING, ns, move |s| s.functions.finish_restart(&name));
    }
    for (ns, uuid) in loaded.mappings {
        // Once the functions are `Active` again.
        super::event_source_mappings::settle_in(api, ns.context(&api.defaults), RESUME_AFTER, uuid);
    }
    // What was left in transition ends as it would have.
    let state = api.state.clone();
    tokio::spawn(async move {
        tokio::time::sleep(SETTLE_DELAY).await;
        let _ = state.call_all(Namespaces::finish_interrupted).await;
    });
    persisted::restore(api, &api.async_queue, loaded.events)
}
