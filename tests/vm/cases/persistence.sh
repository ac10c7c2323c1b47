#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# VM case: pmemctl's persistence model against the kernel and libpmem2.
# For every enabled fsdax namespace: ext4 -o dax on it, a file, then the
# granularity libpmem2 gives a mapping of that file (the oracle) and a real
# MAP_SYNC mmap attempt, compared with `pmemctl show`.
. "$PMEMCTL_SRCDIR/tests/helpers/tap.sh"
oracle=${PMEMCTL_BUILDDIR:-$(dirname "$PMEMCTL")}/tests/helpers/pmem2-granularity

case "$PMEMVM_DOMAIN" in
hidden) nfit_domain=unknown ;;
*) nfit_domain=$PMEMVM_DOMAIN ;;
esac

run "$PMEMCTL" show --json
expect_status 0 "show --json exits 0"
show=$OUT

# --- the platform verdict: weakest wins ----------------------------------------
expected_verdict=$nfit_domain
[ "$PMEMVM_VIRTIO" -gt 0 ] || [ -n "$PMEMVM_MEMMAP" ] && expected_verdict=unknown
[ "$PMEMVM_NVDIMMS" -gt 0 ] || [ "$PMEMVM_VIRTIO" -gt 0 ] || [ -n "$PMEMVM_MEMMAP" ] ||
	expected_verdict=unknown
is "$(json_get 'j["platform"]["persistence_domain"]')" "$expected_verdict" \
	"platform verdict: the weakest region's domain ($expected_verdict)"
is "$(json_get 'sorted(j["platform"]["weakest_regions"]) == sorted(r["dev"] for r in j["regions"] if r["persistence_domain"] == j["platform"]["persistence_domain"])')" \
	true "the verdict names the regions that set it"

# --- regions: domain, reason, deep flush, against sysfs --------------------------
for r in /sys/bus/nd/devices/region*; do
	dev=$(basename "$r")
	OUT=$show
	got=$(json_get "[(x['persistence_domain'], x['deep_flush_capability'], x['persistence_reason'] is None, x['async']) for x in j['regions'] if x['dev'] == '$dev'][0]")
	if [ -e "$r/persistence_domain" ]; then
		domain=$(cat "$r/persistence_domain")
	else
		domain=unknown
	fi
	if [ ! -e "$r/deep_flush" ]; then
		cap=absent
	elif [ "$(stat -c %a "$r/deep_flush")" = 644 ] && [ "$(cat "$r/deep_flush")" = 1 ]; then
		cap=supported
	else
		cap=not-needed
	fi
	provider=$(basename "$(readlink -f "$r/..")")
	async=false
	grep -q virtio "$r/../provider" 2>/dev/null && async=true
	known=true
	[ "$domain" = unknown ] && known=false
	is "$got" "[\"$domain\", \"$cap\", $known, $async]" \
		"$dev ($(cat "$r/../provider" 2>/dev/null || echo "$provider")): domain, deep flush, reason, async as sysfs says"
done
OUT=$show
if [ "$PMEMVM_DOMAIN" = hidden ] && [ "$PMEMVM_NVDIMMS" -gt 0 ]; then
	check "hidden domain: the reason names the missing NFIT capability" \
		grep -q 'no platform capabilities structure' <<< "$(json_get '[x["persistence_reason"] for x in j["regions"]]')"
fi
if [ "$PMEMVM_VIRTIO" -gt 0 ]; then
	check "virtio-pmem: the reason says the host must flush" \
		grep -q 'host has flushed its backing file' <<< "$(json_get '[x["persistence_reason"] for x in j["regions"]]')"
fi

# --- deep-flush on the NFIT regions: never needed on QEMU NVDIMMs -------------
if [ "$PMEMVM_NVDIMMS" -gt 0 ]; then
	case "$nfit_domain" in
	cpu_cache) why='in the CPU caches (eADR)' ;;
	memory_controller) why='once they reach the memory controller (ADR)' ;;
	*) why='although the platform declares no domain' ;;
	esac
	run "$PMEMCTL" deep-flush region0
	expect_status 0 "deep-flush region0 ($nfit_domain): not needed, exit 0"
	check "deep-flush region0: says stores are durable $why" grep -qF "$why" <<< "$OUT"
fi

# --- namespaces: granularity against libpmem2, MAP_SYNC against mmap -----------
helpers=${PMEMCTL_BUILDDIR:-$(dirname "$PMEMCTL")}/tests/helpers

fsdax=$(ndctl list -N -m fsdax | python3 -c '
import json, sys
d = json.load(sys.stdin)
d = d if isinstance(d, list) else [d]
for n in d:
    if n.get("blockdev"):
        print(n["dev"], n["blockdev"])')
if [ -z "$fsdax" ]; then
	skip "granularity oracle" "no fsdax namespace in this topology"
fi
while read -r ns blockdev; do
	[ -n "$ns" ] || continue
	mnt=/tmp/pmem-$blockdev
	mkdir -p "$mnt"
	if ! { mkfs.ext4 -q -F -b 4096 "/dev/$blockdev" && mount -o dax "/dev/$blockdev" "$mnt"; } > "$TAP_TMP/mount" 2>&1; then
		fail "$ns: ext4 -o dax on /dev/$blockdev"
		diag < "$TAP_TMP/mount"
		continue
	fi
	fallocate -l 4M "$mnt/file"
	run "$PMEMCTL" show --json -o granularity,map_sync,recipe "$ns"
	ours=$(json_get '[n["granularity"] for r in j["regions"] for n in r["namespaces"]][0]')
	our_sync=$(json_get '[n["map_sync"] for r in j["regions"] for n in r["namespaces"]][0]')
	if [ -x "$oracle" ]; then
		is "$ours" "$("$oracle" "$mnt/file" 2>&1)" "$ns: granularity $ours, as libpmem2 says for a file on it"
	else
		skip "$ns: granularity against libpmem2" "libpmem2-dev not installed at build time"
	fi
	is "$our_sync" "$("$helpers/map-sync" "$mnt/file" 2>&1)" "$ns: map_sync $our_sync, as a real MAP_SYNC mmap says"
	umount "$mnt"
done <<< "$fsdax"

done_testing
