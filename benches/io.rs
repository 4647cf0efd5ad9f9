//! Reading speed: parsing, checking and describing SDF records.

use conformers::info::describe;
use conformers::io::SdfReader;
use conformers::torsion::RotorOptions;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

fn read(c: &mut Criterion) {
    let bytes = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/molecules/multi.sdf")).unwrap();
    let records = SdfReader::new(bytes.as_slice(), "multi.sdf").count() as u64;
    let mut group = c.benchmark_group("sdf");
    group.throughput(Throughput::Elements(records));
    group.bench_function("read multi.sdf", |b| {
        b.iter(|| {
            SdfReader::new(bytes.as_slice(), "multi.sdf")
                .filter(Result::is_ok)
                .count()
        })
    });
    group.bench_function("read + describe multi.sdf", |b| {
        b.iter(|| {
            SdfReader::new(bytes.as_slice(), "multi.sdf")
                .enumerate()
                .filter_map(|(i, m)| {
                    m.ok()
                        .map(|m| describe(&m, i, RotorOptions::default()).num_rotors)
                })
                .sum::<usize>()
        })
    });
    group.finish();
}

criterion_group!(benches, read);
criterion_main!(benches);
