//! The minima search of `gen --mode minima`: draws relaxed in torsion space
//! (also in the torsion spaces of other ring puckers and invertomers),
//! the lowest distinct torsion minima minimised with full MMFF94, and the
//! minima windowed and pruned by RMSD.

use super::lbfgs::LbfgsOptions;
use super::minimize::{minimize_cartesian, minimize_torsions, MinimizeOptions};
use super::rmsd::{prune, SymmetricRmsd};
use super::{as_written, Conformer};
use crate::forcefield::mmff::MmffSystem;
use crate::mol::stereo::Stereo;
use crate::mol::Molecule;
use crate::sampler::torus::wrap;
use crate::torsion::TorsionSpace;
use nalgebra::Point3;
use rayon::prelude::*;
use std::time::Instant;

/// Torsion minima farther than this above the lowest one (beyond the
/// energy window) are not minimised: Cartesian relaxation rarely lowers a
/// rigid-geometry energy by more.
pub const RELAXATION_MARGIN: f64 = 5.0;

/// The other ring puckers and invertomers relax at most this many times as
/// many draws as the sampled one, shared among them.
const VARIANT_RELAXATIONS: usize = 3;

/// Torsion minima closer than this (largest wrapped difference, radians)
/// are one basin.
const SAME_BASIN: f64 = 0.1;

/// What minima mode keeps: conformers within `energy_window` kcal/mol of
/// the lowest, no two closer than `rmsd` Å (heavy atoms, symmetry-aware), at
/// most `count`.
#[derive(Clone, Copy, Debug)]
pub struct Window {
    pub energy_window: f64,
    pub rmsd: f64,
    pub count: usize,
}

/// The lowest energy of `conformers` (kcal/mol).
pub fn lowest_energy(conformers: &[Conformer]) -> f64 {
    conformers
        .iter()
        .map(|c| c.energy)
        .fold(f64::INFINITY, f64::min)
}

/// Boltzmann populations at kT from the energies.
pub fn set_populations(conformers: &mut [Conformer], kt: f64) {
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
pub struct Minima {
    pub conformers: Vec<Conformer>,
    pub evaluations: u64,
    pub minimizations: usize,
    pub stereo_rejected: usize,
}

impl Minima {
    pub fn absorb(&mut self, other: Minima) {
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
pub fn search(
    mol: &Molecule,
    system: &MmffSystem,
    spaces: &[TorsionSpace],
    starts: &[Vec<f64>],
    window: &Window,
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
    candidates.retain(|c| c.2 <= lowest + window.energy_window + RELAXATION_MARGIN);
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
/// window, pruned by RMSD from the lowest, at most `window.count`.
pub fn finish(
    mol: &Molecule,
    system: &MmffSystem,
    mut conformers: Vec<Conformer>,
    window: &Window,
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
    conformers.retain(|c| c.energy <= lowest + window.energy_window);
    let coords: Vec<Vec<Point3<f64>>> = conformers.iter().map(|c| c.coords.clone()).collect();
    let energies: Vec<f64> = conformers.iter().map(|c| c.energy).collect();
    let kept = prune(&SymmetricRmsd::new(mol), &coords, &energies, window.rmsd);
    kept.into_iter()
        .take(window.count)
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
