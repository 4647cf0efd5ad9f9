//! The sampler on targets whose answers are known exactly: synthetic
//! targets (closed-form or transfer-matrix log Z and mode masses) and the
//! torsion Boltzmann distribution of small molecules (quadrature on a grid).

use crate::util::read_ok;
use conformers::bench::{bench, BenchReport};
use conformers::forcefield::mmff::{MmffOptions, MmffSystem};
use conformers::sampler::synthetic::{Synthetic, SyntheticSpec};
use conformers::sampler::target::Target;
use conformers::sampler::{run, Ablation, Device, Effort, MolecularTarget, Settings, PROBE_DRAWS};
use conformers::torsion::{find_rotors, RotorOptions, TorsionSpace};
use std::path::Path;

fn spec(s: &str) -> SyntheticSpec {
    s.parse().unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn target_specs_parse_and_reject_nonsense() {
    assert_eq!(
        spec("coupled:dim=8,a=4,b=1.5"),
        SyntheticSpec::Coupled {
            dim: 8,
            a: 4.0,
            b: 1.5
        }
    );
    let vm = spec("vonmises:dim=2,modes=2,kappa=5,weights=1:3");
    assert_eq!(
        vm,
        SyntheticSpec::VonMises {
            dim: 2,
            modes: 2,
            kappa: 5.0,
            weights: vec![0.25, 0.75]
        }
    );
    for (bad, why) in [
        ("gauss:dim=2", "unknown target kind"),
        ("coupled:a=4,b=1", "dim is missing"),
        ("coupled:dim=0,a=4,b=1", "dim must be"),
        ("coupled:dim=3,a=4", "b is missing"),
        ("vonmises:dim=3,modes=2,weights=1:2:3", "weights must be 2"),
        ("vonmises:dim=3,kappa=x", "kappa must be a number"),
        ("vonmises:dim=3,b=1", "unknown parameter `b`"),
        ("coupled:dim=3,a=1,a=2,b=1", "`a` is given twice"),
        ("coupled:dim=3,dim=4,a=1,b=1", "`dim` is given twice"),
        (
            "coupled:dim=3,a=1e300,b=1",
            "a must lie in [-100, 100], not `1e300`",
        ),
    ] {
        let err = bad.parse::<SyntheticSpec>().expect_err(bad).to_string();
        assert!(err.contains(why), "{bad}: {err}");
    }
}

#[test]
fn exact_log_z_agrees_with_closed_forms() {
    // Transfer matrix on the grid against Σ_d log Σ_j w_j 2π I₀(κ) e^{−κ}.
    for s in [
        "vonmises:dim=6,modes=3,kappa=8",
        "vonmises:dim=3,modes=2,kappa=40,weights=1:4",
    ] {
        let t = Synthetic::new(spec(s));
        let closed = t.log_z_closed_form().unwrap();
        assert!(
            (t.log_z() - closed).abs() < 1e-9,
            "{s}: {} vs {closed}",
            t.log_z()
        );
    }
    // Uncoupled rotors: ∫ exp(a(cos 3x − 1)) = ∫ exp(a(cos x − 1)) per dimension.
    let rotors = Synthetic::new(spec("coupled:dim=5,a=4,b=0"));
    let single = Synthetic::new(spec("vonmises:dim=5,modes=1,kappa=4"));
    assert!((rotors.log_z() - single.log_z_closed_form().unwrap()).abs() < 1e-9);
    // Coupling raises Z above the product of the wells with the coupling's
    // mean factor removed, and Z(b) must be below Z(0) since p ≤ 0.
    let coupled = Synthetic::new(spec("coupled:dim=5,a=4,b=1.5"));
    assert!(coupled.log_z() < rotors.log_z());
}

#[test]
fn chains_name_their_neighbours() {
    // One step along the chain first, then two.
    let chain = Synthetic::new(spec("coupled:dim=5,a=4,b=-1"));
    assert_eq!(
        chain.neighbours(),
        [
            vec![1, 2],
            vec![0, 2, 3],
            vec![1, 3, 0, 4],
            vec![2, 4, 1],
            vec![3, 2]
        ]
    );
    // Independent angles have none.
    assert!(Synthetic::new(spec("coupled:dim=3,a=4,b=0"))
        .neighbours()
        .is_empty());
    assert!(Synthetic::new(spec("vonmises:dim=3,modes=2,kappa=4"))
        .neighbours()
        .is_empty());
}

#[test]
fn mode_masses_sum_to_one_and_respect_symmetry() {
    let t = Synthetic::new(spec("coupled:dim=4,a=4,b=1.5"));
    let all = t.significant_modes(0.0);
    assert_eq!(all.len(), 81);
    let total: f64 = all.iter().map(|(_, w)| w).sum();
    assert!((total - 1.0).abs() < 1e-9, "{total}");
    // The three all-equal modes are the heaviest and equally heavy.
    let top: Vec<&Vec<u8>> = all.iter().take(3).map(|(m, _)| m).collect();
    for m in &top {
        assert!(m.iter().all(|&c| c == m[0]), "{m:?}");
    }
    assert!((all[0].1 - all[2].1).abs() < 1e-9);
    // The pruned search returns exactly the modes above the threshold.
    let heavy = t.significant_modes(1e-3);
    assert_eq!(heavy.len(), all.iter().filter(|(_, w)| *w > 1e-3).count());
    // Independent dimensions: masses are products of the per-dimension ones.
    let vm = Synthetic::new(spec("vonmises:dim=2,modes=2,kappa=10,weights=1:3"));
    let modes = vm.significant_modes(0.0);
    assert_eq!(modes[0].0, vec![1, 1]);
    assert!((modes[0].1 - 0.75 * 0.75).abs() < 1e-4, "{}", modes[0].1);
}

#[test]
fn synthetic_gradient_matches_finite_differences() {
    let mut t = Synthetic::new(spec("coupled:dim=3,a=4,b=1.5"));
    let x = [0.3, -2.0, 1.1];
    let (mut v, mut g) = ([0.0], [0.0; 3]);
    t.log_reward_grad(&x, &mut v, &mut g);
    for d in 0..3 {
        let (mut p, mut m) = (x, x);
        p[d] += 1e-6;
        m[d] -= 1e-6;
        let (mut vp, mut vm) = ([0.0], [0.0]);
        t.log_reward(&p, &mut vp);
        t.log_reward(&m, &mut vm);
        assert!(((vp[0] - vm[0]) / 2e-6 - g[d]).abs() < 1e-6);
    }
}

#[test]
fn exact_draws_follow_the_target() {
    // Mode frequencies of a coupled chain against the transfer-matrix
    // masses (independent draws per dimension would give neighbours in
    // the same well a third of the time, not 80 %).
    let t = Synthetic::new(spec("coupled:dim=3,a=4,b=1.5"));
    let n = 20_000;
    let draws = t.exact_samples(n, 5).unwrap();
    let mut counts = std::collections::HashMap::new();
    for x in draws.chunks(3) {
        *counts.entry(t.mode_of(x)).or_insert(0usize) += 1;
    }
    let modes = t.significant_modes(0.0);
    assert_eq!(modes.len(), 27);
    for (mode, mass) in &modes {
        let freq = counts.get(mode).copied().unwrap_or(0) as f64 / n as f64;
        // 4 binomial standard deviations of the heaviest mode (0.27).
        assert!((freq - mass).abs() < 0.013, "{mode:?}: {freq} vs {mass}");
    }
    // Within the wells: E[cos 3x] = I₁(a)/I₀(a) = 0.86352 for a = 4, b = 0.
    let free = Synthetic::new(spec("coupled:dim=2,a=4,b=0"));
    let x = free.exact_samples(n, 6).unwrap();
    let mean = x.iter().map(|v| (3.0 * v).cos()).sum::<f64>() / x.len() as f64;
    assert!((mean - 0.86352).abs() < 0.005, "{mean}");
    // Reproducible from the seed.
    assert_eq!(t.exact_samples(10, 5), t.exact_samples(10, 5));
    assert_ne!(t.exact_samples(10, 5), t.exact_samples(10, 7));
}

#[test]
fn oracle_learns_from_exact_draws_and_needs_them() {
    let mut s = Settings::preset(Effort::Fast);
    s.ablation = Ablation::Oracle;
    let r = bench(
        &spec("vonmises:dim=3,modes=3,kappa=8"),
        &s,
        4000,
        Device::Cpu,
        2,
    )
    .unwrap();
    check(&r, 0.05, 0.6, 1.0);
    assert_eq!(r.training_evaluations, 0);
    // A molecule has no exact sampler.
    let mut molecule = ButaneLike;
    let err = run(&mut molecule, &s, 10, Device::Cpu, 1).expect_err("no exact draws");
    assert!(err.to_string().contains("synthetic targets"), "{err}");
}

#[test]
fn langevin_parametrisation_and_warm_start_learn_a_rotor() {
    // log Z of exp(2 cos 3x) over one turn: log(2π I₀(2)), I₀(2) = 2.2795853.
    let exact = (2.0 * std::f64::consts::PI * 2.279_585_3_f64).ln();
    let mut s = Settings::preset(Effort::Fast);
    s.langevin = true;
    s.warm_start = 50;
    let out = run(&mut ButaneLike, &s, 2000, Device::Cpu, 3).unwrap();
    println!(
        "log Z {exact:.4}, estimate {:.4}, ESS/M {:.3}",
        out.log_z, out.ess
    );
    assert!((out.log_z - exact).abs() < 0.05, "{} vs {exact}", out.log_z);
    assert!(out.ess > 0.5, "ESS/M {}", out.ess);
}

/// A target that knows nothing beyond its density.
struct ButaneLike;

impl Target for ButaneLike {
    fn dim(&self) -> usize {
        1
    }
    fn log_reward(&mut self, points: &[f64], out: &mut [f64]) {
        for (o, x) in out.iter_mut().zip(points) {
            *o = 2.0 * (3.0 * x).cos();
        }
    }
    fn log_reward_grad(&mut self, points: &[f64], out: &mut [f64], grad: &mut [f64]) {
        self.log_reward(points, out);
        for (g, x) in grad.iter_mut().zip(points) {
            *g = -6.0 * (3.0 * x).sin();
        }
    }
}

fn check(r: &BenchReport, max_error: f64, min_ess: f64, min_coverage: f64) {
    println!("{}", conformers::bench::to_text(r));
    assert!(
        r.log_z_error.abs() < max_error,
        "log Z error {}",
        r.log_z_error
    );
    assert!(r.ess > min_ess, "ESS/M {}", r.ess);
    assert!(
        r.mode_coverage >= min_coverage,
        "coverage {}",
        r.mode_coverage
    );
    assert!(
        r.elbo <= r.log_z + 0.05,
        "ELBO {} above log Z {}",
        r.elbo,
        r.log_z
    );
}

#[test]
fn von_mises_mixture_six_dimensions() {
    // 729 modes of equal mass 0.14 %: all must be visited by 10 000 draws.
    let s = Settings::preset(Effort::Default);
    let r = bench(
        &spec("vonmises:dim=6,modes=3,kappa=8"),
        &s,
        10_000,
        Device::Cpu,
        7,
    )
    .unwrap();
    assert_eq!(r.significant_modes, 729);
    check(&r, 0.1, 0.3, 1.0);
    // Learned in the fixed budget: the probe passes.
    assert_eq!(r.refinements, 0);
}

/// `default` at its fixed budget (no refinements), 10 000 draws, seed 7.
fn default_without_refinements(target: &str) -> BenchReport {
    let s = Settings {
        refinements: 0,
        ..Settings::preset(Effort::Default)
    };
    bench(&spec(target), &s, 10_000, Device::Cpu, 7).unwrap()
}

#[test]
fn coupled_rotors_eight_dimensions() {
    // Three dominant all-equal modes and 294 lighter ones above 0.1 %.
    // At the fixed budget, without the refinements that `default` adds on
    // a chain this strongly coupled (they take it to ESS/M 0.47–0.50 on
    // seeds 1, 5, 6, 7 at about six times the training time; see the README
    // and `refinements_train_on_while_the_probe_falls_short`).
    let r = default_without_refinements("coupled:dim=8,a=4,b=1.5");
    assert_eq!(r.significant_modes, 297);
    // Before the chains' context of all rotors the fixed budget reached
    // log Z − ELBO 0.78 on seed 7, ESS/M 0.28 and all 297 modes (0.85 /
    // 0.88 on seeds 5 / 6; with the context 0.82 and 0.16 on seed 5; the
    // last bits, and these numbers, vary a little between CPUs). With
    // first neighbours only it was 0.92 and 0.20; without the Learner
    // chains (and at the earlier learning rate 5e-3) 1.50, 0.032 and 280
    // of 297; uniform draws give log Z − 23.
    check(&r, 0.1, 0.12, 0.99);
    assert!(
        r.elbo > r.log_z - 1.05,
        "ELBO {} vs log Z {}",
        r.elbo,
        r.log_z
    );
}

#[test]
fn weaker_coupled_rotors_eight_dimensions_meet_the_bar() {
    // At the fixed budget: ESS/M 0.37 on seed 7, all 297 modes (0.42
    // before the chains' context of all rotors).
    let r = default_without_refinements("coupled:dim=8,a=4,b=1");
    check(&r, 0.1, 0.3, 1.0);
}

#[test]
fn refinements_train_on_while_the_probe_falls_short() {
    let chain = spec("coupled:dim=4,a=4,b=1.5");
    let fixed = Settings::preset(Effort::Fast);
    assert_eq!(fixed.refinements, 0);
    let plain = bench(&chain, &fixed, 4000, Device::Cpu, 1).unwrap();
    assert_eq!(plain.refinements, 0);
    // An ESS/M no sampler reaches: refinements run while they help.
    let s = Settings {
        target_ess: 0.99,
        refinements: 2,
        refine_iterations: 300,
        ..fixed.clone()
    };
    let refined = bench(&chain, &s, 4000, Device::Cpu, 1).unwrap();
    println!(
        "fixed: log Z − ELBO {:.3}, ESS/M {:.3}; refined {} times: {:.3}, {:.3}",
        plain.log_z - plain.elbo,
        plain.ess,
        refined.refinements,
        refined.log_z - refined.elbo,
        refined.ess
    );
    assert!(refined.refinements >= 1);
    // A probe before each refinement and after the last; one on-policy
    // batch every other iteration.
    let n = refined.refinements;
    let extra = (n + 1) * PROBE_DRAWS + n * (s.refine_iterations / 2) * fixed.batch;
    assert_eq!(
        refined.training_evaluations,
        plain.training_evaluations + extra as u64
    );
    // Measured: log Z − ELBO 0.89 → 0.49, ESS/M 0.20 → 0.45 (seed 2:
    // 0.82 → 0.48, 0.25 → 0.48).
    assert!(refined.elbo > plain.elbo + 0.2);
    assert!(refined.ess > plain.ess + 0.1);
    // The ablations keep to the fixed budget.
    let no_novelty = bench(
        &chain,
        &Settings {
            ablation: Ablation::NoNovelty,
            ..s.clone()
        },
        100,
        Device::Cpu,
        3,
    )
    .unwrap();
    assert_eq!(no_novelty.refinements, 0);
    // A target the first probe finds learned is not refined.
    let easy = Settings {
        target_ess: 0.5,
        ..s
    };
    let r = bench(
        &spec("vonmises:dim=2,modes=2,kappa=4"),
        &easy,
        2000,
        Device::Cpu,
        3,
    )
    .unwrap();
    assert_eq!(r.refinements, 0, "ESS/M {}", r.ess);
}

#[test]
fn same_seed_same_draws_whatever_the_thread_count() {
    let mut s = Settings::preset(Effort::Fast);
    s.explore_iterations = 20;
    s.iterations = 40;
    s.search_steps = 30;
    let draw = |threads: usize, seed: u64| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let mut t = Synthetic::new(spec("coupled:dim=4,a=2,b=1"));
            run(&mut t, &s, 500, Device::Cpu, seed).unwrap()
        })
    };
    let (a, b, c) = (draw(1, 3), draw(2, 3), draw(2, 4));
    assert_eq!(a.points, b.points);
    assert_eq!(a.log_weights, b.log_weights);
    assert_eq!(a.energy_evaluations, b.energy_evaluations);
    assert_ne!(a.points, c.points);
}

