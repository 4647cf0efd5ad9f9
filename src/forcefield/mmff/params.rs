//! The MMFF94 / MMFF94s parameter tables, parsed once from the files in
//! `forcefields/mmff94/` compiled into the binary.
//!
//! Tables are keyed by numeric MMFF atom types (1–99) and interaction
//! classes exactly as the files list them; canonical ordering of keys (i ≤ k,
//! i ≤ l) is the caller's job, as is the step-down search.

use std::collections::HashMap;
use std::sync::OnceLock;

/// The two parameter sets.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Variant {
    #[default]
    Mmff94,
    /// MMFF94s: MMFF94 with more planar delocalised nitrogens (its own
    /// out-of-plane and torsion tables).
    Mmff94s,
}

/// Per-type properties (MMFFPROP.PAR).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TypeProps {
    pub atomic_number: u8,
    pub crd: u8,
    pub val: u8,
    pub pilp: bool,
    /// 1 triple, 2 double, 0 none.
    pub mltb: u8,
    pub arom: bool,
    pub lin: bool,
    pub sbmb: bool,
}

/// Hydrogen-bond role in the vdW combination rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DonorAcceptor {
    Donor,
    Acceptor,
    Neither,
}

/// Buffered 14-7 parameters of one type (MMFFVDW.PAR).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct VdwType {
    pub alpha: f64,
    pub n: f64,
    pub a: f64,
    pub g: f64,
    pub da: DonorAcceptor,
}

/// The global constants on the first line of MMFFVDW.PAR.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct VdwRule {
    pub power: f64,
    pub b: f64,
    pub beta: f64,
    pub darad: f64,
    pub daeps: f64,
}

/// Torsion table key: (torsion type, i, j, k, l).
pub type TorsionKey = (u8, u8, u8, u8, u8);

#[derive(Debug)]
pub struct Params {
    props: HashMap<u8, TypeProps>,
    /// Equivalence levels 1–5 per type (MMFFDEF.PAR).
    levels: HashMap<u8, [u8; 5]>,
    /// (bt, i, j) → (kb, r0).
    pub bonds: HashMap<(u8, u8, u8), (f64, f64)>,
    /// (Z_i, Z_j) → (r0_ref, kb_ref), Z_i ≤ Z_j.
    pub bond_refs: HashMap<(u8, u8), (f64, f64)>,
    /// (row_i, row_j) → (a, d_ij, d'_ij) of Badger's rule.
    pub badger: HashMap<(u8, u8), (f64, f64, f64)>,
    /// Z → (covalent radius, electronegativity).
    pub covalent: HashMap<u8, (f64, f64)>,
    /// (at, i, j, k) → (ka, θ0 degrees).
    pub angles: HashMap<(u8, u8, u8, u8), (f64, f64)>,
    /// (sbt, i, j, k) → (kba_ijk, kba_kji).
    pub stretch_bends: HashMap<(u8, u8, u8, u8), (f64, f64)>,
    /// (row_i, row_j, row_k) → (F_ijk, F_kji).
    pub stretch_bend_defaults: HashMap<(u8, u8, u8), (f64, f64)>,
    /// (i, j, k, l), j the centre → koop.
    pub oops: HashMap<(u8, u8, u8, u8), f64>,
    /// (tt, i, j, k, l) → [V1, V2, V3].
    pub torsions: HashMap<TorsionKey, [f64; 3]>,
    vdw: HashMap<u8, VdwType>,
    pub vdw_rule: VdwRule,
    /// (bt, i, j), i < j → bci (j gains +bci).
    pub bond_charges: HashMap<(u8, u8, u8), f64>,
    /// type → (pbci, fcadj).
    partial_charges: HashMap<u8, (f64, f64)>,
}

const PROP: &str = include_str!("../../../forcefields/mmff94/MMFFPROP.PAR");
const DEF: &str = include_str!("../../../forcefields/mmff94/MMFFDEF.PAR");
const BOND: &str = include_str!("../../../forcefields/mmff94/MMFFBOND.PAR");
const BNDK: &str = include_str!("../../../forcefields/mmff94/MMFFBNDK.PAR");
const HERM: &str = include_str!("../../../forcefields/mmff94/MMFFHERM.PAR");
const COVR: &str = include_str!("../../../forcefields/mmff94/MMFFCOVR.PAR");
const ANG: &str = include_str!("../../../forcefields/mmff94/MMFFANG.PAR");
const STBN: &str = include_str!("../../../forcefields/mmff94/MMFFSTBN.PAR");
const DFSB: &str = include_str!("../../../forcefields/mmff94/MMFFDFSB.PAR");
const OOP: &str = include_str!("../../../forcefields/mmff94/MMFFOOP.PAR");
const SOOP: &str = include_str!("../../../forcefields/mmff94/MMFFSOOP.PAR");
const TOR: &str = include_str!("../../../forcefields/mmff94/MMFFTOR.PAR");
const STOR: &str = include_str!("../../../forcefields/mmff94/MMFFSTOR.PAR");
const VDW: &str = include_str!("../../../forcefields/mmff94/MMFFVDW.PAR");
const CHG: &str = include_str!("../../../forcefields/mmff94/MMFFCHG.PAR");
const PBCI: &str = include_str!("../../../forcefields/mmff94/MMFFPBCI.PAR");

