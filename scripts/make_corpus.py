"""Snapshot the book's own prose into one text file: the corpus of chapter 7.

    python scripts/make_corpus.py

writes ``book/data/corpus.txt`` and its description ``book/data/corpus.json``
(sources, size, SHA-256, the commit the sources were read at). The corpus is
the Markdown the book is written in, in reading order: the introduction, the
Markdown cells of chapters 1 to 5 (code cells and outputs left out), and the
page "Where to go next". Each piece is stripped of blank lines at its ends
and the pieces are joined by one blank line; nothing else changes, so the
text is exactly the book's source (licensed CC BY 4.0, like the book's text).

Chapter 7 trains on this snapshot, not on the chapters as they are today, so
editing a chapter never changes chapter 7's outputs. The same sources give
the same bytes: run the script again only to take a new snapshot on purpose,
then re-execute chapter 7 and commit all three files together. The script
refuses to read sources with uncommitted changes (the commit it records
would not describe them) unless ``--allow-modified`` is given.
"""

import argparse
import hashlib
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "book" / "data" / "corpus.txt"
SOURCES = (
    "book/intro.md",
    "book/01_representing_sequences.ipynb",
    "book/02_recurrent_network.ipynb",
    "book/03_lstm_gates.ipynb",
    "book/04_lstm_in_pytorch.ipynb",
    "book/05_do_they_count.ipynb",
    "book/next_steps.md",
)
LICENCE = "CC BY 4.0 (the text of the book 'RNNs and LSTMs from scratch')"


def source_text(path):
    """The Markdown of one source: a page as it is, a notebook's Markdown cells joined by blank lines."""
    raw = path.read_text(encoding="utf-8")
    if path.suffix == ".md":
        pieces = [raw]
    elif path.suffix == ".ipynb":
        notebook = json.loads(raw)
        pieces = ["".join(cell["source"]) for cell in notebook["cells"] if cell["cell_type"] == "markdown"]
    else:
        raise ValueError(f"{path}: expected a .md page or an .ipynb notebook")
    return "\n\n".join(piece.strip("\n") for piece in pieces if piece.strip())


def corpus_text(root=ROOT, sources=SOURCES):
    """The corpus: every source's Markdown, in order, joined by one blank line, ending with a newline."""
    return "\n\n".join(source_text(Path(root) / source) for source in sources) + "\n"


def git(*args, root=ROOT):
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True).stdout.strip()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--allow-modified", action="store_true",
                        help="read sources that have uncommitted changes (the recorded commit will not describe them)")
    args = parser.parse_args(argv)
    modified = git("status", "--porcelain", "--", *SOURCES)
    if modified and not args.allow_modified:
        print(f"make_corpus: these sources have uncommitted changes; commit them first (or --allow-modified):\n{modified}",
              file=sys.stderr)
        return 1
    text = corpus_text()
    data = text.encode("utf-8")
    description = {
        "made_by": "python scripts/make_corpus.py",
        "sources": list(SOURCES),
        "what": "the Markdown of each source (notebooks: their Markdown cells), in this order, each stripped of "
                "blank lines at its ends, joined by one blank line, with a final newline",
        "source_commit": git("rev-parse", "HEAD"),
        "source_commit_date": git("log", "-1", "--format=%cs"),
        "sources_modified": bool(modified),
        "licence": LICENCE,
        "characters": len(text),
        "bytes": len(data),
        "distinct_characters": len(set(text)),
        "sha256": hashlib.sha256(data).hexdigest(),
    }
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_bytes(data)
    OUTPUT.with_suffix(".json").write_text(json.dumps(description, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {OUTPUT.relative_to(ROOT)}: {len(text)} characters ({len(data)} bytes), "
          f"{len(set(text))} distinct, from {len(SOURCES)} sources at commit {description['source_commit'][:12]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
