//! The `conformers` command line: parse arguments, call the library, map the
//! outcome to an exit code (0 all records succeeded, 1 some failed, 2 usage
//! error or nothing could be read).

use anyhow::Context;
use clap::{Parser, Subcommand};
use conformers::info::{describe, to_text};
use conformers::io::open_sdf;
use conformers::torsion::RotorOptions;
use conformers::Error;
use std::io::{BufWriter, Write};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "conformers",
    version,
    about = "Conformer ensembles of small molecules (MMFF94)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Describe every record: atoms, charge, rings, rotors, stereochemistry, problems.
    Info {
        /// SDF/MOL files (V2000 or V3000, `.sdf.gz` accepted); `-` reads standard input.
        #[arg(required = true)]
        inputs: Vec<String>,
        /// One JSON object per record (JSON lines) instead of text.
        #[arg(long)]
        json: bool,
        /// Treat amide-like C(=O|S)-N bonds as rotors too.
        #[arg(long)]
        rotate_amides: bool,
    },
}

/// How a run went over all records.
#[derive(Default)]
struct Tally {
    ok: usize,
    failed: usize,
}

impl Tally {
    fn exit_code(&self) -> ExitCode {
        match (self.ok, self.failed) {
            (_, 0) if self.ok > 0 => ExitCode::SUCCESS,
            (0, 0) => ExitCode::from(2),
            _ => ExitCode::from(1),
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            // A closed pipe (`conformers info x.sdf | head`) is not an error.
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Info {
            inputs,
            json,
            rotate_amides,
        } => info(&inputs, json, RotorOptions { rotate_amides }),
    }
}

fn info(inputs: &[String], json: bool, options: RotorOptions) -> anyhow::Result<ExitCode> {
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut tally = Tally::default();
    let mut unreadable = false;
    for input in inputs {
        let reader = match open_sdf(input) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("error: {e}");
                unreadable = true;
                continue;
            }
        };
        let mut records = 0;
        for (index, record) in reader.enumerate() {
            records += 1;
            match record {
                Ok(mol) => {
                    tally.ok += 1;
                    let info = describe(&mol, index, options);
                    if json {
                        serde_json::to_writer(&mut out, &info)?;
                        writeln!(out)?;
                    } else {
                        write!(out, "{}", to_text(&info, &mol))?;
                    }
                }
                Err(e) => {
                    tally.failed += 1;
                    eprintln!("error: {e}");
                    if json {
                        let (name, line) = match &e {
                            Error::Record(r) => (r.location.title.clone(), Some(r.location.line)),
                            _ => (String::new(), None),
                        };
                        let failure = serde_json::json!({
                            "index": index,
                            "name": name,
                            "status": "failed",
                            "error": e.to_string(),
                            "line": line,
                        });
                        serde_json::to_writer(&mut out, &failure)?;
                        writeln!(out)?;
                    }
                }
            }
        }
        if records == 0 {
            eprintln!("error: {input}: no records found (is it an SDF or MOL file?)");
            unreadable = true;
        }
    }
    out.flush().context("writing to standard output")?;
    if unreadable && tally.ok == 0 {
        return Ok(ExitCode::from(2));
    }
    Ok(if unreadable {
        ExitCode::from(1)
    } else {
        tally.exit_code()
    })
}
