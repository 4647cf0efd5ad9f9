//! `conformers gen`: an ensemble for every record, through the shared record
//! loop ([`super::batch`]). Outputs (`-o`, `--xyz`, `--json`, `--failed`)
//! are opened before any work and appear complete or not at all.

use super::args::GenArgs;
use super::batch::{self, Finished, Reporter};
use super::shard::{self, Entry, Shard, ShardWriter};
use super::Sink;
use conformers::generate::{generate, Ensemble, GenOptions, Mode, TAGS};
use conformers::io::{write_record, xyz, AtomicFile};
use conformers::Molecule;
use serde_json::{json, Value};
use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

/// Where finished records go: the files of one process, or this task's
/// shard of a run directory (`--shard`).
enum Outputs {
    Files {
        sdf: Sink,
        xyz: Option<AtomicFile>,
        json: Option<AtomicFile>,
        summaries: Vec<Value>,
    },
    Shard(ShardWriter),
}

pub fn run(args: GenArgs) -> anyhow::Result<ExitCode> {
    let options = Arc::new(args.options()?);
    // Every output path is opened before any work, so that a typo in the
    // last option does not cost the whole run.
    let (mut outputs, failed, select) = if shard::is_directory(&args.output) {
        let shard = args.shard.unwrap_or(Shard { index: 0, count: 1 });
        if args.xyz.is_some() || args.json.is_some() || args.failed.is_some() {
            anyhow::bail!(
                "with a directory output, --xyz, --json and --failed belong to \
                 `conformers merge`"
            );
        }
        // Everything besides the input files that the output depends on.
        let settings = json!({
            "smiles": args.inputs.smiles,
            "format": args.inputs.format.map(|f| format!("{f:?}")),
            "stereoisomers": args
                .inputs
                .enumerate_stereo
                .then_some(args.inputs.max_stereoisomers),
            "options": format!("{options:?}"),
        });
        let (writer, finished) = ShardWriter::open(
            &args.output,
            shard,
            &args.inputs.inputs,
            &settings,
            args.resume,
            args.chunk_records as usize,
        )?;
        let select: Box<dyn Fn(usize) -> bool> =
            Box::new(move |ordinal| shard.takes(ordinal) && !finished.contains(&ordinal));
        (Outputs::Shard(writer), None, Some(select))
    } else {
        if args.shard.is_some() || args.resume {
            anyhow::bail!("--shard and --resume write to a directory: give -o DIR/");
        }
        let outputs = Outputs::Files {
            sdf: Sink::create(&args.output)?,
            xyz: args.xyz.as_ref().map(AtomicFile::create).transpose()?,
            json: args.json.as_ref().map(AtomicFile::create).transpose()?,
            summaries: Vec::new(),
        };
        let failed = args.failed.as_ref().map(AtomicFile::create).transpose()?;
        (outputs, failed, None)
    };
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
            select,
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
            let mut sdf = Vec::new();
            match &finished.result {
                Ok((mol, ensemble)) => {
                    conformers += ensemble.conformers.len();
                    write_ensemble(&mut sdf, mol, ensemble)?;
                    if let Outputs::Files { xyz: Some(out), .. } = &mut outputs {
                        write_xyz(out, mol, ensemble)?;
                    }
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
            match &mut outputs {
                Outputs::Files {
                    sdf: out,
                    summaries,
                    ..
                } => {
                    out.write_all(&sdf)?;
                    summaries.push(summary);
                }
                Outputs::Shard(writer) => writer.push(Entry {
                    ordinal: finished.ordinal,
                    sdf,
                    summary,
                    failed: batch::failed_record(finished),
                })?,
            }
            Ok(())
        },
    )?;
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
    match outputs {
        Outputs::Shard(writer) => {
            // A task with nothing left to do (a finished shard resumed) has
            // still done its job.
            writer.finish(outcome.total)?;
            reporter.close(&line);
            return Ok(match outcome.interrupted {
                Some((_, code)) => ExitCode::from(code),
                None if outcome.failed > 0 => ExitCode::from(1),
                None if outcome.unreadable => ExitCode::from(2),
                None => ExitCode::SUCCESS,
            });
        }
        Outputs::Files {
            sdf,
            xyz,
            json,
            mut summaries,
        } => {
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
            if let Some(out) = xyz {
                out.commit()?;
            }
            if let Some(mut out) = json {
                write_summaries(&mut out, &summaries)?;
                out.commit()?;
            }
        }
    }
    reporter.close(&line);
    Ok(outcome.exit_code())
}

/// The `--json` summary: the records' objects as a list (`merge` writes
/// the same bytes from a sharded run).
pub fn write_summaries(out: &mut impl Write, summaries: &[Value]) -> anyhow::Result<()> {
    serde_json::to_writer_pretty(&mut *out, summaries)?;
    writeln!(out)?;
    Ok(())
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
    Ok(())
}

fn write_xyz(out: &mut AtomicFile, mol: &Molecule, ensemble: &Ensemble) -> std::io::Result<()> {
    for c in &ensemble.conformers {
        xyz::write_frame(
            out,
            mol,
            &c.coords,
            &xyz::comment(mol.name(), Some(c.energy)),
        )?;
    }
    Ok(())
}
