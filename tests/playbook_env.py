"""The environment that tests, the demo and the benchmark run Ansible with."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Dict

REPO = Path(__file__).resolve().parents[1]
COLLECTIONS = REPO / ".cache" / "collections"
BIN = Path(sys.executable).parent


def playbook_env(workdir: Path, collections: Path = COLLECTIONS) -> Dict[str, str]:
    """Ansible sees only ``collections`` (this checkout and amazon.aws by default) and keeps its temporary files
    in ``workdir``; credentials come from the play, never from the caller's AWS_* variables or profile."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("AWS_") and name != "PYTHONPATH"}
    env.update({
        "ANSIBLE_COLLECTIONS_PATH": str(collections),
        "ANSIBLE_LOCAL_TMP": str(workdir / "ansible-tmp"),
        "ANSIBLE_REMOTE_TMP": str(workdir / "ansible-tmp"),
        "ANSIBLE_HOME": str(workdir / "ansible-home"),
        "ANSIBLE_LOCALHOST_WARNING": "false",
        "ANSIBLE_INVENTORY_UNPARSED_WARNING": "false",
        "ANSIBLE_NOCOLOR": "true",
        "ANSIBLE_FORCE_COLOR": "false",
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    })
    return env
