#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# VM case: pmemctl metrics on nfit_test with injected SMART values and media
# errors, served by the real node_exporter's textfile collector: its
# /metrics has the pmem families and node_textfile_scrape_error 0; values
# agree with ndctl; non-root says health was not readable.
. "$PMEMCTL_SRCDIR/tests/helpers/tap.sh"
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }

if ! command -v prometheus-node-exporter > /dev/null; then
	skip "prometheus-node-exporter is not installed"
	done_testing
	exit 0
fi

ndctl inject-smart nmem0 -m 52 -s 15 > /dev/null
ndctl inject-smart nmem1 -f > /dev/null
ndctl inject-smart nmem3 -U > /dev/null
ns=$(ndctl list -N -b nfit_test.0 | python3 -c '
import json, sys
j = json.load(sys.stdin)
print(sorted(n["dev"] for n in (j if isinstance(j, list) else [j]))[0])')
ndctl inject-error "$ns" -B 32 -n 16 > /dev/null 2>&1
ndctl start-scrub nfit_test.0 > /dev/null 2>&1
ndctl wait-scrub nfit_test.0 > /dev/null 2>&1

textdir=$(mktemp -d /tmp/textfile.XXXXXX)
chmod 755 "$textdir"
run "$PMEMCTL" metrics -o "$textdir/pmemctl.prom"
expect_status 0 "metrics -o: exit 0"
run promtool check metrics < "$textdir/pmemctl.prom"
expect_status 0 "promtool check metrics accepts it ($ERR)"

# The values, against ndctl.
prom=$textdir/pmemctl.prom
value() { sed -n "s/^$1 //p" "$prom"; }
dimm=$(ndctl list -DH -d nmem0 | python3 -c '
import json, sys
j = json.load(sys.stdin)
d = j[0] if isinstance(j, list) else j
print(d["health"]["temperature_celsius"], d["health"]["spares_percentage"])')
read -r temp spares <<< "$dimm"
is "$(value 'pmem_dimm_temperature_celsius{dimm="nmem0",bus="ndbus0"}')" "${temp%.0}" \
	"nmem0's temperature as ndctl list -DH gives it ($temp)"
is "$(value 'pmem_dimm_spares_ratio{dimm="nmem0",bus="ndbus0"}')" \
	"$(python3 -c "print($spares / 100)")" "nmem0's spares as ndctl gives them ($spares %)"
is "$(value 'pmem_dimm_health_state{dimm="nmem1",bus="ndbus0",state="fatal"}')" 1 "nmem1 fatal"
is "$(value 'pmem_dimm_shutdown_dirty{dimm="nmem3",bus="ndbus0"}')" 1 "nmem3's last shutdown dirty"
want=$(ndctl list -N -M -n "$ns" | python3 -c '
import json, sys
j = json.load(sys.stdin)
n = j[0] if isinstance(j, list) else j
print(512 * n.get("badblock_count", 0))')
region=$(ndctl list -N -n "$ns" -R | python3 -c '
import json, sys
j = json.load(sys.stdin)
j = j["regions"] if isinstance(j, dict) and "regions" in j else j
print((j[0] if isinstance(j, list) else j)["dev"])')
is "$(value "pmem_namespace_media_error_bytes{namespace=\"$ns\",region=\"$region\"}")" "$want" \
	"$ns: media error bytes = 512 x ndctl's badblock_count ($want)"
check "ndbus0 has scrubbed" grep -q '^pmem_bus_scrubs_total{bus="ndbus0"} [1-9]' "$prom"

# node_exporter serves it, as the unprivileged user it runs as.
ip link set lo up
nobody prometheus-node-exporter --web.listen-address=127.0.0.1:9100 \
	--collector.disable-defaults --collector.textfile \
	--collector.textfile.directory="$textdir" > "$textdir/../node-exporter.log" 2>&1 &
exporter=$!
for _ in $(seq 50); do
	curl -sf http://127.0.0.1:9100/metrics > /tmp/scrape 2> /dev/null && break
	sleep 0.2
done
check "node_exporter answers on /metrics" test -s /tmp/scrape
check "node_textfile_scrape_error 0" grep -qx 'node_textfile_scrape_error 0' /tmp/scrape
check "node_exporter serves pmem_region_size_bytes" grep -q '^pmem_region_size_bytes{' /tmp/scrape
check "node_exporter serves nmem1's fatal state" \
	grep -q '^pmem_dimm_health_state{bus="ndbus0",dimm="nmem1",state="fatal"} 1' /tmp/scrape
check "node_exporter serves pmem_collect_success 1" grep -qx 'pmem_collect_success 1' /tmp/scrape
# (a family without samples is dropped by node_exporter: only those with some)
for fam in $(sed -n 's/^\(pmem_[a-z_]*\)[{ ].*/\1/p' "$prom" | sort -u); do
	grep -q "^# TYPE $fam " /tmp/scrape || missing="${missing:-} $fam"
done
is "${missing:-}" "" "node_exporter serves every family pmemctl wrote samples of"

# As systemd/pmemctl-metrics.service runs it: root's uid without any
# capability (CapabilityBoundingSet=, NoNewPrivileges), /sys read-only
# (ProtectKernelTunables), no modules (ProtectKernelModules), every mount
# read-only but the textfile directory (ProtectSystem=strict), no network.
# SMART still reads: the ioctl checks no capability. The system calls it
# makes must all pass SystemCallFilter (systemd-analyze's own sets).
grep '^pmem_dimm_\(temperature_celsius\|health_state\|spares\)' "$prom" | sort > "$textdir/root.health"
unshare -m -n sh -c '
	mount -o remount,bind,ro /sys
	for m in /lib/modules /usr/lib/modules; do mount -t tmpfs -o ro none "$m"; done
	mount -o bind "$1" "$1" && mount -o remount,bind,ro / 2> /dev/null
	exec setpriv --bounding-set=-all --inh-caps=-all --ambient-caps=-all --no-new-privs \
		strace -f -qq -o "$1/strace" "$PMEMCTL" metrics -o "$1/hardened.prom"' sh "$textdir"
is "$?" 0 "hardened as the unit: exit 0"
grep '^pmem_dimm_\(temperature_celsius\|health_state\|spares\)' "$textdir/hardened.prom" | sort > "$textdir/hardened.health"
check "hardened as the unit: SMART read ($(grep -c temperature "$textdir/hardened.health") temperatures)" \
	grep -q '^pmem_dimm_temperature_celsius{' "$textdir/hardened.health"
is "$(diff "$textdir/root.health" "$textdir/hardened.health")" "" \
	"hardened as the unit: the same health metrics as root with every capability"
is "$(grep -E '^[0-9]+ +open(at2?)?\(' "$textdir/strace" | grep -oE '"/dev/[^"]*"' | tr -d '"' | sort -u |
	grep -vE '^/dev/(nmem|ndctl)[0-9]+$|^/dev/(null|zero|full|u?random|tty)$' | tr '\n' ' ')" "" \
	"hardened as the unit: no device but /dev/nmemN and /dev/ndctlN (its DeviceAllow=)"
if command -v systemd-analyze > /dev/null; then
	# sets SET...: their system calls, nested sets expanded.
	sets() { systemd-analyze syscall-filter | python3 -c '
import sys
sets, cur = {}, None
for line in sys.stdin:
    if line.startswith("@"):
        cur = sets.setdefault(line.split()[0], [])
    elif cur is not None and line.startswith("    ") and not line.strip().startswith("#"):
        cur.append(line.strip())
def expand(name, seen):
    for m in sets.get(name, []):
        if m.startswith("@"):
            if m not in seen:
                seen.add(m)
                yield from expand(m, seen)
        elif m:
            yield m
print("\n".join(sorted({c for n in sys.argv[1:] for c in expand(n, set())})))' "$@"; }
	sets @system-service > "$textdir/allowed"
	sets @privileged @resources > "$textdir/denied"
	made=$(sed -nE 's/^[0-9]+ +([a-z_0-9]+)\(.*/\1/p' "$textdir/strace" | sort -u)
	refused=$(for c in $made; do
		grep -qx "$c" "$textdir/allowed" && ! grep -qx "$c" "$textdir/denied" || echo "$c"
	done | grep -vx 'execve' | tr '\n' ' ')
	is "$refused" "" "every system call metrics made passes the unit's SystemCallFilter ($(echo $made | wc -w) calls)"
else
	skip "the unit's SystemCallFilter: systemd-analyze is not installed"
fi

# Non-root: what it can read, and a metric saying health was not.
run nobody "$PMEMCTL" metrics
expect_status 0 "non-root: exit 0"
printf '%s\n' "$OUT" > "$textdir/nobody.txt"
check "non-root: nmem0's health not readable, needs root" \
	grep -qx 'pmem_dimm_health_readable{dimm="nmem0",bus="ndbus0",reason="needs-root"} 0' "$textdir/nobody.txt"
check "non-root: no temperature" bash -c "! grep -q '^pmem_dimm_temperature_celsius{' '$textdir/nobody.txt'"
check "non-root: the region sizes are there" grep -q '^pmem_region_size_bytes{' "$textdir/nobody.txt"
check "non-root: the kernel's dirty shutdown count is there (sysfs)" \
	grep -q '^pmem_dimm_dirty_shutdowns_total{dimm="nmem0"' "$textdir/nobody.txt"
run promtool check metrics < "$textdir/nobody.txt"
expect_status 0 "non-root: promtool accepts it"

# The file again, while node_exporter reads: never half a file.
for _ in $(seq 20); do "$PMEMCTL" metrics -o "$textdir/pmemctl.prom"; done &
writer=$!
errors=0
for _ in $(seq 20); do
	curl -sf http://127.0.0.1:9100/metrics | grep -qx 'node_textfile_scrape_error 0' ||
		errors=$((errors + 1))
done
wait $writer
is "$errors" 0 "20 scrapes during 20 rewrites: no scrape error"
kill $exporter
wait $exporter 2> /dev/null
done_testing
