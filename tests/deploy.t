#!/usr/bin/env bash
# tests/deploy.t - README "Beyond one machine" (issue 16): the systemd unit
# (docs/opscheck-serve.service) passes `systemd-analyze verify` and rates low
# in `systemd-analyze security`; the Kubernetes example (docs/k8s/opscheck.yaml)
# parses, its checks.ini validates, its pod is locked down; the README's
# prometheus.yml passes `promtool check config` with docs/alerts.yml and its
# alertmanager.yml `amtool check-config`, routing every severity the rules
# use.  The options the unit and the pod pass to `opscheck serve` must be in
# serve's usage; until serve is built (another branch of issue 16) that one
# comparison is a SKIP saying so.
source "$(dirname "$0")/lib.sh"
UNIT=$ROOT/docs/opscheck-serve.service
K8S=$ROOT/docs/k8s/opscheck.yaml
RULES=$ROOT/docs/alerts.yml
README=$ROOT/README.md
OPSCHECK_NPM_CACHE=$("$ROOT/scripts/install-npm-deps" --where)
export OPSCHECK_NPM_CACHE

skip() { _n=$((_n + 1)); echo "ok $_n - $1 # SKIP $2"; }

for tool in systemd-analyze promtool amtool node; do
    command -v "$tool" >/dev/null || { ok 1 "$tool is installed (scripts/install-deps)"; done_testing; exit; }
done

# `opscheck serve`'s usage lines from --help (empty before serve exists).
serve_usage=$("$OPSCHECK" --help 2>&1 | awk '/opscheck serve/ {p = 1; print; next} p && /^ *opscheck / {p = 0} p')
# serve_flags_ok WHAT ARGS... : every -x/--xx in ARGS is in serve's usage.
serve_flags_ok() {
    local what=$1 a
    shift
    if [ -z "$serve_usage" ]; then
        skip "$what: its options are in opscheck serve's usage" "opscheck serve is not in this build (issue 16 merges it)"
        return
    fi
    for a in "$@"; do
        case $a in
        -*) printf '%s\n' "$serve_usage" | grep -Eq -- "(^|[[ |])$a([] =|]|$)"
            ok $? "$what: $a is an option of opscheck serve" ;;
        esac
    done
}

# ---- systemd ------------------------------------------------------------
# verify checks every directive and that ExecStart's program exists: the
# copy runs this build's opscheck instead of /usr/local/bin/opscheck.
exec_start=$(sed -n 's/^ExecStart=//p' "$UNIT")
like "$exec_start" '^/usr/local/bin/opscheck serve ' "the unit runs opscheck serve"
mkdir -p "$T/unit"
sed "s|^ExecStart=/usr/local/bin/opscheck |ExecStart=$OPSCHECK |" "$UNIT" >"$T/unit/opscheck-serve.service"
out=$(cd "$T/unit" && systemd-analyze verify --man=no ./opscheck-serve.service 2>&1); rc=$?
ok $rc "systemd-analyze verify docs/opscheck-serve.service"
is "$out" "" "systemd-analyze verify says nothing (no unknown or bad directive)"
sec=$(systemd-analyze security --offline=yes "$T/unit/opscheck-serve.service" 2>&1)
level=$(printf '%s\n' "$sec" | sed -n 's/.*Overall exposure level for .*: \([0-9.]*\) .*/\1/p')
awk -v l="${level:-99}" 'BEGIN { exit !(l <= 2.0) }'
ok $? "systemd-analyze security rates the unit 2.0 or better (got ${level:-none})"
for d in 'DynamicUser=yes' 'ProtectSystem=strict' 'ProtectHome=yes' 'PrivateTmp=yes' 'NoNewPrivileges=yes' \
    'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX' 'SystemCallFilter=@system-service' 'CapabilityBoundingSet=' \
    'MemoryDenyWriteExecute=yes' 'ExecReload=/bin/kill -HUP $MAINPID' 'EnvironmentFile=-/etc/opscheck/opscheck.env'; do
    grep -qxF -- "$d" "$UNIT"
    ok $? "the unit sets $d"
