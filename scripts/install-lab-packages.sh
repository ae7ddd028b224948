#!/usr/bin/env bash
# Install the real servers the network lab starts, and the system libraries Qt loads
# (pytest-qt imports QtGui/QtWidgets at start-up), on Debian/Ubuntu as root.
# Skipped quietly where that is impossible: the lab tests then skip with a reason.
set -euo pipefail
PACKAGES=(
    iproute2 bind9 bind9-utils bind9-dnsutils unbound
    radvd dnsmasq-base iptables nftables iputils-ping  # LAN lab (issue 6)
    nginx openssl  # web and TLS labs (nginx; the lab CAs)
    libegl1 libgl1 libxkbcommon0 libfontconfig1 libdbus-1-3 libglib2.0-0
    libxcb-icccm4 libxcb-keysyms1 libxcb-cursor0  # Qt's xcb platform: the app on X11, screenshots
    fonts-dejavu-core poppler-utils  # PDF report: its fonts; pdftotext/pdfinfo in its tests
    apache2-bin caddy knot postfix pdns-server pdns-backend-sqlite3  # check the advice (issue 8)
)
missing=()
for package in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
    echo "lab packages missing (${missing[*]}); lab tests will be skipped (run as root on Debian/Ubuntu to install them)" >&2
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
# No package may start its service while installing (caddy would take port 80, pdns port 53,
# postfix port 25): a policy-rc.d that says "no" for the duration, unless one exists already.
if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# the packages' own services are not wanted: the lab starts its own servers in namespaces
for service in named bind9 unbound caddy knot pdns postfix; do
    if command -v systemctl >/dev/null && systemctl is-active --quiet "$service" 2>/dev/null; then
        systemctl stop "$service" || true
    fi
done
