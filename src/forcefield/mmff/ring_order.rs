//! The order in which RDKit lists a molecule's rings.
//!
//! MMFF aromaticity as RDKit perceives it (see `aromaticity`) visits the
//! rings one after another in a single sweep, so for a few fused systems —
//! a ring all of whose atoms also belong to other rings, with exocyclic
//! Kekulé double bonds into them — the answer depends on which ring comes
//! first. Reproducing RDKit's energies therefore needs RDKit's ring order,
//! which is the order in which RingDecomposerLib (Flachsenberg, Andresen &
//! Rarey, J. Chem. Inf. Model. 2017, 57, 122) lists the relevant cycles:
//!
//! 1. the bonds, in their input order, are split into biconnected
//!    components by Tarjan's depth-first search (atoms and their neighbours
//!    visited in index and bond order); components of one bond are dropped,
//!    the others keep the order in which the search closed them;
//! 2. within a component, atoms are renumbered in the order the component's
//!    bonds (in input order, lower atom first) meet them, and ranked by
//!    their degree in the component, then by that number;
//! 3. Vismara's construction enumerates cycle-family prototypes: for each
//!    root r (by number), each atom y reachable from r over lower-ranked
//!    atoms (by number), odd cycles closed by an edge y–z and even cycles
//!    closed at y by two of its neighbours (in adjacency order);
//! 4. the prototypes are sorted by size, stably, and the relevant ones are
//!    listed in that order, component by component.
//!
//! A relevant cycle that is not itself a prototype (one of a family of
//! several equally short cycles, as in bicyclic and cage systems) goes after
//! the prototypes of its size in its component; RDKit lists it within its
//! family, so there the two orders can differ. Such families are rare among
//! the rings whose aromaticity depends on the order.

use crate::mol::Molecule;
use std::collections::HashMap;

/// Indices into `cycles` (each a relevant cycle, atoms in ring order) in
/// the order RDKit lists them.
pub(super) fn rdkit_order(mol: &Molecule, cycles: &[Vec<usize>]) -> Vec<usize> {
    let bonds = mol.bonds();
    let mut adjacency: Vec<Vec<(usize, usize)>> = vec![Vec::new(); mol.num_atoms()];
    for (b, bond) in bonds.iter().enumerate() {
        let [x, y] = bond.atoms;
        adjacency[x].push((y, b));
        adjacency[y].push((x, b));
    }
    let component_of_bond = biconnected_components(&adjacency, bonds.len());
    let mut rank: HashMap<Vec<usize>, usize> = HashMap::new();
    let mut component_order: HashMap<usize, usize> = HashMap::new();
    let mut components: Vec<usize> = component_of_bond.clone();
    components.sort_unstable();
    components.dedup();
    for component in components {
        let members: Vec<usize> = (0..bonds.len())
            .filter(|&b| component_of_bond[b] == component)
            .collect();
        if members.len() < 2 {
            continue;
        }
        component_order.insert(component, component_order.len());
        // A component with as many bonds as atoms is one simple ring: its
        // only cycle needs no rank within it.
        let mut atoms: Vec<usize> = members.iter().flat_map(|&b| bonds[b].atoms).collect();
        atoms.sort_unstable();
        atoms.dedup();
        if atoms.len() == members.len() {
            continue;
        }
        for prototype in prototypes(mol, &members) {
            let next = rank.len();
            rank.entry(prototype).or_insert(next);
        }
    }
    let key = |cycle: &Vec<usize>| {
        let mut ring_bonds: Vec<usize> = (0..cycle.len())
            .map(|i| {
                mol.bond_between(cycle[i], cycle[(i + 1) % cycle.len()])
                    .expect("ring atoms are bonded in ring order")
            })
            .collect();
        let component = component_order[&component_of_bond[ring_bonds[0]]];
        ring_bonds.sort_unstable();
        let position = rank.get(&ring_bonds).copied().unwrap_or(usize::MAX);
        (component, cycle.len(), position)
    };
    let mut order: Vec<usize> = (0..cycles.len()).collect();
    order.sort_by_cached_key(|&c| key(&cycles[c]));
    order
}

