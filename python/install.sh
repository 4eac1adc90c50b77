#!/usr/bin/env bash
# Creates python/.venv and installs the pinned requirements (idempotent: a stamp holds the hash of requirements.txt,
# so a second run returns at once). The venv sees the system site packages: Debian's python3-torch (1.13.1, CPU,
# no multi-GB CUDA wheels) and python3-numpy; only the pure-Python or small PyPI packages are downloaded.
set -euo pipefail
cd "$(dirname "$0")"
PYTHON="${PYTHON:-/usr/bin/python3}"
stamp=".venv/.requirements.sha256"
want="$(sha256sum requirements.txt | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
if ! "$PYTHON" -c "import torch" 2>/dev/null; then
  echo "python/install.sh: $PYTHON cannot import torch; install Debian's python3-torch (apt-get install python3-torch python3-venv)" >&2
  exit 1
fi
"$PYTHON" -m venv --system-site-packages .venv
.venv/bin/pip install --quiet --disable-pip-version-check -r requirements.txt
.venv/bin/python -c "import torch, transformers, trl, accelerate, safetensors"
echo "$want" > "$stamp"
