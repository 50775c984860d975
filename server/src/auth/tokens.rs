//! [`TokenSet`]: the access tokens of the `--tokens` file (`ROLE NAME TOKEN` per line), and
//! [`TokenRegistry`], the set in force, which SIGHUP replaces.
//!
//! Owns: the file format and its errors (each names its line), hashing tokens (only SHA-256
//! digests are kept in memory), and finding a presented token in constant time.
//! Must not: log, display or store a token, or a line of the file (a line holds one).

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// A token shorter than this is refused: it could be guessed.
pub const MIN_TOKEN_CHARS: usize = 16;

/// What a caller may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Reads and changes settings.
    Admin,
    /// Reads settings and looks addresses up.
    ReadOnly,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::ReadOnly => "read-only",
        }
    }

    fn parse(text: &str) -> Option<Role> {
        match text {
            "admin" => Some(Role::Admin),
            "read-only" => Some(Role::ReadOnly),
            _ => None,
        }
    }
}

/// SHA-256 of a token.
pub type TokenDigest = [u8; 32];

pub fn digest(token: &str) -> TokenDigest {
    Sha256::digest(token.as_bytes()).into()
}

/// One line of the tokens file, without the token itself.
#[derive(Clone)]
pub struct AccessToken {
    pub role: Role,
    /// Who holds the token; written to the audit log.
    pub name: String,
    pub digest: TokenDigest,
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessToken")
            .field("role", &self.role)
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// Why a tokens file was refused. Messages name the file and line, never a token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenFileError {
    #[error(
        "The tokens file {path} could not be read ({reason}). Create it with one line per token: ROLE NAME TOKEN, such as `admin alice <64 random hex digits>`."
    )]
    Unreadable { path: String, reason: String },
    #[error(
        "Line {line} of the tokens file should be ROLE NAME TOKEN (three words separated by spaces); it has {found} word(s)."
    )]
    WrongFieldCount { line: usize, found: usize },
    #[error("Line {line} of the tokens file has the role \"{role}\"; write admin or read-only.")]
    UnknownRole { line: usize, role: String },
    #[error(
        "Line {line} of the tokens file has a token of fewer than {MIN_TOKEN_CHARS} characters; use a long random one, such as the output of `openssl rand -hex 32`."
    )]
    TokenTooShort { line: usize },
    #[error(
        "Line {line} of the tokens file has a sha256: token that is not 64 hexadecimal digits; write sha256: followed by the token's SHA-256 digest in hex."
    )]
    BadDigest { line: usize },
    #[error(
        "Line {line} of the tokens file repeats the token of line {first}; give every holder a token of their own."
    )]
    DuplicateToken { line: usize, first: usize },
    #[error(
        "The tokens file {path} has no tokens, so nobody could sign in. Add a line ROLE NAME TOKEN."
    )]
    Empty { path: String },
}

/// Line `line` of the file (not blank, not a comment), given the tokens of the lines before.
fn parse_line(
    line: usize,
    content: &str,
    earlier: &[(usize, AccessToken)],
) -> Result<AccessToken, TokenFileError> {
    let words: Vec<&str> = content.split_whitespace().collect();
    let [role, name, token] = words[..] else {
        return Err(TokenFileError::WrongFieldCount {
            line,
            found: words.len(),
        });
    };
    let role = Role::parse(role).ok_or_else(|| TokenFileError::UnknownRole {
        line,
        role: role.to_owned(),
    })?;
    let digest = match token.strip_prefix("sha256:") {
        Some(hex_digest) => parse_digest(hex_digest).ok_or(TokenFileError::BadDigest { line })?,
        None if token.chars().count() < MIN_TOKEN_CHARS => {
            return Err(TokenFileError::TokenTooShort { line });
        }
        None => digest(token),
    };
    if let Some((first, _)) = earlier.iter().find(|(_, known)| known.digest == digest) {
        return Err(TokenFileError::DuplicateToken {
            line,
            first: *first,
        });
    }
    Ok(AccessToken {
        role,
        name: name.to_owned(),
        digest,
    })
}

/// The tokens in force.
#[derive(Debug, Clone, Default)]
pub struct TokenSet {
    tokens: Vec<AccessToken>,
}

/// Every mistake of a tokens file (each bad line), one sentence each; never empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenFileErrors(pub Vec<TokenFileError>);

impl fmt::Display for TokenFileErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, mistake) in self.0.iter().enumerate() {
            if index > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{mistake}")?;
        }
        Ok(())
    }
}

impl std::error::Error for TokenFileErrors {}

impl From<TokenFileError> for TokenFileErrors {
    fn from(mistake: TokenFileError) -> TokenFileErrors {
        TokenFileErrors(vec![mistake])
    }
}

impl TokenSet {
    /// Reads and checks the tokens file.
    pub fn load(path: &Path) -> Result<TokenSet, TokenFileErrors> {
        let text = std::fs::read_to_string(path).map_err(|error| TokenFileError::Unreadable {
            path: path.display().to_string(),
            reason: error.to_string(),
        })?;
        let set = TokenSet::parse(&text)?;
        if set.tokens.is_empty() {
            return Err(TokenFileError::Empty {
                path: path.display().to_string(),
            }
            .into());
        }
        Ok(set)
    }