/// Data rows of a parameter file: comment lines (`*`) skipped, stopping at
/// `$`, split on whitespace.
fn rows(text: &str) -> impl Iterator<Item = Vec<&str>> {
    text.lines()
        .take_while(|l| !l.starts_with('$'))
        .filter(|l| !l.starts_with('*') && !l.trim().is_empty())
        .map(|l| l.split_whitespace().collect())
}

/// The embedded tables are fixed data checked by the tests; a parse failure
/// is a build defect, not a user error.
fn int(s: &str) -> u8 {
    s.parse()
        .unwrap_or_else(|_| panic!("bad integer '{s}' in an embedded MMFF table"))
}

fn num(s: &str) -> f64 {
    s.parse()
        .unwrap_or_else(|_| panic!("bad number '{s}' in an embedded MMFF table"))
}

impl Params {
    /// The parameters of a variant, parsed on first use.
    pub fn get(variant: Variant) -> &'static Params {
        static MMFF94: OnceLock<Params> = OnceLock::new();
        static MMFF94S: OnceLock<Params> = OnceLock::new();
        match variant {
            Variant::Mmff94 => MMFF94.get_or_init(|| Params::parse(OOP, TOR)),
            Variant::Mmff94s => MMFF94S.get_or_init(|| Params::parse(SOOP, STOR)),
        }
    }

    fn parse(oop: &str, tor: &str) -> Params {
        let props = rows(PROP)
            .map(|r| {
                let f = |k: usize| int(r[k]);
                (
                    f(0),
                    TypeProps {
                        atomic_number: f(1),
                        crd: f(2),
                        val: f(3),
                        pilp: f(4) != 0,
                        mltb: f(5),
                        arom: f(6) != 0,
                        lin: f(7) != 0,
                        sbmb: f(8) != 0,
                    },
                )
            })
            .collect();
        let mut levels = HashMap::new();
        for r in rows(DEF) {
            let l = [int(r[1]), int(r[2]), int(r[3]), int(r[4]), int(r[5])];
            levels.entry(l[0]).or_insert(l);
        }
        let mut vdw_rows = rows(VDW);
        let header = vdw_rows.next().expect("MMFFVDW.PAR has a header row");
        let vdw_rule = VdwRule {
            power: num(header[0]),
            b: num(header[1]),
            beta: num(header[2]),
            darad: num(header[3]),
            daeps: num(header[4]),
        };
        let vdw = vdw_rows
            .map(|r| {
                let da = match r[5] {
                    "D" => DonorAcceptor::Donor,
                    "A" => DonorAcceptor::Acceptor,
                    _ => DonorAcceptor::Neither,
                };
                (
                    int(r[0]),
                    VdwType {
                        alpha: num(r[1]),
                        n: num(r[2]),
                        a: num(r[3]),
                        g: num(r[4]),
                        da,
                    },
                )
            })
            .collect();
        Params {
            props,
            levels,
            bonds: rows(BOND)
                .map(|r| ((int(r[0]), int(r[1]), int(r[2])), (num(r[3]), num(r[4]))))
                .collect(),
            bond_refs: rows(BNDK)
                .map(|r| ((int(r[0]), int(r[1])), (num(r[2]), num(r[3]))))
                .collect(),
            badger: rows(HERM)
                .map(|r| ((int(r[0]), int(r[1])), (num(r[2]), num(r[3]), num(r[4]))))
                .collect(),
            covalent: rows(COVR)
                .map(|r| (int(r[0]), (num(r[1]), num(r[2]))))
                .collect(),
            angles: rows(ANG)
                .map(|r| {
                    (
                        (int(r[0]), int(r[1]), int(r[2]), int(r[3])),
                        (num(r[4]), num(r[5])),
                    )
                })
                .collect(),
            stretch_bends: rows(STBN)
                .map(|r| {
                    (
                        (int(r[0]), int(r[1]), int(r[2]), int(r[3])),
                        (num(r[4]), num(r[5])),
                    )
                })
                .collect(),
            stretch_bend_defaults: rows(DFSB)
                .map(|r| ((int(r[0]), int(r[1]), int(r[2])), (num(r[3]), num(r[4]))))
                .collect(),
            oops: rows(oop)
                .map(|r| ((int(r[0]), int(r[1]), int(r[2]), int(r[3])), num(r[4])))
                .collect(),
            torsions: rows(tor)
                .map(|r| {
                    (
                        (int(r[0]), int(r[1]), int(r[2]), int(r[3]), int(r[4])),
                        [num(r[5]), num(r[6]), num(r[7])],
                    )
                })
                .collect(),
            vdw,
            vdw_rule,
            bond_charges: rows(CHG)
                .map(|r| ((int(r[0]), int(r[1]), int(r[2])), num(r[3])))
                .collect(),
            partial_charges: rows(PBCI)
                .map(|r| (int(r[1]), (num(r[2]), num(r[3]))))
                .collect(),
        }
    }

    pub fn props(&self, atom_type: u8) -> Option<&TypeProps> {
        self.props.get(&atom_type)
    }

    /// Equivalence levels 1–5 of a type (level 5 = 0, the wild card).
    pub fn levels(&self, atom_type: u8) -> Option<[u8; 5]> {
        self.levels.get(&atom_type).copied()
    }

    pub fn vdw(&self, atom_type: u8) -> Option<&VdwType> {
        self.vdw.get(&atom_type)
    }

    /// (pbci, fcadj) of a type.
    pub fn partial_charge(&self, atom_type: u8) -> Option<(f64, f64)> {
        self.partial_charges.get(&atom_type).copied()
    }

    /// vdW minimum distance R*_ij and well depth ε_ij of a type pair (the
    /// MMFF.II combination rules).
    pub fn vdw_pair(&self, ti: u8, tj: u8) -> Option<(f64, f64)> {
        let (i, j) = (self.vdw(ti)?, self.vdw(tj)?);
        let rule = &self.vdw_rule;
        let r_ii = i.a * i.alpha.powf(rule.power);
        let r_jj = j.a * j.alpha.powf(rule.power);
        let donor = i.da == DonorAcceptor::Donor || j.da == DonorAcceptor::Donor;
        let gamma = (r_ii - r_jj) / (r_ii + r_jj);
        let mut r_ij = 0.5 * (r_ii + r_jj);
        if !donor {
            r_ij *= 1.0 + rule.b * (1.0 - (-rule.beta * gamma * gamma).exp());
        }
        let mut eps = 181.16 * i.g * j.g * i.alpha * j.alpha
            / (((i.alpha / i.n).sqrt() + (j.alpha / j.n).sqrt()) * r_ij.powi(6));
        let donor_acceptor = matches!(
            (i.da, j.da),
            (DonorAcceptor::Donor, DonorAcceptor::Acceptor)
                | (DonorAcceptor::Acceptor, DonorAcceptor::Donor)
        );
        if donor_acceptor {
            r_ij *= rule.darad;
            eps *= rule.daeps;
        }
        Some((r_ij, eps))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_have_the_published_record_counts() {
        let p = Params::get(Variant::Mmff94);
        // Counts BatchMin reports reading for the validation suite.
        assert_eq!(p.bonds.len(), 493);
        assert_eq!(p.bond_charges.len(), 498);
        assert_eq!(p.angles.len(), 2342);
        assert_eq!(p.stretch_bends.len(), 282);
        assert_eq!(p.stretch_bend_defaults.len(), 30);
        assert_eq!(p.oops.len(), 117);
        assert_eq!(p.torsions.len(), 926);
        assert_eq!(p.props.len(), 95);
        assert_eq!(p.vdw.len(), 95);
        let s = Params::get(Variant::Mmff94s);
        assert_eq!(s.oops.len(), 117);
        assert_eq!(s.torsions.len(), 926);
        assert_ne!(p.oops, s.oops);
    }

    #[test]
    fn spot_values() {
        let p = Params::get(Variant::Mmff94);
        assert_eq!(p.bonds[&(0, 1, 1)], (4.258, 1.508));
        assert_eq!(p.angles[&(0, 1, 1, 1)], (0.851, 109.608));
        assert_eq!(p.torsions[&(0, 1, 1, 1, 1)], [0.103, 0.681, 0.332]);
        let carbonyl = p.props(3).unwrap();
        assert_eq!(
            (carbonyl.atomic_number, carbonyl.crd, carbonyl.mltb),
            (6, 3, 2)
        );
        assert!(p.props(4).unwrap().lin);
        assert_eq!(p.levels(1), Some([1, 1, 1, 1, 0]));
        assert_eq!(p.vdw_rule.darad, 0.8);
        // Alkyl carbon pair: R*_ii = 3.89 * 1.05^0.25, no B term for equal radii.
        let (r, _) = p.vdw_pair(1, 1).unwrap();
        assert!((r - 3.89 * 1.05f64.powf(0.25)).abs() < 1e-12);
    }
}
