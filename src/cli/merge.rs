//! `conformers merge`: the shards of a `gen --shard K/N -o DIR/` run,
//! assembled in input order into the SDF, JSON summary and failed records
//! one process would have written.

use super::args::MergeArgs;
use super::gen::write_summaries;
use super::shard;
use super::Sink;
use conformers::io::AtomicFile;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

pub fn run(args: MergeArgs) -> anyhow::Result<ExitCode> {
    let mut sdf = Sink::create(&args.output)?;
    let json = args.json.as_ref().map(AtomicFile::create).transpose()?;
    let mut failed = args.failed.as_ref().map(AtomicFile::create).transpose()?;
    let (merged, summaries) = shard::merge(
        Path::new(&args.dir),
        &mut sdf,
        failed.as_mut().map(|f| f as &mut dyn Write),
    )?;
    sdf.finish()?;
    if let Some(mut out) = json {
        write_summaries(&mut out, &summaries)?;
        out.commit()?;
    }
    if let Some(out) = failed {
        out.commit()?;
    }
    let mut complete = true;
    if !merged.absent_shards.is_empty() {
        complete = false;
        let list: Vec<String> = merged.absent_shards.iter().map(usize::to_string).collect();
        report!(
            "error: {}: no task of shard {} has written anything",
            args.dir,
            list.join(", ")
        );
    }
    if !merged.missing.is_empty() {
        complete = false;
        let list: Vec<String> = merged.missing.iter().map(|i| (i + 1).to_string()).collect();
        report!(
            "error: {}: {} no task finished: {}",
            args.dir,
            if merged.missing.len() == 1 {
                "record"
            } else {
                "records"
            },
            list.join(", ")
        );
    }
    if !merged.total_known {
        complete = false;
        report!(
            "error: {}: no task read its input to the end, so records after the last \
             one merged may be missing",
            args.dir
        );
    }
    report!(
        "conformers merge: {} records ({} failed){}",
        merged.records,
        merged.failed,
        if complete {
            ""
        } else {
            "; the run is incomplete"
        }
    );
    Ok(match (complete, merged.failed) {
        (true, 0) => ExitCode::SUCCESS,
        _ => ExitCode::from(1),
    })
}
