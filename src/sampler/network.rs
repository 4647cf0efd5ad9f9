//! The networks (burn): the policy s_θ(x, t), the learned log Z, and the
//! random-network-distillation pair. Parameters are initialised from the
//! sampler's own random stream, so a seed fixes them whatever else runs in
//! the process.

use burn::module::{Module, Param};
use burn::nn::Linear;
use burn::tensor::activation::relu;
use burn::tensor::backend::Backend;
use burn::tensor::{Tensor, TensorData};
use rand::RngExt;
use std::f64::consts::PI;

/// Fourier features of the diffusion time: sin and cos of π·k·t, k = 1..8.
pub(crate) const TIME_FEATURES: usize = 16;

/// Appends [sin x, cos x] of the angles of one point.
pub(crate) fn push_angle_features(x: &[f64], out: &mut Vec<f32>) {
    out.extend(x.iter().map(|v| v.sin() as f32));
    out.extend(x.iter().map(|v| v.cos() as f32));
}

/// Harmonics of every angle the policy sees: torsion energies are sums of
/// cos(kτ) with k = 1, 2, 3, and narrow wells need the higher ones.
pub(crate) const HARMONICS: usize = 3;

/// Width of a policy input row for m angles.
pub(crate) fn policy_inputs(m: usize) -> usize {
    2 * HARMONICS * m + TIME_FEATURES
}

/// Appends sin kx and cos kx, k = 1..=HARMONICS, of the angles of one
/// point (higher harmonics by the angle-addition formulas: one sin and one
/// cos per angle).
pub(crate) fn push_harmonics(x: &[f64], out: &mut Vec<f32>) {
    let start = out.len();
    let m = x.len();
    out.resize(start + 2 * HARMONICS * m, 0.0);
    let row = &mut out[start..];
    for (d, v) in x.iter().enumerate() {
        let (s1, c1) = v.sin_cos();
        let (mut s, mut c) = (s1, c1);
        for k in 0..HARMONICS {
            row[2 * k * m + d] = s as f32;
            row[(2 * k + 1) * m + d] = c as f32;
            (s, c) = (s * c1 + c * s1, c * c1 - s * s1);
        }
    }
}

/// Fourier features of time t.
pub(crate) fn time_features(t: f64) -> [f32; TIME_FEATURES] {
    let mut f = [0.0; TIME_FEATURES];
    for k in 0..TIME_FEATURES / 2 {
        let (s, c) = (PI * (k + 1) as f64 * t).sin_cos();
        f[2 * k] = s as f32;
        f[2 * k + 1] = c as f32;
    }
    f
}

pub(crate) fn matrix<B: Backend>(data: Vec<f32>, cols: usize, device: &B::Device) -> Tensor<B, 2> {
    let rows = data.len() / cols.max(1);
    Tensor::from_data(TensorData::new(data, [rows, cols]), device)
}

pub(crate) fn values<B: Backend, const D: usize>(t: Tensor<B, D>) -> Vec<f32> {
    t.into_data()
        .convert::<f32>()
        .into_vec::<f32>()
        .expect("float tensor data")
}

/// `n` initial parameters of a layer with `fan_in` inputs: U(±1/√fan_in)
/// (PyTorch's default), or all zeros.
fn initial(n: usize, fan_in: usize, zero: bool, rng: &mut impl rand::Rng) -> Vec<f32> {
    if zero {
        return vec![0.0; n];
    }
    let k = 1.0 / (fan_in as f32).sqrt();
    (0..n).map(|_| rng.random_range(-k..k)).collect()
}

/// A dense layer with PyTorch's default initialisation U(±1/√fan_in), or
/// all zeros.
fn linear<B: Backend>(
    d_in: usize,
    d_out: usize,
    zero: bool,
    rng: &mut impl rand::Rng,
    device: &B::Device,
) -> Linear<B> {
    let weight = initial(d_in * d_out, d_in, zero, rng);
    let weight = Tensor::from_data(TensorData::new(weight, [d_in, d_out]), device);
    let bias = initial(d_out, d_in, zero, rng);
    let bias = Tensor::from_data(TensorData::new(bias, [d_out]), device);
    Linear {
        weight: Param::from_tensor(weight),
        bias: Some(Param::from_tensor(bias)),
    }
}

/// Multilayer perceptron with ReLU between layers: SiLU and GELU cost a
/// scalar exp or erf per unit on the Flex backend, a large share of the
/// training time, and make the sampler no better.
#[derive(Module, Debug)]
pub(crate) struct Mlp<B: Backend> {
    layers: Vec<Linear<B>>,
}

