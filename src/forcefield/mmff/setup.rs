//! Builds the MMFF94 interaction lists of a molecule: interaction classes,
//! parameter look-up with MMFF's step-down through equivalent types, the
//! empirical rules where the tables have nothing, and charges.

use super::charges::{formal_charges, partial_charges};
use super::params::{Params, TypeProps, Variant};
use super::terms::{
    AngleTerm, BondTerm, Dielectric, Energies, OopTerm, PairTerm, StretchBendTerm, Terms,
    TorsionTerm,
};
use super::topology::{nonbonded_pairs, Topology};
use super::typing::{assign_atom_types, AtomTypes, BondKind, UntypableAtom};
use crate::mol::Molecule;
use nalgebra::{Point3, Vector3};

/// Choices that change the energy function.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MmffOptions {
    pub variant: Variant,
    pub dielectric: Dielectric,
    /// Dielectric constant D (1 by default).
    pub dielectric_constant: f64,
    /// Drop nonbonded pairs farther apart than this (Å) in the geometry the
    /// system is built from; `None` keeps every pair.
    pub cutoff: Option<f64>,
}

impl Default for MmffOptions {
    fn default() -> Self {
        MmffOptions {
            variant: Variant::Mmff94,
            dielectric: Dielectric::Constant,
            dielectric_constant: 1.0,
            cutoff: None,
        }
    }
}

