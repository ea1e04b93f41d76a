#!/usr/bin/env python3
# The JeOS guest has python3-minimal: the standard library's core
# (struct, re, os), not all of it.
import re
import struct

packed = struct.pack("<IhQ", 7, -2, 2**40)
assert struct.unpack("<IhQ", packed) == (7, -2, 2**40)
assert re.fullmatch(r"[0-9a-f]+", packed.hex())
