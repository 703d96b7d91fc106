//! Decoding length-prefixed frames.

/// The largest frame a decoder accepts by default.
pub const MAX_FRAME: usize = 16 * 1024;

/// Decodes frames from a byte buffer.
pub struct Decoder {
    max: usize,
}

impl Default for Decoder {
    fn default() -> Self {
        Decoder { max: MAX_FRAME }
    }
}

impl Decoder {
    /// A decoder that accepts frames up to `max` bytes.
    pub fn with_max(max: usize) -> Self {
        Decoder { max }
    }

    /// The largest frame this decoder accepts.
    pub fn max(&self) -> usize {
        self.max
    }

    /// The length of the next frame, once the buffer holds its header.
    pub fn frame_len(&self, buf: &[u8]) -> Option<usize> {
        let header: [u8; 4] = buf.get(..4)?.try_into().ok()?;
        Some(u32::from_be_bytes(header) as usize)
    }
}
