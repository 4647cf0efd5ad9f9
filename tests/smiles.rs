//! SMILES parsing against RDKit: atoms (hydrogens appended as `AddHs` does),
//! hydrogen counts, charges, tetrahedral centres and double-bond
//! configurations as written (compared through RDKit's 3D embedding), and
//! the malformed-input table with the column of each error.

use crate::util::data;
use conformers::io::smiles::{parse, read_lines};
use conformers::mol::sketch::Sketch;
use conformers::mol::Element;
use serde_json::Value;

fn cases() -> Value {
    serde_json::from_str(&std::fs::read_to_string(data("smiles_cases.json")).unwrap()).unwrap()
}

/// A JSON list of atom indices.
fn indices(list: &Value) -> Vec<usize> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap() as usize)
        .collect()
}

fn hydrogens(s: &Sketch, atom: usize) -> usize {
    s.bonds
        .iter()
        .filter_map(|&(a, b, _)| match (a == atom, b == atom) {
            (true, _) => Some(b),
            (_, true) => Some(a),
            _ => None,
        })
        .filter(|&n| s.atoms[n].element == Element::H)
        .count()
}

/// Whether the neighbours of a centre, in ascending index order (a lone
/// pair first), run anticlockwise seen from the first.
fn anticlockwise_sorted(neighbours: &[Option<usize>; 4], anticlockwise: bool) -> bool {
    let key = |n: &Option<usize>| n.map_or(-1, |i| i as i64);
    let keys: Vec<i64> = neighbours.iter().map(key).collect();
    let mut inversions = 0;
    for i in 0..4 {
        for j in i + 1..4 {
            if keys[i] > keys[j] {
                inversions += 1;
            }
        }
    }
    anticlockwise ^ (inversions % 2 == 1)
}

