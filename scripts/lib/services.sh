# shellcheck shell=bash
#
# Service helpers shared by scripts/test and scripts/services.
# Source this file; do not execute it.
#
# What it does (and only when needed):
#   - PostgreSQL on 127.0.0.1:5432: installs the Debian `postgresql` package when
#     absent, starts the newest cluster in /etc/postgresql, lets user `postgres`
#     in over 127.0.0.1/::1 with trust auth.
#   - NATS on 127.0.0.1:4222: installs the Debian `nats-server` package when
#     absent and starts it in the background with JetStream, its data and log
#     under ${TMPDIR:-/tmp}/thads-hub-nats-<uid>/.
#   - Tools the tests call: xmllint (libxml2-utils), python3, a C compiler, chromium with
#     fonts-dejavu-core (decision PDFs), poppler-utils (pdftotext, pdftoppm).
#
# Services that are already running are never stopped, restarted or reconfigured.
# Services this script starts are left running (stop NATS with
# `kill "$(cat ${TMPDIR:-/tmp}/thads-hub-nats-$(id -u)/nats.pid)"`).

THADS_PG_HOST=127.0.0.1
THADS_PG_PORT=5432
THADS_NATS_HOST=127.0.0.1
THADS_NATS_PORT=4222
THADS_SERVICE_WAIT=${THADS_SERVICE_WAIT:-30}   # seconds to wait for a service to answer

# Space-separated names of the services this run started (for the summary line).
THADS_STARTED=""
_THADS_APT_UPDATED=0

svc_log() { printf '[services] %s\n' "$*" >&2; }
svc_die() {
    printf '[services] ERROR: %s\n' "$*" >&2
    exit 1
}

# Run a command as root: directly when root, through sudo otherwise.
as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        svc_die "need root for '$*', but this is not root and sudo is not installed; rerun as root or install it yourself"
    fi
}

