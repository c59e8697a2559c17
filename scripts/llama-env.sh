# Sourced by scripts and the Makefile: where the llama.cpp build for this checkout lives.
# RAKIS_CACHE_DIR moves the cache; the key is the llama-cpp-python version the project pins
# plus a short hash of this CPU's flags (the build is -march=native).
LLAMA_CPP_PYTHON_VERSION=0.3.36
rakis_cache_dir=${RAKIS_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/rakis}
rakis_cpu_key=$(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null | sha256sum | cut -c1-8)
LLAMA_PREFIX="$rakis_cache_dir/llama.cpp/$LLAMA_CPP_PYTHON_VERSION-$rakis_cpu_key"
