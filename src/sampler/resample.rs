//! Systematic resampling of weighted points on the torus along a Hilbert
//! curve: `gen --mode boltzmann` turns its weighted draws into equally
//! weighted ones this way.

use super::torus::wrap;
use rand::RngExt;
use std::f64::consts::PI;

/// Systematic resampling of `count` indices from weighted points on the
/// torus, the points ordered along a Hilbert curve first (as in
/// sequential quasi-Monte Carlo). Neighbouring picks then come from
/// neighbouring regions, so the histograms of the result follow the
/// weighted ones much more closely than independent draws would.
pub fn hilbert_resample(
    points: &[f64],
    m: usize,
    weights: &[f64],
    count: usize,
    rng: &mut impl rand::Rng,
) -> Vec<usize> {
    let bits = (128 / m.max(1)).clamp(1, 16) as u32;
    let cells = f64::from(1u32 << bits);
    let mut keyed: Vec<(u128, usize)> = points
        .chunks_exact(m)
        .enumerate()
        .map(|(i, p)| {
            let mut cell: Vec<u32> = p
                .iter()
                .map(|a| ((wrap(*a) + PI) / (2.0 * PI) * cells).clamp(0.0, cells - 1.0) as u32)
                .collect();
            (hilbert_index(&mut cell, bits), i)
        })
        .collect();
    keyed.sort_unstable();
    let total: f64 = weights.iter().sum();
    let step = total / count as f64;
    let mut next = rng.random::<f64>() * step;
    let mut cumulative = 0.0;
    let mut picks = Vec::with_capacity(count);
    for &(_, i) in &keyed {
        cumulative += weights[i];
        while picks.len() < count && next < cumulative {
            picks.push(i);
            next += step;
        }
    }
    // Rounding can leave the last pick short of the total.
    while picks.len() < count {
        picks.push(keyed[keyed.len() - 1].1);
    }
    picks
}

/// Position along the m-dimensional Hilbert curve of a cell with `bits`
/// bits per coordinate (Skilling's transpose algorithm, AIP Conf. Proc.
/// 707, 381 (2004)). `cell` is overwritten.
pub fn hilbert_index(cell: &mut [u32], bits: u32) -> u128 {
    let n = cell.len();
    if n == 0 {
        return 0;
    }
    let top = 1u32 << (bits - 1);
    let mut q = top;
    while q > 1 {
        let p = q - 1;
        for i in 0..n {
            if cell[i] & q != 0 {
                cell[0] ^= p;
            } else {
                let t = (cell[0] ^ cell[i]) & p;
                cell[0] ^= t;
                cell[i] ^= t;
            }
        }
        q >>= 1;
    }
    for i in 1..n {
        cell[i] ^= cell[i - 1];
    }
    let mut t = 0;
    let mut q = top;
    while q > 1 {
        if cell[n - 1] & q != 0 {
            t ^= q - 1;
        }
        q >>= 1;
    }
    for c in cell.iter_mut() {
        *c ^= t;
    }
    let mut key = 0u128;
    for b in (0..bits).rev() {
        for c in cell.iter() {
            key = (key << 1) | u128::from((c >> b) & 1);
        }
    }
    key
}
