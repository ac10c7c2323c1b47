# SPDX-License-Identifier: GPL-2.0-or-later
# TAP helpers for test cases that run inside a pmemvm guest (sourced).
# Each check prints "ok N - ..." or "not ok N - ..." with diagnostics.

# A suite of cases in one guest numbers on from where the last case ended.
TAP_COUNT=${TAP_START:-0}
TAP_FAILED=0
: "${PMEMCTL:?PMEMCTL must name the pmemctl binary}"
TAP_TMP=$(mktemp -d)

# Where a case's time goes: with TAP_TIMES naming a file, each check
# appends when it ended (bash's clock, no fork), after a line for the
# case's start; tests/vm/vmtest.sh prints the slowest stretches.
tap_time()
{
	[ -n "${TAP_TIMES:-}" ] || return 0
	# One line a check: a description of several lines would start
	# records without a time.
	local what="$*"
	printf '%s %s\n' "$EPOCHREALTIME" "${what//$'\n'/ }" >> "$TAP_TIMES"
}
tap_time "start ${0##*/}"

pass()
{
	TAP_COUNT=$((TAP_COUNT + 1))
	echo "ok $TAP_COUNT - $*"
	tap_time "$TAP_COUNT $*"
}

fail()
{
	TAP_COUNT=$((TAP_COUNT + 1))
	TAP_FAILED=$((TAP_FAILED + 1))
	echo "not ok $TAP_COUNT - $*"
	tap_time "$TAP_COUNT $*"
}

skip()
{
	TAP_COUNT=$((TAP_COUNT + 1))
	echo "ok $TAP_COUNT - $1 # SKIP ${2:-}"
	tap_time "$TAP_COUNT $1"
}

diag()
{
	sed 's/^/# /'
}

# run CMD...: runs a command, keeping stdout, stderr and status in
# $OUT, $ERR and $STATUS for the checks that follow.
run()
{
	"$@" > "$TAP_TMP/out" 2> "$TAP_TMP/err"
	STATUS=$?
	OUT=$(cat "$TAP_TMP/out")
	ERR=$(cat "$TAP_TMP/err")
	validate_json "$@"
}

# Every JSON document a test gets from pmemctl is checked against the
# command's JSON Schema (schemas/): a check fails when it does not validate.
validate_json()
{
	local cmd='' json=no arg skip_next=no status=$STATUS
	local schemas=${PMEMCTL_SRCDIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}/schemas
	for arg in "$@"; do
		if [ $skip_next = yes ]; then
			skip_next=no
			continue
		fi
		case $arg in
		"$PMEMCTL") cmd=pmemctl ;;
		--sysroot) skip_next=yes ;;
		--list-columns | --help | -h | --list-opts) return ;;
		--json | --json=*) json=yes ;;
		--*) ;;
		-*J*) json=yes ;;
		*) [ "$cmd" = pmemctl ] && cmd=$arg ;;
		esac
	done
	[ -n "$cmd" ] && [ "$cmd" != pmemctl ] && [ $json = yes ] || return
	[ "${OUT:0:1}" = "{" ] || return
	[ -f "$schemas/pmemctl-$cmd.schema.json" ] || return
	# Under emulation Python takes seconds to start: a VM case spools the
	# document, and the host validates them all at once after the guest
	# (tests/vm/vmtest.sh), failing a check per invalid one.
	if [ -n "${TAP_JSON_SPOOL:-}" ]; then
		local n
		mkdir -p "$TAP_JSON_SPOOL"
		n=$(printf '%06d' "$(ls "$TAP_JSON_SPOOL" | wc -l)")
		cp "$TAP_TMP/out" "$TAP_JSON_SPOOL/$n.$cmd.json"
		printf '%s\n' "$*" > "$TAP_JSON_SPOOL/$n.$cmd.args"
		STATUS=$status
		return
	fi
	python3 "$schemas/../tests/helpers/validate-json.py" "$schemas" "$cmd" \
		"$TAP_TMP/out" > "$TAP_TMP/schema" 2>&1
	case $? in
	0 | 77) ;;	# valid, or no python3-jsonschema to tell
	*)
		fail "pmemctl $cmd's JSON validates against schemas/pmemctl-$cmd.schema.json"
		diag < "$TAP_TMP/schema"
		;;
	esac
	STATUS=$status
}

