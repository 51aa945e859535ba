# plugins/http-health/plugin.mk - build settings of the http-health plugin
# and of its unit tests (issue 3).  The unit tests link only the pure parts
# (no oc_* calls): status lists, JSON rules, percentiles, and http.c.
PLUGIN_COMMON_http-health := http json regexp
PLUGIN_LIBS_http-health   := -lcurl -lcjson -lpcre2-8

UNIT_OBJS_test_http_health := plugins/http-health/hh_status.o plugins/http-health/hh_rule.o \
                              plugins/http-health/hh_stats.o plugins/common/json.o plugins/common/regexp.o
# -lcmocka -linih: the Makefile's unit_rule has $$(pkg-config ...) inside a define
# that is $(call)ed and $(eval)ed, so make, not the shell, expands it (to
# nothing); these stand in until that is fixed (then they are harmless).
UNIT_LIBS_test_http_health := -lcjson -lpcre2-8 -lm -lcmocka -linih

UNIT_OBJS_test_http_client := plugins/common/http.o
UNIT_LIBS_test_http_client := -lcurl -lcmocka -linih
