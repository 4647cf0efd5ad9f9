//! Dense BFGS with the backtracking line search of Numerical Recipes
//! (§9.7, §10.7) and the gradient scaling and convergence tests RDKit's
//! force-field minimiser uses. From a strained start, where several minima
//! are within reach, following the same path as RDKit's
//! `MMFFOptimizeMolecule` lands in the same minimum, which is what users
//! comparing the two expect. Memory and time per iteration grow as n²; use
//! L-BFGS ([`super::lbfgs`]) for very large systems.

use super::MinimizeResult;

const FUNC_TOL: f64 = 1e-4;
const MOVE_TOL: f64 = 1e-7;
const EPS: f64 = 3e-8;
const TOL_X: f64 = 4.0 * EPS;
const MAX_STEP: f64 = 100.0;

/// Settings of a dense BFGS minimisation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BfgsOptions {
    /// Convergence on the scaled gradient (RDKit's `forceTol`).
    pub gradient_tolerance: f64,
    pub max_iterations: usize,
}

impl Default for BfgsOptions {
    fn default() -> Self {
        BfgsOptions {
            gradient_tolerance: 1e-4,
            max_iterations: 100_000,
        }
    }
}

/// The gradient as the minimiser sees it: a tenth of the true one, halved
/// further while its largest component exceeds 10. Returns the last factor,
/// which also enters the convergence test.
fn scale_gradient(g: &mut [f64]) -> f64 {
    let mut scale = 0.1;
    let mut largest: f64 = 0.0;
    for v in g.iter_mut() {
        *v *= scale;
        largest = largest.max(v.abs());
    }
    if largest > 10.0 {
        while largest * scale > 10.0 {
            scale *= 0.5;
        }
        g.iter_mut().for_each(|v| *v *= scale);
    }
    scale
}

/// Minimises `f` from `x` (overwritten). `f(x, Some(grad))` returns the
/// value and writes the true gradient; `f(x, None)` the value only.
pub fn minimize(
    x: &mut [f64],
    mut f: impl FnMut(&[f64], Option<&mut [f64]>) -> f64,
    options: &BfgsOptions,
) -> MinimizeResult {
    let n = x.len();
    let mut grad = vec![0.0; n];
    let mut d_grad = vec![0.0; n];
    let mut h_d_grad = vec![0.0; n];
    let mut xi = vec![0.0; n];
    let mut next = vec![0.0; n];
    let mut new_x = vec![0.0; n];
    let mut inv_h = vec![0.0; n * n];
    let mut value = f(x, Some(&mut grad));
    let mut evaluations = 1;
    scale_gradient(&mut grad);
    let mut norm_sq = 0.0;
    for i in 0..n {
        inv_h[i * n + i] = 1.0;
        xi[i] = -grad[i];
        norm_sq += x[i] * x[i];
    }
    let max_step = MAX_STEP * norm_sq.sqrt().max(n as f64);
    let mut converged = false;
    let mut iterations = 0;
    while iterations < options.max_iterations {
        iterations += 1;
        let (new_value, used) = line_search(x, value, &grad, &mut xi, &mut new_x, &mut f, max_step);
        evaluations += used;
        value = new_value;
        let mut test: f64 = 0.0;
        for i in 0..n {
            xi[i] = new_x[i] - x[i];
            x[i] = new_x[i];
            test = test.max(xi[i].abs() / x[i].abs().max(1.0));
            d_grad[i] = grad[i];
        }
        if test < TOL_X {
            converged = true;
            break;
        }
        f(x, Some(&mut grad));
        evaluations += 1;
        let scale = scale_gradient(&mut grad);
        let term = (value.abs() * scale).max(1.0);
        let mut test: f64 = 0.0;
        for i in 0..n {
            test = test.max(grad[i].abs() * x[i].abs().max(1.0));
            d_grad[i] = grad[i] - d_grad[i];
        }
        if test / term < options.gradient_tolerance {
            converged = true;
            break;
        }
        // Inverse-Hessian update.
        let (mut fac, mut fae, mut sum_dg, mut sum_xi) = (0.0, 0.0, 0.0, 0.0);
        for i in 0..n {
            h_d_grad[i] = dot(&inv_h[i * n..(i + 1) * n], &d_grad);
            fac += d_grad[i] * xi[i];
            fae += d_grad[i] * h_d_grad[i];
            sum_dg += d_grad[i] * d_grad[i];
            sum_xi += xi[i] * xi[i];
        }
        let update = fac > (EPS * sum_dg * sum_xi).sqrt();
        let (fac, fad) = (1.0 / fac, 1.0 / fae);
        if update {
            for i in 0..n {
                d_grad[i] = fac * xi[i] - fad * h_d_grad[i];
            }
        }
        // Each row is updated and multiplied by the gradient for the next
        // direction while it is in cache. Whole rows, each element from
        // products of the two components (a·b = b·a exactly), keep the
        // matrix exactly symmetric while the inner loop runs over
        // contiguous memory.
        for (i, row) in inv_h.chunks_exact_mut(n).enumerate() {
            if update {
                let (x, h, d) = (xi[i], h_d_grad[i], d_grad[i]);
                for (j, v) in row.iter_mut().enumerate() {
                    *v += fac * (x * xi[j]) - fad * (h * h_d_grad[j]) + fae * (d * d_grad[j]);
                }
            }
            next[i] = -dot(row, &grad);
        }
        std::mem::swap(&mut xi, &mut next);
    }
    // Report the true gradient at the end point.
    let value = f(x, Some(&mut grad));
    let gradient_rms = (grad.iter().map(|g| g * g).sum::<f64>() / n.max(1) as f64).sqrt();
    MinimizeResult {
        value,
        gradient_rms,
        iterations,
        evaluations: evaluations + 1,
        converged,
    }
}

