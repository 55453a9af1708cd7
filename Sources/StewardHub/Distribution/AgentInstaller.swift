import Foundation

/// `GET /install.sh`: a POSIX `sh` script that installs the agent on a systemd server from this
/// hub, enrolls it and starts it; run again it upgrades in place; `--uninstall` removes it.
///
///     curl -fsSL https://hub.example.com/install.sh | sudo STEWARD_TOKEN=stw_reg_… sh
///
/// The registration token comes from `STEWARD_TOKEN` (or, when the script is run from a file, its
/// standard input): never from the command line, which every local user can read in `ps`. It is
/// handed to the first start in a root-only environment file, deleted once the agent has enrolled.
enum AgentInstaller {
    /// The script for a hub reached at `hubURL` (already checked to be a plain URL).
    static func script(hubURL: String) -> String {
        template.replacingOccurrences(of: "@HUB@", with: hubURL)
    }

    /// Whether `url` can go into the script as it is: `http(s)://` and host characters only.
    static func isPlainURL(_ url: String) -> Bool {
        url.wholeMatch(of: /https?:\/\/[A-Za-z0-9.\-:\[\]]{1,253}/) != nil
    }

    static let template = #"""
        #!/bin/sh
        # Installs, upgrades or removes the Steward agent on this server (systemd, root).
        #   curl -fsSL @HUB@/install.sh | sudo STEWARD_TOKEN=stw_reg_... sh       install and enroll
        #   curl -fsSL @HUB@/install.sh | sudo sh                                 upgrade in place
        #   curl -fsSL @HUB@/install.sh | sudo sh -s -- --uninstall               remove everything
        # Options: --hub-key SHA256:... (or STEWARD_HUB_KEY) pins the hub's key: the agent refuses to
        # enroll with a hub that presents another. --insecure-http allows a plain http:// hub off loopback.
        set -eu
        HUB='@HUB@'
        BIN=/usr/local/bin/steward-agent
        STATE=/var/lib/steward-agent
        CONF=/etc/steward-agent
        UNIT=/etc/systemd/system/steward-agent.service

        say() { printf 'steward-agent installer: %s\n' "$*" >&2; }
        die() { say "$*"; exit 1; }

