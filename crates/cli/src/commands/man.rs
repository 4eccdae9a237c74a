//! `offerkit man [--dir DIR]`: man pages (clap_mangen) of the command tree as `--help` shows it
//! (the global options on the top page only): the top page on stdout, or one page per command
//! (`offerkit.1`, `offerkit-batch.1`, `offerkit-orders-cancel.1`, ...) into DIR.

use std::path::Path;

use offerkit::{Error, ErrorKind};

use crate::args::command;
use crate::exit::Exit;

/// Writes one page per command into `dir` (created if missing); returns the `offerkit*.1` pages
/// `dir` then holds (a page left there by an older offerkit, of a command since removed, included).
pub fn write_pages(dir: &Path) -> Result<Vec<std::path::PathBuf>, Error> {
    let io = |e: std::io::Error| {
        Error::new(
            ErrorKind::Input,
            format!("cannot write man pages into {}: {e}", dir.display()),
        )
    };
    std::fs::create_dir_all(dir).map_err(io)?;
    clap_mangen::generate_to(command(), dir).map_err(io)?;
    let mut pages: Vec<_> = std::fs::read_dir(dir)
        .map_err(io)?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| {
            path.extension().is_some_and(|e| e == "1")
                && path
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("offerkit"))
        })
        .collect();
    pages.sort();
    Ok(pages)
}

/// The top page (`offerkit.1`) as roff.
pub fn top_page() -> Vec<u8> {
    let mut page = Vec::new();
    // Rendering into memory cannot fail.
    let _ = clap_mangen::Man::new(command()).render(&mut page);
    page
}

/// Runs `offerkit man`.
pub fn run(dir: Option<&Path>, json: bool) -> Exit {
    match dir {
        None => {
            let _ = std::io::Write::write_all(&mut std::io::stdout().lock(), &top_page());
            Exit::Success
        }
        Some(dir) => match write_pages(dir) {
            Ok(pages) => {
                if json {
                    crate::print_json(&pages);
                } else {
                    outln!("wrote {} man pages into {}", pages.len(), dir.display());
                }
                Exit::Success
            }
            Err(error) => {
                crate::print_error(&error, json);
                Exit::for_error(&error)
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_top_page_has_its_sections_and_the_global_options() {
        let page = String::from_utf8(top_page()).expect("utf-8");
        assert!(
            page.starts_with(".ie"),
            "roff: {}",
            &page[..40.min(page.len())]
        );
        for section in [".SH NAME", ".SH SYNOPSIS", ".SH OPTIONS", ".SH SUBCOMMANDS"] {
            assert!(page.contains(section), "{section}");
        }
        assert!(page.contains("offerkit \\- Retract"), "NAME line");
        assert!(
            page.contains("timeout\\-secs"),
            "global options on the top page"
        );
    }

    #[test]
    fn one_page_per_command_into_a_directory() {
        let dir = crate::testutil::TempDir::new("man");
        let target = dir.path().join("new/man1");
        let pages = write_pages(&target).expect("pages");
        let names: Vec<String> = pages
            .iter()
            .filter_map(|p| p.file_name())
            .map(|n| n.to_string_lossy().into_owned())
            .collect();
        for name in [
            "offerkit.1",
            "offerkit-batch.1",
            "offerkit-orders-cancel.1",
            "offerkit-man.1",
        ] {
            assert!(names.iter().any(|n| n == name), "{name} in {names:?}");
        }
        let batch = std::fs::read_to_string(target.join("offerkit-batch.1")).expect("read");
        assert!(
            batch.contains(".SH NAME") && batch.contains("offerkit\\-batch"),
            "{batch}"
        );
        assert!(batch.contains("\\-\\-format"), "batch's own options");
        assert!(
            !batch.contains("\\-\\-ingestion\\-url"),
            "globals only on the top page"
        );
    }
}