show_run()
{
	echo "status $STATUS"
	echo "stdout:"; printf '%s\n' "$OUT" | head -n 40
	echo "stderr:"; printf '%s\n' "$ERR" | head -n 20
}

# check DESCRIPTION CMD...: passes when CMD exits 0.
check()
{
	local desc=$1
	shift
	if "$@"; then
		pass "$desc"
	else
		fail "$desc"
		echo "failed: $*" | diag
	fi
}

# is GOT EXPECTED DESCRIPTION
is()
{
	if [ "$1" = "$2" ]; then
		pass "$3"
	else
		fail "$3"
		printf 'got:      %s\nexpected: %s\n' "$1" "$2" | diag
	fi
}

# expect_status N DESCRIPTION: after run, the status must be N.
expect_status()
{
	if [ "$STATUS" = "$1" ]; then
		pass "$2"
	else
		fail "$2 (exit $STATUS, expected $1)"
		show_run | diag
	fi
}

# json_get EXPR: evaluates a Python expression on the JSON in $OUT (as j).
# Under emulation every python3 takes a second or more to start, and a case
# asks dozens of questions: one interpreter, started as the checks are
# sourced, answers them all (EXPR in, the answer out, each ended by a NUL).
# Its descriptors are copies of the coprocess's, which bash would close in
# a ( subshell ).
if [ -z "${TAP_JSON_TO:-}" ] && command -v python3 > /dev/null; then
	coproc TAP_JSON_SERVER {
		exec python3 -u -c '
import json, sys, traceback
requests, path = sys.stdin.buffer, sys.argv[1]
while True:
	expr = bytearray()
	while (c := requests.read(1)) != b"\0":
		if not c:
			sys.exit(0)
		expr += c
	try:
		with open(path) as f:
			j = json.load(f)
		v = eval(expr.decode())
		answer = json.dumps(v) if not isinstance(v, str) else v
	except Exception:
		answer = traceback.format_exc()
	sys.stdout.write(answer + "\0")
' "$TAP_TMP/json_get" 2>&1
	}
	exec {TAP_JSON_TO}>&"${TAP_JSON_SERVER[1]}" {TAP_JSON_FROM}<&"${TAP_JSON_SERVER[0]}"
fi

json_get()
{
	local answer
	printf '%s' "$OUT" > "$TAP_TMP/json_get"
	printf '%s\0' "$1" >&"$TAP_JSON_TO"
	IFS= read -r -d '' answer <&"$TAP_JSON_FROM"
	printf '%s\n' "$answer"
}

# valgrind_on_host --status N REPORT ARGS...: in a guest, leaves the
# report (a pmemctl report tarball) for the host, which runs pmemctl
# --sysroot REPORT ARGS under valgrind after the guest stops
# (tests/vm/vmtest.sh), a check each, expecting exit N (what the same
# command gives live, so a replay that fails cannot pass). For
# commands that only read: the replay reads what the guest's sysfs said,
# through the same code.
valgrind_on_host()
{
	local dir=/run/pmemvm/host-valgrind name status
	[ "$1" = --status ] || { fail "valgrind_on_host: --status N first"; return; }
	status=$2
	shift 2
	name=$(basename "$1")
	mkdir -p "$dir"
	[ -f "$dir/$name" ] || cp "$1" "$dir/$name"
	shift
	printf '%s\t%s\t%s\n' "$name" "$status" "$*" >> "$dir/runs"
}

# Ends the checks: prints the plan, unless the host adds its own checks
# after the guest's (TAP_NO_PLAN, set by tests/vm/vmtest.sh).
done_testing()
{
	[ -n "${TAP_NO_PLAN:-}" ] || echo "1..$TAP_COUNT"
	rm -rf "$TAP_TMP"
	[ "$TAP_FAILED" -eq 0 ]
}
