//! The shared snapshot vector (tests/vectors/snapshot.json, written by generate.py's own
//! encoder of the documented layout), which the Python and JS suites read too: the core
//! encodes the same inputs to the same bytes, reads them back, checks the signature, and
//! a store loading them at `load_at` holds the expected remaining times.

use polycache::snapshot::{hex, Codec, LoadOptions, Snapshot, SnapshotEntry, SnapshotKey};
use polycache::{Config, Expiry, Store};
use serde_json::Value;

fn vector() -> Value {
    let path = format!("{}/../tests/vectors/snapshot.json", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).expect(&path)).expect("valid JSON")
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

fn key_of(v: &Value) -> SnapshotKey {
    SnapshotKey::new(v["key"].as_str().unwrap().as_bytes()).unwrap()
}

fn from_inputs(v: &Value) -> Snapshot {
    Snapshot {
        created_at: v["created_at"].as_u64().unwrap(),
        generation_floor: 1,
        generations: v["generations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| (g[0].as_str().unwrap().to_owned(), g[1].as_u64().unwrap()))
            .collect(),
        entries: v["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| SnapshotEntry {
                key: e["key"].as_str().unwrap().to_owned(),
                expires_at: e["expires_at"].as_u64(),
                codec: Codec::from_u8(e["codec"].as_u64().unwrap() as u8),
                value: unhex(e["value_hex"].as_str().unwrap()),
            })
            .collect(),
    }
}

#[test]
fn the_core_encodes_the_vector_byte_for_byte() {
    let v = vector();
    let key = key_of(&v);
    let snap = from_inputs(&v);
    assert_eq!(hex(&snap.encode(Some(&key)).unwrap()), v["signed_hex"].as_str().unwrap());
    assert_eq!(hex(&snap.encode(None).unwrap()), v["unsigned_hex"].as_str().unwrap());
}

#[test]
fn the_core_reads_the_vector_and_checks_its_signature() {
    let v = vector();
    let key = key_of(&v);
    let signed = unhex(v["signed_hex"].as_str().unwrap());
    let unsigned = unhex(v["unsigned_hex"].as_str().unwrap());
    let strict = LoadOptions { key: Some(&key), ..Default::default() };
    let loaded = Snapshot::decode(&signed, strict).unwrap();
    assert!(loaded.verified);
    assert_eq!(loaded.snapshot, from_inputs(&v));
    // JSON values are exactly the JSON text of the inputs.
    for (e, want) in loaded.snapshot.entries.iter().zip(v["entries"].as_array().unwrap()) {
        if e.codec == Codec::Json {
            let got: Value = serde_json::from_slice(&e.value).unwrap();
            assert_eq!(&got, &want["json"], "{}", e.key);
        }
    }
    let another = SnapshotKey::new(b"another key, 16+ bytes").unwrap();
    let wrong = LoadOptions { key: Some(&another), ..Default::default() };
    assert!(Snapshot::decode(&signed, wrong).unwrap_err().to_string().contains("signature"));
    assert!(Snapshot::decode(&unsigned, strict).unwrap_err().to_string().contains("not signed"));
    let lax = LoadOptions { allow_unsigned: true, ..Default::default() };
    let loaded = Snapshot::decode(&unsigned, lax).unwrap();
    assert!(!loaded.verified);
    assert_eq!(loaded.snapshot, from_inputs(&v));
}

#[test]
fn a_store_loading_the_vector_holds_the_expected_remaining_times() {
    let v = vector();
    let key = key_of(&v);
    let loaded = Snapshot::decode(&unhex(v["signed_hex"].as_str().unwrap()), LoadOptions { key: Some(&key), ..Default::default() })
        .unwrap()
        .snapshot;
    let at = v["load_at"].as_u64().unwrap();
    let mut store: Store<String, Vec<u8>> = Store::new(Config::lru(100)).unwrap();
    let entries = loaded
        .entries
        .into_iter()
        .map(|e| {
            let expiry = e.expires_at.map_or(Expiry::Never, Expiry::At);
            (e.key, e.value, 1, expiry)
        })
        .collect();
    store.load_prepared(entries, &loaded.generations, at);
    let want = v["expected_ttl_ms"].as_object().unwrap();
    let mut keys = store.keys(at);
    keys.sort();
    let mut want_keys: Vec<String> = want.keys().cloned().collect();
    want_keys.sort();
    assert_eq!(keys, want_keys);
    for (k, ms) in want {
        assert_eq!(store.expiry(k.as_str(), at).unwrap().remaining_ms(at), ms.as_u64(), "{k}");
    }
    for (name, generation) in v["generations"].as_array().unwrap().iter().map(|g| (g[0].as_str().unwrap(), g[1].as_u64())) {
        assert_eq!(Some(store.generation(name)), generation);
    }
}
