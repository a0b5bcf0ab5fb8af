//! `Table<K, V>`: a map of the state that remembers which of its keys a job changed, so that the
//! actor writes only those rows to the data directory's database after the job (`database.rs`).
//! Reads go through `Deref` to the plain map and mark nothing; every way to change a value
//! (`get_mut`, `insert`, `remove`, `entry`, `retain`, `values_mut`) marks what it may change.

use serde::de::DeserializeOwned;
use serde::Serialize;
use std::borrow::Borrow;
use std::collections::btree_map::{Entry, ValuesMut};
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Deref;

pub struct Table<K: Ord, V> {
    map: BTreeMap<K, V>,
    changed: BTreeSet<K>,
}

impl<K: Ord, V> Default for Table<K, V> {
    fn default() -> Self {
        Table {
            map: BTreeMap::new(),
            changed: BTreeSet::new(),
        }
    }
}

impl<K: Ord + std::fmt::Debug, V: std::fmt::Debug> std::fmt::Debug for Table<K, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.map.fmt(f)
    }
}

impl<K: Ord, V> Deref for Table<K, V> {
    type Target = BTreeMap<K, V>;
    fn deref(&self) -> &BTreeMap<K, V> {
        &self.map
    }
}

impl<'a, K: Ord, V> IntoIterator for &'a Table<K, V> {
    type Item = (&'a K, &'a V);
    type IntoIter = std::collections::btree_map::Iter<'a, K, V>;
    fn into_iter(self) -> Self::IntoIter {
        self.map.iter()
    }
}

impl<K: Ord + Clone, V> Table<K, V> {
    pub fn get_mut<Q: Ord + ?Sized>(&mut self, k: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
    {
        let (key, _) = self.map.get_key_value(k)?;
        self.changed.insert(key.clone());
        self.map.get_mut(k)
    }

    pub fn insert(&mut self, k: K, v: V) -> Option<V> {
        self.changed.insert(k.clone());
        self.map.insert(k, v)
    }

    pub fn remove<Q: Ord + ?Sized>(&mut self, k: &Q) -> Option<V>
    where
        K: Borrow<Q>,
    {
        let (key, v) = self.map.remove_entry(k)?;
        self.changed.insert(key);
        Some(v)
    }

    pub fn entry(&mut self, k: K) -> Entry<'_, K, V> {
        self.changed.insert(k.clone());
        self.map.entry(k)
    }

    /// Changes the value of `k` with `change` only when `wanted` says so: only then is it marked
    /// (a transition that may already have happened writes nothing when it has). Answers
    /// whether it changed.
    pub fn update_if<Q: Ord + ?Sized>(
        &mut self,
        k: &Q,
        wanted: impl FnOnce(&V) -> bool,
        change: impl FnOnce(&mut V),
    ) -> bool
    where
        K: Borrow<Q>,
    {
        if !self.map.get(k).is_some_and(wanted) {
            return false;
        }
        change(self.get_mut(k).expect("present"));
        true
    }

    /// Keeps what `keep` accepts; the removed keys are marked.
    pub fn retain(&mut self, mut keep: impl FnMut(&K, &mut V) -> bool) {
        let changed = &mut self.changed;
        self.map.retain(|k, v| {
            let kept = keep(k, v);
            if !kept {
                changed.insert(k.clone());
            }
            kept
        });
    }

    /// Every value, mutably: every key is marked.
    pub fn values_mut(&mut self) -> ValuesMut<'_, K, V> {
        self.changed.extend(self.map.keys().cloned());
        self.map.values_mut()
    }
}

/// One row to write: a key of a table, and its value (None: removed).
pub struct Row {
    pub key: String,
    pub value: Option<String>,
}

/// What the database sees of a table: its changed rows, and a way to load rows back.
pub trait Persisted {
    /// The rows changed since the last call (the marks are cleared).
    fn take_changes(&mut self) -> Result<Vec<Row>, String>;
    /// Puts back a row read from the database (marks nothing).
    fn restore(&mut self, key: &str, value: &str) -> Result<(), String>;
    /// Sets a row back to what the database holds (None: no row), after a failed write.
    fn undo(&mut self, key: &str, stored: Option<&str>) -> Result<(), String>;
    /// Forgets the marks (after loading, or when nothing is persisted).
    fn clear_changes(&mut self);
}

impl<K, V> Persisted for Table<K, V>
where
    K: Ord + Clone + Serialize + DeserializeOwned,
    V: Serialize + DeserializeOwned,
{
    fn take_changes(&mut self) -> Result<Vec<Row>, String> {
        let changed = std::mem::take(&mut self.changed);
        changed
            .into_iter()
            .map(|k| {
                let key = serde_json::to_string(&k).map_err(|e| e.to_string())?;
                let value = match self.map.get(&k) {
                    Some(v) => Some(serde_json::to_string(v).map_err(|e| e.to_string())?),
                    None => None,
                };
                Ok(Row { key, value })
            })
            .collect()
    }

    fn restore(&mut self, key: &str, value: &str) -> Result<(), String> {
        let k: K = serde_json::from_str(key).map_err(|e| format!("key {key}: {e}"))?;
        let v: V = serde_json::from_str(value).map_err(|e| format!("the value of {key}: {e}"))?;
        self.map.insert(k, v);
        Ok(())
    }

    fn undo(&mut self, key: &str, stored: Option<&str>) -> Result<(), String> {
        match stored {
            Some(value) => self.restore(key, value),
            None => {
                let k: K = serde_json::from_str(key).map_err(|e| format!("key {key}: {e}"))?;
                self.map.remove(&k);
                Ok(())
            }
        }
    }

    fn clear_changes(&mut self) {
        self.changed.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_what_changes_and_not_what_is_read() {
        let mut t: Table<String, i32> = Table::default();
        t.insert("a".into(), 1);
        t.insert("b".into(), 2);
        t.insert("c".into(), 3);
        assert_eq!(t.take_changes().unwrap().len(), 3);
        assert_eq!(t.get("a"), Some(&1));
        assert_eq!(t.values().sum::<i32>(), 6);
        assert!(t.take_changes().unwrap().is_empty(), "reads mark nothing");
        *t.get_mut("a").unwrap() = 10;
        t.retain(|k, _| k != "b");
        let rows = t.take_changes().unwrap();
        let rows: Vec<(&str, Option<&str>)> = rows.iter().map(|r| (r.key.as_str(), r.value.as_deref())).collect();
        assert_eq!(rows, [("\"a\"", Some("10")), ("\"b\"", None)]);
        let mut back: Table<String, i32> = Table::default();
        back.restore("\"a\"", "10").unwrap();
        assert_eq!(back.get("a"), Some(&10));
        assert!(back.take_changes().unwrap().is_empty());
        assert!(back.restore("\"x\"", "{").is_err());
    }
}
