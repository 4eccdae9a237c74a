//! The one y/N confirmation of the commands that change things at a vendor (`apply`, `restore`):
//! without a terminal it refuses (exit 2, nothing sent), on a terminal it shows what will happen
//! and asks.

use std::io::{BufRead, IsTerminal, Write};

use offerkit::{Error, ErrorKind};

/// Shows `summary` and `question` (`... [y/N] `) on stderr and reads the answer from stdin: `y`
/// or `yes` goes ahead. Without a terminal on stdin and stderr it refuses with `no_terminal`
/// (which should name `--yes`), asking nothing.
pub fn confirm(summary: &str, question: &str, no_terminal: String) -> Result<(), Error> {
    if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
        return Err(Error::new(ErrorKind::Input, no_terminal));
    }
    let mut stderr = std::io::stderr().lock();
    let _ = stderr.write_all(format!("{summary}{question} [y/N] ").as_bytes());
    let _ = stderr.flush();
    drop(stderr);
    let mut answer = String::new();
    let _ = std::io::stdin().lock().read_line(&mut answer);
    if answer.trim().eq_ignore_ascii_case("y") || answer.trim().eq_ignore_ascii_case("yes") {
        Ok(())
    } else {
        Err(Error::new(
            ErrorKind::Input,
            "not confirmed; nothing was sent",
        ))
    }
}
