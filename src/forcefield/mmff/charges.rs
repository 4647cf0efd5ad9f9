//! MMFF94 charges: formal charges q0 derived from the atom types (shared
//! over resonance partners), then partial charges from bond charge
//! increments (MMFF.V, eq. 15).

use super::params::Params;
use super::topology::Topology;
use crate::mol::{Element, Molecule};

/// MMFF formal charges q0 per atom. They follow from the MMFF types, not
/// from the input: nitro N, N-oxides and sulfoxides get 0 although the
/// input carries ±1, and resonance partners share charge.
pub fn formal_charges(mol: &Molecule, topo: &Topology) -> Vec<f64> {
    let types = &topo.types;
    (0..mol.num_atoms())
        .map(|atom| match types[atom] {
            32 | 72 => terminal_chalcogen_charge(mol, topo, atom),
            76 => {
                // Anionic aromatic 5-ring nitrogens share −1 over the ring.
                let ring = mol.rings().cycles().iter().find(|r| r.contains(&atom));
                match ring.map(|r| r.iter().filter(|&&a| types[a] == 76).count()) {
                    Some(n) if n > 0 => -1.0 / n as f64,
                    _ => 0.0,
                }
            }
            55 | 56 | 81 => conjugated_cation_charge(mol, types, atom),
            // Diazonium: the inner N carries +1.
            61 if mol.neighbors(atom).any(|n| types[n] == 42) => 1.0,
            34 | 49 | 51 | 54 | 58 | 92 | 93 | 94 | 97 => 1.0,
            87 | 95 | 96 | 98 | 99 => 2.0,
            88 => 3.0,
            35 | 62 | 89 | 90 | 91 => -1.0,
            _ => 0.0,
        })
        .collect()
}

/// Terminal O or S of types 32/72: the charge of the group it ends, shared
/// over the group's terminal O/S atoms.
fn terminal_chalcogen_charge(mol: &Molecule, topo: &Topology, atom: usize) -> f64 {
    for centre in mol.neighbors(atom) {
        let centre_type = topo.types[centre];
        let mut secondary_n = 0usize;
        let mut terminal = 0usize;
        for n in mol.neighbors(centre) {
            let element = mol.atom(n).element;
            if element == Element::N && mol.degree(n) == 2 && !topo.aromatic_atoms[n] {
                secondary_n += 1;
            }
            if matches!(element, Element::O | Element::S) && mol.degree(n) == 1 {
                terminal += 1;
            }
        }
        // A deprotonated sulfonamide keeps its N out of the sulfone count.
        if mol.atom(centre).element == Element::S && terminal == 2 && secondary_n == 1 {
            secondary_n = 0;
        }
        let (t, s) = (terminal as f64, secondary_n as f64);
        if mol.atom(centre).element == Element::C && terminal > 0 {
            return if terminal == 1 { -1.0 } else { -(t - 1.0) / t };
        }
        if centre_type == 45 && terminal == 3 {
            return -1.0 / 3.0;
        }
        if (centre_type == 25 || centre_type == 73) && terminal > 0 {
            return if terminal == 1 { 0.0 } else { -(t - 1.0) / t };
        }
        if centre_type == 18 && terminal > 0 {
            return if secondary_n + terminal == 2 {
                0.0
            } else {
                -(s + t - 2.0) / t
            };
        }
        if centre_type == 77 && terminal > 0 {
            return -1.0 / t;
        }
    }
    0.0
}

/// Cationic N of amidinium, guanidinium and imidazolium-like systems: the
/// total input formal charge of the N's conjugated through CNN+/CGD+/CIM+
/// carbons, shared equally.
fn conjugated_cation_charge(mol: &Molecule, types: &[u8], atom: usize) -> f64 {
    let is_cationic_n = |a: usize| matches!(types[a], 55 | 56 | 81);
    let mut members = vec![atom];
    let mut i = 0;
    while i < members.len() {
        let a = members[i];
        i += 1;
        for c in mol.neighbors(a).filter(|&c| matches!(types[c], 57 | 80)) {
            for n in mol.neighbors(c) {
                if is_cationic_n(n) && !members.contains(&n) {
                    members.push(n);
                }
            }
        }
    }
    let total: i32 = members.iter().map(|&a| i32::from(mol.atom(a).charge)).sum();
    f64::from(total) / members.len() as f64
}

/// Partial charges from formal charges and bond charge increments.
pub fn partial_charges(mol: &Molecule, topo: &Topology, params: &Params, q0: &[f64]) -> Vec<f64> {
    let types = &topo.types;
    (0..mol.num_atoms())
        .map(|atom| {
            let t = types[atom];
            let crd = params.props(t).map_or(0.0, |p| f64::from(p.crd));
            let (pbci, fcadj) = params.partial_charge(t).unwrap_or((0.0, 0.0));
            let mut q = q0[atom];
            if fcadj == 0.0 {
                // Negative neighbours leak charge onto atoms that do not share.
                for n in mol.neighbors(atom) {
                    if q0[n] < 0.0 {
                        q += q0[n] / (2.0 * mol.degree(n) as f64);
                    }
                }
            }
            if t == 62 {
                for n in mol.neighbors(atom) {
                    if q0[n] > 0.0 {
                        q -= q0[n] / 2.0;
                    }
                }
            }
            let mut increments = 0.0;
            let mut neighbour_formal = 0.0;
            for (bond, n) in mol.bonds_of(atom) {
                let tn = types[n];
                let bt = topo.bond_types[bond];
                let key = (bt, t.min(tn), t.max(tn));
                increments += match params.bond_charges.get(&key) {
                    // The higher-typed atom gains +bci.
                    Some(&bci) if t > tn => bci,
                    Some(&bci) => -bci,
                    None => pbci - params.partial_charge(tn).map_or(0.0, |p| p.0),
                };
                neighbour_formal += q0[n];
            }
            (1.0 - crd * fcadj) * q + fcadj * neighbour_formal + increments
        })
        .collect()
}
