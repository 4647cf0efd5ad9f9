//! Which atom pairs interact through nonbonded terms: pairs three or more
//! bonds apart (1-4 pairs, exactly three, get MMFF's 0.75 electrostatic
//! scaling) and every pair in different fragments. 1-2 and 1-3 pairs, by
//! the shortest bond path, are excluded.

use crate::mol::Molecule;

/// A nonbonded pair i < j and whether it is 1-4.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NonbondedPair {
    pub atoms: [usize; 2],
    pub one_four: bool,
}

/// All nonbonded pairs, ordered by (i, j).
pub fn nonbonded_pairs(mol: &Molecule) -> Vec<NonbondedPair> {
    let n = mol.num_atoms();
    // Shortest path lengths up to 3 from each atom, by breadth-first search.
    let mut dist = vec![u8::MAX; n];
    let mut touched = Vec::new();
    let mut pairs = Vec::new();
    for i in 0..n {
        dist[i] = 0;
        touched.push(i);
        let mut frontier = vec![i];
        for d in 1..=3u8 {
            let mut next = Vec::new();
            for &a in &frontier {
                for b in mol.neighbors(a) {
                    if dist[b] == u8::MAX {
                        dist[b] = d;
                        touched.push(b);
                        next.push(b);
                    }
                }
            }
            frontier = next;
        }
        for (j, &d) in dist.iter().enumerate().skip(i + 1) {
            if d >= 3 {
                pairs.push(NonbondedPair {
                    atoms: [i, j],
                    one_four: d == 3,
                });
            }
        }
        for &a in &touched {
            dist[a] = u8::MAX;
        }
        touched.clear();
    }
    pairs
}
