#!/usr/bin/env bash
# Kiosque des savoirs: install (or bring up to date) a kiosk on Raspberry Pi OS Bookworm / Debian 12.
#
#   sudo deploy/raspberry-pi/install.sh [--source DIR_OR_WHEEL] [--no-services] [--data-dir DIR]
#
# --source       a checkout of the project or a wheel (default: the checkout this script belongs to)
# --no-services  install and enable the systemd units, start nothing (images, chroots)
# --data-dir     where the kiosk keeps its database and backups (default /var/lib/kiosque): put it on a
#                writable partition when the root file system is a read-only overlay (overlayroot)
#
# Idempotent: every file is written only when its content differs, every package, user, group and
# version is added only when missing, so a second run with the same source changes nothing.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PREFIX=${KIOSK_INSTALL_ROOT:-/opt/kiosque}
CONFIG_DIR=/etc/kiosque-des-savoirs
KIOSK_USER=kiosk
KIOSK_GROUPS=(input render video lp dialout)
DATA_DIR=/var/lib/kiosque
SOURCE=$(cd "$HERE/../.." && pwd)
START_SERVICES=1
# what a source folder's install is built from (and its version digest computed on)
SOURCE_PARTS=(pyproject.toml README.md kiosk screens hardware sync_client hub assets)
CHANGED=0  # set by install_file: whether this run wrote anything (then the kiosk restarts)
UNITS=(kiosk.service kiosk-backup.service kiosk-backup.timer kiosk-update-check.service
       kiosk-update-check.timer)
ENABLED_UNITS=(kiosk.service kiosk-backup.timer kiosk-update-check.timer)

# pcscd + CCID driver for the NFC reader; Python with venv and what pyscard/evdev build from source;
# Mesa, GBM and mtdev for Kivy on KMS/DRM; a fallback font; systemd for the units (present on a Pi).
APT_PACKAGES=(pcscd libccid python3 python3-venv python3-dev gcc libc6-dev linux-libc-dev swig
              libpcsclite-dev libmtdev1 libgl1 libegl1 libgles2 libgbm1 libgl1-mesa-dri
              fonts-dejavu-core ca-certificates systemd)

say() { printf '==> %s\n' "$*"; }
die() { printf 'Erreur : %s\n' "$*" >&2; exit 1; }

