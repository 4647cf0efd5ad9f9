//! The Searcher: Metropolis-adjusted Langevin chains on the torus, run in
//! parallel with batched target calls, optionally as parallel tempering,
//! targeting β·log R + α·ν (a hotter distribution plus a novelty bonus).
//! Visited states enter the replay buffer with their clean log R.

use super::buffer::ReplayBuffer;
use super::novelty::Novelty;
use super::target::Counted;
use super::torus;
use burn::tensor::backend::AutodiffBackend;
use rand::RngExt;

/// How the Searcher explores.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum SearchKind {
    /// Independent MALA chains at the search temperature.
    Mala,
    /// The chains form ladders of `levels` replicas from the search
    /// temperature up to `hottest` times it, with neighbour swaps after
    /// every step.
    Tempering { levels: usize, hottest: f64 },
}

#[derive(Clone, Debug)]
pub(crate) struct SearchConfig {
    pub kind: SearchKind,
    pub steps: usize,
    pub burn_in: usize,
    pub thin: usize,
    /// β = T / T_search.
    pub beta: f64,
    /// Novelty weight α (used when a novelty network is given).
    pub alpha: f64,
}

/// Target acceptance rate of MALA.
const ACCEPTANCE: f64 = 0.574;
const INITIAL_STEP: f64 = 1e-2;

struct Chains {
    m: usize,
    x: Vec<f64>,
    log_r: Vec<f64>,
    grad_r: Vec<f64>,
    nu: Vec<f64>,
    grad_nu: Vec<f64>,
    beta: Vec<f64>,
    eta: Vec<f64>,
}

fn evaluate<B: AutodiffBackend>(
    points: &[f64],
    target: &mut Counted,
    novelty: Option<&Novelty<B>>,
) -> (Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>) {
    let (log_r, grad_r) = target.log_reward_grad(points);
    let (nu, grad_nu) = match novelty {
        Some(n) => n.value_grad(points),
        None => (vec![0.0; log_r.len()], vec![0.0; points.len()]),
    };
    (log_r, grad_r, nu, grad_nu)
}

impl Chains {
    fn log_pi(&self, c: usize, alpha: f64) -> f64 {
        self.beta[c] * self.log_r[c] + alpha * self.nu[c]
    }

    fn drift(&self, c: usize, alpha: f64, d: usize) -> f64 {
        let k = c * self.m + d;
        self.beta[c] * self.grad_r[k] + alpha * self.grad_nu[k]
    }
}

/// Runs the chains from `starts` (m angles per chain; their number sets
/// the number of chains) and stores states in `buffer`.
pub(crate) fn search<B: AutodiffBackend>(
    config: &SearchConfig,
    starts: Vec<f64>,
    target: &mut Counted,
    novelty: Option<&Novelty<B>>,
    buffer: &mut ReplayBuffer,
    rng: &mut super::Rng,
) {
    let m = target.dim();
    let alpha = if novelty.is_some() { config.alpha } else { 0.0 };
    let (levels, hottest) = match config.kind {
        SearchKind::Mala => (1, 1.0),
        SearchKind::Tempering { levels, hottest } => (levels.max(1), hottest),
    };
    // Replicas of one ladder sit next to each other, coldest first; the
    // ladders share the chains, so tempering costs what MALA costs.
    let ladders = (starts.len() / m.max(1) / levels).max(1);
    let mut x = Vec::with_capacity(starts.len());
    for start in starts.chunks(m).take(ladders) {
        for _ in 0..levels {
            x.extend_from_slice(start);
        }
    }
    let n = x.len() / m;
    let beta = (0..n)
        .map(|c| {
            let l = c % levels;
            let frac = if levels > 1 {
                l as f64 / (levels - 1) as f64
            } else {
                0.0
            };
            config.beta / hottest.powf(frac)
        })
        .collect();
    let (log_r, grad_r, nu, grad_nu) = evaluate(&x, target, novelty);
    let mut ch = Chains {
        m,
        x,
        log_r,
        grad_r,
        nu,
        grad_nu,
        beta,
        eta: vec![INITIAL_STEP; n],
    };
    for step in 0..config.steps {
        // Proposals y = x + η ∇log π + √(2η) ξ.
        let mut y = vec![0.0; n * m];
        let mut log_q_forward = vec![0.0; n];
        for c in 0..n {
            let eta = ch.eta[c];
            let sd = (2.0 * eta).sqrt();
            for d in 0..m {
                let noise = sd * torus::normal(rng);
                let drift = eta * ch.drift(c, alpha, d);
                y[c * m + d] = torus::wrap(ch.x[c * m + d] + drift + noise);
                log_q_forward[c] += torus::log_wn(noise, 2.0 * eta).0;
            }
        }
        let (log_r, grad_r, nu, grad_nu) = evaluate(&y, target, novelty);
        let proposed = Chains {
            m,
            x: y,
            log_r,
            grad_r,
            nu,
            grad_nu,
            beta: ch.beta.clone(),
            eta: ch.eta.clone(),
        };
        for (c, log_q_forward) in log_q_forward.iter().enumerate() {
            let eta = ch.eta[c];
            let mut log_q_back = 0.0;
            for d in 0..m {
                let mean = proposed.x[c * m + d] + eta * proposed.drift(c, alpha, d);
                log_q_back += torus::log_wn(ch.x[c * m + d] - mean, 2.0 * eta).0;
            }
            let log_a =
                proposed.log_pi(c, alpha) - ch.log_pi(c, alpha) + log_q_back - log_q_forward;
            let accept = if log_a.is_finite() {
                log_a.min(0.0).exp()
            } else {
                0.0
            };
            if rng.random::<f64>() < accept {
                let r = c * m..(c + 1) * m;
                ch.x[r.clone()].copy_from_slice(&proposed.x[r.clone()]);
                ch.grad_r[r.clone()].copy_from_slice(&proposed.grad_r[r.clone()]);
                ch.grad_nu[r.clone()].copy_from_slice(&proposed.grad_nu[r]);
                ch.log_r[c] = proposed.log_r[c];
                ch.nu[c] = proposed.nu[c];
            }
            // Robbins–Monro step towards the optimal acceptance rate.
            ch.eta[c] = (eta * (0.1 * (accept - ACCEPTANCE)).exp()).clamp(1e-7, 2.0);
        }
        if levels > 1 {
            swap_replicas(&mut ch, levels, step % 2, rng);
        }
        if step >= config.burn_in && (step - config.burn_in) % config.thin.max(1) == 0 {
            for c in 0..n {
                buffer.push(&ch.x[c * m..(c + 1) * m], ch.log_r[c]);
            }
        }
    }
}

/// Swaps neighbouring replicas (pairs starting at `parity`) with the
/// replica-exchange acceptance; the novelty term is the same at every
/// level and cancels.
fn swap_replicas(ch: &mut Chains, levels: usize, parity: usize, rng: &mut super::Rng) {
    let m = ch.m;
    let n = ch.x.len() / m;
    for group in (0..n).step_by(levels) {
        let mut l = parity;
        while l + 1 < levels {
            let (i, j) = (group + l, group + l + 1);
            let log_a = (ch.beta[i] - ch.beta[j]) * (ch.log_r[j] - ch.log_r[i]);
            if log_a >= 0.0 || rng.random::<f64>() < log_a.exp() {
                for d in 0..m {
                    ch.x.swap(i * m + d, j * m + d);
                    ch.grad_r.swap(i * m + d, j * m + d);
                    ch.grad_nu.swap(i * m + d, j * m + d);
                }
                ch.log_r.swap(i, j);
                ch.nu.swap(i, j);
            }
            l += 2;
        }
    }
}
