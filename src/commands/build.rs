//! `pm build`.

use super::{Context, OK, note, note_config_problems, plural, print};
use crate::archive::Archive;
use crate::cli::BuildArgs;
use crate::error::Result;
use crate::site::{self, BuildOptions, Progress};

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
            plural(left_out),
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
        base_url: args
            .base_url
            .clone()
            .or_else(|| archive.config.base_url.clone()),
    };
    let report = site::build(&archive, &options, &|p: Progress| {
        note(&format!("rendered {} of {} pages\n", p.done, p.total));
    })?;
    print(&format!(
        "built {}/ with {} postmortem{}{}: {} files in {} ms{}\n",
        out.strip_prefix(&context.cwd).unwrap_or(&out).display(),
        report.documents,
        plural(report.documents),
        if args.public { " (public edition)" } else { "" },
        report.files,
        report.millis,
        match report.kept {
            0 => String::new(),
            1 => ", 1 unchanged file kept".to_owned(),
            kept => format!(", {kept} unchanged files kept"),
        }
    ))?;
    if args.public && !report.sitemap {
        note(
            "note: no sitemap.xml without a base URL; give --base-url or set base_url in pm.yaml\n",
        );
    }
    // The process ends next, and the system takes its memory back at once: freeing the
    // archive's strings one by one took 67 ms at 10 000 postmortems, half a second at 50 000.
    std::mem::forget(archive);
    Ok(OK)
}
