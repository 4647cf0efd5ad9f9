//! The minima search of `gen --mode minima`: draws relaxed in torsion space
//! (also in the torsion spaces of other ring conformations, amide rotamers
//! and invertomers, and in the search force field's), the lowest distinct
//! torsion minima minimised with full MMFF94 or in the search force field,
//! minima of distance-geometry embeddings, and the minima windowed and
//! pruned by RMSD.

use super::embed::reembed;
use super::lbfgs::LbfgsOptions;
use super::minimize::{minimize_cartesian, minimize_torsions, MinimizeOptions};
use super::rmsd::{prune, representatives, SymmetricRmsd};
use super::variants::Turn;
use super::{as_written, Conformer, Field};
use crate::forcefield::mmff::MmffSystem;
use crate::mol::stereo::Stereo;
use crate::mol::Molecule;
use crate::sampler::torus::wrap;
use crate::torsion::{Rotor, TorsionSpace};
use nalgebra::Point3;
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{RngExt, SeedableRng};
use rayon::prelude::*;
use std::collections::VecDeque;
use std::f64::consts::PI;
use std::time::Instant;

/// Torsion minima farther than this above the lowest one (beyond the
/// energy window) are minimised only where the others leave budget (see
/// [`Queue`]): for most molecules Cartesian relaxation rarely lowers a
/// rigid-geometry energy by more.
pub const RELAXATION_MARGIN: f64 = 5.0;

/// The search force field's basins are minimised with this fraction of the
/// written one's budget.
const SEARCH_FIELD_SHARE: usize = 2;

/// The torsion minima of each space considered for minimisation: this many
/// times the minimisation budget, of which the distinct ones are minimised.
const CANDIDATE_POOL: usize = 4;

/// Puts search minima after every written one in the pruning order (more
/// than any energy window).
const SEARCH_MINIMA_AFTER: f64 = 1e6;

/// Where more distinct minima lie in the window than are written, those
/// written represent the others within this multiple of the pruning
/// threshold (at the threshold itself each would represent only itself).
const REPRESENTATIVE_RADIUS: f64 = 1.2;

/// Beyond the first round, the minimisations go on in rounds of this
/// fraction of the budget.
const ROUND_SHARE: usize = 8;

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

/// The force fields of a minima search: `written` is the one of `ENERGY`,
/// `search` the one whose basins are minimised too (in it) and whose
/// energies rank minima as well.
#[derive(Clone, Copy)]
pub struct ForceFields<'a> {
    pub search: &'a MmffSystem,
    pub written: &'a MmffSystem,
}

impl ForceFields<'_> {
    fn get(&self, field: Field) -> &MmffSystem {
        match field {
            Field::Written => self.written,
            Field::Search => self.search,
        }
    }

    /// `coords` minimised fully in `field` (as `conformers minimize`), as
    /// written, unless its stereochemistry differs from `input`'s; with the
    /// energy evaluations spent.
    fn minimum(
        &self,
        mol: &Molecule,
        input: &Stereo,
        mut coords: Vec<Point3<f64>>,
        field: Field,
    ) -> (Option<Conformer>, usize) {
        let r = minimize_cartesian(self.get(field), &mut coords, &MinimizeOptions::default());
        let coords = as_written(&coords);
        let same_stereo = input
            .differences(&Stereo::perceive_at(mol, &coords))
            .is_empty();
        (
            same_stereo.then(|| self.conformer(coords, field)),
            r.evaluations,
        )
    }

    /// A minimum of `field` at `coords` (as written) with its energies in
    /// both force fields.
    fn conformer(&self, coords: Vec<Point3<f64>>, field: Field) -> Conformer {
        Conformer {
            energy: self.written.energy(&coords).total(),
            search_energy: self.search.energy(&coords).total(),
            minimum_of: Some(field),
            coords,
            weight: 0.0,
        }
    }
}

/// A torsion minimum to minimise: its space, torsions, energy there, and
/// the force field that minimises it.
type Candidate<'a> = (&'a TorsionSpace, Vec<f64>, f64, Field);

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
#[derive(Default)]
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

/// What a search may spend: full minimisations; relaxations in the torsion
/// spaces of the other ring conformations, amide rotamers and invertomers,
/// at most `variant_relaxations` times as many draws as the sampled space
/// relaxes, shared among them; and time.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub minimizations: usize,
    pub variant_relaxations: usize,
    pub deadline: Option<Instant>,
}

