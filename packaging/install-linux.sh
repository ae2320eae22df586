#!/usr/bin/env bash
# Install Autoposter's desktop integration on Linux: the .desktop file, the AppStream metainfo and the hicolor icons,
# and optionally a PyInstaller build (packaging/build.sh) with a launcher in bin/. Safe to run again.
#
#   packaging/install-linux.sh                                # after `pip install .`: autoposter-gui is on PATH
#   packaging/install-linux.sh --bundle dist/autoposter-gui   # after packaging/build.sh
#   packaging/install-linux.sh --uninstall                    # removes everything this script installs
#
# Environment: PREFIX (default: ~/.local), DESTDIR (default: empty; a staging root for distribution packages).
set -euo pipefail

APP_ID="io.github.autoposter.Autoposter"
SIZES=(16 32 48 64 128 256 512)
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
ICONS="$ROOT/autoposter_gui/resources/icons"

PREFIX="${PREFIX:-$HOME/.local}"
PREFIX="${PREFIX%/}"
DESTDIR="${DESTDIR:-}"
DEST="$DESTDIR$PREFIX"
BUNDLE=""
UNINSTALL=0

usage() { sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
  case "$1" in
    --bundle) [ $# -ge 2 ] || { echo "install-linux.sh: --bundle needs a folder" >&2; exit 2; }; BUNDLE="$2"; shift 2 ;;
    --bundle=*) BUNDLE="${1#--bundle=}"; shift ;;
    --uninstall) UNINSTALL=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "install-linux.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

APPS="$DEST/share/applications"
METAINFO="$DEST/share/metainfo"
HICOLOR="$DEST/share/icons/hicolor"
LIBDIR="$DEST/lib/autoposter"
BINLINK="$DEST/bin/autoposter-gui"

refresh_caches() {
  # Only for a live install; a staged (DESTDIR) install leaves this to the package's triggers.
  [ -z "$DESTDIR" ] || return 0
  if command -v gtk-update-icon-cache >/dev/null 2>&1; then gtk-update-icon-cache -q -t -f "$HICOLOR" || true; fi
  if command -v update-desktop-database >/dev/null 2>&1; then update-desktop-database -q "$APPS" || true; fi
}

if [ "$UNINSTALL" = 1 ]; then
  rm -f "$APPS/$APP_ID.desktop" "$METAINFO/$APP_ID.metainfo.xml" "$HICOLOR/scalable/apps/$APP_ID.svg"
  for size in "${SIZES[@]}"; do rm -f "$HICOLOR/${size}x${size}/apps/$APP_ID.png"; done
  if [ -L "$BINLINK" ] && [ "$(readlink "$BINLINK")" = "$PREFIX/lib/autoposter/autoposter-gui" ]; then rm -f "$BINLINK"; fi
  rm -rf "$LIBDIR"
  refresh_caches
  echo "Autoposter's desktop integration removed from $DEST"
  exit 0
fi

EXEC="autoposter-gui"
if [ -n "$BUNDLE" ]; then
  [ -x "$BUNDLE/autoposter-gui" ] || { echo "install-linux.sh: $BUNDLE/autoposter-gui not found; run packaging/build.sh" >&2; exit 1; }
  BUNDLE="$(cd "$BUNDLE" && pwd)"
  rm -rf "$LIBDIR.new"
  mkdir -p "$(dirname "$LIBDIR")"
  cp -a "$BUNDLE" "$LIBDIR.new"
  rm -rf "$LIBDIR"
  mv "$LIBDIR.new" "$LIBDIR"
  mkdir -p "$(dirname "$BINLINK")"
  ln -sfn "$PREFIX/lib/autoposter/autoposter-gui" "$BINLINK"
  EXEC="$PREFIX/bin/autoposter-gui"  # absolute: ~/.local/bin is not on every desktop session's PATH
fi

mkdir -p "$APPS"
sed -e "s|^Exec=autoposter-gui|Exec=$EXEC|" -e "s|^TryExec=autoposter-gui|TryExec=$EXEC|" \
  "$HERE/$APP_ID.desktop" > "$APPS/$APP_ID.desktop.tmp"
chmod 644 "$APPS/$APP_ID.desktop.tmp"
mv "$APPS/$APP_ID.desktop.tmp" "$APPS/$APP_ID.desktop"
install -D -m 644 "$HERE/$APP_ID.metainfo.xml" "$METAINFO/$APP_ID.metainfo.xml"
for size in "${SIZES[@]}"; do
  install -D -m 644 "$ICONS/${size}x${size}/app.png" "$HICOLOR/${size}x${size}/apps/$APP_ID.png"
done
install -D -m 644 "$ICONS/scalable/app.svg" "$HICOLOR/scalable/apps/$APP_ID.svg"
refresh_caches

echo "Autoposter installed into $DEST (launcher: $EXEC)"
