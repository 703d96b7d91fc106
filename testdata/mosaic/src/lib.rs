//! Tiles images (fixture).

pub use mosaic_derive::DERIVE;

/// The number of tiles of a `width` × `height` image cut in `tile` squares.
pub fn tiles(width: u32, height: u32, tile: u32) -> u32 {
    let across = width / tile;
    let down = height / tile;
    across * down
}
