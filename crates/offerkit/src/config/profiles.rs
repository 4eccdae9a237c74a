//! Named profiles: `[profile.NAME]` tables in one TOML file, the default file in the platform's
//! config directory ([`default_profile_file`]), and how a profile is chosen ([`ProfileChoice`]).
//!
//! A file without `[profile.*]` tables is one unnamed profile (the format before named profiles).
//! A file with them holds nothing else at its top level; with no name given its `default`
//! profile is read.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::{Config, ProfilePermissions, permissions};
use crate::error::{Error, ErrorKind};

/// The profile read when none is named.
pub const DEFAULT_PROFILE: &str = "default";

/// Which profile to read.
///
/// ```
/// use std::path::PathBuf;
/// use offerkit::ProfileChoice;
/// assert_eq!(ProfileChoice::parse("prod"), ProfileChoice::Named("prod".into()));
/// assert_eq!(ProfileChoice::parse("team.toml"), ProfileChoice::File(PathBuf::from("team.toml")));
/// assert_eq!(ProfileChoice::parse("./prod"), ProfileChoice::File(PathBuf::from("./prod")));
/// assert_eq!(ProfileChoice::parse(""), ProfileChoice::Default);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProfileChoice {
    /// Nothing named: the default file's one profile or its `[profile.default]`, when the file
    /// exists (a missing default file is no error).
    Default,
    /// `[profile.NAME]` in the default file (which must exist and hold it).
    Named(String),
    /// A file: its one profile, or its `[profile.default]`.
    File(PathBuf),
}

impl ProfileChoice {
    /// A value with a path separator, or ending in `.toml`, is a file; any other is a profile
    /// name; an empty one chooses nothing ([`ProfileChoice::Default`]).
    pub fn parse(value: &str) -> Self {
        let value = value.trim();
        if value.is_empty() {
            ProfileChoice::Default
        } else if value.contains(std::path::is_separator)
            || value.to_ascii_lowercase().ends_with(".toml")
        {
            ProfileChoice::File(PathBuf::from(value))
        } else {
            ProfileChoice::Named(value.to_owned())
        }
    }
}

/// The default profile file: `offerkit/config.toml` in the platform's config directory
/// (`$XDG_CONFIG_HOME` or `~/.config` on Linux, `~/Library/Application Support` on macOS,
/// `%APPDATA%` on Windows); `None` when the system has none (no home directory).
pub fn default_profile_file() -> Option<PathBuf> {
    config_dir().map(|dir| dir.join("offerkit").join("config.toml"))
}

/// The platform's config directory, from the environment as the `dirs` crate reads it (that crate
/// is not used: its `option-ext` dependency is MPL-2.0, outside the workspace's licence
/// allow-list in `xtask/src/licenses.rs`). A relative value is ignored, as XDG asks.
fn config_dir() -> Option<PathBuf> {
    let absolute = |name: &str| {
        std::env::var_os(name)
            .map(PathBuf::from)
            .filter(|path| path.is_absolute())
    };
    if cfg!(windows) {
        absolute("APPDATA")
    } else if cfg!(target_os = "macos") {
        absolute("HOME").map(|home| home.join("Library").join("Application Support"))
    } else {
        absolute("XDG_CONFIG_HOME").or_else(|| absolute("HOME").map(|home| home.join(".config")))
    }
}

/// One profile chosen from a parsed file, and whether any profile of the file holds a secret
/// (the whole file's permissions matter then, whichever profile is read).
pub(super) struct Selected {
    pub(super) config: Config,
    pub(super) file_holds_secret: bool,
}