/// Relaxes `starts` (the draws) in the sampled torsion space (`spaces[0]`),
/// and its distinct minima with a share of the draws in the torsion spaces
/// of the other ring conformations, amide rotamers and nitrogen invertomers
/// (`spaces[1..]`), each space's own geometry too; with `searched` (the
/// sampled space in the search force field), the draws once more there.
/// Minimises the lowest distinct torsion minima in the written force field,
/// and half as many of the search force field's in that one (higher ones
/// too while they relax into the window, see [`Queue`]), and keeps those
/// with the input's stereochemistry. `None` when the deadline passed.
pub fn search(
    mol: &Molecule,
    fields: ForceFields,
    spaces: &[TorsionSpace],
    searched: Option<&TorsionSpace>,
    starts: &[Vec<f64>],
    window: &Window,
    limits: Limits,
) -> Option<Minima> {
    let Limits {
        minimizations: max_minimizations,
        variant_relaxations,
        deadline,
    } = limits;
    let late = || deadline.is_some_and(|d| Instant::now() >= d);
    let mut evaluations = 0;
    let (first, rest) = spaces.split_first()?;
    let own = |space: &TorsionSpace| space.reference_torsions().to_vec();
    let all: Vec<Vec<f64>> = std::iter::once(own(first))
        .chain(starts.iter().cloned())
        .collect();
    let pool = max_minimizations * CANDIDATE_POOL;
    let sampled = basins(first, &all, pool, &mut evaluations, late)?;
    // The other spaces relax the sampled space's minima and as many draws
    // as the budget allows.
    let share = (variant_relaxations * starts.len())
        .div_ceil(rest.len().max(1))
        .min(starts.len());
    let transferred: Vec<Vec<f64>> = sampled
        .iter()
        .map(|b| b.0.clone())
        .chain(starts[..share].iter().cloned())
        .collect();
    let mut candidates: Vec<Candidate> = sampled
        .into_iter()
        .map(|(tau, e)| (first, tau, e, Field::Written))
        .collect();
    for space in rest {
        let starts: Vec<Vec<f64>> = std::iter::once(own(space))
            .chain(transferred.iter().cloned())
            .collect();
        let found = basins(space, &starts, pool, &mut evaluations, late)?;
        candidates.extend(
            found
                .into_iter()
                .map(|(tau, e)| (space, tau, e, Field::Written)),
        );
    }
    let mut queues = vec![Queue::new(candidates, max_minimizations)];
    if let Some(space) = searched {
        // The search force field's own lowest basins, with a share of the
        // budget, minimised there: shapes that the written force field
        // ranks too high, or folds when it minimises them.
        let found = basins(space, &all, pool, &mut evaluations, late)?;
        let found = found
            .into_iter()
            .map(|(tau, e)| (space, tau, e, Field::Search))
            .collect();
        queues.push(Queue::new(found, max_minimizations / SEARCH_FIELD_SHARE));
    }
    // Candidates closer than the pruning threshold to a lower one would
    // be pruned after their minimisation: they are left out before it.
    let distinct = SymmetricRmsd::new(mol);
    let mut taken = Vec::new();
    let input_stereo = Stereo::perceive(mol);
    let mut minimized: Vec<(Option<Conformer>, usize)> = Vec::new();
    loop {
        let mut batch: Vec<(usize, Candidate)> = Vec::new();
        for (q, queue) in queues.iter_mut().enumerate() {
            let next = queue.next_batch(window, (&distinct, &mut taken));
            batch.extend(next.into_iter().map(|c| (q, c)));
        }
        if batch.is_empty() {
            break;
        }
        let results: Vec<(Option<Conformer>, usize)> = batch
            .par_iter()
            .map(|&(_, (space, ref tau, _, field))| {
                if late() {
                    return None;
                }
                Some(fields.minimum(mol, &input_stereo, space.coords(tau), field))
            })
            .collect::<Option<_>>()?;
        for (q, queue) in queues.iter_mut().enumerate() {
            let round: Vec<&Conformer> = batch
                .iter()
                .zip(&results)
                .filter(|((from, _), _)| *from == q)
                .filter_map(|(_, (conformer, _))| conformer.as_ref())
                .collect();
            queue.record(&round, window, &distinct);
        }
        minimized.extend(results);
    }
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

/// Minima from `count` distance-geometry embeddings of `mol` (seeded from
/// `seed`), each minimised fully in the written force field and, where it
/// differs, in the search force field. An embedding places the chain at
/// random, unrelated to any torsion minimum: it reaches basins that the
/// sampled torsion distribution, which favours folded shapes, rarely
/// draws. `None` when `late()`.
pub fn embedded(
    mol: &Molecule,
    fields: ForceFields,
    count: usize,
    seed: u64,
    late: impl Fn() -> bool + Sync,
) -> Option<Minima> {
    let mut found = Minima::default();
    if count == 0 {
        return (!late()).then_some(found);
    }
    let wanted = if std::ptr::eq(fields.search, fields.written) {
        &[Field::Written][..]
    } else {
        &[Field::Written, Field::Search]
    };
    let systems: Vec<&MmffSystem> = wanted.iter().map(|&field| fields.get(field)).collect();
    let (minima, evaluations) = reembed(
        mol,
        &systems,
        count,
        seed,
        &MinimizeOptions::default(),
        &late,
    );
    if late() {
        return None;
    }
    found.evaluations += evaluations;
    for (&field, minima) in wanted.iter().zip(minima) {
        found.minimizations += minima.len();
        found.conformers.extend(
            minima
                .into_iter()
                .map(|coords| fields.conformer(as_written(&coords), field)),
        );
    }
    Some(found)
}

/// Moves start, in each round, from this many of the lowest minima not yet
/// moved from, this many moves from each.
const HOP_STARTS: usize = 8;
const HOP_MOVES: usize = 12;

/// A move from a minimum of a molecule without a macrocycle turns this
/// many of its rotors at once (fewer where it has fewer).
const KICKED_ROTORS: usize = 2;

/// [`HOP_MOVES`] moves drawn from `rng`: a macrocycle's crankshaft moves in
/// random order, otherwise turns of [`KICKED_ROTORS`] rotors drawn at
/// random, each by a third of a turn either way or by an angle drawn
/// between a sixth and five sixths of a turn. A move is one turn or
/// several, made one after the other.
fn plan(crankshafts: &[Turn], rotors: &[Rotor], rng: &mut impl rand::Rng) -> Vec<Vec<Turn>> {
    if !crankshafts.is_empty() {
        let mut order: Vec<&Turn> = crankshafts.iter().collect();
        order.shuffle(rng);
        return order
            .into_iter()
            .take(HOP_MOVES)
            .map(|turn| vec![turn.clone()])
            .collect();
    }
    (0..HOP_MOVES)
        .map(|_| {
            rotors
                .sample(rng, KICKED_ROTORS)
                .map(|rotor| {
                    let angle = match rng.random_range(0..3) {
                        0 => 2.0 * PI / 3.0,
                        1 => -2.0 * PI / 3.0,
                        _ => rng.random_range(PI / 3.0..5.0 * PI / 3.0),
                    };
                    Turn::of_rotor(rotor, angle)
                })
                .collect()
        })
        .collect()
}

/// Minima one move away from the lowest minima of the written force field:
/// rounds of [`HOP_MOVES`] moves ([`plan`], drawn from `seed`) from each of
/// the [`HOP_STARTS`] lowest minima not within `rmsd` of one already moved
/// from, each minimised fully in the written force field, while `count`
/// minimisations last; a round starts from the new minima too (a Monte
/// Carlo multiple-minimum search). Low minima lie next to each other: a
/// macrocycle's rare ring shape that few embeddings reach (cyclododecanone's
/// square [3333]) is one crankshaft move from its neighbours, and a minimum
/// of a chain that the draws miss differs from a found one in a few
/// torsions, often held in a narrow basin by an intramolecular hydrogen
/// bond or salt bridge. Nothing without a macrocycle or rotors; `None` when
/// `late()`.
#[allow(clippy::too_many_arguments)]
pub fn hopped(
    mol: &Molecule,
    fields: ForceFields,
    found: &[Conformer],
    rotors: &[Rotor],
    count: usize,
    rmsd: f64,
    seed: u64,
    late: impl Fn() -> bool + Sync,
) -> Option<Minima> {
    let mut hops = Minima::default();
    if count == 0 {
        return (!late()).then_some(hops);
    }
    let crankshafts = Turn::crankshafts(mol);
    if crankshafts.is_empty() && rotors.is_empty() {
        return (!late()).then_some(hops);
    }
    let measure = SymmetricRmsd::new(mol);
    let input_stereo = Stereo::perceive(mol);
    let mut pool: Vec<Conformer> = found
        .iter()
        .filter(|c| c.minimum_of == Some(Field::Written))
        .cloned()
        .collect();
    let mut moved_from: Vec<Vec<Point3<f64>>> = Vec::new();
    let mut left = count;
    let mut round = 0u64;
    while left > 0 {
        pool.sort_by(|a, b| a.energy.total_cmp(&b.energy));
        let mut starts: Vec<&Conformer> = Vec::new();
        for c in &pool {
            if starts.len() == HOP_STARTS {
                break;
            }
            let far = |x: &Vec<Point3<f64>>| measure.rmsd(x, &c.coords) > rmsd;
            if moved_from.iter().all(far) && starts.iter().all(|s| far(&s.coords)) {
                starts.push(c);
            }
        }
        if starts.is_empty() {
            break;
        }
        let mut planned: Vec<(&Conformer, Vec<Turn>)> = Vec::new();
        for (rank, start) in starts.iter().enumerate() {
            let mut rng =
                rand::rngs::Xoshiro256PlusPlus::seed_from_u64(seed ^ (round << 16) ^ rank as u64);
            let moves = plan(&crankshafts, rotors, &mut rng);
            planned.extend(moves.into_iter().map(|m| (*start, m)));
        }
        moved_from.extend(starts.iter().map(|s| s.coords.clone()));
        planned.truncate(left);
        left -= planned.len();
        let results: Vec<(Option<Conformer>, usize)> = planned
            .par_iter()
            .map(|(start, turns)| {
                if late() {
                    return None;
                }
                let mut coords = start.coords.clone();
                for turn in turns {
                    turn.apply(&mut coords);
                }
                Some(fields.minimum(mol, &input_stereo, coords, Field::Written))
            })
            .collect::<Option<_>>()?;
        for (conformer, evaluations) in results {
            hops.minimizations += 1;
            hops.evaluations += evaluations as u64;
            match conformer {
                Some(c) => {
                    pool.push(c.clone());
                    hops.conformers.push(c);
                }
                None => hops.stereo_rejected += 1,
            }
        }
        round += 1;
    }
    (!late()).then_some(hops)
}

/// The torsion minima of one force field awaiting full minimisation,
/// lowest first, and what their minimisations have found.
///
/// The first round minimises those within the energy window and
/// [`RELAXATION_MARGIN`] of the lowest. Where that leaves budget, the
/// search goes on up the list in rounds of [`ROUND_SHARE`] of the budget
/// while each round adds a distinct minimum to the window: a macrocycle's
/// rigid torsion minima lie tens of kcal/mol above what they relax to,
/// while those of most molecules relax by a few.
struct Queue<'a> {
    candidates: VecDeque<Candidate<'a>>,
    /// The lowest torsion minimum's energy.
    lowest: f64,
    /// Minimisations left in the budget, and those of a round past the
    /// first.
    left: usize,
    round_size: usize,
    stage: Stage,
    /// Distinct minima within the window of the lowest so far.
    found: Vec<Conformer>,
}

