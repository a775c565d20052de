// Pieces shared by the two X adapters (API v1.1 and v2).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ingest/post.h"
#include "ingest/text.h"

namespace earshot::ingest::x {

// X marks undetermined or non-linguistic text with codes that are not BCP-47 ("und", "qme",
// "qht", "zxx", ...); those become an empty lang. X still writes the withdrawn ISO 639 codes of
// Indonesian ("in") and Hebrew ("iw"): they become today's "id" and "he", so that a `lang:id`
// filter finds them.
inline void SetLang(std::string_view code, Post& post) {
  if (code.empty() || code == "und" || code == "zxx" || (code.size() == 3 && code[0] == 'q')) {
    post.lang.clear();
  } else if (code == "in") {
    post.lang.assign("id");
  } else if (code == "iw") {
    post.lang.assign("he");
  } else {
    post.lang.assign(code);
  }
}

// The creation time a tweet id carries: ids since November 2010 are snowflakes, whose bits above
// the lowest 22 are milliseconds since 2010-11-04T01:42:54.657Z. 0 for an id that is not one
// (the sequential ids before, all below 2^40). X API v2 sends created_at only when the request
// asks for it (tweet.fields); without it the id still dates the tweet to the millisecond.
inline int64_t SnowflakeTimeMs(std::string_view id) {
  if (id.empty() || id.size() > 20) return 0;
  uint64_t value = 0;
  for (char c : id) {
    if (c < '0' || c > '9') return 0;
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (value > (UINT64_MAX - digit) / 10) return 0;
    value = value * 10 + digit;
  }
  if (value < (uint64_t{1} << 40)) return 0;
  return static_cast<int64_t>(value >> 22) + 1288834974657;
}

// X text carries HTML entities (&amp; &lt; &gt;) even in JSON.
inline void SetText(std::string_view raw, Post& post) {
  post.text.clear();
  if (MayNeedUnescape(raw)) {
    AppendHtmlUnescaped(raw, post.text);
  } else {
    post.text.assign(raw);
  }
}

// Written in place: a reused Post keeps its url's capacity, so this allocates only for a url
// longer than any before it.
inline void SetUrl(Post& post) {
  if (post.author.handle.empty()) {
    post.url.assign("https://x.com/i/web/status/");
  } else {
    post.url.assign("https://x.com/").append(post.author.handle).append("/status/");
  }
  post.url.append(post.id);
}

}  // namespace earshot::ingest::x
