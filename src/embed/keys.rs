//! The names a host page may use in the options it passes to `mount`, and the nearest known name
//! for one it got wrong, so the `TypeError` can say "did you mean …".
//!
//! Owns: the lists of known keys and the matching. Must not: read JavaScript values (`options`
//! does) or decide what a value means.

/// The keys of the options object itself.
pub const OPTION_KEYS: &[&str] = &[
    "view",
    "role",
    "locale",
    "storage",
    "email",
    "allowlist",
    "onChange",
    "onError",
    "testConnection",
];

/// The keys of `storage: { type: "local", prefix }`.
pub const LOCAL_STORAGE_KEYS: &[&str] = &["type", "prefix"];

/// The keys of one group of `allowlist: [{ name, purpose, ranges }]`.
pub const ALLOWLIST_GROUP_KEYS: &[&str] = &["name", "purpose", "ranges"];

/// The keys of `storage: { type: "rest", baseUrl, token, headers, credentials, csrf, timeoutMs }`.
pub const REST_STORAGE_KEYS: &[&str] = &[
    "type",
    "baseUrl",
    "token",
    "headers",
    "credentials",
    "csrf",
    "timeoutMs",
];

/// The keys of `storage: { type: "url", url }`.
pub const URL_STORAGE_KEYS: &[&str] = &["type", "url"];

/// The keys of `csrf: { header, token }`.
pub const CSRF_KEYS: &[&str] = &["header", "token"];

/// The keys of `storage: { type: "memory" }`.
pub const MEMORY_STORAGE_KEYS: &[&str] = &["type"];

/// The first of `found` that is not in `known`, with the known key it most likely meant.
pub fn first_unknown<'a>(
    found: impl IntoIterator<Item = &'a str>,
    known: &[&'static str],
) -> Option<(&'a str, Option<&'static str>)> {
    found
        .into_iter()
        .find(|key| !known.contains(key))
        .map(|key| (key, nearest(key, known)))
}

/// The known key closest to `key`: the same letters in another case or spelling (`on_change`,
/// `OnChange`), or at most a third of its letters away (a typo, two letters swapped).
pub fn nearest(key: &str, known: &[&'static str]) -> Option<&'static str> {
    let folded = fold(key);
    if let Some(same) = known.iter().find(|candidate| fold(candidate) == folded) {
        return Some(same);
    }
    let allowed = (folded.chars().count() / 3).max(1);
    known
        .iter()
        .map(|candidate| (edit_distance(&folded, &fold(candidate)), *candidate))
        .filter(|(distance, _)| *distance <= allowed)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// Lower case without `_` and `-`: `on_change`, `on-change` and `onChange` fold alike.
fn fold(key: &str) -> String {
    key.chars()
        .filter(|c| *c != '_' && *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

/// Edits (insert, delete, replace, swap two neighbours) that turn `a` into `b`: the optimal
/// string alignment distance.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut rows = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = best;
        }
    }
    rows[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_the_key_a_typo_meant() {
        let cases = [
            ("lcoale", Some("locale")),
            ("locle", Some("locale")),
            ("Locale", Some("locale")),
            ("on_change", Some("onChange")),
            ("onchange", Some("onChange")),
            ("onEror", Some("onError")),
            ("testconnection", Some("testConnection")),
            ("views", Some("view")),
            ("rol", Some("role")),
            ("language", None),
            ("x", None),
            ("storageprefix", None),
        ];
        for (typed, meant) in cases {
            assert_eq!(nearest(typed, OPTION_KEYS), meant, "{typed}");
        }
        assert_eq!(nearest("prefx", LOCAL_STORAGE_KEYS), Some("prefix"));
        assert_eq!(nearest("kind", LOCAL_STORAGE_KEYS), None);
    }

    #[test]
    fn finds_the_first_unknown_key() {
        assert_eq!(first_unknown(["view", "role"], OPTION_KEYS), None);
        assert_eq!(
            first_unknown(["view", "lang", "rol"], OPTION_KEYS),
            Some(("lang", None))
        );
        assert_eq!(
            first_unknown(["emial"], OPTION_KEYS),
            Some(("emial", Some("email")))
        );
    }

    #[test]
    fn counts_edits() {
        assert_eq!(edit_distance("", ""), 0);
        assert_eq!(edit_distance("abc", "abc"), 0);
        assert_eq!(edit_distance("abc", "acb"), 1);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
    }
}
