//! Emits the restJson1 protocol-compliance tests as Rust tests (filled in below).

use crate::output::Files;
use std::path::Path;

pub fn generate(_root: &Path, _files: &mut Files) -> Result<(), String> {
    Ok(())
}
