//! Sharded, restartable `gen` runs and their merge.
//!
//! `gen --shard K/N -o DIR/` processes the records whose 0-based number in
//! the run (counted over all inputs) is K modulo N, and writes them under
//! `DIR/shard-K-of-N/` in chunks: a chunk's SDF and its JSON (each record's
//! summary, its byte range in the SDF and, for a failed record, the text
//! `--failed` would get) are complete files when they appear (temporary
//! name, then rename), and only then is the chunk named in the shard's
//! journal. A task killed at any moment therefore leaves committed chunks,
//! maybe a chunk written but not journaled (ignored and later overwritten),
//! and temporary files (ignored). `--resume` skips the records of journaled
//! chunks whose files are there. A record's random choices depend on
//! `--seed` and its place in its file only, so whichever task runs it, its
//! output is the same bytes, and `merge` reassembles exactly what one
//! process would have written.

use anyhow::{bail, Context};
use conformers::io::AtomicFile;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashSet};
use std::fs::{self, File, OpenOptions};
use std::hash::Hasher;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Records of the run this task takes: number `index` of `count`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl Shard {
    /// `K/N`, or `auto` for the Slurm array task this process runs in.
    pub fn parse(text: &str) -> Result<Shard, String> {
        if text == "auto" {
            return Shard::from_slurm(|name| std::env::var(name).ok());
        }
        let (k, n) = text
            .split_once('/')
            .ok_or_else(|| format!("'{text}' is not K/N (e.g. 3/16) or auto"))?;
        let number = |s: &str| {
            s.trim()
                .parse::<usize>()
                .map_err(|_| format!("'{s}' in --shard {text} is not a whole number"))
        };
        let (index, count) = (number(k)?, number(n)?);
        if count == 0 || index >= count {
            return Err(format!(
                "--shard {text}: K must be below N (shards are numbered 0 to N-1)"
            ));
        }
        Ok(Shard { index, count })
    }

    /// From `SLURM_ARRAY_TASK_ID` less `SLURM_ARRAY_TASK_MIN`, of
    /// `SLURM_ARRAY_TASK_COUNT` (or `MAX - MIN + 1`) tasks.
    fn from_slurm(var: impl Fn(&str) -> Option<String>) -> Result<Shard, String> {
        let get = |name: &str| -> Result<Option<usize>, String> {
            var(name)
                .map(|v| {
                    v.trim()
                        .parse::<usize>()
                        .map_err(|_| format!("{name}={v} is not a whole number"))
                })
                .transpose()
        };
        let Some(id) = get("SLURM_ARRAY_TASK_ID")? else {
            return Err(
                "--shard auto needs a Slurm array task (SLURM_ARRAY_TASK_ID is not \
                        set); outside Slurm give --shard K/N"
                    .into(),
            );
        };
        let min = get("SLURM_ARRAY_TASK_MIN")?.unwrap_or(0);
        let count = match (get("SLURM_ARRAY_TASK_COUNT")?, get("SLURM_ARRAY_TASK_MAX")?) {
            (Some(count), _) => count,
            (None, Some(max)) if max >= min => max - min + 1,
            _ => {
                return Err("--shard auto: neither SLURM_ARRAY_TASK_COUNT nor \
                            SLURM_ARRAY_TASK_MAX is set"
                    .into())
            }
        };
        let index = id.checked_sub(min).filter(|&k| k < count).ok_or_else(|| {
            format!(
                "--shard auto: task {id} of an array from {min} with {count} tasks does not \
                 number a shard (array steps are not supported; give --shard K/N)"
            )
        })?;
        Ok(Shard { index, count })
    }

    pub fn takes(&self, ordinal: usize) -> bool {
        ordinal % self.count == self.index
    }

    fn dir_name(&self) -> String {
        format!("shard-{}-of-{}", self.index, self.count)
    }
}

/// Whether `-o` names a directory: it ends in `/` or is one.
pub fn is_directory(output: &str) -> bool {
    output.ends_with('/') || Path::new(output).is_dir()
}

