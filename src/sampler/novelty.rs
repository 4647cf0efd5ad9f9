//! Novelty by random network distillation: a fixed random network f and a
//! predictor f̂ trained on where the Learner goes; ν(τ) = ‖f(τ) − f̂(τ)‖² is
//! small there and large elsewhere.

use super::network::{matrix, push_angle_features, values, Mlp};
use burn::module::{AutodiffModule, Module};
use burn::optim::adaptor::OptimizerAdaptor;
use burn::optim::{Adam, AdamConfig, GradientsParams, Optimizer};
use burn::tensor::backend::AutodiffBackend;
use burn::tensor::Tensor;

const HIDDEN: usize = 64;
const OUTPUT: usize = 32;
const LEARNING_RATE: f64 = 1e-3;

pub(crate) struct Novelty<B: AutodiffBackend> {
    dim: usize,
    fixed: Mlp<B>,
    predictor: Mlp<B>,
    optim: OptimizerAdaptor<Adam, Mlp<B>, B>,
    device: B::Device,
    /// ν is divided by this (its mean over the buffer) so that one bonus
    /// weight serves every target.
    scale: f64,
}

impl<B: AutodiffBackend> Novelty<B> {
    pub fn new(dim: usize, rng: &mut super::Rng, device: B::Device) -> Self {
        let input = 2 * dim;
        let fixed = Mlp::new(&[input, HIDDEN, OUTPUT], false, rng, &device).no_grad();
        let predictor = Mlp::new(&[input, HIDDEN, HIDDEN, OUTPUT], false, rng, &device);
        Novelty {
            dim,
            fixed,
            predictor,
            optim: AdamConfig::new().with_epsilon(1e-8).init(),
            device,
            scale: 1.0,
        }
    }

    fn features(&self, points: &[f64]) -> Tensor<B, 2> {
        let mut input = Vec::with_capacity(points.len() * 2);
        for x in points.chunks(self.dim) {
            push_angle_features(x, &mut input);
        }
        matrix(input, 2 * self.dim, &self.device)
    }

    /// One Adam step of the predictor towards the fixed network at `points`.
    pub fn train(&mut self, points: &[f64]) {
        if points.is_empty() {
            return;
        }
        let input = self.features(points);
        let target = self.fixed.forward(input.clone()).detach();
        let loss = (self.predictor.forward(input) - target).square().mean();
        let mut grads = loss.backward();
        let grads = GradientsParams::from_module(&mut grads, &self.predictor);
        self.predictor = self
            .optim
            .step(LEARNING_RATE, self.predictor.clone(), grads);
    }

    /// Raw ν at every point.
    fn raw(&self, points: &[f64]) -> Vec<f64> {
        let input = self.features(points).inner();
        let diff =
            self.fixed.valid().forward(input.clone()) - self.predictor.valid().forward(input);
        values(diff.square().sum_dim(1))
            .into_iter()
            .map(f64::from)
            .collect()
    }

    /// Sets the scale to the mean raw ν over `points`.
    pub fn calibrate(&mut self, points: &[f64]) {
        let raw = self.raw(points);
        let mean = raw.iter().sum::<f64>() / raw.len().max(1) as f64;
        self.scale = if mean > 0.0 { mean } else { 1.0 };
    }

    /// Scaled ν and ∂ν/∂τ (m per point).
    pub fn value_grad(&self, points: &[f64]) -> (Vec<f64>, Vec<f64>) {
        let m = self.dim;
        let input = self.features(points).require_grad();
        let diff = self.fixed.forward(input.clone()) - self.predictor.forward(input.clone());
        let nu = diff.square().sum_dim(1);
        let nu_values: Vec<f64> = values(nu.clone())
            .into_iter()
            .map(|v| f64::from(v) / self.scale)
            .collect();
        let grads = nu.sum().backward();
        let d_features = input.grad(&grads).map(values).unwrap_or_default();
        let mut d_tau = vec![0.0; points.len()];
        if d_features.len() == 2 * points.len() {
            for (p, (x, g)) in points.chunks(m).zip(d_features.chunks(2 * m)).enumerate() {
                for d in 0..m {
                    // Features are sin τ then cos τ.
                    let (ds, dc) = (f64::from(g[d]), f64::from(g[m + d]));
                    d_tau[p * m + d] = (ds * x[d].cos() - dc * x[d].sin()) / self.scale;
                }
            }
        }
        (nu_values, d_tau)
    }
}
