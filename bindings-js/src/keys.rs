//! The core's key functions for JS. Strings reaching here are well-formed UTF-16
//! (the JS side rejects lone surrogates first: wasm-bindgen would replace them with
//! U+FFFD, and two different keys would meet).

use wasm_bindgen::prelude::*;

use crate::error::{cat, invalid_argument, show};

fn int(x: f64, name: &str) -> Result<i64, JsError> {
    if x.is_finite() && x.fract() == 0.0 && x.abs() <= 2f64.powi(53) {
        Ok(x as i64)
    } else {
        Err(invalid_argument(cat(&[name, " must be an integer, got ", &show(x)])))
    }
}

fn length(x: f64) -> Result<usize, JsError> {
    match int(x, "maxLength")? {
        n if n >= 0 => Ok(n as usize),
        n => Err(invalid_argument(cat(&["maxLength must not be negative, got ", &show(n as f64)]))),
    }
}

/// Django's default key function: `prefix:version:key`.
#[wasm_bindgen(js_name = makeKey)]
pub fn make_key(prefix: &str, version: f64, key: &str) -> Result<String, JsError> {
    Ok(polycache::make_key(prefix, int(version, "version")?, key))
}

/// A structured key (see the core's `KeyBuilder`); `names[i]=values[i]` are the params.
#[wasm_bindgen(js_name = buildKeyParts)]
pub fn build_key(
    resource: String,
    ids: Vec<String>,
    names: Vec<String>,
    values: Vec<String>,
    scope: Option<String>,
    max_length: Option<f64>,
) -> Result<String, JsError> {
    if names.len() != values.len() {
        return Err(invalid_argument("every parameter needs a name and a value"));
    }
    let mut b = polycache::KeyBuilder::new(resource);
    for id in ids {
        b = b.id(id);
    }
    for (n, v) in names.into_iter().zip(values) {
        b = b.param(n, v);
    }
    if let Some(scope) = scope {
        b = b.scope(scope);
    }
    if let Some(max) = max_length {
        b = b.max_length(length(max)?);
    }
    Ok(b.build())
}

/// Shortens a key longer than `max_length` code points with a SHA-256 suffix.
#[wasm_bindgen(js_name = shortenKey)]
pub fn shorten_key(key: &str, max_length: f64) -> Result<String, JsError> {
    Ok(polycache::shorten_key(key, length(max_length)?))
}

/// `namespace|generation|key`, the namespace escaped. The generation is a u64
/// (a JS `BigInt`), as in the core.
#[wasm_bindgen(js_name = namespacedKey)]
pub fn namespaced_key(namespace: &str, generation: u64, key: &str) -> String {
    polycache::namespaced_key(namespace, generation, key)
}

/// Django's memcached key warnings, by name (`too_long`, `forbidden_character`).
#[wasm_bindgen(js_name = keyWarnings)]
pub fn key_warnings(key: &str) -> Vec<String> {
    polycache::key_warnings(key).into_iter().map(|w| w.name().to_owned()).collect()
}
