//! What is measured of a warm runner: latency over one connection, throughput over 1 and 8, each
//! a `Fig` (a value, or why there is none), gathered into a `Row` of the table.

use crate::process::{cpu_time, descendants_cpu_time};
use crate::raw_client::RawClient;
use crate::side_by_side::{self, SideBySide, Target};
use crate::{COLD_RUNS, ENVIRONMENTS};
use std::time::{Duration, Instant};

/// Each throughput figure runs this long.
pub const RUN_FOR: Duration = Duration::from_secs(2);
/// Warm latency: at most this many sequential invokes, for at most `LATENCY_FOR`.
const LATENCY_SAMPLES: usize = 5000;
const LATENCY_FOR: Duration = Duration::from_secs(2);
/// No single load may answer more than this many invokes (a bound besides the time).
const MAX_INVOKES: u64 = 2_000_000;

/// A figure, or why there is none.
#[derive(Clone, Debug)]
pub enum Fig {
    Val(f64),
    Na(String),
}

impl Fig {
    pub fn val(&self) -> Option<f64> {
        match self {
            Fig::Val(v) => Some(*v),
            Fig::Na(_) => None,
        }
    }
    pub fn ms(&self) -> String {
        match self {
            Fig::Val(v) => format!("{:.3} ms", v * 1000.0),
            Fig::Na(r) => format!("n/a ({r})"),
        }
    }
    pub fn us(&self) -> String {
        match self {
            Fig::Val(v) => format!("{:.0} µs", v * 1e6),
            Fig::Na(r) => format!("n/a ({r})"),
        }
    }
    pub fn per_s(&self) -> String {
        match self {
            Fig::Val(v) => format!("{v:.0}"),
            Fig::Na(r) => format!("n/a ({r})"),
        }
    }
}

/// Warm latency p50 and p99 (seconds) of sequential invokes over one keep-alive connection.
pub async fn latency(port: u16, path: &str) -> (Fig, Fig) {
    let path = path.to_string();
    let run = move || {
        let mut c = RawClient::connect(port, &path)?;
        for _ in 0..100 {
            c.invoke()?;
        }
        let mut samples = Vec::with_capacity(LATENCY_SAMPLES);
        let end = Instant::now() + LATENCY_FOR;
        while samples.len() < LATENCY_SAMPLES && Instant::now() < end {
            let t = Instant::now();
            c.invoke()?;
            samples.push(t.elapsed());
        }
        samples.sort();
        let at = |q: f64| samples[((samples.len() as f64 * q) as usize).min(samples.len() - 1)].as_secs_f64();
        Ok::<_, String>((at(0.50), at(0.99)))
    };
    match tokio::task::spawn_blocking(run)
        .await
        .map_err(|e| e.to_string())
        .and_then(|r| r)
    {
        Ok((p50, p99)) => (Fig::Val(p50), Fig::Val(p99)),
        Err(e) => (Fig::Na(e.clone()), Fig::Na(e)),
    }
}

/// Successful invokes per second over `conns` keep-alive connections (a thread each) for `for_`;
/// errors counted.
pub async fn load(port: u16, path: &str, conns: usize, for_: Duration) -> Result<(f64, u64, Option<String>), String> {
    let deadline = Instant::now() + for_;
    let mut tasks = Vec::new();
    for _ in 0..conns {
        let path = path.to_string();
        tasks.push(tokio::task::spawn_blocking(move || {
            let mut c = RawClient::connect(port, &path)?;
            let (mut ok, mut errors, mut first_error) = (0u64, 0u64, None);
            while Instant::now() < deadline && ok + errors < MAX_INVOKES / conns as u64 {
                match c.invoke() {
                    Ok(()) => ok += 1,
                    Err(e) => {
                        errors += 1;
                        first_error.get_or_insert(e);
                        // The response may not have been read whole: start afresh.
                        c = RawClient::connect(port, &path)?;
                    }
                }
            }
            Ok::<_, String>((ok, errors, first_error))
        }));
    }
    let (mut ok, mut errors, mut first) = (0, 0, None);
    for t in tasks {
        let (o, e, f) = t.await.map_err(|e| e.to_string())??;
        ok += o;
        errors += e;
        first = first.or(f);
    }
    Ok((ok as f64 / for_.as_secs_f64(), errors, first))
}

/// Throughput over `conns` connections.
async fn throughput(port: u16, path: &str, conns: usize) -> (Fig, String) {
    match load(port, path, conns, RUN_FOR).await {
        Ok((rps, 0, _)) => (Fig::Val(rps), String::new()),
        Ok((rps, errors, first)) => (
            Fig::Val(rps),
            format!(
                " ({errors} errors, first: {})",
                first.unwrap_or_default().chars().take(80).collect::<String>()
            ),
        ),
        Err(e) => (Fig::Na(e), String::new()),
    }
}

