//! Synthetic targets on T^m whose normalising constant and modes are known
//! exactly: a product of von Mises mixtures and a chain of coupled rotors.
//!
//! Both are chains: log R(x) = Σ_d u(x_d) + Σ_d p(x_d − x_{d+1}) (p = 0 for
//! the product), so Z and the mass of every mode follow from transfer
//! matrices on a fine periodic grid, where the trapezoidal rule converges
//! exponentially fast.

use super::target::Target;
use std::f64::consts::PI;
use std::fmt;

/// Points of the periodic grid used for the exact integrals.
const GRID: usize = 720;

/// A synthetic target, as spelled on the command line.
#[derive(Clone, Debug, PartialEq)]
pub enum SyntheticSpec {
    /// Product over dimensions of Σ_j w_j exp(κ (cos(x − μ_j) − 1)), with
    /// `modes` equally spaced means μ_j.
    VonMises {
        dim: usize,
        modes: usize,
        kappa: f64,
        weights: Vec<f64>,
    },
    /// a Σ_d (cos 3x_d − 1) + b Σ_d (cos(x_d − x_{d+1}) − 1): three wells per
    /// rotor, neighbours prefer equal angles.
    Coupled { dim: usize, a: f64, b: f64 },
}

#[derive(Debug, thiserror::Error)]
#[error("bad target `{spec}`: {reason} (examples: `vonmises:dim=6,modes=3,kappa=8`, `vonmises:dim=4,modes=2,kappa=20,weights=1:3`, `coupled:dim=8,a=4,b=1.5`)")]
pub struct SpecError {
    spec: String,
    reason: String,
}

impl std::str::FromStr for SyntheticSpec {
    type Err = SpecError;

    fn from_str(spec: &str) -> Result<Self, SpecError> {
        let fail = |reason: String| SpecError {
            spec: spec.to_string(),
            reason,
        };
        let (kind, params) = spec.split_once(':').unwrap_or((spec, ""));
        let mut dim = None;
        let mut values: Vec<(String, String)> = Vec::new();
        for item in params.split(',').filter(|s| !s.is_empty()) {
            let (k, v) = item
                .split_once('=')
                .ok_or_else(|| fail(format!("`{item}` is not key=value")))?;
            if k == "dim" && dim.is_some() || values.iter().any(|(seen, _)| seen == k) {
                return Err(fail(format!("`{k}` is given twice")));
            }
            if k == "dim" {
                dim = Some(
                    v.parse::<usize>()
                        .ok()
                        .filter(|d| (1..=256).contains(d))
                        .ok_or_else(|| fail(format!("dim must be 1 to 256, not `{v}`")))?,
                );
            } else {
                values.push((k.to_string(), v.to_string()));
            }
        }
        let dim = dim.ok_or_else(|| fail("dim is missing".into()))?;
        let number = |key: &str, default: Option<f64>, range: (f64, f64)| {
            let Some((_, text)) = values.iter().find(|(k, _)| k == key) else {
                return default.ok_or_else(|| fail(format!("{key} is missing")));
            };
            let value = text
                .parse::<f64>()
                .map_err(|_| fail(format!("{key} must be a number, not `{text}`")))?;
            if !(range.0..=range.1).contains(&value) {
                return Err(fail(format!(
                    "{key} must lie in [{}, {}], not `{text}`",
                    range.0, range.1
                )));
            }
            Ok(value)
        };
        let allowed: &[&str] = match kind {
            "vonmises" => &["modes", "kappa", "weights"],
            "coupled" => &["a", "b"],
            _ => return Err(fail(format!("unknown target kind `{kind}`"))),
        };
        if let Some((k, _)) = values.iter().find(|(k, _)| !allowed.contains(&k.as_str())) {
            return Err(fail(format!("unknown parameter `{k}` for {kind}")));
        }
        Ok(match kind {
            "vonmises" => {
                let modes = number("modes", Some(3.0), (1.0, 12.0))?;
                if modes.fract() != 0.0 {
                    return Err(fail("modes must be a whole number".into()));
                }
                let modes = modes as usize;
                let kappa = number("kappa", Some(8.0), (0.0, 500.0))?;
                let weights = match values.iter().find(|(k, _)| k == "weights") {
                    None => vec![1.0; modes],
                    Some((_, v)) => v
                        .split(':')
                        .map(|w| w.parse::<f64>().ok().filter(|w| *w > 0.0))
                        .collect::<Option<Vec<f64>>>()
                        .filter(|w| w.len() == modes)
                        .ok_or_else(|| {
                            fail(format!(
                                "weights must be {modes} positive numbers joined by `:`"
                            ))
                        })?,
                };
                let total: f64 = weights.iter().sum();
                SyntheticSpec::VonMises {
                    dim,
                    modes,
                    kappa,
                    weights: weights.iter().map(|w| w / total).collect(),
                }
            }
            _ => SyntheticSpec::Coupled {
                dim,
                a: number("a", None, (-100.0, 100.0))?,
                b: number("b", None, (-100.0, 100.0))?,
            },
        })
    }
}