/// What must agree between the tasks of one run: the tool, the input files
/// (names, sizes and a content fingerprint) and `settings` (everything else
/// the output depends on).
fn run_identity(inputs: &[String], settings: &Value) -> anyhow::Result<Value> {
    let mut files = Vec::new();
    for path in inputs {
        if path == "-" {
            bail!("a sharded run reads its input once per task: give a file, not '-'");
        }
        let mut file = File::open(path).with_context(|| format!("cannot read {path}"))?;
        let mut hasher = std::hash::DefaultHasher::new();
        let mut buffer = vec![0u8; 1 << 16];
        let mut bytes = 0u64;
        loop {
            let n = file
                .read(&mut buffer)
                .with_context(|| format!("cannot read {path}"))?;
            if n == 0 {
                break;
            }
            hasher.write(&buffer[..n]);
            bytes += n as u64;
        }
        files.push(json!({
            "path": path,
            "bytes": bytes,
            "fingerprint": format!("{:016x}", hasher.finish()),
        }));
    }
    Ok(json!({
        "version": env!("CARGO_PKG_VERSION"),
        "inputs": files,
        "settings": settings,
    }))
}

/// One finished record as a shard keeps it.
pub struct Entry {
    /// 0-based number in the run.
    pub ordinal: usize,
    /// The record's SDF output (its conformers).
    pub sdf: Vec<u8>,
    /// Its object in the `--json` summary.
    pub summary: Value,
    /// For a failed record, what `--failed` gets.
    pub failed: Option<Vec<u8>>,
}

/// A chunk is committed at the latest once it is this old.
const CHUNK_AGE: Duration = Duration::from_secs(30);

/// This task's part of a run directory.
pub struct ShardWriter {
    dir: PathBuf,
    journal: File,
    /// Records per chunk.
    size: usize,
    next_chunk: usize,
    pending: Vec<Entry>,
    oldest: Option<Instant>,
}

impl ShardWriter {
    /// Opens (or with `resume` reopens) the shard's directory under `root`
    /// for a run over the files `inputs` with `settings`; returns the
    /// writer and the records already finished there.
    pub fn open(
        root: &str,
        shard: Shard,
        inputs: &[String],
        settings: &Value,
        resume: bool,
        size: usize,
    ) -> anyhow::Result<(ShardWriter, HashSet<usize>)> {
        let identity = run_identity(inputs, settings)?;
        let dir = Path::new(root).join(shard.dir_name());
        fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let manifest = dir.join("manifest.json");
        let journal_path = dir.join("journal");
        let mut finished = HashSet::new();
        let mut next_chunk = 1;
        if manifest.exists() {
            let written: Value = serde_json::from_str(&fs::read_to_string(&manifest)?)
                .with_context(|| format!("{} is not a run manifest", manifest.display()))?;
            if written["run"] != identity {
                bail!(
                    "{} holds a run with other inputs or options; give another directory",
                    dir.display()
                );
            }
            if !resume {
                bail!(
                    "{} already holds results of this run: add --resume to go on with it, \
                     or give another directory",
                    dir.display()
                );
            }
            for chunk in read_journal(&dir)?.0 {
                next_chunk = next_chunk.max(chunk.number + 1);
                if chunk.present(&dir) {
                    finished.extend(chunk.ordinals);
                }
            }
        } else {
            let mut file = AtomicFile::create(&manifest)?;
            let text = json!({ "shard": [shard.index, shard.count], "run": identity });
            serde_json::to_writer_pretty(&mut file, &text)?;
            writeln!(file)?;
            file.commit()?;
        }
        let journal = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&journal_path)
            .with_context(|| format!("cannot write {}", journal_path.display()))?;
        // A line cut off by a kill is dropped, so that the next one starts
        // on a line of its own.
        let text = fs::read(&journal_path)?;
        let whole = text.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        if whole < text.len() {
            journal.set_len(whole as u64)?;
        }
        Ok((
            ShardWriter {
                dir,
                journal,
                size,
                next_chunk,
                pending: Vec::new(),
                oldest: None,
            },
            finished,
        ))
    }

    /// Adds a finished record; commits the chunk when it is full or old.
    pub fn push(&mut self, entry: Entry) -> anyhow::Result<()> {
        self.oldest.get_or_insert_with(Instant::now);
        self.pending.push(entry);
        if self.pending.len() >= self.size || self.oldest.is_some_and(|t| t.elapsed() >= CHUNK_AGE)
        {
            self.commit()?;
        }
        Ok(())
    }

    /// Writes the pending records as one chunk and journals it.
    pub fn commit(&mut self) -> anyhow::Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let name = format!("chunk-{:06}", self.next_chunk);
        let mut sdf = AtomicFile::create(self.dir.join(format!("{name}.sdf")))?;
        let mut records = Vec::with_capacity(self.pending.len());
        let mut offset = 0usize;
        for entry in &self.pending {
            sdf.write_all(&entry.sdf)?;
            records.push(json!({
                "ordinal": entry.ordinal,
                "sdf": [offset, entry.sdf.len()],
                "summary": entry.summary,
                "failed": entry.failed.as_ref().map(|f| String::from_utf8_lossy(f)),
            }));
            offset += entry.sdf.len();
        }
        sdf.commit()?;
        let mut index = AtomicFile::create(self.dir.join(format!("{name}.json")))?;
        serde_json::to_writer(&mut index, &records)?;
        index.commit()?;
        let ordinals: Vec<String> = self.pending.iter().map(|e| e.ordinal.to_string()).collect();
        writeln!(self.journal, "{name} {}", ordinals.join(" "))?;
        self.journal.sync_all()?;
        self.pending.clear();
        self.oldest = None;
        self.next_chunk += 1;
        Ok(())
    }

    /// Commits what is pending and, when every record of the input was
    /// read, notes how many the run has.
    pub fn finish(mut self, records: Option<usize>) -> anyhow::Result<()> {
        self.commit()?;
        if let Some(n) = records {
            writeln!(self.journal, "records {n}")?;
            self.journal.sync_all()?;
        }
        Ok(())
    }
}

