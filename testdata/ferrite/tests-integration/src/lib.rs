//! Integration tests of ferrite (never published).
