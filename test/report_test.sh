#!/usr/bin/env bash
# report_test.sh - tpchgen report: Markdown and HTML from run reports, the
# computed ratios, bad input, and the page rendered by a real browser.
#
#   test/report_test.sh bin/tpchgen
#
# Needs no server.  The browser checks need Debian's chromium (the quickstart
# installs it); without it they say so and are skipped.  Prints one line per
# check and a closing "N passed, N failed".
set -uo pipefail

bin=$(realpath "$1")
work=$(mktemp -d "${TMPDIR:-/tmp}/tpchgen-report.XXXXXX")
trap 'rm -rf "$work"' EXIT

# shellcheck source=test/lib.sh
. "$(dirname "$0")/lib.sh"

# A run report with known times: query q takes q * SCALE seconds in the
# power test and in each of 2 streams; RF1 and RF2 take 1 and 2 * SCALE.
make_report() { # file scale sf work_mem
	perl -e '
	my ($scale, $sf, $wm) = @ARGV;
	sub step { my ($k, $v, $t) = @_; sprintf("{\"%s\": %s, \"seconds\": %.6f, \"status\": \"ok\"}", $k, $v, $t) }
	sub stream { my ($n, $seed) = @_;
		sprintf("{\"stream\": %d, \"seed\": %d, \"seconds\": 1, \"queries\": [%s]}", $n, $seed,
			join(",", map { step("query", $_, $_ * $scale) } 1..22)) }
	printf("{\"format\": \"tpchgen-run\", \"format_version\": 1, \"started\": \"2026-11-30T12:00:00Z\",
	 \"sf\": %s, \"streams\": 2, \"seed\": 1130120000, \"power_only\": false, \"refresh\": true, \"timeout\": 0,
	 \"server\": {\"version\": \"15.20\", \"settings\": {\"work_mem\": \"%s\", \"jit\": \"on\"}},
	 \"power\": {\"stream\": %s, \"rf1\": %s, \"rf2\": %s},
	 \"throughput\": {\"seconds\": %.6f, \"streams\": [%s, %s],
	   \"refresh\": [{\"rf1\": %s, \"rf2\": %s}, {\"rf1\": %s, \"rf2\": %s}]},
	 \"metrics\": {\"power_at_size\": %.2f, \"throughput_at_size\": %.2f, \"qphh_at_size\": %.2f, \"valid\": true}}\n",
	 $sf, $wm, stream(0, 1130120000), step("set", 1, $scale), step("set", 1, 2 * $scale),
	 253 * $scale, stream(1, 1130120001), stream(2, 1130120002),
	 step("set", 2, $scale), step("set", 2, 2 * $scale), step("set", 3, $scale), step("set", 3, 2 * $scale),
	 1000 / $scale, 500 / $scale, sqrt(500000) / $scale)' "$2" "$3" "$4" >"$1"
}
make_report "$work/a.json" 0.1 1 4MB
make_report "$work/b.json" 0.05 1 64MB
make_report "$work/c.json" 0.2 10 4MB

# --- Markdown: tables and ratios
"$bin" report "$work/a.json" "$work/b.json" --markdown "$work/ab.md" --html "$work/ab.html" 2>"$work/err" &&
	ok "report A B --markdown --html" || not_ok "report: $(cat "$work/err")"
check "no warning for runs at the same SF" "" "$(cat "$work/err")"
check "per-query ratio B/A of the power test (Q7: 0.35 s / 0.7 s)" "| Q7 | 0.700 | 0.350 | 0.500 faster |" \
	"$(grep '^| Q7 | 0.700 | 0.350' "$work/ab.md")"
check "RF2's ratio" "| RF2 | 0.200 | 0.100 | 0.500 faster |" "$(grep '^| RF2 | 0.200 | 0.100' "$work/ab.md")"
check "metric ratios (B did twice as well)" "| Power@Size | 10000.00 | 20000.00 | 2.000 |" \
	"$(grep '^| Power@Size' "$work/ab.md")"
check "QphH@Size ratio" "2.000" "$(grep '^| QphH@Size' "$work/ab.md" | awk -F'|' '{gsub(/ /, "", $5); print $5}')"
check "a differing setting is marked" "| **work_mem** | **4MB** | **64MB** |" "$(grep 'work_mem' "$work/ab.md")"
check "an equal setting is not" "| jit | on | on |" "$(grep '| jit' "$work/ab.md")"
check "stream times in the Markdown" "| Q22 | 2.200 | 2.200 | 2.200 |" "$(grep '^| Q22 | 2.200' "$work/ab.md" | head -1)"
"$bin" report "$work/a.json" >"$work/stdout.md" && grep -q '^| Power@Size | 10000.00 |' "$work/stdout.md" &&
	ok "one report, Markdown on standard output" || not_ok "stdout: $(head -5 "$work/stdout.md")"

