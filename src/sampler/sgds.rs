//! Rounds of search and learning, the effort presets and the ablations.

use super::buffer::ReplayBuffer;
use super::learner::{Draws, Learner, LearnerConfig, Objective};
use super::network::PerAngleInputs;
use super::novelty::Novelty;
use super::searcher::{search, SearchConfig, SearchKind};
use super::target::{Counted, Target};
use super::torus::{self, Schedule};
use burn::tensor::backend::AutodiffBackend;
use rand::SeedableRng;
use serde::Serialize;
use std::time::Instant;

/// Training and search budget.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effort {
    /// About a quarter of default's training, no refinement: screening.
    Fast,
    /// Two training rounds, then refinement while the sampler's own checks
    /// improve: production runs.
    Default,
    /// About five times default's training (ten times its time): very
    /// flexible molecules whose coverage matters more than time.
    Thorough,
}

/// Which parts of the method run (for ablation studies). All variants
/// spend the same number of energy evaluations in training; only the full
/// method refines (see [`Settings::refinements`]), and `bench --compare`
/// turns that off so that it keeps to the same budget.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Ablation {
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
    /// No Learner chains: the last round trains on its own and buffered
    /// trajectories only.
    NoLearnerChains,
    /// No search and no trajectory balance: one Learner trained by maximum
    /// likelihood on exact draws from the target (synthetic targets only),
    /// as many updates as the full method makes. What the network and the
    /// discretisation reach with perfect data: the ceiling of the others.
    Oracle,
}

/// Where the networks run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Device {
    /// The CPU, on all worker threads.
    Cpu,
    /// An NVIDIA GPU through CUDA (builds with `--features cuda` only).
    Cuda,
}

#[derive(Debug, thiserror::Error)]
pub enum SamplerError {
    #[error(
        "this build has no CUDA support: rebuild with `cargo build --release --features cuda`"
    )]
    CudaNotBuilt,
    #[error("CUDA: no usable NVIDIA GPU or driver ({0})")]
    CudaUnavailable(String),
    #[error("time limit reached while training the sampler")]
    TimedOut,
    #[error(
        "the oracle ablation needs exact draws from the target, which only synthetic targets give"
    )]
    NoExactSamples,
}

/// Every setting of a run.
#[derive(Clone, Debug)]
pub struct Settings {
    pub rounds: usize,
    /// Learner iterations in each round but the last (on- and off-policy
    /// batches alternate). Those Learners are discarded at
    /// re-initialisation; they train the novelty network and log Z.
    pub explore_iterations: usize,
    /// Learner iterations in the last round, whose Learner is the sampler.
    pub iterations: usize,
    pub batch: usize,
    pub train_steps: usize,
    pub inference_steps: usize,
    pub hidden: usize,
    pub layers: usize,
    /// Peak learning rate of the policy in each round; it decays along half
    /// a cosine to 2 % of this by the round's end.
    pub learning_rate: f64,
    pub log_z_learning_rate: f64,
    pub objective: Objective,
    /// Add one small MLP per angle to the policy's dense one (see the
    /// network): better fits, most of all with many angles, at up to
    /// several times the time per step.
    pub per_angle: bool,
    pub langevin: bool,
    /// Maximum-likelihood steps on buffer trajectories at the start of each
    /// round, after the search.
    pub warm_start: usize,
    pub chains: usize,
    /// Searcher steps per round.
    pub search_steps: usize,
    pub burn_in: usize,
    pub thin: usize,
    pub search: SearchKind,
    /// T_search / T.
    pub search_temperature: f64,
    pub novelty_weight: f64,
    /// In the last round, keep `batch` independence Metropolis–Hastings
    /// chains whose proposals are the Learner's on-policy draws, and train
    /// on their states after each on-policy batch (see [`LearnerChains`]).
    pub learner_chains: bool,
    pub buffer_capacity: usize,
    /// After the last round the sampler draws [`PROBE_DRAWS`] as a probe;
    /// while their ESS/M is under `target_ess`, the last Learner trains
    /// `refine_iterations` more (its chains kept, the learning rate along
    /// a new cosine from 0.3 × `learning_rate`) and is probed
    /// again, at most `refinements` times and only while each refinement
    /// raises the probes' highest ESS/M or their highest ELBO. The
    /// policy with the highest probe ELBO is the sampler. Hard targets
    /// get the training they need, easy ones none, and targets where more
    /// training does not help stop early.
    pub target_ess: f64,
    pub refinements: usize,
    pub refine_iterations: usize,
    pub ablation: Ablation,
    /// Training stops with [`SamplerError::TimedOut`] once this has passed.
    pub deadline: Option<Instant>,
}

