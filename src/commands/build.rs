//! `pm build`.

use super::{Context, OK, note, note_config_problems, print};
use crate::archive::Archive;
use crate::cli::BuildArgs;
use crate::error::Result;
use crate::site::{self, BuildOptions};

/// Folder the site goes to, inside the archive, without `--out`.
const DEFAULT_OUT: &str = "site";

/// Builds the site and says what was written.
pub fn run(context: &Context, args: &BuildArgs) -> Result<u8> {
    let root = context.root()?;
    let archive = Archive::open(&root)?;
    note_config_problems(&archive.config_diagnostics);
    let left_out = archive.files.len() - archive.documents.len();
    if left_out > 0 {
        note(&format!(
            "note: {left_out} file{} could not be read and {} left out of the site; run `pm check` to see why\n",
            if left_out == 1 { "" } else { "s" },
            if left_out == 1 { "is" } else { "are" },
        ));
    }
    let out = args
        .out
        .as_ref()
        .map_or_else(|| root.join(DEFAULT_OUT), |out| context.cwd.join(out));
    let options = BuildOptions {
        out: out.clone(),
        public: args.public,
        force: args.force,
        today: context.clock(archive.config.timezone).today,
    };
    let report = site::build(&archive, &options)?;
    print(&format!(
        "built {}/ with {} postmortems{}: {} files in {} ms\n",
        context.shown(&out, std::path::Path::new("")).display(),
        report.documents,
        if args.public { " (public edition)" } else { "" },
        report.files,
        report.millis
    ))?;
    Ok(OK)
}
