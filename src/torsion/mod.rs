//! Torsion space: the rotatable bonds of a molecule.

mod rotors;

pub use rotors::{find_rotors, Rotor, RotorOptions};
