//! Reading and writing the values bound to HTTP headers, query strings and path labels.
//!
//! This module owns the text forms of restJson1's non-body bindings: percent-decoding labels and
//! query components, splitting a query string, splitting and quoting header lists (including the
//! comma-laden lists of http-dates), strict parsing of booleans, integers and floats, and parsing
//! and formatting timestamps. Every parser returns a [`ValueError`] (never panics) on bad input; the
//! message is meant for the client, inside a `SerializationException`.
//!
//! Rules, and the protocol tests that drove them:
//!
//! * Labels: `%XX` is decoded, `+` stays `+`; a `%` that starts no valid escape stays as is; the
//!   result must be UTF-8 (`RestJsonHttpRequestLabelEscaping`).
//! * Query strings: split on `&` (empty pieces are skipped), then on the first `=`; a bare `key`
//!   gives `("key", "")` (`RestJsonServersAcceptStaticQueryParamAsEmptyString`,
//!   `RestJsonMalformedLengthQueryStringNoValue`); `+` is a space (form encoding; AWS SDKs send `%2B`
//!   for a plus, as `RestJsonQueryStringEscaping` does).
//! * Header lists: items are separated by commas; a quoted item may hold commas and `\`-escapes
//!   (`RestJsonInputAndOutputWithQuotedStringHeaders`); blank unquoted items are dropped (RFC 9110
//!   §5.6.1). Http-date lists pair up the comma-separated parts
//!   (`RestJsonInputAndOutputWithTimestampHeaders`).
//! * Booleans are exactly `true`/`false` (`Rest*BooleanStringCoercion`). Integers are an optional
//!   sign and decimal digits, in range (`Rest*{Byte,Short,Integer,Long}MalformedValueRejected`,
//!   `...UnderflowOverflow`). Floats are decimal numbers (fraction and exponent allowed) or exactly
//!   `NaN`, `Infinity`, `-Infinity` (`Rest*{Float,Double}MalformedValueRejected`,
//!   `RestJsonSupports*Float*`); values that overflow to infinity are rejected.
//! * Timestamps: `date-time` is RFC 3339 with seconds and a `Z` (`z` too), no offsets
//!   (`Rest*TimestampDefaultRejectsDifferent8601Formats`, `...RejectsUTCOffsets`); `http-date` is
//!   IMF-fixdate (optional fraction of up to 3 digits); `epoch-seconds` is `-?digits(.digits)?`
//!   (`Rest*TimestampEpochRejectsMalformedValues`), fraction digits past nanoseconds are dropped.

use std::borrow::Cow;
use std::fmt;

use aws_smithy_types::DateTime;

/// Timestamps: Smithy formats "date-time", "http-date" and "epoch-seconds".
pub use aws_smithy_types::date_time::Format as TimestampFormat;

/// Why a header/query/label value could not be read; the message is shown to the client in a SerializationException.
#[derive(Debug, Clone, PartialEq)]
pub struct ValueError(pub String);

impl fmt::Display for ValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ValueError {}

/// Longest stretch of an offending value quoted back in an error message.
const MAX_SHOWN: usize = 64;

/// The value as quoted in an error message: debug-escaped and cut short when long.
fn shown(v: &str) -> String {
    match v.char_indices().nth(MAX_SHOWN) {
        Some((cut, _)) => format!("{:?}...", &v[..cut]),
        None => format!("{v:?}"),
    }
}

fn invalid(v: &str, what: &str) -> ValueError {
    ValueError(format!("{} is not a valid {what}", shown(v)))
}

/// Percent-decodes a label or query component into UTF-8. '+' is NOT a space in paths.
///
/// A `%` not followed by two hex digits is kept as is; a result that is not UTF-8 is an error.
pub fn percent_decode(raw: &str) -> Result<String, ValueError> {
    if !raw.contains('%') {
        return Ok(raw.to_owned());
    }
    percent_encoding::percent_decode_str(raw)
        .decode_utf8()
        .map(Cow::into_owned)
        .map_err(|_| ValueError(format!("{} does not decode to valid UTF-8", shown(raw))))
}

