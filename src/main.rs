//! The `conformers` command line: parse arguments, call the library, map the
//! outcome to an exit code (0 all records succeeded, 1 some failed, 2 usage
//! error or nothing could be read).

use anyhow::Context;

/// `eprintln!` that gives up quietly when standard error is closed (the
/// reader of a `2>&1 | head` pipe has gone): messages are lost then, but a
/// run is not turned into a panic.
/// Control characters from the input (binary files, escape sequences) are
/// shown escaped rather than sent to the terminal.
macro_rules! report {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), "{}", crate::printable(&format!($($arg)*)));
    }};
}

/// `text` with every control character but newline and tab escaped.
fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    if !text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return text.into();
    }
    text.chars()
        .map(|c| {
            if c.is_control() && c != '\n' && c != '\t' {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect::<String>()
        .into()
}

use clap::{Parser, Subcommand, ValueEnum};
use conformers::bench;
use conformers::energy;
use conformers::forcefield::mmff::{Dielectric, MmffOptions, MmffSystem, Variant};
use conformers::generate::Mode;
use conformers::info::{describe, to_text};
use conformers::io::open_sdf;
use conformers::sampler::synthetic::SyntheticSpec;
use conformers::sampler::{Ablation, Device, Effort, SearchKind, Settings};
use conformers::torsion::RotorOptions;
use conformers::{Error, Molecule};
use serde_json::json;
use std::io::{BufWriter, Write};
use std::process::ExitCode;

/// burn's CPU backend allocates and frees large buffers in every operation;
/// mimalloc keeps them instead of handing them back to the kernel.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "conformers",
    version,
    about = "Conformer ensembles of small molecules (MMFF94)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Generate conformer ensembles: distinct minima or weighted Boltzmann draws.
    Gen(GenArgs),
    /// Print a shell completion script (e.g. `conformers completions bash >
    /// ~/.local/share/bash-completion/completions/conformers`).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print a manual page in roff (e.g. `conformers man > conformers.1`,
    /// `conformers man gen > conformers-gen.1`).
    Man {
        /// The subcommand whose page to print (default: the overview).
        subcommand: Option<String>,
    },
    /// Describe every record: atoms, charge, MMFF94 types, rings, rotors, stereochemistry, problems.
    Info {
        /// SDF/MOL files (V2000 or V3000, `.sdf.gz` accepted); `-` reads standard input.
        #[arg(required = true)]
        inputs: Vec<String>,
        /// One JSON object per record (JSON lines) instead of text.
        #[arg(long)]
        json: bool,
        /// Treat amide-like C(=O|S)-N bonds as rotors too.
        #[arg(long)]
        rotate_amides: bool,
    },
    /// Single-point MMFF94 energies of every record, per term.
    Energy {
        /// SDF/MOL files (V2000 or V3000, `.sdf.gz` accepted); `-` reads standard input.
        #[arg(required = true)]
        inputs: Vec<String>,
        /// One JSON object per record (JSON lines) instead of text.
        #[arg(long)]
        json: bool,
        /// Also report the analytic gradient dE/dx (kcal/mol/Å).
        #[arg(long)]
        gradient: bool,
        #[command(flatten)]
        forcefield: ForceFieldArgs,
    },
    /// Minimise every record with full MMFF94 (dense BFGS along RDKit's
    /// path; L-BFGS beyond 1000 atoms) and write the results.
    Minimize {
        /// SDF/MOL files (V2000 or V3000, `.sdf.gz` accepted); `-` reads standard input.
        #[arg(required = true)]
        inputs: Vec<String>,
        /// Output SDF (written atomically; `-` for standard output).
        #[arg(short, long)]
        output: String,
        /// Convergence tolerance on the scaled gradient (RDKit's forceTol).
        #[arg(long, default_value_t = 1e-4, allow_negative_numbers = true)]
        force_tol: f64,
        /// Iteration cap per record.
        #[arg(long, default_value_t = 100_000)]
        max_iterations: usize,
        /// Worker threads (default: all cores); results do not depend on it.
        #[arg(long)]
        threads: Option<usize>,
        #[command(flatten)]
        forcefield: ForceFieldArgs,
    },
    /// Run the sampler on a synthetic target with an exact answer and score it.
    Bench {
        /// Target, e.g. `vonmises:dim=6,modes=3,kappa=8` or `coupled:dim=8,a=4,b=1.5`.
        #[arg(long)]
        target: String,
        /// Seed of every random choice.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Several seeds, comma-separated (overrides --seed).
        #[arg(long, value_delimiter = ',')]
        seeds: Vec<u64>,
        /// Sampler training and search budget.
        #[arg(long, value_enum, default_value = "default")]
        effort: EffortArg,
        /// Which parts of the method run.
        #[arg(long, value_enum, default_value = "sgds")]
        ablation: AblationArg,
        /// Run every ablation at equal energy budgets and print a table.
        #[arg(long)]
        compare: bool,
        /// Searcher: MALA chains or parallel tempering.
        #[arg(long, value_enum, default_value = "mala")]
        search: SearchArg,
        /// Number of draws scored.
        #[arg(long, default_value_t = 10_000)]
        draws: usize,
        /// Where the sampler's networks train and run; `cuda` needs a build
        /// with `--features cuda`.
        #[arg(long, value_enum, default_value = "cpu")]
        device: DeviceArg,
        /// Worker threads (default: all cores); results do not depend on it.
        #[arg(long)]
        threads: Option<usize>,
        /// One JSON object per run (JSON lines) instead of text.
        #[arg(long)]
        json: bool,
    },
}

#[derive(clap::Args)]
struct GenArgs {
    /// SDF/MOL files (V2000 or V3000, `.sdf.gz` accepted); `-` reads standard input.
    #[arg(required = true)]
    inputs: Vec<String>,
    /// Output SDF with every conformer of every molecule, grouped by
    /// molecule (written atomically; `-` for standard output).
    #[arg(short, long)]
    output: String,
    /// minima: distinct MMFF94-minimised conformers; boltzmann: weighted
    /// draws of the torsion Boltzmann distribution.
    #[arg(long, value_enum, default_value = "minima")]
    mode: ModeArg,
    /// minima: at most N conformers (default 50); boltzmann: N draws
    /// (default 1000).
    #[arg(short = 'n', long)]
    num_confs: Option<usize>,
    /// minima: keep conformers within this many kcal/mol of the lowest.
    #[arg(long, default_value_t = 10.0, allow_negative_numbers = true)]
    energy_window: f64,
    /// minima: heavy-atom, symmetry-aware RMSD pruning threshold (Å).
    #[arg(long, default_value_t = 0.5, allow_negative_numbers = true)]
    rmsd: f64,
    /// Boltzmann temperature (K).
    #[arg(long, default_value_t = 298.15, allow_negative_numbers = true)]
    temperature: f64,
    /// Seed of every random choice: the same seed gives the same output,
    /// whatever the thread count.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Sampler training and search budget.
    #[arg(long, value_enum, default_value = "default")]
    effort: EffortArg,
    /// Worker threads (default: all cores); results do not depend on it.
    #[arg(long)]
    threads: Option<usize>,
    /// Where the sampler's networks train and run; `cuda` needs a build
    /// with `--features cuda`.
    #[arg(long, value_enum, default_value = "cpu")]
    device: DeviceArg,
    /// Force-field variant.
    #[arg(long, value_enum, default_value = "mmff94")]
    forcefield: ForceField,
    /// Treat amide-like C(=O|S)-N bonds as rotors too.
    #[arg(long)]
    rotate_amides: bool,
    /// Also write every conformer as XYZ (energy on the comment line).
    #[arg(long)]
    xyz: Option<String>,
    /// Per-molecule JSON summary.
    #[arg(long)]
    json: Option<String>,
    /// SDF of the input records that failed, each with a FAILURE tag.
    #[arg(long)]
    failed: Option<String>,
    /// boltzmann: draw K × N points and resample N of them along a Hilbert
    /// curve (equal weights); 1 writes N raw draws with their importance
    /// weights.
    #[arg(long, default_value_t = 8, value_name = "K")]
    oversample: usize,
    /// Per-molecule time limit in seconds; a molecule past it fails.
    #[arg(long)]
    timeout: Option<f64>,
    /// No progress output.
    #[arg(long)]
    quiet: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum SearchArg {
    Mala,
    Tempering,
}

/// `--mode` (the library's [`Mode`]).
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ModeArg {
    /// Distinct MMFF94-minimised conformers within an energy window.
    Minima,
    /// Weighted draws of the Boltzmann distribution over the torsions.
    Boltzmann,
}

impl From<ModeArg> for Mode {
    fn from(mode: ModeArg) -> Mode {
        match mode {
            ModeArg::Minima => Mode::Minima,
            ModeArg::Boltzmann => Mode::Boltzmann,
        }
    }
}

/// `--effort` (the library's [`Effort`]).
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum EffortArg {
    /// About a quarter of default's training, no refinement: screening.
    Fast,
    /// Two training rounds, then refinement while the sampler's own checks
    /// improve: production runs.
    Default,
    /// About five times default's training (ten times its time): very
    /// flexible molecules whose coverage matters more than time.
    Thorough,
}

impl From<EffortArg> for Effort {
    fn from(effort: EffortArg) -> Effort {
        match effort {
            EffortArg::Fast => Effort::Fast,
            EffortArg::Default => Effort::Default,
            EffortArg::Thorough => Effort::Thorough,
        }
    }
}

/// `--device` (the library's [`Device`]).
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum DeviceArg {
    /// The CPU, on all worker threads.
    Cpu,
    /// An NVIDIA GPU through CUDA (builds with `--features cuda` only).
    Cuda,
}

impl From<DeviceArg> for Device {
    fn from(device: DeviceArg) -> Device {
        match device {
            DeviceArg::Cpu => Device::Cpu,
            DeviceArg::Cuda => Device::Cuda,
        }
    }
}

/// `bench --ablation` (the library's [`Ablation`]).
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum AblationArg {
    /// The full method.
    Sgds,
    /// On-policy trajectory balance only: no Searcher, no buffer.
    LearnerOnly,
    /// Only off-policy training on Searcher samples.
    SearcherOnly,
    /// Searcher without the novelty bonus.
    NoNovelty,
    /// One Learner kept across rounds.
    NoReinit,
    /// No Learner chains.
    NoLearnerChains,
    /// One Learner trained by maximum likelihood on exact draws (synthetic
    /// targets only): the ceiling of the others.
    Oracle,
}

impl From<AblationArg> for Ablation {
    fn from(ablation: AblationArg) -> Ablation {
        match ablation {
            AblationArg::Sgds => Ablation::Sgds,
            AblationArg::LearnerOnly => Ablation::LearnerOnly,
            AblationArg::SearcherOnly => Ablation::SearcherOnly,
            AblationArg::NoNovelty => Ablation::NoNovelty,
            AblationArg::NoReinit => Ablation::NoReinit,
            AblationArg::NoLearnerChains => Ablation::NoLearnerChains,
            AblationArg::Oracle => Ablation::Oracle,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum ForceField {
    Mmff94,
    Mmff94s,
}

#[derive(Clone, Copy, ValueEnum)]
enum DielectricModel {
    Constant,
    Distance,
}

#[derive(clap::Args)]
struct ForceFieldArgs {
    /// Force-field variant.
    #[arg(long, value_enum, default_value = "mmff94")]
    forcefield: ForceField,
    /// Constant (ε = D) or distance-dependent (ε = D·r) dielectric.
    #[arg(long, value_enum, default_value = "constant")]
    dielectric_model: DielectricModel,
    /// Dielectric constant D.
    #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
    dielectric: f64,
    /// Nonbonded cutoff in Å (pairs farther apart in the input geometry are
    /// left out); default: none.
    #[arg(long, allow_negative_numbers = true)]
    cutoff: Option<f64>,
}

impl ForceFieldArgs {
    fn options(&self) -> anyhow::Result<MmffOptions> {
        if self.dielectric.is_nan() || self.dielectric <= 0.0 || self.dielectric.is_infinite() {
            anyhow::bail!("--dielectric must be a positive number");
        }
        if self.cutoff.is_some_and(|c| c.is_nan() || c <= 0.0) {
            anyhow::bail!("--cutoff must be a positive distance in Å");
        }
        Ok(MmffOptions {
            variant: match self.forcefield {
                ForceField::Mmff94 => Variant::Mmff94,
                ForceField::Mmff94s => Variant::Mmff94s,
            },
            dielectric: match self.dielectric_model {
                DielectricModel::Constant => Dielectric::Constant,
                DielectricModel::Distance => Dielectric::Distance,
            },
            dielectric_constant: self.dielectric,
            cutoff: self.cutoff,
        })
    }
}

mod gen_command;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            // A closed pipe (`conformers info x.sdf | head`) is not an error.
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            report!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Gen(args) => gen_command::run(args),
        Command::Completions { shell } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut command, "conformers", &mut std::io::stdout());
            Ok(ExitCode::SUCCESS)
        }
        Command::Man { subcommand } => {
            let command = <Cli as clap::CommandFactory>::command();
            let page = match subcommand {
                None => clap_mangen::Man::new(command),
                Some(name) => {
                    let Some(sub) = command.find_subcommand(&name) else {
                        anyhow::bail!("no subcommand '{name}' (see `conformers --help`)");
                    };
                    clap_mangen::Man::new(sub.clone()).title(format!("conformers-{name}"))
                }
            };
            page.render(&mut std::io::stdout())?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench {
            target,
            seed,
            seeds,
            effort,
            ablation,
            compare,
            search,
            draws,
            device,
            threads,
            json,
        } => {
            let spec: SyntheticSpec = target.parse()?;
            let effort = Effort::from(effort);
            let mut settings = Settings::preset(effort);
            if let SearchArg::Tempering = search {
                settings.search = SearchKind::Tempering {
                    levels: 4,
                    hottest: 5.0,
                };
            }
            let seeds = if seeds.is_empty() { vec![seed] } else { seeds };
            let variants = if compare {
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
                vec![ablation.into()]
            };
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads.unwrap_or(0))
                .build()
                .context("starting worker threads")?;
            let mut reports = Vec::new();
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            for &variant in &variants {
                for &seed in &seeds {
                    // The table compares at equal budgets: no refinements.
                    let run_settings = Settings {
                        ablation: variant,
                        refinements: if compare { 0 } else { settings.refinements },
                        ..settings.clone()
                    };
                    let report = pool.install(|| {
                        bench::bench(&spec, &run_settings, draws, device.into(), seed)
                    })?;
                    if json {
                        serde_json::to_writer(&mut out, &report)?;
                        writeln!(out)?;
                    } else if !compare {
                        write!(out, "{}", bench::to_text(&report))?;
                    }
                    reports.push(report);
                }
            }
            if compare && !json {
                writeln!(
                    out,
                    "{} — effort {:?}, seeds {:?}, {draws} draws",
                    spec, effort, seeds
                )?;
                write!(out, "{}", bench::ablation_table(&reports))?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Minimize {
            inputs,
            output,
            force_tol,
            max_iterations,
            threads,
            forcefield,
        } => {
            let options = forcefield.options()?;
            if force_tol.is_nan() || force_tol <= 0.0 {
                anyhow::bail!("--force-tol must be positive");
            }
            let settings = conformers::ensemble::minimize::MinimizeOptions {
                force_tolerance: force_tol,
                max_iterations,
            };
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads.unwrap_or(0))
                .build()
                .context("starting worker threads")?;
            pool.install(|| minimize_files(&inputs, &output, &options, &settings))
        }
        Command::Info {
            inputs,
            json,
            rotate_amides,
        } => {
            let options = RotorOptions { rotate_amides };
            for_each_record(&inputs, json, |index, mol, out| {
                let info = describe(mol, index, options);
                if json {
                    serde_json::to_writer(&mut *out, &info)?;
                    writeln!(out)?;
                } else {
                    write!(out, "{}", to_text(&info, mol))?;
                }
                Ok(None)
            })
        }
        Command::Energy {
            inputs,
            json,
            gradient,
            forcefield,
        } => {
            let options = forcefield.options()?;
            for_each_record(&inputs, json, |index, mol, out| {
                let system = match MmffSystem::new(mol, &options) {
                    Ok(s) => s,
                    Err(e) => return Ok(Some(e.to_string())),
                };
                let report = energy::report(index, mol, &system, gradient);
                if json {
                    serde_json::to_writer(&mut *out, &report)?;
                    writeln!(out)?;
                } else {
                    write!(out, "{}", energy::to_text(&report, mol))?;
                }
                Ok(None)
            })
        }
    }
}

/// Where results go: standard output, or a file that appears only when
/// complete.
enum Sink<'a> {
    Stdout(BufWriter<std::io::StdoutLock<'a>>),
    File(conformers::io::AtomicFile),
}

impl Sink<'_> {
    fn finish(self) -> anyhow::Result<()> {
        match self {
            Sink::Stdout(mut w) => Ok(w.flush()?),
            Sink::File(f) => Ok(f.commit()?),
        }
    }
}

impl Write for Sink<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Sink::Stdout(w) => w.write(buf),
            Sink::File(f) => f.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Sink::Stdout(w) => w.flush(),
            Sink::File(f) => f.flush(),
        }
    }
}

