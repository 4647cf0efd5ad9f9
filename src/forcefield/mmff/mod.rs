//! MMFF94 and MMFF94s: parameter tables and energy terms with analytic
//! gradients.

mod aromaticity;
mod charges;
pub mod params;
mod ring_order;
pub mod setup;
pub mod terms;
pub mod topology;
pub mod typing;

pub use params::{Params, Variant};
pub use setup::{MmffError, MmffOptions, MmffSystem};
pub use terms::{Dielectric, Energies, Terms};
