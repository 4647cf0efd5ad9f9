//! `conformers gen`: every record of every input through
//! [`conformers::generate`], molecules in parallel, results in input order.
//! A record that cannot be read, typed or finished in time fails alone: it
//! is reported (stderr, `--json`, `--failed`) and the others go on. All
//! output files appear complete or not at all.

use super::{DeviceArg, ForceField, GenArgs, Sink};
use anyhow::Context;
use conformers::error::Error;
use conformers::forcefield::mmff::{MmffOptions, Variant};
use conformers::generate::{generate, Ensemble, GenOptions, Mode, TAGS};
use conformers::io::{open_sdf, write_record, xyz, AtomicFile, SdfReader};
use conformers::torsion::RotorOptions;
use conformers::Molecule;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::{BufWriter, IsTerminal, Write};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

pub fn run(args: GenArgs) -> anyhow::Result<ExitCode> {
    let options = options(&args)?;
    // Every output path is opened before any work, so that a typo in the
    // last option does not cost the whole run.
    let outputs = Outputs::create(&args)?;
    let interrupt = Interrupt::register().context("installing signal handlers")?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads.unwrap_or(0))
        .build()
        .context("starting worker threads")?;
    batch(&args, Arc::new(options), outputs, &pool, &interrupt)
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
    if args.device == DeviceArg::Cuda && !cfg!(feature = "cuda") {
        anyhow::bail!(
            "--device cuda needs a build with CUDA support: rebuild with \
             `cargo build --release --features cuda`"
        );
    }
    let defaults = GenOptions::new(args.mode.into());
    Ok(GenOptions {
        num_confs: args.num_confs.unwrap_or(defaults.num_confs),
        energy_window: args.energy_window,
        rmsd: args.rmsd,
        temperature: args.temperature,
        seed: args.seed,
        effort: args.effort.into(),
        device: args.device.into(),
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

/// Every output file of a run, opened up front and moved into place
/// together at the end.
struct Outputs<'a> {
    sdf: Sink<'a>,
    xyz: Option<AtomicFile>,
    failed: Option<AtomicFile>,
    json: Option<AtomicFile>,
}

impl Outputs<'_> {
    fn create(args: &GenArgs) -> anyhow::Result<Outputs<'static>> {
        let sdf = if args.output == "-" {
            Sink::Stdout(BufWriter::new(std::io::stdout().lock()))
        } else {
            Sink::File(AtomicFile::create(&args.output)?)
        };
        Ok(Outputs {
            sdf,
            xyz: args.xyz.as_ref().map(AtomicFile::create).transpose()?,
            failed: args.failed.as_ref().map(AtomicFile::create).transpose()?,
            json: args.json.as_ref().map(AtomicFile::create).transpose()?,
        })
    }

    fn commit(self, summaries: &[Value]) -> anyhow::Result<()> {
        self.sdf.finish()?;
        if let Some(out) = self.xyz {
            out.commit()?;
        }
        if let Some(out) = self.failed {
            out.commit()?;
        }
        if let Some(mut out) = self.json {
            serde_json::to_writer_pretty(&mut out, summaries)?;
            writeln!(out)?;
            out.commit()?;
        }
        Ok(())
    }
}

/// SIGINT and SIGTERM: the first asks the run to stop (write what is
/// finished, then exit 130 or 143); a second one ends the process at once.
struct Interrupt {
    int: Arc<AtomicBool>,
    term: Arc<AtomicBool>,
}

impl Interrupt {
    fn register() -> std::io::Result<Interrupt> {
        use signal_hook::consts::{SIGINT, SIGTERM};
        use signal_hook::flag;
        let int = Arc::new(AtomicBool::new(false));
        let term = Arc::new(AtomicBool::new(false));
        for (signal, set) in [(SIGINT, &int), (SIGTERM, &term)] {
            flag::register_conditional_shutdown(signal, 128 + signal, Arc::clone(set))?;
            flag::register(signal, Arc::clone(set))?;
        }
        Ok(Interrupt { int, term })
    }

