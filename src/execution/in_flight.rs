//! The invocations in flight per function, which a function's reserved concurrency limits: each is
//! a `Slot`, counted until it is dropped.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// How many invocations of each function are in flight (functions with none are not listed).
#[derive(Default)]
pub struct InFlight {
    counts: Mutex<HashMap<String, usize>>,
}

/// An invocation slot of a function; the count goes down when it is dropped.
pub struct Slot {
    in_flight: Arc<InFlight>,
    function: String,
}

impl InFlight {
    /// Takes an invocation slot unless `limit` (the function's reserved concurrency) are in use.
    pub fn try_slot(self: &Arc<Self>, function: &str, limit: Option<i32>) -> Option<Slot> {
        let mut m = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        let n = m.entry(function.to_string()).or_insert(0);
        if limit.is_some_and(|l| *n as i64 >= l as i64) {
            if *n == 0 {
                m.remove(function);
            }
            return None;
        }
        *n += 1;
        Some(Slot {
            in_flight: self.clone(),
            function: function.to_string(),
        })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut m = self.in_flight.counts.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = m.get_mut(&self.function) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                m.remove(&self.function);
            }
        }
    }
}
