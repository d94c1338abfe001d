# SPDX-License-Identifier: GPL-2.0
# Common helpers for the build scripts: logging, the cache directory, input
# hashing and a private apt configuration for Debian suites the host lacks.
# Sourced, never run.

set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Everything downloaded or built lives here, outside the clone, keyed by inputs.
CACHE=${IMX_RPMSG_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/imx-rpmsg-rs}
mkdir -p "$CACHE"
# Cargo output of the M4 firmware, one directory per checkout: a directory
# shared by every clone and worktree on the machine lets another checkout's
# build replace an ELF between our build and our boot.
FIRMWARE_TARGET=$CACHE/firmware/target-$(printf '%s' "$TOP" | sha256sum | cut -c1-12)

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# need TOOL [HINT]: stop with one clear message when a tool is missing.
need() {
    command -v "$1" >/dev/null 2>&1 ||
        die "required tool '$1' not found${2:+ ($2)}; run 'make setup' first"
}

# key_of FILE...: short hash of the contents of files (and their names), used
# to key cache directories by their inputs.
key_of() {
    local f
    for f in "$@"; do
        printf '%s\n' "${f#"$TOP"/}"
        cat "$f"
    done | sha256sum | cut -c1-16
}

# Debian mirror: read from the machine's own apt sources (never hard-coded).
debian_mirror() {
    if [ -n "${DEBIAN_MIRROR:-}" ]; then
        printf '%s\n' "$DEBIAN_MIRROR"
        return
    fi
    local uri
    uri=$(apt-cache policy 2>/dev/null |
        awk '$3 ~ /^bookworm(-updates)?\/main$/ { print $2; exit }')
    if [ -z "$uri" ]; then
        uri=$(grep -rhoE '^(deb |URIs:)[^#]*' /etc/apt/sources.list /etc/apt/sources.list.d 2>/dev/null |
            grep -oE 'https?://[^ ]*/debian/?( |$)' | grep -v security | head -n1 | tr -d ' ')
    fi
    [ -n "$uri" ] || die "no Debian mirror found in the apt sources; set DEBIAN_MIRROR"
    printf '%s\n' "${uri%/}"
}

# The private apt configuration: bookworm (armhf binaries), trixie-backports
# (linux-source) and sid (qemu source), with lists and cache in $CACHE/apt.
APTDIR=$CACHE/apt
apt_private() {
    # One user at a time: parallel builds share this configuration.
    exec {APT_LOCK_FD}>"$CACHE/apt.lock"
    flock "$APT_LOCK_FD"
    local mirror
    mirror=$(debian_mirror)
    mkdir -p "$APTDIR"/{etc/sources.list.d,etc/preferences.d,etc/apt.conf.d,lists/partial,cache/archives/partial,dl}
    local key=/usr/share/keyrings/debian-archive-keyring.gpg
    cat >"$APTDIR/etc/sources.list.new" <<LIST
deb [arch=amd64,armhf signed-by=$key] $mirror bookworm main
deb [arch=amd64 signed-by=$key] $mirror trixie-backports main
deb-src [signed-by=$key] $mirror sid main
LIST
    cat >"$APTDIR/apt.conf" <<CONF
Acquire::Check-Valid-Until "false";
Dir::Etc::SourceList "$APTDIR/etc/sources.list";
Dir::Etc::SourceParts "$APTDIR/etc/sources.list.d";
Dir::Etc::Preferences "$APTDIR/etc/preferences";
Dir::Etc::PreferencesParts "$APTDIR/etc/preferences.d";
Dir::State::Lists "$APTDIR/lists";
Dir::Cache "$APTDIR/cache";
Dir::State::status "$APTDIR/status";
APT::Architecture "amd64";
APT::Architectures { "amd64"; "armhf"; };
Debug::NoLocking "1";
APT::Sandbox::User "root";
CONF
    touch "$APTDIR/status"
    # Refresh the lists at most once a day, or when the sources change.
    if ! cmp -s "$APTDIR/etc/sources.list.new" "$APTDIR/etc/sources.list" ||
        [ -z "$(find "$APTDIR/lists" -maxdepth 1 -name '*InRelease' -mmin -1440 2>/dev/null)" ]; then
        mv "$APTDIR/etc/sources.list.new" "$APTDIR/etc/sources.list"
        log "updating private apt lists (bookworm, trixie-backports, sid sources)"
        # A mirror in the middle of a sync serves inconsistent indexes for a
        # few minutes: retry before giving up.
        local try
        for try in 1 2 3 4; do
            APT_CONFIG="$APTDIR/apt.conf" apt-get -q update >"$APTDIR/update.log" 2>&1 && break
            [ "$try" = 4 ] && {
                rm -f "$APTDIR/etc/sources.list"
                die "apt-get update for the private apt configuration failed: $(grep -m1 '^E:' "$APTDIR/update.log")"
            }
            log "apt-get update failed (attempt $try), retrying in $((try * 20)) s"
            sleep $((try * 20))
        done
    else
        rm -f "$APTDIR/etc/sources.list.new"
    fi
    exec {APT_LOCK_FD}>&-
}

# apt_fetch_deb PKG VERSION SHA256 -> prints the path of the verified .deb.
apt_fetch_deb() {
    local pkg=$1 ver=$2 sum=$3 out
    out="$APTDIR/dl/$(printf '%s_%s.deb' "${pkg%%:*}" "${ver//:/%3a}")"
    if [ ! -f "$out" ] || ! printf '%s  %s\n' "$sum" "$out" | sha256sum -c --quiet - 2>/dev/null; then
        apt_private
        rm -f "$out"
        local tmp
        tmp=$(mktemp -d "$APTDIR/dl/tmp.XXXXXX")
        (cd "$tmp" && APT_CONFIG="$APTDIR/apt.conf" apt-get -q download "$pkg=$ver" >/dev/null 2>"$tmp/err") ||
            die "Debian package $pkg version $ver is no longer available from the mirror ($(tail -n1 "$tmp/err")); update the pinned version in scripts/versions.sh"
        mv "$tmp"/*.deb "$out"
        rm -rf "$tmp"
        printf '%s  %s\n' "$sum" "$out" | sha256sum -c --quiet - ||
            die "checksum mismatch for $pkg $ver (expected $sum)"
    fi
    printf '%s\n' "$out"
}

# apt_fetch_source PKG VERSION DSC_SHA256 -> prints the directory holding the
# verified .dsc and its files (dpkg-source checks the files against the .dsc).
apt_fetch_source() {
    local pkg=$1 ver=$2 sum=$3 dir dsc
    dir="$APTDIR/src/$pkg-${ver//:/_}"
    dsc="$dir/${pkg}_${ver#*:}.dsc"
    if [ ! -f "$dsc" ] || ! printf '%s  %s\n' "$sum" "$dsc" | sha256sum -c --quiet - 2>/dev/null; then
        apt_private
        rm -rf "$dir"
        mkdir -p "$dir"
        (cd "$dir" && APT_CONFIG="$APTDIR/apt.conf" apt-get -q source --download-only "$pkg=$ver" >/dev/null 2>"$dir/err") ||
            die "Debian source $pkg version $ver is no longer available from the mirror ($(tail -n1 "$dir/err")); update the pinned version in scripts/versions.sh"
        printf '%s  %s\n' "$sum" "$dsc" | sha256sum -c --quiet - ||
            die "checksum mismatch for the $pkg $ver source (.dsc expected $sum)"
    fi
    printf '%s\n' "$dir"
}
