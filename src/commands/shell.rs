//! `pm completions` and `pm man`.

use clap::CommandFactory;
use clap_complete::Shell;

use super::{OK, ignore_broken_pipe};
use crate::cli::Cli;
use crate::error::{Error, Result};

/// Prints the completion script for `shell`.
pub fn completions(shell: Shell) -> Result<u8> {
    let mut command = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut command, "pm", &mut out);
    write_stdout(&out)
}

/// Prints the man page of `pm`, or of `pm <subcommand>`.
pub fn man(subcommand: Option<&str>) -> Result<u8> {
    let mut pm = Cli::command();
    // Building propagates global options (`--archive`) and the version into subcommands.
    pm.build();
    let page = match subcommand {
        None => pm,
        Some(name) => {
            let sub = pm.find_subcommand(name).cloned().ok_or_else(|| {
                let names: Vec<&str> = pm.get_subcommands().map(clap::Command::get_name).collect();
                Error::Usage(format!(
                    "`{name}` is not a pm command\n  hint: one of {}",
                    names.join(", ")
                ))
            })?;
            sub.name(format!("pm-{name}"))
                .version(env!("CARGO_PKG_VERSION"))
        }
    };
    let mut out = Vec::new();
    clap_mangen::Man::new(page)
        .render(&mut out)
        .map_err(|e| Error::io("cannot write", "standard output", e))?;
    write_stdout(&out)
}

fn write_stdout(bytes: &[u8]) -> Result<u8> {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(bytes)
        .and_then(|()| stdout.flush())
        .or_else(ignore_broken_pipe)?;
    Ok(OK)
}
