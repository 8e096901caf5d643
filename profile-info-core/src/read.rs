//! Reads a document back from its JSON: what `profile_info::current()` does, once, with the JSON
//! a binary embeds, so that the binary need not also hold the document as a `static` (rustc would
//! build it again at every edit-compile cycle). A small reader rather than serde_json: the
//! JSON is this crate's own, and a dependency in every binary's graph costs every build.
//!
//! Fields a later schema adds are skipped; a value of the wrong type makes the whole document
//! unreadable rather than silently partial.

use crate::model::{BuildInfo, Str};
use std::borrow::Cow;

/// A JSON value; numbers are the non-negative integers the document holds. Public for the proc
/// macro (cargo's `.cargo_vcs_info.json`), no promise beyond that.
#[derive(Debug, PartialEq)]
pub enum Json {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A non-negative integer.
    Num(u64),
    /// Any other number (negative, fractional or too large), as written: no document holds one,
    /// but cargo's metadata may (a package's `[package.metadata]`).
    OtherNum(String),
    /// A string, its escapes undone.
    Str(String),
    /// An array.
    Arr(Vec<Json>),
    /// An object's members, in order.
    Obj(Vec<(String, Json)>),
}

impl Json {
    /// The value of an object's member `key`; `None` for a missing member or a non-object.
    #[inline]
    pub fn get(&self, key: &str) -> Option<&Json> {
        let Json::Obj(members) = self else { return None };
        members.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
}

/// Deeper than any document: bounds the recursion on hostile input.
const MAX_DEPTH: usize = 8;

/// The value `text` holds, with nothing but whitespace around it.
#[inline]
pub fn parse(text: &str) -> Option<Json> {
    parse_nested(text, MAX_DEPTH)
}

/// As [`parse`], with arrays and objects nested up to `max_depth` deep: for JSON other tools
/// write, such as `cargo metadata`'s (whose `[package.metadata]` tables nest freely).
#[inline]
pub fn parse_nested(text: &str, max_depth: usize) -> Option<Json> {
    let mut p = Parser { bytes: text.as_bytes(), at: 0, max_depth };
    let value = p.value(0)?;
    p.space();
    (p.at == p.bytes.len()).then_some(value)
}

struct Parser<'a> {
    bytes: &'a [u8],
    at: usize,
    max_depth: usize,
}

impl Parser<'_> {
    #[inline]
    fn space(&mut self) {
        while self.bytes.get(self.at).is_some_and(|b| b.is_ascii_whitespace()) {
            self.at += 1;
        }
    }

    #[inline]
    fn eat(&mut self, byte: u8) -> bool {
        self.space();
        let found = self.bytes.get(self.at) == Some(&byte);
        self.at += usize::from(found);
        found
    }

    #[inline]
    fn literal(&mut self, word: &str, value: Json) -> Option<Json> {
        let end = self.at.checked_add(word.len())?;
        (self.bytes.get(self.at..end)? == word.as_bytes()).then(|| {
            self.at = end;
            value
        })
    }

    #[inline]
    fn value(&mut self, depth: usize) -> Option<Json> {
        if depth > self.max_depth {
            return None;
        }
        self.space();
        match *self.bytes.get(self.at)? {
            b'n' => self.literal("null", Json::Null),
            b't' => self.literal("true", Json::Bool(true)),
            b'f' => self.literal("false", Json::Bool(false)),
            b'"' => self.string().map(Json::Str),
            b'0'..=b'9' | b'-' => {
                let start = self.at;
                self.at += usize::from(self.bytes[start] == b'-');
                let digits = |p: &mut Self| {
                    let from = p.at;
                    while p.bytes.get(p.at).is_some_and(u8::is_ascii_digit) {
                        p.at += 1;
                    }
                    p.at > from
                };
                let mut ok = digits(self);
                if self.bytes.get(self.at) == Some(&b'.') {
                    self.at += 1;
                    ok &= digits(self);
                }
                if matches!(self.bytes.get(self.at), Some(b'e' | b'E')) {
                    self.at += 1;
                    self.at += usize::from(matches!(self.bytes.get(self.at), Some(b'+' | b'-')));
                    ok &= digits(self);
                }
                let text = std::str::from_utf8(&self.bytes[start..self.at]).ok().filter(|_| ok)?;
                Some(text.parse().map_or_else(|_| Json::OtherNum(text.to_owned()), Json::Num))
            }
            b'[' => {
                self.at += 1;
                let mut items = Vec::new();
                if !self.eat(b']') {
                    loop {
                        items.push(self.value(depth + 1)?);
                        if self.eat(b']') {
                            break;
                        }
                        if !self.eat(b',') {
                            return None;
                        }
                    }
                }
                Some(Json::Arr(items))
            }
            b'{' => {
                self.at += 1;
                let mut members = Vec::new();
                if !self.eat(b'}') {
                    loop {
                        self.space();
                        let key = self.string()?;
                        if !self.eat(b':') {
                            return None;
                        }
                        members.push((key, self.value(depth + 1)?));
                        if self.eat(b'}') {
                            break;
                        }
                        if !self.eat(b',') {
                            return None;
                        }
                    }
                }
                Some(Json::Obj(members))
            }
            _ => None,
        }
    }

    /// A string at the cursor, its escapes undone.
    #[inline]
    fn string(&mut self) -> Option<String> {
        if self.bytes.get(self.at) != Some(&b'"') {
            return None;
        }
        self.at += 1;
        let mut out = Vec::new();
        loop {
            let byte = *self.bytes.get(self.at)?;
            self.at += 1;
            match byte {
                b'"' => return String::from_utf8(out).ok(),
                b'\\' => {
                    let escaped = *self.bytes.get(self.at)?;
                    self.at += 1;
                    let c = match escaped {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => self.unicode_escape()?,
                        _ => return None,
                    };
                    out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                }
                // Control characters must be escaped.
                0..=0x1f => return None,
                _ => out.push(byte),
            }
        }
    }

    /// The character of a `\uXXXX` escape (the `\u` read), a surrogate pair's second half included.
    #[inline]
    fn unicode_escape(&mut self) -> Option<char> {
        let high = self.hex4()?;
        if !(0xD800..0xDC00).contains(&high) {
            return char::from_u32(high);
        }
        if self.bytes.get(self.at..self.at + 2)? != b"\\u" {
            return None;
        }
        self.at += 2;
        let low = self.hex4()?;
        (0xDC00..0xE000).contains(&low).then(|| char::from_u32(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)))?
    }

    #[inline]
    fn hex4(&mut self) -> Option<u32> {
        let digits = std::str::from_utf8(self.bytes.get(self.at..self.at + 4)?).ok()?;
        self.at += 4;
        u32::from_str_radix(digits, 16).ok()
    }
}

