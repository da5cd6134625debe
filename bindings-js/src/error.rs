//! The one place where core errors become JS errors. The message carries a stable
//! code (`polycache:<Code>:`) that `js/errors.js` turns into the matching `Error`
//! subclass, so JS users never see a bare string or a generic `Error`.

use polycache::Error;
#[cfg(feature = "codec")]
use wasm_bindgen::JsError;
#[cfg(any(feature = "store", feature = "lru"))]
use wasm_bindgen::prelude::wasm_bindgen;

// Messages are joined from pieces, never with `format!` or a `Display` impl: the store
// module then carries none of `core::fmt` for them (docs/js-size-and-speed.md).

/// The pieces of a message, joined.
pub fn cat(parts: &[&str]) -> String {
    let mut s = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for p in parts {
        s.push_str(p);
    }
    s
}

/// A whole number in decimal. (Iterators, no indexing: no bounds check to panic on.)
pub fn push_int(s: &mut String, n: u64) {
    push_digits(s, n, 1);
}

/// `n` in decimal, at least `width` digits (leading zeros).
fn push_digits(s: &mut String, mut n: u64, width: usize) {
    let mut digits = [b'0'; 20];
    let mut len = 0;
    for d in digits.iter_mut().rev() {
        *d = b'0' + (n % 10) as u8;
        n /= 10;
        len += 1;
        if n == 0 && len >= width {
            break;
        }
    }
    s.extend(digits.iter().skip(digits.len() - len).map(|&d| char::from(d)));
}

/// A JS number for an error message, without Rust's float formatting: whole numbers
/// exactly, others to six decimals.
pub fn show(x: f64) -> String {
    if x.is_nan() {
        return "NaN".into();
    }
    let mut s = String::new();
    if x < 0.0 {
        s.push('-');
    }
    let a = x.abs();
    if a.is_infinite() {
        s.push_str("Infinity");
    } else if a >= 9.0e15 {
        push_int(&mut s, a as u64);
    } else {
        let micros = (a * 1e6).round() as u64;
        push_int(&mut s, micros / 1_000_000);
        let mut frac = micros % 1_000_000;
        if frac != 0 {
            let mut width = 6;
            while frac % 10 == 0 {
                frac /= 10;
                width -= 1;
            }
            s.push('.');
            push_digits(&mut s, frac, width);
        }
    }
    s
}

/// The prefix of a binding-level failure's message.
pub const INVALID_ARGUMENT: &str = "polycache:InvalidArgument:";

/// A binding-level failure as a message (`polycache:InvalidArgument:...`).
#[cfg(any(feature = "store", feature = "lru"))]
pub fn invalid(msg: &str) -> String {
    cat(&[INVALID_ARGUMENT, msg])
}

// The stores' modules (`store`, `lru`) import nothing from JS: V8 compiles each import's
// wrapper, and a module's first, with its optimizing compiler (TurboFan) when it compiles
// the module, ~0.5 ms of a first cache's start (docs/js-speed.md, session 21). So they
// make no JS `Error` (nor any other JS value): a constructor that fails answers
// `undefined` and leaves its message here, read once by `take_failure`; a method that
// fails answers a value that says so and leaves its message in its store (`take_error`).
#[cfg(any(feature = "store", feature = "lru"))]
thread_local! {
    static FAILURE: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

/// A constructor's failure: `None`, its message left for [`take_failure`].
#[cfg(any(feature = "store", feature = "lru"))]
pub fn failed<T>(message: String) -> Option<T> {
    fail(message);
    None
}

#[cfg(any(feature = "store", feature = "lru"))]
#[cold]
#[inline(never)]
fn fail(message: String) {
    FAILURE.with(|f| *f.borrow_mut() = message);
}

/// The message of the last constructor that answered `undefined`, as
/// `polycache:<Code>:<message>` (once; empty after).
#[cfg(any(feature = "store", feature = "lru"))]
#[wasm_bindgen]
pub fn take_failure() -> String {
    FAILURE.with(|f| std::mem::take(&mut *f.borrow_mut()))
}

/// A binding-level failure: a JS argument that does not convert to what the core takes.
#[cfg(feature = "codec")]
pub fn invalid_argument(msg: impl AsRef<str>) -> JsError {
    invalid_argument_str(msg.as_ref())
}

// The failures are out of line (#[cold], and kept so by build.mjs: wasm-outlined.mjs): a
// JsError's making is not compiled with the functions that may fail, which every cache's
// first calls compile in a runtime compiling wasm on first call (V8's Liftoff).
#[cfg(feature = "codec")]
#[cold]
#[inline(never)]
fn invalid_argument_str(msg: &str) -> JsError {
    JsError::new(&cat(&[INVALID_ARGUMENT, msg]))
}

/// Maps a core error to its JS form.
#[cfg(feature = "codec")]
#[cold]
#[inline(never)]
pub fn to_js(e: Error) -> JsError {
    JsError::new(&coded(e))
}

/// A core error as `polycache:<Code>:<message>`, which `js/errors.js` maps to a class
/// (and where the core's option names become lru-cache's).
pub fn coded(e: Error) -> String {
    let code = match &e {
        Error::InvalidTimeout(_) => "InvalidTimeout",
        Error::InvalidConfig(_) => "InvalidConfig",
        Error::ValueTooLarge { size, max_bytes, .. } => {
            // The store works on slots, so the core's message has no key to name.
            let mut s = String::from("polycache:ValueTooLarge:value of size ");
            push_int(&mut s, *size as u64);
            s.push_str(" is larger than the cache's maxSize of ");
            push_int(&mut s, *max_bytes as u64);
            return s;
        }
        Error::KeyNotFound(_) | Error::NotAnInteger(_) | Error::Overflow(_) => "InvalidArgument",
        Error::Snapshot(_) => "Snapshot",
        #[allow(unreachable_patterns)]
        _ => "Polycache",
    };
    let (before, detail, after) = e.message_parts().unwrap_or(("", "", ""));
    cat(&["polycache:", code, ":", before, detail, after])
}

#[cfg(test)]
mod tests {
    use super::show;

    #[test]
    fn shows_numbers_as_js_would() {
        let cases = [
            (0.0, "0"),
            (-1.0, "-1"),
            (1.5, "1.5"),
            (0.1, "0.1"),
            (-2.000_25, "-2.00025"),
            (1e16, "10000000000000000"),
            (f64::NAN, "NaN"),
            (f64::NEG_INFINITY, "-Infinity"),
        ];
        for (x, want) in cases {
            assert_eq!(show(x), want);
        }
    }
}