/// A journaled chunk.
struct Chunk {
    number: usize,
    name: String,
    ordinals: Vec<usize>,
}

impl Chunk {
    fn present(&self, dir: &Path) -> bool {
        dir.join(format!("{}.sdf", self.name)).is_file()
            && dir.join(format!("{}.json", self.name)).is_file()
    }
}

/// The journal's chunks, and the number of records in the run if a task
/// read its whole input; a last line cut off by a kill counts for nothing.
fn read_journal(dir: &Path) -> anyhow::Result<(Vec<Chunk>, Option<usize>)> {
    let path = dir.join("journal");
    let text = match fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    let mut chunks = Vec::new();
    let mut complete = None;
    // Only lines ended by a newline were written whole.
    let whole = match text.rfind('\n') {
        Some(end) => &text[..end],
        None => "",
    };
    for line in whole.lines() {
        let mut words = line.split_whitespace();
        match words.next() {
            Some("records") => complete = words.next().and_then(|n| n.parse().ok()),
            Some(name) if name.starts_with("chunk-") => {
                let number = name["chunk-".len()..].parse().unwrap_or(0);
                let ordinals = words.filter_map(|w| w.parse().ok()).collect();
                chunks.push(Chunk {
                    number,
                    name: name.to_string(),
                    ordinals,
                });
            }
            _ => {}
        }
    }
    Ok((chunks, complete))
}

/// What `merge` found in a run directory.
pub struct Merged {
    pub records: usize,
    pub failed: usize,
    /// Records no task finished (0-based run numbers).
    pub missing: Vec<usize>,
    /// Shards of which no task left anything.
    pub absent_shards: Vec<usize>,
    /// Whether some task read the whole input (so `missing` is complete).
    pub total_known: bool,
}

