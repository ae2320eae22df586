"""Desktop integration without Qt: start-at-login entries for Linux, macOS and Windows."""
