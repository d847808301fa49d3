//! The span index: where in the YAML text each value of the document starts.
//!
//! serde_yaml gives values without positions, so a second pass over the
//! parser's events records `JSON pointer → (line, column)` for every mapping
//! key and value. Checks report a pointer; the index turns it into a place.
//! Aliases are not expanded here, so a hostile document stays cheap.
//!
//! The index is built on first use: a blueprint without a single diagnostic
//! never pays for the second parse.

use std::collections::HashMap;
use std::sync::OnceLock;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

/// A 1-based line and column in the blueprint text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Place {
    pub line: usize,
    pub col: usize,
}

/// `JSON pointer → place` for a blueprint's text, parsed when first asked.
#[derive(Debug, Default)]
pub struct SpanIndex {
    text: String,
    places: OnceLock<Places>,
}

#[derive(Debug, Default)]
struct Places {
    /// Where each value starts.
    values: HashMap<String, Place>,
    /// Where the key of each mapping entry starts.
    keys: HashMap<String, Place>,
}

impl SpanIndex {
    /// The index of `text`, parsed on the first [`SpanIndex::locate`]; a
    /// text the parser rejects gives an empty index (the YAML error itself
    /// is reported by `load`).
    pub fn build(text: &str) -> SpanIndex {
        SpanIndex { text: text.to_string(), places: OnceLock::new() }
    }

    fn places(&self) -> &Places {
        self.places.get_or_init(|| {
            let mut builder = Builder::default();
            let mut parser = Parser::new_from_str(&self.text);
            if parser.load(&mut builder, false).is_err() {
                return Places::default();
            }
            builder.index
        })
    }

    /// The key of a mapping entry, or the value when there is no key (a list item).
    /// Falls back to the nearest ancestor that has a place.
    pub fn locate(&self, pointer: &str) -> Place {
        let places = self.places();
        let mut p = pointer;
        loop {
            if let Some(place) = places.keys.get(p).or_else(|| places.values.get(p)) {
                return *place;
            }
            match p.rfind('/') {
                Some(cut) => p = &p[..cut],
                None => return Place { line: 1, col: 1 },
            }
        }
    }

    /// The value itself (for "wrong type" or "out of range" errors).
    pub fn locate_value(&self, pointer: &str) -> Place {
        self.places().values.get(pointer).copied().unwrap_or_else(|| self.locate(pointer))
    }
}

/// Escapes a key as one JSON pointer segment (RFC 6901).
pub fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

enum Frame {
    Seq {
        pointer: String,
        next: usize,
    },
    /// `pending_key` holds the pointer of the entry whose value comes next.
    Map {
        pointer: String,
        pending_key: Option<String>,
        seen_key: bool,
    },
}

#[derive(Default)]
struct Builder {
    index: Places,
    stack: Vec<Frame>,
}

impl Builder {
    /// The pointer of the node that starts now, and whether it is a mapping key.
    fn next_pointer(&mut self) -> (String, bool) {
        match self.stack.last_mut() {
            None => (String::new(), false),
            Some(Frame::Seq { pointer, next }) => {
                let p = format!("{pointer}/{next}");
                *next += 1;
                (p, false)
            }
            Some(Frame::Map { pending_key, pointer, .. }) => match pending_key.take() {
                Some(entry) => (entry, false),
                None => (pointer.clone(), true),
            },
        }
    }

    fn place(mark: Marker) -> Place {
        Place { line: mark.line(), col: mark.col() + 1 }
    }