/// Chooses profile `name` (or the default one) from a parsed file. Every profile is checked, so
/// a mistake in one that is not used today is found today.
pub(super) fn select(mut table: toml::Table, name: Option<&str>) -> Result<Selected, Error> {
    let config_error = |message: String| Error::new(ErrorKind::Config, message);
    let profiles = match table.remove("profile") {
        None => {
            if let Some(name) = name {
                return Err(config_error(format!(
                    "no profile `{name}`: this file has no [profile.NAME] tables (it is one \
                     unnamed profile, read when no profile name is given)"
                )));
            }
            let config = Config::from_profile_table(table)?;
            let file_holds_secret = config.holds_secret();
            return Ok(Selected {
                config,
                file_holds_secret,
            });
        }
        Some(toml::Value::Table(profiles)) => profiles,
        Some(_) => {
            return Err(config_error(
                "`profile` must hold tables, one per profile: [profile.NAME]".to_owned(),
            ));
        }
    };
    if let Some(other) = table.keys().next() {
        return Err(config_error(format!(
            "`{other}` is outside every profile: in a file with [profile.NAME] tables every \
             setting belongs to one (move it into [profile.{DEFAULT_PROFILE}] or another)"
        )));
    }
    let mut parsed = BTreeMap::new();
    for (profile, value) in profiles {
        let toml::Value::Table(body) = value else {
            return Err(config_error(format!(
                "[profile.{profile}] must be a table of settings"
            )));
        };
        let config = Config::from_profile_table(body)
            .map_err(|e| config_error(format!("[profile.{profile}]: {}", e.message())))?;
        parsed.insert(profile, config);
    }
    let file_holds_secret = parsed.values().any(Config::holds_secret);
    let names = parsed.keys().cloned().collect::<Vec<_>>().join(", ");
    let wanted = name.unwrap_or(DEFAULT_PROFILE);
    let config = match (parsed.remove(wanted), name) {
        (Some(config), _) => config,
        (None, None) => {
            let mut config = Config::new();
            config.warnings.push(format!(
                "no profile is used: the profile file has profiles {names} and none named \
                 `{DEFAULT_PROFILE}` (choose one by name: the CLI's --profile NAME or OFFERKIT_PROFILE)"
            ));
            config
        }
        (None, Some(name)) => {
            return Err(config_error(format!(
                "unknown profile `{name}` (profiles: {names})"
            )));
        }
    };
    Ok(Selected {
        config,
        file_holds_secret,
    })
}

impl Config {
    /// Reads profile `name` (or with `None` the file's one profile or its `default` one) of a
    /// TOML file, applying `permissions` when any profile of the file holds a secret and group or
    /// others may read it (Unix only).
    pub fn from_profile_file(
        path: &Path,
        name: Option<&str>,
        permissions: ProfilePermissions,
    ) -> Result<Self, Error> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Error::new(
                ErrorKind::Config,
                format!("cannot read profile {}: {e}", path.display()),
            )
        })?;
        let in_file = |e: Error| {
            Error::new(
                ErrorKind::Config,
                format!("{}: {}", path.display(), e.message()),
            )
        };
        let table: toml::Table = text.parse().map_err(|e| {
            Error::new(
                ErrorKind::Config,
                format!("{}: invalid profile TOML: {e}", path.display()),
            )
        })?;
        let Selected {
            mut config,
            file_holds_secret,
        } = select(table, name).map_err(in_file)?;
        for warning in &mut config.warnings {
            if warning.starts_with("no profile is used") {
                *warning = format!("{}: {warning}", path.display());
            }
        }
        if file_holds_secret && let Some(warning) = permissions::check(path, permissions)? {
            config.warnings.push(warning);
        }
        Ok(config)
    }

    /// Reads the profile `choice` names, with `default_file` as the default profile file
    /// (normally [`default_profile_file`]). A missing default file is no error unless a profile
    /// was named in it.
    ///
    /// ```
    /// use offerkit::{Config, ProfileChoice, ProfilePermissions};
    /// let nowhere = std::env::temp_dir().join("offerkit-doc-no-such-dir/config.toml");
    /// let none = Config::load_profile(&ProfileChoice::Default, Some(&nowhere), ProfilePermissions::Warn).unwrap();
    /// assert_eq!(none, Config::new());
    /// let named = ProfileChoice::Named("prod".into());
    /// let err = Config::load_profile(&named, Some(&nowhere), ProfilePermissions::Warn).unwrap_err();
    /// assert!(err.to_string().contains("does not exist"), "{err}");
    /// ```
    pub fn load_profile(
        choice: &ProfileChoice,
        default_file: Option<&Path>,
        permissions: ProfilePermissions,
    ) -> Result<Self, Error> {
        match choice {
            ProfileChoice::File(path) => Config::from_profile_file(path, None, permissions),
            ProfileChoice::Default => match default_file {
                Some(path) if exists(path) => Config::from_profile_file(path, None, permissions),
                _ => Ok(Config::new()),
            },
            ProfileChoice::Named(name) => {
                let here = if Path::new(name).is_file() {
                    format!(" (`{name}` is also a file here: give it as ./{name} to read it)")
                } else {
                    String::new()
                };
                let Some(path) = default_file else {
                    return Err(Error::new(
                        ErrorKind::Config,
                        format!(
                            "profile `{name}`: this system has no config directory for a \
                             default profile file; give a file path instead{here}"
                        ),
                    ));
                };
                if !exists(path) {
                    return Err(Error::new(
                        ErrorKind::Config,
                        format!(
                            "profile `{name}`: the profile file {} does not exist (create it \
                             with a [profile.{name}] table, or give a file path: a value with a \
                             path separator or ending in .toml){here}",
                            path.display()
                        ),
                    ));
                }
                Config::from_profile_file(path, Some(name), permissions)
            }
        }
    }
}

