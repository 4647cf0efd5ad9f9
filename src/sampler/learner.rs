//! The Learner: a diffusion policy on T^m trained with trajectory balance
//! on its own (on-policy) and buffered (off-policy) trajectories, and its
//! importance-weighted inference.
//!
//! Trajectory states are sampled without a graph and treated as constants;
//! the loss depends on the network only through its outputs (drift and
//! variance logit) inside log P_F. The derivative of the loss with respect
//! to every output is computed here in f64 (wrapped-normal kernels), and the
//! network receives it through the surrogate Σ o·∂L/∂o, which has the same
//! parameter gradient as the loss and needs one forward and one backward
//! pass.
//!
//! On-policy batches weight the gradient of each step by the terms of the
//! log-ratio from that step on, less a learned baseline of the state the
//! step starts from (a critic). Earlier terms do not depend on the step's
//! outcome and the baseline depends only on its start, so the expected
//! gradient is that of trajectory balance while its variance is much lower.

use super::buffer::ReplayBuffer;
use super::network::{
    matrix, policy_inputs, push_harmonics, time_features, values, Mlp, PerAngleInputs, Policy,
    Scalar,
};
use super::target::Counted;
use super::torus::{self, Schedule, LOG_UNIFORM};
use burn::module::AutodiffModule;
use burn::optim::adaptor::OptimizerAdaptor;
use burn::optim::{Adam, AdamConfig, GradientsParams, Optimizer};
use burn::tensor::backend::AutodiffBackend;
use burn::tensor::Tensor;

/// Rows per network pass when the loss is built (bounded so one pass never
/// gets huge; burn on CPU slows down for very large batches).
const CHUNK_ROWS: usize = 4096;

/// |δ| beyond which the trajectory-balance loss grows linearly (nats).
const HUBER: f64 = 10.0;

/// Width of the critic's two hidden layers and its (constant) Adam rate.
const CRITIC_HIDDEN: usize = 64;
const CRITIC_RATE: f64 = 1e-3;

/// σ·∇log R as the policy sees it, clipped: near steric clashes the
/// gradient is enormous and would throw a step across the torus.
fn langevin_input(sigma: f64, g: f64) -> f32 {
    (sigma * g).clamp(-LANGEVIN_CLIP, LANGEVIN_CLIP) as f32
}

const LANGEVIN_CLIP: f64 = 10.0;

/// Lower end of the variance exponent f (see [`Step`]); the upper end is
/// one. Between separated modes the reverse step is wider than the noising
/// one, which f < 0 allows; going lower than −1/2 gains nothing
/// (docs/method.md, "Learned step variance").
const LOWEST_EXPONENT: f64 = -0.5;

/// One generative step from t to t' of one angle, given the network's
/// drift output s and variance logit u:
/// P_F(y | x) = WN(y; x + g·s, v·ρ^f(u)).
///
/// Mean: g = v/σ(t), so the network predicts the score in units of 1/σ;
/// its output stays of order one while σ shrinks a hundredfold and every
/// step moves x by a fraction of the current noise level.
///
/// Variance: ρ = σ(t')²/σ(t)² and f(u) ∈ (−1/2, 1). For a Gaussian target
/// of width w the exact reverse of a noising step of variance v has
/// variance v·(w² + σ(t')²)/(w² + σ(t)²): v where the target is flat on
/// the scale of the noise, ρ·v where it is sharp. A fixed v is right only
/// for fine steps; on the coarse grids of training it leaves every
/// trajectory with a log-ratio error no drift can remove, and trajectory
/// balance learns from that noise. Learning f fits better than a fixed v
/// (docs/method.md, "Learned step variance").
#[derive(Clone, Copy, Debug)]
struct Step {
    gain: f64,
    v: f64,
    log_rho: f64,
}

