//! The `pm` command: parse arguments, run the library, print the error, pick the exit code.

use std::process::ExitCode;

use clap::Parser;
use postmortems::cli::Cli;

/// mimalloc rather than the system allocator. glibc grows each thread's heap a page at a
/// time, with an `mprotect` call and a page fault for each: building the site of 50 000
/// postmortems made 310 000 such calls, and took 10.1 s where it takes 8.4 s with mimalloc.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
