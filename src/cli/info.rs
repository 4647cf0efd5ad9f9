//! `conformers info`: a description of every record.

use super::args::InfoArgs;
use super::batch::{self, Finished, Reporter};
use conformers::info::{describe, to_text, MoleculeInfo};
use conformers::torsion::RotorOptions;
use std::io::{BufWriter, Write};
use std::process::ExitCode;

pub fn run(args: InfoArgs) -> anyhow::Result<ExitCode> {
    let options = RotorOptions {
        rotate_amides: args.rotate_amides,
    };
    let mut out = BufWriter::new(std::io::stdout().lock());
    let json = args.json;
    let (outcome, _) = batch::run(
        &args.inputs,
        batch::Settings::plain(),
        move |index, mol| Ok(describe(mol, index, options)),
        |finished: &Finished<MoleculeInfo>, _: &Reporter| {
            batch::write_report(&mut out, json, finished, to_text)
        },
    )?;
    out.flush()?;
    Ok(outcome.exit_code())
}