impl Step {
    fn new(schedule: &Schedule, t: f64, t_next: f64, v: f64) -> Step {
        let (sigma, sigma_next) = (schedule.sigma(t), schedule.sigma(t_next));
        Step {
            gain: v / sigma,
            v,
            log_rho: 2.0 * (sigma_next / sigma).ln(),
        }
    }

    /// The variance exponent f(u) and df/du.
    fn exponent(u: f32) -> (f64, f64) {
        let e = 1.0 / (1.0 + (-f64::from(u)).exp());
        let span = 1.0 - LOWEST_EXPONENT;
        (LOWEST_EXPONENT + span * e, span * e * (1.0 - e))
    }

    /// Mean and variance of P_F(· | x), and ∂ log variance/∂u.
    fn kernel(&self, x: f64, s: f32, u: f32) -> (f64, f64, f64) {
        let (f, df) = Self::exponent(u);
        let mean = x + self.gain * f64::from(s);
        (mean, self.v * (f * self.log_rho).exp(), self.log_rho * df)
    }

    /// log P_F(y | x) and its derivatives with respect to s and u.
    fn log_pf(&self, x: f64, y: f64, s: f32, u: f32) -> (f64, f64, f64) {
        let (mean, var, d_log_var) = self.kernel(x, s, u);
        let (lp, d_mean, d_log_v) = torus::log_wn(y - mean, var);
        (lp, self.gain * d_mean, d_log_v * d_log_var)
    }
}

/// Cost to go of every (step n, trajectory b), step-major like the
/// per-step log-probabilities: Σ_{k≥n} (log P_F − log P_B)_k − log R(x_N).
fn costs_to_go(step_log_pf: &[f64], step_log_pb: &[f64], log_r: &[f64]) -> Vec<f64> {
    let batch = log_r.len();
    let mut cost = vec![0.0; step_log_pf.len()];
    let mut running: Vec<f64> = log_r.iter().map(|r| -r).collect();
    for n in (0..step_log_pf.len() / batch.max(1)).rev() {
        for (b, acc) in running.iter_mut().enumerate() {
            let k = n * batch + b;
            *acc += step_log_pf[k] - step_log_pb[k];
            cost[k] = *acc;
        }
    }
    cost
}

/// Centre of one step's costs to go: their mean after clamping each to
/// within HUBER of the median. A trajectory ending in a steric clash costs
/// 10⁴ nats; the plain mean would shift every other cost in the batch past
/// the clip and erase their differences.
fn robust_centre(costs: &[f64]) -> f64 {
    let mut sorted = costs.to_vec();
    sorted.sort_by(f64::total_cmp);
    let median = sorted[sorted.len() / 2];
    let clamped = costs
        .iter()
        .map(|c| c.clamp(median - HUBER, median + HUBER));
    clamped.sum::<f64>() / costs.len() as f64
}

/// Which objective a batch of trajectories trains.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Objective {
    /// Trajectory balance with the learned log Z.
    TrajectoryBalance,
    /// Trajectory balance with log Z replaced by the batch mean.
    VarGrad,
}

#[derive(Clone, Debug)]
pub(crate) struct LearnerConfig {
    pub hidden: usize,
    pub layers: usize,
    pub batch: usize,
    pub train_steps: usize,
    pub learning_rate: f64,
    pub log_z_learning_rate: f64,
    pub objective: Objective,
    /// Per-angle MLPs and what they see; `None`: the dense MLP alone.
    pub per_angle: Option<PerAngleInputs>,
    pub langevin: bool,
    pub schedule: Schedule,
}

/// A batch of trajectories x_0 … x_N with everything the loss needs
/// besides the drift.
struct Trajectories {
    grid: Vec<f64>,
    variances: Vec<f64>,
    /// Step-major: state n of trajectory b at `(n·B + b)·m`.
    states: Vec<f64>,
    batch: usize,
    /// Σ_n log P_B per trajectory.
    log_pb: Vec<f64>,
    log_r: Vec<f64>,
    /// log P_B of each (step, trajectory), step-major: kept for on-policy
    /// batches (drawn by the policy being trained), whose steps are
    /// weighted separately.
    step_log_pb: Option<Vec<f64>>,
    /// ∇ log R at states 0..N (Langevin parametrisation only).
    grads: Option<Vec<f64>>,
}

