//! The shared vectors in tests/vectors/, which the Python and JS suites read too.
//! They were written by tests/vectors/generate.py, an independent reference.

use polycache::{
    key_warnings, make_key, namespaced_key, shorten_key, Config, Error, Eviction, Expiry, KeyBuilder, Store, Timeout,
};
use serde_json::Value;

fn load(name: &str) -> Value {
    let path = format!("{}/../tests/vectors/{name}.json", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).expect(&path)).expect("valid JSON")
}

fn s(v: &Value) -> &str {
    v.as_str().expect("string")
}

#[test]
fn make_key_vectors() {
    let v = load("keys");
    let cases = v["make_key"].as_array().unwrap();
    assert!(!cases.is_empty());
    for c in cases {
        assert_eq!(make_key(s(&c["prefix"]), c["version"].as_i64().unwrap(), s(&c["key"])), s(&c["expected"]), "{c}");
    }
}

#[test]
fn structured_key_vectors() {
    let v = load("keys");
    let cases = v["structured"].as_array().unwrap();
    assert!(cases.len() >= 20);
    for c in cases {
        let mut b = KeyBuilder::new(s(&c["resource"]));
        for id in c["ids"].as_array().unwrap() {
            b = b.id(s(id));
        }
        for p in c["params"].as_array().unwrap() {
            b = b.param(s(&p[0]), s(&p[1]));
        }
        if let Some(scope) = c["scope"].as_str() {
            b = b.scope(scope);
        }
        if let Some(m) = c["max_length"].as_u64() {
            b = b.max_length(m as usize);
        }
        assert_eq!(b.build(), s(&c["expected"]), "{c}");
    }
}

#[test]
fn shorten_and_namespace_vectors() {
    let v = load("keys");
    for c in v["shorten"].as_array().unwrap() {
        assert_eq!(shorten_key(s(&c["key"]), c["max_length"].as_u64().unwrap() as usize), s(&c["expected"]), "{c}");
    }
    for c in v["namespaced"].as_array().unwrap() {
        let got = namespaced_key(s(&c["namespace"]), c["generation"].as_u64().unwrap(), s(&c["key"]));
        assert_eq!(got, s(&c["expected"]), "{c}");
    }
}

#[test]
fn warning_vectors() {
    let v = load("keys");
    for c in v["warnings"].as_array().unwrap() {
        let got: Vec<&str> = key_warnings(s(&c["key"])).iter().map(|w| w.name()).collect();
        let want: Vec<&str> = c["warnings"].as_array().unwrap().iter().map(s).collect();
        assert_eq!(got, want, "{c}");
    }
}

fn timeout_of(v: &Value) -> Timeout {
    match v {
        Value::Null => Timeout::Never,
        Value::String(t) if t == "default" => Timeout::Default,
        Value::String(t) if t == "nan" => Timeout::Seconds(f64::NAN),
        Value::String(t) if t == "inf" => Timeout::Seconds(f64::INFINITY),
        Value::String(t) if t == "-inf" => Timeout::Seconds(f64::NEG_INFINITY),
        Value::Number(n) => Timeout::Seconds(n.as_f64().unwrap()),
        other => panic!("bad timeout {other}"),
    }
}

#[test]
fn timeout_vectors() {
    let v = load("timeouts");
    for c in v.as_array().unwrap() {
        let now = c["now"].as_u64().unwrap();
        let got = timeout_of(&c["timeout"]).expiry(now, timeout_of(&c["default"]));
        match &c["expected"] {
            Value::String(e) if e == "error" => assert!(matches!(got, Err(Error::InvalidTimeout(_))), "{c}"),
            Value::String(e) if e == "never" => assert_eq!(got, Ok(Expiry::Never), "{c}"),
            Value::String(e) if e == "expired" => assert!(got.unwrap().is_expired(now), "{c}"),
            Value::Number(n) => assert_eq!(got, Ok(Expiry::At(n.as_u64().unwrap())), "{c}"),
            other => panic!("bad expectation {other}"),
        }
    }
}

