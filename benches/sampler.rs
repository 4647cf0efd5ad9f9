//! Sampler cost on the CPU: on-policy training batches and inference draws
//! for m = 4, 10, 30 (coupled-rotor targets, whose log R costs next to
//! nothing, so the network is what is measured).

use conformers::sampler::synthetic::Synthetic;
use conformers::sampler::{run, Ablation, Device, Effort, Settings};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};

// The allocator of the `conformers` binary, so that the costs are the
// command line's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn target(m: usize) -> Synthetic {
    Synthetic::new(
        format!("coupled:dim={m},a=4,b=1.5")
            .parse()
            .expect("valid spec"),
    )
}

fn settings() -> Settings {
    Settings {
        rounds: 1,
        chains: 0,
        ablation: Ablation::LearnerOnly,
        ..Settings::preset(Effort::Default)
    }
}

fn sampler(c: &mut Criterion) {
    let mut group = c.benchmark_group("sampler");
    group.sample_size(10);
    for m in [4, 10, 30] {
        // 20 on-policy batches of the default preset (64 trajectories of 16
        // random steps), each with its trajectory-balance update.
        let train = Settings {
            iterations: 40,
            ..settings()
        };
        group.bench_with_input(BenchmarkId::new("train_20_batches", m), &m, |b, &m| {
            b.iter(|| run(&mut target(m), &train, 0, Device::Cpu, 1).expect("cpu run"))
        });
        // 1000 draws on the default 256-step inference grid (the untrained
        // network costs the same as a trained one).
        let draw = Settings {
            iterations: 0,
            ..settings()
        };
        group.bench_with_input(BenchmarkId::new("draw_1000", m), &m, |b, &m| {
            b.iter(|| run(&mut target(m), &draw, 1000, Device::Cpu, 1).expect("cpu run"))
        });
    }
    group.finish();
}

criterion_group!(benches, sampler);
criterion_main!(benches);
