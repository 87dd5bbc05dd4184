//! Every Rust name apigen emits comes from here.
//!
//! Spec names are arbitrary strings: they collide after case conversion
//! (`fooBar` and `foo_bar`), start with digits, are empty, or are Rust
//! keywords. This module turns them into valid identifiers and, through
//! [`Namespace`], makes them unique in a deterministic way: the first claim
//! of a name wins and later ones get a numeric suffix, so the result depends
//! only on the order of the (ordered) input.

use std::collections::{BTreeSet, HashMap};

use heck::{ToShoutySnakeCase, ToSnakeCase, ToUpperCamelCase};

/// Keywords of every Rust edition up to 2024, strict and reserved.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "Self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "union", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Whether `name` is a Rust keyword (so it cannot be an identifier as is).
pub fn is_keyword(name: &str) -> bool {
    KEYWORDS.contains(&name)
}

/// Replaces everything that is not alphanumeric by a word break, so heck
/// sees `get-foo`, `get foo` and `get_foo` alike.
fn words(raw: &str) -> String {
    raw.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
        .collect()
}

/// Makes `name` a valid identifier: never empty, never starting with a
/// digit, never a keyword (a trailing `_` is added: raw identifiers would not
/// work for `self`, `Self`, `crate` and `super`).
fn identifier(name: String, fallback: &str, digit_prefix: &str) -> String {
    let mut name = name;
    if name.is_empty() {
        name = fallback.to_string();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name = format!("{digit_prefix}{name}");
    }
    if is_keyword(&name) {
        name.push('_');
    }
    name
}

/// UpperCamelCase type or variant name.
pub fn type_name(raw: &str) -> String {
    identifier(words(raw).to_upper_camel_case(), "Unnamed", "T")
}

/// snake_case field, argument or method name.
pub fn snake_name(raw: &str) -> String {
    identifier(words(raw).to_snake_case(), "unnamed", "n")
}

/// The setter of the struct field `field` (a [`snake_name`]): `with_` and
/// the field's name, without the `_` that made a keyword an identifier
/// (`type_` has `with_type`). Unique in the struct, since field names are
/// and no field is named like a keyword, and never `new`.
pub fn setter_name(field: &str) -> String {
    let base = field
        .strip_suffix('_')
        .filter(|b| is_keyword(b))
        .unwrap_or(field);
    format!("with_{base}")
}

/// The setter that sends the nullable field `field` as `null`:
/// `with_<field>_null`, before it is made unique among the struct's methods.
pub fn null_setter_name(field: &str) -> String {
    format!("{}_null", setter_name(field))
}

/// SCREAMING_SNAKE_CASE constant name.
pub fn const_name(raw: &str) -> String {
    identifier(words(raw).to_shouty_snake_case(), "UNNAMED", "N")
}

/// [`type_name`] and [`snake_name`], remembered by spec name.
///
/// Specs repeat names: every struct with a `name` property, every
/// operation with an `id` parameter. heck formats case conversions one
/// character at a time, so each such name is converted once. Names that
/// cannot repeat (component keys, operation ids) are converted directly,
/// without a map to keep them.
///
/// The maps are only looked up, never iterated, so their order cannot reach
/// the output.
#[derive(Debug, Default)]
pub struct Cases {
    types: HashMap<String, String>,
    snakes: HashMap<String, String>,
}

impl Cases {
    /// [`type_name`] of `raw`.
    pub fn type_name(&mut self, raw: &str) -> String {
        remembered(&mut self.types, raw, type_name)
    }

    /// [`snake_name`] of `raw`.
    pub fn snake_name(&mut self, raw: &str) -> String {
        remembered(&mut self.snakes, raw, snake_name)
    }
}

fn remembered(
    seen: &mut HashMap<String, String>,
    raw: &str,
    convert: fn(&str) -> String,
) -> String {
    if let Some(name) = seen.get(raw) {
        return name.clone();
    }
    let name = convert(raw);
    seen.insert(raw.to_string(), name.clone());
    name
}

