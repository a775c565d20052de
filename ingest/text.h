// Text helpers shared by the adapters: HTML entities, HTML to plain text, JSON string output and
// UTF-8 validation. Pure functions; thread-safe; on the hot path (called once per post).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace earshot::ingest {

// Appends `in` to `out` with HTML character references decoded: the named entities that occur in
// social text (&amp; &lt; &gt; &quot; &apos; &nbsp; and common Latin-1 / punctuation names) and
// every numeric reference (&#39; &#x1F600;). Unknown or malformed references are kept verbatim.
void AppendHtmlUnescaped(std::string_view in, std::string& out);

// Converts an HTML fragment (Mastodon `content`) to plain text: tags removed, <br> and block ends
// become newlines, the text of links and mentions kept, entities decoded, runs of blank lines
// collapsed, leading and trailing white space trimmed.
void AppendHtmlAsText(std::string_view html, std::string& out);

// True when `s` contains a '&' that may start a character reference, or a '<'. Lets callers skip
// the decoding pass for the common case.
[[nodiscard]] inline bool MayNeedUnescape(std::string_view s) {
  return s.find('&') != std::string_view::npos;
}

// Appends `s` as a quoted JSON string. Invalid UTF-8 bytes are replaced by U+FFFD so the output is
// always valid JSON.
void AppendJsonString(std::string_view s, std::string& out);

// Sets `out` to the concatenation of `parts` (anything convertible to std::string_view), growing
// it at most once and keeping its capacity: URLs and ids built from a post's fields without
// temporaries. No part may alias `out`.
template <typename... Parts>
inline void AssignConcat(std::string& out, const Parts&... parts) {
  out.clear();
  out.reserve((std::string_view(parts).size() + ...));
  (out.append(std::string_view(parts)), ...);
}

// Trims ASCII white space from both ends.
[[nodiscard]] std::string_view TrimAscii(std::string_view s);

// Length of the well-formed UTF-8 sequence starting at s[i] (1 to 4 bytes: no overlong forms,
// surrogates or code points past U+10FFFF), or 0 when the bytes there are not one.
// REQUIRES: i < s.size().
[[nodiscard]] size_t Utf8SequenceLength(std::string_view s, size_t i);

// True when `s` is valid UTF-8.
[[nodiscard]] bool IsValidUtf8(std::string_view s);

// A stable 32-bit digest of a review's title and text, appended as 8 hex digits: the content part
// of the ids earshot builds for reviews whose source has no id (Amazon, app-store scrapers).
// Reads 8 bytes at a time (little-endian); stable across releases, unlike std::hash.
void AppendContentDigest(std::string_view title, std::string_view text, std::string& out);

// Appends the UTF-8 encoding of `code_point` (replacement character when out of range).
void AppendUtf8(char32_t code_point, std::string& out);

}  // namespace earshot::ingest
