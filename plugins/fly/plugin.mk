# plugins/fly/plugin.mk - build settings of the fly plugin and of the unit
# tests its author owns (json.c, fly_api.c and the fly plugin's pure parts).
PLUGIN_COMMON_fly := http json fly_api regexp
PLUGIN_LIBS_fly   := -lcurl -lcjson -lpcre2-8

UNIT_OBJS_test_json := plugins/common/json.o
# -lcmocka -linih: the Makefile's unit_rule quotes $$(pkg-config) once too few times
# inside its define, so cmocka is not linked; harmless once that is fixed.
UNIT_LIBS_test_json := -lcjson -lm -lcmocka -linih

UNIT_OBJS_test_fly_machines := plugins/fly/fly_machines.o plugins/common/json.o
UNIT_LIBS_test_fly_machines := $(UNIT_LIBS_test_json)
UNIT_OBJS_test_fly_logs := plugins/fly/fly_logs.o plugins/common/json.o plugins/common/regexp.o
UNIT_LIBS_test_fly_logs := $(UNIT_LIBS_test_json) -lpcre2-8
UNIT_OBJS_test_fly_api := plugins/common/fly_api.o plugins/common/http.o plugins/common/json.o
UNIT_LIBS_test_fly_api := $(UNIT_LIBS_test_json) -lcurl
