//! Which body framing a request's headers ask for.

/// How the body of a message is delimited.
#[derive(Debug, PartialEq, Eq)]
pub enum Framing {
    Chunked,
    Length(u64),
    /// The headers contradict each other: the message must be rejected.
    Invalid,
}

/// The framing that `Transfer-Encoding` and `Content-Length` headers ask for.
pub fn framing(headers: &[(&str, &str)]) -> Framing {
    let encodings: Vec<&str> = headers
        .iter()
        .filter(|(name, _)| name.eq_ignore_ascii_case("transfer-encoding"))
        .map(|(_, value)| value.trim())
        .collect();
    if encodings.len() > 1 {
        return Framing::Invalid;
    }
    if let Some(te) = encodings.first() {
        return if te.eq_ignore_ascii_case("chunked") {
            Framing::Chunked
        } else {
            Framing::Invalid
        };
    }
    content_length(headers)
}

fn content_length(headers: &[(&str, &str)]) -> Framing {
    headers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, value)| value.trim().parse().ok())
        .map_or(Framing::Length(0), Framing::Length)
}