    /// Reads the file's text: `ROLE NAME TOKEN` lines, `#` comments and blank lines; a token
    /// may be given as `sha256:HEX` so the file need not hold it. Every bad line is a mistake.
    pub fn parse(text: &str) -> Result<TokenSet, TokenFileErrors> {
        let mut tokens: Vec<(usize, AccessToken)> = Vec::new();
        let mut mistakes = Vec::new();
        for (index, raw_line) in text.lines().enumerate() {
            let line = index + 1;
            let content = raw_line.trim();
            if content.is_empty() || content.starts_with('#') {
                continue;
            }
            match parse_line(line, content, &tokens) {
                Ok(token) => tokens.push((line, token)),
                Err(mistake) => mistakes.push(mistake),
            }
        }
        if !mistakes.is_empty() {
            return Err(TokenFileErrors(mistakes));
        }
        Ok(TokenSet {
            tokens: tokens.into_iter().map(|(_, token)| token).collect(),
        })
    }

    /// The holder of a presented token.
    pub fn find(&self, presented: &str) -> Option<&AccessToken> {
        self.find_digest(&digest(presented))
    }

    /// The holder of a token by its digest. Every entry is compared in constant time, and all
    /// are compared, so timing tells nothing about how close a guess came.
    pub fn find_digest(&self, wanted: &TokenDigest) -> Option<&AccessToken> {
        let mut found = None;
        for token in &self.tokens {
            if bool::from(token.digest.ct_eq(wanted)) {
                found = Some(token);
            }
        }
        found
    }

    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    pub fn has_admin(&self) -> bool {
        self.tokens.iter().any(|token| token.role == Role::Admin)
    }
}

fn parse_digest(text: &str) -> Option<TokenDigest> {
    let bytes = hex::decode(text).ok()?;
    bytes.try_into().ok()
}

/// The token set in force, shared by every request, replaced as a whole on reload.
#[derive(Debug, Clone)]
pub struct TokenRegistry {
    path: PathBuf,
    current: Arc<RwLock<Arc<TokenSet>>>,
}

impl TokenRegistry {
    pub fn new(path: PathBuf, set: TokenSet) -> TokenRegistry {
        TokenRegistry {
            path,
            current: Arc::new(RwLock::new(Arc::new(set))),
        }
    }

    /// The set in force (a reload does not change a set already handed out).
    pub fn current(&self) -> Arc<TokenSet> {
        match self.current.read() {
            Ok(guard) => Arc::clone(&guard),
            // A panic while swapping cannot leave a half-written Arc; keep serving.
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// Reads the file again; keeps the old set if the new file is bad and says why.
    pub fn reload(&self) -> Result<usize, TokenFileErrors> {
        let set = TokenSet::load(&self.path)?;
        if !set.has_admin() {
            tracing::warn!(
                "the reloaded tokens file has no admin token: nobody can change settings"
            );
        }
        let count = set.len();
        let fresh = Arc::new(set);
        match self.current.write() {
            Ok(mut guard) => *guard = fresh,
            Err(poisoned) => *poisoned.into_inner() = fresh,
        }
        Ok(count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALICE: &str = "0123456789abcdef0123";

    #[test]
    fn reads_roles_names_comments_and_digests() {
        let bob_digest = hex::encode(digest("bob-token-is-long-enough"));
        let text =
            format!("# team\n\nadmin alice {ALICE}\n  read-only bob sha256:{bob_digest}  \n");
        let set = TokenSet::parse(&text).unwrap();
        assert_eq!(set.len(), 2);
        let alice = set.find(ALICE).unwrap();
        assert_eq!((alice.role, alice.name.as_str()), (Role::Admin, "alice"));
        let bob = set.find("bob-token-is-long-enough").unwrap();
        assert_eq!((bob.role, bob.name.as_str()), (Role::ReadOnly, "bob"));
        assert!(set.find("nobody-has-this-token").is_none());
        assert!(set.has_admin());
    }

    #[test]
    fn every_bad_line_is_a_mistake() {
        let text = "admin alice\nadmin bob 0123456789abcdef0123\nroot carol 0123456789abcdef4567\n";
        let errors = TokenSet::parse(text).unwrap_err();
        assert_eq!(
            errors.0,
            [
                TokenFileError::WrongFieldCount { line: 1, found: 2 },
                TokenFileError::UnknownRole {
                    line: 3,
                    role: "root".into(),
                },
            ]
        );
    }

    #[test]
    fn bad_lines_are_named_without_the_token() {
        let cases = [
            (
                "admin alice",
                TokenFileError::WrongFieldCount { line: 1, found: 2 },
            ),
            (
                "root alice 0123456789abcdef0123",
                TokenFileError::UnknownRole {
                    line: 1,
                    role: "root".into(),
                },
            ),
            (
                "\nadmin alice short",
                TokenFileError::TokenTooShort { line: 2 },
            ),
            (
                "admin alice sha256:abc",
                TokenFileError::BadDigest { line: 1 },
            ),
            (
                "admin a 0123456789abcdef0123\nadmin b 0123456789abcdef0123",
                TokenFileError::DuplicateToken { line: 2, first: 1 },
            ),
        ];
        for (text, expected) in cases {
            let error = TokenSet::parse(text).unwrap_err();
            assert_eq!(error, TokenFileErrors(vec![expected]), "{text}");
            assert!(!error.to_string().contains("0123456789abcdef"), "{error}");
        }
    }
}
