# plugins/secret/plugin.mk - the secret plugin (issue 6): HTTP to the
# backend, the Fly secrets endpoint through the shared Fly API client.
PLUGIN_COMMON_secret := http json fly_api
PLUGIN_LIBS_secret   := -lcurl -lcjson -lzxcvbn -lm
plugins/secret/%.o: ALL_CFLAGS += -Wno-format-truncation

UNIT_OBJS_test_secret_strength := plugins/secret/secret_strength.o
# -lcmocka -linih: see plugins/exec/plugin.mk (unit_rule's pkg-config is expanded by make).
UNIT_LIBS_test_secret_strength := -lzxcvbn -lm -lcmocka -linih