/// Points with their log R and importance log-weights: a trained
/// sampler's draws, or the end points of an on-policy batch.
pub(crate) struct Draws {
    pub points: Vec<f64>,
    pub log_w: Vec<f64>,
    pub log_r: Vec<f64>,
}

type Optim<M, B> = OptimizerAdaptor<Adam, M, B>;

pub(crate) struct Learner<B: AutodiffBackend> {
    dim: usize,
    config: LearnerConfig,
    device: B::Device,
    policy: Policy<B>,
    optim: Optim<Policy<B>, B>,
    log_z: Scalar<B>,
    log_z_optim: Optim<Scalar<B>, B>,
    log_z_set: bool,
    /// Baseline of the on-policy cost to go at (x_n, t_n); like log Z it
    /// is kept when the policy is re-initialised.
    critic: Mlp<B>,
    critic_optim: Optim<Mlp<B>, B>,
}

fn adam<B: AutodiffBackend, M: AutodiffModule<B>>() -> Optim<M, B> {
    // burn's default ε is 1e-5; the usual 1e-8 matters for small gradients.
    AdamConfig::new().with_epsilon(1e-8).init()
}

impl<B: AutodiffBackend> Learner<B> {
    pub fn new(dim: usize, config: LearnerConfig, rng: &mut super::Rng, device: B::Device) -> Self {
        let policy = Policy::new(
            dim,
            config.hidden,
            config.layers,
            config.per_angle.as_ref(),
            config.langevin,
            rng,
            &device,
        );
        let critic = Mlp::new(
            &[policy_inputs(dim), CRITIC_HIDDEN, CRITIC_HIDDEN, 1],
            true,
            rng,
            &device,
        );
        Learner {
            dim,
            log_z: Scalar::new(0.0, &device),
            critic,
            critic_optim: adam(),
            config,
            device,
            policy,
            optim: adam(),
            log_z_optim: adam(),
            log_z_set: false,
        }
    }

    /// A fresh policy network and optimiser; log Z is kept.
    pub fn reinitialise(&mut self, rng: &mut super::Rng) {
        let c = &self.config;
        self.policy = Policy::new(
            self.dim,
            c.hidden,
            c.layers,
            c.per_angle.as_ref(),
            c.langevin,
            rng,
            &self.device,
        );
        self.optim = adam();
    }

    /// The policy network as it is now, to go back to with
    /// [`Learner::restore_policy`].
    pub fn policy(&self) -> Policy<B> {
        self.policy.clone()
    }

    pub fn restore_policy(&mut self, policy: Policy<B>) {
        self.policy = policy;
    }

    pub fn set_learning_rate(&mut self, lr: f64) {
        self.config.learning_rate = lr;
    }

    pub fn log_z(&self) -> f64 {
        self.log_z.get()
    }

    /// The kernel of generative step n of `grid` (variance v of the
    /// noising step).
    fn step(&self, grid: &[f64], n: usize, v: f64) -> Step {
        Step::new(&self.config.schedule, grid[n], grid[n + 1], v)
    }

    /// Policy outputs (per point: m drifts, then m variance logits) at
    /// `points` (B·m) and time t.
    fn outputs(
        &self,
        policy: &Policy<B::InnerBackend>,
        points: &[f64],
        t: f64,
        grad: Option<&[f64]>,
    ) -> Vec<f32> {
        let m = self.dim;
        let rows = points.len() / m;
        let mut input = Vec::with_capacity(rows * policy_inputs(m));
        let time = time_features(t);
        for x in points.chunks(m) {
            push_harmonics(x, &mut input);
            input.extend_from_slice(&time);
        }
        let input = policy.input(input, m, &self.device);
        let sigma = self.config.schedule.sigma(t);
        let grad = grad.map(|g| {
            matrix(
                g.iter().map(|&v| langevin_input(sigma, v)).collect(),
                m,
                &self.device,
            )
        });
        values(policy.forward(&input, grad))
    }

