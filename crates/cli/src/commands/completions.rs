//! `offerkit completions SHELL`: the shell's completion script on stdout (clap_complete).

use clap::CommandFactory;
use clap_complete::Shell;

use crate::args::Cli;
use crate::exit::Exit;

/// Writes the completion script of `shell` to `out`. Made from the full command tree, so every
/// global option completes in every position.
pub fn write(shell: Shell, out: &mut dyn std::io::Write) {
    clap_complete::generate(shell, &mut Cli::command(), "offerkit", out);
}

/// Prints the script; a closed stdout loses it without a panic.
pub fn run(shell: Shell) -> Exit {
    let mut script = Vec::new();
    write(shell, &mut script);
    let _ = std::io::Write::write_all(&mut std::io::stdout().lock(), &script);
    Exit::Success
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_script_names_the_subcommands_and_global_options() {
        for shell in [Shell::Bash, Shell::Zsh, Shell::Fish, Shell::PowerShell] {
            let mut script = Vec::new();
            write(shell, &mut script);
            let script = String::from_utf8(script).expect("utf-8");
            for word in [
                "batch",
                "appcharge",
                "cancel-subscription",
                "completions",
                "timeout-secs",
            ] {
                assert!(script.contains(word), "{shell}: no {word}");
            }
        }
    }
}
