//! When an asynchronous event's next attempt comes, and when it is too old for one (lambda-semantics
//! §5, events-urls-streaming §1.2–1.3). Function errors are retried after base × n (n attempts
//! made: ≈60 s, then ≈120 s on AWS); throttles and fauxlambda's own failures back off from 1 s
//! to 5 min (scaled like the base) without using up a retry. `MaximumEventAgeInSeconds` is a
//! look-ahead: after a failure the event is given up at once when the next attempt would come
//! too late.

use std::time::Duration;

/// AWS's base delay between attempts (the first retry ≈1 min after the first attempt).
pub const AWS_BASE_DELAY_SECS: f64 = 60.0;
/// Defaults of an event invoke config.
pub const DEFAULT_MAX_RETRIES: u32 = 2;
pub const DEFAULT_MAX_AGE_SECS: u64 = 21_600;
/// The shortest wait between two tries of a throttled event (a tiny base would spin).
const MIN_BACKOFF: Duration = Duration::from_millis(10);

/// The retry schedule of one fauxlambda (`--async-retry-base-delay`).
#[derive(Clone, Copy, Debug)]
pub struct Schedule {
    pub base: Duration,
}

impl Schedule {
    pub fn new(base_secs: f64) -> Schedule {
        Schedule {
            base: Duration::from_secs_f64(base_secs.max(0.0)),
        }
    }

    /// The wait before the attempt after the `attempts`-th failed one.
    pub fn retry_delay(&self, attempts: u32) -> Duration {
        self.base * attempts
    }

    /// The wait before trying a throttled (or not accepted) event again, the `count`-th time:
    /// 1 s, 2 s, 4 s … 5 min on AWS's scale.
    pub fn backoff(&self, count: u32) -> Duration {
        let secs = 2f64.powi(count.saturating_sub(1).min(16) as i32).min(300.0);
        let scale = self.base.as_secs_f64() / AWS_BASE_DELAY_SECS;
        Duration::from_secs_f64(secs * scale).max(MIN_BACKOFF)
    }

    /// Whether an event `age` old may still be tried after waiting `delay` (AWS rounds the age
    /// up to whole seconds: with a 60 s maximum age and the 60 s base, the first failure is final).
    pub fn in_time(&self, age: Duration, delay: Duration, max_age_secs: u64) -> bool {
        let elapsed = age.as_secs_f64().ceil();
        elapsed + delay.as_secs_f64() <= max_age_secs as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aws_schedule() {
        let s = Schedule::new(60.0);
        assert_eq!(s.retry_delay(1), Duration::from_secs(60));
        assert_eq!(s.retry_delay(2), Duration::from_secs(120));
        assert_eq!(s.backoff(1), Duration::from_secs(1));
        assert_eq!(s.backoff(4), Duration::from_secs(8));
        assert_eq!(s.backoff(20), Duration::from_secs(300));
        // Recorded: age 60 fails after the first attempt; age 90 after the second.
        let first = Duration::from_millis(300);
        assert!(!s.in_time(first, s.retry_delay(1), 60));
        assert!(s.in_time(first, s.retry_delay(1), 90));
        let second = Duration::from_millis(61_200);
        assert!(!s.in_time(second, s.retry_delay(2), 90));
        assert!(s.in_time(second, s.retry_delay(2), 21_600));
    }

    #[test]
    fn scaled_schedule() {
        let s = Schedule::new(0.5);
        assert_eq!(s.retry_delay(2), Duration::from_secs(1));
        assert_eq!(s.backoff(1), MIN_BACKOFF);
        assert_eq!(s.backoff(20), Duration::from_millis(2500));
    }
}
