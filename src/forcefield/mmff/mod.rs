//! MMFF94 and MMFF94s: parameter tables and energy terms with analytic
//! gradients.

pub mod params;
pub mod terms;
pub mod topology;
pub mod typing;

pub use params::{Params, Variant};
pub use terms::{Dielectric, Energies, Terms};
