//! `conformers minimize`: every record minimised with full MMFF94.

use super::args::MinimizeArgs;
use super::batch::{self, Finished, Reporter};
use super::Sink;
use anyhow::Context;
use conformers::ensemble::minimize::{minimize_molecule, Minimized};
use conformers::forcefield::mmff::MmffSystem;
use conformers::io::write_record;
use std::process::ExitCode;

pub fn run(args: MinimizeArgs) -> anyhow::Result<ExitCode> {
    let (options, settings) = args.options()?;
    let mut sink = Sink::create(&args.output)?;
    let output = args.output.clone();
    let (outcome, _) = batch::run(
        &args.inputs,
        batch::Settings {
            threads: args.threads,
            ..batch::Settings::plain()
        },
        move |_, mol| {
            let system = MmffSystem::new(mol, &options)?;
            Ok(minimize_molecule(mol, &system, &settings))
        },
        |finished: &Finished<Minimized>, reporter: &Reporter| {
            let Ok((mol, m)) = &finished.result else {
                return Ok(());
            };
            for change in &m.stereo_changes {
                reporter.say(&format!(
                    "warning: {}: {}: {change} during minimisation",
                    finished.file,
                    mol.name()
                ));
            }
            let mut tags = vec![
                ("ENERGY".to_string(), format!("{:.6}", m.energy)),
                ("CONVERGED".to_string(), m.result.converged.to_string()),
                (
                    "GRADIENT_RMS".to_string(),
                    format!("{:.2e}", m.result.gradient_rms),
                ),
                ("ITERATIONS".to_string(), m.result.iterations.to_string()),
            ];
            if !m.stereo_changes.is_empty() {
                tags.push(("STEREO_CHANGED".to_string(), m.stereo_changes.join("; ")));
            }
            write_record(&mut sink, mol, &m.coords, &tags)
                .with_context(|| format!("cannot write {output}"))?;
            Ok(())
        },
    )?;
    sink.close(&outcome)
}
