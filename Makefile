# opscheck - one GNU Makefile.  `make`, `make test`, `make test SAN=1`,
# `make demo`, `make install PREFIX=...`.
#
# Layout it builds:
#   core/*.c                      -> ./opscheck (main.c) ; the rest also links unit tests
#   plugins/NAME/*.c              -> ./plugins/NAME.so  (plugins/NAME/plugin.mk may add
#                                    PLUGIN_COMMON_NAME := http json   (plugins/common/*.c)
#                                    PLUGIN_LIBS_NAME   := -lcurl ...)
#   tests/plugins/NAME.c          -> tests/plugins/NAME.so (plugins built only for tests)
#   tests/unit/test_NAME.c        -> tests/unit/test_NAME (cmocka; UNIT_OBJS_test_NAME and
#                                    UNIT_LIBS_test_NAME may be set in any *.mk included here)
#   tests/standin/*.c             -> tests/standin/standin (stand-in HTTP server)

VERSION   := 0.1.0
PREFIX    ?= /usr/local
BINDIR    ?= $(PREFIX)/bin
LIBDIR    ?= $(PREFIX)/lib
INCDIR    ?= $(PREFIX)/include
PLUGINDIR ?= $(LIBDIR)/opscheck/plugins
# The last place the config is looked for: SYSCONFDIR/opscheck/checks.ini
# (core/config_search.h).  /etc whatever the PREFIX; a test builds with its own.
SYSCONFDIR ?= /etc
DOCDIR    ?= $(PREFIX)/share/doc/opscheck

CC      ?= cc
CFLAGS  ?= -O2 -g
STD     := -std=c11 -D_GNU_SOURCE
WARN    := -Wall -Wextra -Werror
ifeq ($(SAN),1)
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
endif
ALL_CFLAGS  = $(STD) $(WARN) $(CFLAGS) $(SANFLAGS) -fPIC -Icore -MMD -MP
ALL_LDFLAGS = $(LDFLAGS) $(SANFLAGS)
# The program links PKGS_CORE only.  libcurl's header is needed to build
# core/report_push.c, which dlopen()s the library for --push alone (linked,
# it maps 34 libraries into every process opscheck forks); the unit tests
# still link it for the plugins' HTTP code.
# libmicrohttpd (`opscheck serve`'s HTTP server) is dlopen()ed by
# core/serve_mhd.c the same way, for serve alone.
# libyaml and libxcrypt (serve's --web-config) are linked: small, libc only
# (core/serve_web.c).
PKGS_CORE   := inih libcjson yaml-0.1 libxcrypt
PKGS_BUILD  := $(PKGS_CORE) libcurl libmicrohttpd
UNIT_LIBS   := $(shell pkg-config --libs cmocka $(PKGS_BUILD) 2>/dev/null)

# A change of flags (SAN=1 or not, CC, CFLAGS) rebuilds everything.  The stamps
# are ordinary targets with a FORCE prerequisite (as git's GIT-CFLAGS): their
# recipe always runs but rewrites the file only when its text changed, so make
# sees a new mtime exactly then.  Writing them while the Makefile is parsed
# (with $(shell)) is too late on a fresh clone: make has already decided the
# pattern rule's prerequisite is missing and falls back to its built-in rule.
FLAGS_STAMP := .build-flags
FLAGS_NOW   := $(VERSION) $(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS)
# Only the loader knows where installed plugins live: a new PREFIX rebuilds it alone.
DIR_STAMP   := .build-plugindir
SYSCONF_STAMP := .build-sysconfdir

