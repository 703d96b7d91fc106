//! The ferrite runtime (fixture).

pub use ferrite_macros::MACROS;

/// Options of a named pipe server.
pub struct PipeOptions {
    pub reject_remote: bool,
}

/// The flags passed to the OS when a pipe instance is created.
pub fn pipe_flags(opts: &PipeOptions) -> u32 {
    let mut flags = 0x1;
    if opts.reject_remote {
        flags |= 0x8;
    }
    flags
}
