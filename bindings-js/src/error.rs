//! The one place where core errors become JS errors. The message carries a stable
//! code (`polycache:<Code>:`) that `js/errors.js` turns into the matching `Error`
//! subclass, so JS users never see a bare string or a generic `Error`.

use polycache::Error;
use wasm_bindgen::JsError;

/// A binding-level failure: a JS argument that does not convert to what the core takes.
pub fn invalid_argument(msg: impl std::fmt::Display) -> JsError {
    JsError::new(&format!("polycache:InvalidArgument:{msg}"))
}

/// Maps a core error to its JS form.
pub fn to_js(e: Error) -> JsError {
    let code = match &e {
        Error::InvalidTimeout(_) => "InvalidTimeout",
        Error::InvalidConfig(_) => "InvalidConfig",
        Error::ValueTooLarge { size, max_bytes, .. } => {
            // The store works on slots, so the core's message has no key to name.
            return JsError::new(&format!(
                "polycache:ValueTooLarge:value of size {size} is larger than the cache's maxSize of {max_bytes}"
            ));
        }
        Error::KeyNotFound(_) | Error::NotAnInteger(_) | Error::Overflow(_) => "InvalidArgument",
        Error::Snapshot(_) => "Snapshot",
        #[allow(unreachable_patterns)]
        _ => "Polycache",
    };
    JsError::new(&format!("polycache:{code}:{e}"))
}
