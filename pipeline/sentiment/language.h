// Language gate: decides whether a post is in a language the scorer supports (English).
//
// The post's own `lang` (BCP-47) decides when present and meaningful; otherwise CLD2 (Debian
// libcld2) guesses from the text, and only a confident guess can reject a post (DetectLanguage):
// short texts and texts CLD2 cannot place are scored. Stateless and thread-safe; on the hot path (CLD2 runs
// only when the post has no language tag).
#pragma once

#include <string_view>

namespace earshot::pipeline::sentiment {

struct LanguageDecision {
  bool supported = true;
  bool detected = false;     // the decision came from CLD2, not from the post's tag
  std::string_view code;     // language code (static storage), "" when unknown
  std::string_view reason;   // static text, for unsupported: "post lang" or "detected by cld2"
};

// `post_lang` may be empty. Never allocates.
[[nodiscard]] LanguageDecision CheckLanguage(std::string_view post_lang, std::string_view text);

// Texts with fewer letters than this are never rejected by detection (CLD2 guesses wildly on them).
inline constexpr int kMinDetectBytes = 24;

// CLD2 on its own: the code of the language it detects ("un" when unknown) and whether earshot
// trusts it (CLD2 reliable, at least kMinDetectBytes of letters, >= 70% of the text, and English
// not among CLD2's top three).
[[nodiscard]] std::string_view DetectLanguage(std::string_view text, bool& reliable);

}  // namespace earshot::pipeline::sentiment