    /// Runs the generative process from the uniform prior on `grid`:
    /// states, Σ log P_F, Σ log P_B and (Langevin) the gradients used.
    fn simulate_forward(
        &self,
        grid: &[f64],
        batch: usize,
        target: &mut Counted,
        rng: &mut super::Rng,
    ) -> (Trajectories, Vec<f64>) {
        let m = self.dim;
        let variances = self.config.schedule.variances(grid);
        let policy = self.policy.valid();
        let mut states: Vec<f64> = (0..batch * m).map(|_| torus::uniform_angle(rng)).collect();
        let mut grads = policy.uses_gradient().then(Vec::new);
        let mut log_pf = vec![0.0; batch];
        let mut log_pb = vec![0.0; batch];
        let mut step_log_pb = vec![0.0; variances.len() * batch];
        for (n, &v) in variances.iter().enumerate() {
            let x = states[n * batch * m..(n + 1) * batch * m].to_vec();
            let g = grads.as_mut().map(|all: &mut Vec<f64>| {
                let (_, g) = target.log_reward_grad(&x);
                all.extend_from_slice(&g);
                g
            });
            let out = self.outputs(&policy, &x, grid[n], g.as_deref());
            let step = self.step(grid, n, v);
            for (i, &xi) in x.iter().enumerate() {
                let (b, d) = (i / m, i % m);
                let row = &out[2 * m * b..2 * m * (b + 1)];
                let (mean, v_f, _) = step.kernel(xi, row[d], row[m + d]);
                let noise = v_f.sqrt() * torus::normal(rng);
                let y = torus::wrap(mean + noise);
                log_pf[b] += torus::log_wn(noise, v_f).0;
                let lp = torus::log_wn(xi - y, v).0;
                log_pb[b] += lp;
                step_log_pb[n * batch + b] += lp;
                states.push(y);
            }
        }
        let last = &states[grid.len().saturating_sub(1) * batch * m..];
        let log_r = target.log_reward(last);
        (
            Trajectories {
                grid: grid.to_vec(),
                variances,
                states,
                batch,
                log_pb,
                log_r,
                step_log_pb: Some(step_log_pb),
                grads,
            },
            log_pf,
        )
    }

    /// Runs the fixed noising process backwards from buffered end points.
    fn simulate_backward(
        &self,
        grid: &[f64],
        end: &[f64],
        log_r: Vec<f64>,
        target: &mut Counted,
        rng: &mut super::Rng,
    ) -> Trajectories {
        let m = self.dim;
        let batch = log_r.len();
        let variances = self.config.schedule.variances(grid);
        let steps = variances.len();
        let mut states = vec![0.0; (steps + 1) * batch * m];
        states[steps * batch * m..].copy_from_slice(end);
        let mut log_pb = vec![0.0; batch];
        for n in (0..steps).rev() {
            let v = variances[n];
            let sd = v.sqrt();
            let (lower, upper) = states.split_at_mut((n + 1) * batch * m);
            let next = &upper[..batch * m];
            let here = &mut lower[n * batch * m..];
            for (i, (x, &y)) in here.iter_mut().zip(next).enumerate() {
                let noise = sd * torus::normal(rng);
                *x = torus::wrap(y + noise);
                log_pb[i / m] += torus::log_wn(noise, v).0;
            }
        }
        let grads = self.policy.uses_gradient().then(|| {
            let (_, g) = target.log_reward_grad(&states[..steps * batch * m]);
            g
        });
        Trajectories {
            grid: grid.to_vec(),
            variances,
            states,
            batch,
            log_pb,
            log_r,
            step_log_pb: None,
            grads,
        }
    }

