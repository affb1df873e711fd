# userd. `make` builds build/userd; `make run` serves; `make test` runs every
# test (under ASan+UBSan); `make bench` measures. Each target installs what it
# needs from Debian's packages first (scripts/deps.sh).

CC      ?= cc
PKGS    := libmicrohttpd jansson sqlite3 libsodium libcrypto libpq zlib
CFLAGS_COMMON := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
                 -Wno-missing-field-initializers -Isrc -MMD -MP -pthread
LIBS    = $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lmicrohttpd -ljansson -lsqlite3 -lsodium -lcrypto -lpq -lz) -lgd -lcurl -pthread
INCS    = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)

SRCS    := $(shell find src -name '*.c' | sort)
LIBSRCS := $(filter-out src/main.c,$(SRCS))
UNIT    := $(sort $(wildcard tests/unit/test_*.c))
# Unit tests of what crosses threads, under ThreadSanitizer, linked with just what they need.
TSAN_UNIT := $(sort $(wildcard tests/unit/tsan_*.c))

OPT_CFLAGS  := $(CFLAGS_COMMON) -O2 -g
SAN_CFLAGS  := $(CFLAGS_COMMON) -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
TSAN_CFLAGS := $(CFLAGS_COMMON) -O1 -g -fno-omit-frame-pointer -fsanitize=thread

# BUILD lets parallel work trees of one checkout build apart (make BUILD=build-x).
BUILD   ?= build
OPT_OBJS := $(LIBSRCS:src/%.c=$(BUILD)/obj/%.o)
SAN_OBJS := $(LIBSRCS:src/%.c=$(BUILD)/asan/obj/%.o)
TSAN_OBJS := $(patsubst %,$(BUILD)/tsan/obj/%.o,store/db store/db_sqlite store/db_pg store/schema store/queries \
               base/arena base/config base/log base/errors base/metrics)
.SECONDARY: $(TSAN_OBJS)

.PHONY: checksrc lint-openapi all run test unit blackbox test-pg test-load deps-pg bench deps deps-test deps-bench clean format \
        deps-fuzz fuzz fuzz-build fuzz-replay deps-browser deps-ops install FORCE soak deps-soak

all: deps $(BUILD)/userd

deps:
	@scripts/deps.sh build

deps-test:
	@scripts/deps.sh test

# Chromium for the browser tests (tests/bb/lib/browser.mjs).
deps-browser:
	@scripts/deps.sh browser

# Prometheus, promtool and systemd-analyze for the operations tests (tests/bb/ops*.test.mjs).
deps-ops:
	@scripts/deps.sh ops

