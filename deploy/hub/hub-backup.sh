#!/usr/bin/env bash
# Kiosque des savoirs: one backup of the hub's database, keeping the newest $HUB_BACKUP_KEEP.
# PostgreSQL: pg_dump in its custom format (restore: pg_restore --clean --dbname kiosque_hub FILE).
# SQLite: SQLite's online backup API (never a copy of a live file), then an integrity check of the copy.
# Installed as /usr/local/sbin/kiosque-hub-backup, run by hub-backup.service (with hub.env); by hand:
#   sudo systemctl start hub-backup
set -euo pipefail

url=${KIOSK_HUB_DB:?KIOSK_HUB_DB manque (voir hub.env.example)}
dest=${HUB_BACKUP_DIR:-/var/backups/kiosque-hub}
keep=${HUB_BACKUP_KEEP:-30}
python=${HUB_PYTHON:-/opt/kiosque/current/venv/bin/python}
stamp=$(date -u +%Y%m%dT%H%M%SZ)

mkdir -p "$dest"
case $url in
  postgresql://* | postgresql+psycopg://*)
    file=$dest/hub-$stamp.dump
    pg_dump --format=custom --no-owner --file="$file.partial" "${url/postgresql+psycopg:/postgresql:}"
    ;;
  sqlite:///*)
    file=$dest/hub-$stamp.sqlite3
    "$python" - "${url#sqlite:///}" "$file.partial" <<'PY'
import sqlite3, sys
source, target = sqlite3.connect(sys.argv[1]), sqlite3.connect(sys.argv[2])
source.backup(target)
target.execute("PRAGMA journal_mode=DELETE")  # the copy is one self-contained file
result = target.execute("PRAGMA integrity_check").fetchone()[0]
target.close()
source.close()
sys.exit(0 if result == "ok" else f"copie endommagée : {result}")
PY
    ;;
  *) echo "Adresse de base non reconnue : $url" >&2; exit 2 ;;
esac
mv "$file.partial" "$file"
echo "Sauvegarde du hub : $file"

# retention: the newest $keep dumps stay
find "$dest" -maxdepth 1 -type f -name 'hub-*' ! -name '*.partial' -printf '%f\n' | sort -r |
  tail -n +"$((keep + 1))" | while IFS= read -r old; do rm -f -- "$dest/$old"; done
