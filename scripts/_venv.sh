# Shared by scripts/demo.sh and scripts/test.sh (sourced, not run): make sure .venv exists
# and has lamina installed (editable) with the extras given in $LAMINA_EXTRAS.
# Re-running is quick: pip runs only when pyproject.toml, the extras or the checkout path change.

set -eu

ROOT=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)
VENV="$ROOT/.venv"

# The machine's Python, 3.10 or newer. $PYTHON overrides.
find_python() {
    for candidate in ${PYTHON:-} python3 python3.13 python3.12 python3.11 python3.10 python; do
        [ -n "$candidate" ] || continue
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
            echo "$candidate"
            return 0
        fi
    done
    echo "error: lamina needs Python 3.10 or newer (python3 on PATH, or set PYTHON=/path/to/python)" >&2
    return 1
}

make_venv() {
    py=$(find_python)
    echo "Creating $VENV with $("$py" -c 'import sys; print(sys.executable, sys.version.split()[0])')"
    if ! "$py" -m venv "$VENV" 2>/dev/null; then
        # Some Linux Pythons ship without ensurepip (Debian's python3-venv); virtualenv from pip works there.
        rm -rf "$VENV"
        echo "python -m venv is unavailable; using virtualenv from pip"
        "$py" -m virtualenv --version >/dev/null 2>&1 ||
            "$py" -m pip install --quiet --user virtualenv ||
            "$py" -m pip install --quiet --user --break-system-packages virtualenv
        "$py" -m virtualenv --quiet "$VENV"
    fi
}

ensure_venv() {
    if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c '' 2>/dev/null; then
        rm -rf "$VENV"
        make_venv
    fi
    extras=${LAMINA_EXTRAS:-}
    spec="."
    [ -z "$extras" ] || spec=".[$extras]"
    # A stamp per extras set records what was installed; pip runs again only when the
    # checkout path or pyproject.toml change. Installing extras also satisfies the base set.
    if [ -f "$(stamp_path "$extras")" ] && [ "$(cat "$(stamp_path "$extras")")" = "$(stamp_value "$extras")" ] &&
        [ -x "$VENV/bin/lamina" ]; then
        return 0
    fi
    echo "Installing lamina ($spec, editable) and its dependencies into .venv ..."
    (cd "$ROOT" && "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e "$spec")
    stamp_value "$extras" >"$(stamp_path "$extras")"
    stamp_value "" >"$(stamp_path "")"
}

stamp_path() { echo "$VENV/.lamina-installed-${1:-base}"; }
stamp_value() { (echo "$ROOT" "$1"; cat "$ROOT/pyproject.toml") | cksum | cut -d' ' -f1; }
