//! Unit tests of `http_values`.

use super::*;

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

#[test]
fn percent_decode_labels() {
    // RestJsonHttpRequestLabelEscaping
    assert_eq!(
        percent_decode("%20%25%3A%2F%3F%23%5B%5D%40%21%24%26%27%28%29%2A%2B%2C%3B%3D%F0%9F%98%B9").unwrap(),
        " %:/?#[]@!$&'()*+,;=😹"
    );
    // RestJsonHttpRequestWithGreedyLabelInPath
    assert_eq!(percent_decode("hello%2Fescape").unwrap(), "hello/escape");
    assert_eq!(percent_decode("there/guy").unwrap(), "there/guy");
    assert_eq!(
        percent_decode("Mon%2C%2016%20Dec%202019%2023%3A48%3A18%20GMT").unwrap(),
        "Mon, 16 Dec 2019 23:48:18 GMT"
    );
    assert_eq!(percent_decode("a+b").unwrap(), "a+b");
    assert_eq!(percent_decode("%e2%88%82").unwrap(), "∂");
    assert_eq!(percent_decode("").unwrap(), "");
    assert_eq!(percent_decode("é").unwrap(), "é");
    // Stray percent signs are kept.
    assert_eq!(percent_decode("100%").unwrap(), "100%");
    assert_eq!(percent_decode("%zz%4").unwrap(), "%zz%4");
    // Not UTF-8.
    assert!(percent_decode("%FF").is_err());
    assert!(percent_decode("%C3").is_err());
    assert!(percent_decode("%F0%9F%98").is_err());
}

#[test]
fn query_strings() {
    // RestJsonAllQueryStringTypes (excerpt)
    assert_eq!(
        parse_query("String=Hello%20there&StringList=a&StringList=b&Timestamp=1970-01-01T00%3A00%3A01Z").unwrap(),
        pairs(&[
            ("String", "Hello there"),
            ("StringList", "a"),
            ("StringList", "b"),
            ("Timestamp", "1970-01-01T00:00:01Z"),
        ])
    );
    // RestJsonQueryStringEscaping
    assert_eq!(
        parse_query("String=%20%25%3A%2F%3F%23%5B%5D%40%21%24%26%27%28%29%2A%2B%2C%3B%3D%F0%9F%98%B9").unwrap(),
        pairs(&[("String", " %:/?#[]@!$&'()*+,;=😹")])
    );
    // RestJsonServersAcceptStaticQueryParamAsEmptyString, RestJsonSerializesEmptyQueryValue
    assert_eq!(parse_query("Empty").unwrap(), pairs(&[("Empty", "")]));
    assert_eq!(parse_query("Empty=").unwrap(), pairs(&[("Empty", "")]));
    // RestJsonConstantQueryString
    assert_eq!(
        parse_query("foo=bar&hello").unwrap(),
        pairs(&[("foo", "bar"), ("hello", "")])
    );
    assert_eq!(parse_query("").unwrap(), pairs(&[]));
    assert_eq!(parse_query("&&a=1&&b=2&").unwrap(), pairs(&[("a", "1"), ("b", "2")]));
    assert_eq!(parse_query("a=1=2").unwrap(), pairs(&[("a", "1=2")]));
    assert_eq!(parse_query("=x").unwrap(), pairs(&[("", "x")]));
    assert_eq!(parse_query("a+b=c+d%2Be").unwrap(), pairs(&[("a b", "c d+e")]));
    assert_eq!(parse_query("a=%").unwrap(), pairs(&[("a", "%")]));
    assert!(parse_query("a=%FF").is_err());
    assert!(parse_query("%C3=1").is_err());
}

