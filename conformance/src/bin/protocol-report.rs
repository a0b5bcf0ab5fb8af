//! `cargo run -p conformance --bin protocol-report [-- --check]`: runs the generated protocol tests,
//! writes `conformance/REPORT.md` (passed, failed and skipped per category, overall and for the
//! Lambda slice, and why each case that does not pass does not) and `conformance/baseline.txt` (the
//! cases that pass). With `--check` it writes nothing and fails when a baselined case no longer
//! passes or the committed report is out of date. When `conformance/model-check.json` exists (written
//! by `conformance/model_check.py`), the report ends with its per-operation table.

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Outcome {
    Passed,
    Failed,
    Skipped,
}

struct Case {
    id: String,
    category: String,
    service: String,
    shape: String,
    lambda_slice: bool,
    outcome: Outcome,
    why: Option<String>,
}

fn root() -> PathBuf {
    // `cargo run` gives the manifest directory at run time; prefer it to the one compiled in.
    let manifest = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").to_string());
    Path::new(&manifest).parent().expect("workspace root").to_path_buf()
}

/// Runs the protocol tests; returns test path -> (passed, failure summary).
fn run_tests(root: &Path) -> BTreeMap<String, (bool, String)> {
    let out = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .current_dir(root)
        .args([
            "test",
            "-q",
            "-p",
            "conformance",
            "--test",
            "protocol",
            "--no-fail-fast",
            "--",
            "--include-ignored",
            "--color",
            "never",
            "--test-threads",
            "2",
        ])
        .env("RUST_BACKTRACE", "0")
        .output()
        .expect("running cargo test");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut results = BTreeMap::new();
    // `-q` prints dots; the failure blocks and the `failures:` list name the failed tests.
    let mut current: Option<String> = None;
    let mut details: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in text.lines() {
        if let Some(name) = line.strip_prefix("---- ").and_then(|l| l.strip_suffix(" stdout ----")) {
            current = Some(name.to_string());
            continue;
        }
        if line == "failures:" || line.starts_with("test result:") {
            current = None;
        }
        if let Some(c) = &current {
            details.entry(c.clone()).or_default().push(line.to_string());
        }
    }
    // Every generated test passed unless it has a failure block.
    let listed = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .current_dir(root)
        .args([
            "test",
            "-q",
            "-p",
            "conformance",
            "--test",
            "protocol",
            "--",
            "--list",
            "--include-ignored",
            "--format",
            "terse",
        ])
        .output()
        .expect("listing tests");
    for line in String::from_utf8_lossy(&listed.stdout).lines() {
        if let Some(name) = line.strip_suffix(": test") {
            let failure = details.get(name).map(|d| summarize(d));
            results.insert(name.to_string(), (failure.is_none(), failure.unwrap_or_default()));
        }
    }
    if results.is_empty() {
        eprintln!("{}", String::from_utf8_lossy(&out.stderr));
        panic!("no protocol tests ran");
    }
    results
}

/// One line out of a failure block: the panic message and the compared values.
fn summarize(lines: &[String]) -> String {
    let mut parts = Vec::new();
    let mut take = false;
    for l in lines {
        if l.contains("panicked at") {
            take = true;
            continue;
        }
        if take {
            if l.starts_with("note:") || l.starts_with("stack backtrace") {
                break;
            }
            parts.push(l.trim().to_string());
        }
    }
    let s = parts.join(" ");
    if s.chars().count() > 300 {
        s.chars().take(300).collect::<String>() + "…"
    } else {
        s
    }
}

fn load_cases(root: &Path, results: &BTreeMap<String, (bool, String)>) -> Vec<Case> {
    let text = std::fs::read_to_string(root.join("conformance/cases.json")).expect("conformance/cases.json");
    let known: BTreeMap<String, String> = std::fs::read_to_string(root.join("conformance/known-failures.json"))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default();
    let list: Vec<Value> = serde_json::from_str(&text).expect("cases.json is JSON");
    list.iter()
        .map(|c| {
            let s = |k: &str| c.get(k).and_then(Value::as_str).unwrap_or("").to_string();
            let (outcome, why) = match (
                c.get("test").and_then(Value::as_str),
                c.get("skip").and_then(Value::as_str),
            ) {
                (Some(t), _) => match results.get(t) {
                    Some((true, _)) => (Outcome::Passed, None),
                    // Assertion texts may print hash maps in any order, so only unexplained
                    // failures show theirs (the report must be reproducible for `--check`).
                    Some((false, msg)) => match known.get(&s("id")) {
                        Some(reason) => (Outcome::Failed, Some(reason.clone())),
                        None => (Outcome::Failed, Some(format!("not yet analysed: `{msg}`"))),
                    },
                    None => (Outcome::Failed, Some("the generated test did not run".into())),
                },
                (None, skip) => (Outcome::Skipped, Some(skip.unwrap_or("no reason recorded").to_string())),
            };
            Case {
                id: s("id"),
                category: s("category"),
                service: s("service"),
                shape: s("shape"),
                lambda_slice: c.get("lambda_slice").and_then(Value::as_bool).unwrap_or(false),
                outcome,
                why,
            }
        })
        .collect()
}

