#!/bin/sh
# The test suite: set up .venv with the test extras if needed, lint with ruff, run pytest.
#   sh scripts/test.sh [pytest arguments]   (e.g. sh scripts/test.sh tests/test_demo_cli.py -x)
set -eu
. "$(dirname -- "$0")/_venv.sh"
LAMINA_EXTRAS="test" ensure_venv
cd "$ROOT"
echo "ruff check ."
"$VENV/bin/ruff" check .
exec "$VENV/bin/python" -m pytest "$@"
