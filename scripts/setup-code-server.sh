#!/usr/bin/env bash
# Installs code-server (real VS Code 1.100.3 on Node 20) from npm for the end-to-end suite.
# @vscode/test-electron and @vscode/test-web download VS Code from a CDN, which CI cannot reach;
# code-server ships as an npm package and runs offline. npm 11 skips install scripts, so every
# native module is rebuilt explicitly and then checked, because a silently missing .node file only
# shows up later as a blank workbench or a dead terminal.
# Idempotent: a finished install is marked with .mechlens-complete and reused.
# Prints the package folder (the one holding out/node/entry.js) as the last line of stdout.
set -euo pipefail

VERSION="${CODE_SERVER_VERSION:-4.100.3}"
CACHE="${MECHLENS_E2E_CACHE:-$HOME/.cache/mechlens-e2e}"
ROOT="$CACHE/code-server-$VERSION"
PKG="$ROOT/package"
MARKER="$ROOT/.mechlens-complete"

fail() { echo "setup-code-server: $*" >&2; exit 1; }
log() { echo "setup-code-server: $*" >&2; }

if [[ -f "$MARKER" && -f "$PKG/out/node/entry.js" ]]; then
  echo "$PKG"
  exit 0
fi

command -v node >/dev/null || fail "node is not on PATH; install Node 20 first."
NODE_MAJOR="$(node -p 'process.versions.node.split(".")[0]')"
[[ "$NODE_MAJOR" == "20" || "$NODE_MAJOR" == "22" ]] || log "warning: code-server $VERSION expects Node 20, found $(node -v)."

apt_missing=()
for p in libkrb5-dev pkg-config ripgrep chromium; do
  dpkg -s "$p" >/dev/null 2>&1 || apt_missing+=("$p")
done
if ((${#apt_missing[@]})); then
  log "installing apt packages: ${apt_missing[*]}"
  SUDO=""; [[ "$(id -u)" == 0 ]] || SUDO="sudo"
  $SUDO apt-get update >&2 || fail "apt-get update failed; install ${apt_missing[*]} by hand."
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y "${apt_missing[@]}" >&2 \
    || fail "apt-get install ${apt_missing[*]} failed; install them by hand and rerun."
fi
RG="$(command -v rg)" || fail "ripgrep (rg) is missing; apt-get install ripgrep."

export npm_config_yes=true npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false

rm -rf "$ROOT"
mkdir -p "$ROOT"
cd "$ROOT"
log "downloading code-server@$VERSION"
npm pack "code-server@$VERSION" >&2 || fail "npm pack code-server@$VERSION failed (is the npm registry reachable?)."
tar xzf "code-server-$VERSION.tgz" || fail "could not unpack code-server-$VERSION.tgz."
rm -f "code-server-$VERSION.tgz"

cd "$PKG"
log "installing server dependencies"
npm install --omit=dev --ignore-scripts >&2 || fail "npm install in $PKG failed."
npm rebuild argon2 >&2 || fail "npm rebuild argon2 failed."

cd "$PKG/lib/vscode"
log "installing VS Code dependencies"
npm install --omit=dev --ignore-scripts >&2 || fail "npm install in lib/vscode failed."
log "building native modules (kerberos needs libkrb5-dev)"
npm rebuild kerberos node-pty @parcel/watcher @vscode/spdlog @vscode/deviceid native-watchdog >&2 \
  || fail "npm rebuild of VS Code's native modules failed; check that build-essential, python3 and libkrb5-dev are installed."
mkdir -p node_modules/@vscode/ripgrep/bin
ln -sfn "$RG" node_modules/@vscode/ripgrep/bin/rg
ln -sfn node_modules node_modules.asar
(cd bin/remote-cli && ln -sfn code-linux.sh code-server)
(cd bin/helpers && ln -sfn browser-linux.sh browser.sh)
log "installing built-in extensions' dependencies"
(cd extensions && npm install --omit=dev --ignore-scripts >&2) || fail "npm install in lib/vscode/extensions failed."

# A native module that did not build fails here, not halfway through a test run.
check_native() {
  local dir="$1" module="$2"
  (cd "$dir" && node -e "require('$module')" >/dev/null 2>&1) \
    || fail "native module $module did not build in $dir; rerun after fixing the build tools (see npm rebuild output above)."
}
check_native "$PKG" argon2
for m in node-pty @parcel/watcher @vscode/spdlog @vscode/deviceid native-watchdog kerberos; do
  check_native "$PKG/lib/vscode" "$m"
done

node "$PKG/out/node/entry.js" --version >/dev/null 2>&1 || fail "code-server does not start: node out/node/entry.js --version failed."
date -u +%FT%TZ > "$MARKER"
log "ready in $PKG"
echo "$PKG"