        uninstall=
        insecure=
        hub_key="${STEWARD_HUB_KEY:-}"
        while [ $# -gt 0 ]; do
          case "$1" in
            --uninstall) uninstall=1 ;;
            --insecure-http) insecure=1 ;;
            --hub-key) [ $# -ge 2 ] || die "--hub-key needs the fingerprint steward token create prints"; hub_key="$2"; shift ;;
            --hub-key=*) hub_key="${1#--hub-key=}" ;;
            *) die "unknown option $1 (known: --hub-key SHA256:..., --insecure-http, --uninstall)" ;;
          esac
          shift
        done
        if [ -n "$hub_key" ]; then
          case "$hub_key" in SHA256:*) ;; *) die "--hub-key takes SHA256:... as steward token create prints it" ;; esac
          case "$hub_key" in *[!A-Za-z0-9+/:]*) die "--hub-key holds characters no fingerprint has" ;; esac
          [ "${#hub_key}" -eq 50 ] || die "--hub-key is not a whole fingerprint (SHA256: and 43 characters)"
        fi

        [ "$(id -u)" = 0 ] || die "run it as root (sudo)"
        command -v systemctl >/dev/null 2>&1 || die "this server has no systemd"

        if [ -n "$uninstall" ]; then
          systemctl disable --now steward-agent.service >/dev/null 2>&1 || true
          rm -f "$UNIT" "$BIN"
          systemctl daemon-reload
          rm -rf "$STATE" "$CONF"
          say "removed the agent, its unit, its credentials and its state"
          exit 0
        fi

        agent_flags=
        case "$HUB" in
          http://127.*|http://localhost|http://localhost:*|http://\[::1\]*) ;;
          http://*)
            [ -n "$insecure" ] || die "$HUB is plain http: the agent's secret and results would cross the network unencrypted. Serve the hub over https, or add --insecure-http on a network you trust"
            agent_flags=" --insecure-http" ;;
        esac

        fetch() {
          if command -v curl >/dev/null 2>&1; then curl -fsSL --retry 3 -o "$2" "$1"
          elif command -v wget >/dev/null 2>&1; then wget -q -O "$2" "$1"
          else die "curl or wget is needed"; fi
        }
        arch="$(uname -m)"
        tmp="$(mktemp -d)"
        trap 'rm -rf "$tmp"' EXIT
        fetch "$HUB/downloads/steward-agent-linux-$arch" "$tmp/steward-agent" || die "the hub has no agent for $arch"
        fetch "$HUB/downloads/steward-agent-linux-$arch.sha256" "$tmp/sha256" || die "the hub gave no checksum"
        expected="$(cut -d' ' -f1 <"$tmp/sha256")"
        actual="$(sha256sum "$tmp/steward-agent" | cut -d' ' -f1)"
        [ -n "$expected" ] && [ "$expected" = "$actual" ] || die "the download does not match its SHA-256; nothing was changed"
        install -m 0755 "$tmp/steward-agent" "$BIN.new"
        mv -f "$BIN.new" "$BIN"
        mkdir -p "$STATE" "$CONF"
        chmod 0700 "$STATE" "$CONF"

        cat >"$UNIT" <<UNIT
        [Unit]
        Description=Steward agent
        Documentation=$HUB
        After=network-online.target
        Wants=network-online.target

        [Service]
        ExecStart=$BIN --hub $HUB --state-dir $STATE$agent_flags
        EnvironmentFile=-$CONF/enroll.env
        Restart=on-failure
        RestartSec=5
        # Revoked (77), refused (78), not enrolled (64), bad policy (65): a restart would not help.
        RestartPreventExitStatus=64 65 77 78
        # Scripts run in their own process groups; a restarted agent stops what its last run left.
        KillMode=mixed
        NoNewPrivileges=yes
        ProtectKernelModules=yes
        ProtectKernelLogs=yes
        ProtectClock=yes
        LockPersonality=yes
        RestrictRealtime=yes
        SystemCallArchitectures=native

        [Install]
        WantedBy=multi-user.target
        UNIT
        systemctl daemon-reload

        if [ -s "$STATE/credentials.json" ]; then
          systemctl enable steward-agent.service >/dev/null 2>&1
          systemctl restart steward-agent.service
          say "upgraded the agent in place and restarted it"
          exit 0
        fi

        token="${STEWARD_TOKEN:-}"
        # Run from a file, the script may read the token from standard input; piped into sh, its
        # standard input is the script itself.
        if [ -z "$token" ] && [ -f "$0" ] && [ ! -t 0 ]; then IFS= read -r token || true; fi
        [ -n "$token" ] || die "give the registration token in STEWARD_TOKEN (steward token create prints it)"
        case "$token" in
          stw_reg_*) ;;
          *) die "STEWARD_TOKEN is not a registration token (they start with stw_reg_)" ;;
        esac
        case "$token" in *[!A-Za-z0-9_-]*) die "STEWARD_TOKEN holds characters no token has" ;; esac
        ( umask 077
          printf 'STEWARD_REGISTRATION_TOKEN=%s\n' "$token" >"$CONF/enroll.env"
          [ -z "$hub_key" ] || printf 'STEWARD_HUB_KEY=%s\n' "$hub_key" >>"$CONF/enroll.env" )
        systemctl enable steward-agent.service >/dev/null 2>&1
        systemctl restart steward-agent.service
        waited=0
        while [ ! -s "$STATE/credentials.json" ]; do
          waited=$((waited + 1))
          # Refused (token, key) or misconfigured: the unit does not restart, so there is no point waiting.
          if [ "$waited" -gt 60 ] || systemctl is-failed --quiet steward-agent.service; then
            rm -f "$CONF/enroll.env"
            systemctl disable --now steward-agent.service >/dev/null 2>&1 || true
            journalctl -u steward-agent.service -n 20 --no-pager >&2 2>/dev/null || true
            die "the agent did not enroll (its log is above)"
          fi
          sleep 1
        done
        # Enrolled: the token is not needed again.
        rm -f "$CONF/enroll.env"
        say "enrolled with $HUB; the agent runs as steward-agent.service"
        """#
}
