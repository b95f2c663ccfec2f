// Why this file exists: CLD2 (Debian's libcld2) exposes only a C++ API with namespaced overloads and
// default arguments, which Swift cannot call directly. This shim offers one plain C entry point.
#include "CCLD2.h"

#include <cstdio>

#include <cld2/public/compact_lang_det.h>
#include <cld2/public/encodings.h>
#include <cstring>

namespace CLD2 {
// Declared in cld2/internal/lang_script.h, which pulls in headers that are not self-contained.
const char *LanguageCode(Language lang);
Language GetLanguageFromName(const char *src);
}

extern "C" int wirewatch_cld2_detect(const char *buffer, int length, const char *language_hint,
                                     wirewatch_cld2_result *result) {
    CLD2::CLDHints hints = {nullptr, nullptr, CLD2::UNKNOWN_ENCODING, CLD2::UNKNOWN_LANGUAGE};
    if (language_hint != nullptr) {
        hints.language_hint = CLD2::GetLanguageFromName(language_hint);
    }
    CLD2::Language language3[3];
    int percent3[3];
    double scores3[3];
    int text_bytes = 0;
    bool reliable = false;
    int valid_prefix = 0;
    CLD2::Language lang = CLD2::ExtDetectLanguageSummaryCheckUTF8(
        buffer, length, true, &hints, 0, language3, percent3, scores3, nullptr, &text_bytes, &reliable,
        &valid_prefix);
    std::memset(result, 0, sizeof(*result));
    if (valid_prefix < length) {
        std::strncpy(result->code, "un", sizeof(result->code) - 1);
        return -1;
    }
    const char *code = CLD2::LanguageCode(lang);
    std::strncpy(result->code, code != nullptr ? code : "un", sizeof(result->code) - 1);
    result->percent = percent3[0];
    result->text_bytes = text_bytes;
    result->is_reliable = reliable ? 1 : 0;
    return 0;
}
