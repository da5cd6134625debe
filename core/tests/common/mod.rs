pub mod model;
pub mod trace;
