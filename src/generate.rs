//! Conformer ensembles of one molecule: the work behind `conformers gen`.
//!
//! The sampler learns the Boltzmann distribution over the molecule's
//! torsions ([`crate::sampler`]). In *boltzmann* mode its weighted draws are
//! the answer, with bond lengths, angles and rings as in the input. In
//! *minima* mode the draws are starting points: each is relaxed in torsion
//! space, also with the other ring puckers and nitrogen invertomers of the
//! input ([`crate::ensemble::variants`]), distinct torsion minima are
//! minimised with full MMFF94, and the minima within an energy window are
//! pruned by symmetry-aware heavy-atom RMSD. Stereochemistry comes from the
//! input; a minimised conformer whose stereochemistry differs from the
//! input's is dropped and counted.

use crate::ensemble::lbfgs::LbfgsOptions;
use crate::ensemble::minimize::{minimize_cartesian, minimize_torsions, MinimizeOptions};
use crate::ensemble::rmsd::{prune, SymmetricRmsd};
use crate::ensemble::variants::variants;
use crate::forcefield::mmff::{MmffError, MmffOptions, MmffSystem};
use crate::mol::stereo::Stereo;
use crate::mol::Molecule;
use crate::sampler::target::BOLTZMANN_KCAL;
use crate::sampler::{self, Device, Effort, MolecularTarget, SamplerError, Settings};
use crate::torsion::{find_rotors, Rotor, RotorOptions, TorsionSpace};
use nalgebra::Point3;
use rand::{RngExt, SeedableRng};
use rayon::prelude::*;
use std::f64::consts::PI;
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
                Mode::Minima => 50,
                Mode::Boltzmann => 1000,
            },
            energy_window: 10.0,
            rmsd: 0.5,
            temperature: 298.15,
            seed: 42,
            effort: Effort::Default,
            device: Device::Cpu,
            forcefield: MmffOptions::default(),
            rotors: RotorOptions::default(),
            timeout: None,
            oversampling: 8,
        }
    }
}

