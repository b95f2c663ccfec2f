#ifndef WIREWATCH_CLINUX_SHIM_H
#define WIREWATCH_CLINUX_SHIM_H
// glibc and Linux calls that Swift's Glibc module does not export, and a compiler builtin it has no word for.
#include <malloc.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/// The calling thread's kernel id: a nice value set on it applies to that thread alone.
static inline int wirewatch_thread_id(void) { return (int)syscall(SYS_gettid); }

/// Names the calling thread for the kernel (top -H, ps -L, perf, /proc/PID/task/TID/comm): at most 15 bytes are
/// kept. Foundation's Thread.name does not reach the kernel on Linux, and prctl is variadic, so Swift cannot call it.
static inline void wirewatch_name_thread(const char *name) { prctl(PR_SET_NAME, name, 0, 0, 0); }

/// Asks the cache for the line holding `address` without waiting for it: Swift has no prefetch intrinsic.
static inline void wirewatch_prefetch(const void *address) { __builtin_prefetch(address, 0, 3); }
#endif
