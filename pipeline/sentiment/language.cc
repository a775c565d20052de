#include "pipeline/sentiment/language.h"

#include <cld2/public/compact_lang_det.h>

#include "ingest/text.h"
#include "pipeline/sentiment/chunks.h"

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

std::string_view DetectLanguage(std::string_view text_in, bool& reliable) {
  // @mentions and URLs are not language: detect on the rest (a bounded stack copy, no
  // allocation; long texts are judged on their first 1 KiB). CLD2 reads past the end of an
  // incomplete UTF-8 sequence, so the copy holds whole, well-formed sequences only: a byte that
  // starts none becomes a space, and a character that does not fit ends the copy.
  char buffer[1024];
  size_t length = 0;
  bool full = false;
  for (size_t i = 0; i < text_in.size() && length < sizeof buffer && !full;) {
    size_t j = i;
    while (j < text_in.size() && text_in[j] != ' ' && text_in[j] != '\n') ++j;
    std::string_view word = text_in.substr(i, j - i);
    bool skip = (word.size() > 1 && word[0] == '@') || IsUrlChunk(word);
    if (!skip) {
      for (size_t k = 0; k < word.size() && length < sizeof buffer;) {
        const size_t n = ingest::Utf8SequenceLength(word, k);
        if (n == 0) {
          buffer[length++] = ' ';
          ++k;
          continue;
        }
        if (length + n > sizeof buffer) {
          full = true;  // no partial character
          break;
        }
        for (size_t b = 0; b < n; ++b) buffer[length++] = word[k + b];
        k += n;
      }
      if (length < sizeof buffer) buffer[length++] = ' ';
    }
    i = j + 1;
  }
  std::string_view text(buffer, length);
  CLD2::Language top3[3];
  int percent3[3];
  int text_bytes = 0;
  reliable = false;
  CLD2::Language lang = CLD2::ExtDetectLanguageSummary(
      text.data(), static_cast<int>(text.size()), /*is_plain_text=*/true, top3, percent3,
      &text_bytes, &reliable);
  // CLD2 calls many two- and three-word texts "reliable" ("Oh man! I love 'em!" comes out as
  // Portuguese): only a guess with enough letters behind it, most of the text in that language
  // and no English among the top three counts as reliable here.
  bool english_seen = false;
  for (int k = 0; k < 3; ++k) english_seen = english_seen || top3[k] == CLD2::ENGLISH;
  if (text_bytes < kMinDetectBytes || percent3[0] < 70 || english_seen) reliable = false;
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