impl Settings {
    pub fn preset(effort: Effort) -> Settings {
        // The sampler is the last round's Learner, and its fit is limited
        // by the number of updates it gets: a short first round and a long
        // last one (300 + 1500 iterations) fit better than equal rounds at
        // the same energy budget (docs/method.md, "Rounds").
        let base = Settings {
            rounds: 2,
            explore_iterations: 300,
            iterations: 1500,
            batch: 64,
            train_steps: 16,
            inference_steps: 256,
            hidden: 128,
            layers: 2,
            learning_rate: 1e-2,
            log_z_learning_rate: 3e-2,
            objective: Objective::TrajectoryBalance,
            per_angle: true,
            langevin: false,
            warm_start: 0,
            chains: 32,
            search_steps: 225,
            burn_in: 30,
            thin: 2,
            search: SearchKind::Mala,
            search_temperature: 2.0,
            novelty_weight: 1.0,
            learner_chains: true,
            buffer_capacity: 20_000,
            target_ess: 0.5,
            refinements: 6,
            refine_iterations: 1500,
            ablation: Ablation::Sgds,
            deadline: None,
        };
        match effort {
            Effort::Fast => Settings {
                explore_iterations: 100,
                iterations: 300,
                search_steps: 100,
                inference_steps: 128,
                refinements: 0,
                ..base
            },
            Effort::Default => base,
            // The longer last round is what pays: a third round and a
            // 256-wide dense MLP would cost more time without a better fit.
            Effort::Thorough => Settings {
                explore_iterations: 500,
                iterations: 4500,
                batch: 128,
                train_steps: 24,
                inference_steps: 512,
                chains: 64,
                search_steps: 300,
                ..base
            },
        }
    }

    /// For finding energy minima, where the basins matter and the
    /// weights do not: the dense MLP alone, no Learner chains, the peak
    /// rate 5e-3, and a shorter training (a quarter of the iterations with
    /// `fast`, half with `default`): its draws are only starting points,
    /// relaxed and minimised, and a longer training finds no more of the
    /// minima or bioactive shapes that count. The per-angle MLPs cost time
    /// without finding more minima, and the higher rate 1e-2 finds fewer
    /// (docs/method.md, minima mode).
    pub fn minima(effort: Effort) -> Settings {
        let preset = Settings::preset(effort);
        let share = match effort {
            Effort::Fast => 4,
            Effort::Default => 2,
            Effort::Thorough => 1,
        };
        Settings {
            explore_iterations: preset.explore_iterations / share,
            iterations: preset.iterations / share,
            per_angle: false,
            learner_chains: false,
            learning_rate: 5e-3,
            refinements: 0,
            ..preset
        }
    }

    /// Training energy evaluations of the full method; ablations are given
    /// the same.
    fn training_budget(&self) -> usize {
        let on_policy = self.rounds.saturating_sub(1) * self.explore_iterations.div_ceil(2)
            + self.iterations.div_ceil(2);
        self.rounds * self.chains * (self.search_steps + 1) + on_policy * self.batch
    }

    /// Learner iterations of round `round` (from 0).
    fn round_iterations(&self, round: usize) -> usize {
        if round + 1 < self.rounds {
            self.explore_iterations
        } else {
            self.iterations
        }
    }
}

/// What a run returns.
#[derive(Clone, Debug)]
pub struct Outcome {
    pub dim: usize,
    /// Draws, m angles each, one after another.
    pub points: Vec<f64>,
    pub log_weights: Vec<f64>,
    pub log_rewards: Vec<f64>,
    /// log Ẑ = log mean exp(log w): unbiased for Z.
    pub log_z: f64,
    /// ELBO = mean log w ≤ log Z.
    pub elbo: f64,
    /// Effective sample size over the number of draws.
    pub ess: f64,
    /// log Z learned by trajectory balance (none for the oracle, which
    /// does not learn it).
    pub learned_log_z: Option<f64>,
    /// Refinements of the last Learner run (see [`Settings::refinements`]).
    pub refinements: usize,
    pub energy_evaluations: u64,
    pub training_evaluations: u64,
    pub train_seconds: f64,
    pub sample_seconds: f64,
}

