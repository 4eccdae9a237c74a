//! Keys of the previous configuration scheme, still read for one release with a warning: a
//! setting that used to work must neither stop every command nor be silently dropped.

use offerkit_models::Vendor;

use super::KeyScope;
use super::keys::kebab;

/// The Appcharge sandbox, the old `environment = "sandbox"`.
const APPCHARGE_SANDBOX_URL: &str = "https://api-sandbox.appcharge.com";

/// What a retired key becomes: the current key and value to set (if any), and the warning.
pub(crate) fn translate(
    scope: KeyScope,
    key: &str,
    value: &str,
) -> Option<(Option<(String, String)>, String)> {
    let KeyScope::Vendor(vendor) = scope else {
        return None;
    };
    let key = kebab(key);
    let table = vendor.profile_table();
    let now = |new: &str, value: String| {
        let warning = format!(
            "`{key}` ({}) is deprecated and will be removed: set `{new}` ({}) instead",
            vendor.env_key(&super::keys::screaming(&key)),
            vendor.env_key(&super::keys::screaming(new))
        );
        Some((Some((new.to_owned(), value)), warning))
    };
    match (vendor, key.as_str()) {
        (_, "base-url") => now("url", value.to_owned()),
        (Vendor::PartnerCenterIngestion | Vendor::PartnerCenterOrders, "token-url") => {
            now("authority", authority_from_token_url(value))
        }
        (Vendor::AdobeOffers, "token-url") => now("ims-url", ims_url_from_token_url(value)),
        (Vendor::Appcharge, "environment") if value.trim().eq_ignore_ascii_case("sandbox") => {
            now("url", APPCHARGE_SANDBOX_URL.to_owned())
        }
        (Vendor::Appcharge, "environment") if value.trim().eq_ignore_ascii_case("production") => {
            Some((
                None,
                format!(
                    "[{table}] environment is deprecated and ignored (production is the default)"
                ),
            ))
        }
        (Vendor::AdobeOffers, "api-key") => Some((
            None,
            format!(
                "[{table}] api-key is deprecated and ignored: the client id is sent as x-api-key"
            ),
        )),
        _ => None,
    }
}

/// The Azure AD authority of a token URL: everything before `/{tenant}/oauth2/...` (or before
/// `/oauth2/` when the URL has no tenant segment); a URL without `/oauth2/` is the authority.
///
/// ```
/// # use offerkit::authority_from_token_url as authority_of;
/// assert_eq!(authority_of("https://login.microsoftonline.com/{tenant}/oauth2/token"), "https://login.microsoftonline.com");
/// assert_eq!(authority_of("http://127.0.0.1:9/t1/oauth2/v2.0/token"), "http://127.0.0.1:9");
/// assert_eq!(authority_of("http://127.0.0.1:9/"), "http://127.0.0.1:9");
/// ```
pub fn authority_from_token_url(token_url: &str) -> String {
    let url = token_url.trim().trim_end_matches('/');
    let Some(i) = url.find("/oauth2/") else {
        return url.to_owned();
    };
    let before = &url[..i];
    match before.rfind('/') {
        Some(j) if before[..j].contains("://") && !before[..j].ends_with('/') => {
            before[..j].to_owned()
        }
        _ => before.to_owned(),
    }
}

/// The IMS base of an IMS token URL (`https://ims-na1.adobelogin.com/ims/token/v3`).
pub fn ims_url_from_token_url(token_url: &str) -> String {
    let url = token_url.trim().trim_end_matches('/');
    url.split("/ims/").next().unwrap_or(url).to_owned()
}
