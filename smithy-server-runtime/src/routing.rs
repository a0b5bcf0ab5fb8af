//! Matching requests to operations: parsing Smithy `@http` URI patterns and routing.
//!
//! This module owns [`UriPattern`] (one operation's `uri`, e.g.
//! `/2015-03-31/functions/{FunctionName}/invocations` or `/2018-10-31/layers?find=LayerVersion`)
//! and [`Router`] (the table of every operation of a service, ordered by specificity).
//!
//! Rules (Smithy HTTP binding spec, checked against the restJson1 protocol tests):
//!
//! * A pattern starts with `/`; its path is split on `/` into segments that are literals,
//!   labels (`{name}`, one non-empty segment) or at most one greedy label (`{name+}`, one or more
//!   segments, which may be followed by more segments). Labels must span a whole segment.
//! * The query part of a pattern holds literals: `key=value` (that pair must be present) or a bare
//!   `key` (the key must merely be present, with any value). Other query parameters are allowed.
//! * Literal segments are compared byte for byte with the raw (still percent-encoded) request path;
//!   label values are returned raw, so `hello%2Fescape` stays one label value
//!   (`RestJsonHttpRequestWithGreedyLabelInPath`). Query keys and values are compared after
//!   decoding (`%XX`, and `+` as a space, as in `parse_query`).
//! * The request paths `""` and `"/"` are both the root. One trailing slash is insignificant on both
//!   patterns and requests (`/2015-03-31/functions/` is ListFunctions, as the AWS CLI sends it).
//!   Other empty segments (`//`) are kept as empty segments, which match no literal or label.
//! * Nothing here panics on any input; routing allocates only the returned label vector (plus a
//!   scratch vector for paths of more than 16 segments).

use std::cmp::Ordering;
use std::fmt;

/// One segment of a pattern's path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(Box<str>),
    Label,
    Greedy,
}

impl Segment {
    /// Lower is more specific.
    fn rank(&self) -> u8 {
        match self {
            Segment::Literal(_) => 0,
            Segment::Label => 1,
            Segment::Greedy => 2,
        }
    }
}

/// One query literal of a pattern, already decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
struct QueryLiteral {
    key: Box<str>,
    /// `None` for a bare key, which must merely be present.
    value: Option<Box<str>>,
}

/// One `@http` URI pattern of an operation, e.g. "/2015-03-31/functions/{FunctionName}/invocations",
/// "/HttpRequestWithGreedyLabelInPath/foo/{foo}/baz/{baz+}", "/2018-10-31/layers?find=LayerVersion",
/// "/foo/{bar}?List=ALL&flag" (query literals: `key=value` or a bare `key` that must merely be present).
#[derive(Debug, Clone)]
pub struct UriPattern {
    text: Box<str>,
    segments: Vec<Segment>,
    /// Names of the labels, in order (without the `+` of a greedy label).
    label_names: Vec<Box<str>>,
    /// Index in `segments` of the greedy label, if any.
    greedy: Option<usize>,
    query: Vec<QueryLiteral>,
    literal_count: usize,
}

/// Strips one leading `/` and one trailing `/` (the latter only when something else is left),
/// giving the text whose `/`-separated parts are the segments. `""` and `"/"` give `""` (the root).
fn path_body(path: &str) -> &str {
    let body = path.strip_prefix('/').unwrap_or(path);
    if body.len() > 1 {
        body.strip_suffix('/').unwrap_or(body)
    } else {
        body
    }
}

