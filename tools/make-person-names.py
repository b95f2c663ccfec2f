#!/usr/bin/env python3
"""Builds Sources/Analysis/Resources/person-names.tsv, the given names and surnames the entity tagger reads as a
feature ("Nathan" is a given name, "Sassi" a surname: the words of a person's name, wherever the sentence puts it).

Data: the 1990 United States Census name frequency lists (public domain), as shipped by the PyPI package
names 0.3.0 (MIT): dist.male.first, dist.female.first, dist.all.last, each ranked by frequency.

Reproduce (PyPI only, no other network):
    pip download --no-deps --no-binary :all: -d /tmp/names-dl names==0.3.0
    python3 tools/make-person-names.py /tmp/names-dl/names-0.3.0.tar.gz > Sources/Analysis/Resources/person-names.tsv

The output is deterministic (sorted). Rows, tab-separated: the lowercase word, then how common it is as a given
name and as a surname, each a band of its rank (0: not in the list):
    given name   1: among the 200 most common (of either sex), 2: the 1,000 most common, 3: the rest (5,163 names)
    surname      1: among the 1,000 most common, 2: the 5,000 most common, 3: the 20,000 most common
The surname list is cut at 20,000 of its 88,799 names (80 % of the population): past that it is mostly spellings
too rare to tell a name from any other capitalized word.
"""

import sys
import tarfile

GIVEN_BANDS = [(200, 1), (1000, 2), (10**9, 3)]
SURNAME_BANDS = [(1000, 1), (5000, 2), (20000, 3)]


def band(rank, bands):
    for limit, value in bands:
        if rank <= limit:
            return value
    return 0


def ranks(text):
    """Word → rank (1 is the most common), from a census list whose lines are `NAME freq cumfreq rank`."""
    result = {}
    for line in text.splitlines():
        fields = line.split()
        if len(fields) == 4:
            result[fields[0].lower()] = int(fields[3])
    return result


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make-person-names.py names-0.3.0.tar.gz")
    with tarfile.open(sys.argv[1]) as archive:
        def read(name):
            return archive.extractfile("names-0.3.0/names/" + name).read().decode("ascii")
        male, female, last = ranks(read("dist.male.first")), ranks(read("dist.female.first")), ranks(read("dist.all.last"))
    given = {}
    for table in (male, female):
        for word, rank in table.items():
            given[word] = min(rank, given.get(word, rank))
    rows = {}
    for word, rank in given.items():
        rows[word] = [band(rank, GIVEN_BANDS), 0]
    for word, rank in last.items():
        value = band(rank, SURNAME_BANDS)
        if value:
            rows.setdefault(word, [0, 0])[1] = value
    print("# person-names.tsv: word, given-name band, surname band. Made by tools/make-person-names.py from the "
          "1990 US Census lists (public domain) in PyPI names 0.3.0.")
    for word in sorted(rows):
        print(f"{word}\t{rows[word][0]}\t{rows[word][1]}")


if __name__ == "__main__":
    main()