#[test]
fn header_lists() {
    // RestJsonInputAndOutputWithStringHeaders
    assert_eq!(split_header_list("a, b, c").unwrap(), strings(&["a", "b", "c"]));
    assert_eq!(split_header_list("a,b,c").unwrap(), strings(&["a", "b", "c"]));
    // RestJsonInputAndOutputWithQuotedStringHeaders
    assert_eq!(
        split_header_list(r#""b,c", "\"def\"", a"#).unwrap(),
        strings(&["b,c", "\"def\"", "a"])
    );
    // RestJsonInputAndOutputWithNumericHeaders / BooleanHeaders
    assert_eq!(split_header_list("1, 2, 3").unwrap(), strings(&["1", "2", "3"]));
    assert_eq!(
        split_header_list("true, false, true").unwrap(),
        strings(&["true", "false", "true"])
    );
    assert_eq!(split_header_list("").unwrap(), strings(&[]));
    assert_eq!(split_header_list("  \t ").unwrap(), strings(&[]));
    assert_eq!(split_header_list("a").unwrap(), strings(&["a"]));
    assert_eq!(split_header_list(" a b ,\tc ").unwrap(), strings(&["a b", "c"]));
    assert_eq!(split_header_list("a, ,b,").unwrap(), strings(&["a", "b"]));
    assert_eq!(split_header_list(",a").unwrap(), strings(&["a"]));
    assert_eq!(split_header_list(r#""""#).unwrap(), strings(&[""]));
    assert_eq!(split_header_list(r#""", a"#).unwrap(), strings(&["", "a"]));
    assert_eq!(split_header_list(r#""  x  " ,y"#).unwrap(), strings(&["  x  ", "y"]));
    assert_eq!(split_header_list(r#""a\\b\c""#).unwrap(), strings(&[r"a\bc"]));
    assert_eq!(split_header_list(r#"a"b, c"#).unwrap(), strings(&[r#"a"b"#, "c"]));
    assert_eq!(split_header_list(r"a\b").unwrap(), strings(&[r"a\b"]));
    assert_eq!(split_header_list(r#""é,ü""#).unwrap(), strings(&["é,ü"]));
    assert!(split_header_list(r#""abc"#).is_err());
    assert!(split_header_list(r#""abc\"#).is_err());
    assert!(split_header_list(r#""abc\""#).is_err());
    assert!(split_header_list(r#""a"b, c"#).is_err());
    assert!(split_header_list(r#"x, "a" "b""#).is_err());
}

#[test]
fn quoting_round_trips() {
    assert_eq!(quote_header_list_item("a"), "a");
    assert!(matches!(quote_header_list_item("a b"), Cow::Borrowed(_)));
    assert_eq!(quote_header_list_item("b,c"), r#""b,c""#);
    assert_eq!(quote_header_list_item("\"def\""), r#""\"def\"""#);
    assert_eq!(quote_header_list_item(""), r#""""#);
    assert_eq!(quote_header_list_item(" x"), r#"" x""#);
    assert_eq!(quote_header_list_item(r#"a\",b"#), r#""a\\\",b""#);
    // RestJsonInputAndOutputWithQuotedStringHeaders (response side)
    let items = ["b,c", "\"def\"", "a"];
    let joined = items
        .iter()
        .map(|i| quote_header_list_item(i))
        .collect::<Vec<_>>()
        .join(", ");
    assert_eq!(joined, r#""b,c", "\"def\"", a"#);
    let tricky = ["", " padded ", "a,b", "q\"uote", r"back\slash", "plain", "é"];
    let joined = tricky
        .iter()
        .map(|i| quote_header_list_item(i))
        .collect::<Vec<_>>()
        .join(", ");
    assert_eq!(split_header_list(&joined).unwrap(), strings(&tricky));
}

#[test]
fn http_date_lists() {
    // RestJsonInputAndOutputWithTimestampHeaders
    assert_eq!(
        split_http_date_list("Mon, 16 Dec 2019 23:48:18 GMT, Mon, 16 Dec 2019 23:48:18 GMT").unwrap(),
        strings(&["Mon, 16 Dec 2019 23:48:18 GMT", "Mon, 16 Dec 2019 23:48:18 GMT"])
    );
    assert_eq!(
        split_http_date_list("Mon, 16 Dec 2019 23:48:18 GMT,Tue, 17 Dec 2019 23:48:18 GMT").unwrap(),
        strings(&["Mon, 16 Dec 2019 23:48:18 GMT", "Tue, 17 Dec 2019 23:48:18 GMT"])
    );
    assert_eq!(
        split_http_date_list("Mon, 16 Dec 2019 23:48:18 GMT").unwrap(),
        strings(&["Mon, 16 Dec 2019 23:48:18 GMT"])
    );
    assert_eq!(
        split_http_date_list(" Mon, 16 Dec 2019 23:48:18 GMT, ").unwrap(),
        strings(&["Mon, 16 Dec 2019 23:48:18 GMT"])
    );
    assert_eq!(split_http_date_list("").unwrap(), strings(&[]));
    assert_eq!(split_http_date_list("  ").unwrap(), strings(&[]));
    assert!(split_http_date_list("Mon, 16 Dec 2019 23:48:18 GMT, Tue").is_err());
    assert!(split_http_date_list("1576540098").is_err());
    for item in split_http_date_list("Mon, 16 Dec 2019 23:48:18 GMT, Tue, 17 Dec 2019 23:48:18 GMT").unwrap() {
        assert!(parse_timestamp(&item, TimestampFormat::HttpDate).is_ok());
    }
}

const COERCIONS: &[&str] = &[
    "True", "TRUE", "y", "Y", "yes", "Yes", "YES", "1", "on", "On", "ON", "False", "FALSE", "n", "N", "no", "No", "NO",
    "0", "off", "Off", "OFF",
];

#[test]
fn booleans() {
    assert_eq!(parse_bool("true"), Ok(true));
    assert_eq!(parse_bool("false"), Ok(false));
    // Rest{Path,Query,Header}BooleanStringCoercion
    for v in COERCIONS.iter().chain(&["", " true", "true ", "t", "f"]) {
        assert!(parse_bool(v).is_err(), "{v:?}");
    }
    assert!(parse_bool("yes").unwrap_err().0.contains("\"yes\""));
}

const MALFORMED_INTEGERS: &[&str] = &["true", "1.001", "2ABC", "0x42", "Infinity", "-Infinity", "NaN"];

#[test]
fn integers() {
    assert_eq!(parse_i8("1"), Ok(1));
    assert_eq!(parse_i8("-128"), Ok(-128));
    assert_eq!(parse_i8("127"), Ok(127));
    assert_eq!(parse_i8("+5"), Ok(5));
    assert_eq!(parse_i16("123"), Ok(123));
    assert_eq!(parse_i32("0"), Ok(0));
    assert_eq!(parse_i32("-0"), Ok(0));
    assert_eq!(parse_i32("007"), Ok(7));
    assert_eq!(parse_i32("2147483647"), Ok(i32::MAX));
    assert_eq!(parse_i64("-9223372036854775808"), Ok(i64::MIN));
    assert_eq!(parse_i64("123"), Ok(123));

    // Rest*{Byte,Short,Integer,Long}MalformedValueRejected, plus the brief's examples.
    let others = [
        "1.0", " 1", "1 ", "0x1", "1e2", "", "-", "+", "--1", "+-1", "1_000", "١",
    ];
    for v in MALFORMED_INTEGERS.iter().chain(&others) {
        assert!(parse_i8(v).is_err(), "i8 {v:?}");
        assert!(parse_i16(v).is_err(), "i16 {v:?}");
        assert!(parse_i32(v).is_err(), "i32 {v:?}");
        assert!(parse_i64(v).is_err(), "i64 {v:?}");
    }
    // Rest*ByteUnderflowOverflow
    for v in [
        "256",
        "-256",
        "128",
        "-129",
        "-9223372000000000000",
        "9223372000000000000",
        "123000000000000000000000",
    ] {
        assert!(parse_i8(v).is_err(), "{v:?}");
    }
    // Rest*ShortUnderflowOverflow
    for v in [
        "40000",
        "-40000",
        "-9223372000000000000",
        "9223372000000000000",
        "123000000000000000000000",
    ] {
        assert!(parse_i16(v).is_err(), "{v:?}");
    }
    // Rest*IntegerUnderflowOverflow
    for v in [
        "-9223372000000000000",
        "9223372000000000000",
        "123000000000000000000000",
        "2147483648",
    ] {
        assert!(parse_i32(v).is_err(), "{v:?}");
    }
    // Rest*LongUnderflowOverflow
    for v in [
        "-184467440737095500000",
        "184467440737095500000",
        "123000000000000000000000",
        "9223372036854775808",
    ] {
        assert!(parse_i64(v).is_err(), "{v:?}");
    }
    assert!(parse_i8("256").unwrap_err().0.contains("out of range"));
    assert!(parse_i8("0x42").unwrap_err().0.contains("not a valid byte"));
}

#[test]
fn floats() {
    assert_eq!(parse_f32("1.1"), Ok(1.1));
    assert_eq!(parse_f64("1.1"), Ok(1.1));
    assert_eq!(parse_f64("4.1"), Ok(4.1));
    assert_eq!(parse_f64("-5"), Ok(-5.0));
    assert_eq!(parse_f64("+5"), Ok(5.0));
    assert_eq!(parse_f64("1e2"), Ok(100.0));
    assert_eq!(parse_f64("1.5E-2"), Ok(0.015));
    assert_eq!(parse_f64(".5"), Ok(0.5));
    assert_eq!(parse_f64("5."), Ok(5.0));
    assert_eq!(parse_f64("1e-400"), Ok(0.0));
    // RestJsonSupports{NaN,Infinity,NegativeInfinity}Float{Labels,QueryValues,HeaderInputs}
    assert!(parse_f32("NaN").unwrap().is_nan());
    assert!(parse_f64("NaN").unwrap().is_nan());
    assert_eq!(parse_f32("Infinity"), Ok(f32::INFINITY));
    assert_eq!(parse_f64("Infinity"), Ok(f64::INFINITY));
    assert_eq!(parse_f32("-Infinity"), Ok(f32::NEG_INFINITY));
    assert_eq!(parse_f64("-Infinity"), Ok(f64::NEG_INFINITY));
    // Rest*{Float,Double}MalformedValueRejected, and other spellings Rust would accept.
    for v in [
        "true",
        "2ABC",
        "0x42",
        "",
        "-",
        ".",
        "e5",
        "1e",
        "1e+",
        "1.2.3",
        " 1",
        "1 ",
        "nan",
        "inf",
        "infinity",
        "-inf",
        "+Infinity",
        "+NaN",
        "-NaN",
        "INFINITY",
        "1,5",
        "1_0",
    ] {
        assert!(parse_f32(v).is_err(), "f32 {v:?}");
        assert!(parse_f64(v).is_err(), "f64 {v:?}");
    }
    // Finite text that overflows.
    assert!(parse_f32("3.5e38").is_err());
    assert!(parse_f64("1e400").is_err());
    assert!(parse_f64("-1e400").is_err());
    assert_eq!(parse_f64("1e308"), Ok(1e308));
}

#[test]
fn float_formatting() {
    // RestJsonInputAndOutputWithNumericHeaders, RestJsonSupports*FloatHeaderOutputs
    assert_eq!(format_f32(1.1), "1.1");
    assert_eq!(format_f64(1.1), "1.1");
    assert_eq!(format_f32(f32::NAN), "NaN");
    assert_eq!(format_f64(f64::NAN), "NaN");
    assert_eq!(format_f32(f32::INFINITY), "Infinity");
    assert_eq!(format_f64(f64::INFINITY), "Infinity");
    assert_eq!(format_f32(f32::NEG_INFINITY), "-Infinity");
    assert_eq!(format_f64(f64::NEG_INFINITY), "-Infinity");
    assert_eq!(format_f64(1.0), "1.0");
    assert_eq!(format_f64(-0.0), "-0.0");
    assert_eq!(format_f64(0.1), "0.1");
    assert_eq!(format_f32(0.1), "0.1");
    // Every output reads back as the same value.
    for x in [
        1.1,
        1.0,
        1e-7,
        1e21,
        123456789.125,
        f64::MAX,
        f64::MIN_POSITIVE,
        -2.5e-300,
    ] {
        assert_eq!(parse_f64(&format_f64(x)), Ok(x), "{x}");
    }
    for x in [1.1f32, 3.4e38, 1e-40, 16777216.0, -0.5] {
        assert_eq!(parse_f32(&format_f32(x)), Ok(x), "{x}");
    }
}

fn ts(secs: i64, nanos: u32) -> DateTime {
    DateTime::from_secs_and_nanos(secs, nanos)
}

#[test]
fn timestamps_parse() {
    use TimestampFormat::*;
    // RestJsonTimestampFormatHeaders, RestJsonHttpRequestWithLabelsAndTimestampFormat
    assert_eq!(parse_timestamp("1576540098", EpochSeconds), Ok(ts(1576540098, 0)));
    assert_eq!(
        parse_timestamp("Mon, 16 Dec 2019 23:48:18 GMT", HttpDate),
        Ok(ts(1576540098, 0))
    );
    assert_eq!(parse_timestamp("2019-12-16T23:48:18Z", DateTime), Ok(ts(1576540098, 0)));
    assert_eq!(parse_timestamp("1970-01-01T00:00:01Z", DateTime), Ok(ts(1, 0)));
    assert_eq!(
        parse_timestamp("1985-04-12T23:20:50.52Z", DateTime),
        Ok(ts(482196050, 520_000_000))
    );
    assert_eq!(parse_timestamp("2019-12-16t23:48:18z", DateTime), Ok(ts(1576540098, 0)));
    assert_eq!(
        parse_timestamp("Sun, 02 Jan 2000 20:34:56.000 GMT", HttpDate),
        Ok(ts(946845296, 0))
    );
    assert_eq!(
        parse_timestamp("1996-12-19T16:39:57-08:00", DateTimeWithOffset),
        Ok(ts(851042397, 0))
    );

    // Epoch seconds with fractions.
    assert_eq!(
        parse_timestamp("1515531081.1234", EpochSeconds),
        Ok(ts(1515531081, 123_400_000))
    );
    assert_eq!(
        parse_timestamp("1515531081.123456789", EpochSeconds),
        Ok(ts(1515531081, 123_456_789))
    );
    assert_eq!(
        parse_timestamp("1515531081.1234567891", EpochSeconds),
        Ok(ts(1515531081, 123_456_789))
    );
    assert_eq!(parse_timestamp("-1.5", EpochSeconds), Ok(ts(-2, 500_000_000)));
    assert_eq!(parse_timestamp("-1", EpochSeconds), Ok(ts(-1, 0)));
    assert_eq!(parse_timestamp("-0.0", EpochSeconds), Ok(ts(0, 0)));
    assert_eq!(parse_timestamp("0", EpochSeconds), Ok(ts(0, 0)));

    // Rest{Header,Path,Query}TimestampEpochRejectsMalformedValues, ...EpochRejectsDateTime,
    // ...EpochRejectsHttpDate
    for v in [
        "true",
        "1515531081ABC",
        "0x42",
        "1515531081.123.456",
        "Infinity",
        "-Infinity",
        "NaN",
        "1985-04-12T23:20:50.52Z",
        "1985-04-12T23:20:50Z",
        "1996-12-19T16:39:57-08:00",
        "Tue, 29 Apr 2014 18:30:38 GMT",
        "Sun, 02 Jan 2000 20:34:56.000 GMT",
        "",
        "-",
        "1.",
        ".5",
        "+1",
        "1e9",
        " 1",
        "1 ",
        "--1",
        "1.-5",
        "9223372036854775808",
    ] {
        assert!(parse_timestamp(v, EpochSeconds).is_err(), "epoch {v:?}");
    }
    assert!(parse_timestamp("-9223372036854775808.5", EpochSeconds).is_err());

    // Rest*TimestampDateTimeRejectsHttpDate / RejectsEpochSeconds / RejectsDifferent8601Formats,
    // Rest*TimestampDefaultRejectsUTCOffsets (path and query default to date-time).
    for v in [
        "Tue, 29 Apr 2014 18:30:38 GMT",
        "Sun, 02 Jan 2000 20:34:56.000 GMT",
        "1515531081.1234",
        "1515531081",
        "1996-12-19T16:39:57+00",
        "1996-12-19T16:39:57+00Z",
        "1996-12-19T16:39:57",
        "1996-12-19T163957",
        "19961219T163957Z",
        "19961219T163957",
        "19961219T16:39:57Z",
        "19961219T16:39:57",
        "1996-12-19T16:39Z",
        "1996-12-19T16:39",
        "1996-12-19T1639",
        "1996-12-19T16Z",
        "1996-12-19T16",
        "1996-12-19 16:39:57Z",
        "2011-12-03T10:15:30+01:00[Europe/Paris]",
        "1996-12-19T16:39:57-08:00",
        "1996-12-19T16:39:57+00:00",
        " 1996-12-19T16:39:57Z",
        "1996-12-19T16:39:57Z ",
        "1996-13-19T16:39:57Z",
        "",
        "z",
        "é",
    ] {
        assert!(parse_timestamp(v, DateTime).is_err(), "date-time {v:?}");
    }

    // Rest*TimestampDefaultRejectsDateTime / RejectsEpochSeconds (headers default to
    // http-date), Rest*TimestampHttpDateRejectsDateTime / RejectsEpochSeconds.
    for v in [
        "1985-04-12T23:20:50.52Z",
        "1985-04-12T23:20:50Z",
        "1996-12-19T16:39:57-08:00",
        "1515531081.1234",
        "1515531081",
        "Mon, 16 Dec 2019 23:48:18 UTC",
        "Mon, 16 Dec 2019 23:48:18",
        "Mon, 16 Foo 2019 23:48:18 GMT",
        "Mon, 16 Dec 2019 23:48:18.1234 GMT",
        "Mon, 16 Dec 2019 23:48:18. GMT",
        "Mon, 32 Dec 2019 23:48:18 GMT",
        " Mon, 16 Dec 2019 23:48:18 GMT",
        "",
        "ü",
    ] {
        assert!(parse_timestamp(v, HttpDate).is_err(), "http-date {v:?}");
    }
    assert!(parse_timestamp("yes", DateTime)
        .unwrap_err()
        .0
        .contains("not a valid date-time timestamp"));
}

#[test]
fn timestamps_format() {
    use TimestampFormat::*;
    // RestJsonTimestampFormatHeaders (response side)
    let t = ts(1576540098, 0);
    assert_eq!(format_timestamp(&t, EpochSeconds), "1576540098");
    assert_eq!(format_timestamp(&t, HttpDate), "Mon, 16 Dec 2019 23:48:18 GMT");
    assert_eq!(format_timestamp(&t, DateTime), "2019-12-16T23:48:18Z");
    let t = ts(1576540098, 500_000_000);
    assert_eq!(format_timestamp(&t, EpochSeconds), "1576540098.5");
    assert_eq!(format_timestamp(&t, DateTime), "2019-12-16T23:48:18.5Z");
    assert_eq!(format_timestamp(&ts(-2, 500_000_000), EpochSeconds), "-1.5");
    // Outside what date-time and http-date can show: epoch seconds instead.
    let far = ts(i64::MAX, 0);
    assert_eq!(format_timestamp(&far, DateTime), i64::MAX.to_string());
    assert_eq!(format_timestamp(&far, HttpDate), i64::MAX.to_string());
    assert_eq!(format_timestamp(&ts(i64::MIN, 0), HttpDate), i64::MIN.to_string());
    // Round trips.
    for (secs, nanos) in [(0, 0), (1, 0), (1576540098, 123_000_000), (253402300799, 0)] {
        let t = ts(secs, nanos);
        for format in [EpochSeconds, DateTime, HttpDate] {
            let text = format_timestamp(&t, format);
            let back = parse_timestamp(&text, format).unwrap();
            if format == HttpDate {
                assert_eq!(back.secs(), secs, "{text}");
            } else {
                assert_eq!(back, t, "{text}");
            }
        }
    }
}

#[test]
fn arbitrary_inputs_do_not_panic() {
    let alphabet = [
        '0', '1', '9', '.', '-', '+', 'e', 'T', 'Z', ':', ',', ' ', '"', '\\', '%', 'F', 'é', 'G', 'M', '&', '=',
    ];
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    for len in 0..2000 {
        let mut s = String::new();
        for _ in 0..(len % 40) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            s.push(alphabet[(state % alphabet.len() as u64) as usize]);
        }
        let _ = percent_decode(&s);
        let _ = parse_query(&s);
        let _ = split_header_list(&s);
        let _ = split_http_date_list(&s);
        let _ = quote_header_list_item(&s);
        let _ = parse_bool(&s);
        let _ = parse_i8(&s);
        let _ = parse_i16(&s);
        let _ = parse_i32(&s);
        let _ = parse_i64(&s);
        let _ = parse_f32(&s);
        let _ = parse_f64(&s);
        for format in [
            TimestampFormat::EpochSeconds,
            TimestampFormat::DateTime,
            TimestampFormat::DateTimeWithOffset,
            TimestampFormat::HttpDate,
        ] {
            if let Ok(t) = parse_timestamp(&s, format) {
                let _ = format_timestamp(&t, format);
            }
        }
    }
    let long = "9".repeat(10_000);
    assert!(parse_i64(&long).is_err());
    assert!(parse_timestamp(&long, TimestampFormat::EpochSeconds).is_err());
    assert!(parse_f64(&long).is_err());
    assert!(parse_bool(&long).unwrap_err().0.len() < 150);
}