/// One output conformer.
#[derive(Clone, Debug)]
pub struct Conformer {
    /// As written: rounded to the 4 decimals of an SDF file.
    pub coords: Vec<Point3<f64>>,
    /// MMFF94 energy of `coords` (kcal/mol).
    pub energy: f64,
    /// boltzmann: self-normalised importance weight; minima: Boltzmann
    /// population from the energies. Sums to 1 over the ensemble.
    pub weight: f64,
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

/// Budget of minima mode per effort: (sampler draws, full minimisations).
fn minima_budget(effort: Effort) -> (usize, usize) {
    match effort {
        Effort::Fast => (300, 40),
        Effort::Default => (1000, 120),
        Effort::Thorough => (3000, 400),
    }
}

/// minima mode samples at this multiple of the temperature, so that basins
/// a few kcal/mol above the lowest are drawn too.
const MINIMA_SAMPLING_FACTOR: f64 = 3.0;

/// Torsion minima farther than this above the lowest one (beyond the
/// energy window) are not minimised: Cartesian relaxation rarely lowers a
/// rigid-geometry energy by more.
const RELAXATION_MARGIN: f64 = 5.0;

/// At most this many ring puckers and invertomers besides the input's
/// (the lowest) are searched; each costs a relaxation of every draw.
const MAX_VARIANTS: usize = 7;

/// The other ring puckers and invertomers relax at most this many times as
/// many draws as the sampled one, shared among them.
const VARIANT_RELAXATIONS: usize = 3;

/// The second search, in the torsion space of the lowest minimum, may
/// minimise this fraction of the first one's budget.
const REFINEMENT_SHARE: usize = 3;

/// A ring pucker or invertomer is sampled instead of the input's when its
/// minimum lies this much (kcal/mol) below the input's.
const LOWER_BASE: f64 = 0.01;

/// Torsion minima closer than this (largest wrapped difference, radians)
/// are one basin.
const SAME_BASIN: f64 = 0.1;

/// Generates the ensemble of `mol`.
pub fn generate(mol: &Molecule, options: &GenOptions) -> Result<Ensemble, GenError> {
    let start = Instant::now();
    let deadline = options.timeout.map(|t| start + t);
    let timed_out = || GenError::TimedOut(options.timeout.unwrap_or_default().as_secs_f64());
    let system = MmffSystem::new(mol, &options.forcefield).map_err(GenError::Forcefield)?;
    let rotors = find_rotors(mol, options.rotors);
    let quadruples = rotors.iter().map(|r| r.dihedral).collect();
    let mut spaces = vec![TorsionSpace::new(mol, &system, rotors.clone())];
    let input_energy = system.energy(mol.coords()).total();
    let mut variant_evaluations = 0;
    if options.mode == Mode::Minima {
        // Other ring puckers and nitrogen invertomers; the sampler learns
        // the torsion space of the lowest of all.
        let mut minimized = mol.coords().to_vec();
        let input_minimum =
            minimize_cartesian(&system, &mut minimized, &MinimizeOptions::default());
        let late = || deadline.is_some_and(|d| Instant::now() >= d);
        let (found, evaluations) = variants(mol, &system, late);
        variant_evaluations = evaluations + input_minimum.evaluations as u64;
        // Variants come lowest first; those too high to hold a minimum in
        // the window are left out.
        let lowest = found
            .first()
            .map_or(input_minimum.value, |v| v.energy.min(input_minimum.value));
        let sample_first = found
            .first()
            .is_some_and(|v| v.energy < input_minimum.value - LOWER_BASE);
        spaces.extend(
            found
                .into_iter()
                .filter(|v| v.energy <= lowest + options.energy_window + RELAXATION_MARGIN)
                .take(MAX_VARIANTS)
                .map(|v| space_at(mol, &system, &rotors, v.coords)),
        );
        if sample_first {
            spaces.swap(0, 1);
        }
        if late() {
            return Err(timed_out());
        }
    }
    let sampling_temperature = match options.mode {
        Mode::Boltzmann => options.temperature,
        Mode::Minima => options.temperature * MINIMA_SAMPLING_FACTOR,
    };
    let (draws, max_minimizations) = match options.mode {
        Mode::Boltzmann => (options.num_confs * options.oversampling, 0),
        Mode::Minima => minima_budget(options.effort),
    };
    let mut target = MolecularTarget::new(
        &spaces[0],
        sampling_temperature,
        rayon::current_num_threads(),
    );
    // log Z relative to the input's energy, whichever torsion space was
    // sampled.
    let log_z_shift =
        (input_energy - target.reference_energy()) / (BOLTZMANN_KCAL * sampling_temperature);
    let preset = Settings::preset(options.effort);
    let settings = Settings {
        deadline,
        ..match options.mode {
            Mode::Boltzmann => preset,
            Mode::Minima => preset.for_minima(),
        }
    };
    let outcome = sampler::run(&mut target, &settings, draws, options.device, options.seed)
        .map_err(|e| match e {
            SamplerError::TimedOut => timed_out(),
            e => GenError::Sampler(e),
        })?;
    let mut ensemble = Ensemble {
        rotors: quadruples,
        reference_energy: input_energy,
        sampling_temperature,
        log_z: outcome.log_z + log_z_shift,
        ess: outcome.ess,
        energy_evaluations: outcome.energy_evaluations + variant_evaluations,
        draws,
        minimizations: 0,
        stereo_rejected: 0,
        train_seconds: outcome.train_seconds,
        conformers: Vec::new(),
    };
    let kt = BOLTZMANN_KCAL * options.temperature;
    match options.mode {
        Mode::Boltzmann => {
            ensemble.conformers = weighted_draws(
                &spaces[0],
                &system,
                &outcome,
                options.num_confs,
                options.seed,
            );
        }
        Mode::Minima => {
            let m = spaces[0].dim();
            let starts: Vec<Vec<f64>> = outcome
                .points
                .chunks_exact(m.max(1))
                .map(<[f64]>::to_vec)
                .collect();
            let mut found = search(
                mol,
                &system,
                &spaces,
                &starts,
                options,
                max_minimizations,
                deadline,
            )
            .ok_or_else(timed_out)?;
            // The lowest minimum's own bond angles and ring conformation
            // make a closer torsion space for its neighbourhood than the
            // sampled one: the draws are relaxed there once more.
            if let Some(best) = found
                .conformers
                .iter()
                .min_by(|a, b| a.energy.total_cmp(&b.energy))
            {
                let space = space_at(mol, &system, &rotors, best.coords.clone());
                let budget = max_minimizations / REFINEMENT_SHARE;
                let again = search(mol, &system, &[space], &starts, options, budget, deadline)
                    .ok_or_else(timed_out)?;
                found.absorb(again);
            }
            ensemble.energy_evaluations += found.evaluations;
            ensemble.minimizations = found.minimizations;
            ensemble.stereo_rejected = found.stereo_rejected;
            ensemble.conformers = finish(mol, &system, found.conformers, options);
            set_populations(&mut ensemble.conformers, kt);
        }
    }
    Ok(ensemble)
}

/// The torsion space of `mol` with other coordinates (a conformer of it).
fn space_at(
    mol: &Molecule,
    system: &MmffSystem,
    rotors: &[Rotor],
    coords: Vec<Point3<f64>>,
) -> TorsionSpace {
    let mut moved = mol.clone();
    moved
        .set_coords(coords)
        .expect("a conformer has the molecule's atom count");
    TorsionSpace::new(&moved, system, rotors.to_vec())
}

/// Coordinates as an SDF file holds them (4 decimals), so that the energy
/// reported is the energy of what is written.
fn as_written(coords: &[Point3<f64>]) -> Vec<Point3<f64>> {
    let round = |v: f64| format!("{v:.4}").parse::<f64>().unwrap_or(v);
    coords
        .iter()
        .map(|p| Point3::new(round(p.x), round(p.y), round(p.z)))
        .collect()
}

/// `count` conformers from the sampler's draws: all of them with their
/// importance weights when there are `count`, otherwise a stratified
/// resample (see [`hilbert_resample`]) with equal weights.
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
            weight: 1.0,
        }];
    }
    let chosen: Vec<(usize, f64)> = if weights.len() == count {
        weights.iter().copied().enumerate().collect()
    } else {
        let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(seed ^ RESAMPLE_STREAM);
        hilbert_resample(&outcome.points, m, &weights, count, &mut rng)
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
                weight,
            }
        })
        .collect()
}

