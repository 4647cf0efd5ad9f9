//! SMILES to a 3D start: parsing, distance-geometry embedding with the
//! written stereochemistry and MMFF94 minimisation, on drug-like molecules
//! (imatinib; verapamil; epothilone B, a 16-membered macrolide with seven
//! stereocentres and a configured double bond).

use conformers::ensemble::embed::embed;
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

criterion_group!(benches, embedding);
criterion_main!(benches);
