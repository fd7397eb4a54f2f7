# Shared helpers for the scripts in this folder (sourced, not run).

step() { printf '\n==> %s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
have() { command -v "$1" >/dev/null 2>&1; }

apt_updated=0
# Installs Debian packages when root; otherwise names them and stops.
install_debs() {
  local missing=()
  for p in "$@"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ] || ! have apt-get; then
    die "missing Debian packages: ${missing[*]} (install them with: sudo apt-get install ${missing[*]})"
  fi
  if [ "$apt_updated" -eq 0 ]; then
    apt-get update -qq >/dev/null
    apt_updated=1
  fi
  step "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_rust() {
  if [ -f "$HOME/.cargo/env" ]; then . "$HOME/.cargo/env"; fi
  have cargo || die "cargo is missing: install Rust with rustup (see README.md), then run this again"
  if have rustup; then
    for c in rustfmt clippy; do
      rustup component list --installed 2>/dev/null | grep -q "^$c" || rustup component add "$c"
    done
  fi
  have rustfmt || die "rustfmt is missing: rustup component add rustfmt"
  cargo clippy --version >/dev/null 2>&1 || die "clippy is missing: rustup component add clippy"
}

ensure_build_tools() {
  if have dpkg; then
    install_debs build-essential pkg-config
  else
    have cc || die "a C compiler is missing (SQLite is compiled in): install gcc or clang"
  fi
}

# The desktop app: Tauri's system libraries (WebKitGTK and friends), and
# for its end-to-end test a virtual display, WebKit's WebDriver, a session
# bus (the single-instance lock and the notifications live there),
# x11-utils (xwininfo: the X window's own title and map state; xmessage:
# another app's window) and xdotool (X input focus, minimizing).
TAURI_DEBS=(libwebkit2gtk-4.1-dev libxdo-dev libssl-dev libayatana-appindicator3-dev librsvg2-dev file)
TAURI_E2E_DEBS=(xvfb xauth webkit2gtk-driver dbus-daemon x11-utils xdotool)

# Node.js 20.19 or newer builds the desktop front end (Vite 8).
ensure_node() {
  have node || die "Node.js is missing: install Node.js 20.19 or newer (https://nodejs.org), then run this again"
  have npm || die "npm is missing: install it with Node.js 20.19 or newer"
  local v
  v="$(node -p 'process.versions.node')"
  node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' \
    || die "Node.js $v is too old for the desktop front end: install 20.19 or newer"
}

# Builds the desktop front end (desktop/ui/dist), which the desktop
# binary embeds: it must exist before any cargo step.
build_desktop_ui() {
  ensure_node
  step "desktop front end: install, type check, unit tests, build"
  (
    cd desktop/ui
    # No install scripts: nothing is fetched outside the npm registry.
    npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
    npm run --silent check
    npx vitest run
    npx vite build --logLevel warn
  )
}
