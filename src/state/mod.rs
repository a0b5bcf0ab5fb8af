//! The control-plane state and the actor that owns it. One task holds every `State`, one per
//! namespace (a region of an account, as on AWS: the same function name in two regions is two
//! functions); handlers send it jobs (closures over the `&mut State` of their request's namespace)
//! and await their results, so every change is applied in order and no lock is ever taken. Jobs
//! must be quick: hashing, disk and network work happen before a job is sent.

pub mod capacity_providers;
pub mod code_signing;
pub mod concurrency;
pub mod durable_executions;
pub mod event_invoke_configs;
pub mod event_source_mappings;
pub mod functions;
pub mod layers;
pub mod per_qualifier;
pub mod permissions;
pub mod runtime_management;
pub mod settle;
pub mod tags;
pub mod url_configs;
pub mod versions;

use std::collections::BTreeMap;
use tokio::sync::{mpsc, oneshot};

/// A region of an account: each is a namespace of its own.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Namespace {
    pub region: String,
    pub account: String,
}

/// Every namespace's state, created on first use.
#[derive(Default)]
pub struct Namespaces {
    by: BTreeMap<Namespace, State>,
}

impl Namespaces {
    /// The state of `ns` (empty on first use).
    pub fn get_mut(&mut self, ns: &Namespace) -> &mut State {
        if !self.by.contains_key(ns) {
            self.by.insert(ns.clone(), State::default());
        }
        self.by.get_mut(ns).expect("inserted")
    }

    /// Each namespace that holds anything, and its state.
    pub fn iter(&self) -> impl Iterator<Item = (&Namespace, &State)> {
        self.by.iter()
    }
}

/// Everything the control plane knows in one namespace. Each family of resources owns its part.
#[derive(Default)]
pub struct State {
    pub functions: functions::Functions,
    pub layers: layers::Layers,
    pub permissions: permissions::Permissions,
    pub event_source_mappings: event_source_mappings::EventSourceMappings,
    pub url_configs: url_configs::UrlConfigs,
    pub concurrency: concurrency::Concurrency,
    pub event_invoke_configs: event_invoke_configs::EventInvokeConfigs,
    pub code_signing: code_signing::CodeSigning,
    pub runtime_management: runtime_management::RuntimeManagement,
    pub capacity_providers: capacity_providers::CapacityProviders,
    pub durable_executions: durable_executions::DurableExecutions,
    pub tags: tags::Tags,
}

impl State {
    /// Forgets everything attached to a deleted function (or to one of its qualifiers, when
    /// `qualifier` is given).
    pub fn forget_function(&mut self, arn: &str, name: &str, qualifier: Option<&str>) {
        self.permissions.forget_function(name, qualifier);
        self.url_configs.forget_function(name, qualifier);
        self.concurrency.forget_function(name, qualifier);
        self.event_invoke_configs.forget_function(name, qualifier);
        self.runtime_management.forget_function(name, qualifier);
        self.event_source_mappings.forget_function(name, qualifier);
        self.capacity_providers.forget_function(name, qualifier);
        self.durable_executions.forget_function(name, qualifier);
        if qualifier.is_none() {
            self.tags.forget(arn);
            self.code_signing.forget_function(name);
        }
    }
}

type Job = Box<dyn FnOnce(&mut Namespaces) + Send>;

/// The actor is gone (a job panicked and took it down, or the server is shutting down).
#[derive(Debug)]
pub struct ActorGone;

impl std::fmt::Display for ActorGone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the state actor is not running")
    }
}

/// A handle on the state actor; cheap to clone.
#[derive(Clone)]
pub struct StateHandle {
    tx: mpsc::UnboundedSender<Job>,
}

impl StateHandle {
    /// Starts the actor on the current tokio runtime, every namespace empty.
    pub fn spawn() -> StateHandle {
        let (tx, mut rx) = mpsc::unbounded_channel::<Job>();
        tokio::spawn(async move {
            let mut state = Namespaces::default();
            while let Some(job) = rx.recv().await {
                // A panicking job loses its own answer but not the state of everything else.
                let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(&mut state)));
                if r.is_err() {
                    tracing::error!("a state job panicked; its request fails, the state is kept");
                }
            }
        });
        StateHandle { tx }
    }

    /// Runs `f` on the state of namespace `ns` and returns its result.
    pub async fn call<R: Send + 'static>(
        &self,
        ns: &Namespace,
        f: impl FnOnce(&mut State) -> R + Send + 'static,
    ) -> Result<R, ActorGone> {
        let ns = ns.clone();
        self.call_all(move |all| f(all.get_mut(&ns))).await
    }

    /// Runs `f` on every namespace's state (fauxlambda's own endpoints).
    pub async fn call_all<R: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Namespaces) -> R + Send + 'static,
    ) -> Result<R, ActorGone> {
        let (tx, rx) = oneshot::channel();
        self.tx
            .send(Box::new(move |s: &mut Namespaces| {
                let _ = tx.send(f(s));
            }))
            .map_err(|_| ActorGone)?;
        rx.await.map_err(|_| ActorGone)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ns(region: &str) -> Namespace {
        Namespace {
            region: region.into(),
            account: "000000000000".into(),
        }
    }

    #[tokio::test]
    async fn jobs_run_in_order_and_survive_a_panic() {
        let h = StateHandle::spawn();
        let east = ns("us-east-1");
        h.call(&east, |s| {
            s.tags
                .set("arn:x", [("a".to_string(), "1".to_string())].into_iter().collect())
        })
        .await
        .unwrap();
        assert!(h.call(&east, |_| -> () { panic!("boom") }).await.is_err());
        let tags = h.call(&east, |s| s.tags.get("arn:x")).await.unwrap();
        assert_eq!(tags.get("a").map(String::as_str), Some("1"));
        // Another region is another namespace.
        let west = h.call(&ns("eu-west-1"), |s| s.tags.get("arn:x")).await.unwrap();
        assert!(west.is_empty());
    }
}
