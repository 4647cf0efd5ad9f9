//! Kernels on the torus: angle wrapping, the wrapped normal density and its
//! derivative, the noise schedule and the time grids.

use rand::RngExt;
use rand_distr::{Distribution, StandardNormal};
use std::f64::consts::PI;

const TWO_PI: f64 = 2.0 * PI;

/// log of the uniform density on T^1.
pub const LOG_UNIFORM: f64 = -1.837_877_066_409_345_5; // −ln 2π

/// Maps an angle to [−π, π).
pub fn wrap(a: f64) -> f64 {
    let r = (a + PI).rem_euclid(TWO_PI) - PI;
    // rem_euclid of a tiny negative number can round up to 2π.
    if r >= PI {
        r - TWO_PI
    } else {
        r
    }
}

/// Number of images on each side needed for a wrapped normal of variance v.
/// Since |y − μ| ≤ π after wrapping, the nearest image outweighs the next
/// by at least exp(π²/2v): below v = π²/80 the others are under 1e-17 of it.
fn images(v: f64) -> i32 {
    if v < PI * PI / 80.0 {
        0
    } else {
        (3.0 * v.sqrt() / TWO_PI).ceil() as i32 + 1
    }
}

/// log WN(y; μ, v) and its derivatives with respect to μ and to log v, for
/// one dimension, given `diff` = y − μ (any real; it is wrapped here).
pub fn log_wn(diff: f64, v: f64) -> (f64, f64, f64) {
    let d = wrap(diff);
    let norm = -0.5 * (TWO_PI * v).ln();
    let k = images(v);
    if k == 0 {
        return (norm - d * d / (2.0 * v), d / v, d * d / (2.0 * v) - 0.5);
    }
    // log-sum-exp over the images d + 2πk, scaled by the nearest (k = 0).
    let top = -d * d / (2.0 * v);
    let (mut sum, mut first, mut second) = (0.0, 0.0, 0.0);
    for i in -k..=k {
        let e = d + TWO_PI * f64::from(i);
        let w = (-e * e / (2.0 * v) - top).exp();
        sum += w;
        first += w * e;
        second += w * e * e;
    }
    // ∂/∂μ of log Σ exp(−(y−μ+2πk)²/2v) = Σ w_k (d + 2πk) / v, and
    // v·∂/∂v = Σ w_k (d + 2πk)² / 2v; the normalisation adds −1/2.
    (
        norm + top + sum.ln(),
        first / (sum * v),
        second / (2.0 * sum * v) - 0.5,
    )
}

/// Noise level σ(t) = σ_max^(1−t) σ_min^t; t = 0 is noise, t = 1 the target.
#[derive(Clone, Copy, Debug)]
pub struct Schedule {
    pub sigma_max: f64,
    pub sigma_min: f64,
}

impl Default for Schedule {
    fn default() -> Self {
        Schedule {
            sigma_max: PI,
            sigma_min: 0.03,
        }
    }
}

impl Schedule {
    pub fn sigma(&self, t: f64) -> f64 {
        self.sigma_max.powf(1.0 - t) * self.sigma_min.powf(t)
    }

    /// Variance of each step of `grid`: v_n = σ(t_n)² − σ(t_{n+1})².
    pub fn variances(&self, grid: &[f64]) -> Vec<f64> {
        grid.windows(2)
            .map(|w| self.sigma(w[0]).powi(2) - self.sigma(w[1]).powi(2))
            .collect()
    }
}

/// Uniform time grid 0 = t_0 < … < t_n = 1.
pub fn uniform_grid(steps: usize) -> Vec<f64> {
    (0..=steps).map(|i| i as f64 / steps as f64).collect()
}

/// Random time grid for training: increments drawn from U(1, 10) and
/// normalised, so every batch sees different step sizes.
pub fn random_grid(steps: usize, rng: &mut impl rand::Rng) -> Vec<f64> {
    let inc: Vec<f64> = (0..steps).map(|_| rng.random_range(1.0..10.0)).collect();
    let total: f64 = inc.iter().sum();
    let mut grid = Vec::with_capacity(steps + 1);
    let mut t = 0.0;
    grid.push(0.0);
    for a in &inc[..steps - 1] {
        t += a / total;
        grid.push(t);
    }
    grid.push(1.0);
    grid
}

/// A standard normal draw.
pub fn normal(rng: &mut impl rand::Rng) -> f64 {
    StandardNormal.sample(rng)
}

/// A uniform angle in [−π, π).
pub fn uniform_angle(rng: &mut impl rand::Rng) -> f64 {
    rng.random_range(-PI..PI)
}

/// log Σ exp(x_i) − log n: the log of the mean of exp(x).
pub fn log_mean_exp(x: &[f64]) -> f64 {
    let max = x.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !max.is_finite() {
        return max;
    }
    let sum: f64 = x.iter().map(|v| (v - max).exp()).sum();
    max + (sum / x.len() as f64).ln()
}

/// The mean log-weight: the ELBO, log Z less the KL divergence of the
/// target from the sampler.
pub fn elbo(log_w: &[f64]) -> f64 {
    log_w.iter().sum::<f64>() / log_w.len().max(1) as f64
}

/// Effective sample size over the number of samples, from log-weights.
pub fn ess_fraction(log_w: &[f64]) -> f64 {
    let max = log_w.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !max.is_finite() {
        return 0.0;
    }
    let w: Vec<f64> = log_w.iter().map(|v| (v - max).exp()).collect();
    let s: f64 = w.iter().sum();
    let s2: f64 = w.iter().map(|v| v * v).sum();
    s * s / s2 / log_w.len() as f64
}

/// Self-normalised weights from log-weights.
pub fn normalised_weights(log_w: &[f64]) -> Vec<f64> {
    let max = log_w.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let w: Vec<f64> = log_w.iter().map(|v| (v - max).exp()).collect();
    let s: f64 = w.iter().sum();
    w.into_iter().map(|v| v / s).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapped_normal_integrates_to_one_and_derivative_matches() {
        for v in [1e-4, 0.01, 0.5, 3.0, 9.8] {
            let n = 20000;
            let h = TWO_PI / n as f64;
            let total: f64 = (0..n)
                .map(|i| log_wn(-PI + (i as f64 + 0.5) * h - 0.3, v).0.exp() * h)
                .sum();
            assert!((total - 1.0).abs() < 1e-6, "v={v}: {total}");
            let (d, eps) = (0.7, 1e-6);
            // y − μ decreases when μ increases.
            let fd = (log_wn(d - eps, v).0 - log_wn(d + eps, v).0) / (2.0 * eps);
            assert!(
                (fd - log_wn(d, v).1).abs() < 1e-5 * (1.0 + fd.abs()),
                "v={v}"
            );
            let fd = (log_wn(d, v * eps.exp()).0 - log_wn(d, v * (-eps).exp()).0) / (2.0 * eps);
            assert!(
                (fd - log_wn(d, v).2).abs() < 1e-5 * (1.0 + fd.abs()),
                "v={v}: ∂/∂log v"
            );
        }
    }

    #[test]
    fn wrap_range() {
        for a in [-1e-17, -PI, PI, 3.0 * PI, -7.0, 1e3] {
            let w = wrap(a);
            assert!((-PI..PI).contains(&w), "{a} → {w}");
            assert!(((a - w) / TWO_PI - ((a - w) / TWO_PI).round()).abs() < 1e-9);
        }
    }
}
