#!/usr/bin/env bash
# The thesis inputs in the repo are exactly what tools/cog2json.py makes from ../shared/thesis-data.
source "$(dirname "$0")/../lib.sh"
data=${ZP_THESIS_DATA:-$ZP_ROOT/../shared/thesis-data}
if [ ! -d "$data" ]; then
    echo "thesis data not found at $data: nothing to compare"; finish; exit
fi
out=$ZP_TMP/converter; mkdir -p "$out"
check "converter runs and verifies its counts" "$PY" tools/cog2json.py --thesis-dir "$data" --out "$out" --intended-out "$out"
for f in case1 case2 case1_arrivals case2_arrivals; do
    check "inputs/thesis/$f.json is the converter's output" cmp -s "$out/$f.json" "inputs/thesis/$f.json"
done
check "the intended case-2 demands are kept with the bad inputs" cmp -s "$out/case2_intended.json" tests/bad_inputs/case2_intended.json
expect_eq "case2_intended is rejected: an app fits no zone" \
    "$("$ZP_BIN" validate --config tests/bad_inputs/case2_intended.json 2>&1 >/dev/null | grep -c 'fits no zone')" 1
finish
