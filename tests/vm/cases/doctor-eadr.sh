#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# VM case: pmemctl doctor on an eADR (cpu_cache) region of a platform that
# also has a weaker one: cache-line granularity, as libpmem2 gives, and an
# info finding that names the weaker region. Expects one labelled NVDIMM
# with --domain cpu_cache and a memmap (e820) region, which declares none.
. "$PMEMCTL_SRCDIR/tests/helpers/tap.sh"
oracle=${PMEMCTL_BUILDDIR:-$(dirname "$PMEMCTL")}/tests/helpers/pmem2-granularity

regions=$(ndctl list -R | python3 -c '
import json, sys
rs = json.load(sys.stdin)
rs = rs if isinstance(rs, list) else [rs]
eadr = [r["dev"] for r in rs if r.get("persistence_domain") == "cpu_cache"]
other = [r["dev"] for r in rs if r.get("persistence_domain") != "cpu_cache"]
print(eadr[0] if eadr else "", other[0] if other else "")')
read -r eadr weaker <<< "$regions"
if [ -z "$eadr" ] || [ -z "$weaker" ]; then
	echo "Bail out! expected an eADR region and a weaker one (got '$regions')"
	exit 1
fi
read -r ns blockdev <<< "$(ndctl create-namespace -r "$eadr" -m fsdax -s 256M | python3 -c '
import json, sys; j = json.load(sys.stdin); print(j["dev"], j["blockdev"])')"
mkdir -p /tmp/dax
mkfs.ext4 -q -F -b 4096 "/dev/$blockdev" && mount -o dax "/dev/$blockdev" /tmp/dax
fallocate -l 4M /tmp/dax/file

# --- a namespace on the eADR region ----------------------------------------------
run "$PMEMCTL" doctor --json "$ns"
expect_status 0 "$ns on eADR beside $weaker: info only (exit 0)"
is "$(json_get '(j["verdict"]["persistence_domain"], j["verdict"]["granularity"])')" \
	'["cpu_cache", "cache-line"]' "the region is cpu_cache, the granularity cache-line"
is "$(json_get '[(f["severity"], f["object"]) for f in j["findings"] if f["code"] == "weaker-region"]')" \
	"[[\"info\", \"$eadr\"]]" "one weaker-region finding (info) on $eadr"
msg=$(json_get '[f["message"] for f in j["findings"] if f["code"] == "weaker-region"][0]')
check "it names $weaker and its domain ($msg)" grep -q "but $weaker is weaker (unknown)" <<< "$msg"
check "it says what that means" grep -q 'only when every region is cpu_cache, so stores here need cache-line flushes' <<< "$msg"

# --- a DAX file on it, against libpmem2 -------------------------------------------
run "$PMEMCTL" doctor --json /tmp/dax/file
expect_status 0 "a DAX file there: exit 0"
is "$(json_get '(j["target"]["dax"], j["verdict"]["granularity"], "weaker-region" in [f["code"] for f in j["findings"]])')" \
	'[true, "cache-line", true]' "the file: DAX, cache-line, and the finding says why"
if [ -x "$oracle" ]; then
	is "$("$oracle" /tmp/dax/file 2>&1)" cache-line "libpmem2 agrees: cache-line for the file"
else
	skip "libpmem2 agrees: cache-line for the file" "no pmem2-granularity helper (libpmem2-dev)"
fi
run "$PMEMCTL" doctor /tmp/dax/file
check "human output: the finding under Findings" grep -Eq "^  info +$eadr +$eadr is eADR \(cpu_cache\), but $weaker" <<< "$OUT"

# --- where it does not apply -------------------------------------------------------
run "$PMEMCTL" doctor --json
is "$(json_get '("weaker-region" in [f["code"] for f in j["findings"]], "mixed-domains" in [f["code"] for f in j["findings"]])')" \
	'[false, true]' "the whole platform: mixed-domains says it, not weaker-region"
run "$PMEMCTL" doctor --json "$weaker"
is "$(json_get '"weaker-region" in [f["code"] for f in j["findings"]]')" false \
	"the weaker region itself: no weaker-region finding"

umount /tmp/dax
done_testing
