//! `conformers bench`: the sampler on synthetic targets with exact answers.

use super::args::BenchArgs;
use anyhow::Context;
use conformers::bench;
use conformers::sampler::synthetic::SyntheticSpec;
use conformers::sampler::{Ablation, Settings};
use std::io::Write;
use std::process::ExitCode;

pub fn run(args: BenchArgs) -> anyhow::Result<ExitCode> {
    let spec: SyntheticSpec = args.target.parse()?;
    let settings = args.settings();
    let seeds = if args.seeds.is_empty() {
        vec![args.seed]
    } else {
        args.seeds.clone()
    };
    let variants = if args.compare {
        vec![
            Ablation::Sgds,
            Ablation::LearnerOnly,
            Ablation::SearcherOnly,
            Ablation::NoNovelty,
            Ablation::NoReinit,
            Ablation::NoLearnerChains,
            Ablation::Oracle,
        ]
    } else {
        vec![args.ablation.into()]
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads.unwrap_or(0))
        .build()
        .context("starting worker threads")?;
    let mut reports = Vec::new();
    let mut out = std::io::stdout().lock();
    for &variant in &variants {
        for &seed in &seeds {
            // The table compares at equal budgets: no refinements.
            let run_settings = Settings {
                ablation: variant,
                refinements: if args.compare {
                    0
                } else {
                    settings.refinements
                },
                ..settings.clone()
            };
            let report = pool.install(|| {
                bench::bench(&spec, &run_settings, args.draws, args.device.into(), seed)
            })?;
            if args.json {
                serde_json::to_writer(&mut out, &report)?;
                writeln!(out)?;
            } else if !args.compare {
                write!(out, "{}", bench::to_text(&report))?;
            }
            reports.push(report);
        }
    }
    if args.compare && !args.json {
        writeln!(
            out,
            "{} — effort {:?}, seeds {:?}, {} draws",
            spec,
            conformers::sampler::Effort::from(args.effort),
            seeds,
            args.draws
        )?;
        write!(out, "{}", bench::ablation_table(&reports))?;
    }
    Ok(ExitCode::SUCCESS)
}
