#!/bin/sh
# The main job: set up .venv if needed, then train, evaluate and save the demo model.
#   sh scripts/demo.sh [--epochs N] [--out PATH] ...   (arguments go to `lamina demo`)
set -eu
. "$(dirname -- "$0")/_venv.sh"
LAMINA_EXTRAS="" ensure_venv
exec "$VENV/bin/lamina" demo "$@"
