//! The benchmark's report: the table of every runner, the side-by-side latency, the ratios to the
//! references, the Docker Node.js cold starts, and each goal with its verdict.

use crate::fauxlambda::NodeCold;
use crate::fixtures::NODE_MODULES_FILES;
use crate::measure::{Fig, Row, RUN_FOR};
use crate::side_by_side;
use crate::{CARGO_LAMBDA, COLD_RUNS, FAUX, FAUX_DOCKER, FLOOR, PAYLOAD, PY_OWN, RIE, RIE_UNSET};
use std::time::Instant;

fn ratio(a: &Fig, b: &Fig) -> String {
    match (a, b) {
        (Fig::Val(x), Fig::Val(y)) if *y > 0.0 => format!("{:.2}", x / y),
        (_, Fig::Na(r)) => format!("n/a ({r})"),
        _ => "n/a".into(),
    }
}

fn verdict(ok: Option<bool>) -> &'static str {
    match ok {
        Some(true) => "met",
        Some(false) => "MISSED",
        None => "n/a",
    }
}

/// Prints the report of a run that began at `started`.
pub fn print(rows: &[Row], node: Option<&NodeCold>, docker_note: Option<&str>, started: Instant) {
    println!(
        "\nexecution benchmark (release binary, loopback, {} cores; payload {PAYLOAD}; {} s per throughput figure)\n",
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
        RUN_FOR.as_secs()
    );
    println!("| runner | function | warm p50 | warm p99 | invokes/s, 1 conn | invokes/s, 8 conns | emulator CPU per invoke | runtime CPU per invoke | cold start (median of {COLD_RUNS}) |");
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|");
    for r in rows {
        println!(
            "| {} | {} | {} | {} | {} | {}{} | {} | {} | {} |",
            r.runner,
            r.function,
            r.p50.ms(),
            r.p99.ms(),
            r.c1.per_s(),
            r.c8.per_s(),
            r.note,
            r.cpu.us(),
            r.runtime_cpu.us(),
            r.cold.ms()
        );
    }

    let find = |runner: &str, function: &str| rows.iter().find(|r| r.runner == runner && r.function == function);
    println!(
        "\nwarm latency side by side: fauxlambda process and each reference in the same minute ({})\n",
        side_by_side::method()
    );
    println!("| function | reference | fauxlambda p50 | reference p50 | fauxlambda p99 | reference p99 |");
    println!("|---|---|---:|---:|---:|---:|");
    for r in rows.iter() {
        if let Some(s) = &r.side {
            println!(
                "| {} | {} | {} | {} | {} | {} |",
                r.function,
                r.runner,
                s.faux_p50.ms(),
                s.reference_p50.ms(),
                s.faux_p99.ms(),
                s.reference_p99.ms()
            );
        }
    }
    println!("\nratios fauxlambda / reference (latency and cold start: lower is better, ≤ 0.50 is 2× faster; throughput: higher is better, ≥ 2.00 is 2× faster; fauxlambda process's latency ratios from the side-by-side figures)\n");
    println!("| fauxlambda | function | reference | warm p50 | warm p99 | invokes/s, 1 conn | invokes/s, 8 conns | cold start |");
    println!("|---|---|---|---:|---:|---:|---:|---:|");
    let mut two_x = Vec::new();
    for runner in [FAUX, FAUX_DOCKER] {
        for function in ["python echo", PY_OWN, "rust echo"] {
            let Some(f) = find(runner, function).filter(|f| f.has_figures()) else {
                continue;
            };
            for reference in [RIE, RIE_UNSET, CARGO_LAMBDA, FLOOR] {
                let Some(r) = find(reference, function) else { continue };
                let (fp50, fp99, rp50, rp99) = match r.side.as_ref().filter(|_| runner == FAUX) {
                    Some(s) => (&s.faux_p50, &s.faux_p99, &s.reference_p50, &s.reference_p99),
                    None => (&f.p50, &f.p99, &r.p50, &r.p99),
                };
                println!(
                    "| {runner} | {function} | {reference} | {} | {} | {} | {} | {} |",
                    ratio(fp50, rp50),
                    ratio(fp99, rp99),
                    ratio(&f.c1, &r.c1),
                    ratio(&f.c8, &r.c8),
                    ratio(&f.cold, &r.cold)
                );
                if runner == FAUX && reference != FLOOR {
                    let floor = find(FLOOR, function).and_then(|r| r.p50.val());
                    two_x.push((
                        format!("{function} vs {reference}"),
                        fp50.val(),
                        rp50.val().map(|b| b / 2.0),
                        floor,
                    ));
                }
            }
        }
    }

    if let Some(n) = &node {
        println!("\nDocker cold start of a Node.js function (nodejs20.x on fauxlambda-test/nodejs:18), code already unpacked (median of {COLD_RUNS}, alternating)\n");
        println!("| zip | cold start | CreateFunction + first invoke (stores and unpacks the zip) |");
        println!("|---|---:|---:|");
        println!("| index.js only | {} | {} |", n.plain.ms(), n.plain_first.ms());
        println!(
            "| index.js + {NODE_MODULES_FILES} files under node_modules/ | {} | {} |",
            n.modules.ms(),
            n.modules_first.ms()
        );
        let delta = |a: &Fig, b: &Fig| match (a.val(), b.val()) {
            (Some(a), Some(b)) => Fig::Val(b - a),
            _ => Fig::Na("no figure".into()),
        };
        println!(
            "| difference | {} | {} |",
            delta(&n.plain, &n.modules).ms(),
            delta(&n.plain_first, &n.modules_first).ms()
        );
    }

    let faux_py = find(FAUX, "python echo");
    let faux_rs = find(FAUX, "rust echo");
    let dock_py = find(FAUX_DOCKER, "python echo");
    let dock_rs = find(FAUX_DOCKER, "rust echo");
    let at_most = |r: Option<&Row>, fig: fn(&Row) -> &Fig, limit: f64| r.and_then(|r| fig(r).val()).map(|v| v <= limit);
    let ms = |r: Option<&Row>, fig: fn(&Row) -> &Fig| r.map(|r| fig(r).ms()).unwrap_or_default();
    fn p50(r: &Row) -> &Fig {
        &r.p50
    }
    fn cold(r: &Row) -> &Fig {
        &r.cold
    }
    println!("\n| goal | fauxlambda | verdict |");
    println!("|---|---|---|");
    let faux_own = find(FAUX, PY_OWN);
    for (label, r, function) in [
        (
            "process: warm p50 ≤ 0.5 ms, python echo (awslambdaric)",
            faux_py,
            "python echo",
        ),
        (
            "process: warm p50 ≤ 0.5 ms, python echo (fauxlambda's client)",
            faux_own,
            PY_OWN,
        ),
        ("process: warm p50 ≤ 0.5 ms, rust echo", faux_rs, "rust echo"),
    ] {
        let ok = at_most(r, p50, 0.0005);
        let why = match find(FLOOR, function).and_then(|f| f.p50.val()) {
            Some(floor) if ok == Some(false) && floor > 0.0005 => format!(" (the floor's is {})", Fig::Val(floor).ms()),
            _ => String::new(),
        };
        println!("| {label} | {} | {}{why} |", ms(r, p50), verdict(ok));
    }
    for (pair, got, needed, floor) in &two_x {
        let ok = got.zip(*needed).map(|(g, n)| g <= n);
        let why = match (ok, needed, floor) {
            (Some(false), Some(n), Some(fl)) if n < fl => format!(
                " (needs ≤ {}, below the floor's {})",
                Fig::Val(*n).ms(),
                Fig::Val(*fl).ms()
            ),
            (Some(false), Some(n), _) => format!(" (needs ≤ {})", Fig::Val(*n).ms()),
            _ => String::new(),
        };
        let got = got.map(|g| Fig::Val(g).ms()).unwrap_or_default();
        println!(
            "| process: warm p50 ≥ 2× faster, {pair} | {got} | {}{why} |",
            verdict(ok)
        );
    }
    // What the machine's cores allow at most when the runtimes alone take their CPU time per invoke.
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1) as f64;
    for (label, r) in [
        (
            "process: ≥ 3,000 warm invokes/s across 8 environments, python echo (awslambdaric)",
            faux_py,
        ),
        (
            "process: ≥ 3,000 warm invokes/s across 8 environments, python echo (fauxlambda's client)",
            faux_own,
        ),
        (
            "process: ≥ 3,000 warm invokes/s across 8 environments, rust echo",
            faux_rs,
        ),
    ] {
        let ok = r.and_then(|r| r.c8.val()).map(|v| v >= 3000.0);
        let why = match r.and_then(|r| r.runtime_cpu8.val()) {
            Some(runtime) if ok == Some(false) && runtime > 0.0 => format!(
                " (the runtimes alone used {} of CPU per invoke in that run: {cores} cores allow at most {:.0}/s before any work of the emulator and the client)",
                Fig::Val(runtime).us(),
                cores / runtime
            ),
            _ => String::new(),
        };
        println!(
            "| {label} | {} | {}{why} |",
            r.map(|r| r.c8.per_s()).unwrap_or_default(),
            verdict(ok)
        );
    }
    println!(
        "| process: cold start ≤ 150 ms, python echo | {} | {} |",
        ms(faux_py, cold),
        verdict(at_most(faux_py, cold, 0.150))
    );
    for (label, r) in [
        ("docker: warm p50 ≤ 1 ms, python echo", dock_py),
        ("docker: warm p50 ≤ 1 ms, rust echo", dock_rs),
    ] {
        println!("| {label} | {} | {} |", ms(r, p50), verdict(at_most(r, p50, 0.001)));
    }
    println!(
        "| docker: cold start ≤ 400 ms, python echo | {} | {} |",
        ms(dock_py, cold),
        verdict(at_most(dock_py, cold, 0.400))
    );
    let node_delta = node.and_then(|n| Some(n.modules.val()? - n.plain.val()?));
    println!(
        "| docker: {NODE_MODULES_FILES} files in node_modules add ≤ 100 ms to a cold start | {} | {} |",
        node_delta
            .map(|d| Fig::Val(d).ms())
            .unwrap_or_else(|| docker_note.map(str::to_owned).unwrap_or_else(|| "n/a".into())),
        verdict(node_delta.map(|d| d <= 0.100))
    );
    println!(
        "\ncold start: fauxlambda = POST /_fauxlambda/functions/<name>/evict, wait until the old environment is gone (process exited / container removed), then the next invoke's request → response (checked cold); RIE = process spawn → first response; cargo lambda watch = invoke server up → first response (it starts the function with `cargo run`)."
    );
    println!("emulator CPU per invoke = user + system CPU time of the emulator's own process (fauxlambda, RIE, cargo lambda watch; not the function's runtime, which each runs as a child) or of the floor's relay process, over the 1-connection throughput run, divided by the invokes answered; it includes the kernel's work for the emulator's sockets. Unlike latency, it hardly moves with the machine's drift.");
    println!("runtime CPU per invoke = user + system CPU time of the function's runtime over the same 1-connection run: the emulator's descendant processes (n/a under Docker, where it runs in a container), under the floor the runtime's process and its descendants.");
    println!("floor (minimal relay) = the same runtime behind a one-thread relay, a process of its own like every emulator, that does only the socket work of a warm invoke (benches/execution/floor.rs): no emulator can go below it on this machine.");
    println!("RIE runs the Python echo with AWS_EXECUTION_ENV=AWS_Lambda_python3.12 as the python3.12 image's bootstrap exports it (as fauxlambda does); awslambdaric then polls /next from a new thread per invoke. The `{RIE_UNSET}` row shows awslambdaric's other mode, which no Lambda image runs.");
    if let Some(why) = &docker_note {
        println!("Docker rows skipped: {why}.");
    }
    println!("whole run: {:.0} s", started.elapsed().as_secs_f64());
}
