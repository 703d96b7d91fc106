//! Length-prefixed frames: the fixture crate of an LTS crate family.

pub mod frame;
