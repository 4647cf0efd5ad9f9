//! The record loop every subcommand that reads molecules runs: input files
//! read one record at a time, records handed to a pool of worker threads as
//! they are read, results passed on in input order, one failure per record
//! that cannot be read or finished (the others go on), `--failed`, progress
//! and interrupts, and the exit code.

use super::args::Inputs;
use anyhow::Context;
use conformers::ensemble::embed::{embed, OpenStereo};
use conformers::io::sdf::Input;
use conformers::io::smiles::{self, SmilesLine};
use conformers::io::{is_smiles_file, open_sdf, open_text, AtomicFile, SdfReader};
use conformers::mol::sketch::Sketch;
use conformers::{Error, Location, Molecule, RecordError, RecordErrorKind};
use indicatif::{ProgressBar, ProgressStyle};
use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Why one record has no result.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// The record could not be read; the error names file, record, title
    /// and line.
    #[error(transparent)]
    Read(Error),
    /// The record was read but could not be finished; the message shows
    /// the cause with its chain.
    #[error("{file}: record {record} ({title}): {cause:#}")]
    Process {
        file: String,
        /// 1-based, as in messages.
        record: usize,
        title: String,
        cause: anyhow::Error,
    },
}

impl Failure {
    pub fn title(&self) -> &str {
        match self {
            Failure::Read(Error::Record(e)) => &e.location.title,
            Failure::Read(_) => "",
            Failure::Process { title, .. } => title,
        }
    }

    /// The input line of a read error.
    pub fn line(&self) -> Option<usize> {
        match self {
            Failure::Read(Error::Record(e)) => Some(e.location.line),
            _ => None,
        }
    }
}

/// One record after its job.
pub struct Finished<T> {
    /// 0-based number of the record in the run (over all inputs).
    pub ordinal: usize,
    pub file: String,
    /// 0-based record number in its file.
    pub index: usize,
    /// The record as read, for `--failed`.
    pub text: String,
    /// The record is a SMILES line (its text is not an SDF record).
    pub smiles: bool,
    /// Stereo elements a SMILES or 2D input left open, as embedded.
    pub unspecified: Vec<OpenStereo>,
    pub seconds: f64,
    pub result: Result<(Molecule, T), Failure>,
}

/// How a batch runs.
pub struct Settings<T> {
    pub threads: Option<usize>,
    /// Show a progress bar on a terminal and log a line per finished
    /// molecule (`gen`); other commands only report failures.
    pub progress: bool,
    /// With `progress`: no per-molecule lines.
    pub quiet: bool,
    /// Stop cleanly on SIGINT/SIGTERM (`gen`).
    pub interrupts: bool,
    /// Where failed records go, each with a FAILURE tag.
    pub failed: Option<AtomicFile>,
    /// The log line of a finished molecule.
    pub describe: fn(&Finished<T>) -> String,
    /// Seeds the embedding of SMILES and 2D records.
    pub seed: u64,
    /// Which records (by number in the run) this process takes; the
    /// others are read past (`--shard`, `--resume`).
    pub select: Option<Box<dyn Fn(usize) -> bool>>,
}

impl<T> Settings<T> {
    /// Every record on all cores; failures on stderr, nothing else.
    pub fn plain() -> Settings<T> {
        Settings {
            threads: None,
            progress: false,
            quiet: false,
            interrupts: false,
            failed: None,
            describe: |_| String::new(),
            seed: 42,
            select: None,
        }
    }
}

/// A report per record on standard output (`info`, `energy`): its text, or
/// with `json` one JSON line, and for a failed record (with `json`) a line
/// `{"index", "name", "ok": false, "status": "failed", "error", "line"}`, so
/// that scripts see every record.
pub fn write_report<T: serde::Serialize>(
    out: &mut impl Write,
    json: bool,
    finished: &Finished<T>,
    text: impl Fn(&T, &Molecule) -> String,
) -> anyhow::Result<()> {
    match &finished.result {
        Ok((_, report)) if json => serde_json::to_writer(&mut *out, report)?,
        Ok((mol, report)) => {
            write!(out, "{}", text(report, mol))?;
            return Ok(());
        }
        Err(failure) if json => {
            let record = serde_json::json!({
                "index": finished.index,
                "name": failure.title(),
                "ok": false,
                "status": "failed",
                "error": failure.to_string(),
                "line": failure.line(),
            });
            serde_json::to_writer(&mut *out, &record)?;
        }
        Err(_) => return Ok(()),
    }
    writeln!(out)?;
    Ok(())
}