/// Biconnected component of every bond (an id in the order Tarjan's search
/// closes the components), searching from atom 0 and each atom not yet
/// reached, over neighbours in bond order.
fn biconnected_components(adjacency: &[Vec<(usize, usize)>], num_bonds: usize) -> Vec<usize> {
    struct Frame {
        atom: usize,
        parent: Option<usize>,
        next: usize,
        /// Discovery time of the child being visited from here.
        child_time: Option<usize>,
    }
    let n = adjacency.len();
    let mut discovered = vec![0usize; n];
    let mut low = vec![0usize; n];
    let mut time = 0;
    let mut component = vec![0usize; num_bonds];
    let mut current = 0;
    let mut bond_stack: Vec<usize> = Vec::new();
    for start in 0..n {
        if discovered[start] != 0 {
            continue;
        }
        time += 1;
        discovered[start] = time;
        low[start] = time;
        let mut stack = vec![Frame {
            atom: start,
            parent: None,
            next: 0,
            child_time: None,
        }];
        while let Some(frame) = stack.last_mut() {
            let u = frame.atom;
            let Some(&(v, bond)) = adjacency[u].get(frame.next) else {
                stack.pop();
                continue;
            };
            if discovered[v] == 0 {
                bond_stack.push(bond);
                time += 1;
                discovered[v] = time;
                low[v] = time;
                frame.child_time = Some(time);
                stack.push(Frame {
                    atom: v,
                    parent: Some(u),
                    next: 0,
                    child_time: None,
                });
                continue;
            }
            frame.next += 1;
            if frame.child_time == Some(discovered[v]) {
                low[u] = low[u].min(low[v]);
                if low[v] >= discovered[u] {
                    while let Some(b) = bond_stack.pop() {
                        component[b] = current;
                        if b == bond {
                            break;
                        }
                    }
                    current += 1;
                }
            } else if discovered[v] < discovered[u] && frame.parent != Some(v) {
                bond_stack.push(bond);
                low[u] = low[u].min(discovered[v]);
            }
        }
    }
    component
}

/// The cycle-family prototypes of one biconnected component (its bonds in
/// input order), each as its sorted bond indices, in RingDecomposerLib's
/// order: by size, then by construction.
fn prototypes(mol: &Molecule, members: &[usize]) -> Vec<Vec<usize>> {
    let bonds = mol.bonds();
    let mut local: HashMap<usize, usize> = HashMap::new();
    for &b in members {
        let [x, y] = bonds[b].atoms;
        for atom in [x.min(y), x.max(y)] {
            let next = local.len();
            local.entry(atom).or_insert(next);
        }
    }
    let n = local.len();
    // Neighbours (local number, bond index) in bond order.
    let mut adjacency: Vec<Vec<(usize, usize)>> = vec![Vec::new(); n];
    for &b in members {
        let [x, y] = bonds[b].atoms;
        let (x, y) = (local[&x], local[&y]);
        adjacency[x].push((y, b));
        adjacency[y].push((x, b));
    }
    let degree: Vec<usize> = adjacency.iter().map(Vec::len).collect();
    let paths = ShortestPaths::new(&adjacency, &degree);
    let mut families: Vec<(usize, Vec<usize>)> = Vec::new();
    let mut closing: Vec<usize> = Vec::new();
    for r in 0..n {
        for y in 0..n {
            if !paths.reachable[r][y] {
                continue;
            }
            closing.clear();
            for &(z, yz) in &adjacency[y] {
                if !paths.reachable[r][z] {
                    continue;
                }
                let (dy, dz) = (paths.dist[r][y], paths.dist[r][z]);
                if dz + 1 == dy {
                    closing.push(z);
                } else if dz != dy + 1
                    && (degree[z] < degree[y] || (degree[z] == degree[y] && z < y))
                    && paths.disjoint(r, y, z)
                {
                    let mut cycle = paths.bonds(r, y);
                    cycle.extend(paths.bonds(r, z));
                    cycle.push(yz);
                    families.push((dy + dz + 1, cycle));
                }
            }
            for (i, &p) in closing.iter().enumerate() {
                for &q in &closing[i + 1..] {
                    if paths.disjoint(r, p, q) {
                        let mut cycle = paths.bonds(r, p);
                        cycle.extend(paths.bonds(r, q));
                        cycle.push(bond_to(&adjacency, y, p));
                        cycle.push(bond_to(&adjacency, y, q));
                        families.push((paths.dist[r][p] + paths.dist[r][q] + 2, cycle));
                    }
                }
            }
        }
    }
    families.sort_by_key(|(size, _)| *size);
    families
        .into_iter()
        .map(|(_, mut cycle)| {
            cycle.sort_unstable();
            cycle
        })
        .collect()
}

