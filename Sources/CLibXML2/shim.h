#ifndef WIREWATCH_CLIBXML2_SHIM_H
#define WIREWATCH_CLIBXML2_SHIM_H

// Debian builds libxml2 with ICU, so its encoding header pulls in the system's ICU headers, which clash with the
// ICU copy inside Foundation. Wirewatch never touches libxml2's ICU converter fields, so hide them.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <libxml/xmlmemory.h>

/// `xmlFree` is a global function pointer, which Swift 6 treats as shared mutable state; call it through here.
static inline void wirewatch_xml_free(void *pointer) {
    xmlFree(pointer);
}

#endif
