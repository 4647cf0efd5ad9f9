//! Every command-line type of `conformers` and its one conversion into
//! library options: the clap definitions (defaults live here and only here)
//! and the value enums that map onto the library's own types.

use clap::{Parser, Subcommand, ValueEnum};
use conformers::ensemble::minimize::MinimizeOptions;
use conformers::forcefield::mmff::{Dielectric, MmffOptions, Variant};
use conformers::generate::{GenOptions, Mode, SearchForcefield};
use conformers::sampler::{Ablation, Device, Effort, SearchKind, Settings};
use conformers::torsion::RotorOptions;
use std::time::Duration;

#[derive(Parser)]
#[command(
    name = "conformers",
    version,
    about = "Conformer ensembles of small molecules (MMFF94)"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
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
    Info(InfoArgs),
    /// Single-point MMFF94 energies of every record, per term.
    Energy(EnergyArgs),
    /// Minimise every record with full MMFF94 (dense BFGS along RDKit's
    /// path; L-BFGS beyond 1000 atoms) and write the results.
    Minimize(MinimizeArgs),
    /// Run the sampler on a synthetic target with an exact answer and score it.
    Bench(BenchArgs),
    /// One 3D structure per molecule, with hydrogens, minimised with
    /// MMFF94: the start `gen` would use (from SMILES by distance geometry
    /// with the stereochemistry written).
    Embed(EmbedArgs),
    /// Assemble the shards of a `gen --shard K/N -o DIR/` run, in input
    /// order, into what one process would have written.
    Merge(MergeArgs),
}

#[derive(clap::Args)]
pub struct InfoArgs {
    #[command(flatten)]
    pub inputs: Inputs,
    /// One JSON object per record (JSON lines) instead of text.
    #[arg(long)]
    pub json: bool,
    /// Treat amide-like C(=O|S)-N bonds as rotors too.
    #[arg(long)]
    pub rotate_amides: bool,
}

#[derive(clap::Args)]
pub struct EnergyArgs {
    #[command(flatten)]
    pub inputs: Inputs,
    /// One JSON object per record (JSON lines) instead of text.
    #[arg(long)]
    pub json: bool,
    /// Also report the analytic gradient dE/dx (kcal/mol/Å).
    #[arg(long)]
    pub gradient: bool,
    #[command(flatten)]
    pub forcefield: ForceFieldArgs,
}

#[derive(clap::Args)]
pub struct MinimizeArgs {
    #[command(flatten)]
    pub inputs: Inputs,
    /// Output SDF (written atomically; `-` for standard output).
    #[arg(short, long)]
    pub output: String,
    /// Convergence tolerance on the scaled gradient (RDKit's forceTol).
    #[arg(long, default_value_t = MinimizeOptions::default().force_tolerance, allow_negative_numbers = true)]
    pub force_tol: f64,
    /// Iteration cap per record.
    #[arg(long, default_value_t = MinimizeOptions::default().max_iterations)]
    pub max_iterations: usize,
    /// Worker threads (default: all cores); results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    #[command(flatten)]
    pub forcefield: ForceFieldArgs,
}

#[derive(clap::Args)]
pub struct EmbedArgs {
    #[command(flatten)]
    pub inputs: Inputs,
    /// Output SDF (written atomically; `-` for standard output).
    #[arg(short, long)]
    pub output: String,
    /// Seed of every random choice.
    #[arg(long, default_value_t = GenOptions::new(Mode::Minima).seed)]
    pub seed: u64,
    /// Worker threads (default: all cores); results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
}

#[derive(clap::Args)]
pub struct MergeArgs {
    /// The run directory the shards wrote to.
    pub dir: String,
    /// Output SDF (written atomically; `-` for standard output).
    #[arg(short, long)]
    pub output: String,
    /// The per-molecule JSON summary of the whole run.
    #[arg(long)]
    pub json: Option<String>,
    /// SDF of the input records that failed, each with a FAILURE tag.
    #[arg(long)]
    pub failed: Option<String>,
}