/// Assembles the shards under `root` in input order: every record's SDF
/// to `sdf`, its summary to the returned list, its failed text to
/// `failed`.
pub fn merge(
    root: &Path,
    sdf: &mut impl Write,
    mut failed: Option<&mut dyn Write>,
) -> anyhow::Result<(Merged, Vec<Value>)> {
    let mut shards = Vec::new();
    for entry in fs::read_dir(root).with_context(|| format!("cannot read {}", root.display()))? {
        let path = entry?.path();
        if path.join("manifest.json").is_file() {
            shards.push(path);
        }
    }
    shards.sort();
    if shards.is_empty() {
        bail!(
            "{} holds no shard of a run (no shard-K-of-N/manifest.json)",
            root.display()
        );
    }
    // Every shard must come from the same run.
    let mut runs: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut count = 0;
    let mut seen_shards = HashSet::new();
    for dir in &shards {
        let manifest: Value = serde_json::from_str(&fs::read_to_string(dir.join("manifest.json"))?)
            .with_context(|| format!("{} is not a run manifest", dir.display()))?;
        let key = serde_json::to_string(&json!([manifest["run"], manifest["shard"][1]]))?;
        runs.entry(key)
            .or_default()
            .push(dir.file_name().unwrap_or_default().to_string_lossy().into());
        count = manifest["shard"][1].as_u64().unwrap_or(0) as usize;
        seen_shards.insert(manifest["shard"][0].as_u64().unwrap_or(0) as usize);
    }
    if runs.len() > 1 {
        let groups: Vec<String> = runs.values().map(|dirs| dirs.join(", ")).collect();
        bail!(
            "{} mixes {} runs with different inputs, options or shard counts; \
             merge each separately:\n  {}",
            root.display(),
            runs.len(),
            groups.join("\n  ")
        );
    }
    // Where each record is: (shard directory, chunk name, position).
    let mut place: BTreeMap<usize, (usize, String)> = BTreeMap::new();
    let mut total = None;
    for (s, dir) in shards.iter().enumerate() {
        let (chunks, complete) = read_journal(dir)?;
        total = total.or(complete);
        for chunk in chunks.into_iter().filter(|c| c.present(dir)) {
            for ordinal in &chunk.ordinals {
                place.insert(*ordinal, (s, chunk.name.clone()));
            }
        }
    }
    let mut summaries = Vec::with_capacity(place.len());
    let mut failures = 0;
    let mut index_cache: BTreeMap<(usize, String), BTreeMap<usize, Value>> = BTreeMap::new();
    let mut open: BTreeMap<usize, (String, File)> = BTreeMap::new();
    for (&ordinal, (s, chunk)) in &place {
        let key = (*s, chunk.clone());
        if !index_cache.contains_key(&key) {
            // Chunks are read in turn; an index is dropped once its shard
            // moves on to the next chunk.
            index_cache.retain(|(shard, _), _| shard != s);
            let path = shards[*s].join(format!("{chunk}.json"));
            let records: Vec<Value> = serde_json::from_str(&fs::read_to_string(&path)?)
                .with_context(|| format!("{} is not a chunk index", path.display()))?;
            let by_ordinal = records
                .into_iter()
                .map(|r| (r["ordinal"].as_u64().unwrap_or(u64::MAX) as usize, r))
                .collect();
            index_cache.insert(key.clone(), by_ordinal);
        }
        let Some(record) = index_cache[&key].get(&ordinal) else {
            bail!(
                "{}/{chunk}.json lacks record {}, which the journal places there",
                shards[*s].display(),
                ordinal + 1
            );
        };
        let (offset, length) = (
            record["sdf"][0].as_u64().unwrap_or(0),
            record["sdf"][1].as_u64().unwrap_or(0) as usize,
        );
        if open.get(s).is_none_or(|(name, _)| name != chunk) {
            // One open chunk per shard, within the usual open-file limit.
            if open.len() >= 256 {
                open.clear();
            }
            let path = shards[*s].join(format!("{chunk}.sdf"));
            let file =
                File::open(&path).with_context(|| format!("cannot read {}", path.display()))?;
            open.insert(*s, (chunk.clone(), file));
        }
        let file = &mut open.get_mut(s).expect("opened above").1;
        let mut bytes = vec![0u8; length];
        file.seek(SeekFrom::Start(offset))?;
        file.read_exact(&mut bytes).with_context(|| {
            format!(
                "{}/{chunk}.sdf is shorter than its index",
                shards[*s].display()
            )
        })?;
        sdf.write_all(&bytes)?;
        if let Some(text) = record["failed"].as_str() {
            failures += 1;
            if let Some(out) = failed.as_mut() {
                out.write_all(text.as_bytes())?;
            }
        }
        summaries.push(record["summary"].clone());
    }
    let known = total.unwrap_or_else(|| place.keys().next_back().map_or(0, |&k| k + 1));
    let missing = (0..known).filter(|i| !place.contains_key(i)).collect();
    let absent_shards = (0..count).filter(|k| !seen_shards.contains(k)).collect();
    Ok((
        Merged {
            records: place.len(),
            failed: failures,
            missing,
            absent_shards,
            total_known: total.is_some(),
        },
        summaries,
    ))
}
