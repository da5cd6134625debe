//! Keys: how a handle turns the key a caller wrote into the key the store holds, and the
//! core's key functions (Django's `make_key`, structured keys, shortening, namespaces,
//! memcached warnings) for Python.

use std::borrow::Cow;

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};

use crate::text::as_str;

/// How the keys a caller writes become store keys.
pub enum KeyMode {
    /// The key is the store key (`polycache.Cache`); it must be a `str`.
    Raw,
    /// Django's rules: `key_func(key, prefix, version)`, natively
    /// `"{prefix}:{version}:{key}"` when `key_func` is Django's default (None here), then
    /// `validate(key)` for a key that deserves memcached warnings.
    Django {
        prefix: String,
        version: i64,
        key_func: Option<Py<PyAny>>,
        validate: Option<Py<PyAny>>,
    },
}

/// The text of a key as Django's default key function formats it (`"%s" % key`).
fn key_text<'b, 'py>(
    key: &'b Bound<'py, PyAny>,
    owned: &'b mut Option<Bound<'py, PyString>>,
) -> PyResult<&'b str> {
    if let Ok(s) = key.cast::<PyString>() {
        return as_str(s);
    }
    *owned = Some(key.str()?);
    as_str(owned.as_ref().expect("set above"))
}

impl KeyMode {
    /// The store key for `key` (in namespace `ns` at its generation, if given).
    pub fn store_key<'a>(
        &self,
        key: &'a Bound<'_, PyAny>,
        version: Option<i64>,
        ns: Option<(&str, u64)>,
    ) -> PyResult<Cow<'a, str>> {
        let py = key.py();
        match self {
            KeyMode::Raw => {
                let s = key.cast::<PyString>().map_err(|_| not_str(key))?;
                let text = as_str(s)?;
                Ok(match ns {
                    None => Cow::Borrowed(text),
                    Some((name, generation)) => {
                        Cow::Owned(polycache::namespaced_key(name, generation, text))
                    }
                })
            }
            KeyMode::Django {
                prefix,
                version: default_version,
                key_func,
                validate,
            } => {
                let version = version.unwrap_or(*default_version);
                let full = match key_func {
                    None => {
                        let mut owned = None;
                        let text = key_text(key, &mut owned)?;
                        match ns {
                            None => polycache::make_key(prefix, version, text),
                            Some((name, generation)) => polycache::make_key(
                                prefix,
                                version,
                                &polycache::namespaced_key(name, generation, text),
                            ),
                        }
                    }
                    Some(func) => {
                        let made = match ns {
                            None => func.call1(py, (key, prefix.as_str(), version))?,
                            Some((name, generation)) => {
                                let mut owned = None;
                                let text = key_text(key, &mut owned)?;
                                let inner = polycache::namespaced_key(name, generation, text);
                                func.call1(py, (inner, prefix.as_str(), version))?
                            }
                        };
                        let made = made.into_bound(py);
                        let s = made.cast::<PyString>().map_err(|_| {
                            PyTypeError::new_err(format!(
                                "KEY_FUNCTION must return a str, it returned {}",
                                made.get_type()
                                    .name()
                                    .map(|n| n.to_string())
                                    .unwrap_or_default()
                            ))
                        })?;
                        as_str(s)?.to_owned()
                    }
                };
                if let Some(validate) = validate {
                    if !polycache::key_warnings(&full).is_empty() {
                        validate.call1(py, (full.as_str(),))?;
                    }
                }
                Ok(Cow::Owned(full))
            }
        }
    }

    /// The caller's key back from a store key, when the key function can be reversed
    /// (Django's default); `None` for keys of another prefix or version.
    pub fn user_key<'k>(&self, store_key: &'k str, version: Option<i64>) -> Option<&'k str> {
        match self {
            KeyMode::Raw => Some(store_key),
            KeyMode::Django {
                prefix,
                version: default_version,
                key_func: None,
                ..
            } => {
                let head = polycache::make_key(prefix, version.unwrap_or(*default_version), "");
                store_key.strip_prefix(head.as_str())
            }
            KeyMode::Django { .. } => Some(store_key),
        }
    }
}

pub fn not_str(key: &Bound<'_, PyAny>) -> PyErr {
    let name = key
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_default();
    PyTypeError::new_err(format!("cache keys must be str, not {name}"))
}

/// Django's default key function, `"{prefix}:{version}:{key}"`.
///
/// >>> make_key("site", 1, "user:42")
/// 'site:1:user:42'
#[pyfunction]
pub fn make_key(prefix: &str, version: i64, key: &str) -> String {
    polycache::make_key(prefix, version, key)
}

/// The memcached warnings a key deserves, by name: `"too_long"`, `"forbidden_character"`.
///
/// >>> key_warnings("has space"), key_warnings("x" * 251), key_warnings("fine")
/// (['forbidden_character'], ['too_long'], [])
#[pyfunction]
pub fn key_warnings(key: &str) -> Vec<&'static str> {
    polycache::key_warnings(key)
        .into_iter()
        .map(|w| w.name())
        .collect()
}

/// `key` shortened to `max_length` characters with a SHA-256 suffix when it is longer.
///
/// >>> short = shorten_key("a" * 300, 100)
/// >>> len(short), short[:35] == "a" * 35, short[35]
/// (100, True, '#')
#[pyfunction]
pub fn shorten_key(key: &str, max_length: usize) -> String {
    polycache::shorten_key(key, max_length)
}

/// The key of `key` inside `namespace` at `generation`.
///
/// >>> namespaced_key("books", 3, "list:1")
/// 'books|3|list:1'
#[pyfunction]
pub fn namespaced_key(namespace: &str, generation: u64, key: &str) -> String {
    polycache::namespaced_key(namespace, generation, key)
}

/// A structured key with an unambiguous encoding: `resource[:id,...][?k=v&...][@scope]`,
/// parameters sorted, separators escaped, shortened past `max_length` (default 200).
/// Ids and parameter values may be any object; they are formatted with `str()`.
///
/// >>> build_key("books", 42, params={"page": 2, "ordering": "-title"}, scope="user:7")
/// 'books:42?ordering=-title&page=2@user%3A7'
/// >>> build_key("a:b", "c") != build_key("a", "b:c")
/// True
#[pyfunction]
#[pyo3(signature = (resource, *ids, params=None, scope=None, max_length=None))]
pub fn build_key(
    resource: &str,
    ids: Vec<Bound<'_, PyAny>>,
    params: Option<&Bound<'_, PyAny>>,
    scope: Option<&Bound<'_, PyAny>>,
    max_length: Option<usize>,
) -> PyResult<String> {
    let mut b = polycache::KeyBuilder::new(resource);
    for id in &ids {
        b = b.id(id.str()?.to_cow()?.into_owned());
    }
    if let Some(params) = params {
        let pairs = match params.cast::<PyDict>() {
            Ok(d) => d.items().into_any(),
            Err(_) => params.clone(),
        };
        for pair in pairs.try_iter()? {
            let pair = pair?;
            let (name, value) = match pair.len() {
                Ok(2) => (pair.get_item(0)?, pair.get_item(1)?),
                _ => {
                    return Err(PyTypeError::new_err(
                        "params must be a mapping or (name, value) pairs",
                    ))
                }
            };
            b = b.param(
                name.str()?.to_cow()?.into_owned(),
                value.str()?.to_cow()?.into_owned(),
            );
        }
    }
    if let Some(scope) = scope {
        b = b.scope(scope.str()?.to_cow()?.into_owned());
    }
    if let Some(n) = max_length {
        b = b.max_length(n);
    }
    Ok(b.build())
}
