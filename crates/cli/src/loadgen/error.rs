//! Load generator errors: a stable code scripts can branch on, and a message.

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadgenError {
    pub code: &'static str,
    pub message: String,
}

impl LoadgenError {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self { code, message: message.into() }
    }
}

impl std::fmt::Display for LoadgenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for LoadgenError {}
