/* tp_noentry.c - a shared object with no opscheck_plugin() (tests only). */
int tp_noentry_something(void);
int tp_noentry_something(void)
{
    return 42;
}