#[test]
fn smiles_cases_match_rdkit() {
    let cases = cases();
    let mut centres = 0;
    let mut double_bonds = 0;
    for case in cases["cases"].as_array().unwrap() {
        let smiles = case["smiles"].as_str().unwrap();
        let parsed = parse(smiles).unwrap_or_else(|e| panic!("{smiles}: {e}"));
        let numbers: Vec<u64> = parsed
            .atoms
            .iter()
            .map(|a| u64::from(a.element.atomic_number()))
            .collect();
        let expected: Vec<u64> = case["atomic_numbers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap())
            .collect();
        assert_eq!(numbers, expected, "{smiles}: atoms");
        for (i, h) in case["hydrogens"].as_array().unwrap().iter().enumerate() {
            assert_eq!(
                hydrogens(&parsed, i) as u64,
                h.as_u64().unwrap(),
                "{smiles}: H on atom {i}"
            );
        }
        for (i, q) in case["charges"].as_array().unwrap().iter().enumerate() {
            assert_eq!(
                i64::from(parsed.atoms[i].charge),
                q.as_i64().unwrap(),
                "{smiles}: charge of atom {i}"
            );
        }
        let reference = case["centres"].as_array().unwrap();
        assert_eq!(parsed.centres.len(), reference.len(), "{smiles}: centres");
        for r in reference {
            let atom = r["atom"].as_u64().unwrap() as usize;
            let centre = parsed
                .centres
                .iter()
                .find(|c| c.centre == atom)
                .unwrap_or_else(|| panic!("{smiles}: no centre at atom {atom}"));
            // Anticlockwise seen from the first neighbour is a negative
            // chiral volume of the neighbours in that order.
            let negative = r["volume_sign"].as_i64().unwrap() < 0;
            assert_eq!(
                anticlockwise_sorted(&centre.neighbours, centre.anticlockwise),
                negative,
                "{smiles}: centre at atom {atom}"
            );
            centres += 1;
        }
        let reference = case["double_bonds"].as_array().unwrap();
        assert_eq!(
            parsed.double_bonds.len(),
            reference.len(),
            "{smiles}: stereo double bonds"
        );
        for r in reference {
            let ends = indices(&r["atoms"]);
            let ours = parsed
                .double_bonds
                .iter()
                .find(|d| (d.a, d.b) == (ends[0], ends[1]) || (d.b, d.a) == (ends[0], ends[1]))
                .unwrap_or_else(|| panic!("{smiles}: no stereo at {ends:?}"));
            let (x, y) = if ours.a == ends[0] {
                (ours.ref_a, ours.ref_b)
            } else {
                (ours.ref_b, ours.ref_a)
            };
            let cis = r["pairs"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p[0].as_u64() == Some(x as u64) && p[1].as_u64() == Some(y as u64))
                .map(|p| p[2].as_bool().unwrap())
                .unwrap_or_else(|| panic!("{smiles}: pair {x}, {y} not in the reference"));
            assert_eq!(ours.cis, cis, "{smiles}: double bond {ends:?}");
            double_bonds += 1;
        }
    }
    assert!(
        centres >= 15 && double_bonds >= 6,
        "{centres} centres, {double_bonds} double bonds"
    );
}

#[test]
fn malformed_smiles_name_the_column() {
    let cases = cases();
    for bad in cases["bad"].as_array().unwrap() {
        let smiles = bad["smiles"].as_str().unwrap();
        let error = parse(smiles).expect_err(smiles);
        assert_eq!(
            error.column as u64,
            bad["column"].as_u64().unwrap(),
            "{smiles}: {error}"
        );
        assert!(
            error.message.contains(bad["message"].as_str().unwrap()),
            "{smiles}: {error}"
        );
    }
    // A very long line is read (and rejected) without trouble.
    let long = "C".repeat(40_000) + "(";
    assert_eq!(parse(&long).unwrap_err().column, 40_001);
}

#[test]
fn smiles_files_name_each_line_and_go_on() {
    let text = "SMILES name\nCCO ethanol\n\n  C1CC broken ring\nc1ccccc1\tbenzene ring\n";
    let lines: Vec<_> = read_lines(text.as_bytes()).map(Result::unwrap).collect();
    assert_eq!(lines.len(), 3);
    assert_eq!((lines[0].line, lines[0].name.as_str()), (2, "ethanol"));
    let error = lines[1].smiles.as_ref().unwrap_err();
    assert_eq!((lines[1].line, error.column), (4, 4));
    assert_eq!(lines[2].name, "benzene ring");
    assert_eq!(lines[2].smiles.as_ref().unwrap().atoms.len(), 12);
}

/// Every case embedded in 3D has RDKit's configuration at every centre and
/// double bond, a bond length near MMFF94's for every bond, and no two
/// atoms closer than 0.7 Å.
#[test]
fn embedded_smiles_keep_the_written_stereo() {
    use conformers::ensemble::embed::embed;
    let cases = cases();
    for case in cases["cases"].as_array().unwrap() {
        let smiles = case["smiles"].as_str().unwrap();
        let parsed = parse(smiles).unwrap();
        if parsed.atoms.iter().any(|a| a.element.symbol() == "Se") {
            // Outside MMFF94, whose bond lengths and angles the bounds use.
            continue;
        }
        let mol = embed(&parsed, 7)
            .unwrap_or_else(|e| panic!("{smiles}: {e}"))
            .molecule;
        assert_reference_stereo(smiles, &mol, &case["centres"], &case["double_bonds"]);
    }
}

/// One atom or two span fewer than three dimensions; they embed all the
/// same, a diatomic at its MMFF94 bond length (N≡N from the empirical
/// rule, 1.460 Å as RDKit's minimum) and an ion pair apart.
#[test]
fn single_atoms_and_diatomics_embed() {
    use conformers::ensemble::embed::embed;
    for (smiles, atoms) in [("[Cl-]", 1), ("[Fe+2]", 1), ("N#N", 2), ("[Na+].[Cl-]", 2)] {
        let mol = embed(&parse(smiles).unwrap(), 7)
            .unwrap_or_else(|e| panic!("{smiles}: {e}"))
            .molecule;
        assert_eq!(mol.num_atoms(), atoms, "{smiles}");
        let x = mol.coords();
        assert!(x.iter().all(|p| p.coords.iter().all(|c| c.is_finite())));
        if atoms == 2 {
            let d = (x[0] - x[1]).norm();
            match smiles {
                "N#N" => assert!((d - 1.460).abs() < 0.01, "{smiles}: {d}"),
                _ => assert!(d > 1.5, "{smiles}: {d}"),
            }
        }
    }
}

/// `mol` has the reference configuration (RDKit's, from an embedding) of
/// every centre and double bond, sensible bond lengths and no overlaps.
pub fn assert_reference_stereo(
    label: &str,
    mol: &conformers::Molecule,
    centres: &Value,
    double_bonds: &Value,
) {
    let x = mol.coords();
    for r in centres.as_array().unwrap() {
        let atom = r["atom"].as_u64().unwrap() as usize;
        let mut nbrs: Vec<usize> = mol.neighbors(atom).collect();
        nbrs.sort_unstable();
        if nbrs.len() == 3 {
            nbrs.insert(0, atom);
        }
        let (a, b, c, d) = (x[nbrs[0]], x[nbrs[1]], x[nbrs[2]], x[nbrs[3]]);
        let volume = (b - a).dot(&(c - a).cross(&(d - a)));
        assert_eq!(
            volume.signum() as i64,
            r["volume_sign"].as_i64().unwrap(),
            "{label}: centre {atom}"
        );
    }
    for r in double_bonds.as_array().unwrap() {
        let ends = indices(&r["atoms"]);
        for p in r["pairs"].as_array().unwrap() {
            let (i, l) = (
                p[0].as_u64().unwrap() as usize,
                p[1].as_u64().unwrap() as usize,
            );
            let n1 = (x[ends[0]] - x[i]).cross(&(x[ends[1]] - x[ends[0]]));
            let n2 = (x[ends[1]] - x[ends[0]]).cross(&(x[l] - x[ends[1]]));
            assert_eq!(
                n1.dot(&n2) > 0.0,
                p[2].as_bool().unwrap(),
                "{label}: {i}-{ends:?}-{l}"
            );
        }
    }
    for bond in mol.bonds() {
        let [a, b] = bond.atoms;
        let length = (x[a] - x[b]).norm();
        assert!(
            (0.9..2.2).contains(&length),
            "{label}: bond {a}-{b} {length}"
        );
    }
    for i in 0..x.len() {
        for j in 0..i {
            assert!(
                (x[i] - x[j]).norm() > 0.7,
                "{label}: atoms {i} and {j} overlap"
            );
        }
    }
}

/// 2D drawings (V2000 and V3000, with and without hydrogens) are read as
/// sketches with the stereo of their wedges, hashes and drawn double bonds
/// (a T-shaped centre, a cage bridgehead, a sulfoxide, a crossed double
/// bond left open) and embedded with RDKit's configuration everywhere.
#[test]
fn drawings_keep_their_wedges_and_double_bonds() {
    use conformers::ensemble::embed::embed;
    use conformers::io::sdf::Input;
    let mut reader = conformers::io::open_sdf(data("drawings_2d.sdf").to_str().unwrap()).unwrap();
    let mut read = 0;
    while let Some(input) = reader.next_input() {
        let Input::Drawing(sketch) = input.unwrap() else {
            panic!("a 2D record read as a 3D structure");
        };
        let name = sketch.name.clone();
        let centres: Value =
            serde_json::from_str(&sketch.data.iter().find(|d| d.0 == "CENTRES").unwrap().1)
                .unwrap();
        let double_bonds: Value = serde_json::from_str(
            &sketch
                .data
                .iter()
                .find(|d| d.0 == "DOUBLE_BONDS")
                .unwrap()
                .1,
        )
        .unwrap();
        let written = sketch.centres.len() + sketch.double_bonds.len();
        let reference = centres.as_array().unwrap().len() + double_bonds.as_array().unwrap().len();
        // RDKit also keeps wedges on atoms that only its stereo-dependent
        // perception calls centres (a 1-substituted adamantane bridgehead).
        assert!(
            written <= reference,
            "{name}: {written} stereo elements read"
        );
        let embedded = embed(&sketch, 3).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_reference_stereo(&name, &embedded.molecule, &centres, &double_bonds);
        let open: Vec<&str> = embedded.unspecified.iter().map(|o| o.kind).collect();
        if name == "hexenol_crossed" {
            assert_eq!(open, ["double bond"], "{name}");
        } else {
            assert!(open.is_empty(), "{name}: {open:?} left open");
        }
        // The embedded molecule keeps the drawing's atoms first, in order.
        assert_eq!(embedded.molecule.name(), name);
        read += 1;
    }
    assert_eq!(read, 11);
}