# Files built into the binary (src/base/embed.h): the compiler's dependency
# files do not name what .incbin reads, so `embed` makes every build of the
# object src/OBJ.c depend on the files it embeds.
embed = $(foreach d,obj asan/obj fuzz/obj,$(eval $(BUILD)/$(d)/$(1).o: $(2)))
$(call embed,ops/openapi,$(wildcard docs/openapi/*.json))
$(call embed,console/assets,$(wildcard src/console/assets/*))

# The version and commit the binary reports (userd_build_info): written to
# $(BUILD)/gen/ops/version.h only when they change, so a commit rebuilds one object.
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo unknown)
COMMIT  ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
INCS    += -I$(BUILD)/gen
$(BUILD)/gen/ops/version.h: FORCE
	@mkdir -p $(dir $@)
	@printf '#define USERD_VERSION "%s"\n#define USERD_COMMIT "%s"\n' '$(VERSION)' '$(COMMIT)' >$@.tmp
	@cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@
$(foreach d,obj asan/obj fuzz/obj,$(BUILD)/$(d)/ops/metrics.o): $(BUILD)/gen/ops/version.h
FORCE:

$(BUILD)/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	@echo "CC $<"; $(CC) $(OPT_CFLAGS) $(INCS) -c $< -o $@

$(BUILD)/asan/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	@echo "CC asan $<"; $(CC) $(SAN_CFLAGS) $(INCS) -c $< -o $@

$(BUILD)/tsan/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	@echo "CC tsan $<"; $(CC) $(TSAN_CFLAGS) $(INCS) -c $< -o $@

$(BUILD)/userd: $(OPT_OBJS) $(BUILD)/obj/main.o
	@echo "LD $@"; $(CC) $(OPT_CFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/asan/userd: $(SAN_OBJS) $(BUILD)/asan/obj/main.o
	@echo "LD $@"; $(CC) $(SAN_CFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/asan/tests/%: tests/unit/%.c $(SAN_OBJS)
	@mkdir -p $(dir $@)
	@echo "LD $@"; $(CC) $(SAN_CFLAGS) $(INCS) -o $@ $< $(SAN_OBJS) $(LIBS) -lcmocka

$(BUILD)/tsan/tests/%: tests/unit/%.c $(TSAN_OBJS)
	@mkdir -p $(dir $@)
	@echo "LD $@"; $(CC) $(TSAN_CFLAGS) $(INCS) -o $@ $< $(TSAN_OBJS) $(LIBS) -lcmocka

run: all
	@mkdir -p data
	./$(BUILD)/userd serve

unit: deps-test $(UNIT:tests/unit/%.c=$(BUILD)/asan/tests/%) $(TSAN_UNIT:tests/unit/%.c=$(BUILD)/tsan/tests/%)
	@set -e; for t in $(UNIT:tests/unit/%.c=$(BUILD)/asan/tests/%) $(TSAN_UNIT:tests/unit/%.c=$(BUILD)/tsan/tests/%); do \
	  echo "== $$t"; $$t; done

# The black-box files, the slowest first: two run at a time (BB_JOBS), and a
# slow file started last would finish alone. The load tests of bb/load/
# (thousands of connections, a saturated hashing pool) run apart, one at a
# time (test-load): they take the whole machine, and their time limits are
# about userd alone.
BB_SLOW  := bb/scale_out.test.mjs bb/im_accounts.test.mjs bb/foundation.test.mjs
BB_FILES := $(BB_SLOW) $(filter-out $(BB_SLOW),$(patsubst tests/%,%,$(sort $(wildcard tests/bb/*.test.mjs))))
BB_LOAD  := $(patsubst tests/%,%,$(sort $(wildcard tests/bb/load/*.test.mjs)))
# The load tests about the store run on PostgreSQL too.
BB_LOAD_PG := bb/load/registrations.test.mjs
BB_JOBS  ?= 2
BB_RUN    = cd tests && USERD_BIN=$(CURDIR)/$(BUILD)/asan/userd node --test --test-concurrency=$(BB_JOBS) $(BB_FILES)

blackbox: deps-test deps-browser deps-ops $(BUILD)/asan/userd
	$(BB_RUN)

test-load: deps-test deps-pg $(BUILD)/asan/userd
	cd tests && USERD_BIN=$(CURDIR)/$(BUILD)/asan/userd node --test --test-concurrency=1 $(BB_LOAD)
	cd tests && USERD_BIN=$(CURDIR)/$(BUILD)/asan/userd ../scripts/pg_test.sh node --test $(BB_LOAD_PG)

# The same black-box suite on PostgreSQL: a throwaway cluster (scripts/pg.sh)
# in a temporary directory, started for the run and always stopped after it.
deps-pg:
	@scripts/deps.sh pg

test-pg: deps-test deps-pg deps-browser deps-ops $(BUILD)/asan/userd
	scripts/pg_test.sh sh -c '$(BB_RUN)'

# The banned functions, and the layers' include rules (with a self-test that
# plants a violation of each rule and expects it reported).
checksrc:
	@scripts/checksrc.sh
	@scripts/layers.sh
	@scripts/layers.sh --selftest

# The faces' OpenAPI documents (docs/openapi/): @redocly/cli's recommended rules, no errors
# (redocly.yaml). Offline: no telemetry, no update check.
lint-openapi: deps-test
	cd tests && REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true node_modules/.bin/redocly lint --config ../redocly.yaml

# ---- libFuzzer targets (tests/fuzz/, docs/robustness.md "Fuzzing") ----
# Debian's clang with libclang-rt-14-dev; the library objects are
# instrumented for coverage (fuzzer-no-link), each target links libFuzzer.
FUZZ_CC      ?= clang
FUZZ_TARGETS ?= request qiniu_auth json_fields config small_parsers
FUZZ_SECONDS ?= 300
FUZZ_JOBS    ?= 1
FUZZ_CFLAGS  := $(CFLAGS_COMMON) -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
                -fno-sanitize-recover=undefined
FUZZ_OBJS    := $(LIBSRCS:src/%.c=$(BUILD)/fuzz/obj/%.o)
FUZZ_BINS    := $(FUZZ_TARGETS:%=$(BUILD)/fuzz/%)

deps-fuzz:
	@scripts/deps.sh fuzz

$(BUILD)/fuzz/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	@echo "CC fuzz $<"; $(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link $(INCS) -c $< -o $@

$(BUILD)/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz.h $(FUZZ_OBJS)
	@echo "LD $@"; $(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer $(INCS) -o $@ $< $(FUZZ_OBJS) $(LIBS)

# The objects are kept between builds (only pattern rules name them).
.SECONDARY: $(FUZZ_OBJS)

fuzz-build: deps-fuzz $(FUZZ_BINS)

# Every target for FUZZ_SECONDS (FUZZ_JOBS at a time); a table of exec/s, corpus and edges at the end.
fuzz: fuzz-build
	@FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_JOBS=$(FUZZ_JOBS) scripts/fuzz.sh run $(BUILD)/fuzz $(FUZZ_TARGETS)

# Every corpus file and past crasher, once: a regression run, no search.
fuzz-replay: fuzz-build
	@scripts/fuzz.sh replay $(BUILD)/fuzz $(FUZZ_TARGETS)

# `make` must build too: the optimised binary's warnings (-O2) differ from the sanitizer build's.
# The SQLite and PostgreSQL passes run side by side: a pass is mostly waiting
# (round trips under ASan, sleeps, process starts), so two fill two cores
# better than one after the other. Each pass's output is printed whole when
# it ends (--output-sync); make fails if either fails.
test: deps-test checksrc lint-openapi $(BUILD)/userd unit fuzz-replay $(BUILD)/asan/userd
	@$(MAKE) --no-print-directory -j2 --output-sync=target blackbox test-pg
	@$(MAKE) --no-print-directory test-load

# `make bench`: the benchmark (bench/run.mjs, docs/performance.md), SQLite and a
# throwaway PostgreSQL cluster (scripts/pg.sh; deps-bench installs the server). It uses the
# optimised $(BUILD)/userd. Options through BENCH_ARGS, e.g.
#   make bench BENCH_ARGS="--users 1000000"
deps-bench:
	@scripts/deps.sh bench

$(BUILD)/bench/benchtool: bench/benchtool.c $(BUILD)/obj/core/secret.o $(BUILD)/obj/base/arena.o
	@mkdir -p $(dir $@)
	$(CC) $(OPT_CFLAGS) $(INCS) -o $@ $^ $(LIBS)

bench: deps-bench $(BUILD)/userd $(BUILD)/bench/benchtool
	node bench/run.mjs --bin $(BUILD)/userd --tool $(BUILD)/bench/benchtool $(BENCH_ARGS)

# ---- make install (docs/operations.md, "Install") ----
# The binary, the man page userd(8) and an example config made from the
# settings table (scripts/gen_config_doc.py), and the systemd unit. PREFIX and
# DESTDIR as usual; the config goes to SYSCONFDIR/userd/userd.conf, unless one
# is there already.
PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
MANDIR     ?= $(PREFIX)/share/man
DOCDIR     ?= $(PREFIX)/share/doc/userd
SYSCONFDIR ?= /etc
UNITDIR    ?= $(PREFIX)/lib/systemd/system

# Written whole, then renamed: two test passes may make them at once.
$(BUILD)/dist/userd.8: src/base/config.def scripts/gen_config_doc.py
	@mkdir -p $(dir $@)
	scripts/gen_config_doc.py --man '$(VERSION)' >$@.$$$$ && mv $@.$$$$ $@
$(BUILD)/dist/userd.conf.example: src/base/config.def scripts/gen_config_doc.py
	@mkdir -p $(dir $@)
	scripts/gen_config_doc.py --example >$@.$$$$ && mv $@.$$$$ $@
$(BUILD)/dist/userd.service: scripts/userd.service.in FORCE
	@mkdir -p $(dir $@)
	@sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' $< >$@.$$$$ && mv $@.$$$$ $@

install: deps $(BUILD)/userd $(BUILD)/dist/userd.8 $(BUILD)/dist/userd.conf.example $(BUILD)/dist/userd.service
	install -D -m 755 $(BUILD)/userd $(DESTDIR)$(BINDIR)/userd
	install -D -m 644 $(BUILD)/dist/userd.8 $(DESTDIR)$(MANDIR)/man8/userd.8
	install -D -m 644 $(BUILD)/dist/userd.conf.example $(DESTDIR)$(DOCDIR)/userd.conf.example
	install -D -m 644 docs/operations.md $(DESTDIR)$(DOCDIR)/operations.md
	install -D -m 644 docs/ops/userd.rules.yml $(DESTDIR)$(DOCDIR)/userd.rules.yml
	test -e $(DESTDIR)$(SYSCONFDIR)/userd/userd.conf || \
	  install -D -m 644 $(BUILD)/dist/userd.conf.example $(DESTDIR)$(SYSCONFDIR)/userd/userd.conf
	install -D -m 644 $(BUILD)/dist/userd.service $(DESTDIR)$(UNITDIR)/userd.service

# `make soak`: a mixed load over the three faces at 70% of its measured
# maximum for SOAK_SECONDS on the optimised build; samples into
# $(BUILD)/soak/soak-<date>.json and a chart (.png) beside it; fails on
# growth of RSS or descriptors or on any failed request (bench/soak.mjs,
# docs/robustness.md "Soak"). Not part of `make test`.
SOAK_SECONDS ?= 600
deps-soak:
	@scripts/deps.sh soak

soak: deps-soak $(BUILD)/userd
	node bench/soak.mjs --bin $(BUILD)/userd --seconds $(SOAK_SECONDS) --out $(BUILD)/soak

clean:
	rm -rf build

format:
	clang-format -i $(SRCS) $(shell find src -name '*.h')

-include $(OPT_OBJS:.o=.d) $(SAN_OBJS:.o=.d) $(TSAN_OBJS:.o=.d) $(FUZZ_OBJS:.o=.d) $(FUZZ_BINS:=.d) $(BUILD)/obj/main.d $(BUILD)/asan/obj/main.d