impl fmt::Display for SyntheticSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SyntheticSpec::VonMises {
                dim,
                modes,
                kappa,
                weights,
            } => {
                write!(f, "vonmises:dim={dim},modes={modes},kappa={kappa}")?;
                if weights.windows(2).any(|w| w[0] != w[1]) {
                    let w: Vec<String> = weights.iter().map(|w| format!("{w:.4}")).collect();
                    write!(f, ",weights={}", w.join(":"))?;
                }
                Ok(())
            }
            SyntheticSpec::Coupled { dim, a, b } => write!(f, "coupled:dim={dim},a={a},b={b}"),
        }
    }
}

/// A synthetic target with its exact answers.
#[derive(Clone, Debug)]
pub struct Synthetic {
    spec: SyntheticSpec,
    /// Centres of the mode cells of each dimension (same for all).
    centres: Vec<f64>,
}

impl Synthetic {
    pub fn new(spec: SyntheticSpec) -> Self {
        let cells = match &spec {
            SyntheticSpec::VonMises { modes, .. } => *modes,
            SyntheticSpec::Coupled { .. } => 3,
        };
        let centres = (0..cells)
            .map(|j| {
                super::torus::wrap(-PI + PI / cells as f64 + 2.0 * PI * j as f64 / cells as f64)
            })
            .collect();
        Synthetic { spec, centres }
    }

    pub fn spec(&self) -> &SyntheticSpec {
        &self.spec
    }

    fn dims(&self) -> usize {
        match self.spec {
            SyntheticSpec::VonMises { dim, .. } | SyntheticSpec::Coupled { dim, .. } => dim,
        }
    }

    /// One-dimensional term u(x) and its derivative.
    fn unary(&self, x: f64) -> (f64, f64) {
        match &self.spec {
            SyntheticSpec::VonMises { kappa, weights, .. } => {
                let (mut s, mut ds) = (0.0, 0.0);
                for (mu, w) in self.centres.iter().zip(weights) {
                    let e = w * (kappa * ((x - mu).cos() - 1.0)).exp();
                    s += e;
                    ds -= e * kappa * (x - mu).sin();
                }
                (s.ln(), ds / s)
            }
            SyntheticSpec::Coupled { a, .. } => {
                (a * ((3.0 * x).cos() - 1.0), -3.0 * a * (3.0 * x).sin())
            }
        }
    }

    /// Pair term p(x − y) between neighbours and its derivative in x − y.
    fn pair(&self, delta: f64) -> Option<(f64, f64)> {
        match self.spec {
            SyntheticSpec::VonMises { .. } => None,
            SyntheticSpec::Coupled { b, .. } => Some((b * (delta.cos() - 1.0), -b * delta.sin())),
        }
    }

    /// Index of the mode cell of angle x: the nearest centre.
    fn cell(&self, x: f64) -> u8 {
        let mut best = (f64::INFINITY, 0);
        for (j, c) in self.centres.iter().enumerate() {
            let d = super::torus::wrap(x - c).abs();
            if d < best.0 {
                best = (d, j);
            }
        }
        best.1 as u8
    }

    /// The mode (cell of every dimension) a point falls in.
    pub fn mode_of(&self, x: &[f64]) -> Vec<u8> {
        x.iter().map(|&v| self.cell(v)).collect()
    }

    /// Exact log Z = log ∫ R over [−π, π)^m.
    pub fn log_z(&self) -> f64 {
        let (_, scales) = self.forward_messages(&self.grid());
        scales.iter().map(|s| s.ln()).sum()
    }

    /// log Z in closed form, for the von Mises product:
    /// Σ_d log Σ_j w_j 2π I₀(κ) e^{−κ}.
    pub fn log_z_closed_form(&self) -> Option<f64> {
        match &self.spec {
            SyntheticSpec::VonMises {
                dim,
                kappa,
                weights,
                ..
            } => {
                let per_dim: f64 =
                    weights.iter().sum::<f64>() * 2.0 * PI * bessel_i0_scaled(*kappa);
                Some(*dim as f64 * per_dim.ln())
            }
            SyntheticSpec::Coupled { .. } => None,
        }
    }