/// Separates the resampling random stream from the sampler's.
const RESAMPLE_STREAM: u64 = 0x5eed_0f4e_5a3b_1e00;

/// Systematic resampling of `count` indices from weighted points on the
/// torus, the points ordered along a Hilbert curve first (as in
/// sequential quasi-Monte Carlo). Neighbouring picks then come from
/// neighbouring regions, so the histograms of the result follow the
/// weighted ones much more closely than independent draws would.
pub fn hilbert_resample(
    points: &[f64],
    m: usize,
    weights: &[f64],
    count: usize,
    rng: &mut impl rand::Rng,
) -> Vec<usize> {
    let bits = (128 / m.max(1)).clamp(1, 16) as u32;
    let cells = f64::from(1u32 << bits);
    let mut keyed: Vec<(u128, usize)> = points
        .chunks_exact(m)
        .enumerate()
        .map(|(i, p)| {
            let mut cell: Vec<u32> = p
                .iter()
                .map(|a| ((wrap(*a) + PI) / (2.0 * PI) * cells).clamp(0.0, cells - 1.0) as u32)
                .collect();
            (hilbert_index(&mut cell, bits), i)
        })
        .collect();
    keyed.sort_unstable();
    let total: f64 = weights.iter().sum();
    let step = total / count as f64;
    let mut next = rng.random::<f64>() * step;
    let mut cumulative = 0.0;
    let mut picks = Vec::with_capacity(count);
    for &(_, i) in &keyed {
        cumulative += weights[i];
        while picks.len() < count && next < cumulative {
            picks.push(i);
            next += step;
        }
    }
    // Rounding can leave the last pick short of the total.
    while picks.len() < count {
        picks.push(keyed[keyed.len() - 1].1);
    }
    picks
}