/// Why a molecule has no MMFF94 energy.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum MmffError {
    #[error(transparent)]
    Untypable(#[from] UntypableAtom),
    #[error("MMFF94 has no parameters for {what} of atoms {atoms}")]
    MissingParameter { what: &'static str, atoms: String },
}

/// A molecule's MMFF94 energy function: typed, charged, every interaction
/// with its parameters. Evaluation allocates nothing and is thread-safe.
#[derive(Clone, Debug)]
pub struct MmffSystem {
    types: Vec<u8>,
    formal_charges: Vec<f64>,
    partial_charges: Vec<f64>,
    terms: Terms,
}

impl MmffSystem {
    /// Types the molecule and builds its energy function.
    pub fn new(mol: &Molecule, options: &MmffOptions) -> Result<MmffSystem, MmffError> {
        let typing = assign_atom_types(mol)?;
        MmffSystem::with_types(mol, &typing, options)
    }

    /// Builds the energy function for given atom types.
    pub fn with_types(
        mol: &Molecule,
        typing: &AtomTypes,
        options: &MmffOptions,
    ) -> Result<MmffSystem, MmffError> {
        let params = Params::get(options.variant);
        for (atom, &t) in typing.types.iter().enumerate() {
            if params.props(t).is_none() || params.vdw(t).is_none() {
                return Err(MmffError::MissingParameter {
                    what: "the atom type",
                    atoms: (atom + 1).to_string(),
                });
            }
        }
        let topo = Topology::new(mol, typing, params);
        let q0 = formal_charges(mol, &topo);
        let charges = partial_charges(mol, &topo, params, &q0);
        let builder = Builder {
            mol,
            topo: &topo,
            params,
        };
        let mut terms = Terms {
            dielectric: options.dielectric,
            ..Terms::default()
        };
        for bond in 0..mol.bonds().len() {
            let [i, j] = mol.bonds()[bond].atoms;
            let (kb, r0) = builder.bond(i, j)?;
            terms.bonds.push(BondTerm {
                atoms: [i, j],
                kb,
                r0,
            });
        }
        for j in 0..mol.num_atoms() {
            let ns: Vec<usize> = mol.neighbors(j).collect();
            let linear = builder.props(j).lin;
            for a in 0..ns.len() {
                for b in a + 1..ns.len() {
                    let (i, k) = (ns[a], ns[b]);
                    let angle = builder.angle(i, j, k)?;
                    terms.angles.push(AngleTerm {
                        atoms: [i, j, k],
                        ka: angle.ka,
                        theta0: angle.theta0,
                        linear,
                    });
                    if !linear {
                        if let Some(t) = builder.stretch_bend(i, j, k, &angle)? {
                            terms.stretch_bends.push(t);
                        }
                    }
                }
            }
            if ns.len() == 3 {
                if let Some(koop) = builder.oop(j, [ns[0], ns[1], ns[2]]) {
                    for (i, k, l) in [
                        (ns[0], ns[1], ns[2]),
                        (ns[1], ns[2], ns[0]),
                        (ns[2], ns[0], ns[1]),
                    ] {
                        terms.oops.push(OopTerm {
                            atoms: [i, j, k, l],
                            koop,
                        });
                    }
                }
            }
        }
        for bond in 0..mol.bonds().len() {
            let [j, k] = mol.bonds()[bond].atoms;
            if !builder.torsion_centre(j) || !builder.torsion_centre(k) {
                continue;
            }
            for i in mol.neighbors(j).filter(|&i| i != k) {
                for l in mol.neighbors(k).filter(|&l| l != j && l != i) {
                    let v = builder.torsion(i, j, k, l);
                    if v != [0.0; 3] {
                        terms.torsions.push(TorsionTerm {
                            atoms: [i, j, k, l],
                            v,
                        });
                    }
                }
            }
        }
        let coords = mol.coords();
        for pair in nonbonded_pairs(mol) {
            let [i, j] = pair.atoms;
            if let Some(cutoff) = options.cutoff {
                if (coords[i] - coords[j]).norm() > cutoff {
                    continue;
                }
            }
            let vdw = params
                .vdw_pair(topo.types[i], topo.types[j])
                .expect("types checked in MmffSystem::with_types");
            terms.pairs.push(PairTerm::new(
                [i, j],
                vdw,
                [charges[i], charges[j]],
                options.dielectric_constant,
                pair.one_four,
            ));
        }
        Ok(MmffSystem {
            types: topo.types,
            formal_charges: q0,
            partial_charges: charges,
            terms,
        })
    }

    pub fn atom_types(&self) -> &[u8] {
        &self.types
    }

    /// MMFF formal charges q0 (fractional where shared).
    pub fn formal_charges(&self) -> &[f64] {
        &self.formal_charges
    }

    pub fn partial_charges(&self) -> &[f64] {
        &self.partial_charges
    }

    pub fn terms(&self) -> &Terms {
        &self.terms
    }

    /// Energy per term (kcal/mol).
    pub fn energy(&self, coords: &[Point3<f64>]) -> Energies {
        self.terms.evaluate(coords, None)
    }

    /// Energies of many conformers, evaluated in parallel; the order and
    /// the values do not depend on the thread count.
    pub fn energy_batch(&self, conformers: &[Vec<Point3<f64>>]) -> Vec<Energies> {
        use rayon::prelude::*;
        conformers.par_iter().map(|x| self.energy(x)).collect()
    }

    /// Energy per term; dE/dx (kcal/mol/Å) is written into `grad`.
    pub fn energy_gradient(&self, coords: &[Point3<f64>], grad: &mut [Vector3<f64>]) -> Energies {
        grad.iter_mut().for_each(|g| *g = Vector3::zeros());
        self.terms.evaluate(coords, Some(grad))
    }
}

/// Angle parameters in use: force constant and rest angle (degrees), and the
/// r0 of its two bonds for the stretch-bend term.
struct AngleParams {
    angle_type: u8,
    ka: f64,
    theta0: f64,
    r0: [f64; 2],
    bond_types: [u8; 2],
}

struct Builder<'a> {
    mol: &'a Molecule,
    topo: &'a Topology,
    params: &'a Params,
}

/// MMFF.V Table VI: Z and C of the angle empirical rule.
fn angle_constants(z: u8) -> (f64, f64) {
    match z {
        1 => (1.395, 0.0),
        6 => (2.494, 1.016),
        7 => (2.711, 1.113),
        8 => (3.045, 1.337),
        9 => (2.847, 0.0),
        14 => (2.350, 0.811),
        15 => (2.350, 1.068),
        16 => (2.980, 1.249),
        17 => (2.909, 1.078),
        35 => (3.017, 0.0),
        53 => (3.086, 0.0),
        _ => (0.0, 0.0),
    }
}

/// Periodic-table row as the stretch-bend defaults count it (H, He = 0).
fn row(z: u8) -> u8 {
    match z {
        3..=10 => 1,
        11..=18 => 2,
        19..=36 => 3,
        37..=54 => 4,
        _ => 0,
    }
}

