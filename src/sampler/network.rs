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

/// A dense layer with PyTorch's default initialisation U(±1/√fan_in), or
/// all zeros.
fn linear<B: Backend>(
    d_in: usize,
    d_out: usize,
    zero: bool,
    rng: &mut impl rand::Rng,
    device: &B::Device,
) -> Linear<B> {
    let k = 1.0 / (d_in as f32).sqrt();
    let mut draw = |n: usize| -> Vec<f32> {
        if zero {
            vec![0.0; n]
        } else {
            (0..n).map(|_| rng.random_range(-k..k)).collect()
        }
    };
    let weight = Tensor::from_data(TensorData::new(draw(d_in * d_out), [d_in, d_out]), device);
    let bias = Tensor::from_data(TensorData::new(draw(d_out), [d_out]), device);
    Linear {
        weight: Param::from_tensor(weight),
        bias: Some(Param::from_tensor(bias)),
    }
}

/// Multilayer perceptron with ReLU between layers. (SiLU and GELU cost a
/// scalar exp or erf per unit on the Flex backend, half of all training
/// time; ReLU measured twice as fast with equal or better samplers.)
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

/// The generative step at (x, t): per angle, the drift s_θ(x, t) and the
/// logit u_θ(x, t) of the step's variance (see the Learner). Input rows are
/// the angle harmonics and the time features; with the Langevin
/// parametrisation a learned time-dependent multiple of σ(t)·∇ log R is
/// added to the drift (σ-scaled like the network output, so the multiple is
/// near one where the noise is small).
#[derive(Module, Debug)]
pub(crate) struct Policy<B: Backend> {
    net: Mlp<B>,
    langevin: Option<Linear<B>>,
}

impl<B: Backend> Policy<B> {
    pub fn new(
        dim: usize,
        hidden: usize,
        layers: usize,
        langevin: bool,
        rng: &mut impl rand::Rng,
        device: &B::Device,
    ) -> Self {
        let mut sizes = vec![policy_inputs(dim)];
        sizes.extend(std::iter::repeat_n(hidden, layers));
        sizes.push(2 * dim);
        let net = Mlp::new(&sizes, true, rng, device);
        // Zero so that the untrained policy has no drift.
        let langevin = langevin.then(|| linear(TIME_FEATURES, 1, true, rng, device));
        Policy { net, langevin }
    }

    /// `input`: [rows, policy_inputs(m)]; `grad_log_r`: [rows, m], used only
    /// with the Langevin parametrisation. Output: [rows, 2m], the m drifts
    /// and then the m variance logits.
    pub fn forward(&self, input: Tensor<B, 2>, grad_log_r: Option<Tensor<B, 2>>) -> Tensor<B, 2> {
        let [rows, cols] = input.dims();
        let out = self.net.forward(input.clone());
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
