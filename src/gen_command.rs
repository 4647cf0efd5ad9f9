//! `conformers gen`: every record of every input through
//! [`conformers::generate`], molecules in parallel, results in input order.
//! A record that cannot be read, typed or finished in time fails alone: it
//! is reported (stderr, `--json`, `--failed`) and the others go on. All
//! output files appear complete or not at all.

use super::{ForceField, GenArgs, Sink};
use anyhow::Context;
use conformers::error::Error;
use conformers::forcefield::mmff::{MmffOptions, Variant};
use conformers::generate::{generate, Ensemble, GenOptions, TAGS};
use conformers::io::{open_sdf, write_record, xyz, AtomicFile};
use conformers::torsion::RotorOptions;
use conformers::Molecule;
use rayon::prelude::*;
use serde_json::{json, Value};
use std::io::{BufWriter, IsTerminal, Write};
use std::process::ExitCode;
use std::time::{Duration, Instant};

pub fn run(args: GenArgs) -> anyhow::Result<ExitCode> {
    let options = options(&args)?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads.unwrap_or(0))
        .build()
        .context("starting worker threads")?;
    pool.install(|| batch(&args, &options))
}

fn options(args: &GenArgs) -> anyhow::Result<GenOptions> {
    let positive = |v: f64| v.is_finite() && v > 0.0;
    if !positive(args.temperature) {
        anyhow::bail!("--temperature must be a positive number of kelvin");
    }
    if !(args.energy_window.is_finite() && args.energy_window >= 0.0) {
        anyhow::bail!("--energy-window must be a non-negative number of kcal/mol");
    }
    if !(args.rmsd.is_finite() && args.rmsd >= 0.0) {
        anyhow::bail!("--rmsd must be a non-negative distance in Å");
    }
    if args.num_confs == Some(0) {
        anyhow::bail!("--num-confs must be at least 1");
    }
    if args.oversample == 0 {
        anyhow::bail!("--oversample must be at least 1");
    }
    if args.timeout.is_some_and(|t| !positive(t)) {
        anyhow::bail!("--timeout must be a positive number of seconds");
    }
    let defaults = GenOptions::new(args.mode);
    Ok(GenOptions {
        num_confs: args.num_confs.unwrap_or(defaults.num_confs),
        energy_window: args.energy_window,
        rmsd: args.rmsd,
        temperature: args.temperature,
        seed: args.seed,
        effort: args.effort,
        device: args.device,
        forcefield: MmffOptions {
            variant: match args.forcefield {
                ForceField::Mmff94 => Variant::Mmff94,
                ForceField::Mmff94s => Variant::Mmff94s,
            },
            ..MmffOptions::default()
        },
        rotors: RotorOptions {
            rotate_amides: args.rotate_amides,
        },
        timeout: args.timeout.map(Duration::from_secs_f64),
        oversampling: args.oversample,
        ..defaults
    })
}

/// One input record after `gen`.
struct Done {
    file: String,
    /// 0-based record number in its file.
    index: usize,
    /// The record as read, for `--failed`.
    text: String,
    seconds: f64,
    result: Result<(Molecule, Ensemble), Failure>,
}

struct Failure {
    name: String,
    message: String,
}

