//! `conformers gen`: an ensemble for every record, through the shared record
//! loop ([`super::batch`]). Outputs (`-o`, `--xyz`, `--json`, `--failed`)
//! are opened before any work and appear complete or not at all.

use super::args::GenArgs;
use super::batch::{self, Finished, Reporter};
use super::Sink;
use conformers::generate::{generate, Ensemble, GenOptions, Mode, TAGS};
use conformers::io::{write_record, xyz, AtomicFile};
use conformers::Molecule;
use serde_json::{json, Value};
use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

pub fn run(args: GenArgs) -> anyhow::Result<ExitCode> {
    let options = Arc::new(args.options()?);
    // Every output path is opened before any work, so that a typo in the
    // last option does not cost the whole run.
    let mut sdf = Sink::create(&args.output)?;
    let mut xyz_out = args.xyz.as_ref().map(AtomicFile::create).transpose()?;
    let failed = args.failed.as_ref().map(AtomicFile::create).transpose()?;
    let json_out = args.json.as_ref().map(AtomicFile::create).transpose()?;
    let mut summaries: Vec<Value> = Vec::new();
    let mut conformers = 0usize;
    let job_options = Arc::clone(&options);
    let (outcome, reporter) = batch::run(
        &args.inputs,
        batch::Settings {
            threads: args.threads,
            progress: true,
            quiet: args.quiet,
            interrupts: true,
            failed,
            describe,
            seed: args.seed,
        },
        move |_, mol| Ok(generate(mol, &job_options)?),
        |finished: &Finished<Ensemble>, reporter: &Reporter| {
            let mut summary = json!({
                "name": finished
                    .result
                    .as_ref()
                    .map_or_else(|f| f.title().to_string(), |(mol, _)| mol.name().to_string()),
                "file": finished.file,
                "index": finished.index,
                "wall_time_s": finished.seconds,
            });
            match &finished.result {
                Ok((mol, ensemble)) => {
                    conformers += ensemble.conformers.len();
                    write_ensemble(&mut sdf, xyz_out.as_mut(), mol, ensemble)?;
                    summary["status"] = json!("ok");
                    merge(&mut summary, ensemble.summary(mol, &options));
                    let mut warnings = warnings(ensemble, &options);
                    warnings.extend(finished.unspecified.iter().map(|open| {
                        let atoms: Vec<String> = open.atoms.iter().map(usize::to_string).collect();
                        format!(
                            "{} {} not specified in the input: embedded as {}",
                            open.kind,
                            atoms.join("="),
                            open.chosen
                                .as_deref()
                                .unwrap_or("an unlabelled configuration")
                        )
                    }));
                    summary["unspecified_stereo"] = json!(finished.unspecified);
                    for w in &warnings {
                        reporter.say(&format!(
                            "warning: {}: record {} ({}): {w}",
                            finished.file,
                            finished.index + 1,
                            mol.name()
                        ));
                    }
                    summary["warnings"] = json!(warnings);
                }
                Err(failure) => {
                    summary["status"] = json!("failed");
                    summary["error"] = json!(failure.to_string());
                }
            }
            summaries.push(summary);
            Ok(())
        },
    )?;
    if let Some((name, _)) = outcome.interrupted {
        for (file, index, title) in &outcome.unfinished {
            summaries.push(json!({
                "name": title,
                "file": file,
                "index": index,
                "status": "interrupted",
                "error": format!("the run was stopped by {name} before this record finished"),
            }));
        }
    }
    if outcome.read == 0 {
        // Nothing was read: no empty output file is left behind.
        reporter.close("conformers gen: no records were read");
        return Ok(outcome.exit_code());
    }
    sdf.finish()?;
    if let Some(out) = xyz_out {
        out.commit()?;
    }
    if let Some(mut out) = json_out {
        serde_json::to_writer_pretty(&mut out, &summaries)?;
        writeln!(out)?;
        out.commit()?;
    }
    let mut line = format!(
        "conformers gen: {} ({} ok, {} failed), {} written, {}",
        count(outcome.ok + outcome.failed, "molecule"),
        outcome.ok,
        outcome.failed,
        count(conformers, "conformer"),
        human_time(reporter.elapsed())
    );
    if let Some((name, _)) = outcome.interrupted {
        let n = outcome.unfinished.len();
        line.push_str(&format!(
            "; interrupted by {name}: {} read but not finished {} not written, {}",
            count(n, "record"),
            if n == 1 { "was" } else { "were" },
            outcome.reading
        ));
    }
    reporter.close(&line);
    Ok(outcome.exit_code())
}

