//! SDF reading and writing: real inputs, every failure mode of the bad set,
//! V3000, aromatic input, gzip, streaming, and read → write → read identity.

use crate::util::{data, read_all, read_ok, read_str, root, to_sdf};
use conformers::io::SdfReader;
use conformers::mol::{Atom, Bond, BondOrder, CompletenessError, Element, Radical, StructureError};
use conformers::{Error, Molecule, RecordErrorKind as Kind};
use nalgebra::Point3;
use proptest::prelude::*;
use std::io::Read;

/// The single error of a one-record bad file, with its line number.
fn bad(name: &str) -> (Kind, usize, String) {
    first_error(&data("bad").join(name))
}

/// The error of the one record in `path`.
fn first_error(path: &std::path::Path) -> (Kind, usize, String) {
    let name = path.file_name().unwrap().to_str().unwrap();
    let results = read_all(path);
    assert_eq!(results.len(), 1, "{name}");
    match results.into_iter().next().unwrap() {
        Err(Error::Record(e)) => {
            assert_eq!(e.location.record, 1);
            assert!(e.location.file.ends_with(name));
            let message = e.to_string();
            (e.kind, e.location.line, message)
        }
        other => panic!("{name}: expected a record error, got {other:?}"),
    }
}

#[test]
fn truncated_atom_block() {
    let (kind, line, msg) = bad("truncated_atom_block.sdf");
    assert!(
        matches!(
            kind,
            Kind::UnexpectedEnd {
                block: "atom block",
                ..
            }
        ),
        "{kind:?}"
    );
    assert_eq!(line, 8);
    assert!(msg.contains("atom line 5 of 9"), "{msg}");
}

#[test]
fn bad_counts_line() {
    let (kind, line, _) = bad("bad_counts_line.sdf");
    assert!(matches!(kind, Kind::CountsLine { .. }), "{kind:?}");
    assert_eq!(line, 4);
}

#[test]
fn unknown_element() {
    let (kind, line, _) = bad("unknown_element.sdf");
    assert_eq!(kind, Kind::UnknownElement("Xx".into()));
    assert_eq!(line, 7);
}

#[test]
fn non_numeric_coordinate() {
    let (kind, line, msg) = bad("non_numeric_coordinate.sdf");
    assert_eq!(
        kind,
        Kind::BadNumber {
            field: "x coordinate",
            atom: 1,
            value: "-1.2a34".into()
        }
    );
    assert_eq!(line, 5);
    assert!(msg.contains("line 5") && msg.contains("record 1"), "{msg}");
}

#[test]
fn missing_m_end() {
    let (kind, line, _) = bad("missing_m_end.sdf");
    assert_eq!(kind, Kind::MissingEnd);
    assert_eq!(line, 22);
}

