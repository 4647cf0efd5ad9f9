//! `conformers info`: what the tool sees in each record — size, charge,
//! rings, rotors, stereochemistry and problems with the geometry.

use crate::forcefield::mmff::typing::assign_atom_types;
use crate::mol::stereo::{Stereo, FLAT_CENTRE};
use crate::mol::Molecule;
use crate::torsion::{find_rotors, RotorOptions};
use serde::Serialize;
use std::fmt::Write as _;

#[derive(Clone, Debug, Serialize)]
pub struct RotorInfo {
    /// The rotatable bond (j, k), 0-based.
    pub bond: [usize; 2],
    /// Dihedral quadruple (i, j, k, l), 0-based.
    pub dihedral: [usize; 4],
    /// Its value in the input, degrees.
    pub dihedral_deg: f64,
    /// End atom whose side turns.
    pub moving_end: usize,
    /// Number of atoms on the turning side.
    pub moving_atoms: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct CentreInfo {
    pub atom: usize,
    /// CIP label (R or S) when priorities decide.
    pub label: Option<String>,
    /// `clockwise` or `anticlockwise`: neighbours in index order seen with
    /// the last one pointing away.
    pub parity: &'static str,
    /// Normalised chiral volume (±1 ideal, 0 flat).
    pub chiral_volume: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct DoubleBondInfo {
    /// (i, a, b, l): the double bond a=b and a reference neighbour per side.
    pub atoms: [usize; 4],
    /// CIP label (E or Z) when priorities decide.
    pub label: Option<String>,
    /// Whether i and l are on the same side.
    pub cis: bool,
    pub dihedral_deg: f64,
}

/// Description of one record, as printed by `conformers info --json` (all
/// indices 0-based).
#[derive(Clone, Debug, Serialize)]
pub struct MoleculeInfo {
    pub index: usize,
    pub name: String,
    pub status: &'static str,
    pub num_atoms: usize,
    pub num_heavy_atoms: usize,
    pub num_bonds: usize,
    pub formula: String,
    pub molecular_weight: f64,
    pub net_charge: i32,
    pub num_fragments: usize,
    /// Numeric MMFF94 atom types; absent when MMFF94 cannot type the
    /// molecule (the reason is among the problems).
    pub mmff_atom_types: Option<Vec<u8>>,
    /// SSSR rings as atom cycles.
    pub rings: Vec<Vec<usize>>,
    pub ring_sizes: Vec<usize>,
    pub num_rotors: usize,
    /// Dihedral quadruples of the rotors.
    pub rotors: Vec<[usize; 4]>,
    pub rotor_details: Vec<RotorInfo>,
    pub stereo_centres: Vec<CentreInfo>,
    pub double_bond_stereo: Vec<DoubleBondInfo>,
    /// Things a chemist should look at; the record is still usable.
    pub problems: Vec<String>,
}

/// Shortest plausible distance between two atoms (Å).
const MIN_DISTANCE: f64 = 0.5;
/// Longest plausible bond (Å).
const MAX_BOND: f64 = 3.5;

pub fn describe(mol: &Molecule, index: usize, options: RotorOptions) -> MoleculeInfo {
    let coords = mol.coords();
    let rotors = find_rotors(mol, options);
    let stereo = Stereo::perceive(mol);
    let mut problems = Vec::new();
    for centre in &stereo.centres {
        if centre.chiral_volume.abs() < FLAT_CENTRE {
            problems.push(format!(
                "stereocentre at atom {} is nearly flat (chiral volume {:.2}); its configuration is ill-defined",
                centre.atom + 1,
                centre.chiral_volume
            ));
        }
    }
    for bond in mol.bonds() {
        let [a, b] = bond.atoms;
        let d = (coords[a] - coords[b]).norm();
        if d > MAX_BOND {
            problems.push(format!("bond {}-{} is {d:.2} Å long", a + 1, b + 1));
        }
    }
    'pairs: for a in 0..mol.num_atoms() {
        for b in a + 1..mol.num_atoms() {
            let d = (coords[a] - coords[b]).norm();
            if d < MIN_DISTANCE {
                problems.push(format!(
                    "atoms {} and {} overlap ({d:.2} Å apart)",
                    a + 1,
                    b + 1
                ));
                break 'pairs;
            }
        }
    }
    let mmff_atom_types = match assign_atom_types(mol) {
        Ok(typing) => Some(typing.types),
        Err(e) => {
            problems.push(e.to_string());
            None
        }
    };
    let fragments = mol.fragments();
    MoleculeInfo {
        index,
        name: mol.name().to_string(),
        status: "ok",
        num_atoms: mol.num_atoms(),
        num_heavy_atoms: mol.num_heavy_atoms(),
        num_bonds: mol.bonds().len(),
        formula: mol.formula(),
        molecular_weight: (mol.molecular_weight() * 1000.0).round() / 1000.0,
        net_charge: mol.net_charge(),
        num_fragments: fragments.len(),
        mmff_atom_types,
        rings: mol.rings().cycles().to_vec(),
        ring_sizes: mol.rings().sizes(),
        num_rotors: rotors.len(),
        rotors: rotors.iter().map(|r| r.dihedral).collect(),
        rotor_details: rotors
            .iter()
            .map(|r| RotorInfo {
                bond: [r.dihedral[1], r.dihedral[2]],
                dihedral: r.dihedral,
                dihedral_deg: round2(crate::mol::stereo::dihedral(coords, r.dihedral).to_degrees()),
                moving_end: r.moving_end,
                moving_atoms: r.moving.len(),
            })
            .collect(),
        stereo_centres: stereo
            .centres
            .iter()
            .map(|c| CentreInfo {
                atom: c.atom,
                label: c.label.map(|l| l.to_string()),
                parity: if c.clockwise {
                    "clockwise"
                } else {
                    "anticlockwise"
                },
                chiral_volume: round2(c.chiral_volume),
            })
            .collect(),
        double_bond_stereo: stereo
            .double_bonds
            .iter()
            .map(|d| DoubleBondInfo {
                atoms: d.atoms,
                label: d.label.map(|l| l.to_string()),
                cis: d.cis,
                dihedral_deg: round2(d.dihedral_deg),
            })
            .collect(),
        problems,
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Human-readable description; atom numbers are 1-based, as in the file.
pub fn to_text(info: &MoleculeInfo, mol: &Molecule) -> String {
    let sym = |a: usize| format!("{}{}", mol.atom(a).element.symbol(), a + 1);
    let mut out = String::new();
    let _ = writeln!(out, "record {}: {}", info.index + 1, info.name);
    let _ = writeln!(
        out,
        "  {} ({:.3} g/mol), {} atoms ({} heavy), {} bonds, net charge {:+}, {} fragment{}",
        info.formula,
        info.molecular_weight,
        info.num_atoms,
        info.num_heavy_atoms,
        info.num_bonds,
        info.net_charge,
        info.num_fragments,
        if info.num_fragments == 1 { "" } else { "s" }
    );
    let sizes: Vec<String> = info.ring_sizes.iter().map(|s| s.to_string()).collect();
    let _ = writeln!(
        out,
        "  rings: {}",
        if sizes.is_empty() {
            "none".into()
        } else {
            sizes.join(", ")
        }
    );
    if let Some(types) = &info.mmff_atom_types {
        let list: Vec<String> = types
            .iter()
            .enumerate()
            .map(|(i, t)| format!("{}:{t}", sym(i)))
            .collect();
        let _ = writeln!(out, "  MMFF94 types: {}", list.join(" "));
    }
    let _ = writeln!(out, "  rotors: {}", info.num_rotors);
    for r in &info.rotor_details {
        let [i, j, k, l] = r.dihedral;
        let _ = writeln!(
            out,
            "    {}-{}-{}-{}  {:>8.2}°  turns {} atoms on the {} side",
            sym(i),
            sym(j),
            sym(k),
            sym(l),
            r.dihedral_deg,
            r.moving_atoms,
            sym(r.moving_end)
        );
    }
    if !info.stereo_centres.is_empty() {
        let centres: Vec<String> = info
            .stereo_centres
            .iter()
            .map(|c| format!("{} {}", sym(c.atom), c.label.as_deref().unwrap_or(c.parity)))
            .collect();
        let _ = writeln!(out, "  stereocentres: {}", centres.join(", "));
    }
    if !info.double_bond_stereo.is_empty() {
        let bonds: Vec<String> = info
            .double_bond_stereo
            .iter()
            .map(|d| {
                let label = d.label.clone().unwrap_or_else(|| {
                    if d.cis {
                        "cis".into()
                    } else {
                        "trans".into()
                    }
                });
                format!("{}={} {label}", sym(d.atoms[1]), sym(d.atoms[2]))
            })
            .collect();
        let _ = writeln!(out, "  double-bond stereo: {}", bonds.join(", "));
    }
    for p in &info.problems {
        let _ = writeln!(out, "  problem: {p}");
    }
    out
}
