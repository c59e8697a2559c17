#!/usr/bin/env bash
# Builds llama.cpp's shared libraries (CPU backend, release) and llama-server from the tree
# vendored in the llama-cpp-python sdist, installs them with their headers into $LLAMA_PREFIX,
# and links that folder to .llama in the clone, where Package.swift and the tests look.
# Does nothing when that prefix is complete: a rebuild takes 5-8 minutes on two cores.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/llama-env.sh
say() { printf 'llama.cpp: %s\n' "$*" >&2; }

link_into_clone() { ln -sfn "$LLAMA_PREFIX" .llama; }
if [[ -f $LLAMA_PREFIX/.complete ]]; then
  link_into_clone
  exit 0
fi

work="$rakis_cache_dir/llama.cpp/build-$LLAMA_CPP_PYTHON_VERSION-$$"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work"
say "fetching the llama-cpp-python $LLAMA_CPP_PYTHON_VERSION source distribution from PyPI"
python3 -m pip download -q --disable-pip-version-check --no-deps --no-binary :all: \
  "llama-cpp-python==$LLAMA_CPP_PYTHON_VERSION" -d "$work"
tar -xzf "$work"/llama_cpp_python-*.tar.gz -C "$work"
source_dir=$(echo "$work"/llama_cpp_python-*/vendor/llama.cpp)

say "building into $LLAMA_PREFIX (release, CPU, native; takes 5-8 minutes on two cores)"
staging="$LLAMA_PREFIX.partial"
rm -rf "$staging"
cmake -S "$source_dir" -B "$work/build" -G "Unix Makefiles" \
  -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=ON -DGGML_NATIVE=ON \
  -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TOOLS=ON \
  -DLLAMA_BUILD_SERVER=ON -DLLAMA_CURL=OFF -DLLAMA_OPENSSL=OFF \
  -DCMAKE_BUILD_WITH_INSTALL_RPATH=ON -DCMAKE_INSTALL_RPATH='$ORIGIN;$ORIGIN/../lib' \
  >"$work/configure.log" 2>&1 || { cat "$work/configure.log" >&2; exit 1; }
cmake --build "$work/build" -j"$(nproc)" --target llama llama-server \
  >"$work/build.log" 2>&1 || { tail -50 "$work/build.log" >&2; exit 1; }

mkdir -p "$staging/lib" "$staging/include" "$staging/bin"
cp -P "$work"/build/bin/*.so* "$staging/lib/" 2>/dev/null || true
find "$work/build" -name '*.so*' \( -type f -o -type l \) -exec cp -P {} "$staging/lib/" \;
cp "$work/build/bin/llama-server" "$staging/bin/"
cp "$source_dir"/include/llama.h "$staging/include/"
cp "$source_dir"/ggml/include/*.h "$staging/include/"
rm -rf "$LLAMA_PREFIX"
mv "$staging" "$LLAMA_PREFIX"
touch "$LLAMA_PREFIX/.complete"
link_into_clone
say "installed into $LLAMA_PREFIX"
