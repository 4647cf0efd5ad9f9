//! Relevant cycles: the union of all minimum cycle bases. Unlike one SSSR
//! they do not depend on which of several equivalent rings a ring finder
//! returns (cubane has six equivalent four-membered rings, any five of
//! which form a basis); for ordinary ring systems they equal the SSSR.

use super::Molecule;

/// Most candidate cycles the relevant-cycle search builds before it gives
/// up and uses the SSSR instead. Only ring systems whose relevant cycles are
/// counted in thousands reach it (long macrocycles through many
/// para-phenylene units, where every way around each ring is another
/// relevant cycle).
const MAX_CANDIDATES: usize = 20_000;

/// The relevant cycles of the ring bonds: every cycle that is not the sum
/// (symmetric difference) of shorter cycles, i.e. the union of all minimum
/// cycle bases, each as its atoms in ring order. Sorted by size, then atoms.
///
/// Vismara's construction: a relevant cycle whose lowest-numbered atom is `r`
/// consists of two shortest paths from `r` in the graph of atoms ≥ `r` that
/// meet again at one edge (odd size) or one atom (even size). All such
/// candidates are collected and kept when independent of the shorter
/// cycles kept before. No relevant cycle is longer than the largest SSSR
/// ring, which bounds the search depth.
pub(super) fn relevant_cycles(mol: &Molecule) -> Vec<Vec<usize>> {
    let sssr = mol.rings().cycles();
    let Some(max_size) = sssr.iter().map(Vec::len).max() else {
        return Vec::new();
    };
    match cycle_candidates(mol, max_size) {
        Some(candidates) => select_relevant(mol, candidates),
        None => {
            let mut rings = sssr.to_vec();
            rings.sort_by(|a, b| a.len().cmp(&b.len()).then_with(|| a.cmp(b)));
            rings
        }
    }
}

/// Candidate cycles of at most `max_size` atoms (see [`relevant_cycles`]);
/// `None` when there would be more than [`MAX_CANDIDATES`].
fn cycle_candidates(mol: &Molecule, max_size: usize) -> Option<Vec<Vec<usize>>> {
    let n = mol.num_atoms();
    let ring_neighbors: Vec<Vec<usize>> = (0..n)
        .map(|a| {
            let mut list: Vec<usize> = mol
                .bonds_of(a)
                .filter(|&(b, _)| mol.rings().is_ring_bond(b))
                .map(|(_, o)| o)
                .collect();
            list.sort_unstable();
            list
        })
        .collect();
    let max_depth = (max_size - 1) / 2;
    let mut candidates: Vec<Vec<usize>> = Vec::new();
    for root in (0..n).filter(|&a| mol.rings().is_ring_atom(a)) {
        let (dist, preds) = shortest_path_dag(&ring_neighbors, root, max_depth);
        // Number of shortest paths to each atom, to bound the work first.
        let mut count = vec![0usize; n];
        let mut by_distance: Vec<usize> = (0..n).filter(|&a| dist[a].is_some()).collect();
        by_distance.sort_by_key(|&a| dist[a]);
        for &a in &by_distance {
            count[a] = if a == root {
                1
            } else {
                preds[a]
                    .iter()
                    .map(|&p| count[p])
                    .fold(0, usize::saturating_add)
            };
        }
        // Pairs of atoms (y, z) whose paths close a cycle, with the apex of
        // even cycles.
        let mut joins: Vec<(usize, usize, Option<usize>)> = Vec::new();
        for y in (root + 1)..n {
            let Some(dy) = dist[y] else { continue };
            // Odd cycles: an edge y–z between atoms at equal distance.
            for &z in ring_neighbors[y].iter().filter(|&&z| z > y) {
                if dy > 0 && dist[z] == Some(dy) && 2 * dy < max_size {
                    joins.push((y, z, None));
                }
            }
        }
        for p in (root + 1)..n {
            let Some(dp) = dist[p] else { continue };
            // Even cycles: an atom p one step beyond two atoms y, z.
            if 2 * dp <= max_size {
                for (i, &y) in preds[p].iter().enumerate() {
                    for &z in &preds[p][i + 1..] {
                        joins.push((y, z, Some(p)));
                    }
                }
            }
        }
        let work = joins
            .iter()
            .map(|&(y, z, _)| count[y].saturating_mul(count[z]))
            .fold(candidates.len(), usize::saturating_add);
        if work > MAX_CANDIDATES {
            return None;
        }
        for (y, z, apex) in joins {
            let left = shortest_paths(&preds, root, y);
            let right = shortest_paths(&preds, root, z);
            join_paths(&left, &right, apex, &mut candidates);
        }
    }
    Some(candidates)
}

