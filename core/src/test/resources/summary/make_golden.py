#!/usr/bin/env python3
"""Writes v1.bin, the version-1 bytes of SummaryCodecTest.example(), from the format's specification
(SummaryCodec's Javadoc), independently of the Java code: little-endian, magic "SQAS", version 1,
fingerprint length and bytes, start, tokens, heads, m, d_head, log_decay, log_scale, s, z."""
import struct

b = b"SQAS" + bytes([1, 16]) + b"00ff00ff00ff00ff" + struct.pack("<qqiii", 4096, 77, 2, 2, 1)
for v in [-0.5, 0.0, 12.25, float("-inf"), 1.5, -2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5]:
    b += struct.pack("<d", v)
open("v1.bin", "wb").write(b)
