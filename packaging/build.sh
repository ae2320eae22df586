#!/usr/bin/env bash
# Build the one-folder app with PyInstaller: dist/autoposter-gui/autoposter-gui (Linux).
#   packaging/build.sh [--no-webengine]
# Environment: PYTHON (default: the active venv, else ./.venv or ./venv, else python3),
#              DIST_DIR (default: dist), WORK_DIR (default: build/pyinstaller).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

for arg in "$@"; do
  case "$arg" in
    --no-webengine) export AUTOPOSTER_WEBENGINE=0 ;;
    -h|--help) sed -n '2,5p' "$0"; exit 0 ;;
    *) echo "build.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done

if [ -z "${PYTHON:-}" ]; then
  if [ -n "${VIRTUAL_ENV:-}" ] && [ -x "$VIRTUAL_ENV/bin/python" ]; then PYTHON="$VIRTUAL_ENV/bin/python"
  elif [ -x .venv/bin/python ]; then PYTHON=.venv/bin/python
  elif [ -x venv/bin/python ]; then PYTHON=venv/bin/python
  else PYTHON=python3
  fi
fi
if ! "$PYTHON" -c "import PyInstaller, autoposter_gui" 2>/dev/null; then
  echo "build.sh: $PYTHON needs PyInstaller and Autoposter: $PYTHON -m pip install pyinstaller -e ." >&2
  exit 1
fi

DIST_DIR="${DIST_DIR:-$ROOT/dist}"
WORK_DIR="${WORK_DIR:-$ROOT/build/pyinstaller}"
"$PYTHON" packaging/render_icons.py --check || { echo "build.sh: run packaging/render_icons.py first" >&2; exit 1; }
"$PYTHON" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath "$DIST_DIR" --workpath "$WORK_DIR" packaging/autoposter.spec

BIN="$DIST_DIR/autoposter-gui/autoposter-gui"
"$BIN" --version
echo "built $BIN ($(du -sh "$DIST_DIR/autoposter-gui" | cut -f1), QtWebEngine: $([ "${AUTOPOSTER_WEBENGINE:-1}" = 0 ] && echo left out || echo kept))"
