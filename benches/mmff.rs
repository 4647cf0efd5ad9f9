//! MMFF94 speed: set-up (typing, charges, parameters), energy and
//! energy+gradient per call (Cartesian), the same in torsion space, and one
//! full minimisation, on strained molecules of 20, 45 and 104 atoms from the
//! development set (`benches/data/`); set-up also on violanthrone, a fused
//! system of nine rings.

use conformers::ensemble::minimize::{minimize_cartesian, MinimizeOptions};
use conformers::forcefield::mmff::{MmffOptions, MmffSystem};
use conformers::io::open_sdf;
use conformers::torsion::{find_rotors, RotorOptions, TorsionSpace};
use conformers::Molecule;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use nalgebra::Vector3;
use std::hint::black_box;

fn molecules() -> Vec<(String, Molecule)> {
    ["NCI_1906", "NCI_2559", "NCI_4320"]
        .iter()
        .map(|name| {
            let path = format!("{}/benches/data/{name}.sdf", env!("CARGO_MANIFEST_DIR"));
            let mol = open_sdf(&path).unwrap().next().unwrap().unwrap();
            (format!("{name} ({} atoms)", mol.num_atoms()), mol)
        })
        .collect()
}

fn energy(c: &mut Criterion) {
    let mut group = c.benchmark_group("mmff94");
    for (label, mol) in molecules() {
        let system = MmffSystem::new(&mol, &MmffOptions::default()).unwrap();
        let x = mol.coords().to_vec();
        let mut grad = vec![Vector3::zeros(); x.len()];
        group.bench_with_input(BenchmarkId::new("energy", &label), &x, |b, x| {
            b.iter(|| black_box(system.energy(black_box(x))))
        });
        group.bench_with_input(BenchmarkId::new("energy+gradient", &label), &x, |b, x| {
            b.iter(|| black_box(system.energy_gradient(black_box(x), &mut grad)))
        });
        let space = TorsionSpace::new(&mol, &system, find_rotors(&mol, RotorOptions::default()));
        let mut work = space.workspace();
        let tau: Vec<f64> = space.reference_torsions().iter().map(|t| t + 0.5).collect();
        let mut dtau = vec![0.0; space.dim()];
        group.bench_with_input(
            BenchmarkId::new("torsion energy+gradient", &label),
            &tau,
            |b, tau| {
                b.iter(|| black_box(space.energy_gradient(black_box(tau), &mut dtau, &mut work)))
            },
        );
    }
    group.finish();
}

fn setup(c: &mut Criterion) {
    let mut group = c.benchmark_group("mmff94 set-up");
    let path = format!(
        "{}/tests/data/fused_aromatics.sdf",
        env!("CARGO_MANIFEST_DIR")
    );
    let violanthrone = open_sdf(&path).unwrap().next().unwrap().unwrap();
    let mut all = molecules();
    all.push((
        format!("violanthrone ({} atoms)", violanthrone.num_atoms()),
        violanthrone,
    ));
    for (label, mol) in all {
        group.bench_with_input(BenchmarkId::new("new", &label), &mol, |b, mol| {
            b.iter(|| black_box(MmffSystem::new(black_box(mol), &MmffOptions::default())))
        });
    }
    group.finish();
}

fn minimisation(c: &mut Criterion) {
    let mut group = c.benchmark_group("minimize");
    group.sample_size(10);
    for (label, mol) in molecules() {
        let system = MmffSystem::new(&mol, &MmffOptions::default()).unwrap();
        group.bench_function(BenchmarkId::new("cartesian", &label), |b| {
            b.iter(|| {
                let mut x = mol.coords().to_vec();
                black_box(minimize_cartesian(
                    &system,
                    &mut x,
                    &MinimizeOptions::default(),
                ))
            })
        });
    }
    group.finish();
}

criterion_group!(benches, setup, energy, minimisation);
criterion_main!(benches);