/// Position along the m-dimensional Hilbert curve of a cell with `bits`
/// bits per coordinate (Skilling's transpose algorithm, AIP Conf. Proc.
/// 707, 381 (2004)). `cell` is overwritten.
pub fn hilbert_index(cell: &mut [u32], bits: u32) -> u128 {
    let n = cell.len();
    if n == 0 {
        return 0;
    }
    let top = 1u32 << (bits - 1);
    let mut q = top;
    while q > 1 {
        let p = q - 1;
        for i in 0..n {
            if cell[i] & q != 0 {
                cell[0] ^= p;
            } else {
                let t = (cell[0] ^ cell[i]) & p;
                cell[0] ^= t;
                cell[i] ^= t;
            }
        }
        q >>= 1;
    }
    for i in 1..n {
        cell[i] ^= cell[i - 1];
    }
    let mut t = 0;
    let mut q = top;
    while q > 1 {
        if cell[n - 1] & q != 0 {
            t ^= q - 1;
        }
        q >>= 1;
    }
    for c in cell.iter_mut() {
        *c ^= t;
    }
    let mut key = 0u128;
    for b in (0..bits).rev() {
        for c in cell.iter() {
            key = (key << 1) | u128::from((c >> b) & 1);
        }
    }
    key
}

fn lowest_energy(conformers: &[Conformer]) -> f64 {
    conformers
        .iter()
        .map(|c| c.energy)
        .fold(f64::INFINITY, f64::min)
}

/// Boltzmann populations at kT from the energies.
fn set_populations(conformers: &mut [Conformer], kt: f64) {
    let lowest = lowest_energy(conformers);
    let total: f64 = conformers
        .iter()
        .map(|c| (-(c.energy - lowest) / kt).exp())
        .sum();
    for c in conformers {
        c.weight = (-(c.energy - lowest) / kt).exp() / total;
    }
}

/// Minimised conformers with the input's stereochemistry, and what finding
/// them cost.
struct Minima {
    conformers: Vec<Conformer>,
    evaluations: u64,
    minimizations: usize,
    stereo_rejected: usize,
}

impl Minima {
    fn absorb(&mut self, other: Minima) {
        self.conformers.extend(other.conformers);
        self.evaluations += other.evaluations;
        self.minimizations += other.minimizations;
        self.stereo_rejected += other.stereo_rejected;
    }
}