/// The log line of a finished molecule.
fn describe(finished: &Finished<Ensemble>) -> String {
    match &finished.result {
        Ok((mol, ensemble)) => format!(
            "{}: record {} ({}): ok, {}, lowest {:.3} kcal/mol, {:.1} s",
            finished.file,
            finished.index + 1,
            mol.name(),
            count(ensemble.conformers.len(), "conformer"),
            ensemble.lowest_energy(),
            finished.seconds
        ),
        Err(failure) => failure.to_string(),
    }
}

/// Below this ESS/M the weighted draws of `--mode boltzmann` rest on a few
/// heavy weights: fewer than one effective draw in twenty.
const LOW_ESS: f64 = 0.05;

/// What a chemist should know about an ensemble before trusting it.
fn warnings(ensemble: &Ensemble, options: &GenOptions) -> Vec<String> {
    let mut out = Vec::new();
    if options.mode != Mode::Boltzmann {
        return out;
    }
    let advice = "the weights may be wrong and conformers missing; \
                  try --effort thorough, or --mode minima for the low-energy shapes";
    if ensemble.ess < LOW_ESS {
        out.push(format!(
            "the sampler's draws are unreliable: ESS/M {:.3} is below {LOW_ESS} \
             (about {:.0} effective of {} draws); {advice}",
            ensemble.ess,
            ensemble.ess * ensemble.draws as f64,
            ensemble.draws
        ));
    }
    let distinct = distinct_conformers(ensemble);
    if 2 * distinct < ensemble.conformers.len() {
        out.push(format!(
            "only {distinct} of the {} written conformers are distinct (the \
             resampling repeats a few heavy draws); {advice}",
            ensemble.conformers.len()
        ));
    }
    out
}

fn distinct_conformers(ensemble: &Ensemble) -> usize {
    let mut seen = std::collections::HashSet::new();
    for c in &ensemble.conformers {
        let bits: Vec<u64> = c
            .coords
            .iter()
            .flat_map(|p| [p.x.to_bits(), p.y.to_bits(), p.z.to_bits()])
            .collect();
        seen.insert(bits);
    }
    seen.len()
}

/// "1 molecule", "2 molecules".
fn count(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

fn human_time(seconds: f64) -> String {
    let s = seconds.round() as u64;
    match s {
        0..60 => format!("{seconds:.1} s"),
        60..3600 => format!("{} min {} s", s / 60, s % 60),
        _ => format!("{} h {} min", s / 3600, (s % 3600) / 60),
    }
}

fn merge(into: &mut Value, from: Value) {
    if let (Value::Object(a), Value::Object(b)) = (into, from) {
        a.extend(b);
    }
}

fn write_ensemble(
    sdf: &mut impl Write,
    xyz_out: Option<&mut AtomicFile>,
    mol: &Molecule,
    ensemble: &Ensemble,
) -> std::io::Result<()> {
    // The input's own values of the tags written here would contradict them.
    let mut mol = mol.clone();
    for tag in TAGS {
        mol.remove_data(tag);
    }
    for (c, tags) in ensemble.conformers.iter().zip(ensemble.tags()) {
        write_record(sdf, &mol, &c.coords, &tags)?;
    }
    if let Some(out) = xyz_out {
        for c in &ensemble.conformers {
            xyz::write_frame(
                out,
                &mol,
                &c.coords,
                &xyz::comment(mol.name(), Some(c.energy)),
            )?;
        }
    }
    Ok(())
}
