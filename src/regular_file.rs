//! Reading what a user points the binary at: only regular files (a FIFO would block for ever,
//! `/dev/zero` would fill memory), at most `MAX_FILE_BYTES` each, as UTF-8 text.

use std::fmt;
use std::io::Read;
use std::path::Path;

/// The largest file the binary reads: the simulator's YAML limit.
pub const MAX_FILE_BYTES: u64 = 10 * 1024 * 1024;

/// Why a file was not read.
#[derive(Debug)]
pub enum ReadError {
    /// A FIFO, a device, a socket: anything but a regular file (or a folder).
    NotRegular,
    TooLarge(u64),
    NotUtf8,
    Io(std::io::Error),
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::NotRegular => write!(f, "not a regular file"),
            ReadError::TooLarge(n) => write!(f, "file is {n} bytes, larger than the limit of {MAX_FILE_BYTES} bytes"),
            ReadError::NotUtf8 => write!(f, "stream did not contain valid UTF-8"),
            ReadError::Io(e) => write!(f, "{e}"),
        }
    }
}

/// Reads a regular file as text, refusing anything else before opening it.
pub fn read_text(path: &Path) -> Result<String, ReadError> {
    let meta = std::fs::metadata(path).map_err(ReadError::Io)?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular);
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(ReadError::TooLarge(meta.len()));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path).map_err(ReadError::Io)?.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes).map_err(ReadError::Io)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(ReadError::TooLarge(bytes.len() as u64));
    }
    String::from_utf8(bytes).map_err(|_| ReadError::NotUtf8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_are_refused_before_they_are_opened() {
        assert!(matches!(read_text(Path::new("/dev/zero")), Err(ReadError::NotRegular)));
        assert!(matches!(read_text(Path::new("/no/such/file")), Err(ReadError::Io(_))));
    }
}