/// What a batch did.
pub struct Outcome {
    pub ok: usize,
    pub failed: usize,
    /// Records read.
    pub read: usize,
    /// An input could not be opened or held no record.
    pub unreadable: bool,
    /// The signal that stopped the run, with the exit code it calls for.
    pub interrupted: Option<(&'static str, u8)>,
    /// Records read but not finished when the run stopped: file, 0-based
    /// index, title.
    pub unfinished: Vec<(String, usize, String)>,
    /// Where reading stood when the run stopped.
    pub reading: String,
    /// Records in the run, taken or not, when every one was read.
    pub total: Option<usize>,
}

impl Outcome {
    /// 0 every record succeeded, 1 some failed, 2 nothing usable was read,
    /// 130/143 stopped by a signal.
    pub fn exit_code(&self) -> ExitCode {
        if let Some((_, code)) = self.interrupted {
            return ExitCode::from(code);
        }
        match (self.ok, self.failed, self.unreadable) {
            (0, 0, _) | (0, _, true) => ExitCode::from(2),
            (_, 0, false) => ExitCode::SUCCESS,
            _ => ExitCode::from(1),
        }
    }
}

/// Runs `job` on every record of `inputs` and hands each result, in input
/// order, to `write` (failures are reported on stderr and in `--failed`
/// first). `write` gets the reporter for messages of its own.
pub fn run<T, J, W>(
    inputs: &Inputs,
    mut settings: Settings<T>,
    job: J,
    mut write: W,
) -> anyhow::Result<(Outcome, Reporter)>
where
    T: Send + 'static,
    J: Fn(usize, &Molecule) -> anyhow::Result<T> + Send + Sync + 'static,
    W: FnMut(&Finished<T>, &Reporter) -> anyhow::Result<()>,
{
    let reporter = Reporter::new(&inputs.inputs, settings.progress, settings.quiet);
    let interrupt = if settings.interrupts {
        Some(Interrupt::register().context("installing signal handlers")?)
    } else {
        None
    };
    // Each record runs on a thread of its own and its parallel loops on
    // rayon's global pool. A pool worker that ran whole records would,
    // waiting inside one molecule's parallel loop, take up another whole
    // molecule, and the first would wait for it: a 2 s molecule could fail
    // a 120 s `--timeout` behind a slow one.
    let threads = size_global_pool(settings.threads.unwrap_or(0));
    let work = start_record_threads(threads)?;
    let job = Arc::new(job);
    let mut records = Records {
        strings: inputs.smiles.iter().enumerate(),
        inputs: inputs.inputs.iter(),
        current: None,
        unreadable: false,
        smiles: inputs.all_smiles(),
        isomers: inputs
            .enumerate_stereo
            .then_some(inputs.max_stereoisomers as usize),
        pending: Vec::new(),
        ordinal: 0,
    };
    // Records read but not yet passed on: enough to keep every thread busy
    // behind one slow molecule, few enough to keep memory flat.
    let window = 64.max(4 * threads);
    let (sender, receiver) = mpsc::channel::<(usize, Finished<T>)>();
    let mut running: BTreeMap<usize, (String, usize, String)> = BTreeMap::new();
    let mut done: BTreeMap<usize, Finished<T>> = BTreeMap::new();
    let (mut read, mut next, mut exhausted) = (0usize, 0usize, false);
    let (mut ok, mut failed) = (0usize, 0usize);
    let mut pass_on = |finished: Finished<T>| -> anyhow::Result<()> {
        match &finished.result {
            Ok(_) => ok += 1,
            Err(failure) => {
                failed += 1;
                reporter.say(&format!("error: {failure}"));
                if let (Some(out), Some(record)) =
                    (settings.failed.as_mut(), failed_record(&finished))
                {
                    out.write_all(&record)?;
                }
            }
        }
        write(&finished, &reporter)
    };
    let interrupted = loop {
        if let Some(signal) = interrupt.as_ref().and_then(Interrupt::received) {
            break Some(signal);
        }
        while !exhausted && read - next < window {
            let Some(record) = records.next(&reporter) else {
                exhausted = true;
                break;
            };
            let ordinal = records.ordinal - 1;
            if settings.select.as_ref().is_some_and(|take| !take(ordinal)) {
                continue;
            }
            let title = match &record.source {
                Source::Read(Ok(mol)) => mol.name().to_string(),
                Source::Read(Err(Error::Record(e))) => e.location.title.clone(),
                Source::Read(Err(_)) => String::new(),
                Source::Sketch(sketch) => sketch.name.clone(),
            };
            running.insert(read, (record.file.clone(), record.index, title));
            let (sender, job, seq) = (sender.clone(), Arc::clone(&job), read);
            let seed = settings.seed;
            work.send(Box::new(move || {
                let finished = process(ordinal, record, seed, &*job);
                let _ = sender.send((seq, finished));
            }))
            .expect("record threads run until the work sender is dropped");
            read += 1;
        }
        if exhausted && running.is_empty() {
            break None;
        }
        match receiver.recv_timeout(Duration::from_millis(100)) {
            Ok((seq, finished)) => {
                running.remove(&seq);
                reporter.finished(&finished, settings.describe);
                done.insert(seq, finished);
                while let Some(finished) = done.remove(&next) {
                    pass_on(finished)?;
                    next += 1;
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => unreachable!("the sender is held here"),
        }
    };
    if interrupted.is_some() {
        // Finish nothing new: what is done is passed on, in input order.
        for finished in std::mem::take(&mut done).into_values() {
            pass_on(finished)?;
        }
    }
    let reading = if exhausted {
        "every record had been read".to_string()
    } else {
        match &records.current {
            Some(open) => format!(
                "reading stopped after record {} of {}",
                open.read, open.file
            ),
            None => "reading stopped between files".to_string(),
        }
    };
    if read > 0 {
        if let Some(out) = settings.failed.take() {
            out.commit()?;
        }
    }
    let outcome = Outcome {
        ok,
        failed,
        read,
        unreadable: records.unreadable,
        interrupted,
        unfinished: running.into_values().collect(),
        reading,
        total: exhausted.then_some(records.ordinal),
    };
    Ok((outcome, reporter))
}

/// Sizes rayon's global pool, where the molecules' parallel loops run, to
/// `threads` (0: one per core) and returns its size. Only the first call
/// in a process sizes it; a later run keeps that size.
fn size_global_pool(threads: usize) -> usize {
    let _ = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build_global();
    rayon::current_num_threads()
}

/// One record's work, run on a record thread.
type Task = Box<dyn FnOnce() + Send>;

/// Starts `count` threads that run the tasks sent on the returned sender,
/// one at a time each, until it is dropped.
fn start_record_threads(count: usize) -> anyhow::Result<mpsc::Sender<Task>> {
    let (sender, receiver) = mpsc::channel::<Task>();
    let receiver = Arc::new(Mutex::new(receiver));
    for k in 0..count {
        let receiver = Arc::clone(&receiver);
        std::thread::Builder::new()
            .name(format!("record-{k}"))
            .spawn(move || loop {
                // The lock is held only while waiting for the next task.
                let next = receiver
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .recv();
                match next {
                    Ok(task) => task(),
                    Err(_) => break,
                }
            })
            .context("starting worker threads")?;
    }
    Ok(sender)
}

/// Runs one record's job (a SMILES or 2D record is embedded in 3D first,
/// its random choices seeded by `seed` and its place in the file); a panic
/// in it fails that record only.
fn process<T>(
    ordinal: usize,
    record: Record,
    seed: u64,
    job: &(dyn Fn(usize, &Molecule) -> anyhow::Result<T> + Send + Sync),
) -> Finished<T> {
    let Record {
        file,
        index,
        source,
        text,
        smiles,
    } = record;
    let start = Instant::now();
    let fail = |title: &str, cause| Failure::Process {
        file: file.clone(),
        record: index + 1,
        title: title.to_string(),
        cause,
    };
    let mut unspecified = Vec::new();
    let record = match source {
        Source::Read(record) => record.map_err(Failure::Read),
        Source::Sketch(sketch) => embed(
            &sketch,
            seed ^ (index as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15),
        )
        .map(|embedded| {
            unspecified = embedded.unspecified;
            embedded.molecule
        })
        .map_err(|e| fail(&sketch.name, anyhow::Error::new(e))),
    };
    let result = record.and_then(|mol| {
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(index, &mol)))
            .unwrap_or_else(|_| {
                Err(anyhow::anyhow!(
                    "internal error (a bug: please report it with this record)"
                ))
            });
        match outcome {
            Ok(value) => Ok((mol, value)),
            Err(cause) => Err(fail(mol.name(), cause)),
        }
    });
    Finished {
        ordinal,
        file,
        index,
        text,
        smiles,
        unspecified,
        seconds: start.elapsed().as_secs_f64(),
        result,
    }
}

/// Input records: the `--smiles` strings, then file after file.
struct Records<'a> {
    strings: std::iter::Enumerate<std::slice::Iter<'a, String>>,
    inputs: std::slice::Iter<'a, String>,
    current: Option<OpenInput<'a>>,
    unreadable: bool,
    /// Read every input as SMILES (`--format smi`), not by its name.
    smiles: bool,
    /// `--enumerate-stereo`: at most this many isomers of each sketch.
    isomers: Option<usize>,
    /// Isomers of the last sketch not yet handed out, last first.
    pending: Vec<Record>,
    /// Records handed out so far.
    ordinal: usize,
}

