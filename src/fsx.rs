//! Writing files safely: never a half-written file, never an overwritten one unless asked.
//!
//! Every write goes to a temporary file in the target's folder first and is then moved into
//! place in one step, so a crash or a full disk leaves either the old file or the new one.

use std::fs::Permissions;
use std::io::{self, Write};
use std::path::Path;

use tempfile::NamedTempFile;

/// Writes `contents` to `path`, which must not exist yet. Fails with
/// [`io::ErrorKind::AlreadyExists`] if it does, even when another process creates it meanwhile.
pub fn write_new(path: &Path, contents: &[u8]) -> io::Result<()> {
    let temp = filled_temp(path, contents, None)?;
    temp.persist_noclobber(path).map_err(|e| e.error)?;
    Ok(())
}

/// Replaces `path` with `contents` in one step (or creates it), keeping its permissions.
pub fn write_replace(path: &Path, contents: &[u8]) -> io::Result<()> {
    let existing = std::fs::metadata(path).ok().map(|m| m.permissions());
    let temp = filled_temp(path, contents, existing)?;
    temp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// A temporary file beside `path` holding `contents`, with `permissions`, or else the mode a
/// newly created file gets (0666 less the umask) rather than the temporary file's private 0600.
fn filled_temp(
    path: &Path,
    contents: &[u8],
    permissions: Option<Permissions>,
) -> io::Result<NamedTempFile> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut builder = tempfile::Builder::new();
    builder.prefix(".pm-").suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(Permissions::from_mode(0o666));
    }
    let mut temp = builder.tempfile_in(dir)?;
    if let Some(permissions) = permissions {
        temp.as_file().set_permissions(permissions)?;
    }
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

    #[cfg(unix)]
    #[test]
    fn new_files_get_ordinary_permissions_and_replaced_ones_keep_theirs() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let new = dir.path().join("new");
        write_new(&new, b"x").unwrap();
        assert_ne!(mode(&new), 0o600, "not the temporary file's private mode");
        assert_eq!(mode(&new) & 0o600, 0o600);
        let kept = dir.path().join("kept");
        fs::write(&kept, b"old").unwrap();
        fs::set_permissions(&kept, fs::Permissions::from_mode(0o640)).unwrap();
        write_replace(&kept, b"new").unwrap();
        assert_eq!(mode(&kept), 0o640);
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
