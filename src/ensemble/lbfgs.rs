//! Limited-memory BFGS on flat f64 vectors, with a line search that
//! satisfies the strong Wolfe conditions (Nocedal & Wright, algorithms 3.5
//! and 3.6, cubic interpolation in the zoom). All buffers are allocated
//! once per minimisation.

use super::MinimizeResult;

/// Settings of a minimisation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LbfgsOptions {
    /// Converged when the RMS of the gradient components falls below this.
    pub gradient_rms: f64,
    pub max_iterations: usize,
    /// Number of correction pairs kept.
    pub memory: usize,
    /// Largest step length, in the units of x (e.g. Å per coordinate).
    pub max_step: f64,
}

impl Default for LbfgsOptions {
    fn default() -> Self {
        LbfgsOptions {
            gradient_rms: 1e-4,
            max_iterations: 5000,
            memory: 8,
            max_step: 0.3,
        }
    }
}

const C1: f64 = 1e-4;
const C2: f64 = 0.9;

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn rms(g: &[f64]) -> f64 {
    (dot(g, g) / g.len().max(1) as f64).sqrt()
}

/// Minimises `f` from `x` (overwritten with the minimiser). `f(x, grad)`
/// returns the value and writes the gradient.
pub fn minimize(
    x: &mut [f64],
    mut f: impl FnMut(&[f64], &mut [f64]) -> f64,
    options: &LbfgsOptions,
) -> MinimizeResult {
    let n = x.len();
    let m = options.memory.max(1);
    let mut g = vec![0.0; n];
    let mut value = f(x, &mut g);
    let mut evaluations = 1;
    let (mut s, mut y) = (vec![vec![0.0; n]; m], vec![vec![0.0; n]; m]);
    let mut rho = vec![0.0; m];
    let mut alpha = vec![0.0; m];
    let (mut stored, mut head) = (0usize, 0usize);
    let mut d = vec![0.0; n];
    let mut x_new = vec![0.0; n];
    let mut g_new = vec![0.0; n];
    let mut iterations = 0;
    while iterations < options.max_iterations {
        if rms(&g) <= options.gradient_rms {
            break;
        }
        // Two-loop recursion: d = −H·g.
        d.copy_from_slice(&g);
        for k in 0..stored {
            let i = (head + m - 1 - k) % m;
            alpha[i] = rho[i] * dot(&s[i], &d);
            d.iter_mut()
                .zip(&y[i])
                .for_each(|(d, y)| *d -= alpha[i] * y);
        }
        if stored > 0 {
            let last = (head + m - 1) % m;
            let gamma = dot(&s[last], &y[last]) / dot(&y[last], &y[last]);
            d.iter_mut().for_each(|d| *d *= gamma);
        }
        for k in (0..stored).rev() {
            let i = (head + m - 1 - k) % m;
            let beta = rho[i] * dot(&y[i], &d);
            d.iter_mut()
                .zip(&s[i])
                .for_each(|(d, s)| *d += (alpha[i] - beta) * s);
        }
        d.iter_mut().for_each(|d| *d = -*d);
        let mut slope = dot(&g, &d);
        if slope >= 0.0 {
            // Not a descent direction: restart from steepest descent.
            stored = 0;
            d.iter_mut().zip(&g).for_each(|(d, g)| *d = -g);
            slope = dot(&g, &d);
        }
        // Cap the largest component of the first trial step.
        let largest = d.iter().fold(0.0f64, |a, v| a.max(v.abs()));
        let step0 = if largest > options.max_step {
            options.max_step / largest
        } else {
            1.0
        };
        let search = line_search(x, value, slope, &d, step0, &mut x_new, &mut g_new, &mut f);
        evaluations += search.evaluations;
        let Some(new_value) = search.value else {
            if stored == 0 {
                break; // no progress even along the gradient
            }
            stored = 0;
            continue;
        };
        // Store the correction pair.
        for i in 0..n {
            s[head][i] = x_new[i] - x[i];
            y[head][i] = g_new[i] - g[i];
        }
        let sy = dot(&s[head], &y[head]);
        if sy > 1e-12 {
            rho[head] = 1.0 / sy;
            head = (head + 1) % m;
            stored = (stored + 1).min(m);
        }
        x.copy_from_slice(&x_new);
        g.copy_from_slice(&g_new);
        value = new_value;
        iterations += 1;
    }
    let gradient_rms = rms(&g);
    MinimizeResult {
        value,
        gradient_rms,
        iterations,
        evaluations,
        converged: gradient_rms <= options.gradient_rms,
    }
}

struct Search {
    value: Option<f64>,
    evaluations: usize,
}

