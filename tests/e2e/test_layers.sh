#!/usr/bin/env bash
# The architecture's boundaries: MPI only in the parallel layer, HDF5 only in the output layer
# (src/h5io.c: plumbing, src/h5out.c: the file layout, src/h5perf.c: /perf, src/h5read.c: reading
# a file back for zoneplace merge), the core free of
# both (the serial build, make MPI=0, links the core without them).
source "$(dirname "$0")/../lib.sh"
expect_eq "only src/par_mpi.c includes mpi.h" "$(grep -l '#include <mpi.h>' src/*.[ch] | tr '\n' ' ')" "src/par_mpi.c "
expect_eq "only src/h5io.h includes hdf5.h" "$(grep -l '#include <hdf5.h>' src/*.[ch] | tr '\n' ' ')" "src/h5io.h "
expect_eq "only the HDF5 output files include h5io.h" \
    "$(grep -l '#include "h5io.h"' src/*.[ch] | tr '\n' ' ')" "src/h5io.c src/h5layout.h src/h5out.c src/h5perf.c src/h5read.c "
expect_eq "no MPI_ or H5 calls outside their layers" \
    "$(grep -lE '\bMPI_[A-Z][a-z]+\(|\bH5[A-Z][a-z_]*\(' src/*.c | grep -v -e par_mpi.c -e h5io.c -e h5out.c -e h5perf.c -e h5read.c | tr '\n' ' ')" ""
expect_eq "the model and the search see no JSON (perfconf.c reads the perf section)" \
    "$(grep -l 'cJSON' src/perfmodel.[ch] src/cost.[ch] src/search.[ch] | tr '\n' ' ')" ""
expect_eq "the parallel layer sits below the pipeline (exchange.h between them)" \
    "$(grep -l '#include "pipeline.h"' src/par.h src/par_mpi.c src/par_serial.c src/exchange.[ch] src/dcomm.h | tr '\n' ' ')" ""
# The file-format layer (docs/design.md section 8) reads and writes JSON; it alone includes
# cJSON.h. Every other module - the model, the search, the pipeline, the engines, the commands -
# must not reach cJSON.h, not even through a chain of headers.
json_layer="config export import import_k8s import_trace jsonin mergejson options perfconf report sweepfile sweepjson"
expect_eq "cJSON.h is included by the file-format layer only" "$(
    for f in $(grep -l '#include <cJSON.h>' src/*.[ch]); do
        m=$(basename "${f%.[ch]}"); case " $json_layer " in *" $m "*) ;; *) echo -n "$f ";; esac
    done)" ""
expect_eq "no module outside the file-format layer reaches cJSON.h through its headers" "$(
    "$PY" - "$json_layer" <<'PYEOF'
import glob, os, re, sys
layer = set(sys.argv[1].split())
inc = {}
for f in glob.glob("src/*.[ch]"):
    text = open(f).read()
    inc[os.path.basename(f)] = (re.findall(r'#include "([^"]+)"', text), "#include <cJSON.h>" in text)
def reaches(name, seen):
    if name in seen or name not in inc:
        return None
    seen.add(name)
    local, json = inc[name]
    if json:
        return [name]
    for h in local:
        chain = reaches(h, seen)
        if chain:
            return [name] + chain
    return None
bad = [" -> ".join(c) for f in sorted(inc) if f.endswith(".c") and f[:-2] not in layer
       for c in [reaches(f, set())] if c]
print(" ".join(bad))
PYEOF
)" ""
expect_eq "no file of src/ is longer than 1,200 lines" \
    "$(wc -l src/*.[ch] | awk '$2 != "total" && $1 > 1200 { printf "%s (%d) ", $2, $1 }')" ""
finish