struct OpenInput<'a> {
    file: &'a str,
    reader: Reader,
    /// Records read from it so far.
    read: usize,
}

enum Reader {
    Sdf(SdfReader<Box<dyn std::io::BufRead>>),
    Smiles(Box<dyn Iterator<Item = std::io::Result<SmilesLine>>>),
}

/// A record as read: a molecule (or why not), or a SMILES or 2D sketch
/// still to be given 3D coordinates.
enum Source {
    Read(Result<Molecule, Error>),
    Sketch(Sketch),
}

/// One record as read, with its place in its file.
struct Record {
    file: String,
    /// 0-based record number in its file.
    index: usize,
    source: Source,
    text: String,
    /// Read from a SMILES line.
    smiles: bool,
}

impl<'a> Records<'a> {
    /// The next record, counted in `ordinal`.
    fn next(&mut self, reporter: &Reporter) -> Option<Record> {
        let record = self.expand(reporter)?;
        self.ordinal += 1;
        Some(record)
    }

    /// The next record as read, except that with `--enumerate-stereo` a
    /// sketch is handed out as one record per stereoisomer.
    fn expand(&mut self, reporter: &Reporter) -> Option<Record> {
        if let Some(record) = self.pending.pop() {
            return Some(record);
        }
        let record = self.read(reporter)?;
        let (Some(max), Source::Sketch(sketch)) = (self.isomers, &record.source) else {
            return Some(record);
        };
        let isomers = match sketch.isomers(max) {
            Ok(isomers) => isomers,
            Err(e) => {
                return Some(Record {
                    source: Source::Read(Err(Error::Record(RecordError {
                        location: Location {
                            file: record.file.to_string(),
                            record: record.index + 1,
                            title: sketch.name.clone(),
                            line: 0,
                        },
                        kind: RecordErrorKind::Structure(e),
                    }))),
                    ..record
                })
            }
        };
        let count = isomers.len();
        self.pending = isomers
            .into_iter()
            .enumerate()
            .rev()
            .map(|(k, mut isomer)| {
                if k > 0 {
                    isomer.name = format!("{}_{}", isomer.name, k + 1);
                }
                isomer
                    .data
                    .push(("STEREOISOMER".into(), format!("{} of {count}", k + 1)));
                Record {
                    file: record.file.clone(),
                    index: record.index,
                    source: Source::Sketch(isomer),
                    text: record.text.clone(),
                    smiles: record.smiles,
                }
            })
            .collect();
        self.pending.pop()
    }