# apt_install PKG...: install Debian packages (apt-get update once per run).
apt_install() {
    command -v apt-get >/dev/null 2>&1 ||
        svc_die "apt-get is not available; install these packages yourself: $*"
    if [ "$_THADS_APT_UPDATED" -eq 0 ]; then
        svc_log "apt-get update"
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
        _THADS_APT_UPDATED=1
    fi
    svc_log "apt-get install $*"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# tcp_open HOST PORT: true when something accepts TCP connections there.
tcp_open() {
    # shellcheck disable=SC2016 # $1/$2 expand in the inner bash
    timeout 2 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2" >/dev/null 2>&1
}

# wait_until SECONDS CMD...: poll CMD every half second until it succeeds.
wait_until() {
    local limit=$1
    shift
    local tries=$((limit * 2))
    while [ "$tries" -gt 0 ]; do
        if "$@"; then
            return 0
        fi
        sleep 0.5
        tries=$((tries - 1))
    done
    "$@"
}

# ---------------------------------------------------------------------------
# tools

ensure_tools() {
    local missing=()
    command -v xmllint >/dev/null 2>&1 || missing+=(libxml2-utils)
    command -v python3 >/dev/null 2>&1 || missing+=(python3)
    # Rust needs a linker (and cc for build scripts such as ring's).
    command -v cc >/dev/null 2>&1 || missing+=(gcc libc6-dev)
    # Decisions to enforce: PDFs through headless Chromium, DejaVu fonts for Vietnamese
    # diacritics, and poppler (pdftotext, pdftoppm) for the tests that read the PDFs.
    command -v chromium >/dev/null 2>&1 || missing+=(chromium)
    [ -e /usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf ] || missing+=(fonts-dejavu-core)
    command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
    # deploy/prometheus is checked and its alert tests run with promtool.
    command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
    # Scanned judgments: OCR with Tesseract and its Vietnamese model (docs/ocr.md).
    command -v tesseract >/dev/null 2>&1 || missing+=(tesseract-ocr)
    [ -n "$(ls /usr/share/tesseract-ocr/*/tessdata/vie.traineddata 2>/dev/null)" ] || missing+=(tesseract-ocr-vie)
    # The console's browser tests drive Chromium through ChromeDriver (WebDriver).
    command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
    if [ "${#missing[@]}" -gt 0 ]; then
        apt_install "${missing[@]}"
    fi
}

# ---------------------------------------------------------------------------
# PostgreSQL

pg_ready() {
    if command -v pg_isready >/dev/null 2>&1; then
        pg_isready -q -h "$THADS_PG_HOST" -p "$THADS_PG_PORT" -t 2
    else
        tcp_open "$THADS_PG_HOST" "$THADS_PG_PORT"
    fi
}

# Newest PostgreSQL major version with a `main` cluster in /etc/postgresql.
_pg_cluster_version() {
    local d
    for d in /etc/postgresql/*/main/postgresql.conf; do
        [ -e "$d" ] || continue
        d=${d#/etc/postgresql/}
        printf '%s\n' "${d%%/*}"
    done | sort -V | tail -n 1
}

# Newest installed PostgreSQL server binaries (for a package with no cluster).
_pg_binary_version() {
    local d
    for d in /usr/lib/postgresql/*/bin/postgres; do
        [ -x "$d" ] || continue
        d=${d#/usr/lib/postgresql/}
        printf '%s\n' "${d%%/*}"
    done | sort -V | tail -n 1
}

# Prepend trust rules for 127.0.0.1 and ::1 to pg_hba.conf (idempotent).
_pg_trust_local() {
    local hba=$1 tmp
    local rule4='host all all 127.0.0.1/32 trust'
    local rule6='host all all ::1/128 trust'
    if as_root grep -qxF "$rule4" "$hba" && as_root grep -qxF "$rule6" "$hba"; then
        return 0
    fi
    svc_log "adding trust rules for 127.0.0.1 and ::1 to $hba"
    tmp=$(mktemp)
    {
        printf '# added by thads-hub scripts/lib/services.sh (local test database)\n'
        printf '%s\n%s\n' "$rule4" "$rule6"
        as_root cat "$hba"
    } >"$tmp"
    # cp onto the existing file keeps its owner and mode.
    as_root cp "$tmp" "$hba"
    rm -f "$tmp"
}

# Check that the test URL really logs in (pg_isready does not authenticate).
_pg_check_login() {
    local url=${THADS_TEST_PG_URL:-postgres://postgres@$THADS_PG_HOST:$THADS_PG_PORT/postgres}
    command -v psql >/dev/null 2>&1 || return 0
    local err
    if ! err=$(PGCONNECT_TIMEOUT=5 psql "$url" -Atqc 'select 1' 2>&1 >/dev/null); then
        svc_die "PostgreSQL answers on $THADS_PG_HOST:$THADS_PG_PORT but the test login fails: $err
  Either allow it (e.g. 'host all all 127.0.0.1/32 trust' at the top of pg_hba.conf, then reload)
  or point THADS_TEST_PG_URL at a database you can use."
    fi
}

ensure_postgres() {
    if pg_ready; then
        svc_log "PostgreSQL already running on $THADS_PG_HOST:$THADS_PG_PORT"
        _pg_check_login
        return 0
    fi

    local installed=0 ver
    if [ -z "$(_pg_cluster_version)" ] && [ -z "$(_pg_binary_version)" ]; then
        apt_install postgresql
        installed=1
    fi
    ver=$(_pg_cluster_version)
    if [ -z "$ver" ]; then
        ver=$(_pg_binary_version)
        [ -n "$ver" ] || svc_die "no PostgreSQL server found under /usr/lib/postgresql after installing"
        svc_log "creating PostgreSQL $ver cluster 'main'"
        as_root pg_createcluster "$ver" main >/dev/null
    fi
    local conf_dir=/etc/postgresql/$ver/main

    if as_root pg_ctlcluster "$ver" main status >/dev/null 2>&1; then
        # Running but not answering on 5432 yet. Only touch it if this run
        # installed it (the package's postinst may have started it).
        if [ "$installed" -eq 1 ]; then
            _pg_trust_local "$conf_dir/pg_hba.conf"
            as_root pg_ctlcluster --skip-systemctl-redirect "$ver" main reload
            THADS_STARTED="$THADS_STARTED postgresql-$ver"
        else
            svc_log "PostgreSQL $ver/main is running but not answering on $THADS_PG_HOST:$THADS_PG_PORT yet; waiting"
        fi
    else
        _pg_trust_local "$conf_dir/pg_hba.conf"
        svc_log "starting PostgreSQL $ver/main"
        as_root pg_ctlcluster --skip-systemctl-redirect "$ver" main start
        THADS_STARTED="$THADS_STARTED postgresql-$ver"
    fi

    if ! wait_until "$THADS_SERVICE_WAIT" pg_ready; then
        local port
        port=$(as_root sed -n 's/^[[:space:]]*port[[:space:]]*=[[:space:]]*\([0-9]*\).*/\1/p' "$conf_dir/postgresql.conf" | sed -n 1p)
        svc_log "last lines of /var/log/postgresql/postgresql-$ver-main.log:"
        as_root tail -n 20 "/var/log/postgresql/postgresql-$ver-main.log" >&2 || true
        svc_die "PostgreSQL $ver/main did not answer on $THADS_PG_HOST:$THADS_PG_PORT within ${THADS_SERVICE_WAIT}s (its configured port: ${port:-5432})"
    fi
    svc_log "PostgreSQL $ver/main ready on $THADS_PG_HOST:$THADS_PG_PORT"
    _pg_check_login
}

# ---------------------------------------------------------------------------
# NATS

nats_ready() { tcp_open "$THADS_NATS_HOST" "$THADS_NATS_PORT"; }

_nats_binary() {
    local b
    for b in "$(command -v nats-server 2>/dev/null || true)" /usr/sbin/nats-server /usr/bin/nats-server /usr/local/bin/nats-server; do
        if [ -n "$b" ] && [ -x "$b" ]; then
            printf '%s\n' "$b"
            return 0
        fi
    done
    return 1
}

ensure_nats() {
    if nats_ready; then
        svc_log "NATS already running on $THADS_NATS_HOST:$THADS_NATS_PORT"
        return 0
    fi

    local bin
    if ! bin=$(_nats_binary); then
        apt_install nats-server
        bin=$(_nats_binary) || svc_die "nats-server not found after installing the Debian package"
        # A packaged service may have come up on its own.
        if wait_until 3 nats_ready; then
            svc_log "NATS came up with the package on $THADS_NATS_HOST:$THADS_NATS_PORT"
            return 0
        fi
    fi

    local uid dir
    uid=$(id -u)
    dir=${TMPDIR:-/tmp}/thads-hub-nats-$uid
    local log=$dir/nats.log pid=$dir/nats.pid
    mkdir -p "$dir/jetstream"
    local args=(-a "$THADS_NATS_HOST" -p "$THADS_NATS_PORT" -js -sd "$dir/jetstream" -l "$log")
    svc_log "starting nats-server (JetStream, data in $dir)"
    if command -v start-stop-daemon >/dev/null 2>&1; then
        start-stop-daemon --start --quiet --oknodo --background --make-pidfile --pidfile "$pid" \
            --exec "$bin" -- "${args[@]}"
    else
        nohup "$bin" "${args[@]}" </dev/null >/dev/null 2>&1 &
        echo "$!" >"$pid"
    fi

    if ! wait_until "$THADS_SERVICE_WAIT" nats_ready; then
        svc_log "last lines of $log:"
        tail -n 20 "$log" >&2 2>/dev/null || true
        svc_die "nats-server did not answer on $THADS_NATS_HOST:$THADS_NATS_PORT within ${THADS_SERVICE_WAIT}s"
    fi
    THADS_STARTED="$THADS_STARTED nats-server"
    svc_log "NATS ready on $THADS_NATS_HOST:$THADS_NATS_PORT (pid $(cat "$pid" 2>/dev/null || echo '?'), log $log)"
}

# ---------------------------------------------------------------------------

ensure_services() {
    ensure_postgres
    ensure_nats
}

# One line naming what this run started.
services_summary() {
    if [ -n "$THADS_STARTED" ]; then
        printf '[services] started:%s (PostgreSQL %s:%s, NATS %s:%s)\n' "$THADS_STARTED" \
            "$THADS_PG_HOST" "$THADS_PG_PORT" "$THADS_NATS_HOST" "$THADS_NATS_PORT"
    else
        printf '[services] started nothing: PostgreSQL %s:%s and NATS %s:%s were already running\n' \
            "$THADS_PG_HOST" "$THADS_PG_PORT" "$THADS_NATS_HOST" "$THADS_NATS_PORT"
    fi
}
