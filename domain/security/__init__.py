"""Security primitives: signed URLs."""
