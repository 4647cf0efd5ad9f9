//! The `conformers` command line: [`args`] parses, one file per subcommand
//! runs it, and [`batch`] is the record loop they share. Exit codes: 0 all
//! records succeeded, 1 some failed, 2 usage error or nothing could be
//! read, 130/143 `gen` stopped by SIGINT/SIGTERM.

/// `eprintln!` that gives up quietly when standard error is closed (the
/// reader of a `2>&1 | head` pipe has gone), and shows control characters
/// from the input (binary files, escape sequences) escaped rather than
/// sending them to the terminal.
macro_rules! report {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(
            std::io::stderr(),
            "{}",
            $crate::cli::printable(&format!($($arg)*))
        );
    }};
}

mod args;
mod batch;
mod bench;
mod embed;
mod energy;
mod gen;
mod info;
mod manual;
mod merge;
mod minimize;
mod shard;

use clap::Parser;
use std::io::{BufWriter, Write};
use std::process::ExitCode;

pub fn main() -> ExitCode {
    let cli = args::Cli::parse();
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
            report!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: args::Cli) -> anyhow::Result<ExitCode> {
    use args::Command;
    match cli.command {
        Command::Gen(args) => gen::run(args),
        Command::Info(args) => info::run(args),
        Command::Energy(args) => energy::run(args),
        Command::Minimize(args) => minimize::run(args),
        Command::Bench(args) => bench::run(args),
        Command::Embed(args) => embed::run(args),
        Command::Merge(args) => merge::run(args),
        Command::Completions { shell } => manual::completions(shell),
        Command::Man { subcommand } => manual::page(subcommand.as_deref()),
    }
}

/// `text` with every control character but newline and tab escaped.
fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    let escaped = |c: char| c.is_control() && c != '\n' && c != '\t';
    if !text.chars().any(escaped) {
        return text.into();
    }
    text.chars()
        .map(|c| {
            if escaped(c) {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect::<String>()
        .into()
}

/// Where an SDF result goes: a file written atomically, or standard output.
enum Sink {
    Stdout(BufWriter<std::io::StdoutLock<'static>>),
    File(conformers::io::AtomicFile),
}

impl Sink {
    /// Opens `path` (`-` for standard output) before any work is done.
    fn create(path: &str) -> anyhow::Result<Sink> {
        Ok(if path == "-" {
            Sink::Stdout(BufWriter::new(std::io::stdout().lock()))
        } else {
            Sink::File(conformers::io::AtomicFile::create(path)?)
        })
    }

    /// Moves the output into place unless nothing was read (then no empty
    /// file is left behind); the run's exit code.
    fn close(self, outcome: &batch::Outcome) -> anyhow::Result<ExitCode> {
        if outcome.read == 0 {
            return Ok(outcome.exit_code());
        }
        self.finish()?;
        Ok(outcome.exit_code())
    }

    fn finish(self) -> anyhow::Result<()> {
        match self {
            Sink::Stdout(mut w) => Ok(w.flush()?),
            Sink::File(f) => Ok(f.commit()?),
        }
    }
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Sink::Stdout(w) => w.write(buf),
            Sink::File(f) => f.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Sink::Stdout(w) => w.flush(),
            Sink::File(f) => f.flush(),
        }
    }
}