/// Records minimised in parallel at a time; output keeps input order.
const CHUNK: usize = 64;

fn minimize_files(
    inputs: &[String],
    output: &str,
    options: &MmffOptions,
    settings: &conformers::ensemble::minimize::MinimizeOptions,
) -> anyhow::Result<ExitCode> {
    use conformers::ensemble::minimize::minimize_molecule;
    use conformers::io::{write_record, AtomicFile};
    use rayon::prelude::*;

    let mut sink = if output == "-" {
        Sink::Stdout(BufWriter::new(std::io::stdout().lock()))
    } else {
        Sink::File(AtomicFile::create(output)?)
    };
    let (mut ok, mut failed, mut unreadable) = (0usize, 0usize, false);
    for input in inputs {
        let mut reader = match open_sdf(input) {
            Ok(r) => r.enumerate().peekable(),
            Err(e) => {
                report!("error: {e}");
                unreadable = true;
                continue;
            }
        };
        if reader.peek().is_none() {
            report!("error: {input}: no records found (is it an SDF or MOL file?)");
            unreadable = true;
        }
        loop {
            let chunk: Vec<(usize, Result<Molecule, Error>)> =
                reader.by_ref().take(CHUNK).collect();
            if chunk.is_empty() {
                break;
            }
            let results: Vec<
                Result<(Molecule, conformers::ensemble::minimize::Minimized), String>,
            > = chunk
                .into_par_iter()
                .map(|(index, record)| {
                    let mol = record.map_err(|e| e.to_string())?;
                    let system = MmffSystem::new(&mol, options).map_err(|e| {
                        format!("{input}: record {} ({}): {e}", index + 1, mol.name())
                    })?;
                    let minimized = minimize_molecule(&mol, &system, settings);
                    Ok((mol, minimized))
                })
                .collect();
            for result in results {
                match result {
                    Ok((mol, m)) => {
                        ok += 1;
                        for change in &m.stereo_changes {
                            report!(
                                "warning: {input}: {}: {change} during minimisation",
                                mol.name()
                            );
                        }
                        let mut tags = vec![
                            ("ENERGY".to_string(), format!("{:.6}", m.energy)),
                            ("CONVERGED".to_string(), m.result.converged.to_string()),
                            (
                                "GRADIENT_RMS".to_string(),
                                format!("{:.2e}", m.result.gradient_rms),
                            ),
                            ("ITERATIONS".to_string(), m.result.iterations.to_string()),
                        ];
                        if !m.stereo_changes.is_empty() {
                            tags.push(("STEREO_CHANGED".to_string(), m.stereo_changes.join("; ")));
                        }
                        write_record(&mut sink, &mol, &m.coords, &tags)
                            .with_context(|| format!("cannot write {output}"))?;
                    }
                    Err(message) => {
                        failed += 1;
                        report!("error: {message}");
                    }
                }
            }
        }
    }
    if ok + failed == 0 {
        // Nothing was read: no empty output file is left behind.
        return Ok(ExitCode::from(2));
    }
    sink.finish()?;
    Ok(match (ok, failed, unreadable) {
        (0, 0, _) | (0, _, true) => ExitCode::from(2),
        (_, 0, false) => ExitCode::SUCCESS,
        _ => ExitCode::from(1),
    })
}