    /// The signal received, if any, with the exit code it calls for.
    fn received(&self) -> Option<(&'static str, u8)> {
        if self.int.load(Ordering::Relaxed) {
            Some(("SIGINT", 130))
        } else if self.term.load(Ordering::Relaxed) {
            Some(("SIGTERM", 143))
        } else {
            None
        }
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

/// Progress on standard error: a bar on a terminal, one plain line per
/// molecule otherwise (none with `--quiet`), and a closing summary always.
struct Progress {
    bar: Option<ProgressBar>,
    lines: bool,
    start: Instant,
}

impl Progress {
    fn new(args: &GenArgs) -> Progress {
        let terminal = std::io::stderr().is_terminal();
        let bar = (terminal && !args.quiet).then(|| {
            let total = count_records(&args.inputs);
            let bar = match total {
                Some(n) => ProgressBar::new(n as u64).with_style(
                    ProgressStyle::with_template(
                        "{spinner} {elapsed_precise} [{bar:30}] {pos}/{len} molecules, \
                         {per_sec}, ETA {eta}",
                    )
                    .expect("valid template")
                    .progress_chars("=> "),
                ),
                None => ProgressBar::new_spinner().with_style(
                    ProgressStyle::with_template(
                        "{spinner} {elapsed_precise} {pos} molecules, {per_sec}",
                    )
                    .expect("valid template"),
                ),
            };
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        });
        Progress {
            bar,
            lines: !args.quiet,
            start: Instant::now(),
        }
    }

    /// A line that must be seen (errors, warnings), above the bar if any.
    fn say(&self, line: &str) {
        match &self.bar {
            Some(bar) => bar.println(super::printable(line)),
            None => report!("{line}"),
        }
    }

    fn finished(&self, done: &Done) {
        if let Some(bar) = &self.bar {
            if bar.length().is_some_and(|n| bar.position() >= n) {
                bar.inc_length(1);
            }
            bar.inc(1);
        }
        if let Ok((mol, ensemble)) = &done.result {
            if self.lines {
                self.say(&format!(
                    "{}: record {} ({}): ok, {}, lowest {:.3} kcal/mol, {:.1} s",
                    done.file,
                    done.index + 1,
                    mol.name(),
                    count(ensemble.conformers.len(), "conformer"),
                    ensemble.lowest_energy(),
                    done.seconds
                ));
            }
        }
    }

    fn close(self, line: &str) {
        if let Some(bar) = self.bar {
            bar.finish_and_clear();
        }
        report!("{line}");
    }
}

/// Records in the given files, or `None` when one of them is a stream
/// (standard input, gzip) that can only be read once.
fn count_records(inputs: &[String]) -> Option<usize> {
    use std::io::BufRead;
    let mut total = 0;
    for input in inputs {
        if input == "-" || input.ends_with(".gz") {
            return None;
        }
        let mut reader = std::io::BufReader::new(std::fs::File::open(input).ok()?);
        let (mut line, mut open_record) = (Vec::new(), false);
        loop {
            line.clear();
            if reader.read_until(b'\n', &mut line).ok()? == 0 {
                break;
            }
            let text = line.trim_ascii_end();
            if text == b"$$$$" {
                total += 1;
                open_record = false;
            } else if !text.is_empty() {
                open_record = true;
            }
        }
        // A last record without its `$$$$` still counts.
        total += usize::from(open_record);
    }
    Some(total)
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

/// Input records, file after file.
struct Records<'a> {
    inputs: std::slice::Iter<'a, String>,
    current: Option<OpenInput<'a>>,
    /// An input could not be opened or held no record.
    unreadable: bool,
}

struct OpenInput<'a> {
    file: &'a str,
    reader: SdfReader<Box<dyn std::io::BufRead>>,
    /// Records read from it so far.
    read: usize,
}

/// One record as read, with its place in its file.
struct Record<'a> {
    file: &'a str,
    /// 0-based record number in its file.
    index: usize,
    molecule: Result<Molecule, Error>,
    /// The record's text, for `--failed`.
    text: String,
}

impl<'a> Records<'a> {
    fn next(&mut self, progress: &Progress) -> Option<Record<'a>> {
        loop {
            if let Some(open) = &mut self.current {
                if let Some(molecule) = open.reader.next() {
                    open.read += 1;
                    return Some(Record {
                        file: open.file,
                        index: open.read - 1,
                        molecule,
                        text: open.reader.record_text().to_string(),
                    });
                }
                if open.read == 0 {
                    progress.say(&format!(
                        "error: {}: no records found (is it an SDF or MOL file?)",
                        open.file
                    ));
                    self.unreadable = true;
                }
                self.current = None;
            }
            let file = self.inputs.next()?;
            match open_sdf(file) {
                Ok(reader) => {
                    self.current = Some(OpenInput {
                        file,
                        reader: reader.keep_text(),
                        read: 0,
                    })
                }
                Err(e) => {
                    progress.say(&format!("error: {e}"));
                    self.unreadable = true;
                }
            }
        }
    }
}

