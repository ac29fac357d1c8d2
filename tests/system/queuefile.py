"""Reading queue files in tests: the record format of docs/queue-format.md
(type byte, varint length, data), split into sections."""


def read_records(path):
    """The (type, data) records of a queue file."""
    data = path.read_bytes()
    records, pos = [], 0
    while pos < len(data):
        rtype = chr(data[pos])
        pos += 1
        length, shift = 0, 0
        while True:
            byte = data[pos]
            pos += 1
            length |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                break
        records.append((rtype, data[pos:pos + length]))
        pos += length
    return records


def sections(records):
    """Split records into envelope, content and extracted lists."""
    types = [t for t, _ in records]
    m, x = types.index("M"), types.index("X")
    assert types[-1] == "E" and types.count("E") == 1
    return records[:m], records[m + 1:x], records[x + 1:-1]


def content_text(content):
    """Join content records back into text ('N' ends a line)."""
    out = bytearray()
    for rtype, data in content:
        assert rtype in "NL"
        out += data
        if rtype == "N":
            out += b"\n"
    return bytes(out)


def record(rtype, data=b""):
    """One queue file record: type, varint length, data."""
    if isinstance(data, str):
        data = data.encode()
    out, length = bytearray(rtype.encode()), len(data)
    while True:
        byte = length & 0x7F
        length >>= 7
        out.append(byte | (0x80 if length else 0))
        if not length:
            return bytes(out) + data


def encode_records(records):
    """Queue file bytes for (type, data) records."""
    return b"".join(record(rtype, data) for rtype, data in records)