/// a · b with independent partial sums, so that the products pipeline
/// instead of waiting on one running sum.
fn dot(a: &[f64], b: &[f64]) -> f64 {
    const LANES: usize = 8;
    let mut sums = [0.0; LANES];
    let (a_chunks, b_chunks) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    let tail: f64 = a_chunks
        .remainder()
        .iter()
        .zip(b_chunks.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in a_chunks.zip(b_chunks) {
        for k in 0..LANES {
            sums[k] += x[k] * y[k];
        }
    }
    sums.iter().sum::<f64>() + tail
}

/// Backtracking line search along `dir` (rescaled to at most `max_step`)
/// until sufficient decrease; returns the new value and the number of
/// evaluations. `new_x` receives the accepted point (or `x` itself).
fn line_search(
    x: &[f64],
    value: f64,
    grad: &[f64],
    dir: &mut [f64],
    new_x: &mut [f64],
    f: &mut impl FnMut(&[f64], Option<&mut [f64]>) -> f64,
    max_step: f64,
) -> (f64, usize) {
    let n = x.len();
    let length = dir.iter().map(|d| d * d).sum::<f64>().sqrt();
    if length > max_step {
        dir.iter_mut().for_each(|d| *d *= max_step / length);
    }
    let slope: f64 = dir.iter().zip(grad).map(|(d, g)| d * g).sum();
    new_x.copy_from_slice(x);
    if slope >= 0.0 {
        return (value, 0);
    }
    let test = (0..n).fold(0.0f64, |t, i| t.max(dir[i].abs() / x[i].abs().max(1.0)));
    let lambda_min = MOVE_TOL / test;
    let (mut lambda, mut lambda2, mut value2) = (1.0f64, 0.0f64, 0.0f64);
    let mut evaluations = 0;
    for it in 0..1000 {
        if lambda < lambda_min {
            break;
        }
        for i in 0..n {
            new_x[i] = x[i] + lambda * dir[i];
        }
        let new_value = f(new_x, None);
        evaluations += 1;
        if new_value - value <= FUNC_TOL * lambda * slope {
            return (new_value, evaluations);
        }
        let next = if it == 0 {
            -slope / (2.0 * (new_value - value - slope))
        } else {
            let rhs1 = new_value - value - lambda * slope;
            let rhs2 = value2 - value - lambda2 * slope;
            let a = (rhs1 / (lambda * lambda) - rhs2 / (lambda2 * lambda2)) / (lambda - lambda2);
            let b = (-lambda2 * rhs1 / (lambda * lambda) + lambda * rhs2 / (lambda2 * lambda2))
                / (lambda - lambda2);
            let t = if a == 0.0 {
                -slope / (2.0 * b)
            } else {
                let disc = b * b - 3.0 * a * slope;
                if disc < 0.0 {
                    0.5 * lambda
                } else if b <= 0.0 {
                    (-b + disc.sqrt()) / (3.0 * a)
                } else {
                    -slope / (b + disc.sqrt())
                }
            };
            t.min(0.5 * lambda)
        };
        lambda2 = lambda;
        value2 = new_value;
        lambda = next.max(0.1 * lambda);
    }
    // The step became negligible: stay where we are.
    new_x.copy_from_slice(x);
    (value, evaluations)
}