#[test]
fn cuda_without_support_is_an_error() {
    let mut t = Synthetic::new(spec("coupled:dim=2,a=1,b=1"));
    let s = Settings::preset(Effort::Fast);
    if cfg!(not(feature = "cuda")) {
        let err = run(&mut t, &s, 10, Device::Cuda, 1).expect_err("no CUDA in this build");
        assert!(err.to_string().contains("--features cuda"), "{err}");
    }
}

/// log ∫ exp(−(E(τ) − E_ref)/kT) dτ by the midpoint rule on a grid of
/// `points` per rotor: exact to many digits for smooth periodic integrands.
fn quadrature_log_z(target: &mut MolecularTarget, points: usize) -> f64 {
    let m = target.dim();
    let h = 2.0 * std::f64::consts::PI / points as f64;
    let total = points.pow(m as u32);
    let mut grid = Vec::with_capacity(total * m);
    for i in 0..total {
        let mut k = i;
        for _ in 0..m {
            grid.push(-std::f64::consts::PI + (k % points) as f64 * h + h / 2.0);
            k /= points;
        }
    }
    let mut log_r = vec![0.0; total];
    target.log_reward(&grid, &mut log_r);
    conformers::sampler::torus::log_mean_exp(&log_r) + m as f64 * (2.0 * std::f64::consts::PI).ln()
}

#[test]
fn molecular_torsion_boltzmann_distribution() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (file, points) in [("butane.sdf", 3600), ("alanine_dipeptide.sdf", 240)] {
        let mol = &read_ok(&root.join("molecules").join(file))[0];
        let system = MmffSystem::new(mol, &MmffOptions::default()).unwrap();
        let space = TorsionSpace::new(mol, &system, find_rotors(mol, RotorOptions::default()));
        let mut target = MolecularTarget::new(&space, 298.15, 2);
        let exact = quadrature_log_z(&mut target, points);
        let s = Settings::preset(Effort::Default);
        let out = run(&mut target, &s, 4000, Device::Cpu, 11).unwrap();
        println!(
            "{file}: m = {}, log Z {exact:.4}, estimate {:.4}, ESS/M {:.3}, {} evaluations",
            space.dim(),
            out.log_z,
            out.ess,
            out.energy_evaluations
        );
        assert!(
            (out.log_z - exact).abs() < 0.1,
            "{file}: {} vs {exact}",
            out.log_z
        );
        assert!(out.ess > 0.4, "{file}: ESS/M {}", out.ess);
    }
}
