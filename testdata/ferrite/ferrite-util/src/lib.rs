//! Utilities for ferrite (fixture).

pub fn remote_rejecting() -> ferrite::PipeOptions {
    ferrite::PipeOptions { reject_remote: true }
}