fn expiry_of(v: &Value) -> Expiry {
    v.as_u64().map(Expiry::At).unwrap_or(Expiry::Never)
}

#[test]
fn eviction_vectors() {
    let v = load("eviction");
    for case in v.as_array().unwrap() {
        let name = s(&case["name"]);
        let cfg = &case["config"];
        let config = Config {
            max_entries: cfg["max_entries"].as_u64().unwrap() as usize,
            max_bytes: cfg["max_bytes"].as_u64().map(|b| b as usize),
            eviction: if s(&cfg["eviction"]) == "cull" {
                Eviction::Cull { frequency: cfg["cull_frequency"].as_u64().unwrap() as usize }
            } else {
                Eviction::Lru
            },
        };
        let mut store: Store<String, ()> = Store::new(config).unwrap();
        let mut now = 0;
        for op in case["ops"].as_array().unwrap() {
            now = op["now"].as_u64().unwrap();
            let key = s(&op["key"]);
            let expected = &op["expected"];
            match s(&op["op"]) {
                "set" => {
                    let r = store.set(key.into(), (), op["charge"].as_u64().unwrap() as usize, expiry_of(&op["expires_at"]), now);
                    assert_eq!(r.is_err(), expected == "error", "{name}: {op}");
                }
                "add" => {
                    let r = store.add(key.into(), (), op["charge"].as_u64().unwrap() as usize, expiry_of(&op["expires_at"]), now);
                    match r {
                        Ok(b) => assert_eq!(Value::Bool(b), *expected, "{name}: {op}"),
                        Err(_) => assert_eq!(expected, "error", "{name}: {op}"),
                    }
                }
                "get" => assert_eq!(Value::Bool(store.get(key, now).is_some()), *expected, "{name}: {op}"),
                "delete" => assert_eq!(Value::Bool(store.delete(key, now)), *expected, "{name}: {op}"),
                "touch" => assert_eq!(Value::Bool(store.touch(key, expiry_of(&op["expires_at"]), now)), *expected, "{name}: {op}"),
                other => panic!("unknown op {other}"),
            }
            store.validate().unwrap();
        }
        let want: Vec<String> = case["expected_keys"].as_array().unwrap().iter().map(|k| s(k).to_owned()).collect();
        assert_eq!(store.keys(now), want, "{name}");
    }
}

/// tests/vectors/adaptive.json, from the independent reference in
/// tests/vectors/adaptive_reference.py: each request reads a key and stores it on a miss;
/// the adaptive store must hit and evict exactly where the reference does.
#[test]
fn adaptive_vectors() {
    let v = load("adaptive");
    for case in v.as_array().unwrap() {
        let name = s(&case["name"]);
        let cfg = &case["config"];
        let config = Config {
            max_entries: cfg["max_entries"].as_u64().unwrap() as usize,
            max_bytes: cfg["max_bytes"].as_u64().map(|b| b as usize),
            eviction: Eviction::Adaptive,
        };
        let mut store: Store<String, ()> = Store::new(config).unwrap();
        let mut hits = String::new();
        for r in case["requests"].as_array().unwrap() {
            let key = s(&r[0]);
            let hit = store.get(key, 0).is_some();
            hits.push(if hit { '1' } else { '0' });
            if !hit {
                store.set(key.into(), (), r[1].as_u64().unwrap() as usize, Expiry::Never, 0).unwrap();
            }
            store.validate().unwrap();
        }
        let want = &case["expected"];
        assert_eq!(hits, s(&want["hits"]), "{name}: hits");
        assert_eq!(store.stats().evictions, want["evictions"].as_u64().unwrap(), "{name}: evictions");
        let mut keys = store.keys(0);
        keys.sort();
        let want_keys: Vec<String> = want["keys"].as_array().unwrap().iter().map(|k| s(k).to_owned()).collect();
        assert_eq!(keys, want_keys, "{name}: keys");
    }
}