    fn grid(&self) -> Grid {
        let h = 2.0 * PI / GRID as f64;
        let x: Vec<f64> = (0..GRID).map(|g| -PI + (g as f64 + 0.5) * h).collect();
        let unary = x.iter().map(|&v| self.unary(v).0.exp()).collect();
        let cell = x.iter().map(|&v| self.cell(v)).collect();
        // Pair kernel depends on the index difference only.
        let kernel = (0..GRID)
            .map(|k| self.pair(k as f64 * h).map_or(1.0, |p| p.0.exp()))
            .collect();
        Grid {
            h,
            unary,
            cell,
            kernel,
            coupled: self.pair(0.0).is_some(),
        }
    }

    /// Forward messages α_d, each scaled to sum to 1, and the scale factors
    /// (their logs sum to log Z).
    fn forward_messages(&self, grid: &Grid) -> (Vec<Vec<f64>>, Vec<f64>) {
        let mut alpha = grid.unary.iter().map(|u| u * grid.h).collect::<Vec<_>>();
        let mut messages = Vec::with_capacity(self.dims());
        let mut scales = Vec::with_capacity(self.dims());
        for d in 0..self.dims() {
            if d > 0 {
                alpha = grid.step(&alpha);
            }
            let s: f64 = alpha.iter().sum();
            alpha.iter_mut().for_each(|a| *a /= s);
            messages.push(alpha.clone());
            scales.push(s);
        }
        (messages, scales)
    }

    /// Exact draws by forward filtering, backward sampling on the grid:
    /// the last angle from its marginal, each earlier one from its
    /// conditional given the next; every angle is then spread uniformly
    /// over its grid cell (0.5° wide, far narrower than any mode).
    fn sample_chain(&self, count: usize, seed: u64) -> Vec<f64> {
        use rand::{RngExt, SeedableRng};
        let mut rng = super::Rng::seed_from_u64(seed);
        let grid = self.grid();
        let m = self.dims();
        let (fwd, _) = self.forward_messages(&grid);
        let mut out = vec![0.0; count * m];
        let mut weights = vec![0.0; GRID];
        for point in out.chunks_mut(m) {
            let mut next: Option<usize> = None;
            for d in (0..m).rev() {
                for (x, w) in weights.iter_mut().enumerate() {
                    let pair = match next {
                        Some(y) if grid.coupled => grid.kernel[(x + GRID - y) % GRID],
                        _ => 1.0,
                    };
                    *w = fwd[d][x] * pair;
                }
                let mut u = rng.random::<f64>() * weights.iter().sum::<f64>();
                let cell = weights
                    .iter()
                    .position(|w| {
                        u -= w;
                        u <= 0.0
                    })
                    .unwrap_or(GRID - 1);
                point[d] = -PI + (cell as f64 + rng.random::<f64>()) * grid.h;
                next = Some(cell);
            }
        }
        out
    }

    /// Every mode whose probability mass exceeds `threshold`, with its mass,
    /// heaviest first. Found by depth-first search over cells, pruning
    /// prefixes whose total mass is already below the threshold.
    pub fn significant_modes(&self, threshold: f64) -> Vec<(Vec<u8>, f64)> {
        let grid = self.grid();
        let m = self.dims();
        // Backward messages β_d(x): mass of dimensions d+1.. given x_d = x,
        // in the same scale as the normalised forward messages.
        let (fwd, scales) = self.forward_messages(&grid);
        let mut beta = vec![vec![1.0; GRID]; m];
        for d in (0..m.saturating_sub(1)).rev() {
            let next: Vec<f64> = beta[d + 1]
                .iter()
                .zip(&grid.unary)
                .map(|(b, u)| b * u * grid.h)
                .collect();
            beta[d] = grid.propagate(&next);
            // Rescale so that Σ α_d β_d = 1 (total mass).
            let total: f64 = fwd[d].iter().zip(&beta[d]).map(|(a, b)| a * b).sum();
            beta[d].iter_mut().for_each(|b| *b /= total);
        }
        let mut found = Vec::new();
        let mut prefix = Vec::new();
        // α restricted to the prefix's cells, in the scale of fwd[d].
        let levels = Levels {
            grid: &grid,
            scales: &scales,
            beta: &beta,
        };
        self.search(
            &levels,
            0,
            fwd[0].clone(),
            &mut prefix,
            threshold,
            &mut found,
        );
        found.sort_by(|a, b| b.1.total_cmp(&a.1));
        found
    }

    fn search(
        &self,
        levels: &Levels,
        d: usize,
        alpha: Vec<f64>,
        prefix: &mut Vec<u8>,
        threshold: f64,
        found: &mut Vec<(Vec<u8>, f64)>,
    ) {
        let Levels { grid, scales, beta } = levels;
        for c in 0..self.centres.len() as u8 {
            let restricted: Vec<f64> = alpha
                .iter()
                .zip(&grid.cell)
                .map(|(a, &cell)| if cell == c { *a } else { 0.0 })
                .collect();
            let mass: f64 = restricted.iter().zip(&beta[d]).map(|(a, b)| a * b).sum();
            if mass <= threshold {
                continue;
            }
            prefix.push(c);
            if d + 1 == beta.len() {
                found.push((prefix.clone(), mass));
            } else {
                // Same scaling as the full forward pass at d + 1.
                let mut next = grid.step(&restricted);
                next.iter_mut().for_each(|a| *a /= scales[d + 1]);
                self.search(levels, d + 1, next, prefix, threshold, found);
            }
            prefix.pop();
        }
    }
}