/// Relaxes `starts` (the draws) in the sampled torsion space (`spaces[0]`),
/// and its distinct minima with a share of the draws in the torsion spaces
/// of the other ring puckers and nitrogen invertomers (`spaces[1..]`), each
/// space's own geometry too; minimises the lowest distinct torsion minima of
/// all with full MMFF94 and keeps those with the input's stereochemistry.
/// `None` when the deadline passed.
fn search(
    mol: &Molecule,
    system: &MmffSystem,
    spaces: &[TorsionSpace],
    starts: &[Vec<f64>],
    options: &GenOptions,
    max_minimizations: usize,
    deadline: Option<Instant>,
) -> Option<Minima> {
    let late = || deadline.is_some_and(|d| Instant::now() >= d);
    let mut evaluations = 0;
    let (first, rest) = spaces.split_first()?;
    let own = |space: &TorsionSpace| space.reference_torsions().to_vec();
    let all: Vec<Vec<f64>> = std::iter::once(own(first))
        .chain(starts.iter().cloned())
        .collect();
    let sampled = basins(first, &all, max_minimizations, &mut evaluations, late)?;
    // The other spaces relax the sampled space's minima and as many draws
    // as the budget allows.
    let share = (VARIANT_RELAXATIONS * starts.len())
        .div_ceil(rest.len().max(1))
        .min(starts.len());
    let transferred: Vec<Vec<f64>> = sampled
        .iter()
        .map(|b| b.0.clone())
        .chain(starts[..share].iter().cloned())
        .collect();
    let mut candidates: Vec<(usize, Vec<f64>, f64)> =
        sampled.into_iter().map(|(tau, e)| (0, tau, e)).collect();
    for (k, space) in rest.iter().enumerate() {
        let starts: Vec<Vec<f64>> = std::iter::once(own(space))
            .chain(transferred.iter().cloned())
            .collect();
        let found = basins(space, &starts, max_minimizations, &mut evaluations, late)?;
        candidates.extend(found.into_iter().map(|(tau, e)| (k + 1, tau, e)));
    }
    candidates.sort_by(|a, b| a.2.total_cmp(&b.2).then(a.0.cmp(&b.0)));
    let lowest = candidates.first()?.2;
    candidates.retain(|c| c.2 <= lowest + options.energy_window + RELAXATION_MARGIN);
    candidates.truncate(max_minimizations.max(1));
    let input_stereo = Stereo::perceive(mol);
    let full = MinimizeOptions::default();
    let minimized: Vec<(Option<Conformer>, usize)> = candidates
        .par_iter()
        .map(|(k, tau, _)| {
            if late() {
                return None;
            }
            let mut coords = spaces[*k].coords(tau);
            let r = minimize_cartesian(system, &mut coords, &full);
            let coords = as_written(&coords);
            let same_stereo = input_stereo
                .differences(&Stereo::perceive_at(mol, &coords))
                .is_empty();
            let conformer = same_stereo.then(|| Conformer {
                energy: system.energy(&coords).total(),
                coords,
                weight: 0.0,
            });
            Some((conformer, r.evaluations))
        })
        .collect::<Option<_>>()?;
    evaluations += minimized.iter().map(|m| m.1 as u64).sum::<u64>();
    let minimizations = minimized.len();
    let conformers: Vec<Conformer> = minimized.into_iter().filter_map(|m| m.0).collect();
    let stereo_rejected = minimizations - conformers.len();
    Some(Minima {
        conformers,
        evaluations,
        minimizations,
        stereo_rejected,
    })
}

/// The output of minima mode from all minima found: with their mirror
/// images when the molecule has no stereocentres, within the energy
/// window, pruned by RMSD from the lowest, at most `num_confs`.
fn finish(
    mol: &Molecule,
    system: &MmffSystem,
    mut conformers: Vec<Conformer>,
    options: &GenOptions,
) -> Vec<Conformer> {
    if Stereo::perceive(mol).centres.is_empty() {
        // Without stereocentres the mirror image of a conformer is a
        // conformer of the same molecule with the same energy.
        let mirrors: Vec<Conformer> = conformers
            .iter()
            .map(|c| {
                let coords: Vec<Point3<f64>> = c
                    .coords
                    .iter()
                    .map(|p| Point3::new(-p.x, p.y, p.z))
                    .collect();
                Conformer {
                    energy: system.energy(&coords).total(),
                    coords,
                    weight: 0.0,
                }
            })
            .collect();
        conformers.extend(mirrors);
    }
    let lowest = lowest_energy(&conformers);
    conformers.retain(|c| c.energy <= lowest + options.energy_window);
    let coords: Vec<Vec<Point3<f64>>> = conformers.iter().map(|c| c.coords.clone()).collect();
    let energies: Vec<f64> = conformers.iter().map(|c| c.energy).collect();
    let kept = prune(&SymmetricRmsd::new(mol), &coords, &energies, options.rmsd);
    kept.into_iter()
        .take(options.num_confs)
        .map(|k| conformers[k].clone())
        .collect()
}

