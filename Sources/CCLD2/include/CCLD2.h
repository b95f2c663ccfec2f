#ifndef WIREWATCH_CCLD2_H
#define WIREWATCH_CCLD2_H
#ifdef __cplusplus
extern "C" {
#endif

/// Result of one CLD2 detection: the ISO 639-1 code of the top language (CLD2's "un" when unknown),
/// its share of the scored text in percent, and CLD2's own reliability verdict.
typedef struct {
    char code[16];
    int percent;
    int text_bytes;
    int is_reliable;
} wirewatch_cld2_result;

/// Detects the language of UTF-8 plain text. `language_hint` may be NULL or an ISO code.
/// Returns 0 on success, -1 when the buffer is not valid UTF-8.
int wirewatch_cld2_detect(const char *buffer, int length, const char *language_hint,
                          wirewatch_cld2_result *result);

#ifdef __cplusplus
}
#endif
#endif
