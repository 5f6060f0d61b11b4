"""Experiments that produce evidence runs (optional extra: `pip install 'kb[experiments]'`).

Modules under this package may import torch and numpy; nothing outside it does, so the core of
kb installs and runs without them.
"""
