//! What an invocation gives back: its outcome, timings and log (`InvocationResult`), built from the
//! invocation once it has ended (`finish`), with the two figures AWS prints of it in the REPORT line
//! (Billed Duration and the line itself).

use crate::execution::invocation::{exit_error_type, InvocationOutcome};
use crate::execution::spec::FunctionSpec;
use bytes::Bytes;
use std::time::Duration;

/// The result of one invocation, with what Invoke and the logs need.
#[derive(Clone, Debug)]
pub struct InvocationResult {
    pub request_id: String,
    pub outcome: InvocationOutcome,
    /// The version that ran (`X-Amz-Executed-Version`).
    pub executed_version: String,
    pub duration: Duration,
    pub billed_duration_ms: u64,
    /// Set on a cold start.
    pub init_duration: Option<Duration>,
    pub memory_size_mb: u32,
    pub max_memory_used_mb: u64,
    /// The invocation's log: output before it (init, on a cold start), `START`, the function's
    /// lines, `END`, `REPORT`.
    pub log_lines: Vec<String>,
    /// The environment that ran it (the log stream's 32 hex digits).
    pub environment_id: String,
}

impl InvocationResult {
    /// The body the caller of Invoke receives.
    pub fn caller_payload(&self) -> Bytes {
        self.outcome.caller_payload(&self.request_id)
    }

    /// `X-Amz-Function-Error`: `Unhandled` for every failure.
    pub fn function_error(&self) -> Option<&'static str> {
        self.outcome.is_function_error().then_some("Unhandled")
    }

    /// The last `max_bytes` of the log (for `X-Amz-Log-Result`, 4096), lines ending in `\n`.
    pub fn log_tail(&self, max_bytes: usize) -> String {
        let mut text = String::new();
        for l in &self.log_lines {
            text.push_str(l);
            text.push('\n');
        }
        let mut start = text.len().saturating_sub(max_bytes);
        while !text.is_char_boundary(start) {
            start += 1;
        }
        text[start..].to_owned()
    }
}

/// Billed Duration: the duration rounded up to the millisecond, init included on a cold start
/// (lambda-semantics §4.4, captures since mid-2025).
pub(super) fn billed_ms(duration: Duration, init: Option<Duration>) -> u64 {
    let total = duration + init.unwrap_or_default();
    (total.as_nanos().div_ceil(1_000_000) as u64).max(1)
}

/// AWS's REPORT line (tab separated, trailing tab; `Init Duration` only on cold starts;
/// `Status: timeout` after a timeout).
pub(super) fn report_line(
    request_id: &str,
    duration: Duration,
    billed: u64,
    memory: u32,
    used: u64,
    init: Option<Duration>,
    outcome: &InvocationOutcome,
) -> String {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let mut line = format!(
        "REPORT RequestId: {request_id}\tDuration: {:.2} ms\tBilled Duration: {billed} ms\tMemory Size: {memory} MB\tMax Memory Used: {used} MB\t",
        ms(duration)
    );
    if let Some(i) = init {
        line.push_str(&format!("Init Duration: {:.2} ms\t", ms(i)));
    }
    match outcome {
        InvocationOutcome::Timeout { .. } => line.push_str("Status: timeout"),
        // (unverified) the form seen in CloudWatch for crashed runtimes.
        InvocationOutcome::RuntimeExited { out_of_memory, .. } => {
            line.push_str("Status: error\tError Type: ");
            line.push_str(exit_error_type(*out_of_memory));
        }
        _ => {}
    }
    line
}

/// An invocation that has ended, before its END and REPORT lines.
pub(super) struct Ended<'a> {
    pub(super) spec: &'a FunctionSpec,
    pub(super) request_id: &'a str,
    pub(super) outcome: InvocationOutcome,
    /// Its log up to here.
    pub(super) log: Vec<String>,
    pub(super) duration: Duration,
    pub(super) init: Option<Duration>,
    pub(super) max_memory: u64,
    pub(super) env_id: &'a str,
}

/// Its result: the log closed with END and REPORT, the durations billed.
pub(super) fn finish(ended: Ended<'_>) -> InvocationResult {
    let Ended {
        spec,
        request_id,
        outcome,
        mut log,
        duration,
        init,
        max_memory,
        env_id,
    } = ended;
    let billed = billed_ms(duration, init);
    log.push(format!("END RequestId: {request_id}"));
    log.push(report_line(
        request_id,
        duration,
        billed,
        spec.memory_mb,
        max_memory,
        init,
        &outcome,
    ));
    InvocationResult {
        request_id: request_id.to_owned(),
        outcome,
        executed_version: spec.version.clone(),
        duration,
        billed_duration_ms: billed,
        init_duration: init,
        memory_size_mb: spec.memory_mb,
        max_memory_used_mb: max_memory,
        log_lines: log,
        environment_id: env_id.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(v: f64) -> Duration {
        Duration::from_secs_f64(v / 1000.0)
    }

    #[test]
    fn billed_duration_rounds_up_and_counts_init() {
        assert_eq!(billed_ms(ms(15.74), None), 16);
        assert_eq!(billed_ms(ms(2.0), None), 2);
        assert_eq!(billed_ms(Duration::from_nanos(10), None), 1);
        assert_eq!(billed_ms(ms(0.35), Some(ms(114.76))), 116);
    }

    #[test]
    fn report_line_is_awss_tab_separated_form() {
        let ok = InvocationOutcome::Response(Bytes::from_static(b"{}"));
        assert_eq!(
            report_line("r1", ms(15.74), 16, 128, 56, None, &ok),
            "REPORT RequestId: r1\tDuration: 15.74 ms\tBilled Duration: 16 ms\tMemory Size: 128 MB\tMax Memory Used: 56 MB\t"
        );
        assert_eq!(
            report_line("r1", ms(15.74), 147, 128, 56, Some(ms(130.49)), &ok),
            "REPORT RequestId: r1\tDuration: 15.74 ms\tBilled Duration: 147 ms\tMemory Size: 128 MB\tMax Memory Used: 56 MB\tInit Duration: 130.49 ms\t"
        );
        let timeout = InvocationOutcome::Timeout {
            timeout: Duration::from_secs(3),
        };
        assert!(report_line("r1", Duration::from_secs(3), 3000, 128, 56, None, &timeout)
            .ends_with("Max Memory Used: 56 MB\tStatus: timeout"));
    }

    #[test]
    fn log_tail_keeps_the_last_bytes_on_a_character_boundary() {
        let result = InvocationResult {
            request_id: "r1".into(),
            outcome: InvocationOutcome::Response(Bytes::new()),
            executed_version: "$LATEST".into(),
            duration: Duration::ZERO,
            billed_duration_ms: 1,
            init_duration: None,
            memory_size_mb: 128,
            max_memory_used_mb: 1,
            log_lines: vec!["first".into(), "é-second".into()],
            environment_id: String::new(),
        };
        assert_eq!(result.log_tail(4096), "first\né-second\n");
        // 9 bytes from the end falls inside `é` (2 bytes): the tail starts after it.
        assert_eq!(result.log_tail(9), "-second\n");
        assert_eq!(result.log_tail(10), "é-second\n");
    }
}
