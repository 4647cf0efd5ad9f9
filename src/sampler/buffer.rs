//! Replay buffer of (τ, log R) pairs, sampled with rank-based priority
//! P(i) ∝ 1/(k·N + rank_i), rank 0 = highest log R; oldest entries leave
//! first once it is full.

use rand::RngExt;

pub(crate) struct ReplayBuffer {
    dim: usize,
    capacity: usize,
    /// Ring storage: `points[i*dim..]`, `log_r[i]`; `next` is the slot
    /// written next once full.
    points: Vec<f64>,
    log_r: Vec<f64>,
    next: usize,
    /// Cumulative sampling weights by rank and the entry at each rank;
    /// rebuilt lazily after insertions.
    cumulative: Vec<f64>,
    by_rank: Vec<usize>,
    stale: bool,
}

/// k in P(i) ∝ 1/(k·N + rank).
const RANK_K: f64 = 0.01;

impl ReplayBuffer {
    pub fn new(dim: usize, capacity: usize) -> Self {
        ReplayBuffer {
            dim,
            capacity: capacity.max(1),
            points: Vec::new(),
            log_r: Vec::new(),
            next: 0,
            cumulative: Vec::new(),
            by_rank: Vec::new(),
            stale: true,
        }
    }

    pub fn len(&self) -> usize {
        self.log_r.len()
    }

    pub fn is_empty(&self) -> bool {
        self.log_r.is_empty()
    }

    pub fn push(&mut self, x: &[f64], log_r: f64) {
        if !log_r.is_finite() {
            return;
        }
        if self.log_r.len() < self.capacity {
            self.points.extend_from_slice(x);
            self.log_r.push(log_r);
        } else {
            let i = self.next;
            self.points[i * self.dim..(i + 1) * self.dim].copy_from_slice(x);
            self.log_r[i] = log_r;
            self.next = (i + 1) % self.capacity;
        }
        self.stale = true;
    }

    fn rank(&mut self) {
        if !self.stale {
            return;
        }
        let n = self.log_r.len();
        self.by_rank = (0..n).collect();
        // Ties broken by index so the order is reproducible.
        self.by_rank
            .sort_by(|&a, &b| self.log_r[b].total_cmp(&self.log_r[a]).then(a.cmp(&b)));
        let mut acc = 0.0;
        self.cumulative = (0..n)
            .map(|rank| {
                acc += 1.0 / (RANK_K * n as f64 + rank as f64);
                acc
            })
            .collect();
        self.stale = false;
    }

    /// `count` entries drawn with rank priority: points (count·dim) and
    /// their log R.
    pub fn sample(&mut self, count: usize, rng: &mut impl rand::Rng) -> (Vec<f64>, Vec<f64>) {
        self.rank();
        let total = *self.cumulative.last().expect("sampling an empty buffer");
        let mut points = Vec::with_capacity(count * self.dim);
        let mut log_r = Vec::with_capacity(count);
        for _ in 0..count {
            let u = rng.random_range(0.0..total);
            let rank = self
                .cumulative
                .partition_point(|&c| c <= u)
                .min(self.len() - 1);
            let i = self.by_rank[rank];
            points.extend_from_slice(&self.points[i * self.dim..(i + 1) * self.dim]);
            log_r.push(self.log_r[i]);
        }
        (points, log_r)
    }

    /// Every stored point, one after another.
    pub fn points(&self) -> &[f64] {
        &self.points
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn fifo_and_rank_priority() {
        let mut b = ReplayBuffer::new(1, 100);
        for i in 0..150 {
            b.push(&[i as f64], i as f64);
        }
        assert_eq!(b.len(), 100);
        // Oldest 50 gone.
        assert!(b.points().iter().all(|&x| x >= 50.0));
        let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(1);
        let (_, r) = b.sample(20000, &mut rng);
        // P(rank 0) = 1/(1) / Σ 1/(1 + r) ≈ 1/H where H = Σ_{r<100} 1/(1+r) ≈ 5.19.
        let top = r.iter().filter(|&&v| v == 149.0).count() as f64 / 20000.0;
        assert!((top - 1.0 / 5.187).abs() < 0.01, "{top}");
    }
}
