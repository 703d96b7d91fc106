//! A markup parser (fixture).

pub use quill_macros::DIALECT;

/// Nesting deeper than this is an error.
pub const MAX_DEPTH: usize = 64;

/// The nesting depth of `input`, or an error when it is unbalanced.
pub fn depth(input: &str) -> Result<usize, String> {
    let (mut depth, mut max) = (0usize, 0usize);
    for c in input.chars() {
        match c {
            '[' => depth += 1,
            ']' => depth = depth.checked_sub(1).ok_or("unbalanced `]`")?,
            _ => {}
        }
        max = max.max(depth);
    }
    Ok(max)
}