/// Relaxes `starts` in torsion space and returns the distinct torsion
/// minima, lowest first, at most `limit`, with their energies; adds the
/// energy evaluations spent to `evaluations`. `None` when `late()`.
fn basins(
    space: &TorsionSpace,
    starts: &[Vec<f64>],
    limit: usize,
    evaluations: &mut u64,
    late: impl Fn() -> bool + Sync,
) -> Option<Vec<(Vec<f64>, f64)>> {
    let coarse = LbfgsOptions {
        gradient_rms: 1e-2,
        max_iterations: 300,
        memory: 8,
        max_step: 0.5,
    };
    let mut relaxed: Vec<(Vec<f64>, f64, usize)> = starts
        .par_iter()
        .map(|tau| {
            if late() {
                return None;
            }
            let mut t = tau.clone();
            let r = minimize_torsions(space, &mut t, &coarse);
            for a in &mut t {
                *a = wrap(*a);
            }
            Some((t, r.value, r.evaluations))
        })
        .collect::<Option<_>>()?;
    *evaluations += relaxed.iter().map(|r| r.2 as u64).sum::<u64>();
    // A stable sort keeps equal energies in the order of `starts`.
    relaxed.sort_by(|a, b| a.1.total_cmp(&b.1));
    let mut distinct: Vec<(Vec<f64>, f64)> = Vec::new();
    for (tau, energy, _) in relaxed {
        if distinct.len() == limit.max(1) {
            break;
        }
        let new = distinct.iter().all(|(b, _)| {
            b.iter()
                .zip(&tau)
                .any(|(x, y)| wrap(x - y).abs() > SAME_BASIN)
        });
        if new {
            distinct.push((tau, energy));
        }
    }
    Some(distinct)
}

/// An angle moved into [−π, π).
fn wrap(a: f64) -> f64 {
    (a + PI).rem_euclid(2.0 * PI) - PI
}

/// SD tags of output conformers, in the order written.
pub const TAGS: [&str; 4] = ["ENERGY", "REL_ENERGY", "WEIGHT", "CONFORMER_INDEX"];

impl Ensemble {
    /// The lowest energy of the output (kcal/mol).
    pub fn lowest_energy(&self) -> f64 {
        lowest_energy(&self.conformers)
    }

    /// The SD tags ([`TAGS`]) of every conformer, in order.
    pub fn tags(&self) -> Vec<Vec<(String, String)>> {
        let lowest = self.lowest_energy();
        self.conformers
            .iter()
            .enumerate()
            .map(|(index, c)| {
                let values = [
                    format!("{:.6}", c.energy),
                    format!("{:.6}", c.energy - lowest),
                    format!("{:.8e}", c.weight),
                    index.to_string(),
                ];
                TAGS.iter().map(|t| t.to_string()).zip(values).collect()
            })
            .collect()
    }

    /// The per-molecule JSON summary of `gen --json` (without `name`, `index`,
    /// `status` and `wall_time_s`, which the caller knows).
    pub fn summary(&self, mol: &Molecule, options: &GenOptions) -> serde_json::Value {
        let lowest = self.lowest_energy();
        let conformers: Vec<serde_json::Value> = self
            .conformers
            .iter()
            .enumerate()
            .map(|(i, c)| {
                serde_json::json!({
                    "index": i,
                    "energy": c.energy,
                    "rel_energy": c.energy - lowest,
                    "weight": c.weight,
                })
            })
            .collect();
        serde_json::json!({
            "mode": options.mode,
            "num_atoms": mol.num_atoms(),
            "num_rotors": self.rotors.len(),
            "rotors": self.rotors,
            "temperature": options.temperature,
            "sampling_temperature": self.sampling_temperature,
            "reference_energy": self.reference_energy,
            "log_z": self.log_z,
            "ess": self.ess,
            "draws": self.draws,
            "energy_evaluations": self.energy_evaluations,
            "train_time_s": self.train_seconds,
            "minimizations": self.minimizations,
            "stereo_rejected": self.stereo_rejected,
            "num_conformers": self.conformers.len(),
            "conformers": conformers,
        })
    }
}
