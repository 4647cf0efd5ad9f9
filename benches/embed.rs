//! SMILES to a 3D start: parsing, distance-geometry embedding with the
//! written stereochemistry and MMFF94 minimisation, on drug-like molecules
//! (imatinib; verapamil; epothilone B, a 16-membered macrolide with seven
//! stereocentres and a configured double bond). And the other conformations
//! of a 3D structure that the minima search embeds, on clarithromycin (a
//! 14-membered macrolide with eighteen stereocentres), minimised as the
//! search of its ring shapes minimises them.

use conformers::ensemble::embed::{embed, reembed};
use conformers::ensemble::minimize::MinimizeOptions;
use conformers::forcefield::mmff::{MmffOptions, MmffSystem};
use conformers::io::smiles::parse;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use std::hint::black_box;

const MOLECULES: [(&str, &str); 3] = [
    (
        "imatinib",
        "Cc1ccc(NC(=O)c2ccc(CN3CCN(C)CC3)cc2)cc1Nc1nccc(-c2cccnc2)n1",
    ),
    (
        "verapamil",
        "COc1ccc(CCN(C)CCCC(C#N)(C(C)C)c2ccc(OC)c(OC)c2)cc1OC",
    ),
    (
        "epothilone B",
        "C/C(=C\\c1csc(C)n1)[C@@H]1C[C@@H]2O[C@]2(C)CCC[C@H](C)[C@H](O)[C@@H](C)C(=O)C(C)(C)[C@@H](O)CC(=O)O1",
    ),
];

fn embedding(c: &mut Criterion) {
    let mut group = c.benchmark_group("embed");
    group.sample_size(20);
    for (name, smiles) in MOLECULES {
        group.bench_with_input(
            BenchmarkId::new("smiles to minimised 3D", name),
            smiles,
            |b, s| {
                b.iter(|| {
                    let parsed = parse(black_box(s)).unwrap();
                    black_box(embed(&parsed, 1).unwrap())
                })
            },
        );
    }
    group.finish();
}

fn reembedding(c: &mut Criterion) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/clarithromycin.smi");
    let line = std::fs::read_to_string(path).unwrap();
    let smiles = line.split_whitespace().next().unwrap();
    let mol = embed(&parse(smiles).unwrap(), 1).unwrap().molecule;
    let system = MmffSystem::new(&mol, &MmffOptions::default()).unwrap();
    let options = MinimizeOptions {
        force_tolerance: 1e-3,
        max_iterations: 2000,
    };
    let mut group = c.benchmark_group("reembed");
    group.sample_size(10);
    group.bench_function("clarithromycin, 24 minimised embeddings", |b| {
        b.iter(|| black_box(reembed(&mol, &[&system], 24, 7, &options, || false)))
    });
    group.finish();
}

criterion_group!(benches, embedding, reembedding);
criterion_main!(benches);