/// Trains a sampler of `target` and returns `draws` weighted draws.
pub fn run(
    target: &mut dyn Target,
    settings: &Settings,
    draws: usize,
    device: Device,
    seed: u64,
) -> Result<Outcome, SamplerError> {
    match device {
        Device::Cpu => {
            use burn::backend::{Autodiff, Flex};
            train::<Autodiff<Flex>>(target, settings, draws, Default::default(), seed)
        }
        Device::Cuda => cuda(target, settings, draws, seed),
    }
}

#[cfg(not(feature = "cuda"))]
fn cuda(_: &mut dyn Target, _: &Settings, _: usize, _: u64) -> Result<Outcome, SamplerError> {
    Err(SamplerError::CudaNotBuilt)
}

#[cfg(feature = "cuda")]
fn cuda(
    target: &mut dyn Target,
    settings: &Settings,
    draws: usize,
    seed: u64,
) -> Result<Outcome, SamplerError> {
    use burn::backend::{Autodiff, Cuda};
    use burn::tensor::Tensor;
    // The CUDA runtime reports a missing driver by panicking (in a worker
    // thread, whose message is the informative one); probe it once with a
    // tiny tensor, keep the first message quietly and turn it into an error.
    let device = burn::backend::cuda::CudaDevice::default();
    let first = std::sync::Arc::new(std::sync::Mutex::new(None::<String>));
    let seen = first.clone();
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let msg = payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()));
        let mut slot = seen.lock().unwrap_or_else(|e| e.into_inner());
        if slot.is_none() {
            *slot = msg;
        }
    }));
    let probe =
        std::panic::catch_unwind(|| Tensor::<Cuda, 1>::from_floats([1.0f32], &device).into_data());
    std::panic::set_hook(previous);
    if probe.is_err() {
        let msg = first
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
            .unwrap_or_else(|| "device initialisation failed".into());
        // The loader lists every library name it tried; the first part says it.
        let msg = msg.split(" - ").next().unwrap_or(&msg).to_string();
        return Err(SamplerError::CudaUnavailable(msg));
    }
    train::<Autodiff<Cuda>>(target, settings, draws, device, seed)
}