/// Variant name of an HTTP status in an error or success enum.
pub fn status_variant(status: u16) -> String {
    let name = match status {
        200 => "Ok",
        201 => "Created",
        202 => "Accepted",
        203 => "NonAuthoritative",
        204 => "NoContent",
        206 => "PartialContent",
        400 => "BadRequest",
        401 => "Unauthorized",
        402 => "PaymentRequired",
        403 => "Forbidden",
        404 => "NotFound",
        405 => "MethodNotAllowed",
        406 => "NotAcceptable",
        408 => "RequestTimeout",
        409 => "Conflict",
        410 => "Gone",
        412 => "PreconditionFailed",
        413 => "PayloadTooLarge",
        415 => "UnsupportedMediaType",
        422 => "UnprocessableEntity",
        429 => "TooManyRequests",
        500 => "InternalServerError",
        501 => "NotImplemented",
        502 => "BadGateway",
        503 => "ServiceUnavailable",
        504 => "GatewayTimeout",
        _ => return format!("Status{status}"),
    };
    name.to_string()
}

/// A set of names in one scope (a module, a struct, a method's arguments).
#[derive(Debug, Default, Clone)]
pub struct Namespace {
    taken: BTreeSet<String>,
}

impl Namespace {
    pub fn new() -> Self {
        Namespace::default()
    }

    /// Marks `name` as used without claiming a new one (for names the
    /// generated code defines by hand).
    pub fn reserve(&mut self, name: &str) {
        self.taken.insert(name.to_string());
    }

    /// Claims `base`, or `base2`, `base3`, ... when it is taken.
    pub fn claim(&mut self, base: &str) -> String {
        if self.taken.insert(base.to_string()) {
            return base.to_string();
        }
        let stem = base.strip_suffix('_').unwrap_or(base);
        let separator = if stem.ends_with(|c: char| c.is_ascii_digit()) {
            "_"
        } else {
            ""
        };
        let mut n = 2usize;
        loop {
            let candidate = format!("{stem}{separator}{n}");
            if self.taken.insert(candidate.clone()) {
                return candidate;
            }
            n += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn setters_are_with_and_the_field_name() {
        assert_eq!(setter_name("title"), "with_title");
        assert_eq!(setter_name("type_"), "with_type");
        assert_eq!(setter_name("self_"), "with_self");
        assert_eq!(setter_name("foo_"), "with_foo_");
        assert_eq!(setter_name("new"), "with_new");
    }

    #[test]
    fn keywords_and_digits_become_identifiers() {
        assert_eq!(snake_name("type"), "type_");
        assert_eq!(snake_name("self"), "self_");
        assert_eq!(type_name("Self"), "Self_");
        assert_eq!(type_name("self"), "Self_");
        assert_eq!(snake_name("gen"), "gen_");
        assert_eq!(snake_name(""), "unnamed");
        assert_eq!(snake_name("2fa"), "n2fa");
        assert_eq!(type_name("404-page"), "T404Page");
        assert_eq!(snake_name("get-foo"), snake_name("get_foo"));
        assert_eq!(snake_name("assignedUserId"), "assigned_user_id");
        assert_eq!(type_name("update-block-slot"), "UpdateBlockSlot");
        assert_eq!(const_name("Version"), "VERSION");
    }

    #[test]
    fn namespace_suffixes_collisions_in_claim_order() {
        let mut ns = Namespace::new();
        assert_eq!(ns.claim(&snake_name("fooBar")), "foo_bar");
        assert_eq!(ns.claim(&snake_name("foo_bar")), "foo_bar2");
        assert_eq!(ns.claim(&snake_name("FooBar")), "foo_bar3");
        assert_eq!(ns.claim("type_"), "type_");
        assert_eq!(ns.claim("type_"), "type2");
        assert_eq!(ns.claim("v1"), "v1");
        assert_eq!(ns.claim("v1"), "v1_2");
    }

    #[test]
    fn remembered_cases_are_the_conversions_themselves() {
        let mut cases = Cases::default();
        let names = [
            "name",
            "startsAt",
            "type",
            "",
            "2fa",
            "X-Request-Id",
            "self",
            "HTTPServer",
        ];
        // Twice each: the first call converts, the second remembers, and
        // a snake and a type conversion of one name do not mix.
        for _ in 0..2 {
            for raw in names {
                assert_eq!(cases.snake_name(raw), snake_name(raw), "{raw}");
                assert_eq!(cases.type_name(raw), type_name(raw), "{raw}");
            }
        }
        assert_eq!(cases.snakes.len(), names.len());
        assert_eq!(cases.types.len(), names.len());
    }
}
