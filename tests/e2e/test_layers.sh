#!/usr/bin/env bash
# The architecture's boundaries: MPI only in the parallel layer, HDF5 only in the output layer
# (src/h5io.c: plumbing, src/h5out.c: the file layout, src/h5perf.c: /perf), the core free of
# both (the serial build, make MPI=0, links the core without them).
source "$(dirname "$0")/../lib.sh"
expect_eq "only src/par_mpi.c includes mpi.h" "$(grep -l '#include <mpi.h>' src/*.[ch] | tr '\n' ' ')" "src/par_mpi.c "
expect_eq "only src/h5io.h includes hdf5.h" "$(grep -l '#include <hdf5.h>' src/*.[ch] | tr '\n' ' ')" "src/h5io.h "
expect_eq "only the HDF5 output files include h5io.h" \
    "$(grep -l '#include "h5io.h"' src/*.[ch] | tr '\n' ' ')" "src/h5io.c src/h5out.c src/h5perf.c "
expect_eq "no MPI_ or H5 calls outside their layers" \
    "$(grep -lE '\bMPI_[A-Z][a-z]+\(|\bH5[A-Z][a-z_]*\(' src/*.c | grep -v -e par_mpi.c -e h5io.c -e h5out.c -e h5perf.c | tr '\n' ' ')" ""
expect_eq "the model and the search see no JSON (perfconf.c reads the perf section)" \
    "$(grep -l 'cJSON' src/perfmodel.[ch] src/cost.[ch] src/search.[ch] | tr '\n' ' ')" ""
expect_eq "the parallel layer sits below the pipeline (exchange.h between them)" \
    "$(grep -l '#include "pipeline.h"' src/par.h src/par_mpi.c src/par_serial.c src/exchange.[ch] src/dcomm.h | tr '\n' ' ')" ""
finish
