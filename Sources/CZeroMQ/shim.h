#ifndef WIREWATCH_CZEROMQ_SHIM_H
#define WIREWATCH_CZEROMQ_SHIM_H
#include <zmq.h>
#endif