#[derive(clap::Args)]
pub struct BenchArgs {
    /// Target, e.g. `vonmises:dim=6,modes=3,kappa=8` or `coupled:dim=8,a=4,b=1.5`.
    #[arg(long)]
    pub target: String,
    /// Seed of every random choice.
    #[arg(long, default_value_t = GenOptions::new(Mode::Minima).seed)]
    pub seed: u64,
    /// Several seeds, comma-separated (overrides --seed).
    #[arg(long, value_delimiter = ',')]
    pub seeds: Vec<u64>,
    /// Sampler training and search budget.
    #[arg(long, value_enum, default_value = "default")]
    pub effort: EffortArg,
    /// Which parts of the method run.
    #[arg(long, value_enum, default_value = "sgds")]
    pub ablation: AblationArg,
    /// Run every ablation at equal energy budgets and print a table.
    #[arg(long)]
    pub compare: bool,
    /// Searcher: MALA chains or parallel tempering.
    #[arg(long, value_enum, default_value = "mala")]
    pub search: SearchArg,
    /// Number of draws scored.
    #[arg(long, default_value_t = 10_000)]
    pub draws: usize,
    /// Where the sampler's networks train and run; `cuda` needs a build
    /// with `--features cuda`.
    #[arg(long, value_enum, default_value = "cpu")]
    pub device: DeviceArg,
    /// Worker threads (default: all cores); results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// One JSON object per run (JSON lines) instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(clap::Args)]
pub struct GenArgs {
    #[command(flatten)]
    pub inputs: Inputs,
    /// Output SDF with every conformer of every molecule, grouped by
    /// molecule (written atomically; `-` for standard output); a directory
    /// (ending in `/`) for a run split with --shard.
    #[arg(short, long)]
    pub output: String,
    /// Take only the records whose 0-based number in the run (over all
    /// inputs) is K modulo N, writing them to the directory `-o DIR/`;
    /// `auto` reads K and N from the Slurm array task (SLURM_ARRAY_TASK_ID,
    /// _MIN, _COUNT or _MAX). `conformers merge DIR` assembles the shards.
    #[arg(long, value_name = "K/N|auto", value_parser = super::shard::Shard::parse)]
    pub shard: Option<super::shard::Shard>,
    /// With `-o DIR/`: go on with the records this shard has not finished
    /// (after a kill, a time limit or a requeue).
    #[arg(long)]
    pub resume: bool,
    /// With `-o DIR/`: records per chunk file (a chunk is also written
    /// after 30 s); a killed task loses at most the records of one chunk.
    #[arg(long, default_value_t = 16, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub chunk_records: u32,
    /// minima: distinct MMFF94-minimised conformers; boltzmann: weighted
    /// draws of the torsion Boltzmann distribution.
    #[arg(long, value_enum, default_value = "minima")]
    pub mode: ModeArg,
    /// minima: at most N conformers (default 200; where more lie in the
    /// window, the lowest and those that best represent the rest);
    /// boltzmann: N draws (default 1000).
    #[arg(short = 'n', long)]
    pub num_confs: Option<usize>,
    /// minima: keep conformers within this many kcal/mol of the lowest.
    #[arg(long, default_value_t = GenOptions::new(Mode::Minima).energy_window, allow_negative_numbers = true)]
    pub energy_window: f64,
    /// minima: heavy-atom, symmetry-aware RMSD pruning threshold (Å).
    #[arg(long, default_value_t = GenOptions::new(Mode::Minima).rmsd, allow_negative_numbers = true)]
    pub rmsd: f64,
    /// Boltzmann temperature (K).
    #[arg(long, default_value_t = GenOptions::new(Mode::Minima).temperature, allow_negative_numbers = true)]
    pub temperature: f64,
    /// Seed of every random choice: the same seed gives the same output,
    /// whatever the thread count.
    #[arg(long, default_value_t = GenOptions::new(Mode::Minima).seed)]
    pub seed: u64,
    /// Sampler training and search budget.
    #[arg(long, value_enum, default_value = "default")]
    pub effort: EffortArg,
    /// Worker threads (default: all cores); results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Where the sampler's networks train and run; `cuda` needs a build
    /// with `--features cuda`.
    #[arg(long, value_enum, default_value = "cpu")]
    pub device: DeviceArg,
    #[command(flatten)]
    pub forcefield: ForceFieldArgs,
    /// minima: force field of the search (sampling, torsion relaxation,
    /// ranking). Minima are minimised and ENERGY written in the force
    /// field chosen above; SEARCH_ENERGY holds the search's energy.
    #[arg(long, value_enum, default_value = "distance")]
    pub search_ff: SearchForcefieldArg,
    /// Treat amide-like C(=O|S)-N bonds as rotors too.
    #[arg(long)]
    pub rotate_amides: bool,
    /// Also write every conformer as XYZ (energy on the comment line).
    #[arg(long)]
    pub xyz: Option<String>,
    /// Per-molecule JSON summary.
    #[arg(long)]
    pub json: Option<String>,
    /// SDF of the input records that failed, each with a FAILURE tag.
    #[arg(long)]
    pub failed: Option<String>,
    /// boltzmann: draw K × N points and resample N of them along a Hilbert
    /// curve (equal weights); 1 writes N raw draws with their importance
    /// weights.
    #[arg(long, default_value_t = GenOptions::new(Mode::Boltzmann).oversampling, value_name = "K")]
    pub oversample: usize,
    /// Per-molecule time limit in seconds; a molecule past it fails.
    #[arg(long)]
    pub timeout: Option<f64>,
    /// No progress output.
    #[arg(long)]
    pub quiet: bool,
}

/// `--search-ff` (the library's [`SearchForcefield`]).
#[derive(Clone, Copy, ValueEnum)]
pub enum SearchForcefieldArg {
    /// The chosen force field as it is.
    Full,
    /// Distance-dependent dielectric ε = 4r.
    Distance,
    /// No electrostatics.
    NoEstat,
}

impl From<SearchForcefieldArg> for SearchForcefield {
    fn from(arg: SearchForcefieldArg) -> SearchForcefield {
        match arg {
            SearchForcefieldArg::Full => SearchForcefield::Full,
            SearchForcefieldArg::Distance => SearchForcefield::Distance,
            SearchForcefieldArg::NoEstat => SearchForcefield::NoEstat,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
pub enum SearchArg {
    Mala,
    Tempering,
}

/// `--mode` (the library's [`Mode`]).
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ModeArg {
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
pub enum EffortArg {
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
pub enum DeviceArg {
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
pub enum AblationArg {
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

/// `--format`: how to read the inputs whatever their names say.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// SDF or MOL (V2000 or V3000).
    Sdf,
    /// SMILES, one molecule per line: `SMILES name`.
    Smi,
}

/// The inputs of a command that reads molecules.
#[derive(clap::Args)]
pub struct Inputs {
    /// SDF/MOL files (V2000 or V3000, `.sdf.gz` accepted) or SMILES files
    /// (`.smi`, `.smiles`, `.ism`, `.can`; a line `SMILES name`); `-` reads
    /// standard input (SDF unless `--format smi`).
    #[arg(required_unless_present = "smiles")]
    pub inputs: Vec<String>,
    /// Read the inputs as this format whatever their names (needed for `-`).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// A molecule as SMILES, optionally with its name (`--smiles 'CCO
    /// ethanol'`); read before the files; repeatable.
    #[arg(long, value_name = "SMILES")]
    pub smiles: Vec<String>,
    /// Emit every configuration of the stereocentres and double bonds that
    /// a SMILES or 2D input leaves open, each as its own molecule (`name`,
    /// `name_2`, …, tagged STEREOISOMER); without it one configuration is
    /// chosen from --seed.
    #[arg(long)]
    pub enumerate_stereo: bool,
    /// With --enumerate-stereo: at most this many isomers per input.
    #[arg(long, default_value_t = 16, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub max_stereoisomers: u32,
}

impl Inputs {
    /// Every file is read as SMILES.
    pub fn all_smiles(&self) -> bool {
        self.format == Some(Format::Smi)
    }
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ForceField {
    Mmff94,
    Mmff94s,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum DielectricModel {
    Constant,
    Distance,
}

#[derive(clap::Args)]
pub struct ForceFieldArgs {
    /// Force-field variant.
    #[arg(long, value_enum, default_value = "mmff94")]
    pub forcefield: ForceField,
    /// Constant (ε = D) or distance-dependent (ε = D·r) dielectric.
    #[arg(long, value_enum, default_value = "constant")]
    pub dielectric_model: DielectricModel,
    /// Dielectric constant D.
    #[arg(long, default_value_t = MmffOptions::default().dielectric_constant, allow_negative_numbers = true)]
    pub dielectric: f64,
    /// Nonbonded cutoff in Å (pairs farther apart in the input geometry are
    /// left out); default: none.
    #[arg(long, allow_negative_numbers = true)]
    pub cutoff: Option<f64>,
}

impl ForceFieldArgs {
    pub fn options(&self) -> anyhow::Result<MmffOptions> {
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

impl GenArgs {
    /// The run's options, checked.
    pub fn options(&self) -> anyhow::Result<GenOptions> {
        let args = self;
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
            forcefield: args.forcefield.options()?,
            search_forcefield: args.search_ff.into(),
            rotors: RotorOptions {
                rotate_amides: args.rotate_amides,
            },
            timeout: args.timeout.map(Duration::from_secs_f64),
            oversampling: args.oversample,
            ..defaults
        })
    }
}

impl MinimizeArgs {
    /// The force field and the minimiser's settings, checked.
    pub fn options(&self) -> anyhow::Result<(MmffOptions, MinimizeOptions)> {
        let options = self.forcefield.options()?;
        if self.force_tol.is_nan() || self.force_tol <= 0.0 {
            anyhow::bail!("--force-tol must be positive");
        }
        let settings = MinimizeOptions {
            force_tolerance: self.force_tol,
            max_iterations: self.max_iterations,
        };
        Ok((options, settings))
    }
}

impl BenchArgs {
    /// The sampler's settings for the chosen effort and searcher.
    pub fn settings(&self) -> Settings {
        let mut settings = Settings::preset(self.effort.into());
        if let SearchArg::Tempering = self.search {
            settings.search = SearchKind::Tempering {
                levels: 4,
                hottest: 5.0,
            };
        }
        settings
    }
}
