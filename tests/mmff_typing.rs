//! MMFF94 atom typing against RDKit and OPTIMOL: the development set and the
//! four SDF versions of Halgren's validation suite, independence of atom
//! order, and refusal of chemistry MMFF94 has no types for.

use crate::util::{read_ok, shared};
use conformers::forcefield::mmff::typing::{assign_atom_types, UntypableAtom};
use conformers::forcefield::mmff::{Params, Variant};
use conformers::mol::{Atom, Bond, BondOrder, Element, Radical};
use conformers::Molecule;
use nalgebra::Point3;
use serde_json::Value;
use std::collections::HashMap;
use std::path::Path;

fn jsonl(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Per atom: the expected type, or `None` where the record has none.
fn types_of(v: &Value) -> Vec<Option<u8>> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_u64().map(|t| t as u8))
        .collect()
}

/// Compares computed types with the expected ones; returns a line per
/// differing molecule.
fn compare(mol: &Molecule, expected: &[Option<u8>]) -> Option<String> {
    let got = match assign_atom_types(mol) {
        Ok(t) => t.types,
        Err(e) => return Some(format!("{}: {e}", mol.name())),
    };
    assert_eq!(got.len(), expected.len(), "{}", mol.name());
    let diffs: Vec<String> = got
        .iter()
        .zip(expected)
        .enumerate()
        .filter(|(_, (g, e))| e.is_some_and(|e| e != **g))
        .map(|(i, (g, e))| {
            format!(
                "{}{} got {g} want {}",
                mol.atom(i).element,
                i + 1,
                e.unwrap()
            )
        })
        .collect();
    (!diffs.is_empty()).then(|| format!("{}: {}", mol.name(), diffs.join(", ")))
}

