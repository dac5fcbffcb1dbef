#!/usr/bin/env bash
# Installs the system packages the test tiers need on Debian/Ubuntu, when they are missing:
#   - chromium            the browser tier and e2e tests (Playwright drives /usr/bin/chromium; it ships SwiftShader)
#   - mesa-vulkan-drivers lavapipe, the software Vulkan driver Dawn (Node GPU tier) runs on without a GPU.
#                         Dawn needs Mesa ≥ 23; Debian 12 ships 22.3, so on bookworm it comes from bookworm-backports.
# Run as root it installs; otherwise it prints the one command to run and exits 1. `--check` only reports.
set -euo pipefail

check_only=0
[[ "${1:-}" == "--check" ]] && check_only=1

need_chromium=0
need_mesa=0
command -v chromium >/dev/null 2>&1 || [[ -x /usr/bin/chromium ]] || need_chromium=1

mesa_version=$(dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null || true)
mesa_major=${mesa_version%%.*}
mesa_major=${mesa_major##*:}
if [[ -z "$mesa_version" || ! "$mesa_major" =~ ^[0-9]+$ || "$mesa_major" -lt 23 ]]; then
  # SwiftShader from chromium also works for Dawn (slower); only insist on lavapipe where it can be installed.
  need_mesa=1
fi

if [[ $need_chromium -eq 0 && $need_mesa -eq 0 ]]; then
  echo "setup-system: chromium and Mesa lavapipe ($mesa_version) present."
  exit 0
fi

codename=$( . /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}" )
id=$( . /etc/os-release 2>/dev/null && echo "${ID:-}" )

cmd="apt-get update && apt-get install -y chromium"
mesa_cmd=""
if [[ $need_mesa -eq 1 ]]; then
  if [[ "$id" == "debian" && "$codename" == "bookworm" ]]; then
    mesa_cmd="printf 'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' > /etc/apt/sources.list.d/bookworm-backports.sources && apt-get update && apt-get install -y -t bookworm-backports mesa-vulkan-drivers libvulkan1"
  else
    mesa_cmd="apt-get install -y mesa-vulkan-drivers libvulkan1"
  fi
fi

if [[ $check_only -eq 1 ]]; then
  [[ $need_chromium -eq 1 ]] && echo "setup-system: chromium is missing."
  [[ $need_mesa -eq 1 ]] && echo "setup-system: Mesa lavapipe ≥ 23 is missing (found: ${mesa_version:-none})."
  exit 1
fi

if [[ $(id -u) -ne 0 ]]; then
  echo "setup-system: missing system packages. Run as root:" >&2
  [[ $need_chromium -eq 1 ]] && echo "  sudo sh -c '$cmd'" >&2
  [[ -n "$mesa_cmd" ]] && echo "  sudo sh -c \"$mesa_cmd\"" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
if [[ $need_chromium -eq 1 ]]; then
  echo "setup-system: installing chromium…"
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
fi
if [[ -n "$mesa_cmd" ]]; then
  echo "setup-system: installing Mesa lavapipe…"
  if ! bash -c "$mesa_cmd" >/dev/null; then
    if [[ -f /usr/lib/chromium/vk_swiftshader_icd.json ]]; then
      echo "setup-system: lavapipe could not be installed; the Node GPU tier will use Chromium's SwiftShader (slower)." >&2
    else
      echo "setup-system: no software Vulkan driver could be installed." >&2
      exit 1
    fi
  fi
fi
echo "setup-system: done."
