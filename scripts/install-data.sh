#!/usr/bin/env bash
# Installs the real data sets the tests, examples and benchmarks use (DESIGN.md, "Real data"):
#   dataset-fashion-mnist -> /usr/share/datasets/fashion-mnist/{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz
#   wordnet-base          -> /usr/share/wordnet/data.{noun,verb,adj,adv}
# Idempotent: does nothing when both are present. Uses sudo when not root.
set -euo pipefail

packages=()
[[ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]] || packages+=(dataset-fashion-mnist)
[[ -f /usr/share/wordnet/data.noun ]] || packages+=(wordnet-base)

if [[ ${#packages[@]} -eq 0 ]]; then
  echo "install-data: dataset-fashion-mnist and wordnet-base are already installed"
  exit 0
fi

if [[ $(id -u) -eq 0 ]]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1; then
  sudo=(sudo)
else
  echo "install-data: need root or sudo to install ${packages[*]}" >&2
  exit 1
fi

echo "install-data: installing ${packages[*]}"
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${packages[@]}"
