//! A molecule as written, before it has 3D coordinates: the graph with every
//! hydrogen explicit and the stereochemistry the writer stated — from a
//! SMILES string, or from a 2D drawing's wedges, hashes and double-bond
//! geometry. The embedder turns it into a [`Molecule`]; stereo elements the
//! writer left open are listed by [`Sketch::unspecified`] and can be fixed
//! one way or the other by [`Sketch::isomers`].

use super::stereo::Stereo;
use super::{Atom, Bond, BondOrder, Element, Molecule, StructureError};
use nalgebra::{Point3, Vector3};

/// A molecular graph with its written stereochemistry.
#[derive(Clone, Debug, PartialEq)]
pub struct Sketch {
    pub name: String,
    /// The third header line of an MOL/SDF record (empty for SMILES).
    pub comment: String,
    /// SD data items, carried to the embedded molecule.
    pub data: Vec<(String, String)>,
    /// Atoms as written, then the added hydrogens in the order of the atoms
    /// they belong to (as RDKit's `AddHs` orders them).
    pub atoms: Vec<Atom>,
    /// Bonds (atom, atom, order), Kekulé orders.
    pub bonds: Vec<(usize, usize, BondOrder)>,
    pub centres: Vec<Tetrahedral>,
    pub double_bonds: Vec<CisTrans>,
}

/// A tetrahedral centre as written: looking from `neighbours[0]`, the other
/// three run anticlockwise (SMILES `@`) or clockwise (`@@`). A lone pair
/// (three neighbours, e.g. a sulfoxide) is `None` in its place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tetrahedral {
    pub centre: usize,
    pub neighbours: [Option<usize>; 4],
    pub anticlockwise: bool,
}

/// A double bond `a = b` with a written configuration: the reference
/// neighbours `ref_a` of `a` and `ref_b` of `b` are on the same side
/// (`cis`) or on opposite sides.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CisTrans {
    pub a: usize,
    pub b: usize,
    pub ref_a: usize,
    pub ref_b: usize,
    pub cis: bool,
}

/// A stereo element the input leaves open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unspecified {
    /// A tetrahedral centre (0-based atom).
    Centre(usize),
    /// A double bond between two atoms (0-based).
    DoubleBond(usize, usize),
}

/// V2000 bond stereo codes (V3000 `CFG=` is read into the same codes).
const WEDGE: u8 = 1;
const EITHER_DOUBLE: u8 = 3;
const WAVY: u8 = 4;
const HASH: u8 = 6;

/// |signed volume| of unit-length drawn bonds below which a wedged centre's
/// configuration cannot be read from the drawing.
const FLAT_DRAWING: f64 = 0.05;

impl Sketch {
    /// The graph as a [`Molecule`] with every atom at the origin.
    pub fn graph(&self) -> Result<Molecule, StructureError> {
        let bonds = self
            .bonds
            .iter()
            .map(|&(a, b, order)| Bond {
                atoms: [a, b],
                order,
                stereo: 0,
            })
            .collect();
        let placeholder = vec![Point3::origin(); self.atoms.len()];
        let mut mol = Molecule::new(self.name.clone(), self.atoms.clone(), bonds, placeholder)?;
        mol.set_comment(self.comment.clone());
        for (tag, value) in &self.data {
            mol.push_data(tag.clone(), value.clone());
        }
        Ok(mol)
    }