/// Where a [`Queue`] stands.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Stage {
    /// The first round, within the window and the margin, is still to come.
    First,
    /// The last round added a minimum to the window: another may follow.
    Rounds,
    /// Nothing more is minimised.
    Done,
}

impl<'a> Queue<'a> {
    fn new(mut candidates: Vec<Candidate<'a>>, limit: usize) -> Self {
        // A stable sort keeps equal energies in the order of the spaces.
        candidates.sort_by(|a, b| a.2.total_cmp(&b.2));
        let limit = limit.max(1);
        Queue {
            lowest: candidates.first().map_or(0.0, |c| c.2),
            candidates: candidates.into(),
            left: limit,
            round_size: limit.div_ceil(ROUND_SHARE),
            stage: Stage::First,
            found: Vec::new(),
        }
    }

    /// The next candidates, lowest first, each farther than `window.rmsd`
    /// from every geometry in `taken` and from each other (the chosen
    /// geometries are added to `taken`, those too close dropped): in the
    /// first round all within the window and the margin, then a round's
    /// worth while the last one found more.
    fn next_batch(
        &mut self,
        window: &Window,
        (rmsd, taken): (&SymmetricRmsd, &mut Vec<Vec<Point3<f64>>>),
    ) -> Vec<Candidate<'a>> {
        let (cutoff, count) = match self.stage {
            Stage::First => (
                self.lowest + window.energy_window + RELAXATION_MARGIN,
                self.left,
            ),
            Stage::Rounds => (f64::INFINITY, self.round_size.min(self.left)),
            Stage::Done => return Vec::new(),
        };
        let mut chosen = Vec::new();
        while chosen.len() < count {
            let Some(candidate) = self.candidates.pop_front() else {
                break;
            };
            if candidate.2 > cutoff {
                self.candidates.push_front(candidate);
                break;
            }
            let coords = candidate.0.coords(&candidate.1);
            if taken
                .par_iter()
                .all(|t| rmsd.rmsd(t, &coords) > window.rmsd)
            {
                taken.push(coords);
                chosen.push(candidate);
            }
        }
        self.left -= chosen.len();
        chosen
    }

    /// Takes in the minima of the last round: the search goes on while a
    /// round adds a distinct minimum within the window (in the force field
    /// that minimised them). Nothing is kept once nothing is left to
    /// minimise.
    fn record(&mut self, minima: &[&Conformer], window: &Window, rmsd: &SymmetricRmsd) {
        self.stage = Stage::Done;
        if self.left == 0 || self.candidates.is_empty() {
            return;
        }
        let found = &mut self.found;
        let own = |c: &Conformer| match c.minimum_of {
            Some(Field::Search) => c.search_energy,
            _ => c.energy,
        };
        let lowest = minima
            .iter()
            .map(|c| own(c))
            .chain(found.iter().map(own))
            .fold(f64::INFINITY, f64::min);
        let top = lowest + window.energy_window;
        found.retain(|c| own(c) <= top);
        for &c in minima {
            if own(c) <= top
                && found
                    .iter()
                    .all(|f| rmsd.rmsd(&f.coords, &c.coords) > window.rmsd)
            {
                found.push(c.clone());
                self.stage = Stage::Rounds;
            }
        }
    }
}

