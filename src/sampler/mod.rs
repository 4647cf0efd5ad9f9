//! The search-guided diffusion sampler on the torsion torus.
//!
//! A diffusion model on T^m (the Learner, [`learner`]) is trained with
//! trajectory balance on its own trajectories and on trajectories ending at
//! states that MCMC chains (the Searcher, [`searcher`]) found and stored in
//! a rank-prioritised replay buffer ([`buffer`]). From the second round the
//! chains chase a novelty bonus ([`novelty`]) that rewards what the Learner
//! has not yet seen; between rounds the Learner is re-initialised while
//! log Z and the buffer are kept. In the last round the Learner also
//! trains on the states of independence Metropolis–Hastings chains that
//! its own draws propose to, which tend to exact draws from the target.
//! Draws come with importance weights, an unbiased estimate of Z and the
//! effective sample size.
//!
//! Burn stays inside this module: callers give a [`Target`] and
//! [`Settings`] to [`run`] and get plain numbers back in an [`Outcome`].

mod buffer;
mod learner;
mod network;
mod novelty;
pub mod resample;
mod searcher;
mod sgds;
pub mod synthetic;
pub mod target;
pub mod torus;

pub use learner::Objective;
pub use searcher::SearchKind;
pub use sgds::{run, Ablation, Device, Effort, Outcome, SamplerError, Settings, PROBE_DRAWS};
pub use target::{MolecularTarget, Target};

/// The one random stream behind every choice of a run: seeded, portable.
pub(crate) type Rng = rand::rngs::Xoshiro256PlusPlus;