fn table(cases: &[&Case]) -> String {
    let mut out =
        String::from("| category | passed | failed | skipped | total | pass rate |\n|---|---:|---:|---:|---:|---:|\n");
    let mut cats: Vec<&str> = cases
        .iter()
        .map(|c| c.category.as_str())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    cats.push("all");
    for cat in cats {
        let sel: Vec<&&Case> = cases.iter().filter(|c| cat == "all" || c.category == cat).collect();
        let n = |o: Outcome| sel.iter().filter(|c| c.outcome == o).count();
        let total = sel.len();
        let rate = if total == 0 {
            0.0
        } else {
            100.0 * n(Outcome::Passed) as f64 / total as f64
        };
        out.push_str(&format!(
            "| {cat} | {} | {} | {} | {total} | {rate:.1} % |\n",
            n(Outcome::Passed),
            n(Outcome::Failed),
            n(Outcome::Skipped)
        ));
    }
    out
}

fn report(cases: &[Case]) -> String {
    let all: Vec<&Case> = cases.iter().collect();
    let slice: Vec<&Case> = cases.iter().filter(|c| c.lambda_slice).collect();
    let mut out = String::from(
        "# restJson1 protocol conformance\n\nGenerated by `cargo run -p conformance --bin protocol-report`; do not edit. The cases come from\n`model/restjson1-protocol-tests.json` (Smithy's restJson1 protocol-compliance suite): every case that\napplies to servers (`appliesTo` server or absent), with `testParameters` expanded, is one Rust test in\n`conformance/tests/protocol/`, generated by `cargo codegen` against the generated\n`restjson-protocol-server` crate (services `RestJson`, `RestJsonValidation`, the Glacier and API\nGateway customisation services, and the operations bound to no service).\n\n",
    );
    out.push_str("## All server-applicable cases\n\n");
    out.push_str(&table(&all));
    out.push_str("\n## The Lambda slice\n\nCases whose operation uses only features the Lambda model uses: for each operation, the shape kinds,\nshape traits and member traits (together with the kind of shape each member binds) over the closure of\nits input, output and errors must all occur in `model/lambda.json`'s service. Computed by `codegen`\n(`conformance/cases.json`, field `lambda_slice`).\n\n");
    out.push_str(&table(&slice));
    let ops: BTreeSet<&str> = slice.iter().map(|c| c.shape.as_str()).collect();
    out.push_str(&format!(
        "\nShapes (operations and errors) in the slice ({}): {}\n",
        ops.len(),
        ops.into_iter().map(|o| format!("`{o}`")).collect::<Vec<_>>().join(", ")
    ));
    out.push_str("\n## Cases that do not pass\n\n| case | category | service | in Lambda slice | outcome | why |\n|---|---|---|---|---|---|\n");
    let mut grouped: BTreeMap<(String, String), Vec<&Case>> = BTreeMap::new();
    for c in cases.iter().filter(|c| c.outcome != Outcome::Passed) {
        // Identical reasons for skipped cases of one service and category are listed once.
        let key = if c.outcome == Outcome::Skipped {
            (
                format!("{}/{}", c.service, c.category),
                c.why.clone().unwrap_or_default(),
            )
        } else {
            (c.id.clone(), c.why.clone().unwrap_or_default())
        };
        grouped.entry(key).or_default().push(c);
    }
    for ((_, why), cs) in grouped {
        let c = cs[0];
        let id = if cs.len() == 1 {
            format!("`{}`", c.id)
        } else {
            format!("{} cases (`{}` …)", cs.len(), c.id)
        };
        let outcome = match c.outcome {
            Outcome::Failed => "failed",
            _ => "skipped",
        };
        out.push_str(&format!(
            "| {id} | {} | {} | {} | {outcome} | {} |\n",
            c.category,
            c.service,
            if c.lambda_slice { "yes" } else { "no" },
            why.replace('|', "\\|").replace('\n', " ")
        ));
    }
    out
}