/// Strong-Wolfe line search along `d` from `x`; on success `x_new`/`g_new`
/// hold the accepted point.
#[allow(clippy::too_many_arguments)]
fn line_search(
    x: &[f64],
    f0: f64,
    slope0: f64,
    d: &[f64],
    step0: f64,
    x_new: &mut [f64],
    g_new: &mut [f64],
    f: &mut impl FnMut(&[f64], &mut [f64]) -> f64,
) -> Search {
    let mut evaluations = 0;
    let mut eval = |t: f64, x_new: &mut [f64], g_new: &mut [f64]| {
        for i in 0..x.len() {
            x_new[i] = x[i] + t * d[i];
        }
        evaluations += 1;
        let v = f(x_new, g_new);
        (v, dot(g_new, d))
    };
    let (mut t_prev, mut f_prev, mut slope_prev) = (0.0, f0, slope0);
    let mut t = step0;
    for i in 0..30 {
        let (ft, slope) = eval(t, x_new, g_new);
        if !ft.is_finite() || ft > f0 + C1 * t * slope0 || (i > 0 && ft >= f_prev) {
            let v = zoom(
                (t_prev, f_prev, slope_prev),
                (t, ft, slope),
                f0,
                slope0,
                &mut eval,
                x_new,
                g_new,
            );
            return Search {
                value: v,
                evaluations,
            };
        }
        if slope.abs() <= -C2 * slope0 {
            return Search {
                value: Some(ft),
                evaluations,
            };
        }
        if slope >= 0.0 {
            let v = zoom(
                (t, ft, slope),
                (t_prev, f_prev, slope_prev),
                f0,
                slope0,
                &mut eval,
                x_new,
                g_new,
            );
            return Search {
                value: v,
                evaluations,
            };
        }
        (t_prev, f_prev, slope_prev) = (t, ft, slope);
        t *= 2.0;
    }
    Search {
        value: None,
        evaluations,
    }
}

/// Narrows [lo, hi] (lo satisfying sufficient decrease) until the strong
/// Wolfe conditions hold; the last evaluated point is left in x_new/g_new.
fn zoom(
    mut lo: (f64, f64, f64),
    mut hi: (f64, f64, f64),
    f0: f64,
    slope0: f64,
    eval: &mut impl FnMut(f64, &mut [f64], &mut [f64]) -> (f64, f64),
    x_new: &mut [f64],
    g_new: &mut [f64],
) -> Option<f64> {
    for _ in 0..40 {
        let t = interpolate(lo, hi);
        let (ft, slope) = eval(t, x_new, g_new);
        if !ft.is_finite() || ft > f0 + C1 * t * slope0 || ft >= lo.1 {
            hi = (t, ft, slope);
        } else {
            if slope.abs() <= -C2 * slope0 {
                return Some(ft);
            }
            if slope * (hi.0 - lo.0) >= 0.0 {
                hi = lo;
            }
            lo = (t, ft, slope);
        }
        if (hi.0 - lo.0).abs() < 1e-14 {
            break;
        }
    }
    // Accept the best point with sufficient decrease, if any.
    if lo.0 > 0.0 {
        let (ft, _) = eval(lo.0, x_new, g_new);
        return Some(ft);
    }
    None
}

/// Minimiser of the cubic through two points with values and slopes,
/// kept inside the bracket; bisection when the cubic is unusable.
fn interpolate((t0, f0, d0): (f64, f64, f64), (t1, f1, d1): (f64, f64, f64)) -> f64 {
    let (a, b) = (t0.min(t1), t0.max(t1));
    let d1_ = d0 + d1 - 3.0 * (f0 - f1) / (t0 - t1);
    let disc = d1_ * d1_ - d0 * d1;
    let t = if disc >= 0.0 {
        let d2 = (t1 - t0).signum() * disc.sqrt();
        t1 - (t1 - t0) * (d1 + d2 - d1_) / (d1 - d0 + 2.0 * d2)
    } else {
        f64::NAN
    };
    let margin = 0.1 * (b - a);
    if t.is_finite() && t > a + margin && t < b - margin {
        t
    } else {
        0.5 * (a + b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rosenbrock() {
        let mut x = vec![-1.2, 1.0, -1.2, 1.0];
        let result = minimize(
            &mut x,
            |x, g| {
                let mut v = 0.0;
                g.iter_mut().for_each(|g| *g = 0.0);
                for i in (0..x.len()).step_by(2) {
                    let (a, b) = (x[i], x[i + 1]);
                    v += 100.0 * (b - a * a).powi(2) + (1.0 - a).powi(2);
                    g[i] += -400.0 * a * (b - a * a) - 2.0 * (1.0 - a);
                    g[i + 1] += 200.0 * (b - a * a);
                }
                v
            },
            &LbfgsOptions {
                gradient_rms: 1e-8,
                max_step: 1.0,
                ..LbfgsOptions::default()
            },
        );
        assert!(result.converged, "{result:?}");
        for v in x {
            assert!((v - 1.0).abs() < 1e-6);
        }
        assert!(result.iterations < 200, "{result:?}");
    }
}
