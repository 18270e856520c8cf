//! Free-form YAML kept as written: the `imported:` map of a postmortem, where `pm import` keeps
//! what it could not map onto the model, so that nothing of a source is dropped.
//!
//! Scalars keep their text (`1.10` stays `1.10`, `no` stays `no`) and mappings keep their key
//! order, so reading a document and writing it again gives back the same values.

use std::fmt;

use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::yaml::{FromNode, Invalid, Node, Value};

/// A YAML value `pm` does not interpret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FreeValue {
    /// `~`, `null` or nothing.
    Null,
    /// Any scalar, as text.
    Text(String),
    /// A list.
    List(Vec<FreeValue>),
    /// A mapping, in its order.
    Map(FreeMap),
}

/// A YAML mapping `pm` does not interpret, in its order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FreeMap(pub Vec<(String, FreeValue)>);

impl FreeMap {
    /// Whether it holds no key.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&FreeValue> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// The text of `key`, when it is a scalar.
    pub fn text(&self, key: &str) -> Option<&str> {
        match self.get(key)? {
            FreeValue::Text(text) => Some(text),
            _ => None,
        }
    }

    /// Sets `key` to `value`, in its place if the key is there, else at the end.
    pub fn insert(&mut self, key: impl Into<String>, value: FreeValue) {
        let key = key.into();
        match self.0.iter_mut().find(|(k, _)| *k == key) {
            Some((_, slot)) => *slot = value,
            None => self.0.push((key, value)),
        }
    }
}

impl From<&Node> for FreeValue {
    fn from(node: &Node) -> Self {
        match &node.value {
            Value::Null => FreeValue::Null,
            Value::Scalar(text) => FreeValue::Text(text.clone()),
            Value::Seq(items) => FreeValue::List(items.iter().map(FreeValue::from).collect()),
            Value::Map(entries) => FreeValue::Map(FreeMap(
                entries
                    .iter()
                    .map(|e| (e.key.clone(), FreeValue::from(&e.value)))
                    .collect(),
            )),
        }
    }
}

impl FromNode for FreeMap {
    fn from_node(node: &Node) -> Result<Self, Invalid> {
        match FreeValue::from(node) {
            FreeValue::Map(map) => Ok(map),
            FreeValue::Null => Ok(FreeMap::default()),
            _ => Err(Invalid::value(
                format!("expected a mapping, found {}", node.value.kind()),
                Some("write one `key: value` per line, indented below the key".to_owned()),
            )),
        }
    }
}

impl Serialize for FreeValue {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            FreeValue::Null => s.serialize_unit(),
            FreeValue::Text(text) => s.serialize_str(text),
            FreeValue::List(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            FreeValue::Map(map) => map.serialize(s),
        }
    }
}

impl Serialize for FreeMap {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (key, value) in &self.0 {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for FreeValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(FreeVisitor)
    }
}

impl<'de> Deserialize<'de> for FreeMap {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match FreeValue::deserialize(d)? {
            FreeValue::Map(map) => Ok(map),
            FreeValue::Null => Ok(FreeMap::default()),
            _ => Err(de::Error::custom("expected a mapping")),
        }
    }
}

struct FreeVisitor;

impl<'de> Visitor<'de> for FreeVisitor {
    type Value = FreeValue;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_unit<E>(self) -> Result<FreeValue, E> {
        Ok(FreeValue::Null)
    }

    fn visit_none<E>(self) -> Result<FreeValue, E> {
        Ok(FreeValue::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<FreeValue, D::Error> {
        FreeValue::deserialize(d)
    }

    fn visit_bool<E>(self, v: bool) -> Result<FreeValue, E> {
        Ok(FreeValue::Text(v.to_string()))
    }

    fn visit_i64<E>(self, v: i64) -> Result<FreeValue, E> {
        Ok(FreeValue::Text(v.to_string()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<FreeValue, E> {
        Ok(FreeValue::Text(v.to_string()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<FreeValue, E> {
        Ok(FreeValue::Text(v.to_string()))
    }

    fn visit_str<E>(self, v: &str) -> Result<FreeValue, E> {
        Ok(FreeValue::Text(v.to_owned()))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<FreeValue, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(FreeValue::List(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<FreeValue, A::Error> {
        let mut map = FreeMap::default();
        while let Some((key, value)) = access.next_entry::<String, FreeValue>()? {
            map.0.push((key, value));
        }
        Ok(FreeValue::Map(map))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::yaml;

    #[test]
    fn keeps_text_order_and_nesting_through_a_round_trip() {
        let text =
            "z: 1.10\na: no\nlist: [x, '', ~]\nnested:\n  k: \"multi\\nline\"\n  empty: []\n";
        let node = yaml::parse(text, 1).unwrap();
        let map = FreeMap::from_node(&node).unwrap();
        let keys: Vec<&str> = map.0.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["z", "a", "list", "nested"]);
        let written = serde_saphyr::to_string(&map).unwrap();
        let again = FreeMap::from_node(&yaml::parse(&written, 1).unwrap()).unwrap();
        assert_eq!(again, map, "{written}");
        assert_eq!(map.text("z"), Some("1.10"));
    }

    #[test]
    fn a_document_with_an_imported_map_checks_clean_and_writes_back_the_same() {
        let text = "---\nid: 2026-03-14-x\ntitle: X\nstatus: draft\nseverity: SEV2\nimported:\n  source: a/b.md\n  fields:\n    uuid: 1\n    tags: [x, y]\n---\nBody\n";
        let parsed = crate::model::parse(
            std::path::Path::new("2026-03-14-x.md"),
            text,
            chrono_tz::Tz::UTC,
        );
        assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
        let front = parsed.document.unwrap().front;
        assert_eq!(front.imported.text("source"), Some("a/b.md"));
        let written = format!(
            "---\n{}---\nBody\n",
            serde_saphyr::to_string(&front).unwrap()
        );
        let again = crate::model::parse(
            std::path::Path::new("2026-03-14-x.md"),
            &written,
            chrono_tz::Tz::UTC,
        );
        assert_eq!(again.document.unwrap().front, front);
        let bad = text.replace(
            "imported:\n  source: a/b.md\n  fields:\n    uuid: 1\n    tags: [x, y]\n",
            "imported: [a]\n",
        );
        let parsed = crate::model::parse(
            std::path::Path::new("2026-03-14-x.md"),
            &bad,
            chrono_tz::Tz::UTC,
        );
        assert_eq!(parsed.diagnostics.len(), 1, "not a mapping: reported");
    }

    #[test]
    fn only_a_mapping_is_a_map() {
        let node = yaml::parse("[a, b]", 1).unwrap();
        assert!(FreeMap::from_node(&node).is_err());
    }
}
