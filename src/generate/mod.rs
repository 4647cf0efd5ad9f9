//! Conformer ensembles of one molecule: the work behind `conformers gen`.
//!
//! The sampler learns the Boltzmann distribution over the molecule's
//! torsions ([`crate::sampler`]). In *boltzmann* mode its weighted draws are
//! the answer, with bond lengths, angles and rings as in the input. In
//! *minima* mode the draws, of the search force field's distribution
//! ([`SearchForcefield`]), are starting points: each is relaxed in torsion
//! space, also with the other ring conformations, amide rotamers and
//! nitrogen invertomers of the input ([`crate::ensemble::variants`]);
//! distinct torsion minima are minimised with full MMFF94 and, fewer, in
//! the search force field, as are distance-geometry embeddings of the
//! molecule in both, and the minima within an energy window of either are
//! pruned by symmetry-aware heavy-atom RMSD. Stereochemistry
//! comes from the input; a minimised conformer whose stereochemistry
//! differs from the input's is dropped and counted, and the oxygens of a
//! P(=O)O⁻ that a turn of the group exchanged are put back as written
//! ([`WrittenArrangement`]).

mod output;

pub use crate::ensemble::Conformer;
pub use output::TAGS;

use crate::ensemble::as_written;
use crate::ensemble::minimize::{minimize_cartesian, MinimizeOptions};
use crate::ensemble::search::ForceFields;
use crate::ensemble::search::{
    embedded, finish, hopped, search, set_populations, Limits, Window, RELAXATION_MARGIN,
};
use crate::ensemble::variants::{has_macrocycle, variants, Budget as VariantBudget};
use crate::forcefield::mmff::{Dielectric, MmffError, MmffOptions, MmffSystem};
use crate::mol::stereo::WrittenArrangement;
use crate::mol::Molecule;
use crate::sampler::target::BOLTZMANN_KCAL;
use crate::sampler::{self, resample, Device, Effort, MolecularTarget, SamplerError, Settings};
use crate::torsion::{find_rotors, Rotor, RotorOptions, TorsionSpace};
use nalgebra::Point3;
use rand::SeedableRng;
use rayon::prelude::*;
use std::time::{Duration, Instant};

/// What `gen` produces.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Distinct MMFF94-minimised conformers within an energy window.
    Minima,
    /// Weighted draws of the Boltzmann distribution over the torsions.
    Boltzmann,
}

/// The force field a minima search samples, relaxes torsions and ranks in.
/// Minima are minimised, and `ENERGY` written, in the chosen force field
/// itself (`GenOptions::forcefield`).
///
/// In vacuum with ε = 1, a polar or charged molecule's lowest minima fold
/// onto intramolecular hydrogen bonds and salt bridges, and the extended
/// shapes it takes in water or a binding site lie far above them. A search
/// with the electrostatics damped or removed finds and keeps those too.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SearchForcefield {
    /// The chosen force field as it is.
    Full,
    /// The chosen force field with a distance-dependent dielectric ε = 4r.
    #[default]
    Distance,
    /// The chosen force field without electrostatics.
    NoEstat,
}

impl SearchForcefield {
    /// The search force field's options, from those of the written one.
    pub fn options(self, written: &MmffOptions) -> MmffOptions {
        match self {
            SearchForcefield::Full => *written,
            SearchForcefield::Distance => MmffOptions {
                dielectric: Dielectric::Distance,
                dielectric_constant: 4.0,
                ..*written
            },
            // An infinite dielectric constant makes every charge product 0.
            SearchForcefield::NoEstat => MmffOptions {
                dielectric_constant: f64::INFINITY,
                ..*written
            },
        }
    }
}

/// Every choice of a `gen` run for one molecule.
#[derive(Clone, Debug)]
pub struct GenOptions {
    pub mode: Mode,
    /// minima: at most this many conformers; boltzmann: this many draws.
    pub num_confs: usize,
    /// minima: kcal/mol above the lowest conformer.
    pub energy_window: f64,
    /// minima: RMSD pruning threshold (Å).
    pub rmsd: f64,
    /// Kelvin.
    pub temperature: f64,
    pub seed: u64,
    pub effort: Effort,
    pub device: Device,
    pub forcefield: MmffOptions,
    /// minima: the force field of the search.
    pub search_forcefield: SearchForcefield,
    pub rotors: RotorOptions,
    /// The molecule fails once this much time has passed.
    pub timeout: Option<Duration>,
    /// boltzmann: the sampler draws this many times `num_confs` points,
    /// resampled to `num_confs`; 1 writes the raw weighted draws.
    pub oversampling: usize,
}

