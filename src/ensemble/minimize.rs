//! Energy minimisation of conformers: full MMFF94 in Cartesian space, or
//! over the torsions only (bond lengths and angles kept).

use super::bfgs::BfgsOptions;
use super::lbfgs::{minimize, LbfgsOptions};
use super::MinimizeResult;
use crate::forcefield::mmff::MmffSystem;
use crate::torsion::TorsionSpace;
use nalgebra::{Point3, Vector3};

/// Cartesian minimisation settings.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MinimizeOptions {
    /// Convergence tolerance on the scaled gradient, as RDKit's `forceTol`
    /// (see [`super::bfgs`]); 1e-4 by default.
    pub force_tolerance: f64,
    pub max_iterations: usize,
}

impl Default for MinimizeOptions {
    fn default() -> Self {
        MinimizeOptions {
            force_tolerance: 1e-4,
            max_iterations: 100_000,
        }
    }
}

/// Coordinates up to which the dense BFGS is used (its memory grows as the
/// square); larger systems use L-BFGS.
pub const DENSE_LIMIT: usize = 3000;

/// Minimises `coords` in place with full MMFF94: dense BFGS following
/// RDKit's path for up to [`DENSE_LIMIT`] coordinates, L-BFGS (RMS gradient
/// below the tolerance) beyond.
pub fn minimize_cartesian(
    system: &MmffSystem,
    coords: &mut [Point3<f64>],
    options: &MinimizeOptions,
) -> MinimizeResult {
    minimize_restrained(system, coords, options, |_, _| 0.0)
}

/// [`minimize_cartesian`] of the MMFF94 energy plus `restraint`, which
/// returns its energy and adds its gradient when one is asked for.
pub fn minimize_restrained(
    system: &MmffSystem,
    coords: &mut [Point3<f64>],
    options: &MinimizeOptions,
    restraint: impl Fn(&[Point3<f64>], Option<&mut [Vector3<f64>]>) -> f64,
) -> MinimizeResult {
    let n = coords.len();
    let mut x: Vec<f64> = coords.iter().flat_map(|p| [p.x, p.y, p.z]).collect();
    let mut points = coords.to_vec();
    let mut grad = vec![Vector3::zeros(); n];
    let mut evaluate = |x: &[f64], g: Option<&mut [f64]>| {
        for (p, c) in points.iter_mut().zip(x.chunks_exact(3)) {
            *p = Point3::new(c[0], c[1], c[2]);
        }
        match g {
            None => system.energy(&points).total() + restraint(&points, None),
            Some(g) => {
                let e = system.energy_gradient(&points, &mut grad).total()
                    + restraint(&points, Some(&mut grad));
                for (out, v) in g.chunks_exact_mut(3).zip(&grad) {
                    out.copy_from_slice(&[v.x, v.y, v.z]);
                }
                e
            }
        }
    };
    let result = if x.len() <= DENSE_LIMIT {
        let bfgs = BfgsOptions {
            gradient_tolerance: options.force_tolerance,
            max_iterations: options.max_iterations,
        };
        super::bfgs::minimize(&mut x, evaluate, &bfgs)
    } else {
        let lbfgs = LbfgsOptions {
            gradient_rms: options.force_tolerance,
            max_iterations: options.max_iterations,
            ..LbfgsOptions::default()
        };
        minimize(&mut x, |x, g| evaluate(x, Some(g)), &lbfgs)
    };
    for (p, c) in coords.iter_mut().zip(x.chunks_exact(3)) {
        *p = Point3::new(c[0], c[1], c[2]);
    }
    result
}

/// Options for torsion-space minimisation (gradient in kcal/mol/rad).
pub fn torsion_options() -> LbfgsOptions {
    LbfgsOptions {
        gradient_rms: 1e-4,
        max_iterations: 2000,
        memory: 8,
        max_step: 0.5,
    }
}

/// Minimises the torsions `tau` in place.
pub fn minimize_torsions(
    space: &TorsionSpace,
    tau: &mut [f64],
    options: &LbfgsOptions,
) -> MinimizeResult {
    let mut work = space.workspace();
    minimize(tau, |t, g| space.energy_gradient(t, g, &mut work), options)
}

/// A conformer minimised with full MMFF94.
#[derive(Clone, Debug)]
pub struct Minimized {
    pub coords: Vec<Point3<f64>>,
    pub energy: f64,
    pub result: MinimizeResult,
    /// Stereo elements whose configuration differs from the input's.
    pub stereo_changes: Vec<String>,
}

/// Minimises a molecule from its own coordinates and checks that its
/// stereochemistry survived.
pub fn minimize_molecule(
    mol: &crate::mol::Molecule,
    system: &MmffSystem,
    options: &MinimizeOptions,
) -> Minimized {
    let mut coords = mol.coords().to_vec();
    let result = minimize_cartesian(system, &mut coords, options);
    let before = crate::mol::stereo::Stereo::perceive(mol);
    let after = crate::mol::stereo::Stereo::perceive_at(mol, &coords);
    Minimized {
        energy: result.value,
        stereo_changes: before.differences(&after),
        coords,
        result,
    }
}
