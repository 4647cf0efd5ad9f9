//! `conformers embed`: the 3D start structure of every record, with
//! hydrogens, minimised with MMFF94 (from SMILES by distance geometry).

use super::args::EmbedArgs;
use super::batch::{self, Finished, Reporter};
use super::Sink;
use anyhow::Context;
use conformers::io::write_record;
use std::process::ExitCode;

pub fn run(args: EmbedArgs) -> anyhow::Result<ExitCode> {
    let mut sink = Sink::create(&args.output)?;
    let output = args.output.clone();
    let (outcome, _) = batch::run(
        &args.inputs,
        batch::Settings {
            threads: args.threads,
            seed: args.seed,
            ..batch::Settings::plain()
        },
        |_, _| Ok(()),
        |finished: &Finished<()>, _: &Reporter| {
            if let Ok((mol, ())) = &finished.result {
                write_record(&mut sink, mol, mol.coords(), &[])
                    .with_context(|| format!("cannot write {output}"))?;
            }
            Ok(())
        },
    )?;
    sink.close(&outcome)
}