fn is_label_name(name: &str) -> bool {
    let mut chars = name.chars();
    match chars.next() {
        Some(c) if c.is_ascii_alphabetic() || c == '_' => {}
        _ => return false,
    }
    chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Decodes a query component (`%XX` escapes, `+` as a space; a `%` that does not start a valid
/// escape stays as is) into bytes, calling `f` for each decoded byte; stops when `f` returns false.
fn for_each_decoded_query_byte(raw: &str, mut f: impl FnMut(u8) -> bool) -> bool {
    let bytes = raw.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let (decoded, width) = match b {
            b'+' => (b' ', 1),
            b'%' => match (
                bytes.get(i + 1).copied().and_then(hex_value),
                bytes.get(i + 2).copied().and_then(hex_value),
            ) {
                (Some(hi), Some(lo)) => ((hi << 4) | lo, 3),
                _ => (b'%', 1),
            },
            other => (other, 1),
        };
        if !f(decoded) {
            return false;
        }
        i += width;
    }
    true
}

/// Whether the raw query component decodes to exactly `want`, without allocating.
fn query_component_eq(raw: &str, want: &str) -> bool {
    if !raw.bytes().any(|b| b == b'%' || b == b'+') {
        return raw == want;
    }
    let want = want.as_bytes();
    let mut pos = 0;
    let all_equal = for_each_decoded_query_byte(raw, |b| {
        if want.get(pos) == Some(&b) {
            pos += 1;
            true
        } else {
            false
        }
    });
    all_equal && pos == want.len()
}

/// Decodes a query component of a pattern (which the model author wrote).
fn decode_pattern_query_component(raw: &str) -> Result<Box<str>, String> {
    let mut out = Vec::with_capacity(raw.len());
    for_each_decoded_query_byte(raw, |b| {
        out.push(b);
        true
    });
    String::from_utf8(out)
        .map(String::into_boxed_str)
        .map_err(|_| format!("query literal {raw:?} does not decode to UTF-8"))
}

/// Byte ranges of the segments of a path body (see [`path_body`]), kept on the stack for the usual
/// short paths.
const INLINE_SEGMENTS: usize = 16;

fn with_segments<R>(body: &str, f: impl FnOnce(&[(usize, usize)]) -> R) -> R {
    let mut inline = [(0usize, 0usize); INLINE_SEGMENTS];
    let mut count = 0usize;
    let mut spilled: Vec<(usize, usize)> = Vec::new();
    let mut push = |span: (usize, usize)| {
        if count < INLINE_SEGMENTS {
            inline[count] = span;
        } else {
            if spilled.is_empty() {
                spilled.extend_from_slice(&inline);
            }
            spilled.push(span);
        }
        count += 1;
    };
    if !body.is_empty() {
        let mut start = 0;
        for (i, b) in body.bytes().enumerate() {
            if b == b'/' {
                push((start, i));
                start = i + 1;
            }
        }
        push((start, body.len()));
    }
    if count <= INLINE_SEGMENTS {
        f(&inline[..count])
    } else {
        f(&spilled)
    }
}

impl UriPattern {
    /// Parses a pattern from the model. Returns Err(String) for a malformed pattern (the generator reports it).
    pub fn parse(pattern: &str) -> Result<UriPattern, String> {
        if pattern.contains('#') {
            return Err(format!("URI pattern {pattern:?} must not contain a fragment ('#')"));
        }
        let (path, query) = match pattern.split_once('?') {
            Some((path, query)) => (path, Some(query)),
            None => (pattern, None),
        };
        if !path.starts_with('/') {
            return Err(format!("URI pattern {pattern:?} must start with '/'"));
        }
        let body = path_body(path);

        let mut segments = Vec::new();
        let mut label_names: Vec<Box<str>> = Vec::new();
        let mut greedy = None;
        let mut literal_count = 0;
        if !body.is_empty() {
            for seg in body.split('/') {
                if seg.is_empty() {
                    return Err(format!("URI pattern {pattern:?} must not contain empty path segments"));
                }
                if let Some(inner) = seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                    let (name, is_greedy) = match inner.strip_suffix('+') {
                        Some(name) => (name, true),
                        None => (inner, false),
                    };
                    if !is_label_name(name) {
                        return Err(format!("URI pattern {pattern:?} has an invalid label {seg:?}"));
                    }
                    if label_names.iter().any(|n| n.eq_ignore_ascii_case(name)) {
                        return Err(format!(
                            "URI pattern {pattern:?} uses the label {name:?} more than once"
                        ));
                    }
                    label_names.push(name.into());
                    if is_greedy {
                        if greedy.is_some() {
                            return Err(format!("URI pattern {pattern:?} has more than one greedy label"));
                        }
                        greedy = Some(segments.len());
                        segments.push(Segment::Greedy);
                    } else {
                        segments.push(Segment::Label);
                    }
                } else if seg.contains('{') || seg.contains('}') {
                    return Err(format!(
                        "URI pattern {pattern:?}: a label must be a whole path segment, got {seg:?}"
                    ));
                } else {
                    literal_count += 1;
                    segments.push(Segment::Literal(seg.into()));
                }
            }
        }

        let mut literals: Vec<QueryLiteral> = Vec::new();
        if let Some(query) = query.filter(|q| !q.is_empty()) {
            for piece in query.split('&') {
                if piece.is_empty() {
                    return Err(format!("URI pattern {pattern:?} has an empty query literal"));
                }
                if piece.contains('{') || piece.contains('}') {
                    return Err(format!(
                        "URI pattern {pattern:?}: labels are not allowed in the query string"
                    ));
                }
                let (key, value) = match piece.split_once('=') {
                    Some((k, v)) => (k, Some(v)),
                    None => (piece, None),
                };
                if key.is_empty() {
                    return Err(format!("URI pattern {pattern:?} has a query literal with an empty key"));
                }
                let key = decode_pattern_query_component(key)?;
                let value = value.map(decode_pattern_query_component).transpose()?;
                if literals.iter().any(|l| l.key == key) {
                    return Err(format!("URI pattern {pattern:?} repeats the query literal {key:?}"));
                }
                literals.push(QueryLiteral { key, value });
            }
        }

        Ok(UriPattern {
            text: pattern.into(),
            segments,
            label_names,
            greedy,
            query: literals,
            literal_count,
        })
    }

    /// The pattern as written in the model.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Label names in the order they appear (for greedy labels without the '+').
    pub fn labels(&self) -> Vec<&str> {
        self.label_names.iter().map(|n| &**n).collect()
    }

    /// Matches a request. `path` is the raw (still percent-encoded) path, `query` the raw query string
    /// without '?'. On success returns the raw (still percent-encoded) label values in label order.
    /// A label matches one non-empty path segment; a greedy label one or more segments (joined with '/').
    /// Query literals must all be present (with the given value when one is given); other query params are allowed.
    pub fn matches(&self, path: &str, query: Option<&str>) -> Option<Vec<String>> {
        let body = path_body(path);
        with_segments(body, |spans| {
            if self.path_matches(body, spans) && self.query_matches(query) {
                Some(self.captures(body, spans))
            } else {
                None
            }
        })
    }

    /// The range of request segments that pattern segment `i` covers, given `n` request segments
    /// (only meaningful once the segment count has been checked).
    #[inline]
    fn covered(&self, i: usize, n: usize) -> (usize, usize) {
        let m = self.segments.len();
        match self.greedy {
            Some(g) if i == g => (g, n - (m - g - 1)),
            Some(g) if i > g => {
                let at = n - (m - i);
                (at, at + 1)
            }
            _ => (i, i + 1),
        }
    }

    fn path_matches(&self, body: &str, spans: &[(usize, usize)]) -> bool {
        let n = spans.len();
        let m = self.segments.len();
        if self.greedy.is_none() {
            // The common case: one request segment per pattern segment, checked in one pass from
            // the end (the trailing literal tells most routes apart).
            return n == m
                && self.segments.iter().zip(spans).rev().all(|(seg, &(s, e))| match seg {
                    Segment::Literal(lit) => body.get(s..e) == Some(&**lit),
                    Segment::Label => s != e,
                    Segment::Greedy => false,
                });
        }
        let count_ok = match self.greedy {
            None => n == m,
            Some(_) => n >= m,
        };
        if !count_ok {
            return false;
        }
        // Literals first, last to first: the trailing literal (the "action" of a REST path) tells
        // most routes apart, and the first one is usually shared by a whole API version.
        for (i, seg) in self.segments.iter().enumerate().rev() {
            if let Segment::Literal(lit) = seg {
                let (a, _) = self.covered(i, n);
                let (s, e) = spans[a];
                if body.get(s..e) != Some(&**lit) {
                    return false;
                }
            }
        }
        for (i, seg) in self.segments.iter().enumerate() {
            match seg {
                Segment::Literal(_) => {}
                Segment::Label => {
                    let (a, _) = self.covered(i, n);
                    let (s, e) = spans[a];
                    if s == e {
                        return false;
                    }
                }
                Segment::Greedy => {
                    let (a, b) = self.covered(i, n);
                    if spans[a].0 == spans[b - 1].1 {
                        return false;
                    }
                }
            }
        }
        true
    }

    fn query_matches(&self, query: Option<&str>) -> bool {
        if self.query.is_empty() {
            return true;
        }
        let Some(query) = query else {
            return false;
        };
        self.query.iter().all(|lit| {
            query.split('&').any(|piece| {
                let (key, value) = match piece.split_once('=') {
                    Some((k, v)) => (k, v),
                    None => (piece, ""),
                };
                query_component_eq(key, &lit.key)
                    && match &lit.value {
                        None => true,
                        Some(want) => query_component_eq(value, want),
                    }
            })
        })
    }

    fn captures(&self, body: &str, spans: &[(usize, usize)]) -> Vec<String> {
        let n = spans.len();
        let mut out = Vec::with_capacity(self.label_names.len());
        for (i, seg) in self.segments.iter().enumerate() {
            if matches!(seg, Segment::Label | Segment::Greedy) {
                let (a, b) = self.covered(i, n);
                let text = body.get(spans[a].0..spans[b - 1].1).unwrap_or_default();
                out.push(text.to_owned());
            }
        }
        out
    }

    /// Orders patterns so that a more specific one comes first (`Less`).
    fn specificity_cmp(&self, other: &UriPattern) -> Ordering {
        other
            .literal_count
            .cmp(&self.literal_count)
            .then_with(|| {
                self.segments
                    .iter()
                    .zip(&other.segments)
                    .map(|(a, b)| a.rank().cmp(&b.rank()))
                    .find(|o| o.is_ne())
                    .unwrap_or(Ordering::Equal)
            })
            .then_with(|| other.query.len().cmp(&self.query.len()))
            .then_with(|| other.segments.len().cmp(&self.segments.len()))
    }
}