fn train<B: AutodiffBackend>(
    target: &mut dyn Target,
    settings: &Settings,
    draws: usize,
    device: B::Device,
    seed: u64,
) -> Result<Outcome, SamplerError> {
    let start = Instant::now();
    let mut rng = super::Rng::seed_from_u64(seed);
    // Exact draws (oracle ablation) come from the target's own sampler,
    // not from energy evaluations.
    let exact = match settings.ablation {
        Ablation::Oracle => Some(
            target
                .exact_samples(settings.buffer_capacity, seed)
                .ok_or(SamplerError::NoExactSamples)?,
        ),
        _ => None,
    };
    let mut target = Counted::new(target);
    let m = target.dim();
    if m == 0 {
        // A rigid molecule: the torus is a point, every draw is the input.
        return Ok(Outcome {
            dim: 0,
            points: Vec::new(),
            log_weights: vec![0.0; draws],
            log_rewards: vec![0.0; draws],
            log_z: 0.0,
            elbo: 0.0,
            ess: 1.0,
            learned_log_z: Some(0.0),
            refinements: 0,
            energy_evaluations: 0,
            training_evaluations: 0,
            train_seconds: 0.0,
            sample_seconds: 0.0,
        });
    }
    let check_time = || match settings.deadline {
        Some(d) if Instant::now() >= d => Err(SamplerError::TimedOut),
        _ => Ok(()),
    };
    let s = settings;
    // The Learner chains start from the buffer and move on on-policy
    // draws: the Learner alone and the Searcher alone cannot run them.
    let (use_search, on_policy, off_policy, novelty_on, reinit, chains_on) = match s.ablation {
        Ablation::Sgds => (true, true, true, true, true, true),
        Ablation::LearnerOnly => (false, true, false, false, true, false),
        Ablation::SearcherOnly => (true, false, true, true, true, false),
        Ablation::NoNovelty => (true, true, true, false, true, true),
        Ablation::NoReinit => (true, true, true, true, false, true),
        Ablation::NoLearnerChains => (true, true, true, true, true, false),
        Ablation::Oracle => (false, false, false, false, false, false),
    };
    let chains_on = chains_on && s.learner_chains;
    // Equal training budgets: the learner alone spends it all on on-policy
    // batches (the Searcher's share in its last round), the searcher alone
    // on chain steps.
    let budget = s.training_budget();
    let iterations_in = |round: usize| match s.ablation {
        Ablation::LearnerOnly if round + 1 == s.rounds => {
            (budget / s.batch.max(1)).saturating_sub((s.rounds - 1) * s.explore_iterations)
        }
        _ => s.round_iterations(round),
    };
    let search_steps = match s.ablation {
        Ablation::SearcherOnly => (budget / (s.rounds * s.chains).max(1)).saturating_sub(1),
        _ => s.search_steps,
    };
    let config = LearnerConfig {
        hidden: s.hidden,
        layers: s.layers,
        batch: s.batch,
        train_steps: s.train_steps,
        learning_rate: s.learning_rate,
        log_z_learning_rate: s.log_z_learning_rate,
        objective: s.objective,
        per_angle: s.per_angle.then(|| PerAngleInputs {
            neighbours: target.neighbours(),
            context: target.long_range(),
        }),
        langevin: s.langevin,
        schedule: Schedule::default(),
    };
    let mut learner = Learner::<B>::new(m, config, &mut rng, device.clone());
    let mut buffer = ReplayBuffer::new(m, s.buffer_capacity);
    let mut novelty: Option<Novelty<B>> = None;
    let refinements = match s.ablation {
        Ablation::Sgds => s.refinements,
        _ => 0,
    };
    let mut refined = 0;
    let search_config = SearchConfig {
        kind: s.search,
        steps: search_steps,
        burn_in: s.burn_in.min(search_steps / 2),
        thin: s.thin,
        beta: 1.0 / s.search_temperature,
        alpha: s.novelty_weight,
    };
    for round in 0..s.rounds {
        check_time()?;
        if round > 0 && reinit {
            learner.reinitialise(&mut rng);
        }
        if use_search {
            let starts = chain_starts(&mut target, &mut buffer, s.chains, &mut rng);
            if let Some(n) = novelty.as_mut() {
                n.calibrate(buffer.points());
            }
            search(
                &search_config,
                starts,
                &mut target,
                novelty.as_ref(),
                &mut buffer,
                &mut rng,
            );
        }
        learner.set_learning_rate(s.learning_rate);
        if !buffer.is_empty() {
            for _ in 0..s.warm_start {
                let (end, _) = buffer.sample(s.batch, &mut rng);
                learner.likelihood_step(end, &mut target, &mut rng);
            }
        }
        let mut fresh = novelty_on.then(|| Novelty::<B>::new(m, &mut rng, device.clone()));
        let last = round + 1 == s.rounds;
        let mut chains = (chains_on && last && !buffer.is_empty())
            .then(|| LearnerChains::start(&mut buffer, s.batch, &mut rng));
        let (mut iterations, mut peak) = (iterations_in(round), s.learning_rate);
        let mut probes = Probes::default();
        loop {
            for it in 0..iterations {
                check_time()?;
                learner.set_learning_rate(cosine_decay(peak, it, iterations));
                let use_buffer = off_policy && !buffer.is_empty() && (!on_policy || it % 2 == 1);
                let ends = if let Some(exact) = &exact {
                    let end = pick_rows(exact, m, s.batch, &mut rng);
                    learner.likelihood_step(end.clone(), &mut target, &mut rng);
                    end
                } else if use_buffer {
                    learner.off_policy_step(&mut buffer, &mut target, &mut rng)
                } else if on_policy {
                    let proposals = learner.on_policy_step(&mut target, &mut rng);
                    if let Some(c) = chains.as_mut() {
                        c.step(&proposals, &mut rng);
                        c.log_w =
                            learner.balance_step(&c.points, c.log_r.clone(), &mut target, &mut rng);
                    }
                    proposals.points
                } else {
                    break;
                };
                if let Some(n) = fresh.as_mut() {
                    n.train(&ends);
                }
            }
            if !last || refinements == 0 {
                break;
            }
            let probe = learner.sample(PROBE_DRAWS, s.inference_steps, &mut target, &mut rng);
            let (ess, helped) = probes.record(&probe.log_w, || learner.policy());
            if ess >= s.target_ess || refined == refinements || !helped {
                break;
            }
            refined += 1;
            (iterations, peak) = (s.refine_iterations, REFINE_PEAK * s.learning_rate);
        }
        if let Some(policy) = probes.best {
            learner.restore_policy(policy);
        }
        if fresh.is_some() {
            novelty = fresh;
        }
    }
    let training_evaluations = target.evaluations;
    let train_seconds = start.elapsed().as_secs_f64();
    let sampled = Instant::now();
    let d = learner.sample(draws, s.inference_steps, &mut target, &mut rng);
    Ok(Outcome {
        dim: m,
        log_z: torus::log_mean_exp(&d.log_w),
        elbo: torus::elbo(&d.log_w),
        ess: torus::ess_fraction(&d.log_w),
        learned_log_z: exact.is_none().then(|| learner.log_z()),
        refinements: refined,
        points: d.points,
        log_weights: d.log_w,
        log_rewards: d.log_r,
        energy_evaluations: target.evaluations,
        training_evaluations,
        train_seconds,
        sample_seconds: sampled.elapsed().as_secs_f64(),
    })
}