CORE_SRCS := $(wildcard core/*.c)
CORE_OBJS := $(CORE_SRCS:.c=.o)
CORE_LIB_OBJS := $(filter-out core/main.o,$(CORE_OBJS))

PLUGIN_DIRS  := $(filter-out plugins/common,$(patsubst %/,%,$(wildcard plugins/*/)))
PLUGIN_NAMES := $(notdir $(PLUGIN_DIRS))
PLUGIN_SOS   := $(addprefix plugins/,$(addsuffix .so,$(PLUGIN_NAMES)))
TEST_PLUGIN_SOS := $(patsubst %.c,%.so,$(wildcard tests/plugins/*.c))
UNIT_TESTS   := $(patsubst %.c,%,$(wildcard tests/unit/test_*.c))
STANDIN_SRCS := $(wildcard tests/standin/*.c)
STANDIN      := $(if $(STANDIN_SRCS),tests/standin/standin)

-include $(wildcard plugins/*/plugin.mk) $(wildcard tests/*/*.mk)

# A plain `make` on a machine without the libraries says what to do in one
# line (`make test` and `make demo` install them first, so they skip this).
ifeq ($(filter-out all opscheck,$(or $(MAKECMDGOALS),all)),)
ifneq ($(shell pkg-config --exists $(PKGS_BUILD) && echo yes),yes)
$(error missing build libraries ($(PKGS_BUILD)): run scripts/install-deps, or `make test` which runs it)
endif
endif

.PHONY: all test test-mutants demo install clean check-deps FORCE
all: opscheck $(PLUGIN_SOS)

FORCE:
$(FLAGS_STAMP): FORCE
	@printf '%s\n' '$(FLAGS_NOW)' | cmp -s - $@ || printf '%s\n' '$(FLAGS_NOW)' > $@
$(DIR_STAMP): FORCE
	@printf '%s\n' '$(PLUGINDIR)' | cmp -s - $@ || printf '%s\n' '$(PLUGINDIR)' > $@
$(SYSCONF_STAMP): FORCE
	@printf '%s\n' '$(SYSCONFDIR)' | cmp -s - $@ || printf '%s\n' '$(SYSCONFDIR)' > $@

%.o: %.c $(FLAGS_STAMP)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

core/%.o: ALL_CFLAGS += -DOC_VERSION='"$(VERSION)"'
core/loader.o: ALL_CFLAGS += -DOC_PLUGINDIR='"$(PLUGINDIR)"'
core/loader.o: $(DIR_STAMP)
# The config's last place: config_search.c looks there, cli.c's --help names it.
core/config_search.o core/cli.o: ALL_CFLAGS += -DOC_SYSCONFDIR='"$(SYSCONFDIR)"'
core/config_search.o core/cli.o: $(SYSCONF_STAMP)
plugins/%.o tests/plugins/%.so: ALL_CFLAGS += -fPIC

# The program exports the oc_* API to the plugins it dlopens (and nothing else).
opscheck: $(CORE_OBJS) core/exports.list
	$(CC) $(ALL_LDFLAGS) -Wl,--dynamic-list=core/exports.list -o $@ $(CORE_OBJS) \
	  $$(pkg-config --libs $(PKGS_CORE)) -ldl -lm -lpthread

define plugin_rule
plugins/$(1).so: $(patsubst %.c,%.o,$(wildcard plugins/$(1)/*.c)) \
                 $(addprefix plugins/common/,$(addsuffix .o,$(PLUGIN_COMMON_$(1))))
	$$(CC) $$(ALL_LDFLAGS) -shared -o $$@ $$^ $$(PLUGIN_LIBS_$(1))
endef
$(foreach p,$(PLUGIN_NAMES),$(eval $(call plugin_rule,$(p))))

tests/plugins/%.so: tests/plugins/%.c $(FLAGS_STAMP)
	$(CC) $(ALL_CFLAGS) -shared -o $@ $<
# Built against the frozen ABI-1 header, found before core/'s: old plugins must keep loading.
tests/plugins/tp_abi1.so: ALL_CFLAGS := -Itests/plugins/abi1 $(ALL_CFLAGS)

define unit_rule
$(1): $(1).o $(CORE_LIB_OBJS) $(UNIT_OBJS_$(notdir $(1)))
	$$(CC) $$(ALL_LDFLAGS) -rdynamic -o $$@ $$^ $$(UNIT_LIBS) -ldl -lm $$(UNIT_LIBS_$(notdir $(1)))
endef
$(foreach t,$(UNIT_TESTS),$(eval $(call unit_rule,$(t))))

ifneq ($(STANDIN),)
$(STANDIN): $(STANDIN_SRCS:.c=.o)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $$(pkg-config --libs libmicrohttpd libcjson) -lpq -lcrypto -lpthread
endif

# The builds `test`, `test-mutants` and `demo` start use every core, unless
# the caller gave -j itself (make -j1 test stays serial).  Read when the
# recipe runs: only then does MAKEFLAGS hold the caller's -j.
NPROC   := $(shell nproc 2>/dev/null || echo 1)
SUBJOBS  = $(if $(findstring -j,$(MAKEFLAGS)),,-j$(NPROC))

# Everything the test suite needs, built.
test-build: all $(TEST_PLUGIN_SOS) $(UNIT_TESTS) $(STANDIN)

# `make test`: install missing Debian packages, build, start the sandbox,
# run unit and integration tests under prove, stop the sandbox.
test:
	scripts/install-deps
	$(MAKE) $(SUBJOBS) test-build
	scripts/run-tests

# `make test-mutants`: the suite can fail.  Each tests/mutants/*.patch breaks
# a copy of the built tree on purpose; the tests it names must fail on it
# (and pass here).  Brings up its own sandbox when a mutant needs one.
test-mutants:
	scripts/install-deps
	$(MAKE) $(SUBJOBS) test-build
	scripts/test-mutants

demo:
	scripts/install-deps
	$(MAKE) $(SUBJOBS) all $(STANDIN)
	scripts/demo

# Rewrite tests/golden/*/expected.* from a fresh run and show the diff.
.PHONY: golden-refresh
golden-refresh: test-build
	scripts/golden-refresh

MANDIR    ?= $(PREFIX)/share/man
COMPDIR   ?= $(PREFIX)/share/bash-completion/completions

# The program, the plugins, and the SDK: <opscheck/plugin.h>, a pkg-config
# file (`pkg-config --cflags --libs opscheck-plugin`), man pages, completion.
install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(PLUGINDIR) $(DESTDIR)$(INCDIR)/opscheck \
	  $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(COMPDIR) \
	  $(DESTDIR)$(DOCDIR)
	install -m 755 opscheck $(DESTDIR)$(BINDIR)/opscheck
	install -m 755 $(PLUGIN_SOS) $(DESTDIR)$(PLUGINDIR)/
	install -m 644 core/opscheck/plugin.h $(DESTDIR)$(INCDIR)/opscheck/plugin.h
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@INCDIR@|$(INCDIR)|' -e 's|@PLUGINDIR@|$(PLUGINDIR)|' -e 's|@BINDIR@|$(BINDIR)|' \
	  -e 's|@VERSION@|$(VERSION)|' docs/opscheck-plugin.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/opscheck-plugin.pc
	install -m 644 docs/opscheck.1 $(DESTDIR)$(MANDIR)/man1/opscheck.1
	install -m 644 docs/opscheck-plugin.7 $(DESTDIR)$(MANDIR)/man7/opscheck-plugin.7
	install -m 644 docs/plugin-guide.md $(DESTDIR)$(DOCDIR)/plugin-guide.md
	install -m 644 scripts/opscheck-completion.bash $(DESTDIR)$(COMPDIR)/opscheck

clean:
	rm -f opscheck $(FLAGS_STAMP) $(DIR_STAMP) $(SYSCONF_STAMP) core/*.o core/*.d plugins/*.so plugins/*/*.o plugins/*/*.d \
	  tests/plugins/*.so tests/plugins/*.d tests/unit/*.o tests/unit/*.d $(UNIT_TESTS) \
	  tests/standin/*.o tests/standin/*.d tests/standin/standin

-include $(wildcard core/*.d plugins/*/*.d tests/*/*.d)
