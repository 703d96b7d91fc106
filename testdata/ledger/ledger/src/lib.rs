//! Double-entry bookkeeping (fixture).

/// The balance of `entries`, in cents.
pub fn balance(entries: &[i64]) -> i64 {
    entries.iter().sum()
}
