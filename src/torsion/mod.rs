//! Torsion space: the rotatable bonds of a molecule, coordinates and MMFF94
//! energy as functions of their torsion angles.

mod rotors;
mod space;

pub use rotors::{find_rotors, is_amide_like, Rotor, RotorOptions};
pub use space::{BatchWorkspace, TorsionSpace, Workspace};
