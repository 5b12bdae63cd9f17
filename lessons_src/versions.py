"""Which versions of NumPy and PyTorch the book's outputs were produced with.

Every chapter's first code cell calls ``print_versions``. Under the versions
pinned in ``requirements.txt`` it prints the same line everywhere, so nbval
compares it like any other output; a reader with other versions also gets a
one-line warning naming them, since their outputs may then differ from the page.

The installed versions are read from the package metadata, so nothing is
imported: chapters 1 to 3 run without PyTorch.
"""

from importlib import metadata

PINNED = {"numpy": "2.4.6", "torch": "2.13.0"}
"""The versions in ``requirements.txt`` (a test keeps the two equal)."""

DISPLAY_NAMES = {"numpy": "NumPy", "torch": "PyTorch"}


def installed_version(package):
    """The installed version of ``package`` without a local label (``2.13.0+cpu`` -> ``2.13.0``); None if absent."""
    try:
        version = metadata.version(package)
    except metadata.PackageNotFoundError:
        return None
    return version.split("+", 1)[0]


def print_versions(*packages, installed=installed_version):
    """Print the versions the outputs were produced with, and warn in one line if the reader's differ.

    packages: the distributions a chapter's outputs depend on, from ``PINNED``
    (``"numpy"``, ``"torch"``); all of them when none are given.
    installed: a function from a package name to its installed version (None
    when it is missing); tests pass their own.
    """
    packages = packages or tuple(PINNED)
    unknown = [package for package in packages if package not in PINNED]
    if unknown:
        raise ValueError(f"packages: expected names from {sorted(PINNED)}; got {unknown}")
    names = [f"{DISPLAY_NAMES[package]} {PINNED[package]}" for package in packages]
    print(f"Outputs produced with {' and '.join(names)}.")
    differing = {package: installed(package) for package in packages if installed(package) != PINNED[package]}
    if differing:
        yours = [f"{DISPLAY_NAMES[package]} {version or '(not installed)'}" for package, version in differing.items()]
        print(f"Warning: you have {' and '.join(yours)}, so your outputs may differ from the ones shown.")
