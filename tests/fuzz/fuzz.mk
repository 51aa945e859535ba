# tests/fuzz/fuzz.mk - libFuzzer targets (issue 8), included by the Makefile.
#
#   make fuzz                    build every target with clang, run each
#                                FUZZ_SECONDS (default 60); -j2 runs two at once
#   make fuzz FUZZ_TARGETS=wire  only some
#   make fuzz-build              build only (tests/fuzz/bin/fuzz_NAME)
#
# Objects are compiled here with clang into tests/fuzz/obj/ (never the gcc
# objects of the main build).  New inputs go to tests/fuzz/work/NAME/, crashes
# to tests/fuzz/artifacts/NAME/ (neither is committed); a crash found and
# fixed becomes a file under tests/fuzz/regress/NAME/, which tests/fuzz.t
# replays with a gcc build (see tests/fuzz/README.md).

# Included before the Makefile's `all`: keep `make` meaning `make all`.
FUZZ_SAVED_GOAL := $(.DEFAULT_GOAL)

FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_CFLAGS  := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -g -O1 -Icore -MMD -MP \
                -DOC_PLUGINDIR='"/nonexistent/opscheck-fuzz"' $(FUZZ_SAN) -fsanitize=fuzzer-no-link
FUZZ_LIBS    := -linih -lcjson -ldl -lm
FUZZ_O       := tests/fuzz/obj
FUZZ_B       := tests/fuzz/bin

FUZZ_ALL     := config config_tp tap perfdata tap_read fly_machines fly_logs wire mp_sign backup prom_name
FUZZ_TARGETS ?= $(FUZZ_ALL)

# config links the model without the loader (it sees plugins only as schemas)
FUZZ_CONFIG_SRCS := core/config.c core/config_check.c core/config_judge.c core/interp.c core/schema.c \
                    core/units.c core/redact.c core/util.c core/strmap.c core/suggest.c
FUZZ_SRCS_config       := $(FUZZ_CONFIG_SRCS)
FUZZ_SRCS_config_tp    := $(FUZZ_CONFIG_SRCS) core/loader.c core/probe.c core/stop.c \
                          core/oc_api.c core/wire.c core/result.c
FUZZ_SRCS_tap          := core/text.c core/redact.c core/util.c
FUZZ_SRCS_perfdata     := plugins/exec/perfdata.c plugins/exec/util.c
FUZZ_SRCS_tap_read     := plugins/exec/tap_read.c plugins/exec/util.c
FUZZ_SRCS_fly_machines := plugins/fly/fly_machines.c plugins/common/json.c
FUZZ_SRCS_fly_logs     := plugins/fly/fly_logs.c plugins/common/json.c plugins/common/regexp.c
FUZZ_SRCS_wire         := core/wire.c core/result.c core/redact.c core/util.c
FUZZ_SRCS_mp_sign      := plugins/common/mp_sign.c
FUZZ_SRCS_backup       := plugins/backup/backup_sniff.c plugins/backup/backup_codec.c
FUZZ_SRCS_prom_name    := core/prom_name.c core/report_text.c core/redact.c core/util.c
# libraries of one target only, after FUZZ_LIBS
FUZZ_LIBS_mp_sign      := -lcrypto
FUZZ_LIBS_backup       := -lz -lzstd -llz4 -llzma -lbz2
FUZZ_LIBS_fly_logs     := -lpcre2-8

# config_tp: the test plugin, built here with clang, resolves oc_* from the
# fuzz program as it does from opscheck.
FUZZ_LDEXTRA_config_tp := -Wl,--dynamic-list=core/exports.list
FUZZ_DEPS_config_tp    := $(FUZZ_O)/tp.so
$(FUZZ_O)/fuzz_config_tp.o: FUZZ_CFLAGS += -DFUZZ_TP_SO='"$(abspath $(FUZZ_O)/tp.so)"'
$(FUZZ_O)/fuzz_config_tp.o: tests/fuzz/fuzz_config.c

.PHONY: fuzz fuzz-build
fuzz-build: $(addprefix $(FUZZ_B)/fuzz_,$(FUZZ_TARGETS))
fuzz: $(addprefix fuzz-run-,$(FUZZ_TARGETS))

$(FUZZ_O)/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c -o $@ $<

$(FUZZ_O)/fuzz_%.o: tests/fuzz/fuzz_%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c -o $@ $<

$(FUZZ_O)/tp.so: tests/plugins/tp.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -g -O1 -Icore -fPIC -shared -o $@ $<

define fuzz_rule
$(FUZZ_B)/fuzz_$(1): $(FUZZ_O)/fuzz_$(1).o $(addprefix $(FUZZ_O)/,$(FUZZ_SRCS_$(1):.c=.o)) $(FUZZ_DEPS_$(1))
	@mkdir -p $(FUZZ_B)
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer $(FUZZ_LDEXTRA_$(1)) -o $$@ \
	  $(FUZZ_O)/fuzz_$(1).o $(addprefix $(FUZZ_O)/,$(FUZZ_SRCS_$(1):.c=.o)) $(FUZZ_LIBS) $(FUZZ_LIBS_$(1))

.PHONY: fuzz-run-$(1)
fuzz-run-$(1): $(FUZZ_B)/fuzz_$(1)
	@mkdir -p tests/fuzz/work/$(1) tests/fuzz/artifacts/$(1)
	$(FUZZ_B)/fuzz_$(1) -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
	  -print_final_stats=1 -artifact_prefix=tests/fuzz/artifacts/$(1)/ \
	  $(if $(wildcard tests/fuzz/$(1).dict),-dict=tests/fuzz/$(1).dict) \
	  tests/fuzz/work/$(1) tests/fuzz/corpus/$(1) </dev/null
endef
$(foreach t,$(FUZZ_ALL),$(eval $(call fuzz_rule,$(t))))

-include $(shell find $(FUZZ_O) -name '*.d' 2>/dev/null)

.DEFAULT_GOAL := $(FUZZ_SAVED_GOAL)