/// Throughput over `conns` connections (after a warm-up that starts the environments when more
/// than one), and the CPU time spent per invoke meanwhile by the emulator and by the function's
/// runtimes: `emulator` and `runtime` read what each has used so far (the emulator's process or
/// the floor's relay process; the runtimes' processes), or why they cannot.
pub async fn throughput_and_cpu(
    port: u16,
    path: &str,
    conns: usize,
    emulator: impl Fn() -> Result<Duration, String>,
    runtime: impl Fn() -> Result<Duration, String>,
) -> (Fig, String, Fig, Fig) {
    if conns > 1 {
        let _ = load(port, path, conns, Duration::from_millis(1500)).await;
    }
    let before = (emulator(), runtime());
    let (rate, note) = throughput(port, path, conns).await;
    let per_invoke =
        |before: Result<Duration, String>, after: Result<Duration, String>| match (before, after, rate.val()) {
            (Ok(a), Ok(b), Some(rps)) if rps > 0.0 => {
                Fig::Val((b.saturating_sub(a)).as_secs_f64() / (rps * RUN_FOR.as_secs_f64()))
            }
            (_, _, None) => Fig::Na("no throughput".into()),
            (Err(e), _, _) | (_, Err(e), _) => Fig::Na(e),
            _ => Fig::Na("no invokes".into()),
        };
    let emulator_cpu = per_invoke(before.0, emulator());
    let runtime_cpu = per_invoke(before.1, runtime());
    (rate, note, emulator_cpu, runtime_cpu)
}

pub fn median(mut v: Vec<Duration>) -> f64 {
    v.sort();
    v[v.len() / 2].as_secs_f64()
}

/// The median of `COLD_RUNS` cold starts, each timed by `once`; the first failure instead.
pub async fn median_cold<F: std::future::Future<Output = Result<Duration, String>>>(
    mut once: impl FnMut() -> F,
) -> Result<f64, String> {
    let mut times = Vec::with_capacity(COLD_RUNS);
    for _ in 0..COLD_RUNS {
        times.push(once().await?);
    }
    Ok(median(times))
}

/// One row of the table.
pub struct Row {
    pub runner: &'static str,
    pub function: &'static str,
    pub p50: Fig,
    pub p99: Fig,
    pub c1: Fig,
    pub c8: Fig,
    /// CPU time of the emulator (not of the runtime) per warm invoke, over one connection.
    pub cpu: Fig,
    /// CPU time of the function's runtime per warm invoke, over the same run.
    pub runtime_cpu: Fig,
    /// CPU time of the function's runtimes per warm invoke, over the 8-connection run.
    pub runtime_cpu8: Fig,
    pub note: String,
    pub cold: Fig,
    /// A reference's warm latency measured in turn with fauxlambda's (its p50/p99 above are
    /// the reference's side of it).
    pub side: Option<SideBySide>,
}

impl Row {
    pub fn na(runner: &'static str, function: &'static str, why: &str) -> Row {
        let n = Fig::Na(why.to_string());
        Row {
            runner,
            function,
            p50: n.clone(),
            p99: n.clone(),
            c1: n.clone(),
            c8: n.clone(),
            cpu: n.clone(),
            runtime_cpu: n.clone(),
            runtime_cpu8: n.clone(),
            note: String::new(),
            cold: n,
            side: None,
        }
    }
    /// A row not run at all: the reason once.
    pub fn skipped(runner: &'static str, function: &'static str, why: &str) -> Row {
        let n = Fig::Na("skipped".into());
        Row {
            runner,
            function,
            p50: Fig::Na(why.to_string()),
            p99: n.clone(),
            c1: n.clone(),
            c8: n.clone(),
            cpu: n.clone(),
            runtime_cpu: n.clone(),
            runtime_cpu8: n.clone(),
            note: String::new(),
            cold: n,
            side: None,
        }
    }
    pub fn has_figures(&self) -> bool {
        [&self.p50, &self.p99, &self.c1, &self.c8, &self.cold]
            .iter()
            .any(|f| f.val().is_some())
    }
}

/// Warm figures of a runner whose emulator is process `pid`, with the function's runtime among
/// its descendants (not so under Docker: the runtime's CPU time is then n/a); a reference's latency
/// is measured side by side with `faux`, the same function on fauxlambda, when given.
pub async fn measure_warm(
    runner: &'static str,
    function: &'static str,
    port: u16,
    path: &str,
    pid: u32,
    faux: Option<&Target>,
) -> Row {
    let (p50, p99, side) = warm_latency(port, path, faux).await;
    let (c1, n1, cpu, runtime_cpu) =
        throughput_and_cpu(port, path, 1, || cpu_time(pid), || descendants_cpu_time(pid)).await;
    let (c8, n8, _, runtime_cpu8) =
        throughput_and_cpu(port, path, ENVIRONMENTS, || cpu_time(pid), || descendants_cpu_time(pid)).await;
    let note = [n1, n8]
        .into_iter()
        .filter(|n| !n.is_empty())
        .collect::<Vec<_>>()
        .join(";");
    Row {
        runner,
        function,
        p50,
        p99,
        c1,
        c8,
        cpu,
        runtime_cpu,
        runtime_cpu8,
        note,
        cold: Fig::Na("not measured".into()),
        side,
    }
}

/// A runner's warm p50 and p99: measured side by side with `faux` (the same function on
/// fauxlambda) when given, else alone.
pub async fn warm_latency(port: u16, path: &str, faux: Option<&Target>) -> (Fig, Fig, Option<SideBySide>) {
    match faux {
        Some(faux) => {
            let side = side_by_side::measure(
                faux,
                &Target {
                    port,
                    path: path.to_owned(),
                },
            )
            .await;
            (side.reference_p50.clone(), side.reference_p99.clone(), Some(side))
        }
        None => {
            let (p50, p99) = latency(port, path).await;
            (p50, p99, None)
        }
    }
}
