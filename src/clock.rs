//! The wall clock and the timestamp formats Lambda writes. Every "now" and every date string the
//! emulator produces comes from here, so a format is written once and matches AWS's everywhere it
//! appears. A leaf module: it depends on nothing else in the crate.

use smithy_server_runtime::aws_smithy_types::DateTime;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Milliseconds since the Unix epoch, now (0 should the clock read before 1970).
pub fn now_epoch_ms() -> u64 {
    epoch_ms(SystemTime::now())
}

/// `now_epoch_ms` as the signed count Smithy timestamps and the durable-execution records use.
pub fn now_epoch_ms_i64() -> i64 {
    now_epoch_ms() as i64
}

/// Milliseconds since the Unix epoch of `t` (0 before 1970).
pub fn epoch_ms(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

/// Seconds since the Unix epoch, now.
pub fn now_epoch_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// The epoch-ms instant `after` from now (an invocation's deadline).
pub fn epoch_ms_after(after: Duration) -> u64 {
    now_epoch_ms().saturating_add(after.as_millis() as u64)
}

/// Now, as a Smithy timestamp (a model member of type `Timestamp`).
pub fn now_timestamp() -> DateTime {
    timestamp(now_epoch_ms() as i64)
}

/// An epoch-ms instant as a Smithy timestamp.
pub fn timestamp(epoch_ms: i64) -> DateTime {
    DateTime::from_millis(epoch_ms)
}

/// `LastModified` of a function as Lambda writes it: `2024-01-31T12:34:56.789+0000`.
pub fn now_last_modified() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.3f+0000").to_string()
}

/// ISO-8601 with microseconds and `Z`, as Lambda writes a function URL's `CreationTime` and
/// `LastModifiedTime`: `2024-01-31T12:34:56.789012Z`.
pub fn now_iso8601_micros() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// ISO-8601 with milliseconds and `Z` of an epoch-ms instant: `2024-01-31T12:34:56.789Z`.
pub fn iso8601_ms(epoch_ms: u64) -> String {
    chrono::DateTime::<chrono::Utc>::from_timestamp_millis(epoch_ms as i64)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        .unwrap_or_default()
}

/// A function URL event's `requestContext.time` of an epoch-ms instant:
/// `12/Mar/2020:19:03:58 +0000`.
pub fn url_request_time(epoch_ms: u64) -> String {
    chrono::DateTime::<chrono::Utc>::from_timestamp_millis(epoch_ms as i64)
        .map(|t| t.format("%d/%b/%Y:%H:%M:%S +0000").to_string())
        .unwrap_or_default()
}

/// Today's date as a log stream name begins: `2024/01/31`.
pub fn log_stream_date() -> String {
    chrono::Utc::now().format("%Y/%m/%d").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(iso8601_ms(1_706_704_496_789), "2024-01-31T12:34:56.789Z");
        assert_eq!(url_request_time(1_583_348_638_390), "04/Mar/2020:19:03:58 +0000");
        assert_eq!(timestamp(1_706_704_496_789).to_millis().unwrap(), 1_706_704_496_789);
        let lm = now_last_modified();
        assert_eq!(lm.len(), "2024-01-31T12:34:56.789+0000".len(), "{lm}");
        assert!(lm.ends_with("+0000"));
        let micros = now_iso8601_micros();
        assert_eq!(micros.len(), "2024-01-31T12:34:56.789012Z".len(), "{micros}");
        assert_eq!(log_stream_date().len(), "2024/01/31".len());
        assert!(epoch_ms_after(Duration::from_secs(3)) >= now_epoch_ms() + 2_999);
    }
}