impl<B: Backend> Mlp<B> {
    /// Layer sizes from input to output; `zero_last` makes the output
    /// identically zero until trained.
    pub fn new(
        sizes: &[usize],
        zero_last: bool,
        rng: &mut impl rand::Rng,
        device: &B::Device,
    ) -> Self {
        let n = sizes.len() - 1;
        let layers = (0..n)
            .map(|i| linear(sizes[i], sizes[i + 1], zero_last && i + 1 == n, rng, device))
            .collect();
        Mlp { layers }
    }

    pub fn forward(&self, mut x: Tensor<B, 2>) -> Tensor<B, 2> {
        let n = self.layers.len();
        for (i, layer) in self.layers.iter().enumerate() {
            x = layer.forward(x);
            if i + 1 < n {
                x = relu(x);
            }
        }
        x
    }
}

/// One small MLP per angle, run side by side as batched matrix products:
/// angle d's outputs (its drift and variance logit) from its own harmonics,
/// those of the angles it interacts with most directly (its neighbours,
/// from the target), the time features, and for some targets a context of
/// [`CONTEXT`] features learned from all angles. Weights are not shared
/// between angles.
///
/// The context is there because noised, a coupled chain's distribution
/// ties every rotor to all the others: how long aligned runs last is not
/// seen from a rotor's neighbours, and the dense MLP's output, added to
/// the per-angle ones, cannot change how an angle's own MLP responds to
/// them. The context enters the first layer of every per-angle MLP.
///
/// A constant input feature stands in for the first layer's bias; the
/// other layers have none (the policy's dense output layer has a bias per
/// output). Burn's Flex backend adds a bias broadcast over this layout
/// element by element, which is slower than the products.
#[derive(Module, Debug)]
pub(crate) struct PerAngle<B: Backend> {
    weights: Vec<Param<Tensor<B, 3>>>,
    /// All angles' harmonics and the time features to the context, and
    /// per angle the context's weights in its MLP's first layer
    /// ([m, CONTEXT, PER_ANGLE_HIDDEN]); for targets with
    /// [`PerAngleInputs::context`] only.
    context: Option<(Linear<B>, Param<Tensor<B, 3>>)>,
    /// Per angle, the neighbours it sees, at most [`NEIGHBOUR_SLOTS`].
    #[module(skip)]
    neighbours: Vec<Vec<usize>>,
    /// Neighbour slots of every angle's input (unused ones are zero).
    #[module(skip)]
    slots: usize,
}

/// Width of the per-angle MLPs.
const PER_ANGLE_HIDDEN: usize = 32;

/// Features of the context of all angles that every per-angle MLP sees.
const CONTEXT: usize = 8;

/// Most neighbours one angle's MLP sees: the closest ones.
const NEIGHBOUR_SLOTS: usize = 4;

/// Inputs of one angle's MLP with `slots` neighbour slots: the harmonics of
/// the angle and of each slot, the time features, and 1.
fn per_angle_inputs(slots: usize) -> usize {
    2 * HARMONICS * (1 + slots) + TIME_FEATURES + 1
}

/// What the per-angle MLPs see besides their own angle and the time.
#[derive(Clone, Debug)]
pub(crate) struct PerAngleInputs {
    /// Per angle, its neighbours (see [`super::Target::neighbours`]).
    pub neighbours: Vec<Vec<usize>>,
    /// A context learned from all angles (see
    /// [`super::Target::long_range`]).
    pub context: bool,
}

impl<B: Backend> PerAngle<B> {
    fn new(
        dim: usize,
        inputs: &PerAngleInputs,
        rng: &mut impl rand::Rng,
        device: &B::Device,
    ) -> Self {
        let neighbours: Vec<Vec<usize>> = (0..dim)
            .map(|d| {
                let mut n = inputs.neighbours.get(d).cloned().unwrap_or_default();
                n.retain(|&e| e < dim && e != d);
                n.truncate(NEIGHBOUR_SLOTS);
                n
            })
            .collect();
        let slots = neighbours.iter().map(Vec::len).max().unwrap_or(0);
        let width = per_angle_inputs(slots);
        let sizes = [width, PER_ANGLE_HIDDEN, PER_ANGLE_HIDDEN, 2];
        let n = sizes.len() - 1;
        let weights = (0..n)
            .map(|i| {
                let (d_in, d_out) = (sizes[i], sizes[i + 1]);
                let w = initial(dim * d_in * d_out, d_in, i + 1 == n, rng);
                let w = TensorData::new(w, [dim, d_in, d_out]);
                Param::from_tensor(Tensor::from_data(w, device))
            })
            .collect();
        let context = inputs.context.then(|| {
            let layer = linear(policy_inputs(dim), CONTEXT, false, rng, device);
            let w = initial(dim * CONTEXT * PER_ANGLE_HIDDEN, CONTEXT, false, rng);
            let w = TensorData::new(w, [dim, CONTEXT, PER_ANGLE_HIDDEN]);
            (layer, Param::from_tensor(Tensor::from_data(w, device)))
        });
        PerAngle {
            weights,
            context,
            neighbours,
            slots,
        }
    }