impl fmt::Display for UriPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Why a request could not be routed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteError {
    /// No pattern matches the path (and query).
    NotFound,
    /// A pattern matches the path and query, but not with the request's method.
    MethodNotAllowed,
}

impl fmt::Display for RouteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RouteError::NotFound => f.write_str("no operation matches the request path"),
            RouteError::MethodNotAllowed => f.write_str("the request path does not allow this method"),
        }
    }
}

impl std::error::Error for RouteError {}

#[derive(Debug, Clone)]
struct Route<T> {
    method: http::Method,
    pattern: UriPattern,
    op: T,
}

/// A routing table. `T` is whatever identifies the operation (the generated code uses a generated enum).
#[derive(Debug, Clone)]
pub struct Router<T> {
    /// All routes, most specific first.
    routes: Vec<Route<T>>,
    /// For each distinct literal first segment (sorted), the indices into `routes` of the routes
    /// that can match a path starting with it (those with that literal first, and those whose first
    /// segment is not a literal), in table order.
    by_first: Vec<(Box<str>, Vec<usize>)>,
    /// The indices of the routes whose first segment is not a literal (a label, or the root
    /// pattern), in table order: the candidates for any other path.
    others: Vec<usize>,
}

impl<T: Copy> Router<T> {
    /// Builds the table; order routes by specificity so a more specific pattern wins regardless of
    /// insertion order: more literal path segments before fewer, literal segment before label at the
    /// same position, label before greedy label, and a pattern with query literals before the same
    /// path without them (e.g. GET /2018-10-31/layers?find=LayerVersion must win over GET /2018-10-31/layers).
    pub fn new(routes: Vec<(http::Method, UriPattern, T)>) -> Router<T> {
        let mut routes: Vec<Route<T>> = routes
            .into_iter()
            .map(|(method, pattern, op)| Route { method, pattern, op })
            .collect();
        // Stable: equally specific routes keep their insertion order.
        routes.sort_by(|a, b| a.pattern.specificity_cmp(&b.pattern));

        let first_literal = |route: &Route<T>| match route.pattern.segments.first() {
            Some(Segment::Literal(lit)) => Some(lit.clone()),
            _ => None,
        };
        let mut by_first: Vec<(Box<str>, Vec<usize>)> = Vec::new();
        for route in &routes {
            if let Some(lit) = first_literal(route) {
                if let Err(at) = by_first.binary_search_by(|(l, _)| l.cmp(&lit)) {
                    by_first.insert(at, (lit, Vec::new()));
                }
            }
        }
        let mut others = Vec::new();
        for (index, route) in routes.iter().enumerate() {
            match first_literal(route) {
                Some(lit) => {
                    if let Ok(at) = by_first.binary_search_by(|(l, _)| l.cmp(&lit)) {
                        by_first[at].1.push(index);
                    }
                }
                None => {
                    others.push(index);
                    for (_, candidates) in &mut by_first {
                        candidates.push(index);
                    }
                }
            }
        }
        Router {
            routes,
            by_first,
            others,
        }
    }

