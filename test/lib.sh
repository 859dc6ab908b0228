# lib.sh - what every shell test shares: the pass/fail counters, one line per
# check in TAP's words, and the closing summary.  Sourced, never run:
#
#   . "$(dirname "$0")/lib.sh"
#   check "rows" 25 "$(wc -l <nation.tbl)"
#   finish "cli"        # prints "cli: N passed, N failed"; false if any failed

passed=0
failed=0

ok() {
	passed=$((passed + 1))
	echo "ok - $*"
}

not_ok() {
	failed=$((failed + 1))
	echo "not ok - $*"
}

check() { # check NAME EXPECTED ACTUAL
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1: expected '$2', got '$3'"; fi
}

# A file's fingerprint as test/fingerprints.tsv writes it: lines, bytes, sha256.
fp() { # fp FILE
	printf '%s %s %s' "$(wc -l <"$1")" "$(stat -c %s "$1")" "$(sha256sum <"$1" | cut -d' ' -f1)"
}

# The last command of a test script: its exit status is the verdict.
finish() { # finish SUITE-NAME
	echo "$1: $passed passed, $failed failed"
	[ "$failed" = 0 ]
}
