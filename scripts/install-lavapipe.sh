#!/usr/bin/env bash
# Installs Mesa's lavapipe (a software Vulkan device) from Debian bookworm-backports into the project's .cache/
# folder, without touching the system, so onnxruntime-node's WebGPU provider (Dawn) has a Vulkan device on a machine without a GPU.
# bookworm's own Mesa 22.3 is rejected by Dawn; backports carries 25.x. Prints the folder; source its env.sh.
set -euo pipefail

MESA_SUITE=bookworm-backports
cache_root=$(cd "$(dirname "$0")/.." && pwd)/.cache
target=$cache_root/lavapipe-$MESA_SUITE

if [ -f "$target/.complete" ]; then
  echo "$target"
  exit 0
fi

mkdir -p "$cache_root"
staging=$(mktemp -d "$cache_root/.staging.XXXXXX")
trap 'rm -rf "$staging"' EXIT

# The machine's own mirror, read from its sources (not hard-coded), with the backports suite in a private list.
mirror=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
[ -n "$mirror" ] || mirror=$(awk '/^deb / { print $2; exit }' /etc/apt/sources.list 2>/dev/null || true)
[ -n "$mirror" ] || { echo "install-lavapipe: no Debian mirror found in /etc/apt" >&2; exit 1; }
mkdir -p "$staging/apt/lists/partial" "$staging/debs"
cat > "$staging/apt/sources.list" <<SOURCES
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror bookworm main
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $MESA_SUITE main
SOURCES
apt_options=(-o "Dir::Etc::SourceList=$staging/apt/sources.list" -o Dir::Etc::SourceParts=- -o "Dir::State::Lists=$staging/apt/lists" -o Debug::NoLocking=1 -o APT::Sandbox::User=root)
apt-get "${apt_options[@]}" -qq update

# The driver and the Vulkan loader, plus any of the driver's libraries this machine lacks.
packages=("mesa-vulkan-drivers/$MESA_SUITE" "libdrm2/$MESA_SUITE" "libdrm-amdgpu1/$MESA_SUITE" libvulkan1)
for dependency in libllvm15 libz3-4 libxshmfence1 libwayland-client0 libx11-xcb1 libxcb-dri3-0 libxcb-present0 \
    libxcb-randr0 libxcb-shm0 libxcb-sync1 libxcb-xfixes0 libxcb1 libelf1 libexpat1 libzstd1 libedit2 libxml2 \
    libicu72 libsensors5 libbsd0 libmd0 libxau6 libxdmcp6 libffi8 libtinfo6 libx11-6 libx11-data; do
  dpkg -s "$dependency" >/dev/null 2>&1 || packages+=("$dependency")
done
(cd "$staging/debs" && apt-get "${apt_options[@]}" -qq download "${packages[@]}")
mkdir -p "$staging/root"
for deb in "$staging"/debs/*.deb; do dpkg-deb -x "$deb" "$staging/root"; done

libdir=$staging/root/usr/lib/x86_64-linux-gnu
[ -f "$libdir/libvulkan_lvp.so" ] || { echo "install-lavapipe: libvulkan_lvp.so missing after extraction" >&2; exit 1; }
rm -rf "$staging/apt" "$staging/debs"
mkdir -p "$target"
rm -rf "$target"
mv "$staging" "$target"
trap - EXIT
cat > "$target/env.sh" <<ENV
export VK_ICD_FILENAMES=$target/root/usr/share/vulkan/icd.d/lvp_icd.json
export LD_LIBRARY_PATH=$target/root/usr/lib/x86_64-linux-gnu\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}
ENV
touch "$target/.complete"
echo "$target"