impl GenOptions {
    /// The command-line defaults for a mode.
    pub fn new(mode: Mode) -> GenOptions {
        GenOptions {
            mode,
            num_confs: match mode {
                Mode::Minima => 200,
                Mode::Boltzmann => 1000,
            },
            energy_window: 10.0,
            rmsd: 0.5,
            temperature: 298.15,
            seed: 42,
            effort: Effort::Default,
            device: Device::Cpu,
            forcefield: MmffOptions::default(),
            search_forcefield: SearchForcefield::default(),
            rotors: RotorOptions::default(),
            timeout: None,
            oversampling: 8,
        }
    }
}

/// The ensemble of one molecule and how it was obtained.
#[derive(Clone, Debug)]
pub struct Ensemble {
    /// Rotor dihedrals (i, j, k, l), 0-based.
    pub rotors: Vec<[usize; 4]>,
    /// E_ref: MMFF94 energy of the input geometry (kcal/mol).
    pub reference_energy: f64,
    /// Temperature of the distribution the sampler learned (K): the
    /// requested one in boltzmann mode, a higher one in minima mode.
    pub sampling_temperature: f64,
    /// Estimate of log ∫ exp(−(E(τ) − E_ref)/kT) dτ over [−π, π)^m at the
    /// sampling temperature.
    pub log_z: f64,
    /// Effective sample size over the number of draws.
    pub ess: f64,
    /// Energy (and gradient) evaluations: training, draws and minimisation.
    pub energy_evaluations: u64,
    pub draws: usize,
    /// minima: full MMFF94 minimisations run.
    pub minimizations: usize,
    /// minima: minimised conformers dropped because their stereochemistry
    /// differed from the input's.
    pub stereo_rejected: usize,
    /// minima: distinct ring conformations, amide rotamers and nitrogen
    /// invertomers other than the input's that were found (for a
    /// macrocycle, mostly its ring shapes), and how many of them were
    /// searched (those low enough, at most a fixed number).
    pub variants_found: usize,
    pub variants_searched: usize,
    pub train_seconds: f64,
    pub conformers: Vec<Conformer>,
}

