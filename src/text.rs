//! Small pieces of wording shared by every message: shell-quoted command
//! lines (a branch or file name from the repository must never turn a
//! printed command into another one) and English counts ("1 member",
//! "2 entries").

/// A word as a POSIX shell reads it back unchanged: as is when it holds only
/// characters no shell treats specially, else in single quotes.
pub fn quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:@%+=,^".contains(c));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// A command line from its words, each quoted as needed.
pub fn command_line<S: AsRef<str>>(words: &[S]) -> String {
    words
        .iter()
        .map(|w| quote(w.as_ref()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A command line whose first words are the tool's own (literal) and whose
/// other words come from the repository or the user (quoted):
/// `command(["git", "push"], [remote, branch])`.
pub fn command<'a>(
    literal: impl IntoIterator<Item = &'a str>,
    words: impl IntoIterator<Item = impl AsRef<str>>,
) -> String {
    let mut out: Vec<String> = literal.into_iter().map(str::to_string).collect();
    out.extend(words.into_iter().map(|w| quote(w.as_ref())));
    out.join(" ")
}

/// "1 member", "2 members", "2 entries", "3 branches".
pub fn count(n: usize, singular: &str) -> String {
    format!("{n} {}", noun(n, singular))
}

/// "1 commit message is", "2 commit messages are": a count and the verb that
/// agrees with it.
pub fn count_with_verb(n: usize, singular: &str, verb_one: &str, verb_many: &str) -> String {
    format!(
        "{} {}",
        count(n, singular),
        if n == 1 { verb_one } else { verb_many }
    )
}

/// The noun alone, in the number `n` asks for: "crate" or "crates".
pub fn noun(n: usize, singular: &str) -> String {
    if n == 1 {
        singular.to_string()
    } else if singular.ends_with("ch") || singular.ends_with('s') || singular.ends_with('x') {
        format!("{singular}es")
    } else if let Some(stem) = singular.strip_suffix('y')
        && !stem.ends_with(['a', 'e', 'o', 'u'])
    {
        format!("{stem}ies")
    } else {
        format!("{singular}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_what_a_shell_would_read_differently() {
        assert_eq!(quote("security-release/stable"), "security-release/stable");
        assert_eq!(quote("st;touch${IFS}PWNED;"), "'st;touch${IFS}PWNED;'");
        assert_eq!(quote("it's"), r"'it'\''s'");
        assert_eq!(quote(""), "''");
        assert_eq!(
            command(["git", "push"], ["origin", "a b"]),
            "git push origin 'a b'"
        );
    }

    #[test]
    fn counts_read_as_english() {
        assert_eq!(count(1, "member"), "1 member");
        assert_eq!(count(2, "member"), "2 members");
        assert_eq!(count(2, "entry"), "2 entries");
        assert_eq!(count(0, "branch"), "0 branches");
        assert_eq!(count(3, "day"), "3 days");
    }
}