    /// Regroups policy input rows (harmonics of every angle, then the time
    /// features; see [`push_harmonics`]) by angle: [m, rows, inputs]. The
    /// regrouping is a loop here because as tensor operations (slice,
    /// permute, repeat, concatenate) it is slower than the rest of the
    /// policy.
    fn input(&self, rows: &[f32], device: &B::Device) -> Tensor<B, 3> {
        let m = self.neighbours.len();
        let cols = policy_inputs(m);
        let n = rows.len() / cols;
        let width = per_angle_inputs(self.slots);
        let mut out = Vec::with_capacity(m * n * width);
        for (d, neighbours) in self.neighbours.iter().enumerate() {
            for row in rows.chunks(cols) {
                for &e in std::iter::once(&d).chain(neighbours) {
                    out.extend((0..2 * HARMONICS).map(|j| row[j * m + e]));
                }
                let unused = self.slots - neighbours.len();
                out.extend(std::iter::repeat_n(0.0, 2 * HARMONICS * unused));
                out.extend_from_slice(&row[cols - TIME_FEATURES..]);
                out.push(1.0);
            }
        }
        Tensor::from_data(TensorData::new(out, [m, n, width]), device)
    }

    /// `input`: from [`PerAngle::input`]; `dense`: the policy's input
    /// rows, whence the context. Output [rows, 2m] laid out as the
    /// policy's.
    fn forward(&self, input: Tensor<B, 3>, dense: &Tensor<B, 2>) -> Tensor<B, 2> {
        let [m, rows, _] = input.dims();
        let mut x = input;
        let n = self.weights.len();
        for (i, w) in self.weights.iter().enumerate() {
            x = x.matmul(w.val());
            if let (0, Some((layer, weights))) = (i, &self.context) {
                // [1, rows, CONTEXT] against [m, CONTEXT, hidden]:
                // broadcast over the angles.
                let context = relu(layer.forward(dense.clone())).unsqueeze_dim::<3>(0);
                x = x + context.matmul(weights.val());
            }
            if i + 1 < n {
                x = relu(x);
            }
        }
        // [m, rows, 2] → [rows, 2, m] → [rows, 2m]: drifts, then logits.
        x.permute([1, 2, 0]).reshape([rows, 2 * m])
    }
}

/// Policy input rows as the two MLPs take them: as they are for the dense
/// one, and regrouped by angle for the per-angle ones.
pub(crate) struct PolicyInput<B: Backend> {
    pub dense: Tensor<B, 2>,
    /// [m, rows, inputs]; only for a policy with per-angle MLPs.
    per_angle: Option<Tensor<B, 3>>,
}

/// The generative step at (x, t): per angle, the drift s_θ(x, t) and the
/// logit u_θ(x, t) of the step's variance (see the Learner). Input rows are
/// the angle harmonics and the time features. The output is the sum of a
/// dense MLP over all angles (their coupling) and of one small MLP per
/// angle (its own wells): with the dense MLP alone, every angle's part of
/// the fit is learned through hidden units shared with all the others, and
/// the fit degrades fast with the number of angles (docs/method.md,
/// "Per-angle MLPs beside the dense one"). With the Langevin
/// parametrisation a learned time-dependent multiple of σ(t)·∇ log R is
/// added to the drift (σ-scaled like the network output, so the multiple
/// is near one where the noise is small).
#[derive(Module, Debug)]
pub(crate) struct Policy<B: Backend> {
    net: Mlp<B>,
    per_angle: Option<PerAngle<B>>,
    langevin: Option<Linear<B>>,
}

impl<B: Backend> Policy<B> {
    pub fn new(
        dim: usize,
        hidden: usize,
        layers: usize,
        per_angle: Option<&PerAngleInputs>,
        langevin: bool,
        rng: &mut impl rand::Rng,
        device: &B::Device,
    ) -> Self {
        let mut sizes = vec![policy_inputs(dim)];
        sizes.extend(std::iter::repeat_n(hidden, layers));
        sizes.push(2 * dim);
        let net = Mlp::new(&sizes, true, rng, device);
        let per_angle = per_angle.map(|n| PerAngle::new(dim, n, rng, device));
        // Zero so that the untrained policy has no drift.
        let langevin = langevin.then(|| linear(TIME_FEATURES, 1, true, rng, device));
        Policy {
            net,
            per_angle,
            langevin,
        }
    }