/// Reads every record of every input and hands the good ones to `handle`,
/// which writes its output and returns `Some(message)` when the record
/// fails at its stage (an untypable atom). Failures are reported on stderr
/// and, with `json`, as `{"index", "name", "ok": false, "status": "failed",
/// "error", "line"}` objects, so scripts see every record.
fn for_each_record(
    inputs: &[String],
    json: bool,
    mut handle: impl FnMut(usize, &Molecule, &mut dyn Write) -> anyhow::Result<Option<String>>,
) -> anyhow::Result<ExitCode> {
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let (mut ok, mut failed, mut unreadable) = (0usize, 0usize, false);
    for input in inputs {
        let reader = match open_sdf(input) {
            Ok(r) => r,
            Err(e) => {
                report!("error: {e}");
                unreadable = true;
                continue;
            }
        };
        let mut records = 0;
        for (index, record) in reader.enumerate() {
            records += 1;
            let failure = match record {
                Ok(mol) => handle(index, &mol, &mut out)?.map(|message| {
                    let name = mol.name().to_string();
                    let message = format!("{input}: record {} ({name}): {message}", index + 1);
                    (name, message, None)
                }),
                Err(e) => {
                    let (name, line) = match &e {
                        Error::Record(r) => (r.location.title.clone(), Some(r.location.line)),
                        _ => (String::new(), None),
                    };
                    Some((name, e.to_string(), line))
                }
            };
            match failure {
                None => ok += 1,
                Some((name, message, line)) => {
                    failed += 1;
                    report!("error: {message}");
                    if json {
                        let record = json!({
                            "index": index,
                            "name": name,
                            "ok": false,
                            "status": "failed",
                            "error": message,
                            "line": line,
                        });
                        serde_json::to_writer(&mut out, &record)?;
                        writeln!(out)?;
                    }
                }
            }
        }
        if records == 0 {
            report!("error: {input}: no records found (is it an SDF or MOL file?)");
            unreadable = true;
        }
    }
    out.flush().context("writing to standard output")?;
    Ok(match (ok, failed, unreadable) {
        (0, 0, _) => ExitCode::from(2),
        (0, _, true) => ExitCode::from(2),
        (_, 0, false) => ExitCode::SUCCESS,
        _ => ExitCode::from(1),
    })
}
