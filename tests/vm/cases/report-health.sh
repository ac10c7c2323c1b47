#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# VM case: a report of nfit_test with injected SMART values and media
# errors replays list -DHM, show and doctor exactly as live: the SMART
# answers and Translate SPA's DIMMs come from the bundle, not from sysfs.
. "$PMEMCTL_SRCDIR/tests/helpers/tap.sh"
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }

run ndctl list -D -b nfit_test.0
dimms=$(printf '%s' "$OUT" | python3 -c '
import json, sys
j = json.load(sys.stdin)
print(" ".join(sorted(d["dev"] for d in (j if isinstance(j, list) else [j]))))')
set -- $dimms
check "nfit_test.0 has four DIMMs ($dimms)" test $# -ge 4
ndctl inject-smart "$1" -m 47 -s 20 > /dev/null
ndctl inject-smart "$2" -f > /dev/null
ndctl inject-smart "$3" -U > /dev/null
run ndctl list -N -b nfit_test.0
nss=$(printf '%s' "$OUT" | python3 -c '
import json, sys
j = json.load(sys.stdin)
print(" ".join(sorted(n["dev"] for n in (j if isinstance(j, list) else [j]))))')
for ns in $nss; do
	ndctl inject-error "$ns" -B 16 -n 8 > /dev/null 2>&1
done
ndctl start-scrub nfit_test.0 > /dev/null 2>&1
check "ndctl wait-scrub nfit_test.0" sh -c 'ndctl wait-scrub nfit_test.0 > /dev/null'

work=$(mktemp -d /tmp/report.XXXXXX)
chmod 755 "$work"
bundle=$work/health.tar.gz
run "$PMEMCTL" report "$bundle"
expect_status 0 "report: exit 0"
top=$(tar tzf "$bundle" | head -n 1)
top=${top%/}
tar tzf "$bundle" > "$work/entries"
for d in $dimms; do
	check "the bundle holds $d's SMART answer" grep -qx "$top/pmemctl/health/$d" "$work/entries"
done
check "the bundle holds Translate SPA's answers for an interleaved region" \
	grep -q "^$top/pmemctl/badblock-dimms/region" "$work/entries"

# Live and replayed, the same commands; the same output and exit code.
same()
{
	local live replay live_rc replay_rc
	live=$("$PMEMCTL" "$@" 2>&1)
	live_rc=$?
	replay=$("$PMEMCTL" --sysroot "$bundle" "$@" 2>&1)
	replay_rc=$?
	if [ "$live" = "$replay" ] && [ $live_rc = $replay_rc ]; then
		pass "replay equals live: $* (exit $live_rc)"
	else
		fail "replay equals live: $* (exit $live_rc, replayed $replay_rc)"
		diff <(printf '%s\n' "$live") <(printf '%s\n' "$replay") | head -n 40 | diag
	fi
}
same list -DHM --json
same list -RNM --json
same list -BDRNXiHM --json
same list -H
same list -M
same show --json
same show
same doctor --json
same doctor
for d in $dimms; do
	same show "$d" --json
done

run "$PMEMCTL" --sysroot "$bundle" list -DH --json -d "$2"
is "$(json_get "j['dimms'][0]['health']['health_state']")" fatal \
	"the replayed $2 is fatal, as injected"
run "$PMEMCTL" --sysroot "$bundle" list -RM --json
check "the replayed media errors name DIMMs" \
	test "$(json_get "sum(len(b['dimms']) for r in j['regions'] for b in r.get('badblocks', []))")" -gt 0

# Anyone may replay it: the SMART values come from the bundle, not root.
# report writes it 0600: nobody replays a copy of their own.
cp "$bundle" "$work/nobody.tar.gz"
chown 65534 "$work/nobody.tar.gz"
run nobody "$PMEMCTL" --sysroot "$work/nobody.tar.gz" list -DH --json -d "$1"
expect_status 0 "non-root replay: exit 0"
is "$(json_get "j['dimms'][0]['health']['temperature_celsius']")" 47.0 \
	"non-root replay: $1 at 47.0, from the bundle"

# A report as non-root says SMART was left out, and replays nulls.
mkdir -m 777 "$work/nobody"
run nobody "$PMEMCTL" report --json "$work/nobody/bundle.tar.gz"
expect_status 0 "report as non-root: exit 0"
is "$(json_get "[g['why'] for g in j['not_captured'] if g['what'] == 'DIMM SMART health']")" \
	'["needs root"]' "non-root report: SMART named as not captured"
run "$PMEMCTL" --sysroot "$work/nobody/bundle.tar.gz" list -DH --json -d "$1"
is "$(json_get "j['dimms'][0]['health']['health_state']")" null \
	"a non-root bundle replays no SMART values"
rm -rf "$work"
done_testing