    /// The next record as read.
    fn read(&mut self, reporter: &Reporter) -> Option<Record> {
        if let Some((index, text)) = self.strings.next() {
            let line = smiles::read_lines(text.as_bytes())
                .next()
                .unwrap_or_else(|| {
                    Ok(SmilesLine {
                        line: 1,
                        text: String::new(),
                        name: String::new(),
                        smiles: smiles::parse(""),
                    })
                });
            let (source, text) = smiles_source("--smiles", index, line);
            return Some(Record {
                file: "--smiles".to_string(),
                index,
                source,
                text,
                smiles: true,
            });
        }
        loop {
            if let Some(open) = &mut self.current {
                let item = match &mut open.reader {
                    Reader::Sdf(reader) => reader.next_input().map(|input| {
                        let source = match input {
                            Ok(Input::Drawing(sketch)) => Source::Sketch(sketch),
                            Ok(Input::Structure(mol)) => Source::Read(Ok(mol)),
                            Err(e) => Source::Read(Err(e)),
                        };
                        (source, reader.record_text().to_string(), false)
                    }),
                    Reader::Smiles(lines) => lines.next().map(|line| {
                        let (source, text) = smiles_source(open.file, open.read, line);
                        (source, text, true)
                    }),
                };
                if let Some((source, text, smiles)) = item {
                    open.read += 1;
                    return Some(Record {
                        file: open.file.to_string(),
                        index: open.read - 1,
                        source,
                        text,
                        smiles,
                    });
                }
                if open.read == 0 {
                    reporter.say(&format!(
                        "error: {}: no records found (is it an SDF, MOL or SMILES file?)",
                        open.file
                    ));
                    self.unreadable = true;
                }
                self.current = None;
            }
            let file = self.inputs.next()?;
            let reader = if self.smiles || is_smiles_file(file) {
                open_text(file).map(|input| Reader::Smiles(Box::new(smiles::read_lines(input))))
            } else {
                open_sdf(file).map(|r| Reader::Sdf(r.keep_text()))
            };
            match reader {
                Ok(reader) => {
                    self.current = Some(OpenInput {
                        file,
                        reader,
                        read: 0,
                    })
                }
                Err(e) => {
                    reporter.say(&format!("error: {e}"));
                    self.unreadable = true;
                }
            }
        }
    }
}

