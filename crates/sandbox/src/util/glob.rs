//! Path globs of fault rules.

/// `true` when `text` matches the glob `pattern` (`*` matches any run of characters, `/` included).
pub(crate) fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0usize, 0usize);
    let (mut star, mut mark) = (None::<usize>, 0usize);
    while ti < t.len() {
        if pi < p.len() && p[pi] != '*' && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn glob() {
        assert!(glob_match("/v2/offer/*", "/v2/offer/abc"));
        assert!(glob_match("*", "/x/y"));
        assert!(glob_match(
            "/v1/customers/*/orders/*",
            "/v1/customers/c/orders/o"
        ));
        assert!(!glob_match("/v2/offer/*", "/v2/offers"));
        assert!(glob_match("/v2/offer", "/v2/offer"));
    }
}
