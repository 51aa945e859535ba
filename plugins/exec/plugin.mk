# plugins/exec/plugin.mk - the exec plugin needs no library beyond libc.
# Unit tests link the parts that do not call oc_* (exec.o does; only the
# running core provides those functions).
PLUGIN_LIBS_exec :=
UNIT_OBJS_test_exec_parse := plugins/exec/argv.o plugins/exec/perfdata.o \
                             plugins/exec/tap_read.o plugins/exec/util.o
UNIT_OBJS_test_exec_spawn := plugins/exec/spawn.o plugins/exec/util.o
# -lcmocka -linih: the Makefile's unit_rule quotes $$(pkg-config) once too few
# times inside its define, so neither is linked; harmless once that is fixed.
UNIT_LIBS_test_exec_parse := -lcmocka -linih
UNIT_LIBS_test_exec_spawn := -lcmocka -linih
