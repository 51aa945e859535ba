# plugins/mp-webhook/plugin.mk - build settings of the mp-webhook plugin and
# of tests/unit/test_mp_sign (issue 5).  The stand-in compiles mp_sign.c
# itself (tests/standin/role_mp.c includes it) and already links -lcrypto.
PLUGIN_COMMON_mp-webhook := pg mp_sign http json
PLUGIN_LIBS_mp-webhook   := -lpq -lcrypto -lcurl -lcjson

UNIT_OBJS_test_mp_sign := plugins/common/mp_sign.o plugins/common/pg.o
# -lcmocka -linih: see plugins/http-health/plugin.mk (unit_rule's pkg-config is not expanded).
UNIT_LIBS_test_mp_sign := -lpq -lcrypto -lcmocka -linih
