# SPDX-License-Identifier: GPL-2.0-or-later
# Host side of a VM test (sourced by tests/vm/*.test): boots one guest with
# the topology given to vm_run and runs a case script in it, whose TAP output
# becomes this test's output.
srcdir=${PMEMCTL_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${PMEMCTL_BUILDDIR:-$srcdir}
PMEMCTL=${PMEMCTL:-$builddir/pmemctl}

# vm_run [pmemvm options] -- CASE [ARGS]: CASE is relative to tests/vm/cases.
vm_run()
{
	local args=() status
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do
		args+=("$1")
		shift
	done
	shift
	local case_script=$srcdir/tests/vm/cases/$1
	shift
	if [ ! -x "$PMEMCTL" ]; then
		echo "Bail out! $PMEMCTL is not built"
		exit 99
	fi
	"$srcdir/tests/vm/pmemvm" "${args[@]}" \
		--env "PMEMCTL=$PMEMCTL" --env "PMEMCTL_SRCDIR=$srcdir" \
		-- bash "$case_script" "$@" 2> "${TMPDIR:-/tmp}/pmemvm-err.$$"
	status=$?
	case $status in
	0) ;;
	77)
		echo "1..0 # SKIP $(sed -n 's/^pmemvm: SKIP: //p' "${TMPDIR:-/tmp}/pmemvm-err.$$")"
		status=0
		;;
	*)
		sed 's/^/# /' "${TMPDIR:-/tmp}/pmemvm-err.$$"
		;;
	esac
	rm -f "${TMPDIR:-/tmp}/pmemvm-err.$$"
	exit $status
}
