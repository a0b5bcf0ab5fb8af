//! Unit tests of `routing`.

use super::*;
use http::Method;

fn p(s: &str) -> UriPattern {
    UriPattern::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn m(pattern: &str, path: &str, query: Option<&str>) -> Option<Vec<String>> {
    p(pattern).matches(path, query)
}

fn v(items: &[&str]) -> Option<Vec<String>> {
    Some(items.iter().map(|s| s.to_string()).collect())
}

#[test]
fn parse_valid_patterns() {
    let pat = p("/2015-03-31/functions/{FunctionName}/invocations");
    assert_eq!(pat.labels(), vec!["FunctionName"]);
    assert_eq!(pat.as_str(), "/2015-03-31/functions/{FunctionName}/invocations");
    assert_eq!(pat.to_string(), pat.as_str());

    let pat = p("/HttpRequestWithGreedyLabelInPath/foo/{foo}/baz/{baz+}");
    assert_eq!(pat.labels(), vec!["foo", "baz"]);

    let pat = p("/2018-10-31/layers?find=LayerVersion");
    assert!(pat.labels().is_empty());
    assert_eq!(pat.query.len(), 1);

    let pat = p("/ConstantQueryString/{hello}?foo=bar&hello");
    assert_eq!(pat.labels(), vec!["hello"]);
    assert_eq!(pat.query[1].value, None);

    assert!(p("/").labels().is_empty());
    assert!(p("/ReDosLiteral/{str}/(a+)+").labels() == vec!["str"]);
    assert_eq!(p("/{a+}/suffix").labels(), vec!["a"]);
    assert_eq!(p("/foo/").segments.len(), 1);
    assert_eq!(p("/foo?").query.len(), 0);
    assert_eq!(p("/foo?a=").query[0].value.as_deref(), Some(""));
}

#[test]
fn parse_rejects_malformed_patterns() {
    for bad in [
        "",
        "foo",
        "foo/{bar}",
        "//",
        "/a//b",
        "/{}",
        "/{+}",
        "/{a",
        "/a}",
        "/x{a}",
        "/{a}x",
        "/{a-b}",
        "/{1a}",
        "/{a}/{a}",
        "/{a}/{A}",
        "/{a+}/{b+}",
        "/a#frag",
        "/a?&b",
        "/a?b&&c",
        "/a?=b",
        "/a?b={c}",
        "/a?b=1&b=2",
        "/a?%FF",
        "/{a++}",
    ] {
        assert!(UriPattern::parse(bad).is_err(), "{bad:?} should be rejected");
    }
}

#[test]
fn labels_match_one_non_empty_raw_segment() {
    let pat = "/2015-03-31/functions/{FunctionName}/invocations";
    assert_eq!(m(pat, "/2015-03-31/functions/my-fn/invocations", None), v(&["my-fn"]));
    assert_eq!(
        m(
            pat,
            "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A123%3Afunction%3Af/invocations",
            None
        ),
        v(&["arn%3Aaws%3Alambda%3Aus-east-1%3A123%3Afunction%3Af"])
    );
    assert_eq!(
        m(
            pat,
            "/2015-03-31/functions/arn:aws:lambda:us-east-1:1:function:f/invocations",
            None
        ),
        v(&["arn:aws:lambda:us-east-1:1:function:f"])
    );
    assert_eq!(m(pat, "/2015-03-31/functions//invocations", None), None);
    assert_eq!(m(pat, "/2015-03-31/functions/a/b/invocations", None), None);
    assert_eq!(m(pat, "/2015-03-31/functions/a", None), None);
    assert_eq!(m(pat, "/2015-03-31/functions/a/invocations/x", None), None);
    // Literal segments are compared raw and case-sensitively.
    assert_eq!(m(pat, "/2015-03-31/Functions/a/invocations", None), None);
    assert_eq!(m(pat, "/2015-03-31/function%73/a/invocations", None), None);
}

#[test]
fn protocol_test_paths() {
    // RestJsonHttpRequestWithGreedyLabelInPath
    assert_eq!(
        m(
            "/HttpRequestWithGreedyLabelInPath/foo/{foo}/baz/{baz+}",
            "/HttpRequestWithGreedyLabelInPath/foo/hello%2Fescape/baz/there/guy",
            None
        ),
        v(&["hello%2Fescape", "there/guy"])
    );
    // RestJsonHttpRequestLabelEscaping
    let labels = "/HttpRequestWithLabels/{string}/{short}/{integer}/{long}/{float}/{double}/{boolean}/{timestamp}";
    assert_eq!(
        m(
            labels,
            "/HttpRequestWithLabels/%20%25%3A%2F%3F%23%5B%5D%40%21%24%26%27%28%29%2A%2B%2C%3B%3D%F0%9F%98%B9/1/2/3/4.1/5.1/true/2019-12-16T23%3A48%3A18Z",
            None
        ),
        v(&[
            "%20%25%3A%2F%3F%23%5B%5D%40%21%24%26%27%28%29%2A%2B%2C%3B%3D%F0%9F%98%B9",
            "1",
            "2",
            "3",
            "4.1",
            "5.1",
            "true",
            "2019-12-16T23%3A48%3A18Z"
        ])
    );
    // RestJsonToleratesRegexCharsInSegments
    assert_eq!(
        m("/ReDosLiteral/{str}/(a+)+", "/ReDosLiteral/abc/(a+)+", None),
        v(&["abc"])
    );
    assert_eq!(m("/ReDosLiteral/{str}/(a+)+", "/ReDosLiteral/abc/aaaa", None), None);
    // RestJsonConstantQueryString
    assert_eq!(
        m(
            "/ConstantQueryString/{hello}?foo=bar&hello",
            "/ConstantQueryString/hi",
            Some("foo=bar&hello")
        ),
        v(&["hi"])
    );
    // RestJsonConstantAndVariableQueryStringMissingOneValue
    assert_eq!(
        m(
            "/ConstantAndVariableQueryString?foo=bar",
            "/ConstantAndVariableQueryString",
            Some("foo=bar&baz=bam")
        ),
        v(&[])
    );
    // GlacierVersionHeader
    assert_eq!(
        m(
            "/{accountId}/vaults/{vaultName}/archives",
            "/foo/vaults/bar/archives",
            None
        ),
        v(&["foo", "bar"])
    );
}

#[test]
fn greedy_labels() {
    let pat = "/prefix/{key+}";
    assert_eq!(m(pat, "/prefix/a", None), v(&["a"]));
    assert_eq!(m(pat, "/prefix/a/b/c", None), v(&["a/b/c"]));
    assert_eq!(m(pat, "/prefix/a/b/c/", None), v(&["a/b/c"]));
    assert_eq!(m(pat, "/prefix/a//b", None), v(&["a//b"]));
    assert_eq!(m(pat, "/prefix", None), None);
    assert_eq!(m(pat, "/prefix/", None), None);
    assert_eq!(m(pat, "/other/a", None), None);

    let pat = "/a/{key+}/b/{c}";
    assert_eq!(m(pat, "/a/x/b/y", None), v(&["x", "y"]));
    assert_eq!(m(pat, "/a/x/y/b/z", None), v(&["x/y", "z"]));
    assert_eq!(m(pat, "/a/x/b/y/b/z", None), v(&["x/b/y", "z"]));
    assert_eq!(m(pat, "/a/b/y", None), None);
    assert_eq!(m(pat, "/a/x/c/y", None), None);
    assert_eq!(m(pat, "/a/x/b/", None), None);

    let pat = "/{all+}";
    assert_eq!(m(pat, "/x", None), v(&["x"]));
    assert_eq!(m(pat, "/x/y", None), v(&["x/y"]));
    assert_eq!(m(pat, "/", None), None);
    assert_eq!(m(pat, "", None), None);
}

#[test]
fn root_and_slashes() {
    assert_eq!(m("/", "/", None), v(&[]));
    assert_eq!(m("/", "", None), v(&[]));
    assert_eq!(m("/", "//", None), None);
    assert_eq!(m("/", "/a", None), None);
    assert_eq!(m("/a", "/", None), None);
    // One trailing slash is insignificant, on the request and on the pattern.
    assert_eq!(m("/2015-03-31/functions", "/2015-03-31/functions/", None), v(&[]));
    assert_eq!(m("/2015-03-31/functions/", "/2015-03-31/functions", None), v(&[]));
    assert_eq!(m("/a/{b}", "/a/x/", None), v(&["x"]));
    // Doubled slashes are empty segments.
    assert_eq!(m("/a/b", "/a//b", None), None);
    assert_eq!(m("/a/b", "//a/b", None), None);
    assert_eq!(m("/a/b", "/a/b//", None), None);
    assert_eq!(m("/a/{b}", "/a//", None), None);
    // A path without its leading slash is read the same.
    assert_eq!(m("/a/{b}", "a/x", None), v(&["x"]));
}

#[test]
fn query_literals() {
    let pat = "/2018-10-31/layers?find=LayerVersion";
    assert_eq!(m(pat, "/2018-10-31/layers", Some("find=LayerVersion")), v(&[]));
    assert_eq!(
        m(pat, "/2018-10-31/layers", Some("Arn=arn%3Ax&find=LayerVersion")),
        v(&[])
    );
    assert_eq!(m(pat, "/2018-10-31/layers", Some("find=Layer")), None);
    assert_eq!(m(pat, "/2018-10-31/layers", Some("find")), None);
    assert_eq!(m(pat, "/2018-10-31/layers", Some("finder=LayerVersion")), None);
    assert_eq!(m(pat, "/2018-10-31/layers", Some("")), None);
    assert_eq!(m(pat, "/2018-10-31/layers", None), None);
    // Keys and values are compared decoded.
    assert_eq!(m(pat, "/2018-10-31/layers", Some("f%69nd=Layer%56ersion")), v(&[]));
    assert_eq!(m("/q?a=b c", "/q", Some("a=b+c")), v(&[]));
    assert_eq!(m("/q?a=b c", "/q", Some("a=b%20c")), v(&[]));
    assert_eq!(m("/q?a=b+c", "/q", Some("a=b%20c")), v(&[]));
    assert_eq!(m("/q?a=b%2Bc", "/q", Some("a=b%2bc")), v(&[]));
    assert_eq!(m("/q?a=b%2Bc", "/q", Some("a=b+c")), None);
    assert_eq!(m("/q?a=%", "/q", Some("a=%")), v(&[]));
    assert_eq!(m("/q?a=%", "/q", Some("a=%25")), v(&[]));
    assert_eq!(m("/q?a=bc", "/q", Some("a=bc%")), None);
    assert_eq!(m("/q?a=bc", "/q", Some("a=b")), None);

    // A bare key must merely be present, with any value.
    let pat = "/foo/{bar}?List=ALL&flag";
    assert_eq!(m(pat, "/foo/x", Some("List=ALL&flag")), v(&["x"]));
    assert_eq!(m(pat, "/foo/x", Some("flag=1&List=ALL")), v(&["x"]));
    assert_eq!(m(pat, "/foo/x", Some("flag=&List=ALL&Marker=abc")), v(&["x"]));
    assert_eq!(m(pat, "/foo/x", Some("List=ALL")), None);
    assert_eq!(m(pat, "/foo/x", Some("flag")), None);
    // Empty value literal.
    assert_eq!(m("/q?a=", "/q", Some("a")), v(&[]));
    assert_eq!(m("/q?a=", "/q", Some("a=")), v(&[]));
    assert_eq!(m("/q?a=", "/q", Some("a=1")), None);
    // Repeated keys: any matching pair will do.
    assert_eq!(m("/q?a=2", "/q", Some("a=1&a=2")), v(&[]));
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    ListLayers,
    GetLayerVersionByArn,
    GetFunction,
    GetProvisioned,
    ListProvisioned,
    Literal,
    Label,
    Greedy,
    GreedyThenLiteral,
    Root,
}

fn router(routes: &[(Method, &str, Op)]) -> Router<Op> {
    Router::new(
        routes
            .iter()
            .map(|(method, pattern, op)| (method.clone(), p(pattern), *op))
            .collect(),
    )
}

/// All orders of a small list (Heap's algorithm, iteratively).
fn permutations<X: Clone>(items: &[X]) -> Vec<Vec<X>> {
    let mut items = items.to_vec();
    let mut out = vec![items.clone()];
    let mut c = vec![0; items.len()];
    let mut i = 0;
    while i < items.len() {
        if c[i] < i {
            if i % 2 == 0 {
                items.swap(0, i);
            } else {
                items.swap(c[i], i);
            }
            out.push(items.clone());
            c[i] += 1;
            i = 0;
        } else {
            c[i] = 0;
            i += 1;
        }
    }
    out
}

#[test]
fn specificity_wins_regardless_of_insertion_order() {
    let routes = [
        (Method::GET, "/2018-10-31/layers", Op::ListLayers),
        (
            Method::GET,
            "/2018-10-31/layers?find=LayerVersion",
            Op::GetLayerVersionByArn,
        ),
        (Method::GET, "/x/{a}/c", Op::Label),
        (Method::GET, "/x/b/c", Op::Literal),
        (Method::GET, "/x/{a+}", Op::Greedy),
        (Method::GET, "/x/{a+}/c", Op::GreedyThenLiteral),
    ];
    for order in permutations(&routes) {
        let r = router(&order);
        let route = |path: &str, query: Option<&str>| r.route(&Method::GET, path, query);
        assert_eq!(
            route("/2018-10-31/layers", Some("find=LayerVersion&Arn=x")),
            Ok((Op::GetLayerVersionByArn, vec![]))
        );
        assert_eq!(route("/2018-10-31/layers", None), Ok((Op::ListLayers, vec![])));
        assert_eq!(
            route("/2018-10-31/layers", Some("CompatibleRuntime=python3.12")),
            Ok((Op::ListLayers, vec![]))
        );
        assert_eq!(route("/x/b/c", None), Ok((Op::Literal, vec![])));
        assert_eq!(route("/x/z/c", None), Ok((Op::Label, vec!["z".into()])));
        assert_eq!(route("/x/y/z/c", None), Ok((Op::GreedyThenLiteral, vec!["y/z".into()])));
        assert_eq!(route("/x/y", None), Ok((Op::Greedy, vec!["y".into()])));
        assert_eq!(route("/x/y/z", None), Ok((Op::Greedy, vec!["y/z".into()])));
    }
}

#[test]
fn label_before_greedy_at_same_position() {
    let routes = [(Method::GET, "/a/{b+}", Op::Greedy), (Method::GET, "/a/{b}", Op::Label)];
    for order in permutations(&routes) {
        let r = router(&order);
        assert_eq!(r.route(&Method::GET, "/a/x", None), Ok((Op::Label, vec!["x".into()])));
        assert_eq!(
            r.route(&Method::GET, "/a/x/y", None),
            Ok((Op::Greedy, vec!["x/y".into()]))
        );
    }
}

#[test]
fn method_not_allowed_and_not_found() {
    let r = router(&[
        (
            Method::GET,
            "/2019-09-30/functions/{FunctionName}/provisioned-concurrency",
            Op::GetProvisioned,
        ),
        (
            Method::GET,
            "/2019-09-30/functions/{FunctionName}/provisioned-concurrency?List=ALL",
            Op::ListProvisioned,
        ),
        (Method::GET, "/2015-03-31/functions/{FunctionName}", Op::GetFunction),
        (Method::GET, "/", Op::Root),
    ]);
    assert_eq!(r.len(), 4);
    assert!(!r.is_empty());
    assert_eq!(
        r.route(
            &Method::GET,
            "/2019-09-30/functions/f/provisioned-concurrency",
            Some("List=ALL")
        ),
        Ok((Op::ListProvisioned, vec!["f".into()]))
    );
    assert_eq!(
        r.route(
            &Method::GET,
            "/2019-09-30/functions/f/provisioned-concurrency",
            Some("Qualifier=1")
        ),
        Ok((Op::GetProvisioned, vec!["f".into()]))
    );
    assert_eq!(
        r.route(&Method::POST, "/2015-03-31/functions/f", None),
        Err(RouteError::MethodNotAllowed)
    );
    assert_eq!(
        r.route(
            &Method::DELETE,
            "/2019-09-30/functions/f/provisioned-concurrency",
            Some("List=ALL")
        ),
        Err(RouteError::MethodNotAllowed)
    );
    assert_eq!(r.route(&Method::GET, "/nope", None), Err(RouteError::NotFound));
    assert_eq!(r.route(&Method::POST, "/nope", None), Err(RouteError::NotFound));
    assert_eq!(
        r.route(&Method::GET, "/2015-03-31/functions/", None),
        Err(RouteError::NotFound)
    );
    assert_eq!(r.route(&Method::GET, "", None), Ok((Op::Root, vec![])));
    assert_eq!(r.route(&Method::GET, "/", Some("x=1")), Ok((Op::Root, vec![])));
    assert_eq!(r.route(&Method::PUT, "/", None), Err(RouteError::MethodNotAllowed));
    assert_eq!(
        RouteError::NotFound.to_string(),
        "no operation matches the request path"
    );
}

#[test]
fn same_path_different_methods() {
    let r = router(&[
        (Method::GET, "/2015-03-31/functions/{FunctionName}", Op::GetFunction),
        (Method::DELETE, "/2015-03-31/functions/{FunctionName}", Op::Label),
        (Method::GET, "/2015-03-31/functions", Op::Literal),
        (Method::POST, "/2015-03-31/functions", Op::Root),
    ]);
    assert_eq!(
        r.route(&Method::DELETE, "/2015-03-31/functions/f", None),
        Ok((Op::Label, vec!["f".into()]))
    );
    assert_eq!(
        r.route(&Method::GET, "/2015-03-31/functions/", None),
        Ok((Op::Literal, vec![]))
    );
    assert_eq!(
        r.route(&Method::POST, "/2015-03-31/functions/", None),
        Ok((Op::Root, vec![]))
    );
}

/// The Lambda model's 85 routes (method, pattern).
const LAMBDA_ROUTES: &[(&str, &str)] = &[
    ("POST", "/2014-11-13/functions/{FunctionName}/invoke-async"),
    ("POST", "/2015-03-31/event-source-mappings"),
    ("GET", "/2015-03-31/event-source-mappings"),
    ("DELETE", "/2015-03-31/event-source-mappings/{UUID}"),
    ("GET", "/2015-03-31/event-source-mappings/{UUID}"),
    ("PUT", "/2015-03-31/event-source-mappings/{UUID}"),
    ("POST", "/2015-03-31/functions"),
    ("GET", "/2015-03-31/functions"),
    ("DELETE", "/2015-03-31/functions/{FunctionName}"),
    ("GET", "/2015-03-31/functions/{FunctionName}"),
    ("POST", "/2015-03-31/functions/{FunctionName}/aliases"),
    ("GET", "/2015-03-31/functions/{FunctionName}/aliases"),
    ("DELETE", "/2015-03-31/functions/{FunctionName}/aliases/{Name}"),
    ("GET", "/2015-03-31/functions/{FunctionName}/aliases/{Name}"),
    ("PUT", "/2015-03-31/functions/{FunctionName}/aliases/{Name}"),
    ("PUT", "/2015-03-31/functions/{FunctionName}/code"),
    ("GET", "/2015-03-31/functions/{FunctionName}/configuration"),
    ("PUT", "/2015-03-31/functions/{FunctionName}/configuration"),
    ("POST", "/2015-03-31/functions/{FunctionName}/invocations"),
    ("POST", "/2015-03-31/functions/{FunctionName}/policy"),
    ("GET", "/2015-03-31/functions/{FunctionName}/policy"),
    ("DELETE", "/2015-03-31/functions/{FunctionName}/policy/{StatementId}"),
    ("GET", "/2015-03-31/functions/{FunctionName}/versions"),
    ("POST", "/2015-03-31/functions/{FunctionName}/versions"),
    ("GET", "/2016-08-19/account-settings"),
    ("GET", "/2017-03-31/tags/{Resource}"),
    ("POST", "/2017-03-31/tags/{Resource}"),
    ("DELETE", "/2017-03-31/tags/{Resource}"),
    ("DELETE", "/2017-10-31/functions/{FunctionName}/concurrency"),
    ("PUT", "/2017-10-31/functions/{FunctionName}/concurrency"),
    ("GET", "/2018-10-31/layers"),
    ("GET", "/2018-10-31/layers/{LayerName}/versions"),
    ("POST", "/2018-10-31/layers/{LayerName}/versions"),
    ("DELETE", "/2018-10-31/layers/{LayerName}/versions/{VersionNumber}"),
    ("GET", "/2018-10-31/layers/{LayerName}/versions/{VersionNumber}"),
    ("POST", "/2018-10-31/layers/{LayerName}/versions/{VersionNumber}/policy"),
    ("GET", "/2018-10-31/layers/{LayerName}/versions/{VersionNumber}/policy"),
    (
        "DELETE",
        "/2018-10-31/layers/{LayerName}/versions/{VersionNumber}/policy/{StatementId}",
    ),
    ("GET", "/2018-10-31/layers?find=LayerVersion"),
    ("DELETE", "/2019-09-25/functions/{FunctionName}/event-invoke-config"),
    ("GET", "/2019-09-25/functions/{FunctionName}/event-invoke-config"),
    ("PUT", "/2019-09-25/functions/{FunctionName}/event-invoke-config"),
    ("POST", "/2019-09-25/functions/{FunctionName}/event-invoke-config"),
    ("GET", "/2019-09-25/functions/{FunctionName}/event-invoke-config/list"),
    ("GET", "/2019-09-30/functions/{FunctionName}/concurrency"),
    ("DELETE", "/2019-09-30/functions/{FunctionName}/provisioned-concurrency"),
    ("GET", "/2019-09-30/functions/{FunctionName}/provisioned-concurrency"),
    ("PUT", "/2019-09-30/functions/{FunctionName}/provisioned-concurrency"),
    (
        "GET",
        "/2019-09-30/functions/{FunctionName}/provisioned-concurrency?List=ALL",
    ),
    ("POST", "/2020-04-22/code-signing-configs"),
    ("GET", "/2020-04-22/code-signing-configs"),
    ("DELETE", "/2020-04-22/code-signing-configs/{CodeSigningConfigArn}"),
    ("GET", "/2020-04-22/code-signing-configs/{CodeSigningConfigArn}"),
    ("PUT", "/2020-04-22/code-signing-configs/{CodeSigningConfigArn}"),
    (
        "GET",
        "/2020-04-22/code-signing-configs/{CodeSigningConfigArn}/functions",
    ),
    ("DELETE", "/2020-06-30/functions/{FunctionName}/code-signing-config"),
    ("GET", "/2020-06-30/functions/{FunctionName}/code-signing-config"),
    ("PUT", "/2020-06-30/functions/{FunctionName}/code-signing-config"),
    ("GET", "/2021-07-20/functions/{FunctionName}/runtime-management-config"),
    ("PUT", "/2021-07-20/functions/{FunctionName}/runtime-management-config"),
    ("POST", "/2021-10-31/functions/{FunctionName}/url"),
    ("DELETE", "/2021-10-31/functions/{FunctionName}/url"),
    ("GET", "/2021-10-31/functions/{FunctionName}/url"),
    ("PUT", "/2021-10-31/functions/{FunctionName}/url"),
    ("GET", "/2021-10-31/functions/{FunctionName}/urls"),
    (
        "POST",
        "/2021-11-15/functions/{FunctionName}/response-streaming-invocations",
    ),
    ("GET", "/2024-08-31/functions/{FunctionName}/recursion-config"),
    ("PUT", "/2024-08-31/functions/{FunctionName}/recursion-config"),
    ("POST", "/2025-11-30/capacity-providers"),
    ("GET", "/2025-11-30/capacity-providers"),
    ("DELETE", "/2025-11-30/capacity-providers/{CapacityProviderName}"),
    ("GET", "/2025-11-30/capacity-providers/{CapacityProviderName}"),
    ("PUT", "/2025-11-30/capacity-providers/{CapacityProviderName}"),
    (
        "GET",
        "/2025-11-30/capacity-providers/{CapacityProviderName}/function-versions",
    ),
    ("GET", "/2025-11-30/functions/{FunctionName}/function-scaling-config"),
    ("PUT", "/2025-11-30/functions/{FunctionName}/function-scaling-config"),
    ("POST", "/2025-12-01/durable-execution-callbacks/{CallbackId}/fail"),
    ("POST", "/2025-12-01/durable-execution-callbacks/{CallbackId}/heartbeat"),
    ("POST", "/2025-12-01/durable-execution-callbacks/{CallbackId}/succeed"),
    ("GET", "/2025-12-01/durable-executions/{DurableExecutionArn}"),
    (
        "POST",
        "/2025-12-01/durable-executions/{DurableExecutionArn}/checkpoint",
    ),
    ("GET", "/2025-12-01/durable-executions/{DurableExecutionArn}/history"),
    ("GET", "/2025-12-01/durable-executions/{DurableExecutionArn}/state"),
    ("POST", "/2025-12-01/durable-executions/{DurableExecutionArn}/stop"),
    ("GET", "/2025-12-01/functions/{FunctionName}/durable-executions"),
];

/// Fills each label of a pattern with a value, giving a request path and the expected labels.
fn instantiate(pattern: &str) -> (String, Option<String>, Vec<String>) {
    let (path, query) = match pattern.split_once('?') {
        Some((p, q)) => (p, Some(q.to_string())),
        None => (pattern, None),
    };
    let mut labels = Vec::new();
    let segs: Vec<String> = path
        .split('/')
        .map(|s| {
            if s.starts_with('{') {
                let value = format!("v{}%3Ax", labels.len());
                labels.push(value.clone());
                value
            } else {
                s.to_string()
            }
        })
        .collect();
    (segs.join("/"), query, labels)
}

#[test]
fn lambda_routes_each_route_to_themselves() {
    let r = Router::new(
        LAMBDA_ROUTES
            .iter()
            .enumerate()
            .map(|(i, (method, pattern))| (method.parse::<Method>().unwrap(), p(pattern), i))
            .collect(),
    );
    assert_eq!(r.len(), 85);
    for (i, (method, pattern)) in LAMBDA_ROUTES.iter().enumerate() {
        let (path, query, labels) = instantiate(pattern);
        let method: Method = method.parse().unwrap();
        assert_eq!(
            r.route(&method, &path, query.as_deref()),
            Ok((i, labels.clone())),
            "{method} {pattern}"
        );
        // With a trailing slash and extra query parameters too.
        let extra = match &query {
            Some(q) => format!("Marker=abc&{q}&MaxItems=10"),
            None => "Marker=abc".to_string(),
        };
        assert_eq!(
            r.route(&method, &format!("{path}/"), Some(&extra)),
            Ok((i, labels)),
            "{method} {pattern}/"
        );
        assert_eq!(
            r.route(&Method::PATCH, &path, query.as_deref()),
            Err(RouteError::MethodNotAllowed),
            "PATCH {pattern}"
        );
    }
    // ListFunctions as the AWS CLI sends it.
    let list_functions = LAMBDA_ROUTES
        .iter()
        .position(|r| *r == ("GET", "/2015-03-31/functions"))
        .unwrap();
    assert_eq!(
        r.route(&Method::GET, "/2015-03-31/functions/", Some("MaxItems=50")),
        Ok((list_functions, vec![]))
    );
    assert_eq!(
        r.route(&Method::GET, "/2015-03-31/functions/a/b/c/d/e", None),
        Err(RouteError::NotFound)
    );
    assert_eq!(r.route(&Method::GET, "/", None), Err(RouteError::NotFound));
}

#[test]
fn long_paths_spill_to_the_heap() {
    let segs: Vec<String> = (0..40).map(|i| format!("s{i}")).collect();
    let literal_pattern = format!("/{}", segs.join("/"));
    assert_eq!(m(&literal_pattern, &literal_pattern, None), v(&[]));
    let mut with_label = segs.clone();
    with_label[35] = "{x}".into();
    assert_eq!(
        m(&format!("/{}", with_label.join("/")), &literal_pattern, None),
        v(&["s35"])
    );
    assert_eq!(
        m("/s0/{rest+}/s39", &literal_pattern, None),
        Some(vec![segs[1..39].join("/")])
    );
    assert_eq!(m("/s0/{x}", &literal_pattern, None), None);
    let r = router(&[(Method::GET, "/s0/{rest+}", Op::Greedy)]);
    assert_eq!(
        r.route(&Method::GET, &literal_pattern, None),
        Ok((Op::Greedy, vec![segs[1..].join("/")]))
    );
}

#[test]
fn arbitrary_inputs_do_not_panic() {
    let patterns = [
        "/",
        "/{a}",
        "/{a+}",
        "/x/{a+}/y",
        "/{a}/{b+}/{c}",
        "/q?a=b&c",
        "/é/{u}?ß=∂",
    ];
    let mut inputs: Vec<String> = vec![
        "".into(),
        "/".into(),
        "//".into(),
        "///".into(),
        "%".into(),
        "/%".into(),
        "/%zz/%f".into(),
        "/é/ü".into(),
        "/x//y".into(),
        "/x/y/".into(),
        "/x/a/b/y//".into(),
        "?".into(),
        "/\u{0}".into(),
    ];
    // A deterministic pseudo-random mix of interesting characters.
    let alphabet = ['/', 'a', 'x', 'y', '%', '2', 'F', '+', '=', '&', 'é', '{', '}'];
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    for len in 0..400 {
        let mut s = String::new();
        for _ in 0..(len % 24) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            s.push(alphabet[(state % alphabet.len() as u64) as usize]);
        }
        inputs.push(s);
    }
    let r = Router::new(
        patterns
            .iter()
            .enumerate()
            .map(|(i, pat)| (Method::GET, p(pat), i))
            .collect(),
    );
    for input in &inputs {
        for pat in patterns {
            let _ = p(pat).matches(input, Some(input));
            let _ = p(pat).matches(input, None);
        }
        let _ = r.route(&Method::GET, input, Some(input));
        let _ = r.route(&Method::POST, input, None);
        let _ = UriPattern::parse(input);
        let _ = UriPattern::parse(&format!("/{input}"));
    }
    assert_eq!(
        r.route(&Method::GET, "/é/ü", Some("%C3%9F=%E2%88%82")),
        Ok((6, vec!["ü".into()]))
    );
}