#[derive(Debug, thiserror::Error)]
pub enum GenError {
    #[error("MMFF94 setup failed")]
    Forcefield(#[source] MmffError),
    #[error(transparent)]
    Sampler(SamplerError),
    #[error("time limit of {0:.1} s reached")]
    TimedOut(f64),
}

/// What minima mode spends on one molecule.
struct MinimaBudget {
    /// The sampler's training.
    training: Settings,
    /// Sampler draws.
    draws: usize,
    /// Full minimisations of the first search.
    minimizations: usize,
    /// See [`Limits::variant_relaxations`].
    variant_relaxations: usize,
    /// Whether the draws are relaxed once more around the lowest minimum.
    refinement: bool,
    /// Distance-geometry embeddings minimised in each force field.
    embeddings: usize,
    /// Minimisations after moves from the lowest minima: crankshaft moves
    /// of a macrocycle's ring, turns of rotors elsewhere.
    hops: usize,
}

/// Budget of minima mode per effort for a molecule of `rotors` rotors. The
/// minima within a window grow in number with the rotors, about threefold
/// per rotor in a chain: beyond [`BUDGET_ROTORS`] the minimisations grow in
/// proportion to the rotors. Below it the sampler's training shrinks in
/// proportion to them: a torus of one to five dimensions is learned well
/// enough in fewer updates for its draws to start minimisations from every
/// basin, and training is most of the time of such a molecule
/// (docs/validation.md). `fast` relaxes fewer draws in the variants'
/// spaces and skips the refinement: at its budget neither brings a pose
/// closer to the crystal's on the bioactive set, and together they cost a
/// fifth of its time (docs/validation.md). The embeddings minimised as
/// they are grow with the rotors too; a macrocycle gets none, as its own
/// embeddings (16 × as many, see [`variant_budget`]) already seed the
/// search of its ring shapes: on clarithromycin they added no ring shape to
/// the window at 1.4 × the time. Every molecule then moves on from its
/// lowest minima (a macrocycle by crankshaft moves of its ring).
fn minima_budget(effort: Effort, rotors: usize, macrocycle: bool) -> MinimaBudget {
    let (draws, minimizations, embeddings, hops) = match effort {
        Effort::Fast => (300, 30, 8, 24),
        Effort::Default => (1000, 120, 60, 192),
        Effort::Thorough => (3000, 400, 200, 384),
    };
    let fast = effort == Effort::Fast;
    let scaled = |n: usize| n * rotors.max(BUDGET_ROTORS) / BUDGET_ROTORS;
    let preset = Settings::minima(effort);
    let shrunk = |n: usize| n * rotors.clamp(1, BUDGET_ROTORS) / BUDGET_ROTORS;
    MinimaBudget {
        training: Settings {
            explore_iterations: shrunk(preset.explore_iterations),
            iterations: shrunk(preset.iterations),
            ..preset
        },
        draws,
        minimizations: scaled(minimizations),
        variant_relaxations: if fast { 1 } else { 3 },
        refinement: !fast,
        embeddings: if macrocycle { 0 } else { scaled(embeddings) },
        hops,
    }
}

/// Molecules with up to this many rotors get the base minimisation budget.
const BUDGET_ROTORS: usize = 6;

/// Variants tried per effort: restrained combinations of changes, and
/// distance-geometry embeddings for the ring conformations of a molecule
/// with puckered rings.
fn variant_budget(effort: Effort, macrocycle: bool) -> VariantBudget {
    let (combinations, embeddings) = match effort {
        Effort::Fast => (8, 4),
        Effort::Default => (48, 24),
        Effort::Thorough => (48, 64),
    };
    VariantBudget {
        combinations,
        embeddings: embeddings * if macrocycle { MACROCYCLE_EMBEDDINGS } else { 1 },
    }
}

/// A macrocycle's ring shapes are most of its conformations: this many
/// times the searched shapes of other molecules, from this many times the
/// embeddings.
const MACROCYCLE_FACTOR: usize = 4;
const MACROCYCLE_EMBEDDINGS: usize = 16;

/// minima mode samples at this multiple of the temperature, so that basins
/// a few kcal/mol above the lowest are drawn too.
const MINIMA_SAMPLING_FACTOR: f64 = 3.0;

/// At most this many ring puckers and invertomers besides the input's
/// (the lowest) are searched; each costs a relaxation of every draw.
const MAX_VARIANTS: usize = 7;

/// The second search, in the torsion space of the lowest minimum, may
/// minimise this fraction of the first one's budget.
const REFINEMENT_SHARE: usize = 3;

/// A ring pucker or invertomer is sampled instead of the input's when its
/// minimum lies this much (kcal/mol) below the input's.
const LOWER_BASE: f64 = 0.01;

/// Generates the ensemble of `mol`: the force field and torsion space,
/// then the chosen mode's pipeline.
pub fn generate(mol: &Molecule, options: &GenOptions) -> Result<Ensemble, GenError> {
    let start = Instant::now();
    let system = MmffSystem::new(mol, &options.forcefield).map_err(GenError::Forcefield)?;
    let search = match (options.mode, options.search_forcefield) {
        (Mode::Boltzmann, _) | (_, SearchForcefield::Full) => None,
        (Mode::Minima, field) => Some(
            MmffSystem::new(mol, &field.options(&options.forcefield))
                .map_err(GenError::Forcefield)?,
        ),
    };
    let run = Run {
        mol,
        options,
        system,
        search,
        rotors: find_rotors(mol, options.rotors),
        deadline: options.timeout.map(|t| start + t),
    };
    let mut ensemble = match options.mode {
        Mode::Boltzmann => run.boltzmann(),
        Mode::Minima => run.minima(),
    }?;
    let written = WrittenArrangement::of(mol);
    for c in &mut ensemble.conformers {
        written.restore(&mut c.coords);
    }
    Ok(ensemble)
}

/// One molecule's run: what both modes share.
struct Run<'a> {
    mol: &'a Molecule,
    options: &'a GenOptions,
    /// The written force field.
    system: MmffSystem,
    /// minima: the search force field where it is not the written one.
    search: Option<MmffSystem>,
    rotors: Vec<Rotor>,
    deadline: Option<Instant>,
}