/// A SMILES line as a record: its graph, or a read error with its location.
fn smiles_source(file: &str, index: usize, line: std::io::Result<SmilesLine>) -> (Source, String) {
    match line {
        Err(reason) => (
            Source::Read(Err(Error::Read {
                path: file.into(),
                reason,
            })),
            String::new(),
        ),
        Ok(line) => {
            let text = format!("{} {}", line.text, line.name).trim().to_string();
            let source = match line.smiles {
                Ok(sketch) => Source::Sketch(sketch),
                Err(e) => Source::Read(Err(Error::Record(RecordError {
                    location: Location {
                        file: file.to_string(),
                        record: index + 1,
                        title: line.name,
                        line: line.line,
                    },
                    kind: RecordErrorKind::Smiles(e),
                }))),
            };
            (source, text)
        }
    }
}

/// A failed record as `--failed` gets it: as read, with a FAILURE tag (a
/// SMILES line becomes an SDF record without atoms); `None` for a record
/// that succeeded.
pub fn failed_record<T>(finished: &Finished<T>) -> Option<Vec<u8>> {
    let Err(failure) = &finished.result else {
        return None;
    };
    let mut out = Vec::new();
    if finished.smiles {
        write_failed_smiles(&mut out, &finished.text, failure)
    } else {
        write_failed(&mut out, &finished.text, &failure.to_string())
    }
    .expect("writing to memory cannot fail");
    Some(out)
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

/// A failed SMILES line as an SDF record without atoms: its name, the line
/// in a SMILES tag and the FAILURE tag.
fn write_failed_smiles(out: &mut impl Write, line: &str, failure: &Failure) -> std::io::Result<()> {
    writeln!(out, "{}", failure.title())?;
    writeln!(out, "  conformers")?;
    writeln!(out)?;
    writeln!(out, "  0  0  0  0  0  0  0  0  0  0999 V2000")?;
    writeln!(out, "M  END")?;
    writeln!(out, "> <SMILES>")?;
    writeln!(out, "{line}")?;
    writeln!(out)?;
    write_failed(out, "$$$$", &failure.to_string())
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

/// Messages on standard error: a progress bar on a terminal (with
/// progress), one plain line per finished molecule otherwise (unless
/// quiet), and the lines that must be seen (errors, warnings) always.
pub struct Reporter {
    bar: Option<ProgressBar>,
    lines: bool,
    start: Instant,
}

impl Reporter {
    fn new(inputs: &[String], progress: bool, quiet: bool) -> Reporter {
        let terminal = std::io::stderr().is_terminal();
        let bar = (progress && terminal && !quiet).then(|| {
            let bar = match count_records(inputs) {
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
        Reporter {
            bar,
            lines: progress && !quiet,
            start: Instant::now(),
        }
    }

    /// A line that must be seen (errors, warnings), above the bar if any.
    pub fn say(&self, line: &str) {
        match &self.bar {
            Some(bar) => bar.println(super::printable(line)),
            None => report!("{line}"),
        }
    }

    fn finished<T>(&self, finished: &Finished<T>, describe: fn(&Finished<T>) -> String) {
        if let Some(bar) = &self.bar {
            if bar.length().is_some_and(|n| bar.position() >= n) {
                bar.inc_length(1);
            }
            bar.inc(1);
        }
        if self.lines && finished.result.is_ok() {
            self.say(&describe(finished));
        }
    }

    pub fn elapsed(&self) -> f64 {
        self.start.elapsed().as_secs_f64()
    }

    /// The closing line, after the bar is gone.
    pub fn close(self, line: &str) {
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
