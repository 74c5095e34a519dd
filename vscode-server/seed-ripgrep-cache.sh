#!/usr/bin/env bash
# Puts Debian's rg where @vscode/ripgrep's postinstall looks before it downloads from GitHub
# (unreachable here): $TMPDIR/vscode-ripgrep-cache-<pkg version>/ripgrep-<rg tag>-<target>.tar.gz.
# Usage: seed-ripgrep-cache.sh [code-server version]   (needs /usr/bin/rg: apt-get install ripgrep)
set -euo pipefail

CS_VERSION="${1:-4.100.3}"
# Known values for code-server 4.100.3; re-derived below from the packages when npm can.
RG_PKG_VERSION="1.15.11"
RG_TAG="v13.0.0-10"
TARGET="x86_64-unknown-linux-musl"
case "$(uname -m)" in aarch64|arm64) TARGET="aarch64-unknown-linux-musl" ;; esac

RG_BIN="$(command -v rg || true)"
if [ -z "$RG_BIN" ]; then
  echo "seed-ripgrep-cache: rg not found; install it with: apt-get install -y ripgrep" >&2
  exit 1
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# Derive the versions from the exact packages (npm cache, then registry) so a version bump cannot
# silently miss the cache and fall back to a GitHub download.
if (cd "$work" && npm pack "code-server@$CS_VERSION" --silent >/dev/null 2>&1); then
  v="$(tar -xzOf "$work/code-server-$CS_VERSION.tgz" package/lib/vscode/npm-shrinkwrap.json \
      | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const p=JSON.parse(s).packages["node_modules/@vscode/ripgrep"];process.stdout.write(p?p.version:"")})')"
  [ -n "$v" ] && RG_PKG_VERSION="$v"
  if (cd "$work" && npm pack "@vscode/ripgrep@$RG_PKG_VERSION" --silent >/dev/null 2>&1); then
    t="$(tar -xzOf "$work/vscode-ripgrep-$RG_PKG_VERSION.tgz" package/lib/postinstall.js \
        | sed -n "s/^const VERSION = '\\([^']*\\)'.*/\\1/p")"
    [ -n "$t" ] && RG_TAG="$t"
  fi
fi

cache_dir="${TMPDIR:-/tmp}/vscode-ripgrep-cache-$RG_PKG_VERSION"
asset="$cache_dir/ripgrep-$RG_TAG-$TARGET.tar.gz"
mkdir -p "$cache_dir" "$work/rg"
cp "$RG_BIN" "$work/rg/rg"
tar -czf "$asset" -C "$work/rg" rg
echo "seed-ripgrep-cache: $asset <- $RG_BIN"
