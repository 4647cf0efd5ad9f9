//! Rotor detection against an independent implementation of the rule
//! (RDKit, `tests/data/make_fixtures.py`).

use crate::util::{data, read_ok, root};
use conformers::torsion::{find_rotors, RotorOptions};
use conformers::Molecule;
use serde_json::Value;

fn quadruples(v: &Value) -> Vec<[usize; 4]> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|q| {
            let q: Vec<usize> = q
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_u64().unwrap() as usize)
                .collect();
            [q[0], q[1], q[2], q[3]]
        })
        .collect()
}

fn moving(v: &Value) -> Vec<(usize, usize)> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p[0].as_u64().unwrap() as usize,
                p[1].as_u64().unwrap() as usize,
            )
        })
        .collect()
}

fn check(mol: &Molecule, expected: &Value) {
    for (rotate_amides, key, moving_key) in [
        (false, "rotors", "moving"),
        (true, "rotors_with_amides", "moving_with_amides"),
    ] {
        let rotors = find_rotors(mol, RotorOptions { rotate_amides });
        let got: Vec<[usize; 4]> = rotors.iter().map(|r| r.dihedral).collect();
        assert_eq!(got, quadruples(&expected[key]), "{} ({key})", mol.name());
        let got_moving: Vec<(usize, usize)> = rotors
            .iter()
            .map(|r| (r.moving_end, r.moving.len()))
            .collect();
        assert_eq!(
            got_moving,
            moving(&expected[moving_key]),
            "{} ({moving_key})",
            mol.name()
        );
    }
}

#[test]
fn dev_set_rotors_equal_independent_fixture() {
    let Some(sdf) = crate::util::shared("forcefield-reference/dev/mmff94_dev.sdf") else {
        return;
    };
    let mols = read_ok(&sdf);
    let text = std::fs::read_to_string(data("dev_rotors.json")).unwrap();
    let expected: Vec<Value> = serde_json::from_str(&text).unwrap();
    assert_eq!(mols.len(), 100);
    assert_eq!(expected.len(), 100);
    let mut total = 0;
    for (mol, exp) in mols.iter().zip(&expected) {
        assert_eq!(mol.name(), exp["name"].as_str().unwrap());
        check(mol, exp);
        total += exp["rotors"].as_array().unwrap().len();
    }
    assert_eq!(total, 581);
}

#[test]
fn example_molecules_rotors_equal_independent_fixture() {
    let text = std::fs::read_to_string(data("molecules_rotors.json")).unwrap();
    let expected: serde_json::Map<String, Value> = serde_json::from_str(&text).unwrap();
    assert!(expected.len() >= 6);
    for (file, records) in &expected {
        let mols = read_ok(&root().join("molecules").join(file));
        let records = records.as_array().unwrap();
        assert_eq!(mols.len(), records.len(), "{file}");
        for (mol, exp) in mols.iter().zip(records) {
            check(mol, exp);
        }
    }
}

#[test]
fn moving_side_is_rigid_body_of_the_smaller_side() {
    let mols = read_ok(&root().join("molecules/butane.sdf"));
    let rotors = find_rotors(&mols[0], RotorOptions::default());
    assert_eq!(rotors.len(), 1);
    let r = &rotors[0];
    // Butane: C1-C2-C3-C4; each side holds 7 atoms, so the side of the
    // higher-indexed end atom (C3, index 2) turns.
    assert_eq!(r.dihedral, [0, 1, 2, 3]);
    assert_eq!(r.moving_end, 2);
    assert_eq!(r.moving.len(), 7);
    assert!(r.moving.contains(&3) && !r.moving.contains(&1));
}

#[test]
fn symmetric_tops_are_checked_exactly() {
    // 7-cyclopropylnorbornan-7-ol: C7's other neighbours (the cyclopropyl
    // carbon and the two bridgeheads) look alike to class refinement, but
    // no automorphism exchanges the 3-ring carbon with a bridgehead, so the
    // C7–OH bond is a rotor.
    let mol = read_ok(&data("symmetric_top_trap.sdf")).remove(0);
    let rotors = find_rotors(&mol, RotorOptions::default());
    let bonds: Vec<[usize; 2]> = rotors
        .iter()
        .map(|r| [r.dihedral[1], r.dihedral[2]])
        .collect();
    assert_eq!(bonds, vec![[0, 1], [1, 2]]);
    let classes = mol.symmetry_classes();
    assert_eq!(classes[2], classes[5]);
    assert!(!mol.symmetric(&classes, 2, 5));
    assert!(mol.symmetric(&classes, 5, 8));
}