# --- HTML: self-contained
grep -qi '<script\|src=\|href=\|@import\|url(' "$work/ab.html" &&
	not_ok "the page loads something" || ok "the page has no script and fetches nothing"
check "two SVG charts per compared pair and one per run" 3 "$(grep -c '<svg' "$work/ab.html")"
grep -q 'class="diff"><td>work_mem' "$work/ab.html" && ok "the page highlights the differing setting" ||
	not_ok "no highlighted setting"
grep -q 'Q7: 0.350 s / 0.700 s = 0.500' "$work/ab.html" && ok "the ratio chart holds Q7's ratio" ||
	not_ok "no Q7 ratio in the chart"

# --- different scale factors: allowed, flagged
"$bin" report "$work/a.json" "$work/c.json" --html "$work/ac.html" --markdown "$work/ac.md" 2>"$work/err"
rc=$?
check "runs at different SFs: status 0" 0 $rc
grep -q 'warning:.*SF 1 and c.json at SF 10' "$work/err" && ok "a warning on standard error" ||
	not_ok "no warning: $(cat "$work/err")"
grep -q 'class="warning"><b>Warning:</b> a.json ran at SF 1 and c.json at SF 10' "$work/ac.html" &&
	grep -q '^> \*\*Warning:\*\*' "$work/ac.md" && ok "the warning is in the page and the Markdown" ||
	not_ok "no visible warning"

# --- bad input: one line, status 1, nothing written
bad() { # label pattern args...
	local label=$1 pat=$2
	shift 2
	rm -f "$work/out.html"
	"$bin" report "$@" --html "$work/out.html" >"$work/bad" 2>&1
	local rc=$?
	if [ $rc = 1 ] && [ "$(wc -l <"$work/bad")" = 1 ] && grep -q -- "$pat" "$work/bad" && [ ! -e "$work/out.html" ]; then
		ok "$label: $(cat "$work/bad")"
	else
		not_ok "$label: status $rc, $(cat "$work/bad")"
	fi
}
echo 'not json at all' >"$work/text.json"
echo '{"format": "something else"}' >"$work/other.json"
sed 's/"format_version": 1/"format_version": 2/' "$work/a.json" >"$work/v2.json"
printf '{"format": "tpchgen-run",\n "format_version": 1,\n "sf": }' >"$work/broken.json"
bad "not JSON" "is not a run report: it is not JSON" "$work/text.json"
bad "JSON of another kind" 'no "format": "tpchgen-run"' "$work/other.json"
bad "another format version" "format version 2; this tpchgen reads version 1" "$work/v2.json"
bad "broken JSON names the line" "unexpected character at line 3" "$work/broken.json"
bad "a missing file" "could not open" "$work/none.json"
bad "no report given" "give at least one run report"

# --- a real browser renders the page
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
	echo "skip - chromium is not installed: the page was not rendered (the quickstart installs it)"
else
	# a profile of its own: root's home may not be writable, and nothing is kept
	HOME=$work timeout 120 "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars \
		--enable-logging=stderr --v=0 --window-size=1000,2600 --screenshot="$work/ab.png" \
		"file://$work/ab.html" >"$work/chromium.log" 2>&1
	if [ -s "$work/ab.png" ]; then
		ok "chromium rendered the page to a PNG"
	else
		not_ok "chromium made no PNG: $(tail -3 "$work/chromium.log")"
	fi
	grep -q 'CONSOLE\|Uncaught' "$work/chromium.log" &&
		not_ok "console messages: $(grep 'CONSOLE\|Uncaught' "$work/chromium.log" | head -3)" ||
		ok "no console error while rendering"
	# the PNG: its size from IHDR, and enough different pixel bytes not to be blank
	check "the PNG is 1000 x 2600 and not blank" "1000 2600 drawn" "$(perl -MCompress::Zlib -e '
		local $/; my $png = <STDIN>;
		my ($w, $h) = unpack("NN", substr($png, 16, 8));
		my ($idat, $pos) = ("", 8);
		while ($pos < length $png) {
			my ($len, $type) = unpack("Na4", substr($png, $pos, 8));
			$idat .= substr($png, $pos + 8, $len) if $type eq "IDAT";
			$pos += 12 + $len;
		}
		my $raw = uncompress($idat) // "";
		my %seen; $seen{$_}++ for unpack("C*", substr($raw, 0, 4_000_000));
		print "$w $h ", (keys(%seen) > 32 ? "drawn" : "blank (" . keys(%seen) . " byte values)")' <"$work/ab.png" 2>&1)"
fi

echo
finish "report"
