//! Stereo perception from 3D against RDKit's CIP labeller
//! (`tests/data/stereo.sdf`, tags CIP_CENTRES and CIP_BONDS), and the
//! written arrangement of a resonance-equivalent pair.

use crate::util::{data, read_ok};
use conformers::forcefield::mmff::{MmffOptions, MmffSystem};
use conformers::mol::stereo::{Stereo, WrittenArrangement};
use nalgebra::Point3;
use std::collections::BTreeSet;

fn parse_tag(value: &str) -> Vec<(String, String)> {
    value
        .split_whitespace()
        .map(|w| {
            let (a, b) = w.split_once(':').unwrap();
            (a.to_string(), b.to_string())
        })
        .collect()
}

#[test]
fn cip_labels_match_rdkit() {
    let mols = read_ok(&data("stereo.sdf"));
    assert!(mols.len() >= 20);
    let mut labelled = 0;
    for mol in &mols {
        let stereo = Stereo::perceive(mol);
        let expected = parse_tag(mol.data_value("CIP_CENTRES").unwrap_or(""));
        let expected_upper: BTreeSet<(usize, String)> = expected
            .iter()
            .filter(|(_, l)| l == "R" || l == "S")
            .map(|(a, l)| (a.parse().unwrap(), l.clone()))
            .collect();
        let got: BTreeSet<(usize, String)> = stereo
            .centres
            .iter()
            .filter_map(|c| c.label.map(|l| (c.atom, l.to_string())))
            .collect();
        assert_eq!(got, expected_upper, "{}", mol.name());
        // Pseudo-asymmetric ring centres (r/s) are perceived, without a label.
        for (atom, label) in &expected {
            if label == "r" || label == "s" {
                let atom: usize = atom.parse().unwrap();
                assert!(
                    stereo.centres.iter().any(|c| c.atom == atom),
                    "{}: ring centre {atom}",
                    mol.name()
                );
            }
        }
        let expected_bonds: BTreeSet<((usize, usize), String)> =
            parse_tag(mol.data_value("CIP_BONDS").unwrap_or(""))
                .into_iter()
                .map(|(ab, l)| {
                    let (a, b) = ab.split_once('-').unwrap();
                    ((a.parse().unwrap(), b.parse().unwrap()), l)
                })
                .collect();
        let got_bonds: BTreeSet<((usize, usize), String)> = stereo
            .double_bonds
            .iter()
            .filter_map(|d| {
                let (a, b) = (d.atoms[1].min(d.atoms[2]), d.atoms[1].max(d.atoms[2]));
                d.label.map(|l| ((a, b), l.to_string()))
            })
            .collect();
        assert_eq!(got_bonds, expected_bonds, "{}", mol.name());
        labelled += got.len() + got_bonds.len();
    }
    assert!(labelled >= 20, "only {labelled} labels checked");
}

#[test]
fn mirror_image_inverts_every_centre_and_keeps_double_bonds() {
    let mols = read_ok(&data("stereo.sdf"));
    let mut inverted = 0;
    for mol in &mols {
        let stereo = Stereo::perceive(mol);
        let mirrored: Vec<Point3<f64>> = mol
            .coords()
            .iter()
            .map(|p| Point3::new(p.x, p.y, -p.z))
            .collect();
        let other = Stereo::perceive_at(mol, &mirrored);
        let diffs = stereo.differences(&other);
        assert_eq!(
            diffs.len(),
            stereo.centres.len(),
            "{}: {diffs:?}",
            mol.name()
        );
        inverted += diffs.len();
        assert!(stereo.differences(&stereo).is_empty());
    }
    assert!(inverted >= 15);
}

/// Ethyl methyl phosphate (C C O P(=O) O⁻ O C): its P is no stereocentre
/// to the tool, since exchanging the two terminal oxygens is a turn of the
/// group at the same energy, but the written exchange is put back.
#[test]
fn a_resonance_pair_is_put_back_as_written() {
    let mol = &read_ok(&data("phosphodiester.sdf"))[0];
    let (p, double, charged) = (3, 4, 5);
    assert_eq!(mol.atom(charged).charge, -1);
    assert!(Stereo::perceive(mol).centres.iter().all(|c| c.atom != p));
    let mut exchanged = mol.coords().to_vec();
    exchanged.swap(double, charged);
    let system = MmffSystem::new(mol, &MmffOptions::default()).unwrap();
    let energy = system.energy(mol.coords()).total();
    assert!((system.energy(&exchanged).total() - energy).abs() < 1e-9);
    let written = WrittenArrangement::of(mol);
    written.restore(&mut exchanged);
    assert_eq!(exchanged, mol.coords());
    let mut kept = mol.coords().to_vec();
    written.restore(&mut kept);
    assert_eq!(kept, mol.coords());
}