/// What the mode search needs at every depth.
struct Levels<'a> {
    grid: &'a Grid,
    scales: &'a [f64],
    beta: &'a [Vec<f64>],
}

struct Grid {
    h: f64,
    unary: Vec<f64>,
    cell: Vec<u8>,
    kernel: Vec<f64>,
    coupled: bool,
}

impl Grid {
    /// out(y) = Σ_x v(x) K(x − y): the pair kernel, or a plain sum when the
    /// dimensions are independent.
    fn propagate(&self, v: &[f64]) -> Vec<f64> {
        if !self.coupled {
            let s: f64 = v.iter().sum();
            return vec![s; v.len()];
        }
        let n = v.len();
        (0..n)
            .map(|y| {
                v.iter()
                    .enumerate()
                    .map(|(x, a)| a * self.kernel[(x + n - y) % n])
                    .sum()
            })
            .collect()
    }

    /// One step of the forward pass: propagate, then multiply by the next
    /// dimension's unary factor and the grid spacing.
    fn step(&self, v: &[f64]) -> Vec<f64> {
        let mut out = self.propagate(v);
        for (a, u) in out.iter_mut().zip(&self.unary) {
            *a *= u * self.h;
        }
        out
    }
}

/// e^{−κ} I₀(κ) from the power series (κ ≤ 500 keeps every term finite).
fn bessel_i0_scaled(kappa: f64) -> f64 {
    let q = kappa * kappa / 4.0;
    let (mut term, mut sum) = (1.0f64, 1.0f64);
    let mut k = 1.0;
    // Terms grow until k ≈ κ/2, then shrink; sum them in the scaled domain.
    let mut log_scale = 0.0;
    loop {
        term *= q / (k * k);
        sum += term;
        if term < sum * 1e-17 {
            break;
        }
        if sum > 1e250 {
            log_scale += sum.ln();
            term /= sum;
            sum = 1.0;
        }
        k += 1.0;
    }
    (sum.ln() + log_scale - kappa).exp()
}

impl Target for Synthetic {
    fn dim(&self) -> usize {
        self.dims()
    }

    fn log_reward(&mut self, points: &[f64], out: &mut [f64]) {
        let mut grad = vec![0.0; points.len()];
        self.log_reward_grad(points, out, &mut grad);
    }

    fn exact_samples(&self, count: usize, seed: u64) -> Option<Vec<f64>> {
        Some(self.sample_chain(count, seed))
    }

    /// A chain's rotors one and two steps along it, as a molecule's rotors
    /// that share an atom and those one bond apart: noised, the chain's
    /// distribution couples every rotor to all others, and seeing the
    /// second neighbours too fits the strongly coupled chains better
    /// (docs/method.md, "Second neighbours").
    fn neighbours(&self) -> Vec<Vec<usize>> {
        match self.spec {
            SyntheticSpec::Coupled { dim, b, .. } if b != 0.0 => (0..dim)
                .map(|d| {
                    [-1, 1, -2, 2]
                        .into_iter()
                        .filter_map(|step| d.checked_add_signed(step))
                        .filter(|&e| e < dim)
                        .collect()
                })
                .collect(),
            _ => Vec::new(),
        }
    }

    /// A chain's rotors are coupled to all others through the ones
    /// between, so the context of all rotors helps here (with the
    /// refinements); molecules lose by it and go without (docs/method.md,
    /// "Context of all rotors").
    fn long_range(&self) -> bool {
        matches!(self.spec, SyntheticSpec::Coupled { b, .. } if b != 0.0)
    }

    fn log_reward_grad(&mut self, points: &[f64], out: &mut [f64], grad: &mut [f64]) {
        let m = self.dims();
        for ((x, o), g) in points.chunks(m).zip(out.iter_mut()).zip(grad.chunks_mut(m)) {
            let mut total = 0.0;
            for d in 0..m {
                let (u, du) = self.unary(x[d]);
                total += u;
                g[d] = du;
            }
            for d in 0..m.saturating_sub(1) {
                if let Some((p, dp)) = self.pair(x[d] - x[d + 1]) {
                    total += p;
                    g[d] += dp;
                    g[d + 1] -= dp;
                }
            }
            *o = total;
        }
    }
}