    /// One on-policy training batch; returns its end points, their
    /// log R and their log-weights under the policy before the update.
    pub fn on_policy_step(&mut self, target: &mut Counted, rng: &mut super::Rng) -> Draws {
        let grid = torus::random_grid(self.config.train_steps, rng);
        let (traj, _) = self.simulate_forward(&grid, self.config.batch, target, rng);
        let log_w = self.update(&traj, self.config.objective);
        let m = self.dim;
        Draws {
            points: traj.states[self.config.train_steps * traj.batch * m..].to_vec(),
            log_r: traj.log_r,
            log_w,
        }
    }

    /// One off-policy batch from the buffer; returns its end points.
    pub fn off_policy_step(
        &mut self,
        buffer: &mut ReplayBuffer,
        target: &mut Counted,
        rng: &mut super::Rng,
    ) -> Vec<f64> {
        let grid = torus::random_grid(self.config.train_steps, rng);
        let (end, log_r) = buffer.sample(self.config.batch, rng);
        self.balance(&grid, &end, log_r, target, rng);
        end
    }

    /// One trajectory-balance batch on backward trajectories from `end`
    /// (whose log R is `log_r`); returns their log-weights under the
    /// policy before the update.
    pub fn balance_step(
        &mut self,
        end: &[f64],
        log_r: Vec<f64>,
        target: &mut Counted,
        rng: &mut super::Rng,
    ) -> Vec<f64> {
        let grid = torus::random_grid(self.config.train_steps, rng);
        self.balance(&grid, end, log_r, target, rng)
    }

    fn balance(
        &mut self,
        grid: &[f64],
        end: &[f64],
        log_r: Vec<f64>,
        target: &mut Counted,
        rng: &mut super::Rng,
    ) -> Vec<f64> {
        let traj = self.simulate_backward(grid, end, log_r, target, rng);
        self.update(&traj, self.config.objective)
    }

    /// One maximum-likelihood step on backward trajectories from `end`
    /// (batch·m angles; no energy calls unless Langevin).
    pub fn likelihood_step(&mut self, end: Vec<f64>, target: &mut Counted, rng: &mut super::Rng) {
        let grid = torus::random_grid(self.config.train_steps, rng);
        let log_r = vec![0.0; end.len() / self.dim];
        let traj = self.simulate_backward(&grid, &end, log_r, target, rng);
        self.update_with(&traj, |_| None);
    }

    /// One update; returns the batch's log-weights (before the update).
    fn update(&mut self, traj: &Trajectories, objective: Objective) -> Vec<f64> {
        let log_p0 = self.dim as f64 * LOG_UNIFORM;
        let batch = traj.batch as f64;
        let set = self.log_z_set;
        let current = self.log_z();
        let mut weights = Vec::new();
        let mut new_log_z = None;
        self.update_with(traj, |log_pf| {
            // −(δ_b without log Z) = log R + Σ log P_B − log p0 − Σ log P_F:
            // the log importance weight of each trajectory.
            let log_w: Vec<f64> = (0..traj.batch)
                .map(|b| traj.log_r[b] + traj.log_pb[b] - log_p0 - log_pf[b])
                .collect();
            let log_z = match objective {
                Objective::VarGrad => log_w.iter().sum::<f64>() / batch,
                // The first batch sets log Z to its importance-sampling
                // estimate (robust to trajectories that end in steric
                // clashes, unlike their mean); it is learned from there on.
                Objective::TrajectoryBalance if !set => {
                    let estimate = torus::log_mean_exp(&log_w);
                    new_log_z = Some(estimate);
                    estimate
                }
                Objective::TrajectoryBalance => current,
            };
            let delta: Vec<f64> = log_w.iter().map(|w| log_z - w).collect();
            weights = log_w;
            // Huber loss: quadratic near zero, linear past HUBER, so a few
            // trajectories with enormous energies cannot swamp a batch.
            let scale: Vec<f64> = delta
                .iter()
                .map(|d| 2.0 * d.clamp(-HUBER, HUBER) / batch)
                .collect();
            let d_log_z = match objective {
                Objective::TrajectoryBalance if set => Some(scale.iter().sum()),
                _ => None,
            };
            Some((scale, d_log_z))
        });
        if let Some(v) = new_log_z {
            self.log_z = Scalar::new(v, &self.device);
            self.log_z_optim = adam();
            self.log_z_set = true;
        }
        weights
    }

