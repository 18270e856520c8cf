//! Writing files safely: never a half-written file, never an overwritten one unless asked.
//!
//! Every write goes to a temporary file in the target's folder first and is then moved into
//! place in one step, so a crash or a full disk leaves either the old file or the new one.

use std::io::{self, Write};
use std::path::Path;

use tempfile::NamedTempFile;

/// Writes `contents` to `path`, which must not exist yet. Fails with
/// [`io::ErrorKind::AlreadyExists`] if it does, even when another process creates it meanwhile.
pub fn write_new(path: &Path, contents: &[u8]) -> io::Result<()> {
    let temp = filled_temp(path, contents)?;
    temp.persist_noclobber(path).map_err(|e| e.error)?;
    Ok(())
}

/// Replaces `path` with `contents` in one step (or creates it).
pub fn write_replace(path: &Path, contents: &[u8]) -> io::Result<()> {
    let temp = filled_temp(path, contents)?;
    temp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

fn filled_temp(path: &Path, contents: &[u8]) -> io::Result<NamedTempFile> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut temp = tempfile::Builder::new()
        .prefix(".pm-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    temp.write_all(contents)?;
    temp.as_file().sync_all()?;
    Ok(temp)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn write_new_never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.md");
        write_new(&path, b"first").unwrap();
        let err = write_new(&path, b"second").unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(fs::read(&path).unwrap(), b"first");
        let leftovers = fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(leftovers, 1, "the temporary file is cleaned up");
    }

    #[test]
    fn write_replace_swaps_contents() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a");
        write_replace(&path, b"one").unwrap();
        write_replace(&path, b"two").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
    }
}