    /// The routes that can match a path whose segments are `spans` of `body`, in table order.
    fn candidates(&self, body: &str, spans: &[(usize, usize)]) -> &[usize] {
        let first = spans.first().and_then(|&(s, e)| body.get(s..e));
        match first {
            Some(first) => match self.by_first.binary_search_by(|(l, _)| (**l).cmp(first)) {
                Ok(at) => &self.by_first[at].1,
                Err(_) => &self.others,
            },
            None => &self.others,
        }
    }

    /// Finds the operation: Ok((op, raw label values)); Err(NotFound) when no pattern matches the path,
    /// Err(MethodNotAllowed) when a pattern matches the path+query but not with this method.
    pub fn route(
        &self,
        method: &http::Method,
        path: &str,
        query: Option<&str>,
    ) -> Result<(T, Vec<String>), RouteError> {
        let body = path_body(path);
        with_segments(body, |spans| {
            let mut path_matched = false;
            for &index in self.candidates(body, spans) {
                let Some(route) = self.routes.get(index) else {
                    continue;
                };
                if !route.pattern.path_matches(body, spans) || !route.pattern.query_matches(query) {
                    continue;
                }
                if route.method != *method {
                    path_matched = true;
                    continue;
                }
                return Ok((route.op, route.pattern.captures(body, spans)));
            }
            Err(if path_matched {
                RouteError::MethodNotAllowed
            } else {
                RouteError::NotFound
            })
        })
    }

    /// Number of routes in the table.
    pub fn len(&self) -> usize {
        self.routes.len()
    }

    /// Whether the table has no routes.
    pub fn is_empty(&self) -> bool {
        self.routes.is_empty()
    }
}

#[cfg(test)]
#[path = "routing_tests.rs"]
mod tests;
