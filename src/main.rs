//! The `conformers` binary: the command line lives in `cli`.

mod cli;

/// burn's CPU backend allocates and frees large buffers in every operation;
/// mimalloc keeps them instead of handing them back to the kernel.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cli::main()
}