impl Run<'_> {
    fn fields(&self) -> ForceFields<'_> {
        ForceFields {
            search: self.search.as_ref().unwrap_or(&self.system),
            written: &self.system,
        }
    }

    fn late(&self) -> bool {
        self.deadline.is_some_and(|d| Instant::now() >= d)
    }

    fn timed_out(&self) -> GenError {
        GenError::TimedOut(self.options.timeout.unwrap_or_default().as_secs_f64())
    }

    /// Weighted draws of the torsion Boltzmann distribution at the
    /// requested temperature, resampled to `num_confs`.
    fn boltzmann(&self) -> Result<Ensemble, GenError> {
        let space = TorsionSpace::new(self.mol, &self.system, self.rotors.clone());
        let draws = self.options.num_confs * self.options.oversampling;
        let (mut ensemble, outcome) = self.sample(
            &space,
            self.options.temperature,
            draws,
            Settings::preset(self.options.effort),
            0,
        )?;
        ensemble.conformers = weighted_draws(
            &space,
            &self.system,
            &outcome,
            self.options.num_confs,
            self.options.seed,
        );
        Ok(ensemble)
    }

    /// Distinct minima: the input's other ring conformations, amide
    /// rotamers and invertomers, the sampler at a raised temperature in the
    /// search force field, its draws relaxed in every space and in the
    /// search force field's, minimised, then (except with `fast`) once
    /// more around the lowest minimum found; minimised embeddings; and
    /// moves from the lowest minima (a macrocycle's crankshaft moves, turns
    /// of two rotors elsewhere).
    fn minima(&self) -> Result<Ensemble, GenError> {
        let macrocycle = has_macrocycle(self.mol);
        let (spaces, variant_evaluations, variants_found) = self.variant_spaces(macrocycle)?;
        let budget = minima_budget(self.options.effort, self.rotors.len(), macrocycle);
        let searched = self
            .search
            .as_ref()
            .map(|system| self.space_in(system, spaces[0].coords(spaces[0].reference_torsions())));
        // The draws come from the search force field's distribution where
        // there is one: it holds the extended shapes too.
        let (mut ensemble, outcome) = self.sample(
            searched.as_ref().unwrap_or(&spaces[0]),
            self.options.temperature * MINIMA_SAMPLING_FACTOR,
            budget.draws,
            budget.training,
            variant_evaluations,
        )?;
        let m = spaces[0].dim();
        let starts: Vec<Vec<f64>> = outcome
            .points
            .chunks_exact(m.max(1))
            .map(<[f64]>::to_vec)
            .collect();
        let window = Window {
            energy_window: self.options.energy_window,
            rmsd: self.options.rmsd,
            count: self.options.num_confs,
        };
        let limits = Limits {
            minimizations: budget.minimizations,
            variant_relaxations: budget.variant_relaxations,
            deadline: self.deadline,
        };
        let mut found = search(
            self.mol,
            self.fields(),
            &spaces,
            searched.as_ref(),
            &starts,
            &window,
            limits,
        )
        .ok_or_else(|| self.timed_out())?;
        // The lowest minimum's own bond angles and ring conformation
        // make a closer torsion space for its neighbourhood than the
        // sampled one: the draws are relaxed there once more.
        if let Some(best) = found
            .conformers
            .iter()
            .min_by(|a, b| a.energy.total_cmp(&b.energy))
            .filter(|_| budget.refinement)
        {
            let space = self.space_at(best.coords.clone());
            let limits = Limits {
                minimizations: budget.minimizations / REFINEMENT_SHARE,
                ..limits
            };
            let again = search(
                self.mol,
                self.fields(),
                &[space],
                None,
                &starts,
                &window,
                limits,
            )
            .ok_or_else(|| self.timed_out())?;
            found.absorb(again);
        }
        // Minima of random 3D shapes: basins the torsion search misses.
        let more = embedded(
            self.mol,
            self.fields(),
            budget.embeddings,
            self.options.seed ^ EMBEDDING_STREAM,
            || self.late(),
        )
        .ok_or_else(|| self.timed_out())?;
        found.absorb(more);
        // Minima next to the lowest ones: a macrocycle's ring shapes, a
        // chain's neighbouring torsions.
        let more = hopped(
            self.mol,
            self.fields(),
            &found.conformers,
            &self.rotors,
            budget.hops,
            self.options.rmsd,
            self.options.seed ^ HOP_STREAM,
            || self.late(),
        )
        .ok_or_else(|| self.timed_out())?;
        found.absorb(more);
        ensemble.energy_evaluations += found.evaluations;
        ensemble.minimizations = found.minimizations;
        ensemble.stereo_rejected = found.stereo_rejected;
        ensemble.variants_found = variants_found;
        ensemble.variants_searched = spaces.len() - 1;
        ensemble.conformers = finish(self.mol, found.conformers, &window);
        set_populations(
            &mut ensemble.conformers,
            BOLTZMANN_KCAL * self.options.temperature,
        );
        Ok(ensemble)
    }

    /// The input's torsion space and those of its other ring conformations,
    /// amide rotamers and nitrogen invertomers that can hold a minimum in
    /// the window, the lowest first; with the energy evaluations spent
    /// finding them and the number of variants found.
    fn variant_spaces(
        &self,
        macrocycle: bool,
    ) -> Result<(Vec<TorsionSpace>, u64, usize), GenError> {
        let mut spaces = vec![TorsionSpace::new(
            self.mol,
            &self.system,
            self.rotors.clone(),
        )];
        let mut minimized = self.mol.coords().to_vec();
        let input_minimum =
            minimize_cartesian(&self.system, &mut minimized, &MinimizeOptions::default());
        let budget = variant_budget(self.options.effort, macrocycle);
        let (found, evaluations) =
            variants(self.mol, &self.system, budget, self.options.seed, || {
                self.late()
            });
        // Variants come lowest first; those too high to hold a minimum in
        // the window are left out. A macrocycle's ring shapes are ranked
        // by one minimised embedding each, whose exocyclic groups keep
        // their random strain: the lowest of them are searched whatever
        // their energy.
        let lowest = found
            .first()
            .map_or(input_minimum.value, |v| v.energy.min(input_minimum.value));
        let variants_found = found.len();
        let sample_first = found
            .first()
            .is_some_and(|v| v.energy < input_minimum.value - LOWER_BASE);
        spaces.extend(
            found
                .into_iter()
                .filter(|v| {
                    macrocycle
                        || v.energy <= lowest + self.options.energy_window + RELAXATION_MARGIN
                })
                .take(MAX_VARIANTS * if macrocycle { MACROCYCLE_FACTOR } else { 1 })
                .map(|v| self.space_at(v.coords)),
        );
        if sample_first {
            spaces.swap(0, 1);
        }
        if self.late() {
            return Err(self.timed_out());
        }
        Ok((
            spaces,
            evaluations + input_minimum.evaluations as u64,
            variants_found,
        ))
    }

    /// Trains the sampler on `space` at `temperature` and draws `draws`
    /// points; the ensemble's bookkeeping, without conformers yet.
    fn sample(
        &self,
        space: &TorsionSpace,
        temperature: f64,
        draws: usize,
        preset: Settings,
        extra_evaluations: u64,
    ) -> Result<(Ensemble, sampler::Outcome), GenError> {
        let input_energy = self.system.energy(self.mol.coords()).total();
        let mut target = MolecularTarget::new(space, temperature, rayon::current_num_threads());
        // log Z relative to the input's energy, whichever torsion space was
        // sampled.
        let log_z_shift =
            (input_energy - target.reference_energy()) / (BOLTZMANN_KCAL * temperature);
        let settings = Settings {
            deadline: self.deadline,
            ..preset
        };
        let outcome = sampler::run(
            &mut target,
            &settings,
            draws,
            self.options.device,
            self.options.seed,
        )
        .map_err(|e| match e {
            SamplerError::TimedOut => self.timed_out(),
            e => GenError::Sampler(e),
        })?;
        let ensemble = Ensemble {
            rotors: self.rotors.iter().map(|r| r.dihedral).collect(),
            reference_energy: input_energy,
            sampling_temperature: temperature,
            log_z: outcome.log_z + log_z_shift,
            ess: outcome.ess,
            energy_evaluations: outcome.energy_evaluations + extra_evaluations,
            draws,
            minimizations: 0,
            stereo_rejected: 0,
            variants_found: 0,
            variants_searched: 0,
            train_seconds: outcome.train_seconds,
            conformers: Vec::new(),
        };
        Ok((ensemble, outcome))
    }

    /// The torsion space of the molecule at other coordinates (a
    /// conformer of it), in the written force field.
    fn space_at(&self, coords: Vec<Point3<f64>>) -> TorsionSpace {
        self.space_in(&self.system, coords)
    }

    /// The same in the force field `system`.
    fn space_in(&self, system: &MmffSystem, coords: Vec<Point3<f64>>) -> TorsionSpace {
        let mut moved = self.mol.clone();
        moved
            .set_coords(coords)
            .expect("a conformer has the molecule's atom count");
        TorsionSpace::new(&moved, system, self.rotors.clone())
    }
}