/// A field's value from its JSON; `None` when the JSON is not of the field's type.
pub(crate) trait FromJson: Sized {
    /// The value, or `None` for JSON of another type.
    fn from_json(json: &Json) -> Option<Self>;
}

impl FromJson for Option<Str> {
    #[inline]
    fn from_json(json: &Json) -> Option<Self> {
        match json {
            Json::Null => Some(None),
            Json::Str(s) => Some(Some(Cow::Owned(s.clone()))),
            _ => None,
        }
    }
}

impl FromJson for Option<bool> {
    #[inline]
    fn from_json(json: &Json) -> Option<Self> {
        match json {
            Json::Null => Some(None),
            Json::Bool(b) => Some(Some(*b)),
            _ => None,
        }
    }
}

impl FromJson for Option<u32> {
    #[inline]
    fn from_json(json: &Json) -> Option<Self> {
        match json {
            Json::Null => Some(None),
            Json::Num(n) => u32::try_from(*n).ok().map(Some),
            _ => None,
        }
    }
}

impl FromJson for Option<Cow<'static, [Str]>> {
    #[inline]
    fn from_json(json: &Json) -> Option<Self> {
        match json {
            Json::Null => Some(None),
            Json::Arr(items) => items
                .iter()
                .map(|i| match i {
                    Json::Str(s) => Some(Cow::Owned(s.clone())),
                    _ => None,
                })
                .collect::<Option<Vec<Str>>>()
                .map(|v| Some(Cow::Owned(v))),
            _ => None,
        }
    }
}

/// The members of an object, each handed to `set` (which says whether the value fitted); `None`
/// for anything but an object or a value that did not fit.
#[inline]
pub(crate) fn members(json: &Json, mut set: impl FnMut(&str, &Json) -> Option<()>) -> Option<()> {
    let Json::Obj(members) = json else { return None };
    members.iter().try_for_each(|(key, value)| set(key, value))
}

/// The document `text` holds: the JSON `--build-info=json` prints and the section holds.
#[inline]
pub(crate) fn document(text: &str) -> Option<BuildInfo> {
    let json = parse(text)?;
    let mut info = BuildInfo::__EMPTY;
    info.schema = 0;
    members(&json, |key, value| {
        match key {
            "schema" => info.schema = Option::<u32>::from_json(value)??,
            "crate_type" => info.crate_type = FromJson::from_json(value)?,
            "package" => members(value, |k, v| info.package.__read(k, v))?,
            "profile" => members(value, |k, v| info.profile.__read(k, v))?,
            "target" => members(value, |k, v| info.target.__read(k, v))?,
            "rustc" => members(value, |k, v| info.rustc.__read(k, v))?,
            "vcs" if *value == Json::Null => info.vcs = None,
            "vcs" => {
                let mut vcs = crate::model::Vcs::__EMPTY;
                members(value, |k, v| vcs.__read(k, v))?;
                info.vcs = Some(vcs);
            }
            _ => {}
        }
        Some(())
    })?;
    (info.schema != 0).then_some(info)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_as_written() {
        assert_eq!(parse(" null "), Some(Json::Null));
        assert_eq!(
            parse("[true, false, 12]"),
            Some(Json::Arr(vec![Json::Bool(true), Json::Bool(false), Json::Num(12)]))
        );
        assert_eq!(
            parse(r#"{"a":"x\"\\\/\n\u00e9\ud83d\ude00","b":{}}"#),
            Some(Json::Obj(vec![("a".into(), Json::Str("x\"\\/\né😀".into())), ("b".into(), Json::Obj(vec![]))]))
        );
        for bad in [
            "",
            "nul",
            "[1,]",
            "{\"a\" 1}",
            "\"\u{1}\"",
            "\"\\x\"",
            "\"\\ud83d\"",
            "1.",
            "-",
            "1e",
            "[] []",
            "{\"a\":1,}",
        ] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
        assert_eq!(parse(&"[".repeat(MAX_DEPTH + 2)), None, "nesting bounded");
        for other in ["1.5", "-1", "2e-3", "18446744073709551616"] {
            assert_eq!(parse(other), Some(Json::OtherNum(other.into())));
        }
        let deep = format!("{}{}", "[".repeat(20), "]".repeat(20));
        assert_eq!(parse(&deep), None);
        assert!(parse_nested(&deep, 64).is_some());
    }
}