#[test]
fn dev_set_matches_rdkit() {
    let Some(dir) = shared("forcefield-reference/dev") else {
        return;
    };
    let mols = read_ok(&dir.join("mmff94_dev.sdf"));
    let refs = jsonl(&dir.join("mmff94_dev.mmff94.jsonl"));
    assert_eq!(mols.len(), 100);
    assert_eq!(refs.len(), mols.len());
    let mut failures = Vec::new();
    for (mol, r) in mols.iter().zip(&refs) {
        assert_eq!(r["name"].as_str().unwrap(), mol.name());
        if let Some(f) = compare(mol, &types_of(&r["mmff_atom_types"])) {
            failures.push(f);
        }
    }
    assert!(
        failures.is_empty(),
        "{} of 100 differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The aromatic-bond flags checked through the MMFF bond type RDKit used
/// for every bond of the development set (`bond_type` in the detail file):
/// 1 for a single bond outside aromatic rings between two atoms whose types
/// are both "single bond to multiple bond" (sbmb) or both aromatic, else 0.
#[test]
fn dev_set_aromatic_bonds_give_rdkit_bond_types() {
    let Some(dir) = shared("forcefield-reference/dev") else {
        return;
    };
    let params = Params::get(Variant::Mmff94);
    let mols = read_ok(&dir.join("mmff94_dev.sdf"));
    let details = jsonl(&dir.join("mmff94_dev.mmff94.detail.jsonl"));
    let mut checked = 0;
    for (mol, detail) in mols.iter().zip(&details) {
        let typing = assign_atom_types(mol).unwrap();
        let props = |a: usize| params.props(typing.types[a]).unwrap();
        for b in detail["bonds"].as_array().unwrap() {
            let atoms = b["atoms"].as_array().unwrap();
            let (i, j) = (
                atoms[0].as_u64().unwrap() as usize,
                atoms[1].as_u64().unwrap() as usize,
            );
            let bond = mol.bond_between(i, j).unwrap();
            let single =
                mol.bonds()[bond].order == BondOrder::Single && !typing.aromatic_bonds[bond];
            let conjugated = (props(i).sbmb && props(j).sbmb) || (props(i).arom && props(j).arom);
            let bond_type = u64::from(single && conjugated);
            assert_eq!(
                bond_type,
                b["bond_type"].as_u64().unwrap(),
                "{} bond {}-{}",
                mol.name(),
                i + 1,
                j + 1
            );
            checked += 1;
        }
    }
    assert!(checked > 4000, "{checked}");
}

/// One SDF of the validation suite against the merged reference records
/// (matched by name). The reference type of an atom is OPTIMOL's
/// (`ref_atom_types`); free ions, which OPTIMOL lists in no bond, take
/// RDKit's (`mmff_atom_types`), identical wherever both exist.
fn suite_file(sdf: &str, reference: &str) -> Option<(usize, Vec<String>)> {
    let dir = shared("forcefield-reference/mmff94-validation")?;
    let mols = read_ok(&dir.join("rdkit").join(sdf));
    let refs: HashMap<String, Value> = jsonl(&dir.join("derived").join(reference))
        .into_iter()
        .map(|r| (r["name"].as_str().unwrap().to_string(), r))
        .collect();
    assert_eq!(mols.len(), refs.len(), "{sdf}");
    let mut failures = Vec::new();
    for mol in &mols {
        let r = refs
            .get(mol.name())
            .unwrap_or_else(|| panic!("{sdf}: no reference record for {}", mol.name()));
        let optimol = types_of(&r["ref_atom_types"]);
        let rdkit = types_of(&r["mmff_atom_types"]);
        let expected: Vec<Option<u8>> = optimol.iter().zip(&rdkit).map(|(o, r)| o.or(*r)).collect();
        if let Some(f) = compare(mol, &expected) {
            failures.push(f);
        }
    }
    Some((mols.len(), failures))
}

fn check_suite(sdf: &str, reference: &str, count: usize) {
    let Some((n, failures)) = suite_file(sdf, reference) else {
        return;
    };
    assert_eq!(n, count, "{sdf}");
    assert!(
        failures.is_empty(),
        "{sdf}: {} of {n} differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn suite_mmff94_hypervalent() {
    check_suite(
        "MMFF94_hypervalent.sdf",
        "MMFF94_suite.reference.jsonl",
        761,
    );
}

#[test]
fn suite_mmff94_dative() {
    check_suite("MMFF94_dative.sdf", "MMFF94_suite.reference.jsonl", 761);
}

#[test]
fn suite_mmff94s_hypervalent() {
    check_suite(
        "MMFF94s_hypervalent.sdf",
        "MMFF94s_suite.reference.jsonl",
        265,
    );
}

#[test]
fn suite_mmff94s_dative() {
    check_suite("MMFF94s_dative.sdf", "MMFF94s_suite.reference.jsonl", 265);
}

/// A molecule from its heavy atoms `(symbol, charge)` and bonds `(a, b,
/// order)`, with hydrogens added to every atom up to the lowest valence its
/// element and charge allow. Coordinates are arbitrary; typing ignores them.
fn build(heavy: &[(&str, i8)], bonds: &[(usize, usize, u8)]) -> Molecule {
    let order = |o: u8| match o {
        1 => BondOrder::Single,
        2 => BondOrder::Double,
        3 => BondOrder::Triple,
        _ => panic!("bond order {o}"),
    };
    let mut atoms: Vec<Atom> = heavy
        .iter()
        .map(|&(symbol, charge)| Atom {
            charge,
            ..Atom::new(Element::from_symbol(symbol).unwrap())
        })
        .collect();
    let mut list: Vec<Bond> = bonds
        .iter()
        .map(|&(a, b, o)| Bond {
            atoms: [a, b],
            order: order(o),
            stereo: 0,
        })
        .collect();
    for i in 0..heavy.len() {
        let valence: u8 = bonds
            .iter()
            .filter(|&&(a, b, _)| a == i || b == i)
            .map(|&(_, _, o)| o)
            .sum();
        let wanted = atoms[i]
            .element
            .allowed_valences(atoms[i].charge as i32)
            .and_then(|v| v.into_iter().find(|&v| v >= valence))
            .unwrap_or(valence);
        for _ in valence..wanted {
            atoms.push(Atom::new(Element::H));
            list.push(Bond {
                atoms: [i, atoms.len() - 1],
                order: BondOrder::Single,
                stereo: 0,
            });
        }
    }
    let coords = (0..atoms.len())
        .map(|i| Point3::new(i as f64, (i % 3) as f64, (i % 5) as f64))
        .collect();
    Molecule::new("built", atoms, list, coords).unwrap()
}

/// Renumbers atoms (new atom `perm[i]` is old atom `i`), lists the bonds in
/// reverse order and swaps their ends.
fn permuted(mol: &Molecule, perm: &[usize]) -> Molecule {
    let n = mol.num_atoms();
    let mut atoms = vec![*mol.atom(0); n];
    let mut coords = vec![mol.coords()[0]; n];
    for i in 0..n {
        atoms[perm[i]] = *mol.atom(i);
        coords[perm[i]] = mol.coords()[i];
    }
    let bonds = mol
        .bonds()
        .iter()
        .rev()
        .map(|b| Bond {
            atoms: [perm[b.atoms[1]], perm[b.atoms[0]]],
            ..*b
        })
        .collect();
    Molecule::new(mol.name(), atoms, bonds, coords).unwrap()
}

/// A pseudo-random permutation of `0..n` (a fixed linear congruential
/// generator driving a Fisher–Yates shuffle).
fn shuffle(n: usize, seed: u64) -> Vec<usize> {
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut perm: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        perm.swap(i, (state >> 33) as usize % (i + 1));
    }
    perm
}

/// Types and aromatic bonds of `mol` carried over to its permuted copy.
fn assert_order_independent(mol: &Molecule, seed: u64) {
    let perm = shuffle(mol.num_atoms(), seed);
    let copy = permuted(mol, &perm);
    let (a, b) = match (assign_atom_types(mol), assign_atom_types(&copy)) {
        (Ok(a), Ok(b)) => (a, b),
        // With several untypable atoms, each order reports its first one.
        (Err(_), Err(_)) => return,
        (a, b) => panic!("{}: {a:?} vs {b:?}", mol.name()),
    };
    for (i, &p) in perm.iter().enumerate() {
        assert_eq!(a.types[i], b.types[p], "{} atom {}", mol.name(), i + 1);
    }
    let nb = mol.bonds().len();
    for (k, bond) in mol.bonds().iter().enumerate() {
        // Bond k is listed at position nb - 1 - k in the copy.
        assert_eq!(
            a.aromatic_bonds[k],
            b.aromatic_bonds[nb - 1 - k],
            "{} bond {}-{}",
            mol.name(),
            bond.atoms[0] + 1,
            bond.atoms[1] + 1
        );
    }
}

#[test]
fn types_do_not_depend_on_atom_or_bond_order() {
    let Some(dir) = shared("forcefield-reference") else {
        return;
    };
    let mut mols = read_ok(&dir.join("dev/mmff94_dev.sdf"));
    mols.extend(read_ok(
        &dir.join("mmff94-validation/rdkit/MMFF94_hypervalent.sdf"),
    ));
    for (k, mol) in mols.iter().enumerate() {
        for seed in 0..3 {
            assert_order_independent(mol, 1000 * k as u64 + seed);
        }
    }
}

/// A case where the reference implementation depends on neighbour order:
/// N9 is bonded to an amidine carbon (C8=N7) and to an sp3 carbon bearing
/// three nitrogens. RDKit carries the "carbon double-bonded to N" flag of
/// one carbon over to the next, so in some bond orders it calls N9 a
/// guanidinium N (56). Judged carbon by carbon, N9 is an N–C=N nitrogen (40),
/// whatever the order.
#[test]
fn amidine_aminal_nitrogen_is_typed_by_its_own_carbons() {
    let mol = build(
        &[
            ("C", 0),
            ("C", 0),
            ("C", 0),
            ("C", 0),
            ("C", 0),
            ("C", 0),
            ("N", 0),
            ("N", 0),
            ("C", 0),
            ("N", 0),
            ("C", 0),
            ("N", 0),
            ("C", 0),
            ("C", 0),
            ("C", 0),
            ("C", 0),
            ("C", 0),
            ("C", 0),
            ("C", 0),
            ("C", 0),
            ("C", 0),
            ("C", 0),
            ("C", 0),
            ("C", 0),
        ],
        &[
            (0, 1, 2),
            (1, 2, 1),
            (2, 3, 2),
            (3, 4, 1),
            (4, 5, 2),
            (3, 6, 1),
            (6, 7, 1),
            (7, 8, 2),
            (8, 9, 1),
            (9, 10, 1),
            (10, 11, 1),
            (11, 12, 1),
            (12, 13, 2),
            (13, 14, 1),
            (14, 15, 2),
            (15, 16, 1),
            (16, 17, 2),
            (9, 18, 1),
            (18, 19, 2),
            (19, 20, 1),
            (20, 21, 2),
            (21, 22, 1),
            (22, 23, 2),
            (5, 0, 1),
            (10, 6, 1),
            (11, 8, 1),
            (17, 12, 1),
            (23, 18, 1),
        ],
    );
    let types = assign_atom_types(&mol).unwrap().types;
    assert_eq!(&types[6..12], &[40, 9, 3, 40, 20, 40]);
    for seed in 0..20 {
        assert_order_independent(&mol, seed);
    }
}

#[test]
fn small_molecules_get_their_textbook_types() {
    // Imidazolium: NIM+ on both N, CIM+ between them, C5 elsewhere.
    let imidazolium = build(
        &[("C", 0), ("C", 0), ("N", 1), ("C", 0), ("N", 0)],
        &[(0, 1, 2), (1, 2, 1), (2, 3, 2), (3, 4, 1), (4, 0, 1)],
    );
    let t = assign_atom_types(&imidazolium).unwrap();
    assert_eq!(t.types, [78, 78, 81, 80, 81, 5, 5, 36, 5, 36]);
    assert!(t.aromatic_bonds[..5].iter().all(|&a| a));

    // Pyridine N-oxide: NPOX, its O is O2CM (32), not OM.
    let n_oxide = build(
        &[
            ("O", -1),
            ("N", 1),
            ("C", 0),
            ("C", 0),
            ("C", 0),
            ("C", 0),
            ("C", 0),
        ],
        &[
            (0, 1, 1),
            (1, 2, 2),
            (2, 3, 1),
            (3, 4, 2),
            (4, 5, 1),
            (5, 6, 2),
            (6, 1, 1),
        ],
    );
    assert_eq!(
        assign_atom_types(&n_oxide).unwrap().types,
        [32, 69, 37, 37, 37, 37, 37, 5, 5, 5, 5, 5]
    );

    // 2-Pyridone is not aromatic in MMFF: amide N, C=O carbon, olefinic C.
    let pyridone = build(
        &[
            ("O", 0),
            ("C", 0),
            ("C", 0),
            ("C", 0),
            ("C", 0),
            ("C", 0),
            ("N", 0),
        ],
        &[
            (0, 1, 2),
            (1, 2, 1),
            (2, 3, 2),
            (3, 4, 1),
            (4, 5, 2),
            (5, 6, 1),
            (6, 1, 1),
        ],
    );
    let t = assign_atom_types(&pyridone).unwrap();
    assert_eq!(t.types, [7, 3, 2, 2, 2, 2, 10, 5, 5, 5, 5, 28]);
    assert!(!t.aromatic_bonds.iter().any(|&a| a));

    // Cubane: every carbon in a four-membered ring.
    let cubane = build(
        &[("C", 0); 8],
        &[
            (0, 1, 1),
            (1, 2, 1),
            (2, 3, 1),
            (3, 0, 1),
            (4, 5, 1),
            (5, 6, 1),
            (6, 7, 1),
            (7, 4, 1),
            (0, 4, 1),
            (1, 5, 1),
            (2, 6, 1),
            (3, 7, 1),
        ],
    );
    assert_eq!(&assign_atom_types(&cubane).unwrap().types[..8], &[20; 8]);

    // Toluene: only the ring bonds are aromatic.
    let toluene = build(
        &[
            ("C", 0),
            ("C", 0),
            ("C", 0),
            ("C", 0),
            ("C", 0),
            ("C", 0),
            ("C", 0),
        ],
        &[
            (0, 1, 1),
            (1, 2, 2),
            (2, 3, 1),
            (3, 4, 2),
            (4, 5, 1),
            (5, 6, 2),
            (6, 1, 1),
        ],
    );
    let t = assign_atom_types(&toluene).unwrap();
    assert_eq!(&t.types[..7], &[1, 37, 37, 37, 37, 37, 37]);
    assert!(!t.aromatic_bonds[0] && t.aromatic_bonds[1..7].iter().all(|&a| a));
}

/// The refusal for `mol`, which must be untypable at `atom` (0-based) for a
/// reason mentioning `words`.
fn refused(mol: &Molecule, atom: usize, words: &str) -> UntypableAtom {
    let err = assign_atom_types(mol).expect_err("must be untypable");
    assert_eq!(err.atom, atom, "{err}");
    assert_eq!(err.element, mol.atom(atom).element);
    assert!(err.reason.contains(words), "{err}");
    err
}

#[test]
fn untypable_chemistry_is_refused_naming_the_atom() {
    // Methyl radical flagged as such in the file.
    let mut atoms = vec![Atom {
        radical: Radical::Doublet,
        ..Atom::new(Element::C)
    }];
    atoms.extend([Atom::new(Element::H); 3]);
    let bonds = (1..4)
        .map(|h| Bond {
            atoms: [0, h],
            order: BondOrder::Single,
            stereo: 0,
        })
        .collect();
    let coords = (0..4).map(|i| Point3::new(i as f64, 0.0, 0.0)).collect();
    let methyl = Molecule::new("methyl", atoms, bonds, coords).unwrap();
    refused(&methyl, 0, "radical");

    // The same without the flag: three bonds on a neutral carbon.
    let mut bare = build(&[("C", 0), ("C", 0)], &[(0, 1, 1)]);
    let bonds: Vec<Bond> = bare.bonds()[..bare.bonds().len() - 1].to_vec();
    let atoms = bare.atoms()[..bare.num_atoms() - 1].to_vec();
    let coords = bare.coords()[..bare.num_atoms() - 1].to_vec();
    bare = Molecule::new("ethyl", atoms, bonds, coords).unwrap();
    refused(&bare, 1, "closed-shell");

    // Boron and selenium have no MMFF types.
    let boronic = build(
        &[("C", 0), ("B", 0), ("O", 0), ("O", 0)],
        &[(0, 1, 1), (1, 2, 1), (1, 3, 1)],
    );
    let err = refused(&boronic, 1, "boron");
    assert_eq!(
        err.neighbors,
        vec![(0, Element::C), (2, Element::O), (3, Element::O)]
    );
    assert!(
        err.to_string()
            .starts_with("MMFF94 cannot type atom 2 (B, bonded to C1 O3 O4)"),
        "{err}"
    );
    let selenide = build(&[("C", 0), ("Se", 0), ("C", 0)], &[(0, 1, 1), (1, 2, 1)]);
    refused(&selenide, 1, "selenium");

    // Five-coordinate phosphorus, hypervalent iodine, a bonded metal.
    let phosphorane = build(
        &[("P", 0), ("C", 0), ("C", 0), ("C", 0), ("C", 0), ("C", 0)],
        &[(0, 1, 1), (0, 2, 1), (0, 3, 1), (0, 4, 1), (0, 5, 1)],
    );
    refused(&phosphorane, 0, "five-coordinate phosphorus");
    let iodoxy = build(
        &[("C", 0), ("I", 0), ("O", 0), ("O", 0)],
        &[(0, 1, 1), (1, 2, 2), (1, 3, 2)],
    );
    refused(&iodoxy, 1, "hypervalent iodine");
    let methylsodium = build(&[("Na", 0), ("C", 0)], &[(0, 1, 1)]);
    refused(&methylsodium, 0, "free metal ions");

    // Hydrogen bonded to chlorine.
    let hcl = build(&[("Cl", 0)], &[]);
    refused(&hcl, 1, "chlorine");
}