#[test]
fn implicit_hydrogens() {
    // Iterating the reader yields 3D structures: a 2D drawing without
    // hydrogens is not one.
    let (kind, line, msg) = first_error(&data("drawn_no_hydrogens.sdf"));
    match kind {
        Kind::Incomplete(CompletenessError::MissingHydrogens {
            atom,
            element,
            valence,
            expected,
            ..
        }) => {
            assert_eq!((atom, element, valence, expected), (1, Element::C, 1, 4));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(line, 5, "the line of atom 1");
    assert!(msg.contains("missing hydrogens on atom 1 (C)"), "{msg}");
}

/// A 3D structure without hydrogens gets them, after its own atoms and in
/// the order of their heavy atoms (as RDKit's AddHs), the heavy atoms where
/// they were.
#[test]
fn hydrogens_are_placed_on_3d_input_without_them() {
    let path = data("no_hydrogens_3d.sdf");
    let text = std::fs::read_to_string(&path).unwrap();
    let heavy: Vec<Point3<f64>> = text
        .lines()
        .skip(4)
        .take(11)
        .map(|l| {
            let v: Vec<f64> = l
                .split_whitespace()
                .take(3)
                .map(|x| x.parse().unwrap())
                .collect();
            Point3::new(v[0], v[1], v[2])
        })
        .collect();
    let mol = read_ok(&path).remove(0);
    // Paracetamol: 11 heavy atoms, 9 hydrogens.
    assert_eq!(mol.num_atoms(), 20);
    assert_eq!(&mol.coords()[..11], heavy.as_slice());
    let parents: Vec<usize> = (11..20).map(|h| mol.neighbors(h).next().unwrap()).collect();
    assert_eq!(parents, [0, 0, 0, 3, 5, 6, 8, 9, 10]);
    for h in 11..20 {
        let p = parents[h - 11];
        let length = (mol.coords()[h] - mol.coords()[p]).norm();
        assert!((0.9..1.2).contains(&length), "H{} at {length} Å", h + 1);
        // No hydrogen closer than 1.5 Å to a heavy atom other than its own.
        for (a, x) in mol.coords()[..11].iter().enumerate() {
            if a != p {
                assert!(
                    (mol.coords()[h] - x).norm() > 1.5,
                    "H{} near atom {}",
                    h + 1,
                    a + 1
                );
            }
        }
    }
}

#[test]
fn flat_2d() {
    let (kind, _, _) = first_error(&data("drawn_with_hydrogens.sdf"));
    assert_eq!(kind, Kind::Incomplete(CompletenessError::Flat));
}

/// `next_input` reads the same drawings as sketches: hydrogens each atom
/// lacks are appended after the drawing's own atoms.
#[test]
fn drawings_are_read_as_sketches() {
    use conformers::io::sdf::Input;
    for (file, atoms) in [
        ("drawn_no_hydrogens.sdf", 9),
        ("drawn_with_hydrogens.sdf", 9),
    ] {
        let path = data(file);
        let mut reader = conformers::io::open_sdf(path.to_str().unwrap()).unwrap();
        match reader.next_input() {
            Some(Ok(Input::Drawing(sketch))) => {
                assert_eq!(sketch.atoms.len(), atoms, "{file}");
                assert_eq!(sketch.atoms[2].element, Element::O, "{file}");
            }
            other => panic!("{file}: {other:?}"),
        }
        assert!(reader.next_input().is_none());
    }
}

#[test]
fn bad_bond_index() {
    let (kind, line, msg) = bad("bad_bond_index.sdf");
    assert_eq!(
        kind,
        Kind::Structure(StructureError::BondAtomOutOfRange {
            bond: 3,
            atom: 42,
            num_atoms: 9
        })
    );
    assert_eq!(line, 16);
    assert!(msg.contains("bond 3 refers to atom 42"), "{msg}");
}

#[test]
fn v3000_ctab_never_closed() {
    let (kind, line, msg) = bad("v3000_unclosed_ctab.sdf");
    assert!(matches!(kind, Kind::V3000(_)), "{kind:?}");
    assert_eq!(line, 28, "the 'M  END' line");
    assert!(msg.contains("record 1 (ethanol_v3000)"), "{msg}");
    assert!(msg.contains("'M  V30 END CTAB'"), "{msg}");
    // The records after it are still read.
    let unclosed = std::fs::read_to_string(data("bad/v3000_unclosed_ctab.sdf")).unwrap();
    let good = std::fs::read_to_string(data("v3000.sdf")).unwrap();
    let results = read_str(&format!("{unclosed}{good}"));
    assert!(results[0].is_err());
    assert!(results.len() > 1 && results[1..].iter().all(Result::is_ok));
}

#[test]
fn broken_records_do_not_stop_the_batch() {
    let results = read_all(&data("bad/mixed_batch.sdf"));
    let summary: Vec<(String, Option<usize>)> = results
        .iter()
        .map(|r| match r {
            Ok(m) => (m.name().to_string(), None),
            Err(Error::Record(e)) => (e.location.title.clone(), Some(e.location.line)),
            Err(e) => panic!("{e}"),
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            ("good1".to_string(), None),
            ("broken_coord".to_string(), Some(28)),
            ("good2".to_string(), None),
            ("no_hydrogens".to_string(), Some(84)),
            ("good3".to_string(), None),
        ]
    );
    // Record numbers count every record, good or bad.
    if let Err(Error::Record(e)) = &results[3] {
        assert_eq!(e.location.record, 4);
    }
}

#[test]
fn no_bad_input_panics() {
    // Every prefix of every bad file, and of a good one, reads without panic.
    let mut files: Vec<_> = std::fs::read_dir(data("bad"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.push(root().join("molecules/multi.sdf"));
    files.push(data("v3000.sdf"));
    for path in files {
        let bytes = std::fs::read(&path).unwrap();
        for cut in (0..bytes.len()).step_by(7) {
            let _: Vec<_> = SdfReader::new(&bytes[..cut], "cut.sdf").collect();
        }
    }
}

#[test]
fn v3000_equals_v2000() {
    let v3 = read_ok(&data("v3000.sdf"));
    let v2 = read_ok(&data("v3000_as_v2000.sdf"));
    assert_eq!(v3.len(), 3);
    for (a, b) in v3.iter().zip(&v2) {
        assert_eq!(a.atoms(), b.atoms(), "{}", a.name());
        assert_eq!(
            a.bonds()
                .iter()
                .map(|b| (b.atoms, b.order))
                .collect::<Vec<_>>(),
            b.bonds()
                .iter()
                .map(|b| (b.atoms, b.order))
                .collect::<Vec<_>>()
        );
        for (p, q) in a.coords().iter().zip(b.coords()) {
            assert!((p - q).norm() < 1e-3);
        }
    }
    assert!(v3.iter().any(|m| m.atoms().iter().any(|a| a.charge == 1)));
    assert!(v3
        .iter()
        .any(|m| m.atoms().iter().any(|a| a.isotope.is_some())));
}

#[test]
fn aromatic_input_is_kekulised() {
    let mols = read_ok(&data("aromatic.sdf"));
    assert_eq!(mols.len(), 4);
    for m in &mols {
        // Every carbon ends with valence 4: exactly one double bond each.
        for i in 0..m.num_atoms() {
            if m.atom(i).element == Element::C {
                assert_eq!(m.valence(i), 4, "{} atom {}", m.name(), i + 1);
            }
        }
    }
    let results = read_all(&data("aromatic_impossible.sdf"));
    match &results[0] {
        Err(Error::Record(e)) => assert!(matches!(e.kind, Kind::Kekulize { .. }), "{:?}", e.kind),
        other => panic!("{other:?}"),
    }
}

#[test]
fn gzip_reads_like_plain_text() {
    let plain = read_ok(&root().join("molecules/multi.sdf"));
    let gz = read_ok(&data("multi.sdf.gz"));
    assert_eq!(plain.len(), 5);
    assert_eq!(plain, gz);
}

#[test]
fn charges_isotopes_radicals_and_data_items() {
    let text = "\
mol one
  test      3D
comment line
  4  3  0  0  0  0  0  0  0  0999 V2000
    0.0000    0.0000    0.1000 C   1  0  0  0  0  0  0  0  0  0  0  0
    1.0000    0.0000    0.0000 H   0  0  0  0  0  0  0  0  0  0  0  0
   -0.5000    0.8000    0.0000 H   0  0  0  0  0  0  0  0  0  0  0  0
   -0.5000   -0.8000    0.0000 H   0  0  0  0  0  0  0  0  0  0  0  0
  1  2  1  0
  1  3  1  0
  1  4  1  0
M  RAD  1   1   2
M  END
> <first>
one
two

>  25  <second> (1)
x

$$$$
";
    let mols: Vec<Molecule> = read_str(text).into_iter().map(Result::unwrap).collect();
    let m = &mols[0];
    assert_eq!(m.atom(0).isotope, Some(13), "mass difference +1 on C");
    assert_eq!(m.atom(0).radical, Radical::Doublet);
    assert_eq!(m.comment(), "comment line");
    assert_eq!(m.data_value("first"), Some("one\ntwo"));
    assert_eq!(m.data_value("second"), Some("x"));
    let again: Vec<Molecule> = read_str(&to_sdf(&mols))
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(&again, &mols);
}

#[test]
fn atom_block_charges_are_superseded_by_m_chg() {
    let text = "\
ammonium
  test      3D

  5  4  0  0  0  0  0  0  0  0999 V2000
    0.0000    0.0000    0.0000 N   5  0  0  0  0  0  0  0  0  0  0  0
    0.6000    0.6000    0.6000 H   0  0  0  0  0  0  0  0  0  0  0  0
   -0.6000   -0.6000    0.6000 H   0  0  0  0  0  0  0  0  0  0  0  0
   -0.6000    0.6000   -0.6000 H   0  0  0  0  0  0  0  0  0  0  0  0
    0.6000   -0.6000   -0.6000 H   0  0  0  0  0  0  0  0  0  0  0  0
  1  2  1  0
  1  3  1  0
  1  4  1  0
  1  5  1  0
M  CHG  1   1   1
M  END
$$$$
";
    let mol = read_str(text).remove(0).unwrap();
    assert_eq!(mol.atom(0).charge, 1);
}

#[test]
fn stdin_style_streaming_does_not_load_the_whole_input() {
    // An endless stream of records: a reader that buffered it all would hang.
    let record = std::fs::read(root().join("molecules/butane.sdf")).unwrap();
    struct Endless(Vec<u8>, usize);
    impl Read for Endless {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = buf.len().min(self.0.len() - self.1);
            buf[..n].copy_from_slice(&self.0[self.1..self.1 + n]);
            self.1 = (self.1 + n) % self.0.len();
            Ok(n)
        }
    }
    let reader = SdfReader::new(std::io::BufReader::new(Endless(record, 0)), "endless");
    let names: Vec<String> = reader
        .take(500)
        .map(|r| r.unwrap().name().to_string())
        .collect();
    assert_eq!(names.len(), 500);
    assert!(names.iter().all(|n| n == "butane"));
}

#[test]
fn example_and_fixture_files_round_trip() {
    let mut paths: Vec<_> = std::fs::read_dir(root().join("molecules"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "sdf"))
        .collect();
    paths.extend(["stereo.sdf", "aromatic.sdf"].map(data));
    assert!(paths.len() >= 8);
    for path in paths {
        let first = read_ok(&path);
        let second: Vec<Molecule> = read_str(&to_sdf(&first))
            .into_iter()
            .map(Result::unwrap)
            .collect();
        assert_eq!(first, second, "{}", path.display());
    }
    // V3000 input with 6-decimal coordinates is written as V2000 (4 decimals):
    // the same molecule to 5e-5 Å, identical from then on.
    let v3 = read_ok(&data("v3000.sdf"));
    let once: Vec<Molecule> = read_str(&to_sdf(&v3))
        .into_iter()
        .map(Result::unwrap)
        .collect();
    let twice: Vec<Molecule> = read_str(&to_sdf(&once))
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(once, twice);
    for (a, b) in v3.iter().zip(&once) {
        assert_eq!(
            (a.atoms(), a.bonds(), a.name()),
            (b.atoms(), b.bonds(), b.name())
        );
        for (p, q) in a.coords().iter().zip(b.coords()) {
            assert!((p - q).amax() <= 5.0001e-5);
        }
    }
}

#[test]
fn large_molecules_are_written_as_v3000() {
    // A linear alkane C334H670 (1004 atoms): past the V2000 limit.
    let n = 334;
    let mut atoms = Vec::new();
    let mut coords = Vec::new();
    let mut bonds = Vec::new();
    for i in 0..n {
        atoms.push(Atom::new(Element::C));
        coords.push(Point3::new(
            1.25 * i as f64,
            if i % 2 == 0 { 0.0 } else { 0.85 },
            0.0,
        ));
        if i > 0 {
            bonds.push(Bond {
                atoms: [i - 1, i],
                order: BondOrder::Single,
                stereo: 0,
            });
        }
    }
    for i in 0..n {
        let hydrogens = if i == 0 || i == n - 1 { 3 } else { 2 };
        for h in 0..hydrogens {
            let c = coords[i];
            atoms.push(Atom::new(Element::H));
            coords.push(Point3::new(
                c.x + 0.1 * h as f64,
                c.y + 0.3,
                if h % 2 == 0 { 0.9 } else { -0.9 },
            ));
            bonds.push(Bond {
                atoms: [i, atoms.len() - 1],
                order: BondOrder::Single,
                stereo: 0,
            });
        }
    }
    let mut mol = Molecule::new("C334H670", atoms, bonds, coords).unwrap();
    mol.push_data("origin", "generated");
    assert_eq!(mol.num_atoms(), 1004);
    let text = to_sdf(std::slice::from_ref(&mol));
    assert!(text.contains("V3000") && text.contains("M  V30 COUNTS 1004 1003"));
    let back = read_str(&text).remove(0).unwrap();
    assert_eq!(back, mol);
}

#[test]
fn shared_reference_sets_read_without_error() {
    for (file, count) in [
        ("forcefield-reference/dev/mmff94_dev.sdf", 100),
        (
            "forcefield-reference/mmff94-validation/rdkit/MMFF94_hypervalent.sdf",
            761,
        ),
        (
            "forcefield-reference/mmff94-validation/rdkit/MMFF94_dative.sdf",
            761,
        ),
        (
            "forcefield-reference/mmff94-validation/rdkit/MMFF94s_hypervalent.sdf",
            265,
        ),
        (
            "forcefield-reference/mmff94-validation/rdkit/MMFF94s_dative.sdf",
            265,
        ),
        ("eval-dev/boltzmann/inputs_all.sdf", 5),
        ("eval-dev/minima/inputs_all.sdf", 20),
    ] {
        let Some(path) = crate::util::shared(file) else {
            continue;
        };
        let mols = read_ok(&path);
        assert_eq!(mols.len(), count, "{file}");
        // And they survive a write/read cycle unchanged.
        let again: Vec<Molecule> = read_str(&to_sdf(&mols))
            .into_iter()
            .map(Result::unwrap)
            .collect();
        assert_eq!(mols, again, "{file}");
    }
}

/// A random, chemically complete molecule: a tree of heavy atoms with single
/// and double bonds, filled up with hydrogens to an allowed valence.
fn arbitrary_molecule() -> impl Strategy<Value = Molecule> {
    let heavy = prop::collection::vec((0usize..7, any::<u32>(), 0u8..10), 1..14);
    let tags = prop::collection::vec(("[A-Za-z_][A-Za-z0-9_]{0,12}", "[ -~]{0,30}"), 0..3);
    (heavy, tags, "[ -~]{0,40}", any::<u64>()).prop_map(|(heavy, tags, title, seed)| {
        let choices = [
            (Element::C, 0),
            (Element::N, 0),
            (Element::O, 0),
            (Element::S, 0),
            (Element::N, 1),
            (Element::O, -1),
            (Element::from_symbol("Cl").unwrap(), 0),
        ];
        let mut rng = seed;
        let mut next = move || {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng
        };
        let mut atoms: Vec<Atom> = Vec::new();
        let mut bonds: Vec<Bond> = Vec::new();
        let mut used = Vec::new();
        let capacity = |a: &Atom| {
            *a.element
                .allowed_valences(a.charge as i32)
                .unwrap()
                .first()
                .unwrap()
        };
        for (k, (choice, pick, flag)) in heavy.into_iter().enumerate() {
            let (element, charge) = choices[choice];
            let mut atom = Atom::new(element);
            atom.charge = charge;
            if flag == 0 {
                atom.isotope = Some(element.nominal_mass() + 1);
            }
            let cap = capacity(&atom);
            let open: Vec<usize> = (0..atoms.len())
                .filter(|&i| used[i] < capacity(&atoms[i]))
                .collect();
            if k > 0 && open.is_empty() {
                break;
            }
            atoms.push(atom);
            used.push(0u8);
            let me = atoms.len() - 1;
            if k > 0 {
                let other = open[pick as usize % open.len()];
                let double =
                    flag % 3 == 1 && cap >= 2 && capacity(&atoms[other]) - used[other] >= 2;
                let order = if double {
                    BondOrder::Double
                } else {
                    BondOrder::Single
                };
                bonds.push(Bond {
                    atoms: [other, me],
                    order,
                    stereo: 0,
                });
                used[other] += order.valence();
                used[me] += order.valence();
            }
        }
        let heavy_count = atoms.len();
        for i in 0..heavy_count {
            for _ in used[i]..capacity(&atoms[i]) {
                atoms.push(Atom::new(Element::H));
                bonds.push(Bond {
                    atoms: [i, atoms.len() - 1],
                    order: BondOrder::Single,
                    stereo: 0,
                });
            }
        }
        let coords = (0..atoms.len())
            .map(|_| {
                let mut c = || (next() % 2_000_000) as f64 / 1e4 - 100.0;
                Point3::new(c(), c(), c() + 0.5)
            })
            .collect();
        let mut mol = Molecule::new(title.trim(), atoms, bonds, coords).unwrap();
        for (tag, value) in tags {
            mol.push_data(tag, value.trim());
        }
        mol
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn read_write_read_is_identical(mol in arbitrary_molecule()) {
        let first: Vec<Molecule> = read_str(&to_sdf(std::slice::from_ref(&mol)))
            .into_iter().map(Result::unwrap).collect();
        prop_assert_eq!(first.len(), 1);
        let m1 = &first[0];
        prop_assert_eq!(m1.name(), mol.name());
        prop_assert_eq!(m1.atoms(), mol.atoms());
        prop_assert_eq!(m1.bonds(), mol.bonds());
        prop_assert_eq!(m1.data(), mol.data());
        for (p, q) in m1.coords().iter().zip(mol.coords()) {
            prop_assert!((p - q).amax() <= 5.0001e-5);
        }
        let second: Vec<Molecule> = read_str(&to_sdf(&first)).into_iter().map(Result::unwrap).collect();
        prop_assert_eq!(&second, &first);
    }
}

#[test]
fn xyz_frames_carry_name_and_energy() {
    use conformers::io::xyz;
    let mols = read_ok(&root().join("molecules/multi.sdf"));
    let mut out = Vec::new();
    for (k, m) in mols.iter().enumerate() {
        let energy = (k % 2 == 0).then_some(-12.345678 + k as f64);
        xyz::write_frame(&mut out, m, m.coords(), &xyz::comment(m.name(), energy)).unwrap();
    }
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let mut at = 0;
    for (k, m) in mols.iter().enumerate() {
        assert_eq!(lines[at].parse::<usize>().unwrap(), m.num_atoms());
        let comment = lines[at + 1];
        assert!(comment.starts_with(m.name()));
        assert_eq!(comment.contains("energy="), k % 2 == 0, "{comment}");
        let first: Vec<&str> = lines[at + 2].split_whitespace().collect();
        assert_eq!(first[0], m.atom(0).element.symbol());
        let x: f64 = first[1].parse().unwrap();
        assert!((x - m.coords()[0].x).abs() < 1e-6);
        at += 2 + m.num_atoms();
    }
    assert_eq!(at, lines.len());
    assert!(text.contains("energy=-12.345678 kcal/mol"));
}

#[test]
fn fragments_and_rings_of_a_salt() {
    // Methane and ammonium in one record: two fragments.
    let text = "\
pair
  test      3D

 10  8  0  0  0  0  0  0  0  0999 V2000
    0.0000    0.0000    0.0000 C   0  0  0  0  0  0  0  0  0  0  0  0
    0.6300    0.6300    0.6300 H   0  0  0  0  0  0  0  0  0  0  0  0
   -0.6300   -0.6300    0.6300 H   0  0  0  0  0  0  0  0  0  0  0  0
   -0.6300    0.6300   -0.6300 H   0  0  0  0  0  0  0  0  0  0  0  0
    0.6300   -0.6300   -0.6300 H   0  0  0  0  0  0  0  0  0  0  0  0
    5.0000    0.0000    0.0000 N   0  0  0  0  0  0  0  0  0  0  0  0
    5.6000    0.6000    0.6000 H   0  0  0  0  0  0  0  0  0  0  0  0
    4.4000   -0.6000    0.6000 H   0  0  0  0  0  0  0  0  0  0  0  0
    4.4000    0.6000   -0.6000 H   0  0  0  0  0  0  0  0  0  0  0  0
    5.6000   -0.6000   -0.6000 H   0  0  0  0  0  0  0  0  0  0  0  0
  1  2  1  0
  1  3  1  0
  1  4  1  0
  1  5  1  0
  6  7  1  0
  6  8  1  0
  6  9  1  0
  6 10  1  0
M  CHG  1   6   1
M  END
$$$$
";
    let mol = read_str(text).remove(0).unwrap();
    assert_eq!(
        mol.fragments(),
        vec![vec![0, 1, 2, 3, 4], vec![5, 6, 7, 8, 9]]
    );
    assert_eq!(mol.formula(), "CH8N+");
    assert!(mol.rings().cycles().is_empty());
}

#[test]
fn old_mac_and_windows_line_endings_read_alike() {
    let unix = std::fs::read_to_string(root().join("molecules/multi.sdf")).unwrap();
    let expected: Vec<Molecule> = read_str(&unix).into_iter().map(Result::unwrap).collect();
    for ending in ["\r", "\r\n"] {
        let text = unix.replace('\n', ending);
        let got: Vec<Molecule> = read_str(&text).into_iter().map(Result::unwrap).collect();
        assert_eq!(got, expected, "{ending:?}");
    }
}

#[test]
fn a_corrupt_gzip_stream_is_a_located_error() {
    let gz = std::fs::read(data("multi.sdf.gz")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cut.sdf.gz");
    std::fs::write(&path, &gz[..gz.len() * 2 / 3]).unwrap();
    let results = read_all(&path);
    let last = results.last().unwrap();
    match last {
        Err(Error::Record(e)) => {
            assert!(matches!(e.kind, Kind::Io(_)), "{:?}", e.kind);
            assert!(e.location.line > 1 && e.location.record > 1);
            assert!(e.to_string().contains(", line "));
        }
        other => panic!("{other:?}"),
    }
    // The records before the damage come out.
    assert!(results[0].is_ok());
}

#[test]
fn out_of_range_values_and_bad_bonds_are_errors_at_their_line() {
    // butane.sdf: counts on line 4, atoms on 5-18, bonds on 19-31, M  END on 32.
    let butane = std::fs::read_to_string(root().join("molecules/butane.sdf")).unwrap();
    let lines: Vec<String> = butane.lines().map(String::from).collect();
    assert!(lines[31].starts_with("M  END"));
    let edit = |k: usize, new: &str| {
        let mut l = lines.clone();
        l[k] = new.to_string();
        l.join("\n")
    };
    let error = |text: String| match read_str(&text).remove(0) {
        Err(Error::Record(e)) => (e.kind, e.location.line),
        other => panic!("{other:?}"),
    };
    let (kind, line) = error(edit(31, "M  CHG  1   1 -128\nM  END"));
    assert!(matches!(kind, Kind::PropertyLine(_)), "{kind:?}");
    assert_eq!(line, 32);
    let (kind, line) = error(edit(18, "  1  1  1  0"));
    assert_eq!(
        kind,
        Kind::Structure(StructureError::SelfBond { bond: 1, atom: 1 })
    );
    assert_eq!(line, 19);
    let (kind, line) = error(edit(19, &lines[18]));
    assert_eq!(
        kind,
        Kind::Structure(StructureError::DuplicateBond {
            bond: 2,
            first: 1,
            a: 1,
            b: 2
        })
    );
    assert_eq!(line, 20);
    let v3000 = std::fs::read_to_string(data("v3000.sdf")).unwrap();
    let charged = v3000.replacen("CHG=1", "CHG=-128", 1);
    assert_ne!(charged, v3000);
    assert!(matches!(error(charged).0, Kind::AtomLine { .. }));
}

#[test]
fn blank_lines_are_not_records() {
    let multi = std::fs::read_to_string(root().join("molecules/multi.sdf")).unwrap();
    for text in [
        String::new(),
        "\n".repeat(50),
        format!("{multi}\n\n\n"),
        format!("{multi}\n\n\n\n\n"),
    ] {
        let records = read_str(&text);
        assert!(
            records.iter().all(Result::is_ok),
            "{:?}",
            records.iter().find(|r| r.is_err())
        );
        assert_eq!(records.len(), if text.trim().is_empty() { 0 } else { 5 });
    }
    // A record with an empty title still reads.
    let butane = std::fs::read_to_string(root().join("molecules/butane.sdf")).unwrap();
    let untitled = butane.replacen("butane", "", 1);
    let mol = read_str(&untitled).remove(0).unwrap();
    assert_eq!(mol.name(), "");
}

#[test]
fn byte_order_mark_long_titles_and_absurd_coordinates() {
    let butane = std::fs::read_to_string(root().join("molecules/butane.sdf")).unwrap();
    let with_bom = format!("\u{feff}{butane}");
    assert_eq!(read_str(&with_bom).remove(0).unwrap().name(), "butane");

    let long = butane.replacen("butane", &"x".repeat(5000), 1);
    let broken = long.replacen("-1.9226", "-1.9z26", 1);
    let message = read_str(&broken).remove(0).unwrap_err().to_string();
    assert!(message.len() < 300, "{message}");
    assert!(message.contains("xxx…"), "{message}");

    let far = butane.replacen("   -1.9226", "  -1.0e308", 1);
    match read_str(&far).remove(0) {
        Err(Error::Record(e)) => assert!(matches!(e.kind, Kind::BadNumber { .. }), "{e}"),
        other => panic!("{other:?}"),
    }
}
