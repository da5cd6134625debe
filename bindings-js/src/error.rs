//! The one place where core errors become JS errors. The message carries a stable
//! code (`polycache:<Code>:`) that `js/errors.js` turns into the matching `Error`
//! subclass, so JS users never see a bare string or a generic `Error`.

use polycache::Error;
use wasm_bindgen::JsError;

/// A JS number for an error message, without pulling Rust's float formatting (a fifth
/// of the module) into the wasm: whole numbers exactly, others to six decimals.
pub fn show(x: f64) -> String {
    if x.is_nan() {
        return "NaN".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "Infinity".into() } else { "-Infinity".into() };
    }
    let sign = if x < 0.0 { "-" } else { "" };
    let a = x.abs();
    if a >= 9.0e15 {
        return format!("{sign}{}", a as u64);
    }
    let micros = (a * 1e6).round() as u64;
    let (whole, frac) = (micros / 1_000_000, micros % 1_000_000);
    if frac == 0 {
        format!("{sign}{whole}")
    } else {
        let digits = format!("{frac:06}");
        format!("{sign}{whole}.{}", digits.trim_end_matches('0'))
    }
}

/// The prefix of a binding-level failure's message.
pub const INVALID_ARGUMENT: &str = "polycache:InvalidArgument:";

/// A binding-level failure: a JS argument that does not convert to what the core takes.
pub fn invalid_argument(msg: impl std::fmt::Display) -> JsError {
    JsError::new(&format!("{INVALID_ARGUMENT}{msg}"))
}

/// Maps a core error to its JS form.
pub fn to_js(e: Error) -> JsError {
    JsError::new(&coded(e))
}

/// A core error as `polycache:<Code>:<message>`, which `js/errors.js` maps to a class.
pub fn coded(e: Error) -> String {
    let code = match &e {
        Error::InvalidTimeout(_) => "InvalidTimeout",
        Error::InvalidConfig(_) => "InvalidConfig",
        Error::ValueTooLarge { size, max_bytes, .. } => {
            // The store works on slots, so the core's message has no key to name.
            return format!(
                "polycache:ValueTooLarge:value of size {size} is larger than the cache's maxSize of {max_bytes}"
            );
        }
        Error::KeyNotFound(_) | Error::NotAnInteger(_) | Error::Overflow(_) => "InvalidArgument",
        Error::Snapshot(_) => "Snapshot",
        #[allow(unreachable_patterns)]
        _ => "Polycache",
    };
    // Core messages name the core's fields; JS users set lru-cache's options.
    let msg = e.to_string().replace("max_entries", "max").replace("max_bytes", "maxSize");
    format!("polycache:{code}:{msg}")
}

#[cfg(test)]
mod tests {
    use super::show;

    #[test]
    fn shows_numbers_as_js_would() {
        for (x, want) in [(0.0, "0"), (-1.0, "-1"), (1.5, "1.5"), (0.1, "0.1"), (f64::NAN, "NaN"), (f64::NEG_INFINITY, "-Infinity")] {
            assert_eq!(show(x), want);
        }
    }
}
