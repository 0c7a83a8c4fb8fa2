"""The FFmpeg media engine: binary discovery, the one runner, probing, and thin render functions."""
