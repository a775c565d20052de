#include "pipeline/sentiment/language.h"

#include <cld2/public/compact_lang_det.h>

namespace earshot::pipeline::sentiment {
namespace {

bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

}  // namespace

std::string_view DetectLanguage(std::string_view text, bool& reliable) {
  reliable = false;
  CLD2::Language lang = CLD2::DetectLanguage(text.data(), static_cast<int>(text.size()),
                                             /*is_plain_text=*/true, &reliable);
  const char* code = CLD2::LanguageCode(lang);
  return code ? std::string_view(code) : std::string_view("un");
}

LanguageDecision CheckLanguage(std::string_view post_lang, std::string_view text) {
  LanguageDecision d;
  // Tags that say nothing about the language: undetermined, no linguistic content, and X's
  // pseudo-tags for media-only, hashtag-only and mention-only posts.
  bool meaningful = !post_lang.empty() && post_lang != "und" && post_lang != "zxx" &&
                    post_lang != "qme" && post_lang != "qht" && post_lang != "qam" &&
                    post_lang != "qct" && post_lang != "art";
  if (meaningful) {
    size_t dash = post_lang.find_first_of("-_");
    d.code = post_lang.substr(0, dash);
    d.supported = StartsWithIgnoreCase(post_lang, "en") &&
                  (post_lang.size() == 2 || post_lang[2] == '-' || post_lang[2] == '_');
    if (!d.supported) d.reason = "post lang";
    return d;
  }
  bool reliable = false;
  std::string_view code = DetectLanguage(text, reliable);
  d.detected = true;
  d.code = code;
  if (reliable && code != "en" && code != "un" && code != "xxx") {
    d.supported = false;
    d.reason = "detected by cld2";
  }
  return d;
}

}  // namespace earshot::pipeline::sentiment
