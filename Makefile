# tpchgen: PGXS build of the extension, the CLI and the core tests.

EXTENSION = tpchgen
MODULE_big = tpchgen
EXTVERSION = 0.2.0

# The generator core: pure C, shared by the extension and the CLI.
CORE_OBJS = \
	core/copyfmt.o \
	core/dists.o \
	core/format.o \
	core/gen.o \
	core/pool.o \
	core/scale.o

# The PostgreSQL glue.
PG_OBJS = \
	src/copy.o \
	src/export.o \
	src/fdw.o \
	src/functions.o \
	src/scan.o \
	src/tpchgen.o \
	src/writer.o

OBJS = $(CORE_OBJS) $(PG_OBJS)

# The install script of a version is the 0.1.0 script followed by every
# upgrade fragment in ext/, in this order; the upgrade script from 0.1.0 is
# the fragments alone.  So a fresh install and ALTER EXTENSION ... UPDATE run
# the same statements, and each feature keeps its SQL in a file of its own.
EXT_SQL =

DATA = tpchgen--0.1.0.sql
DATA_built = tpchgen--$(EXTVERSION).sql tpchgen--0.1.0--$(EXTVERSION).sql
PGFILEDESC = "tpchgen - TPC-H data generated inside PostgreSQL"

REGRESS = functions_rows functions_plan functions_errors functions_parallel export fdw_options fdw_scan fdw_parallel tpch_queries copy
REGRESS_OPTS = --inputdir=. --load-extension=tpchgen

TAP_TESTS = 1
PROVE_TESTS = test/t/*.pl

PG_CFLAGS = -Wall -Wextra -Wno-unused-parameter -Wno-sign-compare \
	-Wno-missing-field-initializers -Werror
SHLIB_LINK = -lpthread -luring -lzstd

EXTRA_CLEAN = $(DATA_built) bin test/core/test_core test/core/*.o cli/*.o tmp_check results \
	regression.diffs regression.out

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

tpchgen--$(EXTVERSION).sql: tpchgen--0.1.0.sql $(EXT_SQL)
	cat $^ >$@

tpchgen--0.1.0--$(EXTVERSION).sql: $(EXT_SQL)
	( printf '%s\n' '\echo Use "ALTER EXTENSION tpchgen UPDATE" to load this file. \quit'; \
	  [ -z "$^" ] || cat $^ ) >$@

# Everything built by a plain `make`, beside the shared library.
all: bin/tpchgen test/core/test_core

bin/tpchgen: cli/tpchgen.o $(CORE_OBJS)
	@mkdir -p bin
	$(CC) $(CFLAGS) -o $@ $^ -lpthread

test/core/test_core: test/core/test_core.o test/core/sha256.o $(CORE_OBJS)
	$(CC) $(CFLAGS) -o $@ $^ -lpthread

# The core, the CLI and their tests see no PostgreSQL header: -Wextra whole.
$(CORE_OBJS) cli/tpchgen.o test/core/test_core.o test/core/sha256.o: \
	override CFLAGS += -Wunused-parameter -Wsign-compare -Wmissing-field-initializers

cli/tpchgen.o test/core/test_core.o: core/tpch.h
$(CORE_OBJS): core/tpch.h core/internal.h core/pool_checkpoints.h core/put.h core/copyfmt.h
$(PG_OBJS): src/tpchgen_pg.h core/tpch.h
src/copy.o src/export.o: core/copyfmt.h

# Tests that need no server: core unit tests, CLI conformance and errors.
check-core: bin/tpchgen test/core/test_core
	test/core/test_core
	test/cli_conformance.sh bin/tpchgen

.PHONY: check-core

print-regress:
	@echo $(REGRESS)

.PHONY: print-regress

# TAP tests alone (the quickstart runs them as postgres: initdb refuses root).
prove_installcheck:
	$(prove_installcheck)

.PHONY: prove_installcheck
