//! A batch as the function receives it: the `{"Records":[…]}` event built from records already
//! in their JSON, and batches cut so that event stays within the synchronous payload limit (6 MB),
//! for every source.

use crate::api::invoke::SYNC_PAYLOAD_LIMIT;

/// Bytes of an event around its records (a tumbling window's keys included).
const ENVELOPE: usize = 1024;

/// `records` in batches of at most `size` whose event stays within 6 MB (`json`: a record's JSON).
pub fn split<T>(records: &[T], size: usize, json: impl Fn(&T) -> &str) -> Vec<&[T]> {
    let mut out = Vec::new();
    let (mut start, mut bytes) = (0, ENVELOPE);
    for (i, r) in records.iter().enumerate() {
        let len = json(r).len() + 1;
        if i > start && (i - start >= size || bytes + len > SYNC_PAYLOAD_LIMIT) {
            out.push(&records[start..i]);
            (start, bytes) = (i, ENVELOPE);
        }
        bytes += len;
    }
    if start < records.len() {
        out.push(&records[start..]);
    }
    out
}

/// `{"Records":[…]`, for more keys to follow (close it with `}`).
pub fn open_event<'a>(records: impl Iterator<Item = &'a str> + Clone) -> Vec<u8> {
    let mut out = Vec::with_capacity(16 + records.clone().map(|r| r.len() + 1).sum::<usize>());
    out.extend_from_slice(b"{\"Records\":[");
    for (i, r) in records.enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(r.as_bytes());
    }
    out.push(b']');
    out
}

/// `{"Records":[…]}`.
pub fn event<'a>(records: impl Iterator<Item = &'a str> + Clone) -> Vec<u8> {
    let mut out = open_event(records);
    out.push(b'}');
    out
}
