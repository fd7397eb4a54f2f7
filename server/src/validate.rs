//! Input checks shared by the handlers. Each returns a message that names
//! the field and what is wrong with it.

use tern_protocol::limits;

use crate::error::AppError;

type V<T = ()> = Result<T, AppError>;

fn chars(s: &str) -> usize {
    s.chars().count()
}

/// Trims, checks the length and refuses control characters.
pub fn text(field: &str, value: &str, min: usize, max: usize) -> V<String> {
    let v = value.trim();
    let n = chars(v);
    if n < min {
        return Err(AppError::invalid(if min <= 1 {
            format!("{field} must not be empty")
        } else {
            format!("{field} must be at least {min} characters")
        }));
    }
    if n > max {
        return Err(AppError::invalid(format!(
            "{field} is too long ({n} characters; at most {max})"
        )));
    }
    if v.chars().any(char::is_control) {
        return Err(AppError::invalid(format!(
            "{field} must not contain control characters"
        )));
    }
    Ok(v.to_owned())
}

pub fn username(value: &str) -> V<String> {
    let v = value.trim().to_lowercase();
    let n = chars(&v);
    if !(limits::USERNAME_MIN..=limits::USERNAME_MAX).contains(&n) {
        return Err(AppError::invalid(format!(
            "username must be {} to {} characters",
            limits::USERNAME_MIN,
            limits::USERNAME_MAX
        )));
    }
    let ok_char = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || "_.-".contains(c);
    if !v.chars().all(ok_char) || !v.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return Err(AppError::invalid(
            "username may hold only a-z, 0-9, '_', '.', '-' and must start with a letter or digit",
        ));
    }
    Ok(v)
}

/// Lowercases and checks the shape `local@domain.tld`.
pub fn email(value: &str) -> V<String> {
    let v = value.trim().to_lowercase();
    if v.len() > limits::EMAIL_MAX {
        return Err(AppError::invalid(format!(
            "email is too long (at most {} bytes)",
            limits::EMAIL_MAX
        )));
    }
    let valid = match v.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
                && !v.chars().any(|c| c.is_whitespace() || c.is_control())
        }
        None => false,
    };
    if !valid {
        return Err(AppError::invalid(format!(
            "email {v:?} is not a valid address"
        )));
    }
    Ok(v)
}

pub fn password(value: &str) -> V {
    let n = chars(value);
    if n < limits::PASSWORD_MIN {
        return Err(AppError::invalid(format!(
            "password must be at least {} characters",
            limits::PASSWORD_MIN
        )));
    }
    if n > limits::PASSWORD_MAX {
        return Err(AppError::invalid(format!(
            "password is too long (at most {} characters)",
            limits::PASSWORD_MAX
        )));
    }
    Ok(())
}

pub fn slug(value: &str) -> V<String> {
    let v = value.trim().to_lowercase();
    let n = v.len();
    if !(limits::SLUG_MIN..=limits::SLUG_MAX).contains(&n)
        || !v
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        || v.starts_with('-')
        || v.ends_with('-')
    {
        return Err(AppError::invalid(format!(
            "slug must be {} to {} of a-z, 0-9 and '-', not starting or ending with '-'",
            limits::SLUG_MIN,
            limits::SLUG_MAX
        )));
    }
    Ok(v)
}

pub fn settings(value: &serde_json::Value) -> V {
    if !value.is_object() {
        return Err(AppError::invalid("settings must be a JSON object"));
    }
    let size = value.to_string().len();
    if size > limits::SETTINGS_MAX_BYTES {
        return Err(AppError::invalid(format!(
            "settings are too large ({size} bytes; at most {})",
            limits::SETTINGS_MAX_BYTES
        )));
    }
    Ok(())
}

/// Message bodies keep their inner white space; only the length and NUL
/// bytes are checked.
pub fn body(value: &str, allow_empty: bool) -> V {
    let n = chars(value);
    if n > limits::BODY_MAX_CHARS {
        return Err(AppError::invalid(format!(
            "body is too long ({n} characters; at most {})",
            limits::BODY_MAX_CHARS
        )));
    }
    if !allow_empty && value.trim().is_empty() {
        return Err(AppError::invalid("body must not be empty"));
    }
    if value.contains('\0') {
        return Err(AppError::invalid("body must not contain NUL characters"));
    }
    Ok(())
}

pub fn txn_id(value: &str) -> V {
    if value.is_empty()
        || value.len() > limits::TXN_ID_MAX
        || !value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._~-".contains(c))
    {
        return Err(AppError::invalid(format!(
            "txn id must be 1 to {} of A-Z, a-z, 0-9, '.', '_', '~', '-'",
            limits::TXN_ID_MAX
        )));
    }
    Ok(())
}

pub fn emoji(value: &str) -> V {
    if value.is_empty()
        || value.len() > limits::EMOJI_MAX_BYTES
        || value.chars().any(|c| c.is_control() || c.is_whitespace())
    {
        return Err(AppError::invalid(format!(
            "reaction must be 1 to {} bytes with no spaces",
            limits::EMOJI_MAX_BYTES
        )));
    }
    Ok(())
}

/// The `@username`s named in a body, lowercased.
pub fn mentioned_usernames(body: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (i, _) in body.match_indices('@') {
        let before = body[..i].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric()) {
            continue; // an email address, not a mention
        }
        let name: String = body[i + 1..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || "_.-".contains(*c))
            .collect();
        let name = name.trim_end_matches(['.', '-']).to_lowercase();
        if name.len() >= limits::USERNAME_MIN && !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions() {
        assert_eq!(
            mentioned_usernames("hi @Bob and @carol. mail a@b.com @bob"),
            vec!["bob", "carol"]
        );
    }

    #[test]
    fn usernames() {
        assert_eq!(username(" Alice ").ok().as_deref(), Some("alice"));
        assert!(username("al").is_err());
        assert!(username("_alice").is_err());
        assert!(username("али").is_err());
    }

    #[test]
    fn emails() {
        assert_eq!(
            email("A@Example.COM").ok().as_deref(),
            Some("a@example.com")
        );
        assert!(email("nope").is_err());
        assert!(email("a@b").is_err());
    }
}
