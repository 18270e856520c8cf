//! The `pm` command: parse arguments, run the library, print the error, pick the exit code.

use std::process::ExitCode;

use clap::Parser;
use postmortems::cli::Cli;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match postmortems::commands::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            let mut stderr = anstream::stderr();
            let style = anstyle::Style::new()
                .bold()
                .fg_color(Some(anstyle::AnsiColor::Red.into()));
            let _ = std::io::Write::write_fmt(
                &mut stderr,
                format_args!("{style}error:{style:#} {error}\n"),
            );
            ExitCode::from(error.exit_code())
        }
    }
}
