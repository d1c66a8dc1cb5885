"""Reading a QR code back, in pure Python, so that tests check what a phone would read (segno cannot decode and the
machine has no zbar): the modules of one of fivestar's SVG files, and the text a clean symbol (versions 1–10, no
damage: no error correction is attempted) holds, following ISO/IEC 18004's layout."""

from __future__ import annotations

import re
from collections.abc import Sequence

Matrix = Sequence[Sequence[int]]

# Error-correction codewords per block and number of blocks, versions 1–10, by level (ISO/IEC 18004, table 9)
ECC_PER_BLOCK = {"L": (7, 10, 15, 20, 26, 18, 20, 24, 30, 18), "M": (10, 16, 26, 18, 24, 16, 18, 22, 22, 26),
                 "Q": (13, 22, 18, 26, 18, 24, 18, 22, 20, 24), "H": (17, 28, 22, 16, 22, 28, 26, 26, 24, 28)}
BLOCKS = {"L": (1, 1, 1, 1, 1, 2, 2, 2, 2, 4), "M": (1, 1, 1, 2, 2, 4, 4, 4, 5, 5),
          "Q": (1, 1, 2, 2, 4, 4, 6, 6, 8, 8), "H": (1, 1, 2, 4, 4, 4, 5, 6, 8, 8)}