    /// Evaluates the policy (drift and variance logit) with gradient on
    /// every (state, step) of `traj`, computes log P_F per step and
    /// trajectory and its derivatives with respect to both outputs, asks
    /// `weights` for ∂L/∂(Σ log P_F) per trajectory and ∂L/∂log Z (None:
    /// maximise the likelihood Σ log P_F), and takes one optimiser step.
    /// On-policy batches take per-step weights from the critic instead of
    /// `weights`' per-trajectory ones (log Z still learns from the latter).
    fn update_with(
        &mut self,
        traj: &Trajectories,
        weights: impl FnOnce(&[f64]) -> Option<(Vec<f64>, Option<f64>)>,
    ) {
        let m = self.dim;
        let batch = traj.batch;
        let steps = traj.variances.len();
        let per_step = batch * m;
        let steps_per_chunk = (CHUNK_ROWS / batch).max(1);
        let mut outputs: Vec<Tensor<B, 2>> = Vec::new();
        let mut log_pf = vec![0.0; batch];
        // log P_F of each (step, trajectory), step-major.
        let mut step_log_pf = vec![0.0; steps * batch];
        let mut inputs = Vec::new();
        // ∂ log P_F / ∂(network output), a row of 2m per (step, trajectory),
        // step-major like the states.
        let width = 2 * m;
        let mut d_log_pf = vec![0.0; steps * batch * width];
        for first in (0..steps).step_by(steps_per_chunk) {
            let last = (first + steps_per_chunk).min(steps);
            let mut input = Vec::with_capacity((last - first) * batch * policy_inputs(m));
            for n in first..last {
                let time = time_features(traj.grid[n]);
                for x in traj.states[n * per_step..(n + 1) * per_step].chunks(m) {
                    push_harmonics(x, &mut input);
                    input.extend_from_slice(&time);
                }
            }
            let input = self.policy.input(input, m, &self.device);
            if traj.step_log_pb.is_some() {
                inputs.push(input.dense.clone());
            }
            let grad = traj.grads.as_ref().map(|g| {
                let g: Vec<f32> = (first * per_step..last * per_step)
                    .map(|k| {
                        langevin_input(self.config.schedule.sigma(traj.grid[k / per_step]), g[k])
                    })
                    .collect();
                matrix::<B>(g, m, &self.device)
            });
            let s = self.policy.forward(&input, grad);
            let s_values = values(s.clone());
            outputs.push(s);
            for n in first..last {
                let v = traj.variances[n];
                let step = self.step(&traj.grid, n, v);
                let here = &traj.states[n * per_step..(n + 1) * per_step];
                let next = &traj.states[(n + 1) * per_step..(n + 2) * per_step];
                let out = &s_values[(n - first) * batch * width..(n - first + 1) * batch * width];
                for i in 0..per_step {
                    let (b, d) = (i / m, i % m);
                    let row = &out[width * b..width * (b + 1)];
                    let (lp, d_s, d_u) = step.log_pf(here[i], next[i], row[d], row[m + d]);
                    log_pf[b] += lp;
                    step_log_pf[n * batch + b] += lp;
                    let k = (n * batch + b) * width;
                    d_log_pf[k + d] = d_s;
                    d_log_pf[k + m + d] = d_u;
                }
            }
        }
        // ∂L/∂log P_F of each (step, trajectory).
        let (scale, d_log_z) = match weights(&log_pf) {
            Some((scale, d_log_z)) => match &traj.step_log_pb {
                Some(step_log_pb) => (
                    self.critic_weights(&step_log_pf, step_log_pb, &traj.log_r, inputs),
                    d_log_z,
                ),
                None => (scale.repeat(steps), d_log_z),
            },
            // Maximum likelihood: L = −mean Σ log P_F.
            None => (vec![-1.0 / batch as f64; steps * batch], None),
        };
        let mut surrogate: Option<Tensor<B, 1>> = None;
        for (c, s) in outputs.into_iter().enumerate() {
            let first = c * steps_per_chunk;
            let last = (first + steps_per_chunk).min(steps);
            let g: Vec<f32> = (first * batch * width..last * batch * width)
                .map(|k| (scale[k / width] * d_log_pf[k]) as f32)
                .collect();
            let term = (s * matrix::<B>(g, width, &self.device)).sum();
            surrogate = Some(match surrogate {
                Some(acc) => acc + term,
                None => term,
            });
        }
        let Some(mut surrogate) = surrogate else {
            return;
        };
        if let Some(dz) = d_log_z {
            surrogate = surrogate + self.log_z.tensor() * (dz as f32);
        }
        let mut grads = surrogate.backward();
        let policy_grads = GradientsParams::from_module(&mut grads, &self.policy);
        self.policy = self
            .optim
            .step(self.config.learning_rate, self.policy.clone(), policy_grads);
        if d_log_z.is_some() {
            let z_grads = GradientsParams::from_module(&mut grads, &self.log_z);
            self.log_z =
                self.log_z_optim
                    .step(self.config.log_z_learning_rate, self.log_z.clone(), z_grads);
        }
    }

