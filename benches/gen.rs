//! Minima mode of `gen` at the default effort, one thread, on molecules of
//! 1, 2 and 7 rotors (`molecules/`): the whole search of one molecule, of
//! which the sampler's training is most for few rotors.

use conformers::generate::{generate, GenOptions, Mode};
use conformers::io::open_sdf;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use std::hint::black_box;

// The allocator of the `conformers` binary, so that the costs are the
// command line's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn minima(c: &mut Criterion) {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("a one-thread pool");
    let options = GenOptions::new(Mode::Minima);
    let mut group = c.benchmark_group("gen minima");
    group.sample_size(10);
    for name in ["butane", "alanine_dipeptide", "charged_drug"] {
        let path = format!("{}/molecules/{name}.sdf", env!("CARGO_MANIFEST_DIR"));
        let mol = open_sdf(&path).unwrap().next().unwrap().unwrap();
        group.bench_with_input(BenchmarkId::new("default", name), &mol, |b, mol| {
            b.iter(|| pool.install(|| generate(black_box(mol), &options).expect("generated")))
        });
    }
    group.finish();
}

criterion_group!(benches, minima);
criterion_main!(benches);