/// The probes of the last Learner so far. Whether training helped is read
/// from two numbers: the ESS/M, which the draws are judged by but which a
/// few heavy weights make noisy, and the mean log-weight (the ELBO), which
/// rises steadily while training helps but is blind to regions the policy
/// under-covers. Judged on the ESS/M alone, training on strongly coupled
/// chains would stop while it still helps, because their probes' ESS/M
/// often dips before it rises. The policy kept is the one of the highest
/// ELBO, the steadier of the two (docs/method.md, "Refinement rule").
struct Probes<P> {
    /// The policy of the highest ELBO so far, which the sampler keeps.
    best: Option<P>,
    best_ess: f64,
    best_elbo: f64,
}

impl<P> Default for Probes<P> {
    fn default() -> Self {
        Probes {
            best: None,
            best_ess: f64::NEG_INFINITY,
            best_elbo: f64::NEG_INFINITY,
        }
    }
}

impl<P> Probes<P> {
    /// Records a probe's log-weights (`policy` gives the policy that drew
    /// them); returns its ESS/M and whether it raised the highest ESS/M
    /// or ELBO so far.
    fn record(&mut self, log_w: &[f64], policy: impl FnOnce() -> P) -> (f64, bool) {
        let ess = torus::ess_fraction(log_w);
        let elbo = torus::elbo(log_w);
        let ess_rose = ess > self.best_ess;
        let elbo_rose = elbo > self.best_elbo;
        if elbo_rose {
            (self.best, self.best_elbo) = (Some(policy()), elbo);
        }
        self.best_ess = self.best_ess.max(ess);
        (ess, ess_rose || elbo_rose)
    }
}

/// Independence Metropolis–Hastings chains on the Learner's draws.
///
/// A trajectory of the Learner is a proposal for the path-space target
/// R(x) P_B(τ | x) / Z, with acceptance ratio w'/w of the importance
/// weights, so the chains' states tend to the target itself: closer to
/// exact draws than the Searcher's (tempered, novelty-driven) buffer.
/// Trajectory balance on them after each on-policy batch also refreshes
/// their weights under the current policy. A state the Learner
/// under-covers has a large weight and holds its chain until training on
/// it has closed the gap; that self-correction is the point.
///
/// They cost no energy evaluations and one training batch per on-policy
/// batch. Trajectory balance on them beside the buffer batches fits better
/// than in place of those, or than maximum likelihood on them
/// (docs/method.md, "Learner chains").
struct LearnerChains {
    points: Vec<f64>,
    log_r: Vec<f64>,
    /// Under the policy of the last balance step; +∞ before the first,
    /// so that no proposal is accepted until then.
    log_w: Vec<f64>,
}

impl LearnerChains {
    fn start(buffer: &mut ReplayBuffer, chains: usize, rng: &mut super::Rng) -> Self {
        let (points, log_r) = buffer.sample(chains, rng);
        LearnerChains {
            log_w: vec![f64::INFINITY; log_r.len()],
            points,
            log_r,
        }
    }

    /// One accept/reject per chain; proposal b goes to chain b.
    fn step(&mut self, proposals: &Draws, rng: &mut super::Rng) {
        use rand::RngExt;
        let m = self.points.len() / self.log_w.len().max(1);
        for (b, &log_w) in proposals.log_w.iter().enumerate().take(self.log_w.len()) {
            let log_ratio = log_w - self.log_w[b];
            if log_ratio >= 0.0 || rng.random::<f64>().ln() < log_ratio {
                self.points[b * m..(b + 1) * m]
                    .copy_from_slice(&proposals.points[b * m..(b + 1) * m]);
                self.log_r[b] = proposals.log_r[b];
                self.log_w[b] = log_w;
            }
        }
    }
}