/// `count` conformers from the sampler's draws: all of them with their
/// importance weights when there are `count`, otherwise a stratified
/// resample (see [`resample::hilbert_resample`]) with equal weights.
fn weighted_draws(
    space: &TorsionSpace,
    system: &MmffSystem,
    outcome: &sampler::Outcome,
    count: usize,
    seed: u64,
) -> Vec<Conformer> {
    let max = outcome
        .log_weights
        .iter()
        .copied()
        .fold(f64::NEG_INFINITY, f64::max);
    let mut weights: Vec<f64> = outcome
        .log_weights
        .iter()
        .map(|w| (w - max).exp())
        .collect();
    let total: f64 = weights.iter().sum();
    for w in &mut weights {
        *w /= total;
    }
    let m = space.dim();
    if m == 0 {
        // A rigid molecule: every draw is the input.
        let coords = as_written(&space.coords(&[]));
        let energy = system.energy(&coords).total();
        return vec![Conformer {
            coords,
            energy,
            search_energy: energy,
            minimum_of: None,
            weight: 1.0,
        }];
    }
    let chosen: Vec<(usize, f64)> = if weights.len() == count {
        weights.iter().copied().enumerate().collect()
    } else {
        let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(seed ^ RESAMPLE_STREAM);
        resample::hilbert_resample(&outcome.points, m, &weights, count, &mut rng)
            .into_iter()
            .map(|i| (i, 1.0 / count as f64))
            .collect()
    };
    chosen
        .par_iter()
        .map(|&(i, weight)| {
            let coords = as_written(&space.coords(&outcome.points[i * m..(i + 1) * m]));
            let energy = system.energy(&coords).total();
            Conformer {
                coords,
                energy,
                search_energy: energy,
                minimum_of: None,
                weight,
            }
        })
        .collect()
}

