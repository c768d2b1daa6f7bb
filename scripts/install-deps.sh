#!/usr/bin/env bash
# Installs the Debian 12 packages that building, testing and running UAI Studio need.
# Runs apt-get as root, or through sudo when started by another user.
set -euo pipefail

packages=(
    build-essential cmake ninja-build ccache pkg-config make
    qt6-base-dev qt6-charts-dev libqt6opengl6-dev qt6-svg-dev libqt6sql6-sqlite xauth
    libtorch-dev zlib1g-dev
    # Without an optimised BLAS, Debian's libtorch falls back to the reference BLAS, which
    # trains these networks about 14 times slower. The OpenMP build follows LibTorch's
    # thread setting.
    libopenblas0-openmp libopenblas-openmp-dev
    # The default dataset, Fashion-MNIST, in /usr/share/datasets/fashion-mnist.
    dataset-fashion-mnist
)

missing=()
for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done
if [ ${#missing[@]} -eq 0 ]; then
    echo "install-deps: all packages are installed"
    exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
fi
echo "install-deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