    /// The input this policy takes from rows of [`policy_inputs`]`(m)`.
    pub fn input(&self, rows: Vec<f32>, m: usize, device: &B::Device) -> PolicyInput<B> {
        PolicyInput {
            per_angle: self.per_angle.as_ref().map(|net| net.input(&rows, device)),
            dense: matrix(rows, policy_inputs(m), device),
        }
    }

    /// `input`: from [`Policy::input`]; `grad_log_r`: [rows, m], used only
    /// with the Langevin parametrisation.
    /// Output: [rows, 2m], the m drifts and then the m variance logits.
    pub fn forward(
        &self,
        input: &PolicyInput<B>,
        grad_log_r: Option<Tensor<B, 2>>,
    ) -> Tensor<B, 2> {
        let mut out = self.net.forward(input.dense.clone());
        if let (Some(net), Some(x)) = (&self.per_angle, &input.per_angle) {
            out = out + net.forward(x.clone(), &input.dense);
        }
        let input = input.dense.clone();
        let [rows, cols] = input.dims();
        match (&self.langevin, grad_log_r) {
            (Some(layer), Some(g)) => {
                let m = g.dims()[1];
                let t = input.slice([0..rows, cols - TIME_FEATURES..cols]);
                let drift = out.clone().slice([0..rows, 0..m]) + layer.forward(t) * g;
                Tensor::cat(vec![drift, out.slice([0..rows, m..2 * m])], 1)
            }
            _ => out,
        }
    }

    pub fn uses_gradient(&self) -> bool {
        self.langevin.is_some()
    }
}

/// A learned scalar (log Z).
#[derive(Module, Debug)]
pub(crate) struct Scalar<B: Backend> {
    value: Param<Tensor<B, 1>>,
}

impl<B: Backend> Scalar<B> {
    pub fn new(value: f64, device: &B::Device) -> Self {
        Scalar {
            value: Param::from_tensor(Tensor::from_data(
                TensorData::new(vec![value as f32], [1]),
                device,
            )),
        }
    }

    pub fn tensor(&self) -> Tensor<B, 1> {
        self.value.val()
    }

    pub fn get(&self) -> f64 {
        f64::from(values(self.value.val())[0])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::backend::Flex;
    use rand::SeedableRng;

    /// Without the context, angle d's per-angle outputs (columns d and
    /// m + d) must depend on angle d and its neighbours alone, and on all
    /// of them; with it, on every angle.
    #[test]
    fn per_angle_outputs_see_their_neighbours_and_the_context_of_all() {
        let device = Default::default();
        let mut rng = rand::rngs::StdRng::seed_from_u64(3);
        let m = 4;
        let neighbours = vec![vec![2], vec![], vec![3, 0], vec![2]];
        let inputs = PerAngleInputs {
            neighbours: neighbours.clone(),
            context: true,
        };
        let mut net = PerAngle::<Flex>::new(m, &inputs, &mut rng, &device);
        // The last layer starts at zero; give it weights to see through.
        let last = net.weights.len() - 1;
        let w = initial(m * PER_ANGLE_HIDDEN * 2, PER_ANGLE_HIDDEN, false, &mut rng);
        net.weights[last] = Param::from_tensor(Tensor::from_data(
            TensorData::new(w, [m, PER_ANGLE_HIDDEN, 2]),
            &device,
        ));
        let row = |net: &PerAngle<Flex>, x: &[f64]| {
            let mut input = Vec::new();
            push_harmonics(x, &mut input);
            input.extend(time_features(0.4));
            let dense = matrix(input.clone(), policy_inputs(m), &device);
            values(net.forward(net.input(&input, &device), &dense))
        };
        let changes = |net: &PerAngle<Flex>| {
            let base = [0.1, -1.2, 2.5, 0.7];
            let out = row(net, &base);
            (0..m)
                .map(|d| {
                    let mut x = base;
                    x[d] += 0.8;
                    let moved = row(net, &x);
                    (0..2 * m)
                        .map(|col| (moved[col] - out[col]).abs() > 1e-6)
                        .collect::<Vec<bool>>()
                })
                .collect::<Vec<_>>()
        };
        let with_context = changes(&net);
        assert!(with_context.iter().flatten().all(|&c| c));
        net.context = None;
        for (d, changed) in changes(&net).iter().enumerate() {
            for (j, seen) in neighbours.iter().enumerate() {
                for col in [j, m + j] {
                    let sees = j == d || seen.contains(&d);
                    assert_eq!(changed[col], sees, "angle {d} moved output column {col}");
                }
            }
        }
    }
}