fn batch(
    args: &GenArgs,
    options: Arc<GenOptions>,
    mut outputs: Outputs,
    pool: &rayon::ThreadPool,
    interrupt: &Interrupt,
) -> anyhow::Result<ExitCode> {
    let progress = Progress::new(args);
    let mut records = Records {
        inputs: args.inputs.iter(),
        current: None,
        unreadable: false,
    };
    // Records read but not yet written: enough to keep every thread busy
    // behind one slow molecule, few enough to keep memory flat.
    let window = 64.max(4 * pool.current_num_threads());
    let (sender, receiver) = mpsc::channel::<(usize, Done)>();
    let mut running: BTreeMap<usize, (String, usize, String)> = BTreeMap::new();
    let mut finished: BTreeMap<usize, Done> = BTreeMap::new();
    let (mut read, mut next_to_write, mut exhausted) = (0usize, 0usize, false);
    let mut tally = Tally::default();
    let mut summaries: Vec<Value> = Vec::new();
    let signal = loop {
        if let Some(signal) = interrupt.received() {
            break Some(signal);
        }
        while !exhausted && read - next_to_write < window {
            let Some(Record {
                file,
                index,
                molecule,
                text,
            }) = records.next(&progress)
            else {
                exhausted = true;
                break;
            };
            let title = match &molecule {
                Ok(mol) => mol.name().to_string(),
                Err(Error::Record(e)) => e.location.title.clone(),
                Err(_) => String::new(),
            };
            running.insert(read, (file.to_string(), index, title.clone()));
            let (sender, options, file) = (sender.clone(), Arc::clone(&options), file.to_string());
            let seq = read;
            pool.spawn(move || {
                // A bug in one molecule's run must not take the batch down.
                let done = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    process(&file, index, molecule, text.clone(), &options)
                }))
                .unwrap_or_else(|_| Done {
                    file: file.clone(),
                    index,
                    text,
                    seconds: 0.0,
                    result: Err(Failure {
                        message: format!(
                            "{file}: record {} ({title}): internal error (a bug: please \
                             report it with this record)",
                            index + 1
                        ),
                        name: title,
                    }),
                });
                let _ = sender.send((seq, done));
            });
            read += 1;
        }
        if exhausted && running.is_empty() {
            break None;
        }
        match receiver.recv_timeout(Duration::from_millis(100)) {
            Ok((seq, done)) => {
                running.remove(&seq);
                progress.finished(&done);
                finished.insert(seq, done);
                while let Some(done) = finished.remove(&next_to_write) {
                    tally.write(&done, &mut outputs, &mut summaries, &progress, &options)?;
                    next_to_write += 1;
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => unreachable!("the sender is held here"),
        }
    };
    if let Some((name, _)) = signal {
        // Finish nothing new: what is done is written, in input order.
        for done in std::mem::take(&mut finished).into_values() {
            tally.write(&done, &mut outputs, &mut summaries, &progress, &options)?;
        }
        for (file, index, title) in running.values() {
            summaries.push(json!({
                "name": title,
                "file": file,
                "index": index,
                "status": "interrupted",
                "error": format!("the run was stopped by {name} before this record finished"),
            }));
        }
    }
    if read == 0 {
        // Nothing was read: no empty output file is left behind.
        progress.close("conformers gen: no records were read");
        return Ok(ExitCode::from(signal.map_or(2, |(_, code)| code)));
    }
    outputs.commit(&summaries)?;
    let elapsed = human_time(progress.start.elapsed().as_secs_f64());
    let mut line = format!(
        "conformers gen: {} ({} ok, {} failed), {} written, {elapsed}",
        count(tally.ok + tally.failed, "molecule"),
        tally.ok,
        tally.failed,
        count(tally.conformers, "conformer")
    );
    if let Some((name, code)) = signal {
        let reading = if exhausted {
            "every record had been read".to_string()
        } else {
            match &records.current {
                Some(open) => {
                    format!(
                        "reading stopped after record {} of {}",
                        open.read, open.file
                    )
                }
                None => "reading stopped between files".to_string(),
            }
        };
        line.push_str(&format!(
            "; interrupted by {name}: {} read but not finished {} not written, {reading}",
            count(running.len(), "record"),
            if running.len() == 1 { "was" } else { "were" }
        ));
        progress.close(&line);
        std::process::exit(i32::from(code));
    }
    progress.close(&line);
    Ok(match (tally.ok, tally.failed, records.unreadable) {
        (0, 0, _) | (0, _, true) => ExitCode::from(2),
        (_, 0, false) => ExitCode::SUCCESS,
        _ => ExitCode::from(1),
    })
}

/// Molecules written so far.
#[derive(Default)]
struct Tally {
    ok: usize,
    failed: usize,
    conformers: usize,
}

impl Tally {
    /// Writes one finished record to every output and its summary.
    fn write(
        &mut self,
        done: &Done,
        outputs: &mut Outputs,
        summaries: &mut Vec<Value>,
        progress: &Progress,
        options: &GenOptions,
    ) -> anyhow::Result<()> {
        let mut summary = json!({
            "name": "",
            "file": done.file,
            "index": done.index,
            "wall_time_s": done.seconds,
        });
        match &done.result {
            Ok((mol, ensemble)) => {
                self.ok += 1;
                self.conformers += ensemble.conformers.len();
                write_ensemble(&mut outputs.sdf, outputs.xyz.as_mut(), mol, ensemble)?;
                summary["name"] = json!(mol.name());
                summary["status"] = json!("ok");
                merge(&mut summary, ensemble.summary(mol, options));
                let warnings = warnings(ensemble, options);
                for w in &warnings {
                    progress.say(&format!(
                        "warning: {}: record {} ({}): {w}",
                        done.file,
                        done.index + 1,
                        mol.name()
                    ));
                }
                summary["warnings"] = json!(warnings);
            }
            Err(f) => {
                self.failed += 1;
                progress.say(&format!("error: {}", f.message));
                summary["name"] = json!(f.name);
                summary["status"] = json!("failed");
                summary["error"] = json!(f.message);
                if let Some(out) = outputs.failed.as_mut() {
                    write_failed(out, &done.text, &f.message)?;
                }
            }
        }
        summaries.push(summary);
        Ok(())
    }
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
