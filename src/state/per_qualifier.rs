//! `PerQualifier<T>`: what is attached to a function's qualifier (`$LATEST`, a version or an
//! alias), keyed by (function name, qualifier), with the lookups and the cleanup every such family
//! (URL configs, event invoke configs, provisioned concurrency, runtime management, scaling configs)
//! needs. It derefs to the underlying map for inserts and removals by key.

use super::table::Table;
use std::ops::{Deref, DerefMut};

#[derive(Debug)]
pub struct PerQualifier<T>(Table<(String, String), T>);

impl<T> Default for PerQualifier<T> {
    fn default() -> Self {
        PerQualifier(Table::default())
    }
}

impl<T> PerQualifier<T> {
    pub fn get_for(&self, name: &str, qualifier: &str) -> Option<&T> {
        self.0.get(&(name.to_string(), qualifier.to_string()))
    }

    pub fn get_for_mut(&mut self, name: &str, qualifier: &str) -> Option<&mut T> {
        self.0.get_mut(&(name.to_string(), qualifier.to_string()))
    }

    /// Every entry of a function, by qualifier.
    pub fn of_function<'a>(&'a self, name: &'a str) -> impl Iterator<Item = (&'a str, &'a T)> + 'a {
        self.0
            .iter()
            .filter(move |((n, _), _)| n == name)
            .map(|((_, q), v)| (q.as_str(), v))
    }

    /// Drops a deleted function's entries (or one deleted qualifier's).
    pub fn forget(&mut self, name: &str, qualifier: Option<&str>) {
        match qualifier {
            None => self.0.retain(|(n, _), _| n != name),
            Some(q) => {
                self.0.remove(&(name.to_string(), q.to_string()));
            }
        }
    }
}

impl<T> Deref for PerQualifier<T> {
    type Target = Table<(String, String), T>;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl<T> DerefMut for PerQualifier<T> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

#[cfg(test)]
mod tests {
    use super::PerQualifier;

    #[test]
    fn forgets_a_function_or_one_qualifier() {
        let mut m = PerQualifier::default();
        m.insert(("f".to_string(), "$LATEST".to_string()), 1);
        m.insert(("f".to_string(), "live".to_string()), 2);
        m.insert(("g".to_string(), "$LATEST".to_string()), 3);
        assert_eq!(m.of_function("f").collect::<Vec<_>>(), [("$LATEST", &1), ("live", &2)]);
        m.forget("f", Some("live"));
        assert_eq!(m.get_for("f", "live"), None);
        m.forget("f", None);
        assert_eq!(m.len(), 1);
        assert_eq!(m.get_for("g", "$LATEST"), Some(&3));
    }
}