    /// A 2D drawing (hydrogens explicit or not) as a sketch. Hydrogens each
    /// atom lacks are added. A wedge (V2000 stereo 1, V3000 `CFG=1`) or hash
    /// (6, `CFG=3`) bond fixes the centre at its narrow end, the first atom
    /// of the bond; double bonds take the configuration they are drawn with
    /// unless drawn crossed (3, `CFG=2`), next to a wavy bond (4), or with
    /// collinear substituents. Only elements that are stereogenic in the
    /// graph are kept: a wedge on a CH2 states nothing.
    pub fn from_drawing(drawing: &Molecule) -> Result<Sketch, StructureError> {
        let missing = super::hydrogens::missing_hydrogens(drawing);
        let heavy = drawing.num_atoms();
        let mut atoms = drawing.atoms().to_vec();
        let mut bonds: Vec<(usize, usize, BondOrder)> = drawing
            .bonds()
            .iter()
            .map(|b| (b.atoms[0], b.atoms[1], b.order))
            .collect();
        let mut first_hydrogen = vec![None; heavy];
        for (i, &count) in missing.iter().enumerate() {
            for k in 0..count {
                if k == 0 {
                    first_hydrogen[i] = Some(atoms.len());
                }
                atoms.push(Atom::new(Element::H));
                bonds.push((i, atoms.len() - 1, BondOrder::Single));
            }
        }
        let mut sketch = Sketch {
            name: drawing.name().to_string(),
            comment: drawing.comment().to_string(),
            data: drawing.data().to_vec(),
            atoms,
            bonds,
            centres: Vec::new(),
            double_bonds: Vec::new(),
        };
        let stereogenic = Stereo::perceive(&sketch.graph()?);
        let xy = |i: usize| {
            let p = drawing.coords()[i];
            Vector3::new(p.x, p.y, 0.0)
        };
        for centre in &stereogenic.centres {
            let c = centre.atom;
            if c >= heavy {
                continue;
            }
            let mut wedged = false;
            // Drawn bonds as unit vectors in the plane, raised or lowered
            // where a wedge or hash starts at the centre.
            let mut ends: Vec<(Option<usize>, Vector3<f64>)> = Vec::new();
            for (bond, n) in drawing.bonds_of(c) {
                let b = drawing.bonds()[bond];
                let mut v = xy(n) - xy(c);
                let length = v.norm();
                if length < 1e-6 {
                    ends.clear();
                    break;
                }
                v /= length;
                if b.atoms[0] == c && b.order == BondOrder::Single {
                    match b.stereo {
                        WEDGE => (v.z, wedged) = (1.0, true),
                        HASH => (v.z, wedged) = (-1.0, true),
                        _ => {}
                    }
                }
                ends.push((Some(n), v));
            }
            if !wedged {
                continue;
            }
            if ends.len() == 3 {
                // Two plain bonds drawn in line with the wedge between them
                // (a T, common in fused rings) point the other way from it.
                let plain: Vec<usize> = (0..3).filter(|&k| ends[k].1.z == 0.0).collect();
                if let [p, q] = plain[..] {
                    let wedge_z = ends[3 - p - q].1.z;
                    if ends[p].1.cross(&ends[q].1).norm() < 0.02 {
                        ends[p].1.z = -wedge_z;
                        ends[q].1.z = -wedge_z;
                    }
                }
            }
            // An implicit hydrogen or a lone pair is taken at the centre,
            // which lies on its side of the other three.
            match (ends.len(), first_hydrogen[c]) {
                (3, Some(h)) => ends.push((Some(h), Vector3::zeros())),
                (3, None) => ends.insert(0, (None, Vector3::zeros())),
                (4, _) => {}
                _ => continue,
            }
            let [a, b, cc, d] = [0, 1, 2, 3].map(|k| ends[k].1);
            let volume = (b - a).dot(&(cc - a).cross(&(d - a)));
            if volume.abs() < FLAT_DRAWING {
                continue;
            }
            sketch.centres.push(Tetrahedral {
                centre: c,
                neighbours: [0, 1, 2, 3].map(|k| ends[k].0),
                anticlockwise: volume < 0.0,
            });
        }
        let wavy_at = |atom: usize| {
            drawing
                .bonds_of(atom)
                .any(|(b, _)| drawing.bonds()[b].stereo == WAVY)
        };
        for bond in &stereogenic.double_bonds {
            let [_, a, b, _] = bond.atoms;
            let drawn = drawing.bonds()[bond.bond];
            if a >= heavy || b >= heavy || drawn.stereo == EITHER_DOUBLE || wavy_at(a) || wavy_at(b)
            {
                continue;
            }
            let axis = xy(b) - xy(a);
            let side = |end: usize, other: usize| -> Option<(usize, f64)> {
                let r = drawing.neighbors(end).filter(|&n| n != other).min()?;
                let s = axis.cross(&(xy(r) - xy(end))).z / axis.norm().max(1e-9);
                let length = (xy(r) - xy(end)).norm().max(1e-9);
                (s.abs() / length > 0.05).then_some((r, s))
            };
            if let (Some((ref_a, sa)), Some((ref_b, sb))) = (side(a, b), side(b, a)) {
                sketch.double_bonds.push(CisTrans {
                    a,
                    b,
                    ref_a,
                    ref_b,
                    cis: (sa > 0.0) == (sb > 0.0),
                });
            }
        }
        Ok(sketch)
    }

    /// Stereogenic centres and double bonds of the graph whose configuration
    /// the input does not state, in atom and bond order.
    pub fn unspecified(&self) -> Result<Vec<Unspecified>, StructureError> {
        let stereo = Stereo::perceive(&self.graph()?);
        let centres = stereo
            .centres
            .iter()
            .filter(|c| !self.centres.iter().any(|w| w.centre == c.atom))
            .map(|c| Unspecified::Centre(c.atom));
        let bonds = stereo
            .double_bonds
            .iter()
            .map(|d| (d.atoms[1], d.atoms[2]))
            .filter(|&(a, b)| {
                !self
                    .double_bonds
                    .iter()
                    .any(|w| (w.a, w.b) == (a, b) || (w.a, w.b) == (b, a))
            })
            .map(|(a, b)| Unspecified::DoubleBond(a, b));
        Ok(centres.chain(bonds).collect())
    }

    /// Every assignment of the unspecified elements, the first `max` of
    /// them in binary counting order (the first element flips fastest),
    /// each as a sketch with everything specified. A sketch with nothing
    /// unspecified is its only isomer.
    pub fn isomers(&self, max: usize) -> Result<Vec<Sketch>, StructureError> {
        let open = self.unspecified()?;
        let graph = self.graph()?;
        let total = 1usize.checked_shl(open.len() as u32).unwrap_or(usize::MAX);
        Ok((0..total.min(max.max(1)))
            .map(|bits| {
                let mut isomer = self.clone();
                for (k, element) in open.iter().enumerate() {
                    let flip = bits >> k & 1 == 1;
                    match *element {
                        Unspecified::Centre(c) => {
                            let mut ns: Vec<Option<usize>> = graph.neighbors(c).map(Some).collect();
                            ns.sort_unstable();
                            if ns.len() == 3 {
                                ns.push(None);
                            }
                            isomer.centres.push(Tetrahedral {
                                centre: c,
                                neighbours: [ns[0], ns[1], ns[2], ns[3]],
                                anticlockwise: flip,
                            });
                        }
                        Unspecified::DoubleBond(a, b) => {
                            let reference = |end: usize, other: usize| {
                                graph.neighbors(end).filter(|&n| n != other).min()
                            };
                            if let (Some(ref_a), Some(ref_b)) = (reference(a, b), reference(b, a)) {
                                isomer.double_bonds.push(CisTrans {
                                    a,
                                    b,
                                    ref_a,
                                    ref_b,
                                    cis: flip,
                                });
                            }
                        }
                    }
                }
                isomer
            })
            .collect())
    }
}
