#!/usr/bin/env bash
# Developer entry point.
#   ./dev.sh example   set up .venv and run the example crawl end to end
#   ./dev.sh test      set up .venv (and redis-server when possible), lint, type-check, run every test
#   ./dev.sh test-min  the test suite on Python 3.10 with the oldest supported dependencies
#                      (.venv-min, pinned by ci/min-constraints.txt); fails if python3.10 is missing
#   ./dev.sh fuzz      run only the property tests (-m fuzz), 20x their CI budget
#                      (HYPOTHESIS_PROFILE=long unless set; extra args go to pytest)
#   ./dev.sh bench     run the benchmarks (needs ../shared beside the repository)
set -euo pipefail
cd "$(dirname "$0")"

setup() {
    if [ ! -x .venv/bin/python ]; then
        python3 -m venv .venv
    fi
    # Reinstall only when the build inputs changed since the last install (the
    # install compiles the C extension scrapy_newsclean/_speedups.c in place).
    local stamp=.venv/.newsclean-installed
    if [ ! -f "$stamp" ] || [ -n "$(find pyproject.toml setup.py \
        scrapy_newsclean/_speedups.c scrapy_newsclean/_speedups_sbox.h -newer "$stamp")" ]; then
        .venv/bin/python -m pip install -q --upgrade pip
        .venv/bin/python -m pip install -q -e ".[dev]"
        touch "$stamp"
    fi
}

# A Python 3.10 interpreter: $PYTHON310, pyenv's 3.10.x, or python3.10 on PATH.
find_python310() {
    local candidate
    for candidate in "${PYTHON310:-}" "$(pyenv root 2>/dev/null)"/versions/3.10*/bin/python3.10 \
        "$HOME"/.pyenv/versions/3.10*/bin/python3.10 python3.10; do
        if [ -n "$candidate" ] && "$candidate" -c 'import sys; assert sys.version_info[:2] == (3, 10)' \
            >/dev/null 2>&1; then
            echo "$candidate"
            return 0
        fi
    done
    return 1
}

# .venv-min: Python 3.10 and the oldest supported versions (ci/min-constraints.txt).
setup_min() {
    if [ ! -x .venv-min/bin/python ]; then
        local python310
        if ! python310="$(find_python310)"; then
            echo "!!! ./dev.sh test-min needs Python 3.10 (the oldest supported Python) and found none:" >&2
            echo "!!! install it (pyenv install 3.10) or set PYTHON310=/path/to/python3.10." >&2
            echo "!!! The minimum-versions test did NOT run." >&2
            exit 1
        fi
        "$python310" -m venv .venv-min
    fi
    local stamp=.venv-min/.newsclean-installed
    if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ ci/min-constraints.txt -nt "$stamp" ]; then
        .venv-min/bin/python -m pip install -q --upgrade pip
        .venv-min/bin/python -m pip install -q -c ci/min-constraints.txt -e ".[test]"
        touch "$stamp"
    fi
}

ensure_redis() {
    command -v redis-server >/dev/null 2>&1 && return 0
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "Installing redis-server with apt-get (the Redis store tests use a real server)" >&2
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
    else
        echo "redis-server not found: Redis tests will be skipped (CI installs it)" >&2
    fi
}

# pytest with the given arguments; "collected no tests" (status 5) is a failure.
# PYTEST_VENV picks the environment (.venv by default).
run_pytest() {
    local status=0
    "${PYTEST_VENV:-.venv}"/bin/python -m pytest "$@" || status=$?
    if [ "$status" = 5 ]; then
        echo "pytest collected no tests: treating that as a failure" >&2
        return 1
    fi
    return "$status"
}

case "${1:-}" in
    example)
        setup
        .venv/bin/python example_project/run.py
        ;;
    test)
        setup
        ensure_redis
        .venv/bin/ruff check .
        .venv/bin/ruff format --check .
        .venv/bin/mypy scrapy_newsclean
        run_pytest --cov=scrapy_newsclean --cov-branch --cov-report=term "${@:2}"
        ;;
    test-min)
        setup_min
        ensure_redis
        .venv-min/bin/python -m pip list --format=freeze 2>/dev/null \
            | grep -iE '^(scrapy|w3lib|itemadapter|tldextract|redis|simhash|twisted)==' >&2
        PYTEST_VENV=.venv-min run_pytest "${@:2}"
        ;;
    fuzz)
        setup
        HYPOTHESIS_PROFILE="${HYPOTHESIS_PROFILE:-long}" \
            run_pytest -m fuzz --hypothesis-show-statistics "${@:2}"
        ;;
    bench)
        setup
        .venv/bin/python -m benchmarks "${@:2}"
        ;;
    *)
        echo "usage: ./dev.sh example|test|test-min|fuzz|bench" >&2
        exit 2
        ;;
esac