    /// Per-step weights of an on-policy batch: 2/B times the cost to go
    /// from each step, centred on its batch's robust mean and less the
    /// critic's estimate of that deviation at the step's start
    /// (Huber-clipped like δ); one critic update towards the centred costs.
    fn critic_weights(
        &mut self,
        step_log_pf: &[f64],
        step_log_pb: &[f64],
        log_r: &[f64],
        inputs: Vec<Tensor<B, 2>>,
    ) -> Vec<f64> {
        let batch = log_r.len();
        let mut centred = costs_to_go(step_log_pf, step_log_pb, log_r);
        for step in centred.chunks_mut(batch) {
            let centre = robust_centre(step);
            step.iter_mut().for_each(|c| *c -= centre);
        }
        let predicted = Tensor::cat(
            inputs.into_iter().map(|i| self.critic.forward(i)).collect(),
            0,
        );
        let baseline = values(predicted.clone());
        let weights = centred
            .iter()
            .zip(&baseline)
            .map(|(c, v)| 2.0 * (c - f64::from(*v)).clamp(-HUBER, HUBER) / batch as f64)
            .collect();
        // Past ±HUBER a weight is clipped whatever the baseline, so larger
        // targets would only make the critic chase clashes.
        let goal: Vec<f32> = centred
            .iter()
            .map(|&c| c.clamp(-HUBER, HUBER) as f32)
            .collect();
        let loss = (predicted - matrix::<B>(goal, 1, &self.device))
            .powf_scalar(2.0)
            .mean();
        let mut grads = loss.backward();
        let grads = GradientsParams::from_module(&mut grads, &self.critic);
        self.critic = self
            .critic_optim
            .step(CRITIC_RATE, self.critic.clone(), grads);
        weights
    }

