#ifndef WIREWATCH_CLINUX_SHIM_H
#define WIREWATCH_CLINUX_SHIM_H
// glibc and Linux calls that Swift's Glibc module does not export.
#include <malloc.h>
#include <sys/syscall.h>
#include <unistd.h>

/// The calling thread's kernel id: a nice value set on it applies to that thread alone.
static inline int wirewatch_thread_id(void) { return (int)syscall(SYS_gettid); }
#endif
