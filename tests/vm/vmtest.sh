# SPDX-License-Identifier: GPL-2.0-or-later
# Host side of a VM test (sourced by tests/vm/*.test): boots one guest with
# the topology given to vm_run and runs a case script in it, whose TAP output
# becomes this test's output.
#
# A case may ask for valgrind runs of pmemctl on a report it captured
# (valgrind_on_host in tests/helpers/tap.sh): they run here, natively, after
# the guest has stopped, on the report replayed with --sysroot, which walks
# the captured sysfs through libndctl as the guest did. Valgrind starts in
# 6-7 s under TCG and in well under one here.
#
# A .test script may define host_checks(): it runs on the host after the
# guest has stopped, with the guest's work directory (backing files,
# qemu.log, out/ with anything the case left in /run/pmemvm) as $1, and
# reports more TAP checks through the same helpers as the guest (pass, fail,
# is, check).
srcdir=${PMEMCTL_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${PMEMCTL_BUILDDIR:-$srcdir}
PMEMCTL=${PMEMCTL:-$builddir/pmemctl}
export PMEMCTL

# The JSON documents the guest's checks got from pmemctl, spooled by
# tests/helpers/tap.sh (TAP_JSON_SPOOL): validated here in one Python process
# (seconds a document in the guest), a failed check per invalid one,
# numbered after the guest's and added to $work/tap so later checks count
# them. False when one is invalid.
validate_spooled_json()
{
	local spool=$1 count cmd args errors
	count=$(grep -cE '^(not )?ok ' "$work/tap")
	python3 "$srcdir/tests/helpers/validate-json.py" --spool "$srcdir/schemas" "$spool" \
		> "$work/spool.out" 2>&1
	case $? in
	0 | 77) return 0 ;;
	1)
		while IFS=$'\t' read -r cmd args errors; do
			count=$((count + 1))
			printf 'not ok %d - %s\n# %s\n# %s\n' "$count" \
				"pmemctl $cmd's JSON validates against schemas/pmemctl-$cmd.schema.json" \
				"$args" "$errors"
		done < "$work/spool.out" | tee -a "$work/tap"
		;;
	*)
		printf 'not ok %d - the spooled JSON documents could be validated\n' $((count + 1)) |
			tee -a "$work/tap"
		sed 's/^/# /' "$work/spool.out"
		;;
	esac
	return 1
}

# Where the job's time went (tests/helpers/tap.sh's TAP_TIMES): each case's
# time, and the slowest stretches, each ending at the check it names.
slowest_checks()
{
	awk '{ t = $1; $1 = ""; sub(/^ /, "") }
	$1 == "start" { if (c != "") printf "# case %s: %.1f s\n", c, last - begin
		c = $2; begin = t; last = t; next }
	{ printf "%.1f\t%s\n", t - last, $0 > "/dev/stderr"; last = t }
	END { if (c != "") printf "# case %s: %.1f s\n", c, last - begin }' "$1" 2> "$1.steps"
	echo "# slowest stretches (seconds, ending at check):"
	sort -rn "$1.steps" | head -n 8 | sed 's/^/#   /'
}

# valgrind_replays DIR: each line of DIR/runs is a report's file name in
# DIR, the exit status expected and pmemctl's arguments,
# tab-separated; a check per line, passed when valgrind finds no error and
# no definite or indirect leak and pmemctl exits as expected.
valgrind_replays()
{
	local dir=$1 bundle expected args status what
	while IFS=$'\t' read -r bundle expected args; do
		what="host valgrind: --sysroot $bundle $args (exit $expected)"
		if ! command -v valgrind > /dev/null; then
			skip "$what" "valgrind is not installed"
			continue
		elif [ "$(id -u)" -ne 0 ]; then
			skip "$what" "replaying a report needs root"
			continue
		fi
		# shellcheck disable=SC2086
		valgrind -q --vgdb=no --error-exitcode=99 --leak-check=full \
			--errors-for-leak-kinds=definite,indirect \
			"$PMEMCTL" --sysroot "$dir/$bundle" $args > /dev/null 2> "$dir/vg" < /dev/null
		status=$?
		if [ $status -eq "$expected" ]; then
			pass "$what: no errors, no leaks"
		else
			fail "$what: exit $status"
			# Valgrind 3.19 warns at every openat2() (syscall 437),
			# which a replay tries before its own walk.
			grep -v '^--[0-9]*-- ' "$dir/vg" | head -n 40 | diag
		fi
	done < "$dir/runs"
}

# vm_run [pmemvm options] -- CASE [ARGS] [-- CASE [ARGS]]...: each CASE is
# relative to tests/vm/cases; several run in turn in one guest (suite.sh).
vm_run()
{
	local args=() status work
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do
		args+=("$1")
		shift
	done
	shift
	local case_script=$srcdir/tests/vm/cases/$1
	# Several cases (CASE [ARG...] -- CASE [ARG...]): one guest runs them
	# in turn through suite.sh, as if it had been named first.
	if [ "$1" != suite.sh ] && printf '%s\n' "$@" | grep -qx -- --; then
		case_script=$srcdir/tests/vm/cases/suite.sh
	else
		shift
	fi
	if [ ! -x "$PMEMCTL" ]; then
		echo "Bail out! $PMEMCTL is not built"
		exit 99
	fi
	work=$(mktemp -d "${TMPDIR:-/tmp}/vmtest.XXXXXX")
	"$srcdir/tests/vm/pmemvm" "${args[@]}" --keep "$work" \
		--env "PMEMCTL=$PMEMCTL" --env "PMEMCTL_SRCDIR=$srcdir" \
		--env "PMEMCTL_BUILDDIR=$builddir" \
		--env TAP_NO_PLAN=1 --env TAP_JSON_SPOOL=/run/pmemvm/json-spool \
		--env TAP_TIMES=/run/pmemvm/times \
		-- bash "$case_script" "$@" > "$work/tap" 2> "$work/stderr"
	status=$?
	case $status in
	77)
		echo "1..0 # SKIP $(sed -n 's/^pmemvm: SKIP: //p' "$work/stderr")"
		rm -rf "$work"
		exit 0
		;;
	esac
	cat "$work/tap"
	sed 's/^/# /' "$work/stderr"
	[ -f "$work/out/times" ] && slowest_checks "$work/out/times"
	if [ -d "$work/out/json-spool" ] && ! validate_spooled_json "$work/out/json-spool"; then
		[ $status -eq 99 ] || status=1
	fi
	if [ $status -ne 99 ] && { [ -s "$work/out/host-valgrind/runs" ] ||
				   declare -F host_checks > /dev/null; }; then
		# Continue the guest's numbering with the host's checks.
		TAP_COUNT=$(grep -cE '^(not )?ok ' "$work/tap")
		TAP_FAILED=0
		# shellcheck source=/dev/null
		. "$srcdir/tests/helpers/tap.sh"
		TAP_COUNT=$(grep -cE '^(not )?ok ' "$work/tap")
		[ -s "$work/out/host-valgrind/runs" ] && valgrind_replays "$work/out/host-valgrind"
		declare -F host_checks > /dev/null && host_checks "$work"
		[ "$TAP_FAILED" -eq 0 ] || status=1
	else
		TAP_COUNT=$(grep -cE '^(not )?ok ' "$work/tap")
	fi
	echo "1..$TAP_COUNT"
	rm -rf "$work"
	exit $status
}
