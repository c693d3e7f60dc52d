//! Where a field lives in the configuration text: dotted field paths and their lines.
//!
//! serde reports problems by byte offset and validation by field path; users need both as
//! `file:line:column: field`. A span-keeping `toml_edit` parse of the same text links the two.

use std::fmt;
use std::ops::Range;

use toml_edit::{ArrayOfTables, Item, Table, Value};

/// One step of a field path: a key or an array index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Step {
    Key(String),
    Index(usize),
}

/// A dotted field path such as `schedule.window[2].end` or `thermal.gpu."0".soft_limit_c`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct FieldPath(Vec<Step>);

impl FieldPath {
    pub(crate) fn root() -> FieldPath {
        FieldPath(Vec::new())
    }

    pub(crate) fn key(&self, key: &str) -> FieldPath {
        let mut steps = self.0.clone();
        steps.push(Step::Key(key.to_owned()));
        FieldPath(steps)
    }

    pub(crate) fn index(&self, index: usize) -> FieldPath {
        let mut steps = self.0.clone();
        steps.push(Step::Index(index));
        FieldPath(steps)
    }

    fn steps(&self) -> &[Step] {
        &self.0
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, step) in self.0.iter().enumerate() {
            match step {
                Step::Key(key) => {
                    if i > 0 {
                        f.write_str(".")?;
                    }
                    if is_plain_key(key) {
                        f.write_str(key)?;
                    } else {
                        write!(f, "{key:?}")?;
                    }
                }
                Step::Index(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}

/// Keys printed without quotes: those that read as names (a leading digit is quoted, so a GPU
/// index reads `"0"` like it must be written in a table header).
fn is_plain_key(key: &str) -> bool {
    key.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// A 1-based line and column (in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LineColumn {
    pub(crate) line: usize,
    pub(crate) column: usize,
}

/// The configuration text with its line starts and, when it parses, its span-keeping tree.
pub(crate) struct SourceMap<'t> {
    text: &'t str,
    line_starts: Vec<usize>,
    document: Option<toml_edit::Document<&'t str>>,
}

impl<'t> SourceMap<'t> {
    pub(crate) fn new(text: &'t str) -> SourceMap<'t> {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        SourceMap {
            text,
            line_starts,
            document: toml_edit::Document::parse(text).ok(),
        }
    }

    /// Whether the text is valid TOML (serde may still reject its keys and types).
    pub(crate) fn is_toml(&self) -> bool {
        self.document.is_some()
    }

    /// Line and column of a byte offset (clamped to the text).
    pub(crate) fn line_column(&self, offset: usize) -> LineColumn {
        let offset = offset.min(self.text.len());
        let line_index = self
            .line_starts
            .partition_point(|&start| start <= offset)
            .saturating_sub(1);
        let line_start = self.line_starts.get(line_index).copied().unwrap_or(0);
        let column = self
            .text
            .get(line_start..offset)
            .map_or(offset - line_start, |s| s.chars().count());
        LineColumn {
            line: line_index + 1,
            column: column + 1,
        }
    }

    /// Where `path` is written: its value, or else the nearest enclosing table that is.
    pub(crate) fn locate(&self, path: &FieldPath) -> Option<LineColumn> {
        let document = self.document.as_ref()?;
        let mut best = None;
        let mut node = Node::of(document.as_item());
        for step in path.steps() {
            let Some((span, child)) = node.child(step) else {
                break;
            };
            if span.is_some() {
                best = span;
            }
            node = child;
        }
        best.map(|span| self.line_column(span.start))
    }

    /// The field path of the deepest key or value whose text contains `offset`, for errors that
    /// come with a byte span only.
    pub(crate) fn path_at(&self, offset: usize) -> Option<FieldPath> {
        let document = self.document.as_ref()?;
        let mut path = FieldPath::root();
        deepest_at(Node::of(document.as_item()), offset, &mut path).then_some(path)
    }
}

/// A position in the `toml_edit` tree: tables, arrays of tables and inline values walk alike.
#[derive(Clone, Copy)]
enum Node<'d> {
    Table(&'d Table),
    Tables(&'d ArrayOfTables),
    Value(&'d Value),
    Leaf,
}

impl<'d> Node<'d> {
    fn of(item: &'d Item) -> Node<'d> {
        match item {
            Item::Table(table) => Node::Table(table),
            Item::ArrayOfTables(tables) => Node::Tables(tables),
            Item::Value(value) => Node::Value(value),
            Item::None => Node::Leaf,
        }
    }

    /// The child at `step` with the span where it is written (the value, else its key, else the
    /// table header).
    fn child(self, step: &Step) -> Option<(Option<Range<usize>>, Node<'d>)> {
        match (self, step) {
            (Node::Table(table), Step::Key(key)) => {
                let (key_repr, item) = table.get_key_value(key)?;
                Some((item.span().or_else(|| key_repr.span()), Node::of(item)))
            }
            (Node::Tables(tables), Step::Index(index)) => {
                let table = tables.get(*index)?;
                Some((table.span(), Node::Table(table)))
            }
            (Node::Value(Value::Array(array)), Step::Index(index)) => {
                let element = array.get(*index)?;
                Some((element.span(), Node::Value(element)))
            }
            (Node::Value(Value::InlineTable(table)), Step::Key(key)) => {
                let (key_repr, item) = table.get_key_value(key)?;
                Some((item.span().or_else(|| key_repr.span()), Node::of(item)))
            }
            _ => None,
        }
    }

    /// Every child with its step and the spans that identify it (key and value).
    fn children(self) -> Vec<(Step, Vec<Range<usize>>, Node<'d>)> {
        let mut out = Vec::new();
        match self {
            Node::Table(table) => {
                for (key, item) in table.iter() {
                    let spans = table
                        .key(key)
                        .and_then(|k| k.span())
                        .into_iter()
                        .chain(item.span())
                        .collect();
                    out.push((Step::Key(key.to_owned()), spans, Node::of(item)));
                }
            }
            Node::Tables(tables) => {
                for (index, table) in tables.iter().enumerate() {
                    let spans = table.span().into_iter().collect();
                    out.push((Step::Index(index), spans, Node::Table(table)));
                }
            }
            Node::Value(Value::Array(array)) => {
                for (index, element) in array.iter().enumerate() {
                    let spans = element.span().into_iter().collect();
                    out.push((Step::Index(index), spans, Node::Value(element)));
                }
            }
            Node::Value(Value::InlineTable(table)) => {
                for (key, value) in table.iter() {
                    let spans = table
                        .key(key)
                        .and_then(|k| k.span())
                        .into_iter()
                        .chain(value.span())
                        .collect();
                    out.push((Step::Key(key.to_owned()), spans, Node::Value(value)));
                }
            }
            Node::Value(_) | Node::Leaf => {}
        }
        out
    }
}

/// Depth-first search for the deepest node whose key or value text holds `offset`; `path` ends
/// at it. Implicit tables (no span of their own) are searched through.
fn deepest_at(node: Node<'_>, offset: usize, path: &mut FieldPath) -> bool {
    for (step, spans, child) in node.children() {
        let here = spans
            .iter()
            .any(|s| s.contains(&offset) || s.start == offset);
        path.0.push(step);
        if deepest_at(child, offset, path) || here {
            return true;
        }
        path.0.pop();
    }
    false
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    const TEXT: &str = "[general]\ntick_ms = 500\n\n[[schedule.window]]\ndays = [\"mon\"]\n\n\
                        [[schedule.window]]\ndays = [\"tue\", \"wed\"]\nend = \"10:00\"\n\n\
                        [thermal.gpu.\"0\"]\nsoft_limit_c = 80\n";

    #[test]
    fn paths_print_dotted_with_indices_and_quoted_numeric_keys() {
        let path = FieldPath::root()
            .key("thermal")
            .key("gpu")
            .key("0")
            .key("soft_limit_c");
        assert_eq!(path.to_string(), "thermal.gpu.\"0\".soft_limit_c");
        let path = FieldPath::root()
            .key("schedule")
            .key("window")
            .index(2)
            .key("end");
        assert_eq!(path.to_string(), "schedule.window[2].end");
        let uuid = FieldPath::root()
            .key("thermal")
            .key("gpu")
            .key("GPU-12ab-34");
        assert_eq!(uuid.to_string(), "thermal.gpu.GPU-12ab-34");
    }

    #[test]
    fn a_path_is_found_at_its_value_or_its_nearest_written_parent() {
        let map = SourceMap::new(TEXT);
        let at = |path: FieldPath| map.locate(&path).map(|lc| (lc.line, lc.column));
        let root = FieldPath::root();
        assert_eq!(at(root.key("general").key("tick_ms")), Some((2, 11)));
        let second = root.key("schedule").key("window").index(1);
        assert_eq!(at(second.key("days").index(1)), Some((8, 16)));
        assert_eq!(at(second.key("end")), Some((9, 7)));
        // Absent key: the window's own header.
        assert_eq!(at(second.key("start")), Some((7, 1)));
        let gpu = root.key("thermal").key("gpu").key("0");
        assert_eq!(at(gpu.key("soft_limit_c")), Some((12, 16)));
        assert_eq!(at(gpu.key("hysteresis_c")), Some((11, 1)));
        assert_eq!(at(root.key("api").key("port")), None);
    }

    #[test]
    fn an_offset_maps_back_to_the_field_written_there() {
        let map = SourceMap::new(TEXT);
        let offset = TEXT.find("\"wed\"").unwrap();
        assert_eq!(
            map.path_at(offset).unwrap().to_string(),
            "schedule.window[1].days[1]"
        );
        let offset = TEXT.find("tick_ms").unwrap();
        assert_eq!(map.path_at(offset).unwrap().to_string(), "general.tick_ms");
        let offset = TEXT.find("soft_limit_c").unwrap();
        assert_eq!(
            map.path_at(offset).unwrap().to_string(),
            "thermal.gpu.\"0\".soft_limit_c"
        );
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let map = SourceMap::new("# ünïcode\nname = \"é\" x");
        assert_eq!(map.line_column(0), LineColumn { line: 1, column: 1 });
        let offset = "# ünïcode\nname = \"é\" ".len();
        assert_eq!(
            map.line_column(offset),
            LineColumn {
                line: 2,
                column: 12
            }
        );
    }
}
