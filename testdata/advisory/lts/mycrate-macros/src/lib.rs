//! Helpers of the fixture crate family.

/// The header size of a frame.
pub const HEADER: usize = 4;
