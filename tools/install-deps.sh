#!/bin/sh
# Installs the Debian packages zoneplace needs that are missing. Used by `make deps` (and so by
# `make run` and `make test`). As root it runs apt-get; otherwise it prints the command and fails.
# Usage: tools/install-deps.sh [extra-package ...]
set -eu

PACKAGES="build-essential pkg-config libopenmpi-dev openmpi-bin libhdf5-openmpi-dev hdf5-tools
libcjson-dev libcsv-dev libyaml-dev python3-yaml python3-h5py python3-numpy python3-matplotlib jupyter-nbconvert python3-nbclient
python3-ipykernel python3-nbformat slurm-wlm munge iproute2 valgrind clang libclang-rt-14-dev"

missing=""
for pkg in $PACKAGES "$@"; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    case "$status" in
        *"install ok installed"*) ;;
        *) missing="$missing $pkg" ;;
    esac
done
[ -z "$missing" ] && exit 0

cmd="apt-get install -y -o DPkg::Lock::Timeout=600$missing"
if [ "$(id -u)" -ne 0 ]; then
    echo "zoneplace: missing Debian packages:$missing" >&2
    echo "zoneplace: run as root: apt-get update && $cmd" >&2
    exit 1
fi
echo "zoneplace: installing missing Debian packages:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -o DPkg::Lock::Timeout=600 >&2
# shellcheck disable=SC2086
$cmd >&2
