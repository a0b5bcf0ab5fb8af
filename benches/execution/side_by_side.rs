//! Side-by-side warm latency: fauxlambda and a reference measured in alternating batches, so that
//! the machine's drift during a run (on a shared 2-core machine the same figure moves by ±20%
//! from one minute to the next) falls on both alike and their ratio means something. The 2×
//! goals are judged on these figures; the main table's rows are each runner measured alone.

use crate::measure::Fig;
use crate::raw_client::RawClient;
use std::time::{Duration, Instant};

/// Sequential invokes per batch, and rounds of one batch each; who goes first alternates.
const BATCH: usize = 250;
const ROUNDS: usize = 12;
/// Invokes per target before the first batch.
const WARM_UP: usize = 100;

/// Where a warm function answers invokes.
#[derive(Clone, Debug)]
pub struct Target {
    pub port: u16,
    pub path: String,
}

/// p50 and p99 of fauxlambda and of the reference, from the same alternating run.
#[derive(Clone)]
pub struct SideBySide {
    pub faux_p50: Fig,
    pub faux_p99: Fig,
    pub reference_p50: Fig,
    pub reference_p99: Fig,
}

impl SideBySide {
    fn failed(why: &str) -> SideBySide {
        let n = Fig::Na(why.to_string());
        SideBySide {
            faux_p50: n.clone(),
            faux_p99: n.clone(),
            reference_p50: n.clone(),
            reference_p99: n,
        }
    }
}

/// Latency of `faux` and `reference`, batch by batch in turn, over one keep-alive connection each.
pub async fn measure(faux: &Target, reference: &Target) -> SideBySide {
    let (faux, reference) = (faux.clone(), reference.clone());
    let run = move || -> Result<SideBySide, String> {
        let mut clients = [
            RawClient::connect(faux.port, &faux.path)?,
            RawClient::connect(reference.port, &reference.path)?,
        ];
        for c in clients.iter_mut() {
            for _ in 0..WARM_UP {
                c.invoke()?;
            }
        }
        let mut samples: [Vec<Duration>; 2] = [Vec::with_capacity(BATCH * ROUNDS), Vec::with_capacity(BATCH * ROUNDS)];
        for round in 0..ROUNDS {
            let order = if round % 2 == 0 { [0, 1] } else { [1, 0] };
            for k in order {
                for _ in 0..BATCH {
                    let t = Instant::now();
                    clients[k].invoke()?;
                    samples[k].push(t.elapsed());
                }
            }
        }
        let [faux, reference] = samples.map(|mut s| {
            s.sort();
            let at = |q: f64| Fig::Val(s[((s.len() as f64 * q) as usize).min(s.len() - 1)].as_secs_f64());
            (at(0.50), at(0.99))
        });
        Ok(SideBySide {
            faux_p50: faux.0,
            faux_p99: faux.1,
            reference_p50: reference.0,
            reference_p99: reference.1,
        })
    };
    match tokio::task::spawn_blocking(run)
        .await
        .map_err(|e| e.to_string())
        .and_then(|r| r)
    {
        Ok(s) => s,
        Err(e) => SideBySide::failed(&e),
    }
}

/// How the side-by-side figures are taken, for the report.
pub fn method() -> String {
    format!("{ROUNDS} rounds of {BATCH} sequential invokes each, fauxlambda and the reference in turn (who goes first alternates), after {WARM_UP} warm-up invokes each")
}