fn bond_to(adjacency: &[Vec<(usize, usize)>], from: usize, to: usize) -> usize {
    adjacency[from]
        .iter()
        .find(|&&(other, _)| other == to)
        .map(|&(_, b)| b)
        .expect("neighbours are bonded")
}

/// Vismara's shortest paths with the rank order: from every root, distances
/// and predecessors first over atoms ranked below the root (those atoms are
/// "reachable"), then over all atoms, dropping reachability where a shorter
/// path leaves the ranked atoms.
struct ShortestPaths<'a> {
    adjacency: &'a [Vec<(usize, usize)>],
    dist: Vec<Vec<usize>>,
    pred: Vec<Vec<usize>>,
    reachable: Vec<Vec<bool>>,
}

impl<'a> ShortestPaths<'a> {
    fn new(adjacency: &'a [Vec<(usize, usize)>], degree: &[usize]) -> ShortestPaths<'a> {
        let n = adjacency.len();
        let mut dist = vec![vec![usize::MAX; n]; n];
        let mut pred = vec![vec![usize::MAX; n]; n];
        let mut reachable = vec![vec![false; n]; n];
        let mut queue = Vec::with_capacity(n);
        for restricted in [true, false] {
            for root in 0..n {
                let mut seen = vec![false; n];
                dist[root][root] = 0;
                pred[root][root] = root;
                seen[root] = true;
                queue.clear();
                queue.push(root);
                let mut head = 0;
                while head < queue.len() {
                    let w = queue[head];
                    head += 1;
                    for &(j, _) in &adjacency[w] {
                        let ranked_below =
                            degree[j] < degree[root] || (degree[j] == degree[root] && j < root);
                        if (restricted && !ranked_below) || seen[j] {
                            continue;
                        }
                        let through_w = dist[root][w] + 1;
                        if restricted || through_w < dist[root][j] {
                            if !restricted {
                                reachable[root][j] = false;
                            }
                            pred[root][j] = w;
                            dist[root][j] = dist[root][j].min(through_w);
                        }
                        if restricted {
                            reachable[root][j] = true;
                        }
                        seen[j] = true;
                        queue.push(j);
                    }
                }
            }
        }
        ShortestPaths {
            adjacency,
            dist,
            pred,
            reachable,
        }
    }

    /// Atoms of the recorded path from `root` to `to`, `root` included.
    fn path(&self, root: usize, to: usize) -> Vec<usize> {
        let mut atoms = vec![to];
        let mut at = to;
        while at != root {
            at = self.pred[root][at];
            atoms.push(at);
        }
        atoms
    }

    /// The recorded paths from `root` to `y` and to `z` meet only at `root`.
    fn disjoint(&self, root: usize, y: usize, z: usize) -> bool {
        let to_y = self.path(root, y);
        self.path(root, z)
            .iter()
            .filter(|a| to_y.contains(a))
            .eq(std::iter::once(&root))
    }

    /// Bonds of the recorded path from `root` to `to`.
    fn bonds(&self, root: usize, to: usize) -> Vec<usize> {
        self.path(root, to)
            .windows(2)
            .map(|w| bond_to(self.adjacency, w[0], w[1]))
            .collect()
    }
}
