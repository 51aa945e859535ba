# tests/standin/standin.mk - the stand-in's Mercado Pago receiver records
# notifications in webhook_events like a real receiver (role_mp.c), so it
# includes libpq-fe.h; the Makefile links the stand-in with -lpq.
tests/standin/role_mp.o: ALL_CFLAGS += $(shell pkg-config --cflags libpq 2>/dev/null || echo -I/usr/include/postgresql)
