//! `conformers bench`: the sampler on synthetic targets with exact answers,
//! and the ablation table.

use crate::sampler::synthetic::{Synthetic, SyntheticSpec};
use crate::sampler::{self, Ablation, Device, SamplerError, Settings};
use serde::Serialize;
use std::collections::HashSet;
use std::fmt::Write;

/// Modes lighter than this are not required to be visited.
pub const MODE_MASS_THRESHOLD: f64 = 1e-3;

/// One run on a synthetic target.
#[derive(Clone, Debug, Serialize)]
pub struct BenchReport {
    pub target: String,
    pub seed: u64,
    pub ablation: Ablation,
    pub dim: usize,
    /// Exact log Z.
    pub log_z: f64,
    /// Importance-sampling estimate log Ẑ.
    pub log_z_estimate: f64,
    pub log_z_error: f64,
    pub elbo: f64,
    /// log Z learned by trajectory balance (null for the oracle).
    pub learned_log_z: Option<f64>,
    /// Refinements of the last Learner (see `Settings::refinements`).
    pub refinements: usize,
    /// Effective sample size / number of draws.
    pub ess: f64,
    pub draws: usize,
    /// Modes with mass above 0.1 %, and how many of them the draws visited.
    pub significant_modes: usize,
    pub modes_visited: usize,
    pub mode_coverage: f64,
    /// Probability mass of the significant modes that no draw visited.
    pub missed_mass: f64,
    pub energy_evaluations: u64,
    pub training_evaluations: u64,
    pub train_seconds: f64,
    pub sample_seconds: f64,
}

/// Trains on `spec` and scores `draws` draws against the exact answers.
pub fn bench(
    spec: &SyntheticSpec,
    settings: &Settings,
    draws: usize,
    device: Device,
    seed: u64,
) -> Result<BenchReport, SamplerError> {
    let mut target = Synthetic::new(spec.clone());
    let out = sampler::run(&mut target, settings, draws, device, seed)?;
    let log_z = target.log_z();
    let modes = target.significant_modes(MODE_MASS_THRESHOLD);
    let visited: HashSet<Vec<u8>> = out
        .points
        .chunks(out.dim.max(1))
        .map(|x| target.mode_of(x))
        .collect();
    let hit: Vec<&(Vec<u8>, f64)> = modes.iter().filter(|(m, _)| visited.contains(m)).collect();
    let missed_mass =
        modes.iter().map(|(_, w)| w).sum::<f64>() - hit.iter().map(|(_, w)| w).sum::<f64>();
    Ok(BenchReport {
        target: spec.to_string(),
        seed,
        ablation: settings.ablation,
        dim: out.dim,
        log_z,
        log_z_estimate: out.log_z,
        log_z_error: out.log_z - log_z,
        elbo: out.elbo,
        learned_log_z: out.learned_log_z,
        refinements: out.refinements,
        ess: out.ess,
        draws,
        significant_modes: modes.len(),
        modes_visited: hit.len(),
        mode_coverage: if modes.is_empty() {
            1.0
        } else {
            hit.len() as f64 / modes.len() as f64
        },
        missed_mass: missed_mass.max(0.0),
        energy_evaluations: out.energy_evaluations,
        training_evaluations: out.training_evaluations,
        train_seconds: out.train_seconds,
        sample_seconds: out.sample_seconds,
    })
}

pub fn to_text(r: &BenchReport) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "target            {}", r.target);
    let _ = writeln!(s, "variant           {:?} (seed {})", r.ablation, r.seed);
    let _ = writeln!(s, "log Z exact       {:.4}", r.log_z);
    let _ = writeln!(
        s,
        "log Z estimate    {:.4} (error {:+.4})",
        r.log_z_estimate, r.log_z_error
    );
    let _ = writeln!(s, "ELBO              {:.4}", r.elbo);
    let _ = match r.learned_log_z {
        Some(v) => writeln!(s, "learned log Z     {v:.4}"),
        None => writeln!(s, "learned log Z     not learned (oracle)"),
    };
    let _ = writeln!(s, "refinements       {}", r.refinements);
    let _ = writeln!(s, "ESS / draws       {:.3} ({} draws)", r.ess, r.draws);
    let _ = writeln!(
        s,
        "modes > 0.1 %     {} of {} visited (missed mass {:.4})",
        r.modes_visited, r.significant_modes, r.missed_mass
    );
    let _ = writeln!(
        s,
        "energy evals      {} ({} in training)",
        r.energy_evaluations, r.training_evaluations
    );
    let _ = writeln!(
        s,
        "time              {:.2} s training, {:.2} s sampling",
        r.train_seconds, r.sample_seconds
    );
    s
}

/// Markdown table: mean ± standard deviation over seeds per variant.
pub fn ablation_table(reports: &[BenchReport]) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "| variant | \\|log Ẑ − log Z\\| | log Z − ELBO | ESS/M | mode coverage | energy evals | train s |"
    );
    let _ = writeln!(s, "|---|---|---|---|---|---|---|");
    let mut variants: Vec<Ablation> = Vec::new();
    for r in reports {
        if !variants.contains(&r.ablation) {
            variants.push(r.ablation);
        }
    }
    for v in variants {
        let rs: Vec<&BenchReport> = reports.iter().filter(|r| r.ablation == v).collect();
        let stat = |f: &dyn Fn(&BenchReport) -> f64| {
            let x: Vec<f64> = rs.iter().map(|r| f(r)).collect();
            let mean = x.iter().sum::<f64>() / x.len() as f64;
            let var =
                x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (x.len().max(2) - 1) as f64;
            (mean, var.sqrt())
        };
        let e = stat(&|r| r.log_z_error.abs());
        let gap = stat(&|r| r.log_z - r.elbo);
        let ess = stat(&|r| r.ess);
        let cov = stat(&|r| r.mode_coverage);
        let ev = stat(&|r| r.energy_evaluations as f64);
        let t = stat(&|r| r.train_seconds);
        let name = serde_json::to_value(v)
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default();
        let _ = writeln!(
            s,
            "| {name} | {:.3} ± {:.3} | {:.2} ± {:.2} | {:.3} ± {:.3} | {:.3} ± {:.3} | {:.0} | {:.1} |",
            e.0, e.1, gap.0, gap.1, ess.0, ess.1, cov.0, cov.1, ev.0, t.0
        );
    }
    s
}
