//! What the sampler learns to draw from: a log-density log R on the torus
//! T^m, evaluated in batches, with its gradient.

use crate::torsion::{BatchWorkspace, TorsionSpace};

/// Boltzmann constant in kcal/(mol·K).
pub const BOLTZMANN_KCAL: f64 = 0.001_987_204_1;

/// An unnormalised log-density on [−π, π)^m.
///
/// Points are passed one after another, m angles each. Implementations
/// decide how to parallelise a batch; results must not depend on how.
pub trait Target {
    fn dim(&self) -> usize;

    /// log R of every point in `points` into `out` (one value per point).
    fn log_reward(&mut self, points: &[f64], out: &mut [f64]);

    /// log R and ∇ log R (m values per point).
    fn log_reward_grad(&mut self, points: &[f64], out: &mut [f64], grad: &mut [f64]);

    /// A point known to be reasonable (the input conformation), where
    /// searches may start.
    fn start(&self) -> Option<Vec<f64>> {
        None
    }

    /// `count` independent draws from the normalised target itself, where
    /// the target knows how (synthetic targets): the data of the oracle
    /// ablation, which shows what the Learner reaches with perfect data.
    fn exact_samples(&self, _count: usize, _seed: u64) -> Option<Vec<f64>> {
        None
    }

    /// For each angle, the angles it interacts with most directly, closest
    /// first (a molecule's rotors one bond apart, a chain's neighbours);
    /// empty where nothing is known. Each angle's own small policy MLP sees
    /// these angles too.
    fn neighbours(&self) -> Vec<Vec<usize>> {
        Vec::new()
    }

    /// Whether distant angles are coupled strongly through the ones
    /// between, as along a chain of coupled rotors: each angle's small
    /// policy MLP then also sees a few features learned from all angles.
    fn long_range(&self) -> bool {
        false
    }
}

/// Counts the points at which a target is evaluated (value or gradient:
/// both cost one energy evaluation).
pub(crate) struct Counted<'a> {
    target: &'a mut dyn Target,
    pub evaluations: u64,
}

impl<'a> Counted<'a> {
    pub fn new(target: &'a mut dyn Target) -> Self {
        Counted {
            target,
            evaluations: 0,
        }
    }

    pub fn dim(&self) -> usize {
        self.target.dim()
    }

    pub fn start(&self) -> Option<Vec<f64>> {
        self.target.start()
    }

    pub fn neighbours(&self) -> Vec<Vec<usize>> {
        self.target.neighbours()
    }

    pub fn long_range(&self) -> bool {
        self.target.long_range()
    }

    pub fn log_reward(&mut self, points: &[f64]) -> Vec<f64> {
        let mut out = vec![0.0; points.len() / self.dim().max(1)];
        self.evaluations += out.len() as u64;
        self.target.log_reward(points, &mut out);
        out
    }

    pub fn log_reward_grad(&mut self, points: &[f64]) -> (Vec<f64>, Vec<f64>) {
        let mut out = vec![0.0; points.len() / self.dim().max(1)];
        let mut grad = vec![0.0; points.len()];
        self.evaluations += out.len() as u64;
        self.target.log_reward_grad(points, &mut out, &mut grad);
        (out, grad)
    }
}

/// The Boltzmann distribution of a molecule over its torsions:
/// log R(τ) = −(E(τ) − E_ref)/kT with E_ref the input's energy.
pub struct MolecularTarget<'a> {
    space: &'a TorsionSpace,
    reference_energy: f64,
    kt: f64,
    work: BatchWorkspace,
}

impl<'a> MolecularTarget<'a> {
    /// `temperature` in kelvin; batches are split into `threads` parts.
    pub fn new(space: &'a TorsionSpace, temperature: f64, threads: usize) -> Self {
        let reference_energy = space.energy(space.reference_torsions(), &mut space.workspace());
        MolecularTarget {
            space,
            reference_energy,
            kt: BOLTZMANN_KCAL * temperature,
            work: space.batch_workspace(threads),
        }
    }

    /// E_ref: the energy of the input geometry (kcal/mol).
    pub fn reference_energy(&self) -> f64 {
        self.reference_energy
    }

    pub fn kt(&self) -> f64 {
        self.kt
    }
}

impl Target for MolecularTarget<'_> {
    fn dim(&self) -> usize {
        self.space.dim()
    }

    fn log_reward(&mut self, points: &[f64], out: &mut [f64]) {
        self.space.energy_batch(points, out, &mut self.work);
        for e in out.iter_mut() {
            *e = -(*e - self.reference_energy) / self.kt;
        }
    }

    fn log_reward_grad(&mut self, points: &[f64], out: &mut [f64], grad: &mut [f64]) {
        self.space
            .energy_gradient_batch(points, out, grad, &mut self.work);
        for e in out.iter_mut() {
            *e = -(*e - self.reference_energy) / self.kt;
        }
        for g in grad.iter_mut() {
            *g = -*g / self.kt;
        }
    }

    fn start(&self) -> Option<Vec<f64>> {
        Some(self.space.reference_torsions().to_vec())
    }

    fn neighbours(&self) -> Vec<Vec<usize>> {
        self.space.neighbours().to_vec()
    }
}
