"""One chart or panel per module; each has pure functions that build it from data."""
