//! The seven MMFF94 energy terms with analytic gradients, evaluated over flat
//! lists of interactions whose parameters are already assigned.
//!
//! Units: Å, degrees inside the angle-type formulas (as MMFF defines them),
//! kcal/mol. Gradients are dE/dx (not forces), accumulated into a caller's
//! buffer so one evaluation allocates nothing.

use nalgebra::{Point3, Vector3};
use wide::f64x4;

/// md/Å → kcal/mol/Å².
const MDYNE: f64 = 143.9325;
const DEG: f64 = 180.0 / std::f64::consts::PI;
/// Angle-bend and out-of-plane constant per degree².
const C_ANGLE: f64 = MDYNE / (DEG * DEG);
/// Stretch-bend constant per degree.
const C_STBN: f64 = MDYNE / DEG;
const BOND_CS: f64 = -2.0;
const ANGLE_CB: f64 = -0.006981317;
/// Coulomb constant, kcal·Å/(mol·e²).
pub const COULOMB: f64 = 332.0716;
const ELE_BUFFER: f64 = 0.05;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BondTerm {
    pub atoms: [usize; 2],
    pub kb: f64,
    pub r0: f64,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AngleTerm {
    /// (i, j, k), j the apex.
    pub atoms: [usize; 3],
    pub ka: f64,
    /// Degrees.
    pub theta0: f64,
    /// Linear centre (MMFFPROP `lin`): E = 143.9325·ka·(1 + cos θ).
    pub linear: bool,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StretchBendTerm {
    pub atoms: [usize; 3],
    pub r0_ij: f64,
    pub r0_kj: f64,
    pub theta0: f64,
    pub kba_ijk: f64,
    pub kba_kji: f64,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OopTerm {
    /// (i, j, k, l): j the trigonal centre, l the atom bent out of the
    /// i–j–k plane.
    pub atoms: [usize; 4],
    pub koop: f64,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TorsionTerm {
    pub atoms: [usize; 4],
    pub v: [f64; 3],
}

/// A nonbonded pair with its vdW and electrostatic parameters.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PairTerm {
    pub atoms: [usize; 2],
    pub r_star: f64,
    /// R*⁷, kept to spare the power at every evaluation.
    pub r_star7: f64,
    pub eps: f64,
    /// 332.0716·q_i·q_j/D, times 0.75 for 1-4 pairs.
    pub qq: f64,
}

impl PairTerm {
    /// A pair with charges `q` (e), dielectric constant `d` and MMFF's 0.75
    /// electrostatic scaling for 1-4 pairs.
    pub fn new(
        atoms: [usize; 2],
        (r_star, eps): (f64, f64),
        q: [f64; 2],
        d: f64,
        one_four: bool,
    ) -> Self {
        let scale = if one_four { 0.75 } else { 1.0 };
        PairTerm {
            atoms,
            r_star,
            r_star7: r_star.powi(7),
            eps,
            qq: COULOMB * q[0] * q[1] / d * scale,
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum Dielectric {
    /// ε = D (default D = 1).
    #[default]
    Constant,
    /// ε = D·R.
    Distance,
}

/// Energy per term (kcal/mol). Serialises with its `total` first, in the
/// field names of the reference data.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Energies {
    pub bond: f64,
    pub angle: f64,
    pub stretch_bend: f64,
    pub oop: f64,
    pub torsion: f64,
    pub vdw: f64,
    pub ele: f64,
}

impl Energies {
    pub fn total(&self) -> f64 {
        self.bond + self.angle + self.stretch_bend + self.oop + self.torsion + self.vdw + self.ele
    }
}

impl serde::Serialize for Energies {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("Energies", 8)?;
        s.serialize_field("total", &self.total())?;
        s.serialize_field("bond", &self.bond)?;
        s.serialize_field("angle", &self.angle)?;
        s.serialize_field("stretch_bend", &self.stretch_bend)?;
        s.serialize_field("oop", &self.oop)?;
        s.serialize_field("torsion", &self.torsion)?;
        s.serialize_field("vdw", &self.vdw)?;
        s.serialize_field("ele", &self.ele)?;
        s.end()
    }
}

/// Optional gradient accumulator: `None` evaluates the energy only.
pub type Grad<'a> = Option<&'a mut [Vector3<f64>]>;

fn add(grad: &mut Grad, atom: usize, g: Vector3<f64>) {
    if let Some(buf) = grad.as_deref_mut() {
        buf[atom] += g;
    }
}

/// Angle i-j-k in radians, its cosine, and dθ/dx_i and dθ/dx_k (dθ/dx_j
/// is minus their sum).
#[derive(Clone, Copy)]
pub struct Bend {
    theta: f64,
    cos: f64,
    di: Vector3<f64>,
    dk: Vector3<f64>,
}

impl Bend {
    pub fn at(x: &[Point3<f64>], [i, j, k]: [usize; 3]) -> Bend {
        let a = x[i] - x[j];
        let b = x[k] - x[j];
        let (la, lb) = (a.norm().max(1e-8), b.norm().max(1e-8));
        let cos = (a.dot(&b) / (la * lb)).clamp(-1.0, 1.0);
        let sin = (1.0 - cos * cos).sqrt().max(1e-8);
        let dcos_da = (b / (la * lb)) - a * (cos / (la * la));
        let dcos_db = (a / (la * lb)) - b * (cos / (lb * lb));
        Bend {
            theta: cos.acos(),
            cos,
            di: -dcos_da / sin,
            dk: -dcos_db / sin,
        }
    }
}

pub fn bond(x: &[Point3<f64>], t: &BondTerm, grad: &mut Grad) -> f64 {
    let [i, j] = t.atoms;
    let d = x[i] - x[j];
    let r = d.norm();
    let dr = r - t.r0;
    let cs = BOND_CS;
    let e = 0.5 * MDYNE * t.kb * dr * dr * (1.0 + cs * dr + 7.0 / 12.0 * cs * cs * dr * dr);
    if grad.is_some() {
        let de_dr = MDYNE * t.kb * dr * (1.0 + 1.5 * cs * dr + 7.0 / 6.0 * cs * cs * dr * dr);
        let g = d * (de_dr / r.max(1e-8));
        add(grad, i, g);
        add(grad, j, -g);
    }
    e
}

/// The angle-bend energy of `t` at its `bend`.
pub fn angle(t: &AngleTerm, bend: &Bend, grad: &mut Grad) -> f64 {
    let Bend { theta, cos, di, dk } = *bend;
    let (e, de_dtheta) = if t.linear {
        let sin = (1.0 - cos * cos).sqrt();
        (MDYNE * t.ka * (1.0 + cos), -MDYNE * t.ka * sin)
    } else {
        let dt = theta * DEG - t.theta0;
        (
            0.5 * C_ANGLE * t.ka * dt * dt * (1.0 + ANGLE_CB * dt),
            C_ANGLE * t.ka * dt * (1.0 + 1.5 * ANGLE_CB * dt) * DEG,
        )
    };
    if grad.is_some() {
        let [i, j, k] = t.atoms;
        add(grad, i, di * de_dtheta);
        add(grad, k, dk * de_dtheta);
        add(grad, j, -(di + dk) * de_dtheta);
    }
    e
}

/// The stretch-bend energy of `t` at its `bend`.
pub fn stretch_bend(x: &[Point3<f64>], t: &StretchBendTerm, bend: &Bend, grad: &mut Grad) -> f64 {
    let [i, j, k] = t.atoms;
    let Bend { theta, di, dk, .. } = *bend;
    let a = x[i] - x[j];
    let b = x[k] - x[j];
    let (ra, rb) = (a.norm(), b.norm());
    let dt = theta * DEG - t.theta0;
    let stretch = t.kba_ijk * (ra - t.r0_ij) + t.kba_kji * (rb - t.r0_kj);
    let e = C_STBN * stretch * dt;
    if grad.is_some() {
        let de_dtheta = C_STBN * stretch * DEG;
        let ga = a * (C_STBN * dt * t.kba_ijk / ra.max(1e-8));
        let gb = b * (C_STBN * dt * t.kba_kji / rb.max(1e-8));
        add(grad, i, di * de_dtheta + ga);
        add(grad, k, dk * de_dtheta + gb);
        add(grad, j, -(di + dk) * de_dtheta - ga - gb);
    }
    e
}

pub fn oop(x: &[Point3<f64>], t: &OopTerm, grad: &mut Grad) -> f64 {
    let [i, j, k, l] = t.atoms;
    let a = x[i] - x[j];
    let b = x[k] - x[j];
    let c = x[l] - x[j];
    let u = a.cross(&b);
    let (un, cn) = (u.norm().max(1e-8), c.norm().max(1e-8));
    let sin_chi = (u.dot(&c) / (un * cn)).clamp(-1.0, 1.0);
    let chi = sin_chi.asin() * DEG;
    let e = 0.5 * C_ANGLE * t.koop * chi * chi;
    if grad.is_some() {
        let cos_chi = (1.0 - sin_chi * sin_chi).sqrt().max(1e-8);
        let de_dchi = C_ANGLE * t.koop * chi * DEG / cos_chi; // per unit sin χ
        let ab = a.dot(&b);
        let ds_da =
            b.cross(&c) / (un * cn) - (a * b.norm_squared() - b * ab) * (sin_chi / (un * un));
        let ds_db =
            c.cross(&a) / (un * cn) - (b * a.norm_squared() - a * ab) * (sin_chi / (un * un));
        let ds_dc = u / (un * cn) - c * (sin_chi / (cn * cn));
        add(grad, i, ds_da * de_dchi);
        add(grad, k, ds_db * de_dchi);
        add(grad, l, ds_dc * de_dchi);
        add(grad, j, -(ds_da + ds_db + ds_dc) * de_dchi);
    }
    e
}

/// Dihedral i-j-k-l as (cos φ, sin φ) with dφ/dx of the four atoms, straight
/// from the bond vectors; `None` when three of the atoms are collinear and
/// the dihedral is undefined.
pub fn dihedral_and_derivatives(
    x: &[Point3<f64>],
    [i, j, k, l]: [usize; 4],
) -> Option<(f64, f64, [Vector3<f64>; 4])> {
    let b1 = x[j] - x[i];
    let b2 = x[k] - x[j];
    let b3 = x[l] - x[k];
    let m = b1.cross(&b2);
    let n = b2.cross(&b3);
    let (m2, n2) = (m.norm_squared(), n.norm_squared());
    if m2 < 1e-16 || n2 < 1e-16 {
        return None;
    }
    let b2n = b2.norm();
    let norm = (m2 * n2).sqrt();
    let c = (m.dot(&n) / norm).clamp(-1.0, 1.0);
    let s = (b2n * b1.dot(&n) / norm).clamp(-1.0, 1.0);
    let gi = -m * (b2n / m2);
    let gl = n * (b2n / n2);
    let p = b1.dot(&b2) / (b2n * b2n);
    let q = b3.dot(&b2) / (b2n * b2n);
    let gj = gl * q - gi * (1.0 + p);
    let gk = gi * p - gl * (1.0 + q);
    Some((c, s, [gi, gj, gk, gl]))
}

pub fn torsion(x: &[Point3<f64>], t: &TorsionTerm, grad: &mut Grad) -> f64 {
    let [v1, v2, v3] = t.v;
    let Some((c, s, derivatives)) = dihedral_and_derivatives(x, t.atoms) else {
        // Collinear atoms: the dihedral is undefined; cos φ = 0 by convention.
        return 0.5 * (v1 + 2.0 * v2 + v3);
    };
    // Multiple angles by the Chebyshev identities, so no trigonometric call
    // is needed.
    let cos2 = 2.0 * c * c - 1.0;
    let cos3 = c * (4.0 * c * c - 3.0);
    let e = 0.5 * (v1 * (1.0 + c) + v2 * (1.0 - cos2) + v3 * (1.0 + cos3));
    if grad.is_some() {
        let sin2 = 2.0 * s * c;
        let sin3 = s * (4.0 * c * c - 1.0);
        let de_dphi = 0.5 * (-v1 * s + 2.0 * v2 * sin2 - 3.0 * v3 * sin3);
        for (atom, d) in t.atoms.into_iter().zip(derivatives) {
            add(grad, atom, d * de_dphi);
        }
    }
    e
}

/// Pairs per block: the arithmetic of a block runs in SIMD lanes (packed
/// square roots and divisions); the sums and the gradient then take the
/// pairs in order, so the result is the same to the bit as one pair at a
/// time.
const LANES: usize = 4;

/// Buffered 14-7 vdW and buffered Coulomb energies of a block of pairs at
/// squared distances `r2`, and with `GRAD` the factors that turn each
/// pair's vector into its gradient, (dE/dr)/r (0 without).
#[inline(always)]
fn pair_block<const DISTANCE: bool, const GRAD: bool>(
    r2: f64x4,
    t: [&PairTerm; LANES],
) -> (f64x4, f64x4, f64x4) {
    let lanes = |f: fn(&PairTerm) -> f64| f64x4::new(t.map(f));
    let (rs, rs7, eps, qq) = (
        lanes(|t| t.r_star),
        lanes(|t| t.r_star7),
        lanes(|t| t.eps),
        lanes(|t| t.qq),
    );
    let r2 = r2.max(f64x4::splat(1e-16));
    let r = r2.sqrt();
    let inv_q_den = f64x4::ONE / (r + 0.07 * rs);
    let q = 1.07 * rs * inv_q_den;
    let q2 = q * q;
    let q7 = q2 * q2 * q2 * q;
    let inv_s_den = f64x4::ONE / (r2 * r2 * r2 * r + 0.12 * rs7);
    let s = 1.12 * rs7 * inv_s_den;
    let vdw = eps * q7 * (s - 2.0);
    let inv_rb = f64x4::ONE / (r + ELE_BUFFER);
    let (ele, dele_dr) = if DISTANCE {
        let ele = qq * inv_rb * inv_rb;
        (ele, -2.0 * ele * inv_rb)
    } else {
        (qq * inv_rb, -qq * inv_rb * inv_rb)
    };
    if !GRAD {
        return (vdw, ele, f64x4::ZERO);
    }
    // d/dr of q⁷ and of s, through the reciprocals already at hand.
    let dq7 = -7.0 * q7 * inv_q_den;
    let ds = -7.0 * s * r2 * r2 * r2 * inv_s_den;
    let dvdw_dr = eps * (dq7 * (s - 2.0) + q7 * ds);
    (vdw, ele, (dvdw_dr + dele_dr) / r)
}

/// vdW and electrostatic energy of all `pairs` into `e`, their gradient
/// into `grad`. Runs over every atom pair at every evaluation, hence the
/// blocks and the tests of `grad` and `DISTANCE` outside the loop. The
/// last block is filled up with copies of its first pair, whose results
/// are dropped.
fn pairs<const DISTANCE: bool, const GRAD: bool>(
    x: &[Point3<f64>],
    pairs: &[PairTerm],
    grad: &mut Grad,
    e: &mut Energies,
) {
    for block in pairs.chunks(LANES) {
        let t: [&PairTerm; LANES] = std::array::from_fn(|l| block.get(l).unwrap_or(&block[0]));
        let d = t.map(|t| x[t.atoms[0]] - x[t.atoms[1]]);
        let (vdw, ele, g) =
            pair_block::<DISTANCE, GRAD>(f64x4::new(d.map(|d| d.norm_squared())), t);
        let (vdw, ele, g) = (vdw.to_array(), ele.to_array(), g.to_array());
        for (l, t) in block.iter().enumerate() {
            e.vdw += vdw[l];
            e.ele += ele[l];
            if GRAD {
                add(grad, t.atoms[0], d[l] * g[l]);
                add(grad, t.atoms[1], -(d[l] * g[l]));
            }
        }
    }
}

/// All interactions of one molecule with assigned parameters.
#[derive(Clone, Debug, Default)]
pub struct Terms {
    pub bonds: Vec<BondTerm>,
    pub angles: Vec<AngleTerm>,
    pub stretch_bends: Vec<StretchBendTerm>,
    pub oops: Vec<OopTerm>,
    pub torsions: Vec<TorsionTerm>,
    pub pairs: Vec<PairTerm>,
    pub dielectric: Dielectric,
}

impl Terms {
    /// Energy per term; with `grad`, dE/dx is added into it (the caller
    /// zeroes it first).
    pub fn evaluate(&self, x: &[Point3<f64>], mut grad: Grad) -> Energies {
        let mut e = Energies::default();
        for t in &self.bonds {
            e.bond += bond(x, t, &mut grad);
        }
        // The stretch-bend of three atoms follows their angle (as the set-up
        // builds them), so one bend serves both; any other is bent alone.
        let mut stretch_bends = self.stretch_bends.iter().peekable();
        for t in &self.angles {
            let bend = Bend::at(x, t.atoms);
            e.angle += angle(t, &bend, &mut grad);
            if let Some(s) = stretch_bends.next_if(|s| s.atoms == t.atoms) {
                e.stretch_bend += stretch_bend(x, s, &bend, &mut grad);
            }
        }
        for s in stretch_bends {
            e.stretch_bend += stretch_bend(x, s, &Bend::at(x, s.atoms), &mut grad);
        }
        for t in &self.oops {
            e.oop += oop(x, t, &mut grad);
        }
        for t in &self.torsions {
            e.torsion += torsion(x, t, &mut grad);
        }
        match (self.dielectric, grad.is_some()) {
            (Dielectric::Constant, false) => {
                pairs::<false, false>(x, &self.pairs, &mut grad, &mut e)
            }
            (Dielectric::Constant, true) => pairs::<false, true>(x, &self.pairs, &mut grad, &mut e),
            (Dielectric::Distance, false) => {
                pairs::<true, false>(x, &self.pairs, &mut grad, &mut e)
            }
            (Dielectric::Distance, true) => pairs::<true, true>(x, &self.pairs, &mut grad, &mut e),
        }
        e
    }
}
