#!/usr/bin/env python3
"""weaken_version.py LIBRARY VERSION: mark a needed symbol version (e.g. GLIBCXX_3.4.32) as weak in an ELF64 library.

The dynamic loader refuses to load a library that needs a version its dependency lacks, unless that need carries the
VER_FLG_WEAK flag, when it only warns. This walks the library's SHT_GNU_verneed section (Elf64_Verneed records, each
with a chain of Elf64_Vernaux entries) and sets the flag on every entry naming VERSION. Little-endian ELF64 only.
"""
import struct
import sys

SHT_GNU_VERNEED = 0x6FFFFFFE
VER_FLG_WEAK = 0x2


def weaken(path, version):
    data = bytearray(open(path, "rb").read())
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        sys.exit(f"{path}: not a little-endian ELF64 file")
    section_offset = struct.unpack_from("<Q", data, 0x28)[0]
    entry_size, count = struct.unpack_from("<HH", data, 0x3A)
    sections = [struct.unpack_from("<IIQQQQIIQQ", data, section_offset + i * entry_size) for i in range(count)]
    weakened = 0
    for _, kind, _, _, offset, _, link, records, _, _ in sections:
        if kind != SHT_GNU_VERNEED:
            continue
        strings = sections[link][4]

        def name(at):
            start = strings + at
            return bytes(data[start:data.index(b"\0", start)]).decode()

        record = offset
        for _ in range(records):
            _, aux_count, _, aux, next_record = struct.unpack_from("<HHIII", data, record)
            entry = record + aux
            for _ in range(aux_count):
                _, flags, _, name_at, next_entry = struct.unpack_from("<IHHII", data, entry)
                if name(name_at) == version:
                    struct.pack_into("<H", data, entry + 4, flags | VER_FLG_WEAK)
                    weakened += 1
                entry += next_entry
            record += next_record
    open(path, "wb").write(data)
    print(f"{path}: {version} weakened in {weakened} place(s)")


if __name__ == "__main__":
    weaken(sys.argv[1], sys.argv[2])
