#!/usr/bin/env bash
# System packages Subterra and its tests need on Debian 12 (Qt/VTK under Xvfb,
# CJK fonts, GDAL's GeoPackage validator, RTKLIB str2str and socat for the GNSS
# tests, poppler for PDF checks, setpriv and chattr for the read-only file
# tests).  Installs them when run as root; otherwise prints the command to run.
set -euo pipefail
PKGS="xvfb xauth libxcb-icccm4 libxcb-keysyms1 libxcb-cursor0 libxkbcommon-x11-0 libxcb-image0
libxcb-render-util0 libxcb-randr0 libxcb-shape0 libxcb-xkb1 libgl1-mesa-dri libegl-mesa0 libegl1
libglx-mesa0 libosmesa6 libfontconfig1 libdbus-1-3 libxrender1 libxi6 fonts-noto-cjk
python3-gdal gdal-bin rtklib socat pv poppler-utils proj-data util-linux e2fsprogs"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
else
  echo "Missing system packages; run as root:" >&2
  echo "  sudo apt-get install -y$missing" >&2
  exit 1
fi