/// `true` unless `path` is certainly absent (another failure is reported by the read).
fn exists(path: &Path) -> bool {
    !matches!(std::fs::metadata(path), Err(e) if e.kind() == std::io::ErrorKind::NotFound)
}

#[cfg(test)]
mod tests {
    use super::*;
    use offerkit_models::Vendor;

    const TWO: &str = r#"
[profile.default.appcharge]
url = "http://127.0.0.1:1"

[profile.prod]
max-retries = 5
[profile.prod.appcharge]
publisher-token = "prod-publisher-token"
"#;

    fn choose(text: &str, name: Option<&str>) -> Result<Config, Error> {
        Config::from_toml_profile(text, name)
    }

    #[test]
    fn a_file_without_profiles_is_one_profile() {
        let single = "timeout-secs = 3\n[appcharge]\nurl = \"http://127.0.0.1:2\"";
        let err = choose(
            "timeout-secs = 3\n[appcharge]\nurl = \"x\"\n[profile.a]",
            None,
        );
        assert!(err.is_err(), "a mixed file is refused");
        let config = choose(single, None).expect("single");
        assert_eq!(
            config.network.timeout,
            Some(std::time::Duration::from_secs(3))
        );
        let late = choose("[appcharge]\ntimeout-secs = 3", None).expect_err("in a table");
        assert!(late.message().contains("top level"), "{late}");
        assert_eq!(
            config.vendor(Vendor::Appcharge).base_url.as_deref(),
            Some("http://127.0.0.1:2")
        );
        let named = choose(single, Some("prod")).expect_err("no profiles to name");
        assert!(
            named.message().contains("no [profile.NAME] tables"),
            "{named}"
        );
    }

    #[test]
    fn a_name_chooses_and_an_unknown_one_lists_the_names() {
        let prod = choose(TWO, Some("prod")).expect("prod");
        assert_eq!(prod.network.max_retries, Some(5));
        assert_eq!(
            prod.vendor(Vendor::Appcharge).credential("publisher-token"),
            Some("prod-publisher-token")
        );
        assert_eq!(
            prod.vendor(Vendor::Appcharge).base_url,
            None,
            "no inheritance"
        );
        let default = choose(TWO, None).expect("default");
        assert_eq!(
            default.vendor(Vendor::Appcharge).base_url.as_deref(),
            Some("http://127.0.0.1:1")
        );
        let err = choose(TWO, Some("prdo")).expect_err("unknown");
        assert_eq!(err.kind(), ErrorKind::Config);
        assert!(
            err.message()
                .contains("unknown profile `prdo` (profiles: default, prod)"),
            "{err}"
        );
    }

