//! `conformers energy`: single-point MMFF94 energies (and gradients).

use super::args::EnergyArgs;
use super::batch::{self, Finished, Reporter};
use conformers::energy::{report, to_text, EnergyReport};
use conformers::forcefield::mmff::MmffSystem;
use std::io::{BufWriter, Write};
use std::process::ExitCode;

pub fn run(args: EnergyArgs) -> anyhow::Result<ExitCode> {
    let options = args.forcefield.options()?;
    let (json, gradient) = (args.json, args.gradient);
    let mut out = BufWriter::new(std::io::stdout().lock());
    let (outcome, _) = batch::run(
        &args.inputs,
        batch::Settings::plain(),
        move |index, mol| {
            let system = MmffSystem::new(mol, &options)?;
            Ok(report(index, mol, &system, gradient))
        },
        |finished: &Finished<EnergyReport>, _: &Reporter| {
            batch::write_report(&mut out, json, finished, to_text)
        },
    )?;
    out.flush()?;
    Ok(outcome.exit_code())
}
