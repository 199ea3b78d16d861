//! A fingerprint of the config file: a digest of each key's value and of the whole, so that
//! replicas can tell, without showing any value (tokens live there), which keys they
//! disagree on.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

/// Keys each replica may set its own way: where it listens, how it reaches the database.
const PER_REPLICA: [&str; 2] = ["http.listen", "database.url"];

/// The digest of the whole config and of each key (`section.key`, `array[i].key`), but for
/// the keys of `PER_REPLICA`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fingerprint {
    pub digest: String,
    pub keys: BTreeMap<String, String>,
}

impl Fingerprint {
    /// The fingerprint of config text (parsed as TOML: layout and comments do not count).
    pub fn of(text: &str) -> Fingerprint {
        let mut keys = BTreeMap::new();
        if let Ok(table) = text.parse::<toml::Table>() {
            flatten("", &toml::Value::Table(table), &mut keys);
        }
        keys.retain(|k, _| !PER_REPLICA.contains(&k.as_str()));
        let whole: String = keys.iter().map(|(k, v)| format!("{k}={v}\n")).collect();
        Fingerprint {
            digest: short_digest(&whole),
            keys,
        }
    }

    /// The keys whose values differ from `other`'s, or that only one of the two has.
    pub fn differing(&self, other: &BTreeMap<String, String>) -> Vec<String> {
        let mut keys: Vec<String> = self
            .keys
            .iter()
            .filter(|(k, v)| other.get(*k) != Some(v))
            .map(|(k, _)| k.clone())
            .chain(
                other
                    .keys()
                    .filter(|k| !self.keys.contains_key(*k))
                    .cloned(),
            )
            .collect();
        keys.sort();
        keys.dedup();
        keys
    }
}

fn flatten(prefix: &str, value: &toml::Value, out: &mut BTreeMap<String, String>) {
    match value {
        toml::Value::Table(table) => {
            for (key, v) in table {
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                flatten(&path, v, out);
            }
        }
        toml::Value::Array(items) if items.iter().all(toml::Value::is_table) => {
            for (i, item) in items.iter().enumerate() {
                flatten(&format!("{prefix}[{i}]"), item, out);
            }
        }
        leaf => {
            out.insert(prefix.to_owned(), short_digest(&leaf.to_string()));
        }
    }
}

/// The first 16 hex digits of SHA-256: plenty to tell values apart, nothing to read back.
fn short_digest(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_does_not_count_values_do() {
        let a = Fingerprint::of("[discord]\nguild_id = 1\n# note\n[[level]]\nrole = 5\n");
        let b = Fingerprint::of("[discord]\nguild_id    = 1\n\n[[level]]\nrole = 5");
        assert_eq!(a, b);
        let c = Fingerprint::of("[discord]\nguild_id = 1\n[[level]]\nrole = 6\nname = \"x\"\n");
        assert_ne!(a.digest, c.digest);
        assert_eq!(a.differing(&c.keys), ["level[0].name", "level[0].role"]);
        let here = Fingerprint::of("[http]\nlisten = \"127.0.0.1:8080\"\n[database]\nurl = \"a\"");
        let there = Fingerprint::of("[http]\nlisten = \"10.0.0.2:8080\"\n[database]\nurl = \"b\"");
        assert_eq!(here, there, "where a replica listens is its own business");
    }
}