    fn node(&mut self, mark: Marker, scalar: Option<&str>) -> Option<String> {
        let (pointer, is_key) = self.next_pointer();
        if is_key {
            // A scalar key names the entry; a complex key gets a placeholder.
            let entry = format!("{pointer}/{}", escape(scalar.unwrap_or("?")));
            let place = Self::place(mark);
            self.index.keys.entry(entry.clone()).or_insert(place);
            if let Some(Frame::Map { pending_key, seen_key, .. }) = self.stack.last_mut() {
                *pending_key = Some(entry);
                // The parser marks a block mapping after its first key; the
                // mapping starts where that key does.
                if !*seen_key {
                    *seen_key = true;
                    if let Some(start) = self.index.values.get_mut(&pointer) {
                        if (place.line, place.col) < (start.line, start.col) {
                            *start = place;
                        }
                    }
                }
            }
            return None;
        }
        self.index.values.entry(pointer.clone()).or_insert(Self::place(mark));
        Some(pointer)
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        match ev {
            Event::Scalar(value, ..) => {
                self.node(mark, Some(&value));
            }
            Event::Alias(_) => {
                self.node(mark, Some("*"));
            }
            Event::SequenceStart(..) => {
                let pointer = self.node(mark, None).unwrap_or_default();
                self.stack.push(Frame::Seq { pointer, next: 0 });
            }
            Event::MappingStart(..) => {
                let pointer = self.node(mark, None).unwrap_or_default();
                self.stack.push(Frame::Map { pointer, pending_key: None, seen_key: false });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                self.stack.pop();
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_values_have_places() {
        let text = "project:\n  name: x\nhosts:\n  - name: a\n    memory: 8G\n";
        let index = SpanIndex::build(text);
        assert_eq!(index.locate("/project/name"), Place { line: 2, col: 3 });
        assert_eq!(index.locate_value("/project/name"), Place { line: 2, col: 9 });
        assert_eq!(index.locate("/hosts/0/memory"), Place { line: 5, col: 5 });
        assert_eq!(index.locate_value("/hosts/0"), Place { line: 4, col: 5 });
        // Unknown pointers fall back to their nearest known ancestor.
        assert_eq!(index.locate("/hosts/0/nothing"), Place { line: 4, col: 5 });
    }
}

/// Where the YAML node that starts at 1-based char column `col` of `line`
/// ends on that line (an exclusive 1-based column), so a caret can cover the
/// whole value: a quoted scalar to its closing quote, a flow collection
/// (`{…}`, `[…]`) to its closing bracket, a plain scalar to the end of the
/// line, a comment (` #`), a key's `:`, or, inside a flow collection, the
/// next `,`, `]` or `}`. A node that goes on past the line (a block scalar,
/// a multi-line flow collection) ends at the end of the line. At least one
/// column past `col`, even on an empty line.
pub fn value_end(line: &str, col: usize) -> usize {
    let chars: Vec<char> = line.chars().collect();
    let start = col.saturating_sub(1).min(chars.len());
    let rest = &chars[start..];
    let span = match rest.first() {
        None => 0,
        Some('"') => closing(rest, |i, c| c == '"' && !escaped(rest, i)),
        Some('\'') => closing(rest, |i, c| c == '\'' && rest.get(i + 1) != Some(&'\'') && !doubled(rest, i)),
        Some('{' | '[') => flow_end(rest),
        Some(_) => {
            // Inside a flow collection when the line before opens more than it closes.
            let depth = chars[..start].iter().fold(0i32, |d, c| match c {
                '{' | '[' => d + 1,
                '}' | ']' => d - 1,
                _ => d,
            });
            let mut end = rest.len();
            for (i, &c) in rest.iter().enumerate() {
                let next = rest.get(i + 1).copied();
                let stop = (c == '#' && i > 0 && rest[i - 1] == ' ')
                    || (c == ':' && matches!(next, None | Some(' ')))
                    || (depth > 0 && matches!(c, ',' | ']' | '}'));
                if stop {
                    end = i;
                    break;
                }
            }
            rest[..end].iter().rposition(|c| !c.is_whitespace()).map_or(end, |p| p + 1)
        }
    };
    (start + span.max(1) + 1).max(col + 1)
}

/// The length up to and including the first char after the opening one
/// that `is_close` accepts; the whole rest when none does.
fn closing(rest: &[char], is_close: impl Fn(usize, char) -> bool) -> usize {
    rest.iter().enumerate().skip(1).find(|&(i, &c)| is_close(i, c)).map_or(rest.len(), |(i, _)| i + 1)
}

/// A `"` preceded by an odd number of backslashes is escaped.
fn escaped(rest: &[char], i: usize) -> bool {
    rest[1..i].iter().rev().take_while(|&&c| c == '\\').count() % 2 == 1
}

/// The second `'` of a `''` pair (an escaped quote in a single-quoted scalar).
fn doubled(rest: &[char], i: usize) -> bool {
    i > 1 && rest[i - 1] == '\'' && rest[..i - 1].iter().skip(1).rev().take_while(|&&c| c == '\'').count() % 2 == 0
}

/// The length of a flow collection up to its closing bracket, skipping
/// quoted scalars; the whole rest when it closes on a later line.
fn flow_end(rest: &[char]) -> usize {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    for (i, &c) in rest.iter().enumerate() {
        match (quote, c) {
            (Some('"'), '"') if !escaped(rest, i) => quote = None,
            (Some('\''), '\'') => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '{' | '[') => depth += 1,
            (None, '}' | ']') => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
    }
    rest.len()
}

#[cfg(test)]
mod extent_tests {
    use super::value_end;

    /// The text a caret at `col` covers.
    fn covered(line: &str, col: usize) -> String {
        line.chars().skip(col - 1).take(value_end(line, col) - col).collect()
    }

    #[test]
    fn carets_cover_the_whole_value() {
        assert_eq!(covered("    type: cx32", 11), "cx32");
        assert_eq!(covered("    type: cx32  # gone", 11), "cx32");
        assert_eq!(covered("    type: cx32", 5), "type");
        assert_eq!(covered(r#"  rpo: "5 \"min\"" # x"#, 8), r#""5 \"min\"""#);
        assert_eq!(covered("  a: 'it''s' ", 6), "'it''s'");
        assert_eq!(covered("  - {name: a, size: 150G, taken: daily}", 21), "150G");
        assert_eq!(covered("  - {name: a, size: 150G, taken: daily}", 34), "daily");
        assert_eq!(covered("  limits: {cpus: 7.0, memory: \"3}G\"}", 11), "{cpus: 7.0, memory: \"3}G\"}");
        assert_eq!(covered("  ports: [80, 443", 10), "[80, 443");
        assert_eq!(covered("  url: https://x.example:8443/a", 8), "https://x.example:8443/a");
        assert_eq!(covered("  text: |", 9), "|");
        // Never empty, never past a short line by more than one column.
        assert_eq!(value_end("", 1), 2);
        assert_eq!(value_end("ab", 9), 10);
    }
}
