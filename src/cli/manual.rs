//! `conformers completions` and `conformers man`: generated from the clap
//! definitions, so they never disagree with `--help`.

use super::args::Cli;
use clap::CommandFactory;
use std::io::Write;
use std::process::ExitCode;

pub fn completions(shell: clap_complete::Shell) -> anyhow::Result<ExitCode> {
    let mut command = Cli::command();
    // Rendered first, then written: a closed pipe (`| head`) is then an
    // ordinary write error, which is not reported.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "conformers", &mut script);
    std::io::stdout().write_all(&script)?;
    Ok(ExitCode::SUCCESS)
}

/// The overview page, or one subcommand's.
pub fn page(subcommand: Option<&str>) -> anyhow::Result<ExitCode> {
    let command = Cli::command();
    let page = match subcommand {
        None => clap_mangen::Man::new(command),
        Some(name) => {
            let Some(sub) = command.find_subcommand(name) else {
                anyhow::bail!("no subcommand '{name}' (see `conformers --help`)");
            };
            clap_mangen::Man::new(sub.clone()).title(format!("conformers-{name}"))
        }
    };
    let mut text = Vec::new();
    page.render(&mut text)?;
    std::io::stdout().write_all(&text)?;
    Ok(ExitCode::SUCCESS)
}