/// Breadth-first distances from `root` over atoms numbered ≥ `root`, up to
/// `max_depth`, and each atom's predecessors on shortest paths.
fn shortest_path_dag(
    neighbors: &[Vec<usize>],
    root: usize,
    max_depth: usize,
) -> (Vec<Option<usize>>, Vec<Vec<usize>>) {
    let n = neighbors.len();
    let mut dist = vec![None; n];
    let mut preds = vec![Vec::new(); n];
    dist[root] = Some(0);
    let mut frontier = vec![root];
    let mut depth = 0;
    while !frontier.is_empty() && depth <= max_depth {
        let mut next = Vec::new();
        for &a in &frontier {
            for &b in neighbors[a].iter().filter(|&&b| b > root) {
                match dist[b] {
                    None => {
                        dist[b] = Some(depth + 1);
                        preds[b].push(a);
                        next.push(b);
                    }
                    Some(d) if d == depth + 1 => preds[b].push(a),
                    _ => {}
                }
            }
        }
        frontier = next;
        depth += 1;
    }
    (dist, preds)
}

/// All shortest paths from `root` to `to`, each listed from `root`.
fn shortest_paths(preds: &[Vec<usize>], root: usize, to: usize) -> Vec<Vec<usize>> {
    if to == root {
        return vec![vec![root]];
    }
    let mut out = Vec::new();
    for &p in &preds[to] {
        for mut path in shortest_paths(preds, root, p) {
            path.push(to);
            out.push(path);
        }
    }
    out
}

/// Closes pairs of paths from the same root, disjoint apart from the root,
/// into cycles (through `apex` when given).
fn join_paths(
    left: &[Vec<usize>],
    right: &[Vec<usize>],
    apex: Option<usize>,
    out: &mut Vec<Vec<usize>>,
) {
    for pl in left {
        for pr in right {
            if pl[1..].iter().any(|a| pr[1..].contains(a)) {
                continue;
            }
            let mut cycle = pl.clone();
            cycle.extend(apex);
            cycle.extend(pr[1..].iter().rev());
            out.push(cycle);
        }
    }
}

/// Keeps the candidate cycles that are independent (over GF(2), by their
/// bonds) of all strictly shorter kept cycles; duplicates go.
fn select_relevant(mol: &Molecule, candidates: Vec<Vec<usize>>) -> Vec<Vec<usize>> {
    let nbonds = mol.bonds().len();
    let words = nbonds.div_ceil(64).max(1);
    let bits = |cycle: &[usize]| {
        let mut v = vec![0u64; words];
        for i in 0..cycle.len() {
            let b = mol
                .bond_between(cycle[i], cycle[(i + 1) % cycle.len()])
                .expect("cycle atoms are bonded");
            v[b / 64] ^= 1 << (b % 64);
        }
        v
    };
    let mut keyed: Vec<(Vec<usize>, Vec<u64>, Vec<usize>)> = candidates
        .into_iter()
        .map(|c| {
            let mut key = c.clone();
            key.sort_unstable();
            let v = bits(&c);
            (key, v, c)
        })
        .collect();
    keyed.sort_by(|a, b| a.0.len().cmp(&b.0.len()).then_with(|| a.1.cmp(&b.1)));
    keyed.dedup_by(|a, b| a.1 == b.1);
    keyed.sort_by(|a, b| a.0.len().cmp(&b.0.len()).then_with(|| a.0.cmp(&b.0)));

    let mut basis: Vec<(usize, Vec<u64>)> = Vec::new();
    let mut kept: Vec<Vec<usize>> = Vec::new();
    let mut start = 0;
    while start < keyed.len() {
        let size = keyed[start].0.len();
        let end = start
            + keyed[start..]
                .iter()
                .take_while(|c| c.0.len() == size)
                .count();
        let mut new_rows = Vec::new();
        for (_, vector, cycle) in &keyed[start..end] {
            let reduced = reduce(vector.clone(), &basis);
            if first_bit(&reduced).is_some() {
                kept.push(cycle.clone());
                new_rows.push(reduced);
            }
        }
        for row in new_rows {
            let row = reduce(row, &basis);
            if let Some(pivot) = first_bit(&row) {
                basis.push((pivot, row));
            }
        }
        start = end;
    }
    kept
}

pub(super) fn reduce(mut vector: Vec<u64>, basis: &[(usize, Vec<u64>)]) -> Vec<u64> {
    for (pivot, row) in basis {
        if vector[pivot / 64] >> (pivot % 64) & 1 == 1 {
            for (v, r) in vector.iter_mut().zip(row) {
                *v ^= r;
            }
        }
    }
    vector
}

pub(super) fn first_bit(vector: &[u64]) -> Option<usize> {
    vector
        .iter()
        .enumerate()
        .find(|(_, w)| **w != 0)
        .map(|(i, w)| i * 64 + w.trailing_zeros() as usize)
}