usage() {
  sed -n '2,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

parse_args() {
  while (($#)); do
    case $1 in
      --source) [ $# -ge 2 ] || die "--source attend un dossier ou un fichier .whl"; SOURCE=$2; shift ;;
      --source=*) SOURCE=${1#*=} ;;
      --data-dir) [ $# -ge 2 ] || die "--data-dir attend un dossier"; DATA_DIR=$2; shift ;;
      --data-dir=*) DATA_DIR=${1#*=} ;;
      --no-services) START_SERVICES=0 ;;
      -h | --help) usage; exit 0 ;;
      *) die "option inconnue : $1 (voir --help)" ;;
    esac
    shift
  done
  case $DATA_DIR in /*) ;; *) die "--data-dir attend un chemin absolu, reçu « $DATA_DIR »" ;; esac
}

# Copy SRC to DEST with MODE and OWNER (user:group) only when the content differs.
install_file() {
  local src=$1 dest=$2 mode=$3 owner=${4:-root:root}
  if ! cmp -s "$src" "$dest"; then
    install -D -m "$mode" -o "${owner%%:*}" -g "${owner##*:}" "$src" "$dest"
    say "écrit : $dest"
    CHANGED=1
  fi
  [ "$(stat -c '%a %U:%G' "$dest")" = "${mode#0} $owner" ] || {
    chmod "$mode" "$dest"
    chown "$owner" "$dest"
  }
}

# Same as install_file, the content coming from standard input (redirect it, never pipe into this
# function: a pipeline runs it in a subshell, which would lose CHANGED).
write_file() {
  local dest=$1 mode=$2 owner=${3:-root:root} staged
  staged=$(mktemp)
  cat >"$staged"
  install_file "$staged" "$dest" "$mode" "$owner"
  rm -f "$staged"
}

ensure_dir() {
  local dir=$1 mode=$2 owner=${3:-root:root}
  [ -d "$dir" ] || { install -d -m "$mode" -o "${owner%%:*}" -g "${owner##*:}" "$dir"; say "créé : $dir"; }
  [ "$(stat -c '%a %U:%G' "$dir")" = "${mode#0} $owner" ] || { chmod "$mode" "$dir"; chown "$owner" "$dir"; }
}

install_packages() {
  local missing=() package
  for package in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  ((${#missing[@]})) || return 0
  say "paquets Debian : ${missing[*]}"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

create_user() {
  local group
  for group in "$KIOSK_USER" "${KIOSK_GROUPS[@]}"; do
    getent group "$group" >/dev/null || { groupadd --system "$group"; say "groupe créé : $group"; }
  done
  if ! getent passwd "$KIOSK_USER" >/dev/null; then
    useradd --system --gid "$KIOSK_USER" --create-home --home-dir "/home/$KIOSK_USER" \
      --shell /usr/sbin/nologin --comment "Kiosque des savoirs" "$KIOSK_USER"
    say "utilisateur créé : $KIOSK_USER"
  fi
  for group in "${KIOSK_GROUPS[@]}"; do
    id -nG "$KIOSK_USER" | tr ' ' '\n' | grep -qx "$group" || usermod -aG "$group" "$KIOSK_USER"
  done
}

# "<package version>-<12 hex of the source's content>": the same source always gives the same version,
# so a second run finds it installed; another source installs beside it.
source_version() {
  local version digest
  if [ -f "$SOURCE" ]; then
    version=$(basename "$SOURCE" | cut -d- -f2)
    digest=$(sha256sum "$SOURCE" | cut -c1-12)
  else
    version=$(sed -n 's/^version *= *"\(.*\)"/\1/p' "$SOURCE/pyproject.toml" | head -n1)
    digest=$(tar -C "$SOURCE" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
      --exclude=__pycache__ --exclude='*.egg-info' -cf - "${SOURCE_PARTS[@]}" | sha256sum | cut -c1-12)
  fi
  [ -n "$version" ] || die "version introuvable dans $SOURCE"
  printf '%s-%s\n' "$version" "$digest"
}

install_app() {
  case $SOURCE in
    *.whl) [ -f "$SOURCE" ] || die "wheel introuvable : $SOURCE" ;;
    *) [ -f "$SOURCE/pyproject.toml" ] || die "$SOURCE n’est ni un wheel ni une copie du projet" ;;
  esac
  SOURCE=$(realpath "$SOURCE")
  local version target assets staged
  version=$(source_version)
  target=$PREFIX/versions/$version
  ensure_dir "$PREFIX" 0755
  ensure_dir "$PREFIX/versions" 0755
  if [ ! -f "$target/.complete" ]; then
    say "installation de la version $version dans $target"
    rm -rf "$target"  # an interrupted attempt: start it again from scratch
    python3 -m venv "$target/venv"
    if [ -f "$SOURCE" ]; then
      "$target/venv/bin/pip" install --no-cache-dir --disable-pip-version-check -q "$SOURCE"
    else  # built from a copy: pip leaves build/ and *.egg-info where it builds, root-owned
      staged=$(mktemp -d)
      tar -C "$SOURCE" --exclude=__pycache__ --exclude='*.egg-info' -cf - "${SOURCE_PARTS[@]}" |
        tar -C "$staged" -xf -
      "$target/venv/bin/pip" install --no-cache-dir --disable-pip-version-check -q "$staged"
      rm -rf "$staged"
    fi
    assets=$target/venv/share/kiosque-des-savoirs/assets
    if [ ! -f "$assets/themes.toml" ] && [ -d "$SOURCE/assets" ]; then
      mkdir -p "$assets"
      cp -r "$SOURCE/assets/." "$assets/"
    fi
    [ -f "$assets/themes.toml" ] || say "attention : les ressources (assets) manquent dans $SOURCE"
    printf '%s\n' "$version" >"$target/.complete"
    CHANGED=1
  fi
  if [ "$(readlink "$PREFIX/current" 2>/dev/null || true)" != "versions/$version" ]; then
    ln -sfn "versions/$version" "$PREFIX/current.new"
    mv -T "$PREFIX/current.new" "$PREFIX/current"  # atomic switch
    say "version active : $version"
    CHANGED=1
  fi
  # `kiosk …` and `kiosk-hub …` on every PATH (root's too), always the active version
  local command
  for command in kiosk kiosk-hub; do
    if [ "$(readlink "/usr/local/bin/$command" 2>/dev/null || true)" != "$PREFIX/current/venv/bin/$command" ]; then
      ln -sfn "$PREFIX/current/venv/bin/$command" "/usr/local/bin/$command"
      say "commande : /usr/local/bin/$command"
      CHANGED=1
    fi
  done
}

configure_site() {
  ensure_dir "$CONFIG_DIR" 0755
  # readable by the kiosk only: the site file may hold the network's card key
  local site_owner="root:$KIOSK_USER"
  if [ ! -f "$CONFIG_DIR/kiosk.toml" ]; then
    write_file "$CONFIG_DIR/kiosk.toml" 0640 "$site_owner" < <(sed "s|@DATA_DIR@|$DATA_DIR|" "$HERE/kiosk.toml.example")
  else
    [ "$(stat -c '%a %U:%G' "$CONFIG_DIR/kiosk.toml")" = "640 $site_owner" ] || {
      chmod 0640 "$CONFIG_DIR/kiosk.toml"
      chown "$site_owner" "$CONFIG_DIR/kiosk.toml"
    }
    grep -q "^data_dir *= *\"$DATA_DIR\"" "$CONFIG_DIR/kiosk.toml" ||
      say "attention : $CONFIG_DIR/kiosk.toml garde son propre data_dir (pas $DATA_DIR)"
  fi
  ensure_dir "$DATA_DIR" 0750 "$KIOSK_USER:$KIOSK_USER"
  ensure_dir "$DATA_DIR/backups" 0750 "$KIOSK_USER:$KIOSK_USER"
  ensure_dir "$DATA_DIR/logs" 0750 "$KIOSK_USER:$KIOSK_USER"
}

configure_system() {
  install_file "$HERE/pcscd-kiosk.rules" /etc/polkit-1/rules.d/60-kiosque-pcscd.rules 0644
  install_file "$HERE/kiosque-blacklist-nfc.conf" /etc/modprobe.d/kiosque-blacklist-nfc.conf 0644
  install_file "$HERE/journald-kiosque.conf" /etc/systemd/journald.conf.d/kiosque.conf 0644
  local cmdline
  for cmdline in /boot/firmware/cmdline.txt /boot/cmdline.txt; do
    [ -f "$cmdline" ] || continue
    # one line of kernel options: the console must never blank the kiosk screen
    if ! grep -qw 'consoleblank=0' "$cmdline"; then
      sed -i '1 s/$/ consoleblank=0/' "$cmdline"
      say "écrit : $cmdline (prend effet au prochain démarrage)"
    fi
    break
  done
}

# One Kivy input provider per touch screen (INPUT_PROP_DIRECT), matched by its name; when none is
# plugged in yet, Kivy's own probe of every multitouch device.
touch_inputs() {
  local event name props index=0
  for event in "${INPUT_CLASS:-/sys/class/input}"/event*; do
    [ -r "$event/device/properties" ] || continue
    props=$(tr -d '[:space:]' <"$event/device/properties")
    (((16#${props:-0} & 2) != 0)) || continue
    name=$(tr -d ',%\n' <"$event/device/name")
    printf '%s\n' "$name"
  done | sort -u | while IFS= read -r name; do
    index=$((index + 1))
    printf 'touch%d = probesysfs,provider=hidinput,match=%s\n' "$index" "$name"
  done
}

configure_kivy() {
  local home inputs
  home=$(getent passwd "$KIOSK_USER" | cut -d: -f6)
  inputs=$(touch_inputs)
  [ -n "$inputs" ] || inputs='%(name)s = probesysfs,provider=hidinput'
  ensure_dir "$home/.kivy" 0755 "$KIOSK_USER:$KIOSK_USER"
  write_file "$home/.kivy/config.ini" 0644 "$KIOSK_USER:$KIOSK_USER" < <(
    awk -v inputs="$inputs" '$0 == "@TOUCH_INPUTS@" { print inputs; next } { print }' "$HERE/kivy-config.ini"
  )
}

install_units() {
  local unit
  for unit in "${UNITS[@]}"; do
    install_file "$HERE/$unit" "/etc/systemd/system/$unit" 0644
  done
  for unit in "${ENABLED_UNITS[@]}"; do
    systemctl is-enabled --quiet "$unit" 2>/dev/null || systemctl enable --quiet "$unit"
  done
  # the kiosk owns tty1: no login prompt underneath it
  if systemctl is-enabled --quiet getty@tty1.service 2>/dev/null; then
    systemctl disable --quiet getty@tty1.service
  fi
}

start_services() {
  if ((START_SERVICES == 0)) || [ ! -d /run/systemd/system ]; then
    say "services non démarrés (--no-services ou pas de systemd en marche)"
    return 0
  fi
  local module
  for module in pn533_usb pn533 nfc; do
    if grep -q "^$module " /proc/modules; then modprobe -r "$module" || true; fi
  done
  ((CHANGED == 0)) || systemctl daemon-reload
  systemctl enable --now --quiet pcscd.socket
  if ((CHANGED)); then
    systemctl restart systemd-journald kiosk-backup.timer kiosk-update-check.timer kiosk.service
  else
    systemctl start kiosk-backup.timer kiosk-update-check.timer kiosk.service  # no-op when running
  fi
}

main() {
  parse_args "$@"
  [ "$(id -u)" -eq 0 ] || die "à lancer en root : sudo $0 $*"
  install_packages
  create_user
  install_app
  configure_site
  configure_system
  configure_kivy
  install_units
  start_services
  say "terminé. Vérification : sudo -u $KIOSK_USER $PREFIX/current/venv/bin/kiosk doctor"
}

main "$@"
