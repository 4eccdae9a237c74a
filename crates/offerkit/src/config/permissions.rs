//! [`ProfilePermissions`]: a profile that holds a secret must be readable by its owner only.

use std::path::Path;

use crate::error::{Error, ErrorKind};

/// What [`crate::Config::from_file_with`] does with a profile that holds a secret (a client
/// secret or a publisher token) and that group or others may read. Checked on Unix only (other
/// systems have no such mode bits; nothing is checked there).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ProfilePermissions {
    /// Read it, with one warning in [`crate::Config::warnings`] naming the file and the fix.
    #[default]
    Warn,
    /// Refuse to read it ([`ErrorKind::Config`]).
    Refuse,
}

/// Why `path` should not hold a secret, or `None` when only its owner can read it (or the
/// system has no Unix modes).
pub(crate) fn exposure(path: &Path) -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // The file read, through any symlink.
        let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o777;
        (mode & 0o044 != 0).then(|| {
            format!(
                "profile {shown} holds a secret and is readable by {who} (mode {mode:03o}); \
                 run `chmod 600 {shown}` so that only you can read it",
                shown = path.display(),
                who = match (mode & 0o040 != 0, mode & 0o004 != 0) {
                    (true, true) => "group and others",
                    (true, false) => "its group",
                    _ => "others",
                },
            )
        })
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// Applies `policy` to `path`'s exposure: `Ok(Some(warning))`, `Ok(None)`, or the refusal.
pub(crate) fn check(path: &Path, policy: ProfilePermissions) -> Result<Option<String>, Error> {
    match (exposure(path), policy) {
        (None, _) => Ok(None),
        (Some(why), ProfilePermissions::Warn) => Ok(Some(why)),
        (Some(why), ProfilePermissions::Refuse) => Err(Error::new(
            ErrorKind::Config,
            format!("refusing to read it: {why}"),
        )),
    }
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn file_with_mode(name: &str, mode: u32) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("offerkit-perm-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join(name);
        std::fs::write(&path, "x").expect("write");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).expect("chmod");
        path
    }

    #[test]
    fn only_owner_readable_files_pass() {
        for (mode, exposed) in [
            (0o600, None),
            (0o400, None),
            (0o700, None),
            (0o620, None),
            (0o640, Some("its group")),
            (0o604, Some("others")),
            (0o644, Some("group and others")),
            (0o666, Some("group and others")),
        ] {
            let path = file_with_mode(&format!("p{mode:o}.toml"), mode);
            let found = exposure(&path);
            match exposed {
                None => assert_eq!(found, None, "{mode:o}"),
                Some(who) => {
                    let text = found.expect("exposed");
                    assert!(text.contains(who), "{mode:o}: {text}");
                    assert!(text.contains(&format!("mode {mode:03o}")), "{text}");
                    assert!(
                        text.contains(&format!("chmod 600 {}", path.display())),
                        "{text}"
                    );
                }
            }
            let refused = check(&path, ProfilePermissions::Refuse);
            assert_eq!(refused.is_err(), exposed.is_some(), "{mode:o}");
            assert_eq!(
                check(&path, ProfilePermissions::Warn)
                    .expect("warn never refuses")
                    .is_some(),
                exposed.is_some()
            );
            let _ = std::fs::remove_file(&path);
        }
    }
}
