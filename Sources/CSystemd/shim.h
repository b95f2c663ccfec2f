#ifndef WIREWATCH_CSYSTEMD_SHIM_H
#define WIREWATCH_CSYSTEMD_SHIM_H
#include <systemd/sd-daemon.h>
#endif
