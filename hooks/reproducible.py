"""MkDocs hook: date the build by the last commit, so two builds of one commit are identical.

MkDocs stamps the sitemap (and its gzip header) with the build time unless ``SOURCE_DATE_EPOCH``
is set. Setting it from the commit makes ``site/`` a function of the sources alone: two clean
builds of the same commit give byte-identical trees. An explicit ``SOURCE_DATE_EPOCH`` wins; outside
a git checkout nothing changes.
"""

from __future__ import annotations

import os
import subprocess


def on_startup(command: str, dirty: bool) -> None:
    if "SOURCE_DATE_EPOCH" in os.environ:
        return
    try:
        completed = subprocess.run(
            ["git", "log", "-1", "--format=%ct"],
            capture_output=True,
            text=True,
            check=False,
            timeout=10,
        )
    except (OSError, subprocess.TimeoutExpired):
        return
    stamp = completed.stdout.strip()
    if completed.returncode == 0 and stamp.isdigit():
        os.environ["SOURCE_DATE_EPOCH"] = stamp
