//! What the index holds: every file it has seen, with size, modification time and a hash of
//! its content, kept in a file beside the index that the commit payload names, so that it
//! changes exactly when the index does.
//!
//! `pm search` compares it with the files on disk: a file whose size and time are unchanged
//! is not read at all; one whose content hash changed is indexed again.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::schema::SCHEMA_VERSION;
use crate::archive::Stamp;
use crate::fsx;
use crate::hash::{Fnv, content_hash};

/// One file as the index last saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seen {
    /// Size in bytes.
    pub size: u64,
    /// Modification time, nanoseconds since the epoch.
    pub modified: u128,
    /// Hash of the content.
    pub hash: u64,
}

/// Every file the index holds, by path relative to the archive root (with `/` separators:
/// plain strings compare much faster than paths, which matters at 10 000 files). In path
/// order, as the walk lists files, so that the two are compared in one pass.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Manifest {
    /// The files.
    pub files: BTreeMap<String, Seen>,
    /// The settings of `pm.yaml` the documents were indexed with (`timezone=…`).
    pub settings: String,
}

/// What changed on disk since the manifest was written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    /// Files to (re)index, with their size and time as listed. Their content is hashed as
    /// they are indexed ([`Manifest::apply`]), so that a new file is read once.
    pub updated: Vec<(PathBuf, Stamp)>,
    /// Files whose content is the same but whose size or time moved.
    pub touched: Vec<(PathBuf, Seen)>,
    /// Files gone from disk.
    pub removed: Vec<PathBuf>,
}

impl Changes {
    /// Whether the index must be written.
    pub fn is_empty(&self) -> bool {
        self.updated.is_empty() && self.touched.is_empty() && self.removed.is_empty()
    }
}

const HEADER: &str = "pm-index";
/// Manifest files in the index folder: this prefix and the fingerprint.
const FILE_PREFIX: &str = "pm-manifest-";

impl Manifest {
    /// The commit payload naming this manifest: the schema version, the fingerprint and the
    /// settings.
    /// The list of files itself is a file beside the index ([`Manifest::save`]): in the
    /// payload it would be parsed twice from `meta.json` on every search.
    pub fn payload(&self) -> String {
        format!(
            "{HEADER} v{SCHEMA_VERSION}\nfingerprint {:016x}\nsettings {}\n",
            self.fingerprint(),
            self.settings
        )
    }

    /// Whether `payload` was written by this version of the schema.
    pub fn is_current(payload: &str) -> bool {
        payload.lines().next() == Some(&format!("{HEADER} v{SCHEMA_VERSION}"))
    }

    /// Loads the manifest `payload` names from the index folder `dir`; `None` when the
    /// payload is of another version or the file is missing or damaged.
    pub fn load(dir: &Path, payload: &str) -> Option<Manifest> {
        if !Self::is_current(payload) {
            return None;
        }
        let fingerprint = payload.lines().nth(1)?;
        let text = fs::read_to_string(dir.join(file_name(fingerprint))).ok()?;
        let mut lines = text.lines();
        if lines.next()? != fingerprint {
            return None;
        }
        // Written in path order: collecting builds the map without a search per file.
        let mut files = Vec::with_capacity(text.len() / 64);
        for line in lines {
            let mut parts = line.splitn(4, '\t');
            let size = parts.next()?.parse().ok()?;
            let modified = parts.next()?.parse().ok()?;
            let hash = u64::from_str_radix(parts.next()?, 16).ok()?;
            files.push((
                parts.next()?.to_owned(),
                Seen {
                    size,
                    modified,
                    hash,
                },
            ));
        }
        let files = files.into_iter().collect();
        let settings = payload
            .lines()
            .nth(2)?
            .strip_prefix("settings ")?
            .to_owned();
        Some(Manifest { files, settings })
    }

    /// Writes the manifest into the index folder `dir`, atomically, under a name of its
    /// own, and returns the payload that names it. Call it holding the writer lock, before
    /// the commit; then [`remove_others`].
    pub fn save(&self, dir: &Path) -> io::Result<String> {
        let payload = self.payload();
        let fingerprint = payload.lines().nth(1).unwrap_or_default();
        let mut text = format!("{fingerprint}\n");
        for (path, seen) in &self.files {
            let _ = writeln!(
                text,
                "{}\t{}\t{:016x}\t{}",
                seen.size, seen.modified, seen.hash, path
            );
        }
        fsx::write_replace(&dir.join(file_name(fingerprint)), text.as_bytes())?;
        Ok(payload)
    }

    /// One hash over every path and content hash: equal fingerprints, equal corpora.
    pub fn fingerprint(&self) -> u64 {
        let mut hash = Fnv::default();
        for (path, seen) in &self.files {
            hash.write(path.as_bytes());
            hash.write(&seen.hash.to_le_bytes());
        }
        hash.0
    }