/// Learning rate at iteration `it` of a round: half a cosine from `peak`
/// down to FINAL_RATE · peak. Trajectory-balance gradients are noisy: a
/// high rate learns fast, and the decay lets the parameters settle, which
/// the importance weights of the draws are sensitive to; it fits better
/// than a constant rate (docs/method.md, "Learning rate").
fn cosine_decay(peak: f64, it: usize, iterations: usize) -> f64 {
    let f = it as f64 / iterations.max(1) as f64;
    peak * (FINAL_RATE + (1.0 - FINAL_RATE) * 0.5 * (1.0 + (std::f64::consts::PI * f).cos()))
}

const FINAL_RATE: f64 = 0.02;

/// Draws whose ESS/M decides whether the last Learner trains on: enough
/// that a heavy-tailed weight shows, few enough to cost a small part of a
/// refinement (about a tenth for eight angles).
pub const PROBE_DRAWS: usize = 2048;

/// Peak learning rate of a refinement, relative to a round's (see
/// [`Settings::refinements`]).
const REFINE_PEAK: f64 = 0.3;

/// `count` points drawn uniformly with replacement from `points` (m angles each).
fn pick_rows(points: &[f64], m: usize, count: usize, rng: &mut super::Rng) -> Vec<f64> {
    use rand::RngExt;
    let rows = points.len() / m;
    (0..count)
        .flat_map(|_| {
            let i = rng.random_range(0..rows);
            points[i * m..(i + 1) * m].iter().copied()
        })
        .collect()
}

/// Chain starts: the target's own start point and uniform random points in
/// the first round, buffer samples later.
fn chain_starts(
    target: &mut Counted,
    buffer: &mut ReplayBuffer,
    chains: usize,
    rng: &mut super::Rng,
) -> Vec<f64> {
    let m = target.dim();
    if !buffer.is_empty() {
        return buffer.sample(chains, rng).0;
    }
    let mut starts = target.start().unwrap_or_default();
    while starts.len() < chains * m {
        starts.push(torus::uniform_angle(rng));
    }
    starts.truncate(chains * m);
    starts
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn probes_keep_the_best_elbo_and_go_on_while_either_number_rises() {
        let mut probes = Probes::default();
        // Uneven weights: ESS/M under 1, ELBO 0.
        let (first, helped) = probes.record(&[-1.0, 1.0], || 'a');
        assert!(first < 1.0 && helped);
        // ESS/M higher, ELBO lower: training helped, the policy is not kept.
        assert_eq!(probes.record(&[-0.5, -0.5], || 'b'), (1.0, true));
        // ESS/M lower, ELBO higher: kept.
        let (ess, helped) = probes.record(&[0.0, 1.0], || 'c');
        assert!(ess < 1.0 && helped);
        assert_eq!(probes.best, Some('c'));
        // Both lower.
        assert!(!probes.record(&[-3.0, 0.0], || 'd').1);
        assert_eq!(probes.best, Some('c'));
    }

    #[test]
    fn learner_chains_accept_with_the_weight_ratio() {
        let mut rng = crate::sampler::Rng::seed_from_u64(1);
        let proposal = |log_w: f64| Draws {
            points: vec![1.0, 2.0],
            log_r: vec![-1.0, -2.0],
            log_w: vec![log_w, log_w],
        };
        let mut chains = LearnerChains {
            points: vec![0.0, 0.0],
            log_r: vec![0.0, 0.0],
            log_w: vec![f64::INFINITY; 2],
        };
        chains.step(&proposal(5.0), &mut rng);
        assert_eq!(chains.points, [0.0, 0.0], "no weights yet: nothing moves");
        chains.log_w = vec![0.0, 1000.0];
        chains.step(&proposal(5.0), &mut rng);
        assert_eq!(chains.points, [1.0, 0.0]);
        assert_eq!((chains.log_r[0], chains.log_w[0]), (-1.0, 5.0));
        // A proposal a quarter as heavy as the state: accepted a quarter
        // of the time.
        let trials = 20_000;
        let mut accepted = 0;
        for _ in 0..trials {
            chains.points = vec![0.0, 0.0];
            chains.log_w = vec![0.0, 0.0];
            chains.step(&proposal(0.25f64.ln()), &mut rng);
            accepted += chains.points.iter().filter(|&&x| x != 0.0).count();
        }
        let rate = accepted as f64 / (2 * trials) as f64;
        assert!((rate - 0.25).abs() < 0.01, "{rate}");
    }
}
