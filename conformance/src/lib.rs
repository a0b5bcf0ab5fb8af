//! Shared helpers of the generated protocol tests.
