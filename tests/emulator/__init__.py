"""Local AWS emulator for seed.comprehend's tests and demos (never shipped).

moto in server mode, extended where moto is wrong or missing for sharing Comprehend custom models across accounts.
Start it with :class:`emulator.server.Emulator` or ``python -m emulator``; drive it with :mod:`emulator.client`.
Importing this package (or :mod:`emulator.client`) does not import moto: only :mod:`emulator.server` does.
"""
