//! A work-stealing queue (fixture).

/// The stealer's end of a queue.
pub struct Stealer {
    pub top: usize,
    pub bottom: usize,
}

impl Stealer {
    /// Takes the task at the top, if the queue is not empty.
    pub fn steal(&mut self) -> Option<usize> {
        let t = self.top;
        if t <= self.bottom {
            self.top = t + 1;
            return Some(t);
        }
        None
    }
}