/// The output of minima mode from all minima found: with their mirror
/// images when the molecule has no stereocentres, within the energy
/// window, pruned by RMSD from the lowest, at most `window.count`: when
/// more remain, the lowest and those that best represent the rest.
///
/// A conformer's rank is the lower of its energies above the lowest in the
/// written and in the search force field: the window keeps what either
/// holds low, so that a search force field without electrostatics adds
/// the extended shapes a polar molecule's vacuum energy pushes out, and
/// loses none of its low minima.
pub fn finish(mol: &Molecule, mut conformers: Vec<Conformer>, window: &Window) -> Vec<Conformer> {
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
                    coords,
                    ..c.clone()
                }
            })
            .collect();
        conformers.extend(mirrors);
    }
    let lowest = lowest_energy(&conformers);
    let lowest_search = conformers
        .iter()
        .map(|c| c.search_energy)
        .fold(f64::INFINITY, f64::min);
    let rank = |c: &Conformer| (c.energy - lowest).min(c.search_energy - lowest_search);
    conformers.retain(|c| rank(c) <= window.energy_window);
    let coords: Vec<Vec<Point3<f64>>> = conformers.iter().map(|c| c.coords.clone()).collect();
    // Minima of the written force field are pruned first: a search
    // minimum within the threshold of one is the same conformer, less
    // relaxed.
    let order: Vec<f64> = conformers
        .iter()
        .map(|c| match c.minimum_of {
            Some(Field::Search) => SEARCH_MINIMA_AFTER + rank(c),
            _ => rank(c),
        })
        .collect();
    let rmsd = SymmetricRmsd::new(mol);
    let mut kept = prune(&rmsd, &coords, &order, window.rmsd);
    kept.sort_by(|&a, &b| rank(&conformers[a]).total_cmp(&rank(&conformers[b])));
    let radius = REPRESENTATIVE_RADIUS * window.rmsd;
    let mut kept: Vec<Conformer> = representatives(&rmsd, &coords, &kept, window.count, radius)
        .into_iter()
        .map(|k| conformers[k].clone())
        .collect();
    kept.sort_by(|a, b| a.energy.total_cmp(&b.energy));
    kept
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forcefield::mmff::{Dielectric, MmffOptions};
    use crate::torsion::{find_rotors, RotorOptions};
    use nalgebra::Vector3;

    /// A tertiary anilide with a stereocentre and five rotors.
    fn anilide() -> Molecule {
        crate::ensemble::fixture("anilide.sdf")
    }

    fn rms_gradient(system: &MmffSystem, coords: &[Point3<f64>]) -> f64 {
        let mut g = vec![Vector3::zeros(); coords.len()];
        system.energy_gradient(coords, &mut g);
        (g.iter().map(|v| v.norm_squared()).sum::<f64>() / g.len() as f64).sqrt()
    }

    fn energies(batch: &[Candidate]) -> Vec<f64> {
        batch.iter().map(|c| c.2).collect()
    }

    /// Past the first round (the window and the margin), candidates are
    /// minimised in rounds, whatever their torsion energies, while each
    /// round finds a new minimum within the window; a first round that
    /// spends the budget ends the search.
    #[test]
    fn minimisation_goes_on_while_rounds_find_minima() {
        let mol = anilide();
        let system = MmffSystem::new(&mol, &MmffOptions::default()).unwrap();
        let space = TorsionSpace::new(&mol, &system, find_rotors(&mol, RotorOptions::default()));
        let rmsd = SymmetricRmsd::new(&mol);
        let window = Window {
            energy_window: 10.0,
            rmsd: 0.5,
            count: 100,
        };
        let torsion_energies = [0.0, 3.0, 40.0, 41.0, 42.0, 43.0];
        let candidates: Vec<Candidate> = torsion_energies
            .iter()
            .enumerate()
            .map(|(i, &e)| {
                let mut tau = space.reference_torsions().to_vec();
                // Turns about two rotors that move much of the molecule:
                // the geometries are distinct (checked below).
                tau[1] += 2.0 * (i % 3) as f64;
                tau[2] += 2.0 * (i / 3) as f64;
                (&space, tau, e, Field::Written)
            })
            .collect();
        for (i, a) in candidates.iter().enumerate() {
            for b in &candidates[..i] {
                assert!(rmsd.rmsd(&space.coords(&a.1), &space.coords(&b.1)) > window.rmsd);
            }
        }
        let minima = |batch: &[Candidate], energies: &[f64]| -> Vec<Conformer> {
            batch
                .iter()
                .zip(energies)
                .map(|(c, &energy)| Conformer {
                    coords: space.coords(&c.1),
                    energy,
                    search_energy: energy,
                    minimum_of: Some(Field::Written),
                    weight: 0.0,
                })
                .collect()
        };
        let record = |queue: &mut Queue, found: &[Conformer]| {
            queue.record(&found.iter().collect::<Vec<_>>(), &window, &rmsd);
        };

        // A budget of 16: rounds of 2.
        let mut queue = Queue::new(candidates.clone(), 16);
        let mut taken = Vec::new();
        let first = queue.next_batch(&window, (&rmsd, &mut taken));
        assert_eq!(energies(&first), [0.0, 3.0]);
        record(&mut queue, &minima(&first, &[0.0, 3.0]));
        let second = queue.next_batch(&window, (&rmsd, &mut taken));
        assert_eq!(energies(&second), [40.0, 41.0]);
        // One of them relaxes into the window: one more round.
        record(&mut queue, &minima(&second, &[5.0, 30.0]));
        let third = queue.next_batch(&window, (&rmsd, &mut taken));
        assert_eq!(energies(&third), [42.0, 43.0]);
        record(&mut queue, &minima(&third, &[50.0, 55.0]));
        assert!(queue.next_batch(&window, (&rmsd, &mut taken)).is_empty());

        // A budget of 2, spent by the first round.
        let mut queue = Queue::new(candidates, 2);
        let mut taken = Vec::new();
        let first = queue.next_batch(&window, (&rmsd, &mut taken));
        record(&mut queue, &minima(&first, &[0.0, 3.0]));
        assert!(queue.next_batch(&window, (&rmsd, &mut taken)).is_empty());
    }

    /// Turns of two rotors at a time from one minimum of the anilide reach
    /// other minima of the written force field, lower ones too, with its
    /// stereochemistry, the same ones again from the same seed.
    #[test]
    fn kicks_from_a_minimum_reach_its_neighbours() {
        let mol = anilide();
        let written = MmffSystem::new(&mol, &MmffOptions::default()).unwrap();
        let fields = ForceFields {
            search: &written,
            written: &written,
        };
        let rotors = find_rotors(&mol, RotorOptions::default());
        let start = embedded(&mol, fields, 1, 11, || false).unwrap().conformers;
        let hops = hopped(&mol, fields, &start, &rotors, 24, 0.5, 5, || false).unwrap();
        assert_eq!(hops.minimizations, 24);
        let rmsd = SymmetricRmsd::new(&mol);
        let stereo = Stereo::perceive(&mol);
        let mut distinct: Vec<&Conformer> = vec![&start[0]];
        for c in &hops.conformers {
            let rms = rms_gradient(&written, &c.coords);
            assert!(rms < 0.1, "RMS gradient {rms}");
            assert!(stereo
                .differences(&Stereo::perceive_at(&mol, &c.coords))
                .is_empty());
            if distinct
                .iter()
                .all(|d| rmsd.rmsd(&d.coords, &c.coords) > 0.5)
            {
                distinct.push(c);
            }
        }
        // Five new minima, the lowest 2.4 kcal/mol below the start.
        assert!(distinct.len() >= 5, "{} distinct", distinct.len());
        assert!(lowest_energy(&hops.conformers) < start[0].energy - 2.0);
        let again = hopped(&mol, fields, &start, &rotors, 24, 0.5, 5, || false).unwrap();
        assert!(hops
            .conformers
            .iter()
            .zip(&again.conformers)
            .all(|(a, b)| a.coords == b.coords));
    }

    /// Embedded minima are minima of the force field they are labelled
    /// with (not of the other), keep the input's stereochemistry, differ
    /// from one another, and depend on the seed alone.
    #[test]
    fn embedded_minima_are_minima_of_their_field() {
        let mol = anilide();
        let written = MmffSystem::new(&mol, &MmffOptions::default()).unwrap();
        let damped = MmffOptions {
            dielectric: Dielectric::Distance,
            dielectric_constant: 4.0,
            ..MmffOptions::default()
        };
        let search_field = MmffSystem::new(&mol, &damped).unwrap();
        let fields = ForceFields {
            search: &search_field,
            written: &written,
        };
        let found = embedded(&mol, fields, 6, 11, || false).unwrap();
        assert_eq!(found.minimizations, 12);
        assert_eq!(found.conformers.len(), 12);
        let stereo = Stereo::perceive(&mol);
        for c in &found.conformers {
            let (own, other) = match c.minimum_of {
                Some(Field::Written) => (&written, &search_field),
                _ => (&search_field, &written),
            };
            // Rounded to 1e-4 Å, a minimum keeps an RMS gradient of about
            // 0.05 kcal/mol/Å; the other field's is tens of times larger.
            assert!(rms_gradient(own, &c.coords) < 0.1);
            assert!(rms_gradient(other, &c.coords) > 0.5);
            assert!((c.energy - written.energy(&c.coords).total()).abs() < 1e-9);
            assert!((c.search_energy - search_field.energy(&c.coords).total()).abs() < 1e-9);
            assert!(stereo
                .differences(&Stereo::perceive_at(&mol, &c.coords))
                .is_empty());
        }
        let rmsd = SymmetricRmsd::new(&mol);
        let writtens: Vec<&Conformer> = found
            .conformers
            .iter()
            .filter(|c| c.minimum_of == Some(Field::Written))
            .collect();
        assert_eq!(writtens.len(), 6);
        assert!(writtens[1..]
            .iter()
            .any(|c| rmsd.rmsd(&c.coords, &writtens[0].coords) > 1.0));
        let again = embedded(&mol, fields, 6, 11, || false).unwrap();
        assert!(found
            .conformers
            .iter()
            .zip(&again.conformers)
            .all(|(a, b)| a.coords == b.coords));
        // One force field: its minima alone.
        let one = ForceFields {
            search: &written,
            written: &written,
        };
        assert_eq!(
            embedded(&mol, one, 6, 11, || false)
                .unwrap()
                .conformers
                .len(),
            6
        );
    }
}
