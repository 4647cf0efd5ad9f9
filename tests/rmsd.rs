//! Symmetry-aware heavy-atom RMSD.

use crate::util::{data, read_ok, root};
use conformers::ensemble::rmsd::{kabsch_rmsd, prune, representatives, SymmetricRmsd};
use conformers::Molecule;
use nalgebra::{Point3, Rotation3, Vector3};
use proptest::prelude::*;

fn ibuprofen() -> Molecule {
    read_ok(&root().join("molecules/multi.sdf")).remove(1)
}

fn moved(
    x: &[Point3<f64>],
    axis: Vector3<f64>,
    angle: f64,
    shift: Vector3<f64>,
) -> Vec<Point3<f64>> {
    let r = Rotation3::new(axis.normalize() * angle);
    x.iter().map(|p| r * p + shift).collect()
}

proptest! {
    #[test]
    fn rmsd_is_invariant_under_rigid_motion(
        ax in -1.0f64..1.0, ay in -1.0f64..1.0, az in 0.1f64..1.0,
        angle in -3.1f64..3.1, sx in -20.0f64..20.0, sy in -20.0f64..20.0, sz in -20.0f64..20.0,
    ) {
        let mol = ibuprofen();
        let rmsd = SymmetricRmsd::new(&mol);
        let x = mol.coords();
        let y = moved(x, Vector3::new(ax, ay, az), angle, Vector3::new(sx, sy, sz));
        prop_assert!(rmsd.rmsd(x, &y) < 1e-6);
        prop_assert!(kabsch_rmsd(x, &y) < 1e-6);
    }
}

/// 21 heavy atoms (a graph size at which petgraph's matcher cannot give a
/// size hint); 3! phenyl permutations × 2³ ring flips.
#[test]
fn triphenylethanol_has_48_automorphisms() {
    let mol = read_ok(&data("triphenylethanol.sdf")).remove(0);
    let rmsd = SymmetricRmsd::new(&mol);
    assert_eq!(rmsd.num_automorphisms(), 48);
    assert!(rmsd.complete());
}

#[test]
fn symmetric_atoms_may_swap() {
    // Ibuprofen: the isobutyl's two methyls and the carboxylic acid oxygens
    // (resonance-equivalent) are interchangeable; swapping their
    // coordinates gives the same conformer.
    let mol = ibuprofen();
    let rmsd = SymmetricRmsd::new(&mol);
    assert!(
        rmsd.num_automorphisms() >= 4 && rmsd.complete(),
        "{}",
        rmsd.num_automorphisms()
    );
    let x = mol.coords().to_vec();
    // Atoms 0 and 3 are the isobutyl methyls (C1, C4 of the SMILES
    // CC(C)Cc1ccc(...)); find the two carbons bonded to atom 1 with degree 4.
    let methyls: Vec<usize> = mol
        .neighbors(1)
        .filter(|&n| mol.atom(n).element.atomic_number() == 6 && mol.neighbors(n).count() == 4)
        .filter(|&n| {
            mol.neighbors(n)
                .filter(|&m| mol.atom(m).element.atomic_number() == 1)
                .count()
                == 3
        })
        .collect();
    assert_eq!(methyls.len(), 2);
    let mut y = x.clone();
    y.swap(methyls[0], methyls[1]);
    assert!(kabsch_rmsd(&x, &y) > 0.3, "the plain RMSD sees the swap");
    assert!(rmsd.rmsd(&x, &y) < 1e-6);
}

#[test]
fn mirror_images_are_not_superposed() {
    // (S)-ibuprofen and its mirror image differ although every distance is
    // the same: reflections are not allowed.
    let mol = ibuprofen();
    let rmsd = SymmetricRmsd::new(&mol);
    let x = mol.coords();
    let mirror: Vec<Point3<f64>> = x.iter().map(|p| Point3::new(-p.x, p.y, p.z)).collect();
    assert!(rmsd.rmsd(x, &mirror) > 0.1);
}

#[test]
fn pruning_keeps_the_lowest_of_close_conformers() {
    let mol = ibuprofen();
    let rmsd = SymmetricRmsd::new(&mol);
    let x = mol.coords().to_vec();
    let near = moved(&x, Vector3::z(), 0.0, Vector3::new(0.01, 0.0, 0.0));
    let mut far = x.clone();
    // Stretch every heavy atom outward: an RMSD of about 0.5 Å or more.
    for p in far.iter_mut() {
        *p = Point3::from(p.coords * 1.3);
    }
    let kept = prune(&rmsd, &[x.clone(), near, far], &[1.0, 0.5, 2.0], 0.25);
    assert_eq!(kept, vec![1, 2]);
}

/// Conformers on a line: ibuprofen's heavy atoms scaled about their
/// centroid, so that the RMSD between two of them is the difference of
/// their places. Four close ones ranked first (0.55 Å apart), two far ones
/// after them: the three lowest would all be of the close four; the three
/// that represent all six are the lowest, the third (which represents the
/// fourth) and the first far one.
#[test]
fn representatives_span_the_set() {
    let mol = ibuprofen();
    let rmsd = SymmetricRmsd::new(&mol);
    let x = mol.coords().to_vec();
    let heavy: Vec<Point3<f64>> = mol
        .atoms()
        .iter()
        .zip(&x)
        .filter(|(a, _)| a.element.atomic_number() > 1)
        .map(|(_, p)| *p)
        .collect();
    let centroid = heavy.iter().fold(Vector3::zeros(), |s, p| s + p.coords) / heavy.len() as f64;
    let spread = (heavy
        .iter()
        .map(|p| (p.coords - centroid).norm_squared())
        .sum::<f64>()
        / heavy.len() as f64)
        .sqrt();
    let at = |t: f64| -> Vec<Point3<f64>> {
        x.iter()
            .map(|p| Point3::from(centroid + (p.coords - centroid) * (1.0 + t / spread)))
            .collect()
    };
    let places = [0.0, 0.55, 1.1, 1.65, 5.0, 10.0];
    let conformers: Vec<_> = places.iter().map(|&t| at(t)).collect();
    assert!((rmsd.rmsd(&conformers[0], &conformers[1]) - 0.55).abs() < 1e-6);
    let ranked: Vec<usize> = (0..places.len()).collect();
    assert_eq!(
        representatives(&rmsd, &conformers, &ranked, 3, 0.6),
        [0, 2, 4]
    );
    // Ranks, not indices, decide ties and the order.
    let reversed: Vec<usize> = ranked.iter().rev().copied().collect();
    assert_eq!(
        representatives(&rmsd, &conformers, &reversed, 2, 0.6),
        [5, 2]
    );
    // All are kept when there is room; none stands for another at radius 0.
    assert_eq!(representatives(&rmsd, &conformers, &ranked, 6, 0.6), ranked);
    assert_eq!(
        representatives(&rmsd, &conformers, &ranked, 3, 0.0),
        [0, 1, 2]
    );
}