LEVEL_BITS = {"L": 1, "M": 0, "Q": 3, "H": 2}
MASKS = (
    lambda r, c: (r + c) % 2 == 0,
    lambda r, c: r % 2 == 0,
    lambda r, c: c % 3 == 0,
    lambda r, c: (r + c) % 3 == 0,
    lambda r, c: (r // 2 + c // 3) % 2 == 0,
    lambda r, c: (r * c) % 2 + (r * c) % 3 == 0,
    lambda r, c: ((r * c) % 2 + (r * c) % 3) % 2 == 0,
    lambda r, c: ((r + c) % 2 + (r * c) % 3) % 2 == 0,
)
ALPHANUMERIC = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"


class Unreadable(Exception):
    """The modules are not a QR code this reader can read."""


def svg_modules(svg: str) -> list[list[int]]:
    """The dark modules of one of fivestar's QR SVGs, quiet zone cut: one <path> of horizontal strokes through the
    middle of each row, `M x y.5 h n` for a row's first run, `m gap 0 h n` for the next ones."""
    side = int(re.search(r'viewBox="0 0 (\d+) \1"', svg).group(1))  # type: ignore[union-attr]
    paths = re.findall(r'<path[^>]* d="([^"]*)"', svg)
    assert len(paths) == 1, "one path"
    grid = [[0] * side for _ in range(side)]
    commands = re.findall(r"([Mm])(\d+) (\d+)(?:\.5)?h(\d+)", paths[0])
    assert "".join(f"{c}{a} {b}{'.5' if c == 'M' else ''}h{n}" for c, a, b, n in commands) == paths[0], "only runs"
    x = y = 0
    for command, a, b, n in commands:
        if command == "M":
            x, y = int(a), int(b)
        else:
            x, y = x + int(a), y + int(b)
        for i in range(int(n)):
            grid[y][x + i] = 1
        x += int(n)
    top = next(r for r, row in enumerate(grid) if any(row))
    left = min(row.index(1) for row in grid if any(row))
    size = side - 2 * top
    return [row[left:left + size] for row in grid[top:top + size]]


def _format_word(level: str, mask: int) -> int:
    data = LEVEL_BITS[level] << 3 | mask
    rem = data
    for _ in range(10):
        rem = (rem << 1) ^ ((rem >> 9) * 0x537)
    return (data << 10 | rem) ^ 0x5412


def _alignment_centres(version: int) -> list[int]:
    if version == 1:
        return []
    size = 17 + 4 * version
    count = version // 7 + 2
    step = (version * 4 + count * 2 + 1) // (count * 2 - 2) * 2
    return [6, *sorted(size - 7 - i * step for i in range(count - 1))]


def function_modules(version: int) -> list[list[bool]]:
    """Which modules are patterns, timing, format and version information rather than data."""
    size = 17 + 4 * version
    used = [[False] * size for _ in range(size)]

    def mark(r0: int, c0: int, rows: int, cols: int) -> None:
        for r in range(max(r0, 0), min(r0 + rows, size)):
            for c in range(max(c0, 0), min(c0 + cols, size)):
                used[r][c] = True

    for r0, c0 in ((0, 0), (0, size - 8), (size - 8, 0)):
        mark(r0, c0, 8, 8)  # finder and separator
    mark(6, 0, 1, size)
    mark(0, 6, size, 1)
    centres = _alignment_centres(version)
    for r in centres:
        for c in centres:
            if (r, c) in ((6, 6), (6, size - 7), (size - 7, 6)):
                continue
            mark(r - 2, c - 2, 5, 5)
    mark(8, 0, 1, 9)
    mark(0, 8, 9, 1)
    mark(8, size - 8, 1, 8)
    mark(size - 8, 8, 8, 1)  # with the dark module
    if version >= 7:
        mark(0, size - 11, 6, 3)
        mark(size - 11, 0, 3, 6)
    return used


def read_format(matrix: Matrix) -> tuple[str, int]:
    """The error-correction level and mask, from the copy of the format information around the top-left finder."""
    bits = [matrix[i][8] for i in range(6)] + [matrix[7][8], matrix[8][8], matrix[8][7]]
    bits += [matrix[8][14 - i] for i in range(9, 15)]
    word = sum(bit << i for i, bit in enumerate(bits))
    for level in LEVEL_BITS:
        for mask in range(8):
            if _format_word(level, mask) == word:
                return level, mask
    raise Unreadable("format information")


def read_codewords(matrix: Matrix, version: int, mask: int) -> list[int]:
    """Every codeword in placement order (the zigzag from the bottom right), unmasked."""
    size = len(matrix)
    used = function_modules(version)
    bits: list[int] = []
    right = size - 1
    while right >= 1:
        if right == 6:
            right = 5
        upward = ((right + 1) & 2) == 0
        for vert in range(size):
            row = size - 1 - vert if upward else vert
            for col in (right, right - 1):
                if not used[row][col]:
                    bits.append(matrix[row][col] ^ int(MASKS[mask](row, col)))
        right -= 2
    return [int("".join(map(str, bits[i:i + 8])), 2) for i in range(0, len(bits) - 7, 8)]


def data_codewords(codewords: list[int], version: int, level: str) -> list[int]:
    """The data codewords, undoing the interleaving of the blocks (short blocks first, long ones a codeword more)."""
    blocks, ecc = BLOCKS[level][version - 1], ECC_PER_BLOCK[level][version - 1]
    total = len(codewords)
    short_count = blocks - total % blocks
    short_data = total // blocks - ecc
    sizes = [short_data + (0 if b < short_count else 1) for b in range(blocks)]
    data: list[list[int]] = [[] for _ in range(blocks)]
    i = 0
    for index in range(max(sizes)):
        for b in range(blocks):
            if index < sizes[b]:
                data[b].append(codewords[i])
                i += 1
    return [c for block in data for c in block]


def parse(data: list[int], version: int) -> str:
    """The segments' text (numeric, alphanumeric, byte; ECI skipped), up to the terminator."""
    bits = "".join(f"{c:08b}" for c in data)
    at = 0
    out = []

    def take(n: int) -> int:
        nonlocal at
        if at + n > len(bits):
            raise Unreadable("segment runs past the data")
        value = int(bits[at:at + n], 2)
        at += n
        return value

    big = version >= 10
    while at + 4 <= len(bits):
        mode = take(4)
        if mode == 0:
            break
        if mode == 0b0111:  # ECI designator (one byte form)
            take(8)
            continue
        if mode == 0b0001:
            count = take(12 if big else 10)
            digits = ""
            while len(digits) < count:
                n = min(3, count - len(digits))
                digits += str(take({3: 10, 2: 7, 1: 4}[n])).zfill(n)
            out.append(digits)
        elif mode == 0b0010:
            count = take(11 if big else 9)
            text = ""
            while len(text) < count:
                if count - len(text) >= 2:
                    value = take(11)
                    text += ALPHANUMERIC[value // 45] + ALPHANUMERIC[value % 45]
                else:
                    text += ALPHANUMERIC[take(6)]
            out.append(text)
        elif mode == 0b0100:
            count = take(16 if big else 8)
            raw = bytes(take(8) for _ in range(count))
            try:
                out.append(raw.decode("utf-8"))
            except UnicodeDecodeError:
                out.append(raw.decode("latin-1"))
        else:
            raise Unreadable(f"mode {mode:04b}")
    return "".join(out)


def decode(matrix: Matrix) -> str:
    """The text of an undamaged QR code (version 1–10)."""
    size = len(matrix)
    version = (size - 17) // 4
    if size != 17 + 4 * version or not 1 <= version <= 10:
        raise Unreadable(f"size {size}")
    level, mask = read_format(matrix)
    return parse(data_codewords(read_codewords(matrix, version, mask), version, level), version)