/// The section on `conformance/model-check.json` (written by `conformance/model_check.py`), if that
/// file exists: totals and one row per operation, in the file's (sorted) order.
fn model_check_section(root: &Path) -> Option<String> {
    let text = std::fs::read_to_string(root.join("conformance/model-check.json")).ok()?;
    let doc: Value = serde_json::from_str(&text).expect("conformance/model-check.json is JSON");
    let cell = |v: Option<&Value>| -> String {
        let s = match v {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => String::new(),
        };
        s.replace('|', "\\|").replace('\n', " ")
    };
    let totals = doc.get("totals");
    let total = |k: &str| cell(totals.and_then(|t| t.get(k)));
    let mut out = String::from(
        "\n## Model-driven check of the Lambda API\n\nGenerated from `conformance/model-check.json`, which `python3 conformance/model_check.py` writes: it\nstarts `fauxlambda`, creates fixtures with boto3, calls every operation of `model/lambda.json`'s service\nonce with a valid input built from the model, and checks the answer against the model (output members,\ntypes, enum values and constraints, no undefined members; errors must be ones the operation models, with\ntheir status code). Unmodelled errors and `ServiceException` are violations.\n\n",
    );
    out.push_str(&format!(
        "Operations: {} checked of {}; {} ok, {} modelled errors, {} violations.\n",
        cell(doc.get("checked")),
        cell(doc.get("operations")),
        total("ok"),
        total("modelled-error"),
        total("violation")
    ));
    let problems: Vec<String> = doc
        .get("fixture_problems")
        .and_then(Value::as_array)
        .map(|a| a.iter().map(|p| cell(Some(p))).collect())
        .unwrap_or_default();
    if !problems.is_empty() {
        out.push_str("\nFixtures that could not be created:\n\n");
        for p in problems {
            out.push_str(&format!("- {p}\n"));
        }
    }
    out.push_str("\n| operation | outcome | detail |\n|---|---|---|\n");
    for r in doc.get("results").and_then(Value::as_array).into_iter().flatten() {
        out.push_str(&format!(
            "| `{}` | {} | {} |\n",
            cell(r.get("operation")),
            cell(r.get("outcome")),
            cell(r.get("detail"))
        ));
    }
    Some(out)
}

fn main() {
    let check = std::env::args().any(|a| a == "--check");
    let root = root();
    let results = run_tests(&root);
    let cases = load_cases(&root, &results);
    let mut text = report(&cases);
    if let Some(section) = model_check_section(&root) {
        text.push_str(&section);
    }
    let passing: BTreeSet<&str> = cases
        .iter()
        .filter(|c| c.outcome == Outcome::Passed)
        .map(|c| c.id.as_str())
        .collect();
    let baseline_path = root.join("conformance/baseline.txt");
    let report_path = root.join("conformance/REPORT.md");
    let summary = |cs: Vec<&Case>| {
        let p = cs.iter().filter(|c| c.outcome == Outcome::Passed).count();
        format!("{p}/{}", cs.len())
    };
    eprintln!(
        "protocol-report: all {} passed; Lambda slice {} passed",
        summary(cases.iter().collect()),
        summary(cases.iter().filter(|c| c.lambda_slice).collect())
    );
    if check {
        let baseline = std::fs::read_to_string(&baseline_path).unwrap_or_default();
        let lost: Vec<&str> = baseline
            .lines()
            .filter(|l| !l.is_empty() && !passing.contains(l))
            .collect();
        let mut ok = true;
        if !lost.is_empty() {
            eprintln!("protocol-report: {} baselined cases no longer pass:", lost.len());
            for l in &lost {
                eprintln!("  {l}");
            }
            ok = false;
        }
        if std::fs::read_to_string(&report_path).ok().as_deref() != Some(text.as_str()) {
            eprintln!("protocol-report: conformance/REPORT.md is out of date; run `cargo run -p conformance --bin protocol-report`");
            ok = false;
        }
        let gained = passing.iter().filter(|p| !baseline.lines().any(|l| l == **p)).count();
        if gained > 0 {
            eprintln!("protocol-report: {gained} cases pass that the baseline does not list; update it");
            ok = false;
        }
        std::process::exit(if ok { 0 } else { 1 });
    }
    let mut base: Vec<&str> = passing.into_iter().collect();
    base.sort_unstable();
    std::fs::write(&baseline_path, base.join("\n") + "\n").expect("writing baseline");
    std::fs::write(&report_path, text).expect("writing REPORT.md");
    eprintln!("protocol-report: wrote conformance/REPORT.md and conformance/baseline.txt");
}
