# The peer of row 4 (benches/replay.mjs): Python's json.loads over the same JSONL file, parse
# only (no scoring at all), so it is a floor for "read every line", not a rival scorer.
# Prints the number of lines parsed (checked by the caller).
import json
import sys

n = 0
with open(sys.argv[1], "rb") as f:
    for line in f:
        json.loads(line)
        n += 1
print(n)