/// Decodes one query component: `+` is a space, then `%XX` escapes.
fn decode_query_component(raw: &str) -> Result<String, ValueError> {
    if raw.contains('+') {
        percent_decode(&raw.replace('+', " "))
    } else {
        percent_decode(raw)
    }
}

/// Splits a raw query string into decoded (key, value) pairs in order; `a` alone gives ("a", "").
///
/// Empty pieces (`a=1&&b=2`, a trailing `&`) are skipped; `+` decodes to a space.
pub fn parse_query(raw: &str) -> Result<Vec<(String, String)>, ValueError> {
    let mut out = Vec::new();
    for piece in raw.split('&') {
        if piece.is_empty() {
            continue;
        }
        let (key, value) = piece.split_once('=').unwrap_or((piece, ""));
        out.push((decode_query_component(key)?, decode_query_component(value)?));
    }
    Ok(out)
}

fn is_ows(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// Splits a header list value ("a, b,c" / "\"a,b\", c" with backslash escapes inside quotes) into
/// items, trimming whitespace around unquoted items.
///
/// A blank value gives no items, and so do blank unquoted items (`a, ,b` is `[a, b]`); a quoted
/// empty item (`""`) is kept. An unterminated quote, or text after a closing quote other than
/// whitespace before the next comma, is an error.
pub fn split_header_list(value: &str) -> Result<Vec<String>, ValueError> {
    let mut out = Vec::new();
    let mut rest = value;
    loop {
        rest = rest.trim_start_matches(is_ows);
        if rest.is_empty() {
            break;
        }
        if let Some(quoted) = rest.strip_prefix('"') {
            let mut item = String::new();
            let mut chars = quoted.char_indices();
            let mut end = None;
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => match chars.next() {
                        Some((_, escaped)) => item.push(escaped),
                        None => break,
                    },
                    '"' => {
                        end = Some(i + 1);
                        break;
                    }
                    other => item.push(other),
                }
            }
            let Some(end) = end else {
                return Err(ValueError(format!(
                    "header list {} has an unterminated quoted item",
                    shown(value)
                )));
            };
            let after = quoted[end..].trim_start_matches(is_ows);
            out.push(item);
            if after.is_empty() {
                break;
            }
            match after.strip_prefix(',') {
                Some(next) => rest = next,
                None => {
                    return Err(ValueError(format!(
                        "header list {} has text after a quoted item",
                        shown(value)
                    )))
                }
            }
        } else {
            let (item, next) = match rest.split_once(',') {
                Some((item, next)) => (item, Some(next)),
                None => (rest, None),
            };
            let item = item.trim_end_matches(is_ows);
            if !item.is_empty() {
                out.push(item.to_owned());
            }
            match next {
                Some(next) => rest = next,
                None => break,
            }
        }
    }
    Ok(out)
}

/// Splits a header list of http-date timestamps ("Mon, 16 Dec 2019 23:48:18 GMT, Tue, 17 Dec 2019 23:48:18 GMT"),
/// where every date itself contains one comma.
///
/// Items are trimmed; a blank value gives no items. The dates themselves are not checked here
/// (see [`parse_timestamp`]), but an odd number of comma-separated parts is an error.
pub fn split_http_date_list(value: &str) -> Result<Vec<String>, ValueError> {
    let mut out = Vec::new();
    let mut start = 0;
    // Whether an odd number of commas has been seen: the next one ends a date.
    let mut inside_date = false;
    for (i, b) in value.bytes().enumerate() {
        if b == b',' {
            if inside_date {
                out.push(value[start..i].trim_matches(is_ows).to_owned());
                start = i + 1;
            }
            inside_date = !inside_date;
        }
    }
    let tail = value[start..].trim_matches(is_ows);
    if inside_date {
        out.push(tail.to_owned());
    } else if !tail.is_empty() {
        return Err(ValueError(format!(
            "{} is not a comma-separated list of HTTP dates",
            shown(value)
        )));
    }
    Ok(out)
}