/// Row code of Badger's-rule table: H 0, He 1, Li–Ne 2, …; transition
/// metals ×10.
fn badger_row(z: u8) -> u8 {
    let r = match z {
        2 => 1,
        3..=10 => 2,
        11..=18 => 3,
        19..=36 => 4,
        37..=54 => 5,
        _ => 0,
    };
    if (21..=30).contains(&z) || (39..=48).contains(&z) {
        r * 10
    } else {
        r
    }
}

impl Builder<'_> {
    fn props(&self, atom: usize) -> &TypeProps {
        self.params
            .props(self.topo.types[atom])
            .expect("types checked in MmffSystem::with_types")
    }

    fn z(&self, atom: usize) -> u8 {
        self.mol.atom(atom).element.atomic_number()
    }

    fn kind(&self, a: usize, b: usize) -> BondKind {
        self.mol
            .bond_between(a, b)
            .map_or(BondKind::Single, |bond| self.topo.bond_kinds[bond])
    }

    fn bond_type(&self, a: usize, b: usize) -> u8 {
        self.mol
            .bond_between(a, b)
            .map_or(0, |bond| self.topo.bond_types[bond])
    }

    fn levels(&self, atom: usize) -> [u8; 5] {
        let t = self.topo.types[atom];
        self.params.levels(t).unwrap_or([t, t, t, t, 0])
    }

    fn missing(&self, what: &'static str, atoms: &[usize]) -> MmffError {
        let atoms = atoms
            .iter()
            .map(|&a| format!("{}{}", self.mol.atom(a).element, a + 1))
            .collect::<Vec<_>>()
            .join("-");
        MmffError::MissingParameter { what, atoms }
    }

    /// (kb, r0) of bond i–j: the table, else the empirical rule.
    fn bond(&self, i: usize, j: usize) -> Result<(f64, f64), MmffError> {
        let (ti, tj) = (self.topo.types[i], self.topo.types[j]);
        let key = (self.bond_type(i, j), ti.min(tj), ti.max(tj));
        if let Some(&p) = self.params.bonds.get(&key) {
            return Ok(p);
        }
        let (zi, zj) = (self.z(i), self.z(j));
        let (Some(&(ri, chi_i)), Some(&(rj, chi_j))) =
            (self.params.covalent.get(&zi), self.params.covalent.get(&zj))
        else {
            return Err(self.missing("the bond", &[i, j]));
        };
        // Schomaker–Stevenson with MMFF's coefficients (MMFF.V eq. 18).
        let c = if zi == 1 || zj == 1 { 0.050 } else { 0.085 };
        let r0 = ri + rj - c * (chi_i - chi_j).abs().powf(1.4);
        let kb = match self.params.bond_refs.get(&(zi.min(zj), zi.max(zj))) {
            Some(&(r_ref, k_ref)) => k_ref * (r_ref / r0).powi(6),
            None => {
                let (ri, rj) = (badger_row(zi), badger_row(zj));
                let Some(&(a, d, _)) = self.params.badger.get(&(ri.min(rj), ri.max(rj))) else {
                    return Err(self.missing("the bond", &[i, j]));
                };
                10f64.powf(-(r0 - a) / d)
            }
        };
        Ok((kb, r0))
    }

    /// Angle type: the bond types of its bonds, and 3- and 4-ring angles.
    fn angle_type(&self, i: usize, j: usize, k: usize) -> (u8, [u8; 2]) {
        let bts = [self.bond_type(i, j), self.bond_type(j, k)];
        let sum = bts[0] + bts[1];
        let ring = self.small_ring_of_angle(i, k, j);
        let at = match ring {
            0 => sum,
            size if sum == 0 => size,
            size => size + sum + size - 2,
        };
        (at, bts)
    }

    /// 3 if i and k are bonded, 4 if they share a neighbour other than j.
    fn small_ring_of_angle(&self, i: usize, k: usize, j: usize) -> u8 {
        if self.mol.bond_between(i, k).is_some() {
            return 3;
        }
        let shared = self
            .mol
            .neighbors(i)
            .filter(|&n| n != j)
            .any(|n| self.mol.neighbors(k).any(|m| m == n));
        if shared {
            4
        } else {
            0
        }
    }

    fn angle(&self, i: usize, j: usize, k: usize) -> Result<AngleParams, MmffError> {
        let (at, bond_types) = self.angle_type(i, j, k);
        let (li, lk) = (self.levels(i), self.levels(k));
        let tj = self.topo.types[j];
        // Outer atoms step down through equivalence levels 1 (= 2)…5.
        let found = (1..5).find_map(|level| {
            let (a, b) = (li[level], lk[level]);
            self.params.angles.get(&(at, a.min(b), tj, a.max(b)))
        });
        let r0 = [self.bond(i, j)?.1, self.bond(j, k)?.1];
        let (ka, theta0) = match found {
            Some(&(ka, theta0)) if ka != 0.0 => (ka, theta0),
            Some(&(_, theta0)) => (self.empirical_ka(i, j, k, theta0, r0), theta0),
            None => {
                let theta0 = self.empirical_theta0(i, j, k);
                (self.empirical_ka(i, j, k, theta0, r0), theta0)
            }
        };
        Ok(AngleParams {
            angle_type: at,
            ka,
            theta0,
            r0,
            bond_types,
        })
    }

    fn empirical_theta0(&self, i: usize, j: usize, k: usize) -> f64 {
        let p = self.props(j);
        let mut theta0 = match p.crd {
            4 => 109.45,
            2 if self.z(j) == 8 => 105.0,
            2 if p.lin => 180.0,
            3 if p.val == 3 && p.mltb == 0 && self.z(j) == 7 => 107.0,
            3 if p.val == 3 && p.mltb == 0 => 92.0,
            _ => 120.0,
        };
        match self.small_ring_of_angle(i, k, j) {
            3 => theta0 = 60.0,
            4 => theta0 = 90.0,
            _ => {}
        }
        theta0
    }

    /// MMFF.V eq. 20.
    fn empirical_ka(&self, i: usize, j: usize, k: usize, theta0: f64, r0: [f64; 2]) -> f64 {
        let (zi, _) = angle_constants(self.z(i));
        let (_, cj) = angle_constants(self.z(j));
        let (zk, _) = angle_constants(self.z(k));
        let d = (r0[0] - r0[1]).powi(2) / (r0[0] + r0[1]).powi(2);
        let beta = match self.small_ring_of_angle(i, k, j) {
            4 => 1.75 * 0.85,
            3 => 1.75 * 0.05,
            _ => 1.75,
        };
        let theta = theta0.to_radians();
        beta * zi * cj * zk / ((r0[0] + r0[1]) * theta * theta * (2.0 * d).exp())
    }

    fn stretch_bend(
        &self,
        i: usize,
        j: usize,
        k: usize,
        angle: &AngleParams,
    ) -> Result<Option<StretchBendTerm>, MmffError> {
        let (ti, tj, tk) = (self.topo.types[i], self.topo.types[j], self.topo.types[k]);
        let [bt0, bt1] = angle.bond_types;
        let sbt = stretch_bend_type(
            angle.angle_type,
            if ti <= tk { bt0 } else { bt1 },
            if ti < tk { bt1 } else { bt0 },
        );
        let swap = if ti == tk { bt0 < bt1 } else { ti > tk };
        let table = self
            .params
            .stretch_bends
            .get(&(sbt, ti.min(tk), tj, ti.max(tk)));
        let (kba, swap) = match table {
            Some(&p) => (p, swap),
            None => {
                let (ri, rj, rk) = (row(self.z(i)), row(self.z(j)), row(self.z(k)));
                let Some(&p) = self
                    .params
                    .stretch_bend_defaults
                    .get(&(ri.min(rk), rj, ri.max(rk)))
                else {
                    return Err(self.missing("the stretch-bend", &[i, j, k]));
                };
                (p, ri > rk)
            }
        };
        if kba == (0.0, 0.0) {
            return Ok(None);
        }
        let (kba_ijk, kba_kji) = if swap { (kba.1, kba.0) } else { kba };
        Ok(Some(StretchBendTerm {
            atoms: [i, j, k],
            r0_ij: angle.r0[0],
            r0_kj: angle.r0[1],
            theta0: angle.theta0,
            kba_ijk,
            kba_kji,
        }))
    }

    /// koop for the trigonal centre j; `None` drops the term, as MMFF does
    /// when even the wild-card rows have nothing.
    fn oop(&self, j: usize, outer: [usize; 3]) -> Option<f64> {
        let tj = self.topo.types[j];
        let levels = outer.map(|a| self.levels(a));
        (1..5).find_map(|level| {
            let mut t = levels.map(|l| l[level]);
            t.sort_unstable();
            self.params.oops.get(&(t[0], tj, t[1], t[2])).copied()
        })
    }

    /// Torsions are defined about bonds whose ends are sp2 or sp3: neither
    /// linear (two electron domains: nitrile C, allene centre, azide N) nor
    /// hypervalent with five or more domains.
    fn torsion_centre(&self, atom: usize) -> bool {
        let a = self.mol.atom(atom);
        let degree = self.mol.degree(atom) as i32;
        let lone_pairs = a.element.valence_electrons().map_or(0, |ve| {
            ((i32::from(ve) - i32::from(a.charge) - i32::from(self.mol.valence(atom))) / 2).max(0)
        });
        let triple = self
            .mol
            .bonds_of(atom)
            .any(|(b, _)| self.topo.bond_kinds[b] == BondKind::Triple);
        degree >= 2 && !triple && (3..=4).contains(&(degree + lone_pairs))
    }

    /// (primary, secondary) torsion type.
    fn torsion_type(&self, i: usize, j: usize, k: usize, l: usize) -> (u8, u8) {
        let bt_jk = self.bond_type(j, k);
        let mut tt = bt_jk;
        if bt_jk == 0
            && self.kind(j, k) == BondKind::Single
            && (self.bond_type(i, j) == 1 || self.bond_type(k, l) == 1)
        {
            tt = 2;
        }
        let ring = self.small_ring_of_torsion(i, j, k, l);
        let types = &self.topo.types;
        if ring == 4
            && self.mol.bond_between(i, k).is_none()
            && self.mol.bond_between(j, l).is_none()
        {
            (4, tt)
        } else if ring == 5 && [i, j, k, l].iter().any(|&a| types[a] == 1) {
            (5, tt)
        } else {
            (tt, 0)
        }
    }

    /// 4 if i and l are bonded, 5 if they share a neighbour (other than j
    /// for i, k for l).
    fn small_ring_of_torsion(&self, i: usize, j: usize, k: usize, l: usize) -> u8 {
        if self.mol.bond_between(i, l).is_some() {
            return 4;
        }
        let shared = self
            .mol
            .neighbors(i)
            .filter(|&n| n != j)
            .any(|n| n != k && self.mol.neighbors(l).any(|m| m == n && m != k));
        if shared {
            5
        } else {
            0
        }
    }

    fn torsion(&self, i: usize, j: usize, k: usize, l: usize) -> [f64; 3] {
        let (primary, secondary) = self.torsion_type(i, j, k, l);
        let (li, ll) = (self.levels(i), self.levels(l));
        let (tj, tk) = (self.topo.types[j], self.topo.types[k]);
        // Stages (i level, l level): 1-1, 3-5, 5-3, 5-5 (level 2 = level 1).
        let lookup = |tt: u8, stage: usize| {
            let (a, b) = [(1, 1), (2, 4), (4, 2), (4, 4)][stage];
            let (mut ti, mut tl) = (li[a], ll[b]);
            let (mut cj, mut ck) = (tj, tk);
            if cj > ck {
                std::mem::swap(&mut cj, &mut ck);
                std::mem::swap(&mut ti, &mut tl);
            } else if cj == ck && ti > tl {
                std::mem::swap(&mut ti, &mut tl);
            }
            self.params.torsions.get(&(tt, ti, cj, ck, tl)).copied()
        };
        let first = (0..4).find_map(|stage| lookup(primary, stage).map(|v| (stage, v)));
        let found = match first {
            Some((stage, v)) if stage < 3 => Some(v),
            // A full wild-card match of a 4- or 5-ring type, or no match,
            // tries the plain type (found empirically in the reference).
            Some((_, v)) if !(primary == 5 && secondary != 0) => Some(v),
            wildcard => (0..4)
                .find_map(|stage| lookup(secondary, stage))
                .or(wildcard.map(|(_, v)| v)),
        };
        found.unwrap_or_else(|| self.empirical_torsion(j, k))
    }

    /// MMFF.IV/V empirical torsion rules (a)–(h).
    fn empirical_torsion(&self, j: usize, k: usize) -> [f64; 3] {
        let (pj, pk) = (self.props(j), self.props(k));
        let (zj, zk) = (self.z(j), self.z(k));
        let uvw = |z: u8| -> (f64, f64, f64) {
            match z {
                6 => (2.0, 2.12, 0.0),
                7 => (2.0, 1.5, 0.0),
                8 => (2.0, 0.2, 2.0),
                14 => (1.25, 1.22, 0.0),
                15 => (1.25, 2.40, 0.0),
                16 => (1.25, 0.49, 8.0),
                _ => (0.0, 0.0, 0.0),
            }
        };
        let ((uj, vj, wj), (uk, vk, wk)) = (uvw(zj), uvw(zk));
        let n_jk = f64::from((pj.crd - 1) * (pk.crd - 1));
        let v2 = |beta: f64, pi: f64| [0.0, beta * pi * (uj * uk).sqrt(), 0.0];
        let v3 = [0.0, 0.0, (vj * vk).sqrt() / n_jk];
        let kind = self.kind(j, k);
        const AROMATIC_TYPES: [u8; 17] = [
            37, 38, 39, 44, 58, 59, 63, 64, 65, 66, 69, 76, 78, 79, 80, 81, 82,
        ];
        let aromatic = |t: u8| AROMATIC_TYPES.contains(&t);
        // sp2 or trivalent neighbour that kills the sp3–X barrier.
        let blocks_sp3 = |p: &TypeProps| {
            (p.crd == 3 && (p.val == 4 || p.val == 34 || p.mltb != 0))
                || (p.crd == 2 && (p.val == 3 || p.mltb != 0))
        };
        let second_row = row(zj) == 2 && row(zk) == 2;
        if pj.lin || pk.lin {
            [0.0; 3]
        } else if aromatic(self.topo.types[j])
            && aromatic(self.topo.types[k])
            && kind == BondKind::Aromatic
        {
            let beta = if (pj.val == 3 && pk.val == 4) || (pj.val == 4 && pk.val == 3) {
                3.0
            } else {
                6.0
            };
            let pi = if !pj.pilp && !pk.pilp { 0.5 } else { 0.3 };
            v2(beta, pi)
        } else if kind == BondKind::Double {
            v2(
                6.0,
                if pj.mltb == 2 && pk.mltb == 2 {
                    1.0
                } else {
                    0.4
                },
            )
        } else if pj.crd == 4 && pk.crd == 4 {
            v3
        } else if pj.crd == 4 {
            if blocks_sp3(pk) {
                [0.0; 3]
            } else {
                v3
            }
        } else if pk.crd == 4 {
            if blocks_sp3(pj) {
                [0.0; 3]
            } else {
                v3
            }
        } else if (kind == BondKind::Single && pj.mltb != 0 && pk.mltb != 0)
            || (pj.mltb != 0 && pk.pilp)
            || (pj.pilp && pk.mltb != 0)
        {
            if pj.pilp && pk.pilp {
                [0.0; 3]
            } else if pj.pilp && pk.mltb != 0 {
                v2(
                    6.0,
                    if pj.mltb == 1 {
                        0.5
                    } else if second_row {
                        0.3
                    } else {
                        0.15
                    },
                )
            } else if pk.pilp && pj.mltb != 0 {
                v2(
                    6.0,
                    if pk.mltb == 1 {
                        0.5
                    } else if second_row {
                        0.3
                    } else {
                        0.15
                    },
                )
            } else if (pj.mltb == 1 || pk.mltb == 1) && (zj != 6 || zk != 6) {
                v2(6.0, 0.4)
            } else {
                v2(6.0, 0.15)
            }
        } else if matches!(zj, 8 | 16) && matches!(zk, 8 | 16) {
            [0.0, -(wj * wk).sqrt(), 0.0]
        } else {
            v3
        }
    }
}

/// Stretch-bend type from the angle type and the bond types (the first on
/// the side of the lower-typed outer atom).
fn stretch_bend_type(angle_type: u8, bt1: u8, bt2: u8) -> u8 {
    let first = bt1 != 0 || bt1 == bt2;
    match angle_type {
        1 => {
            if first {
                1
            } else {
                2
            }
        }
        2 => 3,
        4 => 4,
        3 => 5,
        5 => {
            if first {
                6
            } else {
                7
            }
        }
        6 => 8,
        7 => {
            if first {
                9
            } else {
                10
            }
        }
        8 => 11,
        _ => 0,
    }
}