fn batch(args: &GenArgs, options: &GenOptions) -> anyhow::Result<ExitCode> {
    let mut sdf = if args.output == "-" {
        Sink::Stdout(BufWriter::new(std::io::stdout().lock()))
    } else {
        Sink::File(AtomicFile::create(&args.output)?)
    };
    let mut xyz_out = args.xyz.as_ref().map(AtomicFile::create).transpose()?;
    let mut failed_out = args.failed.as_ref().map(AtomicFile::create).transpose()?;
    let progress = !args.quiet && std::io::stderr().is_terminal();
    // Enough molecules at a time to keep every thread busy when molecules
    // are small, few enough to keep memory flat on large files.
    let chunk_size = 2 * rayon::current_num_threads();
    let mut summaries: Vec<Value> = Vec::new();
    let (mut ok, mut failed, mut unreadable) = (0usize, 0usize, false);
    for input in &args.inputs {
        let mut reader = match open_sdf(input) {
            Ok(r) => r.keep_text(),
            Err(e) => {
                report!("error: {e}");
                unreadable = true;
                continue;
            }
        };
        let mut index = 0;
        loop {
            let mut chunk = Vec::with_capacity(chunk_size);
            while chunk.len() < chunk_size {
                let Some(record) = reader.next() else { break };
                chunk.push((index, record, reader.record_text().to_string()));
                index += 1;
            }
            if chunk.is_empty() {
                break;
            }
            let done: Vec<Done> = chunk
                .into_par_iter()
                .map(|(index, record, text)| process(input, index, record, text, options))
                .collect();
            for d in done {
                let mut summary = json!({
                    "name": "",
                    "file": d.file,
                    "index": d.index,
                    "wall_time_s": d.seconds,
                });
                match &d.result {
                    Ok((mol, ensemble)) => {
                        ok += 1;
                        write_ensemble(&mut sdf, xyz_out.as_mut(), mol, ensemble)
                            .with_context(|| format!("writing {}", args.output))?;
                        summary["name"] = json!(mol.name());
                        summary["status"] = json!("ok");
                        merge(&mut summary, ensemble.summary(mol, options));
                        if progress {
                            report!(
                                "{}: record {} ({}): {} conformers, lowest {:.3} kcal/mol, {:.1} s",
                                d.file,
                                d.index + 1,
                                mol.name(),
                                ensemble.conformers.len(),
                                ensemble.lowest_energy(),
                                d.seconds
                            );
                        }
                    }
                    Err(f) => {
                        failed += 1;
                        report!("error: {}", f.message);
                        summary["name"] = json!(f.name);
                        summary["status"] = json!("failed");
                        summary["error"] = json!(f.message);
                        if let Some(out) = failed_out.as_mut() {
                            write_failed(out, &d.text, &f.message)?;
                        }
                    }
                }
                summaries.push(summary);
            }
        }
        if index == 0 {
            report!("error: {input}: no records found (is it an SDF or MOL file?)");
            unreadable = true;
        }
    }
    sdf.finish()
        .with_context(|| format!("writing {}", args.output))?;
    if let Some(out) = xyz_out {
        out.commit()?;
    }
    if let Some(out) = failed_out {
        out.commit()?;
    }
    if let Some(path) = &args.json {
        let mut out = AtomicFile::create(path)?;
        serde_json::to_writer_pretty(&mut out, &summaries)?;
        writeln!(out)?;
        out.commit()?;
    }
    Ok(match (ok, failed, unreadable) {
        (0, 0, _) | (0, _, true) => ExitCode::from(2),
        (_, 0, false) => ExitCode::SUCCESS,
        _ => ExitCode::from(1),
    })
}

fn process(
    file: &str,
    index: usize,
    record: Result<Molecule, Error>,
    text: String,
    options: &GenOptions,
) -> Done {
    let start = Instant::now();
    let result = match record {
        Ok(mol) => match generate(&mol, options) {
            Ok(ensemble) => Ok((mol, ensemble)),
            Err(e) => Err(Failure {
                message: format!("{file}: record {} ({}): {e}", index + 1, mol.name()),
                name: mol.name().to_string(),
            }),
        },
        Err(e) => Err(Failure {
            name: match &e {
                Error::Record(r) => r.location.title.clone(),
                _ => String::new(),
            },
            message: e.to_string(),
        }),
    };
    Done {
        file: file.to_string(),
        index,
        text,
        seconds: start.elapsed().as_secs_f64(),
        result,
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

/// The record as read, with a FAILURE tag before its `$$$$`.
fn write_failed(out: &mut impl Write, text: &str, message: &str) -> std::io::Result<()> {
    let body = match text.rfind("$$$$") {
        Some(end) => &text[..end],
        None => text,
    };
    write!(out, "{body}")?;
    if !body.is_empty() && !body.ends_with('\n') {
        writeln!(out)?;
    }
    writeln!(out, "> <FAILURE>")?;
    for line in message.lines() {
        writeln!(out, "{line}")?;
    }
    writeln!(out)?;
    writeln!(out, "$$$$")
}