/// Formats one item of a header list for output: quoted (with escapes) when it contains ',' or
/// '"', else as is.
///
/// Empty items and items with leading or trailing whitespace are quoted too, so that
/// [`split_header_list`] reads back exactly what was written.
pub fn quote_header_list_item(item: &str) -> Cow<'_, str> {
    let needs_quotes =
        item.is_empty() || item.contains([',', '"']) || item.starts_with(is_ows) || item.ends_with(is_ows);
    if !needs_quotes {
        return Cow::Borrowed(item);
    }
    let mut out = String::with_capacity(item.len() + 2);
    out.push('"');
    for c in item.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    Cow::Owned(out)
}

/// Exactly "true" or "false".
pub fn parse_bool(v: &str) -> Result<bool, ValueError> {
    match v {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(ValueError(format!(
            "{} is not a valid boolean (expected true or false)",
            shown(v)
        ))),
    }
}

/// An optional sign and decimal digits, within the range of `T`.
fn parse_int<T: std::str::FromStr>(v: &str, what: &str) -> Result<T, ValueError> {
    let digits = v.strip_prefix(['-', '+']).unwrap_or(v);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid(v, what));
    }
    v.parse::<T>()
        .map_err(|_| ValueError(format!("{} is out of range for a {what}", shown(v))))
}

/// A byte: an optional sign and decimal digits, -128 to 127.
pub fn parse_i8(v: &str) -> Result<i8, ValueError> {
    parse_int(v, "byte")
}

/// A short: an optional sign and decimal digits, in range.
pub fn parse_i16(v: &str) -> Result<i16, ValueError> {
    parse_int(v, "short")
}

/// An integer: an optional sign and decimal digits, in range.
pub fn parse_i32(v: &str) -> Result<i32, ValueError> {
    parse_int(v, "integer")
}

/// A long: an optional sign and decimal digits, in range.
pub fn parse_i64(v: &str) -> Result<i64, ValueError> {
    parse_int(v, "long")
}

