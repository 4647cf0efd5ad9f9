//! Integration tests, one binary. Fixtures live in `tests/data/` and
//! `molecules/`; the large reference sets are read from `../shared` when
//! present and skipped with a message otherwise.

mod cli;
mod gen;
mod gen_run;
mod minimize;
mod mmff_energy;
mod mmff_terms;
mod mmff_typing;
mod rmsd;
mod rotors;
mod sampler;
mod sdf;
mod shard;
mod smiles;
mod stereo;
mod torsion;
mod util;
