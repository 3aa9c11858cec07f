#!/usr/bin/env bash
# Builds (once) and caches the Debian root filesystem the stand-in images are made of:
# debootstrap minbase bookworm from the mirror apt already uses, plus the packages the stand-ins
# run (postgresql, redis-server, nginx, prometheus) and wget for health checks. Prints the
# tarball's path. The cache lives in $AETOS_STACK_CACHE (default /var/cache/aetos-load).
set -euo pipefail
cache="${AETOS_STACK_CACHE:-/var/cache/aetos-load}"
tarball="$cache/standin-rootfs-bookworm.tar"
if [ -s "$tarball" ]; then echo "$tarball"; exit 0; fi
mkdir -p "$cache"
# The mirror apt uses (deb822 sources first, then the one-line format).
mirror="$(grep -hoE '^URIs: *http[^ ]*/debian/?$' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n1 | sed 's/^URIs: *//')"
[ -n "$mirror" ] || mirror="$(grep -hoE '^deb +http[^ ]*/debian/? ' /etc/apt/sources.list 2>/dev/null | head -n1 | awk '{print $2}')"
[ -n "$mirror" ] || mirror="http://deb.debian.org/debian"
work="$(mktemp -d "$cache/rootfs.XXXXXX")"
trap 'rm -rf "$work"' EXIT
echo "stack: debootstrap bookworm from $mirror (once; cached in $tarball)" >&2
debootstrap --variant=minbase --cache-dir=/var/cache/apt/archives \
  --include=ca-certificates,wget,postgresql-15,redis-server,nginx-light,prometheus \
  bookworm "$work/root" "$mirror" >"$work/debootstrap.log" 2>&1 || { tail -n 30 "$work/debootstrap.log" >&2; exit 1; }
chroot "$work/root" apt-get clean
rm -rf "$work/root/var/lib/apt/lists/"* "$work/root/var/cache/apt/"*.bin
tar -C "$work/root" -cf "$tarball.tmp" .
mv "$tarball.tmp" "$tarball"
echo "$tarball"