/// Separates the embeddings' random stream from the sampler's.
const EMBEDDING_STREAM: u64 = 0x3e1b_edd1_0000_0000;

/// Separates the crankshaft moves' random stream from the sampler's.
const HOP_STREAM: u64 = 0x7c1a_9b5e_0000_0000;

/// Separates the resampling random stream from the sampler's.
const RESAMPLE_STREAM: u64 = 0x5eed_0f4e_5a3b_1e00;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn training_shrinks_with_fewer_rotors_than_the_budget_counts() {
        for effort in [Effort::Fast, Effort::Default, Effort::Thorough] {
            let preset = Settings::minima(effort);
            let trained = |rotors| minima_budget(effort, rotors, false).training;
            for rotors in [BUDGET_ROTORS, 10, 40] {
                assert_eq!(trained(rotors).iterations, preset.iterations);
                assert_eq!(
                    trained(rotors).explore_iterations,
                    preset.explore_iterations
                );
            }
            assert_eq!(trained(3).iterations, preset.iterations / 2);
            // A rigid molecule trains as one with a rotor, and every round
            // of the shortest training still updates the policy.
            assert_eq!(trained(0).iterations, trained(1).iterations);
            assert!(trained(1).explore_iterations > 0);
            assert!(trained(1).iterations < trained(2).iterations);
        }
    }
}