done
# The syscalls opscheck makes are in the filter's set (README "Isolation").
filter=$(systemd-analyze syscall-filter 2>/dev/null | awk '
    /^@/ {g = $1; next} NF && $1 !~ /^#/ {m[g] = m[g] " " $1}
    END {
        n = split("@system-service", todo, " "); seen["@system-service"] = 1
        for (i = 1; i <= n; i++) {
            k = split(m[todo[i]], w, " ")
            for (j = 1; j <= k; j++)
                if (w[j] ~ /^@/) { if (!seen[w[j]]++) todo[++n] = w[j] } else print w[j]
        }
    }')
for sc in fork clone3 execve memfd_create prctl kill setsid setpgid wait4 socket bind listen mmap mprotect; do
    printf '%s\n' "$filter" | grep -qx "$sc"
    ok $? "SystemCallFilter=@system-service allows $sc"
done
read -r -a exec_args <<<"$exec_start"
serve_flags_ok "the unit" "${exec_args[@]}"

# ---- Kubernetes ---------------------------------------------------------
# One fact a line: "kind NAME", then what the Deployment needs to be true.
cat >"$T/k8s.js" <<'JS'
const fs = require("fs"), path = require("path");
const YAML = require(path.join(process.env.OPSCHECK_NPM_CACHE, "node_modules", "yaml"));
const docs = YAML.parseAllDocuments(fs.readFileSync(process.argv[2], "utf8"));
const errs = docs.flatMap((d) => d.errors.map((e) => e.message));
if (errs.length) { console.error(errs.join("\n")); process.exit(2); }
const all = docs.map((d) => d.toJS());
const kind = (k) => all.find((o) => o.kind === k) || {};
for (const o of all) console.log("kind " + o.kind);
const cm = kind("ConfigMap"), dep = kind("Deployment"), svc = kind("Service"), sm = kind("ServiceMonitor");
fs.writeFileSync(process.argv[3], (cm.data || {})["checks.ini"] || "");
const pod = dep.spec.template.spec, c = pod.containers[0];
console.log("args " + c.args.join(" "));
console.log("runAsNonRoot " + pod.securityContext.runAsNonRoot);
console.log("readOnlyRootFilesystem " + c.securityContext.readOnlyRootFilesystem);
console.log("allowPrivilegeEscalation " + c.securityContext.allowPrivilegeEscalation);
console.log("drop " + c.securityContext.capabilities.drop.join(","));
const cfgMount = c.volumeMounts.find((m) => pod.volumes.find((v) => v.name === m.name && v.configMap && v.configMap.name === cm.metadata.name));
console.log("config " + (cfgMount ? cfgMount.mountPath + "/checks.ini" : "none"));
console.log("secret " + (c.envFrom || []).map((e) => e.secretRef && e.secretRef.name).join(",") + " is " + kind("Secret").metadata.name);
console.log("port " + c.ports.find((p) => p.name === "metrics").containerPort);
console.log("annotation-port " + dep.spec.template.metadata.annotations["prometheus.io/port"]);
console.log("service " + svc.spec.ports[0].targetPort + " " + svc.spec.ports[0].name + " " + sm.spec.endpoints[0].port);
console.log("selector " + (JSON.stringify(svc.spec.selector) === JSON.stringify(dep.spec.template.metadata.labels)));
JS
facts=$(node "$T/k8s.js" "$K8S" "$T/k8s-checks.ini" 2>&1)
ok $? "docs/k8s/opscheck.yaml parses (npm yaml) and has what the checks below read"
for k in ConfigMap Secret Deployment Service ServiceMonitor; do like "$facts" "^kind $k$" "the example has a $k"; done
like "$facts" '^runAsNonRoot true$' "the pod runs as non-root"
like "$facts" '^readOnlyRootFilesystem true$' "the container's root file system is read-only"
like "$facts" '^allowPrivilegeEscalation false$' "no privilege escalation"
like "$facts" '^drop ALL$' "every capability dropped"
like "$facts" '^secret opscheck-env is opscheck-env$' "the container's environment comes from the Secret"
like "$facts" '^service metrics metrics metrics$' "Service and ServiceMonitor use the container's metrics port"
like "$facts" '^selector true$' "the Service selects the Deployment's pods"
args=$(printf '%s\n' "$facts" | sed -n 's/^args //p')
read -r -a k8s_args <<<"$args"
is "${k8s_args[0]:-}" serve "the container runs opscheck serve"
cfg_path=$(printf '%s\n' "$facts" | sed -n 's/^config //p')
like " $args " " -c $cfg_path " "its -c is the ConfigMap's checks.ini as mounted ($cfg_path)"
port=$(printf '%s\n' "$facts" | sed -n 's/^port //p')
like " $args " " --listen 0\.0\.0\.0:$port " "it listens on the container port ($port) on every address"
like "$facts" "^annotation-port $port$" "the scrape annotation names that port"
serve_flags_ok "the Kubernetes container" "${k8s_args[@]}"
# The ConfigMap's checks.ini: `every`/`at` are serve's keys, known to
# validate once serve is built; before, they are left out and said so.
if [ -n "$serve_usage" ]; then
    run_oc validate -c "$T/k8s-checks.ini"
    is "$RC" 0 "opscheck validate accepts the ConfigMap's checks.ini"
else
    grep -vE '^(every|at) = ' "$T/k8s-checks.ini" >"$T/k8s-checks-run.ini"
    run_oc validate -c "$T/k8s-checks-run.ini"
    is "$RC" 0 "opscheck validate accepts the ConfigMap's checks.ini (every/at left out: no serve in this build)"
fi
[ "$RC" = 0 ] || diag "$ERR"

# ---- the README's Prometheus and Alertmanager configs ---------------------
# block FIRSTLINE : the ```yaml block of README.md that starts with FIRSTLINE
block() { awk -v first="$1" '/^```yaml$/ {getline l; if (index(l, first) == 1) {p = 1; print l; next}} p && /^```$/ {p = 0} p' "$README"; }
mkdir -p "$T/prom"
block '# prometheus.yml' >"$T/prom/prometheus.yml"
cp "$RULES" "$T/prom/opscheck-alerts.yml"
[ -s "$T/prom/prometheus.yml" ]; ok $? "README has a prometheus.yml block"
out=$(promtool check config "$T/prom/prometheus.yml" 2>&1); rc=$?
ok $rc "promtool check config: README's prometheus.yml with docs/alerts.yml"; [ $rc -eq 0 ] || diag "$out"
like "$out" 'SUCCESS: [0-9]+ rules found' "it loads the rules of docs/alerts.yml"
like "$(cat "$T/prom/prometheus.yml")" '^    replica: a' "the HA pair differs by an external replica label"
like "$(cat "$T/prom/prometheus.yml")" '^      regex: replica$' "which is dropped from the alerts sent"
block '# alertmanager.yml' >"$T/alertmanager.yml"
[ -s "$T/alertmanager.yml" ]; ok $? "README has an alertmanager.yml block"
out=$(amtool check-config "$T/alertmanager.yml" 2>&1); rc=$?
ok $rc "amtool check-config: README's alertmanager.yml"; [ $rc -eq 0 ] || diag "$out"
for sev in $(sed -n 's/^ *severity: *//p' "$RULES" | sort -u); do
    grep -qF "'severity=\"$sev\"'" "$T/alertmanager.yml"
    ok $? "alertmanager.yml routes severity=$sev, which docs/alerts.yml uses"
done
# amtool config routes test: a billing page goes to the payments pager.
out=$(amtool config routes test --config.file="$T/alertmanager.yml" severity=critical checklist=billing 2>"$T/amtool.err")
is "$out" payments-pager "a critical billing alert is routed to payments-pager (amtool config routes test)"
out=$(amtool config routes test --config.file="$T/alertmanager.yml" severity=warning checklist=billing 2>"$T/amtool.err")
is "$out" ops-tickets "a billing warning makes a ticket"

# ---- the README's alert table and the rules' runbook links ----------------
for a in $(sed -n 's/^ *- alert: *//p' "$RULES"); do
    grep -q "^  | \`$a\` |" "$README"
    ok $? "README's alert table lists $a"
done
# GitHub's heading anchors: lower case, punctuation but - dropped, spaces to -.
anchors() { sed -n 's/^#\{1,6\} //p' "$1" | tr 'A-Z' 'a-z' | sed 's/[^a-z0-9 _-]//g; s/ /-/g'; }
for url in $(sed -n 's/^ *runbook_url: *"\(.*\)"$/\1/p' "$RULES" | sort -u); do
    file=${url%%#*} anchor=${url#*#}
    [ -f "$ROOT/$file" ] && anchors "$ROOT/$file" | grep -qxF -- "$anchor"
    ok $? "runbook_url $url names a heading that exists"
done
done_testing
