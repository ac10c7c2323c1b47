#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# VM case: pmemctl read-labels and check-labels on labelled QEMU NVDIMMs
# (after convert.sh, in the same guest): v1.1 (nmem0, as booted) and v1.2
# (nmem1, initialised here) against ndctl read-labels -j; a backup against
# ndctl read-labels -o and sha256sum -c; areas corrupted on purpose (written
# with ndctl write-labels as fixtures) reported by check-labels and doctor,
# with ndctl check-labels where it can tell.
. "$PMEMCTL_SRCDIR/tests/helpers/tap.sh"

region_of()
{
	ndctl list -R -d "$1" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print((d[0] if isinstance(d, list) else d)["dev"])'
}

r1=$(region_of nmem1)

# --- nmem1 in the v1.2 format, with a namespace of each claim -------------------
ndctl disable-region "$r1" > /dev/null 2>&1
ndctl init-labels -f -V 1.2 nmem1 > /dev/null 2>&1
ndctl enable-region "$r1" > /dev/null 2>&1
ndctl create-namespace -r "$r1" -m fsdax -s 64M -n lbl-fsdax > /dev/null
ndctl create-namespace -r "$r1" -m devdax -s 64M -n lbl-devdax > /dev/null
ndctl create-namespace -r "$r1" -m sector -s 64M -n lbl-sector > /dev/null
ndctl create-namespace -r "$r1" -m raw -s 64M -n lbl-raw > /dev/null

# compare PMEMCTL_JSON NDCTL_JSON: every index block and label, key by key.
compare()
{
	python3 - "$1" "$2" <<'EOF'
import json, sys
mine = json.load(open(sys.argv[1]))["dimms"]
ref = json.load(open(sys.argv[2]))
ref = ref if isinstance(ref, list) else [ref]
bad = []
mine = {d["dev"]: d for d in mine}
n = 0
for r in ref:
    m = mine.get(r["dev"])
    if m is None:
        bad.append(f"{r['dev']}: missing")
        continue
    for i, (a, b) in enumerate(zip(m["index"], r["index"])):
        for k in ("signature", "major", "minor", "labelsize", "seq", "nslot"):
            if a[k] != b[k]:
                bad.append(f"{r['dev']} index{i} {k}: {a[k]} != {b[k]}")
    ml = {l["slot"]: l for l in m["label"]}
    if sorted(ml) != sorted(l["slot"] for l in r.get("label", [])):
        bad.append(f"{r['dev']}: slots {sorted(ml)} != {[l['slot'] for l in r.get('label', [])]}")
    for b in r.get("label", []):
        a = ml.get(b["slot"])
        if a is None:
            continue
        n += 1
        for k, v in b.items():
            w = a.get(k)
            # ndctl prints 64-bit values through a signed int64
            if isinstance(v, int) and isinstance(w, int):
                v &= (1 << 64) - 1
            if w != v:
                bad.append(f"{r['dev']} slot {b['slot']} {k}: {w!r} != {v!r}")
print(n)
for b in bad:
    print(b)
EOF
}

run "$PMEMCTL" read-labels --all --json nmem0 nmem1
expect_status 0 "read-labels --all --json nmem0 nmem1: exit 0"
printf '%s' "$OUT" > "$TAP_TMP/mine.json"
ndctl read-labels -j nmem0 nmem1 > "$TAP_TMP/ref.json" 2>/dev/null
result=$(compare "$TAP_TMP/mine.json" "$TAP_TMP/ref.json")
count=$(head -n 1 <<< "$result")
if [ "$(wc -l <<< "$result")" = 1 ] && [ "$count" -ge 5 ]; then
	pass "read-labels agrees with ndctl read-labels -j on both index blocks and all $count labels, key by key"
else
	fail "read-labels agrees with ndctl read-labels -j"
	tail -n +2 <<< "$result" | head -n 20 | diag
fi
is "$(json_get '[(d["dev"], d["version"], d["state"], d["current_index"] in (0, 1)) for d in j["dimms"]]')" \
	'[["nmem0", "1.1", "valid", true], ["nmem1", "1.2", "valid", true]]' \
	"nmem0 is v1.1, nmem1 v1.2, both index blocks valid"

