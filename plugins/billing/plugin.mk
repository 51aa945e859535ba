# plugins/billing/plugin.mk - build settings of the billing plugin (issue 5).
PLUGIN_COMMON_billing := pg http json
PLUGIN_LIBS_billing   := -lpq -lcurl -lcjson
# libpq-fe.h lives in /usr/include/postgresql on Debian.
PG_CFLAGS := $(shell pkg-config --cflags libpq 2>/dev/null || echo -I/usr/include/postgresql)
plugins/common/pg.o plugins/billing/%.o plugins/mp-webhook/%.o tests/unit/test_mp_sign.o: ALL_CFLAGS += $(PG_CFLAGS)

# tests/unit/test_pg_redact (issue 14): pg_redact of plugins/common/pg.c.
UNIT_OBJS_test_pg_redact := plugins/common/pg.o
UNIT_LIBS_test_pg_redact := -lpq -lcmocka -linih
tests/unit/test_pg_redact.o: ALL_CFLAGS += $(PG_CFLAGS)
