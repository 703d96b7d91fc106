//! HTTP/1 message framing: the fixture crate with `0.y` release lines.

pub mod headers;