# The mode hints of v1.2 labels against the namespaces ndctl lists.
run "$PMEMCTL" read-labels --json nmem1
hints=$(json_get 'sorted((l["name"], l["mode"]) for l in j["dimms"][0]["label"])')
is "$hints" '[["lbl-devdax", "dax"], ["lbl-fsdax", "pfn"], ["lbl-raw", "none"], ["lbl-sector", "btt"]]' \
	"v1.2 abstraction GUIDs: devdax dax, fsdax pfn, raw none, sector btt"
uuids=$(ndctl list -N -v -r "$r1" | python3 -c '
import json, sys
d = json.load(sys.stdin)
d = d if isinstance(d, list) else [d]
print(json.dumps(sorted(n.get("raw_uuid") or n["uuid"] for n in d if n.get("name", "").startswith("lbl-"))))')
is "$(json_get 'sorted(l["uuid"] for l in j["dimms"][0]["label"])')" \
	"$uuids" "label uuids are the namespaces' uuids (ndctl list -N -v, raw_uuid)"

run "$PMEMCTL" read-labels -rn -o NAME,UUID nmem1
is "$(grep -c '^slot[0-9]* ' <<< "$OUT")" 4 "the table: one row per label in use (-r -n -o)"
run "$PMEMCTL" read-labels --index -o NAME,SEQ,VALID,CURRENT nmem0
is "$(grep -cE '^ *(├─|└─|\|-|`-)index[01] ' <<< "$OUT")" 2 "--index: both index blocks in the table"

# --- backup ------------------------------------------------------------------------
bk=$TAP_TMP/backup
run "$PMEMCTL" read-labels --backup "$bk" --json nmem0 nmem1
expect_status 0 "read-labels --backup: exit 0"
check "sha256sum -c SHA256SUMS verifies the backup" \
	sh -c "cd '$bk' && sha256sum --quiet -c SHA256SUMS"
is "$(stat -c %a "$bk" "$bk/nmem0.labels" "$bk/nmem1.id" | tr '\n' ' ')" "700 600 600 " \
	"backup directory 0700, files 0600"
for dimm in nmem0 nmem1; do
	ndctl read-labels -o "$TAP_TMP/$dimm.ndctl" "$dimm" > /dev/null 2>&1
	check "$dimm.labels equals what ndctl read-labels -o writes" \
		cmp -s "$bk/$dimm.labels" "$TAP_TMP/$dimm.ndctl"
done
id=$("$PMEMCTL" list -D --json | python3 -c '
import json, sys
print(next(d["id"] or "" for d in json.load(sys.stdin)["dimms"] if d["dev"] == "nmem0"))' 2>/dev/null)
is "$(cat "$bk/nmem0.id")" "$id" "nmem0.id holds the DIMM's id as list -D shows it"
is "$(json_get '[d["backup"] for d in j["dimms"]]')" "[\"$bk/nmem0.labels\", \"$bk/nmem1.labels\"]" \
	"the JSON names each file written"
run "$PMEMCTL" read-labels --backup "$bk" nmem0
expect_status 9 "a second backup into the same directory: refused (exit 9)"
run "$PMEMCTL" read-labels --backup "$bk" -f -o NAME nmem0
expect_status 0 "with --force: replaced"
check "SHA256SUMS still verifies, one line per DIMM" \
	sh -c "cd '$bk' && sha256sum --quiet -c SHA256SUMS && [ \$(wc -l < SHA256SUMS) = 2 ]"

# --- check-labels on healthy areas ----------------------------------------------------
run "$PMEMCTL" check-labels --json
is "$STATUS $(json_get '[j["worst"], j["checked"]]')" '0 ["none", ["nmem0", "nmem1"]]' \
	"check-labels: healthy areas, no finding, exit 0"

# --- the refusals ---------------------------------------------------------------------
run setpriv --reuid=65534 --regid=65534 --clear-groups "$PMEMCTL" read-labels nmem0
is "$STATUS" 4 "read-labels as a user: exit 4 ($ERR)"
run "$PMEMCTL" read-labels nmem9
is "$STATUS" 3 "an unknown DIMM: exit 3"

# --- corrupted areas, written with ndctl as fixtures -----------------------------------
ndctl read-labels -o "$TAP_TMP/orig" nmem1 > /dev/null 2>&1
ndctl disable-region "$r1" > /dev/null 2>&1

# corrupt ORIG OUT WHAT: a copy of the area with WHAT done to it.
corrupt()
{
	python3 - "$@" <<'EOF'
import struct, sys
src, dst, what = sys.argv[1:4]
a = bytearray(open(src, "rb").read())
def fletcher(b):
    lo = hi = 0
    for (w,) in struct.iter_unpack("<I", bytes(b)):
        lo = (lo + w) & 0xffffffff
        hi = (hi + lo) & 0xffffffff
    return hi << 32 | lo
if what in ("index1", "both"):
    a[256 + 100] ^= 0x10
if what == "both":
    a[100] ^= 0x10
if what == "overlap":
    # the area is v1.2, index blocks of 256 bytes: labels from 512, 256 each
    # the labels in use: clear bits in the current index block's free
    # bitmap (the newer sequence number, 1 after 3; on a tie block 1)
    seq = [struct.unpack_from("<I", a, i * 256 + 20)[0] & 3 for i in (0, 1)]
    cur = 0 if seq[0] == {1: 2, 2: 3, 3: 1}[seq[1]] else 1
    nslot = struct.unpack_from("<I", a, cur * 256 + 56)[0]
    labels = [s for s in range(nslot)
              if not a[cur * 256 + 72 + s // 8] >> (s % 8) & 1]
    x, y = labels[0], labels[1]
    dpa = struct.unpack_from("<Q", a, 512 + x * 256 + 104)[0]
    off = 512 + y * 256
    struct.pack_into("<Q", a, off + 104, dpa)
    struct.pack_into("<Q", a, off + 248, 0)
    struct.pack_into("<Q", a, off + 248, fletcher(a[off:off + 256]))
open(dst, "wb").write(a)
EOF
}

for what in index1 both overlap; do
	corrupt "$TAP_TMP/orig" "$TAP_TMP/$what" "$what"
	ndctl write-labels -i "$TAP_TMP/$what" nmem1 > /dev/null 2>&1
	run "$PMEMCTL" check-labels --json nmem1
	codes=$(json_get '[(f["severity"], f["code"], f["object"]) for f in j["findings"]]')
	ndctl check-labels nmem1 > /dev/null 2>&1
	ref=$?
	case $what in
	index1)
		is "$STATUS $codes" '10 [["warning", "label-index-invalid", "nmem1"]]' \
			"one index block corrupted: a warning, exit 10"
		is "$ref" 0 "ndctl check-labels still accepts it (one valid block is enough there)"
		;;
	both)
		is "$STATUS $codes" '11 [["error", "label-index-invalid", "nmem1"]]' \
			"both index blocks corrupted: an error, exit 11"
		check "ndctl check-labels agrees: the area is bad (exit $ref)" test "$ref" != 0
		run "$PMEMCTL" doctor --json
		is "$STATUS $(json_get '[f["object"] for f in j["findings"] if f["code"] == "label-index-invalid"]')" \
			'11 ["nmem1"]' "doctor reports it too, exit 11"
		;;
	overlap)
		is "$STATUS $codes" '11 [["error", "label-overlap", "nmem1"]]' \
			"two labels with overlapping DPA ranges: an error, exit 11"
		echo "ndctl check-labels on the overlap: exit $ref (it checks index blocks only)" | diag
		;;
	esac
done
run "$PMEMCTL" read-labels nmem1
expect_status 0 "read-labels decodes a corrupted area all the same"

ndctl write-labels -i "$TAP_TMP/orig" nmem1 > /dev/null 2>&1
# The kernel disabled nmem1 when its area lost both index blocks.
ndctl enable-dimm nmem1 > /dev/null 2>&1
ndctl enable-region "$r1" > /dev/null 2>&1
run "$PMEMCTL" check-labels nmem1
expect_status 0 "the original area written back: check-labels clean again"
is "$(ndctl list -N -r "$r1" | grep -c '"lbl-')" 4 "and the four namespaces are back"

done_testing
