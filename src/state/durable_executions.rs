//! Durable executions: their state, history and callbacks.

#[derive(Default)]
pub struct DurableExecutions {}