    /// Compares the manifest with the files a walk found, reading only files whose size or
    /// modification time changed.
    pub fn changes(&self, root: &Path, files: &[PathBuf], stamps: &[Stamp]) -> Changes {
        let mut on_disk: Vec<(Cow<'_, str>, &PathBuf, &Stamp)> = files
            .iter()
            .zip(stamps)
            .map(|(file, stamp)| (key(file), file, stamp))
            .collect();
        // The walk lists files in byte order of their paths, which is the order of their
        // keys unless a path needed converting.
        if !on_disk.is_sorted_by(|a, b| a.0 <= b.0) {
            on_disk.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        }
        let mut changes = Changes::default();
        let mut known = self.files.iter().peekable();
        for (path, file, stamp) in on_disk {
            while let Some((gone, _)) = known.next_if(|(k, _)| k.as_str() < path.as_ref()) {
                changes.removed.push(PathBuf::from(gone));
            }
            let seen = known
                .next_if(|(k, _)| k.as_str() == path.as_ref())
                .map(|(_, seen)| seen);
            let Some(seen) = seen else {
                changes.updated.push((file.clone(), *stamp));
                continue;
            };
            if seen.size == stamp.size && seen.modified == stamp.modified {
                continue;
            }
            let Ok(bytes) = fs::read(root.join(file)) else {
                continue;
            };
            let now = Seen {
                hash: content_hash(&bytes),
                size: bytes.len() as u64,
                modified: stamp.modified,
            };
            if seen.hash == now.hash {
                changes.touched.push((file.clone(), now));
            } else {
                changes.updated.push((file.clone(), *stamp));
            }
        }
        changes
            .removed
            .extend(known.map(|(gone, _)| PathBuf::from(gone)));
        changes
    }

    /// The manifest after `changes`, whose updated files were read with the content hashes
    /// `hashes` (in the same order; `None` for a file that could not be read, which is then
    /// looked at again next time).
    pub fn apply(&mut self, changes: &Changes, hashes: &[Option<u64>]) {
        for ((path, stamp), hash) in changes.updated.iter().zip(hashes) {
            let path = key(path);
            match hash {
                Some(hash) => {
                    let seen = Seen {
                        size: stamp.size,
                        modified: stamp.modified,
                        hash: *hash,
                    };
                    self.files.insert(path.into_owned(), seen);
                }
                None => {
                    self.files.remove(path.as_ref());
                }
            }
        }
        for (path, seen) in &changes.touched {
            self.files.insert(key(path).into_owned(), *seen);
        }
        for path in &changes.removed {
            self.files.remove(key(path).as_ref());
        }
    }
}

/// The file of the manifest with this fingerprint line.
fn file_name(fingerprint: &str) -> String {
    let hex = fingerprint
        .strip_prefix("fingerprint ")
        .unwrap_or(fingerprint);
    format!("{FILE_PREFIX}{hex}")
}

/// Removes the manifests of earlier commits from `dir`, keeping the one `payload` names.
/// Best effort: a leftover file only takes space.
pub fn remove_others(dir: &Path, payload: &str) {
    let keep = file_name(payload.lines().nth(1).unwrap_or_default());
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with(FILE_PREFIX) && name != keep.as_str() {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// A path as the manifest keys it; borrowed in the usual case, which matters at 10 000 files.
pub fn key(path: &Path) -> Cow<'_, str> {
    match path.to_str() {
        Some(text) if !text.contains('\\') => Cow::Borrowed(text),
        _ => Cow::Owned(path.to_string_lossy().replace('\\', "/")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_manifest_round_trips_through_its_file_and_payload() {
        let dir = tempfile::tempdir().unwrap();
        let mut manifest = Manifest::default();
        manifest.files.insert(
            "postmortems/2026/a b.md".to_owned(),
            Seen {
                size: 10,
                modified: 1_700_000_000_123_456_789,
                hash: 0xdead_beef,
            },
        );
        let payload = manifest.save(dir.path()).unwrap();
        assert_eq!(Manifest::load(dir.path(), &payload), Some(manifest.clone()));
        assert_eq!(
            Manifest::load(dir.path(), "pm-index v0\nfingerprint 0\n"),
            None
        );
        assert_eq!(Manifest::load(dir.path(), "garbage"), None);

        let older = payload.clone();
        manifest.files.clear();
        let payload = manifest.save(dir.path()).unwrap();
        assert_ne!(older, payload);
        remove_others(dir.path(), &payload);
        assert_eq!(
            Manifest::load(dir.path(), &older),
            None,
            "earlier manifests are removed"
        );
        assert_eq!(Manifest::load(dir.path(), &payload), Some(manifest));
    }

    #[test]
    fn finds_added_changed_touched_and_removed_files() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str| fs::write(dir.path().join(name), text).unwrap();
        write("a.md", "one");
        write("b.md", "two");
        let walk = |manifest: &Manifest| {
            let walk = crate::archive::markdown_files(dir.path(), dir.path());
            manifest.changes(dir.path(), &walk.files, &walk.stamps)
        };
        // What indexing the updated files would read.
        let hashes = |changes: &Changes| -> Vec<Option<u64>> {
            changes
                .updated
                .iter()
                .map(|(p, _)| fs::read(dir.path().join(p)).ok().map(|b| content_hash(&b)))
                .collect()
        };
        let mut manifest = Manifest::default();
        let changes = walk(&manifest);
        assert_eq!(changes.updated.len(), 2);
        manifest.apply(&changes, &hashes(&changes));
        assert!(walk(&manifest).is_empty());

        write("a.md", "ONE");
        fs::remove_file(dir.path().join("b.md")).unwrap();
        // Same size: only a changed time can reveal the edit; force it to differ.
        manifest.files.get_mut("a.md").unwrap().modified = 1;
        let changes = walk(&manifest);
        assert_eq!(
            changes
                .updated
                .iter()
                .map(|(p, _)| p.clone())
                .collect::<Vec<_>>(),
            [PathBuf::from("a.md")]
        );
        assert_eq!(changes.removed, [PathBuf::from("b.md")]);

        manifest.apply(&changes, &hashes(&changes));
        manifest.files.get_mut("a.md").unwrap().modified = 2;
        let changes = walk(&manifest);
        assert_eq!(
            changes.touched.len(),
            1,
            "same content, new time: no re-indexing"
        );
        assert!(changes.updated.is_empty());
    }
}
