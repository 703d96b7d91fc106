//! The ledger wire format (fixture).

pub const VERSION: u8 = 1;