/// Whether `v` is a plain decimal number: sign, digits with an optional fraction (at least one
/// digit in all), optional exponent.
fn is_decimal_number(v: &str) -> bool {
    let b = v.as_bytes();
    let mut i = 0;
    let digits = |i: &mut usize| {
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - start
    };
    if matches!(b.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    let mut mantissa_digits = digits(&mut i);
    if b.get(i) == Some(&b'.') {
        i += 1;
        mantissa_digits += digits(&mut i);
    }
    if mantissa_digits == 0 {
        return false;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

trait Float: std::str::FromStr + Copy {
    const NAN: Self;
    const INFINITY: Self;
    const NEG_INFINITY: Self;
    fn is_infinite(self) -> bool;
}

impl Float for f32 {
    const NAN: Self = f32::NAN;
    const INFINITY: Self = f32::INFINITY;
    const NEG_INFINITY: Self = f32::NEG_INFINITY;
    fn is_infinite(self) -> bool {
        f32::is_infinite(self)
    }
}

impl Float for f64 {
    const NAN: Self = f64::NAN;
    const INFINITY: Self = f64::INFINITY;
    const NEG_INFINITY: Self = f64::NEG_INFINITY;
    fn is_infinite(self) -> bool {
        f64::is_infinite(self)
    }
}

fn parse_float<T: Float>(v: &str, what: &str) -> Result<T, ValueError> {
    match v {
        "NaN" => return Ok(T::NAN),
        "Infinity" => return Ok(T::INFINITY),
        "-Infinity" => return Ok(T::NEG_INFINITY),
        _ => {}
    }
    if !is_decimal_number(v) {
        return Err(invalid(v, what));
    }
    match v.parse::<T>() {
        Ok(x) if !x.is_infinite() => Ok(x),
        _ => Err(ValueError(format!("{} is out of range for a {what}", shown(v)))),
    }
}

/// A float: a decimal number (fraction and exponent allowed), or "NaN", "Infinity", "-Infinity".
pub fn parse_f32(v: &str) -> Result<f32, ValueError> {
    parse_float(v, "float")
}

/// A double: a decimal number (fraction and exponent allowed), or "NaN", "Infinity", "-Infinity".
pub fn parse_f64(v: &str) -> Result<f64, ValueError> {
    parse_float(v, "double")
}

/// Formats a float for headers/query: "NaN", "Infinity", "-Infinity", else the shortest form that
/// reads back as the same value, with a ".0" on whole numbers (1.1 -> "1.1", 1.0 -> "1.0",
/// 1e-7 -> "1e-7").
pub fn format_f32(v: f32) -> String {
    if v.is_nan() {
        "NaN".to_owned()
    } else if v.is_infinite() {
        if v > 0.0 { "Infinity" } else { "-Infinity" }.to_owned()
    } else {
        format!("{v:?}")
    }
}

/// Formats a double like [`format_f32`].
pub fn format_f64(v: f64) -> String {
    if v.is_nan() {
        "NaN".to_owned()
    } else if v.is_infinite() {
        if v > 0.0 { "Infinity" } else { "-Infinity" }.to_owned()
    } else {
        format!("{v:?}")
    }
}

/// Epoch seconds: `-?digits(.digits)?`; fraction digits past nanoseconds are dropped.
fn parse_epoch_seconds(v: &str) -> Result<DateTime, ValueError> {
    let (negative, unsigned) = match v.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, v),
    };
    let (whole, fraction) = match unsigned.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (unsigned, None),
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(whole) || !fraction.is_none_or(all_digits) {
        return Err(invalid(v, "epoch-seconds timestamp"));
    }
    let out_of_range = || ValueError(format!("{} is out of range for a timestamp", shown(v)));
    let seconds: i64 = whole.parse().map_err(|_| out_of_range())?;
    let mut nanos: u32 = 0;
    let mut scale: u32 = 100_000_000;
    for digit in fraction.unwrap_or("").bytes().take(9) {
        nanos += u32::from(digit - b'0') * scale;
        scale /= 10;
    }
    let (seconds, nanos) = match (negative, nanos) {
        (false, _) => (seconds, nanos),
        (true, 0) => (-seconds, 0),
        (true, n) => ((-seconds).checked_sub(1).ok_or_else(out_of_range)?, 1_000_000_000 - n),
    };
    Ok(DateTime::from_secs_and_nanos(seconds, nanos))
}

/// Parses a timestamp in the given Smithy format: "date-time" (RFC 3339 with seconds and a `Z`;
/// offsets only with `DateTimeWithOffset`), "http-date" (IMF-fixdate) or "epoch-seconds"
/// (decimal number with optional fraction).
pub fn parse_timestamp(v: &str, format: TimestampFormat) -> Result<DateTime, ValueError> {
    let what = match format {
        TimestampFormat::EpochSeconds => return parse_epoch_seconds(v),
        TimestampFormat::DateTime | TimestampFormat::DateTimeWithOffset => "date-time timestamp",
        TimestampFormat::HttpDate => "http-date timestamp",
    };
    if v.trim() != v {
        return Err(invalid(v, what));
    }
    let normalized: Cow<'_, str> = match (format, v.strip_suffix('z')) {
        (TimestampFormat::DateTime | TimestampFormat::DateTimeWithOffset, Some(head)) => Cow::Owned(format!("{head}Z")),
        _ => Cow::Borrowed(v),
    };
    DateTime::from_str(&normalized, format).map_err(|_| invalid(v, what))
}

/// Formats a timestamp in the given Smithy format (epoch-seconds: "1576540098" or
/// "1576540098.5"). A time that the format cannot show (a year outside 1..=9999 for date-time and
/// http-date) is written as epoch-seconds.
pub fn format_timestamp(v: &DateTime, format: TimestampFormat) -> String {
    v.fmt(format).unwrap_or_else(|_| {
        v.fmt(TimestampFormat::EpochSeconds)
            .unwrap_or_else(|_| v.secs().to_string())
    })
}

#[cfg(test)]
#[path = "http_values_tests.rs"]
mod tests;