    /// `count` draws on a uniform grid of `steps` with their log-weights
    /// log w = log R + Σ log P_B − log p_0 − Σ log P_F.
    pub fn sample(
        &self,
        count: usize,
        steps: usize,
        target: &mut Counted,
        rng: &mut super::Rng,
    ) -> Draws {
        let grid = torus::uniform_grid(steps);
        let m = self.dim;
        let log_p0 = m as f64 * LOG_UNIFORM;
        let mut draws = Draws {
            points: Vec::with_capacity(count * m),
            log_w: Vec::with_capacity(count),
            log_r: Vec::with_capacity(count),
        };
        let chunk = 1024;
        let mut done = 0;
        while done < count {
            let batch = chunk.min(count - done);
            let (traj, log_pf) = self.simulate_forward(&grid, batch, target, rng);
            draws
                .points
                .extend_from_slice(&traj.states[steps * batch * m..]);
            for ((log_r, log_pb), log_pf) in traj.log_r.iter().zip(&traj.log_pb).zip(&log_pf) {
                draws.log_w.push(log_r + log_pb - log_p0 - log_pf);
                draws.log_r.push(*log_r);
            }
            done += batch;
        }
        draws
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_derivatives_match_finite_differences() {
        let schedule = Schedule::default();
        // A coarse early step (wrapped images matter) and a fine late one.
        for (t, t_next) in [(0.05, 0.2), (0.9, 0.93)] {
            let v = schedule.sigma(t).powi(2) - schedule.sigma(t_next).powi(2);
            let step = Step::new(&schedule, t, t_next, v);
            for (x, y, s, u) in [(0.3, 0.5, 0.7f32, -1.2f32), (3.0, -3.1, -0.4, 2.0)] {
                let (_, d_s, d_u) = step.log_pf(x, y, s, u);
                let h = 1e-3f32;
                let lp = |s: f32, u: f32| step.log_pf(x, y, s, u).0;
                let fd_s = (lp(s + h, u) - lp(s - h, u)) / (2.0 * f64::from(h));
                let fd_u = (lp(s, u + h) - lp(s, u - h)) / (2.0 * f64::from(h));
                assert!(
                    (fd_s - d_s).abs() < 1e-3 * (1.0 + d_s.abs()),
                    "t={t}: {fd_s} vs {d_s}"
                );
                assert!(
                    (fd_u - d_u).abs() < 1e-3 * (1.0 + d_u.abs()),
                    "t={t}: {fd_u} vs {d_u}"
                );
            }
            // The variance stays between ρ·v and v/√ρ whatever the logit.
            let rho = step.log_rho.exp();
            for u in [-50.0, 0.0, 50.0] {
                let var = step.kernel(0.0, 0.0, u).1;
                assert!(
                    var >= rho * v * 0.999 && var <= v / rho.sqrt() * 1.001,
                    "{var}"
                );
            }
        }
    }

    /// The cost to go from step n sums the remaining steps' log P_F −
    /// log P_B, less log R.
    #[test]
    fn costs_to_go_sum_the_remaining_steps() {
        let (steps, batch) = (4, 3);
        let step_log_pf: Vec<f64> = (0..steps * batch).map(|k| -0.1 * k as f64).collect();
        let step_log_pb: Vec<f64> = (0..steps * batch).map(|k| 0.3 * (k as f64).sin()).collect();
        let log_r = [-1.0, 0.5, 2.0];
        let cost = costs_to_go(&step_log_pf, &step_log_pb, &log_r);
        for n in 0..steps {
            for b in 0..batch {
                let expected: f64 = (n..steps)
                    .map(|k| step_log_pf[k * batch + b] - step_log_pb[k * batch + b])
                    .sum::<f64>()
                    - log_r[b];
                assert!((cost[n * batch + b] - expected).abs() < 1e-12);
            }
        }
    }

    /// A clash among eight ordinary trajectories counts as median + HUBER:
    /// the centre moves from 0.625 to 1.78, where the plain mean would
    /// move to 1112.
    #[test]
    fn robust_centre_ignores_a_clash() {
        let ordinary = [-2.0, -1.0, 0.0, 0.5, 1.0, 1.5, 2.0, 3.0];
        let mut costs = ordinary.to_vec();
        costs.push(1e4);
        let median = 1.0;
        let expected = (ordinary.iter().sum::<f64>() + median + HUBER) / 9.0;
        assert!((robust_centre(&costs) - expected).abs() < 1e-12);
        assert!((robust_centre(&ordinary) - 0.625).abs() < 1e-12);
    }
}