    #[test]
    fn without_a_default_profile_nothing_is_read_with_a_warning() {
        let config = choose("[profile.prod.appcharge]\nurl = \"x\"", None).expect("read");
        assert_eq!(config.vendor(Vendor::Appcharge).base_url, None);
        assert!(
            config.warnings[0].contains("profiles prod"),
            "{:?}",
            config.warnings
        );
    }

    #[test]
    fn every_profile_is_checked_and_errors_name_it() {
        let err = choose(
            "[profile.default]\n[profile.old.orders]\ntenant-idd = \"t\"",
            None,
        )
        .expect_err("typo in an unused profile");
        assert!(
            err.message().starts_with("[profile.old]: ")
                && err.message().contains("did you mean `tenant-id`"),
            "{err}"
        );
        let err = choose("profile = 1", None).expect_err("not a table");
        assert!(err.message().contains("[profile.NAME]"), "{err}");
        let err = choose("[profile]\nprod = 1", None).expect_err("not a table");
        assert!(err.message().contains("[profile.prod]"), "{err}");
    }

    #[test]
    fn choices_from_values() {
        assert_eq!(
            ProfileChoice::parse("PROD.TOML"),
            ProfileChoice::File("PROD.TOML".into())
        );
        assert_eq!(
            ProfileChoice::parse("dir/prod"),
            ProfileChoice::File("dir/prod".into())
        );
        assert_eq!(
            ProfileChoice::parse("prod.yaml"),
            ProfileChoice::Named("prod.yaml".into())
        );
        assert_eq!(ProfileChoice::parse("  "), ProfileChoice::Default);
        let file = default_profile_file();
        if let Some(file) = file {
            assert!(file.ends_with("offerkit/config.toml"), "{}", file.display());
        }
    }

    #[cfg(unix)]
    #[test]
    fn files_a_missing_default_and_a_secret_in_another_profile() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("config.toml");
        let missing = Config::load_profile(
            &ProfileChoice::Default,
            Some(&path),
            ProfilePermissions::Refuse,
        )
        .expect("a missing default file is no error");
        assert_eq!(missing, Config::new());
        let named = ProfileChoice::Named("prod".into());
        let err = Config::load_profile(&named, Some(&path), ProfilePermissions::Warn)
            .expect_err("a named profile needs the file");
        assert!(err.message().contains("[profile.prod]"), "{err}");
        let err = Config::load_profile(&named, None, ProfilePermissions::Warn)
            .expect_err("no config dir");
        assert!(err.message().contains("no config directory"), "{err}");

        std::fs::write(&path, TWO).expect("write");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        // The default profile holds no secret, but the file does (prod's token).
        let warned = Config::load_profile(
            &ProfileChoice::Default,
            Some(&path),
            ProfilePermissions::Warn,
        )
        .expect("warned");
        assert!(
            warned.warnings.iter().any(|w| w.contains("chmod 600")),
            "{:?}",
            warned.warnings
        );
        let refused = Config::load_profile(&named, Some(&path), ProfilePermissions::Refuse)
            .expect_err("refused");
        assert!(refused.message().contains("chmod 600"), "{refused}");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        let prod = Config::load_profile(&named, Some(&path), ProfilePermissions::Refuse)
            .expect("owner-only");
        assert_eq!(prod.network.max_retries, Some(5));
        let err = Config::load_profile(
            &ProfileChoice::Named("nope".into()),
            Some(&path),
            ProfilePermissions::Warn,
        )
        .expect_err("unknown");
        assert!(
            err.message().contains(&path.display().to_string())
                && err.message().contains("profiles: default, prod"),
            "{err}"
        );
    }
}
