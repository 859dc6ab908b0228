# tpchgen: PGXS build of the extension, the CLI and the core tests.

EXTENSION = tpchgen
MODULE_big = tpchgen
EXTVERSION = 0.2.0

# The generator core: pure C, shared by the extension and the CLI.
CORE_OBJS = \
	core/answers.o \
	core/answers_data.o \
	core/copyfmt.o \
	core/dists.o \
	core/format.o \
	core/gen.o \
	core/keys.o \
	core/number.o \
	core/partition.o \
	core/pool.o \
	core/qgen.o \
	core/queries.o \
	core/scale.o \
	core/schema.o \
	core/update.o

# The PostgreSQL glue.
PG_OBJS = \
	src/btbuild.o \
	src/citus.o \
	src/copy.o \
	src/distribute.o \
	src/export.o \
	src/export_file.o \
	src/export_pipeline.o \
	src/fdw.o \
	src/fdw_analyze.o \
	src/fdw_cache.o \
	src/fdw_dates.o \
	src/fdw_keys.o \
	src/fdw_option.o \
	src/functions.o \
	src/guc.o \
	src/kit.o \
	src/load.o \
	src/plan.o \
	src/pool.o \
	src/scan.o \
	src/segwrite.o \
	src/slotring.o \
	src/tpchgen.o \
	src/tupleform.o \
	src/updates.o \
	src/writer.o

OBJS = $(CORE_OBJS) $(PG_OBJS)

# The install script of a version is the 0.1.0 script followed by every
# upgrade fragment in ext/, in this order; the upgrade script from 0.1.0 is
# the fragments alone.  So a fresh install and ALTER EXTENSION ... UPDATE run
# the same statements, and each feature keeps its SQL in a file of its own.
EXT_SQL = \
	ext/load.sql \
	ext/queries.sql \
	ext/refresh.sql \
	ext/distribute.sql \
	ext/citus.sql

DATA = tpchgen--0.1.0.sql
DATA_built = tpchgen--$(EXTVERSION).sql tpchgen--0.1.0--$(EXTVERSION).sql
PGFILEDESC = "tpchgen - TPC-H data generated inside PostgreSQL"

REGRESS = functions_rows functions_plan functions_errors functions_parallel export fdw_options fdw_scan fdw_parallel fdw_rescan_cache fdw_dates \
	tpch_queries load qgen qgen_check refresh_functions refresh_procedures copy
REGRESS_OPTS = --inputdir=. --load-extension=tpchgen

TAP_TESTS = 1
PROVE_TESTS = test/t/*.pl

# -Werror only where asked (CI and `quickstart test` pass WERROR=-Werror):
# a packager's newer compiler may warn about code that was clean here.
WERROR =
PG_CFLAGS = -Wall -Wextra -Wno-unused-parameter -Wno-sign-compare \
	-Wno-missing-field-initializers $(WERROR)
SHLIB_LINK = -lpthread -lzstd

# tpch_load_distributed talks to the nodes through libpq, as dblink and
# postgres_fdw do.
SHLIB_LINK_INTERNAL = $(libpq)

# The version the module reports (PostgreSQL 18's magic block records it).
PG_CPPFLAGS = -DTPCHGEN_VERSION=\"$(EXTVERSION)\" -I$(libpq_srcdir)

# liburing is optional: `make USE_LIBURING=0` builds exports that write with
# pwrite() alone (run `make clean` first when switching).
USE_LIBURING = 1
ifneq ($(USE_LIBURING),0)
PG_CPPFLAGS += -DTPCHGEN_LIBURING
SHLIB_LINK += -luring
endif

EXTRA_CLEAN = $(DATA_built) core/answers_data.c bin test/core/test_core test/core/test_qgen \
	test/core/*.o cli/*.o tmp_check results \
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
all: bin/tpchgen test/core/test_core test/core/test_qgen

# The CLI; its client commands (load, run) speak to servers through libpq.
CLI_OBJS = \
	cli/client.o \
	cli/copybin.o \
	cli/json.o \
	cli/load.o \
	cli/outfile.o \
	cli/poolcache.o \
	cli/qgen.o \
	cli/report.o \
	cli/run.o \
	cli/tpchgen.o \
	cli/updates.o

bin/tpchgen: $(CLI_OBJS) $(CORE_OBJS)
	@mkdir -p bin
	$(CC) $(CFLAGS) -o $@ $^ -L$(shell $(PG_CONFIG) --libdir) -lpq -lpthread -lm

test/core/test_core: test/core/test_core.o test/core/sha256.o $(CORE_OBJS)
	$(CC) $(CFLAGS) -o $@ $^ -lpthread

test/core/test_qgen: test/core/test_qgen.o $(CORE_OBJS)
	$(CC) $(CFLAGS) -o $@ $^ -lpthread

# The core, the CLI and their tests see no PostgreSQL header: -Wextra whole.
$(CORE_OBJS) $(CLI_OBJS) test/core/test_core.o test/core/test_qgen.o test/core/sha256.o: \
	override CFLAGS += -Wunused-parameter -Wsign-compare -Wmissing-field-initializers
$(CLI_OBJS): override CPPFLAGS += -I$(shell $(PG_CONFIG) --includedir)

# Header dependencies: an object is rebuilt when any header of the layers it
# sees changes (coarse, but never stale, and new headers need no new line).
$(CORE_OBJS) $(CLI_OBJS) test/core/test_core.o: $(wildcard core/*.h)
$(PG_OBJS): $(wildcard core/*.h src/*.h)
$(CLI_OBJS): $(wildcard cli/*.h)

# The CLI goes beside PostgreSQL's own programs.
install: install-cli
uninstall: uninstall-cli

install-cli: bin/tpchgen
	$(MKDIR_P) '$(DESTDIR)$(bindir)'
	$(INSTALL_PROGRAM) bin/tpchgen '$(DESTDIR)$(bindir)/tpchgen'

uninstall-cli:
	rm -f '$(DESTDIR)$(bindir)/tpchgen'

.PHONY: install-cli uninstall-cli

test/core/test_qgen.o: $(wildcard core/*.h)

# The validation answers are kept as text; their C source is made from them.
core/answers_data.c: tools/answers_to_c.sh $(wildcard core/answers/sf*/q*.ans)
	tools/answers_to_c.sh core/answers >$@

# Tests that need no server: core unit tests, CLI conformance and errors, and
# that core/dists.c is what tools/gen_dists.py makes of third_party/dists.dss.
check-core: bin/tpchgen test/core/test_core test/core/test_qgen
	test/core/test_core
	test/core/test_qgen test/qgen
	test/cli_conformance.sh bin/tpchgen
	test/qgen_cli.sh bin/tpchgen
	test/cli_updates.sh bin/tpchgen
	python3 tools/gen_dists.py third_party/dists.dss | cmp - core/dists.c

.PHONY: check-core

print-regress:
	@echo $(REGRESS)

.PHONY: print-regress

# TAP tests alone (the quickstart runs them as postgres: initdb refuses root).
prove_installcheck:
	$(prove_installcheck)

.PHONY: prove_installcheck
