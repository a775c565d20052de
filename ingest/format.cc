#include "ingest/format.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <initializer_list>

#if defined(__AVX2__)
#include <immintrin.h>
#endif

namespace earshot::ingest {
namespace {

constexpr std::array<std::string_view, kFormatCount> kNames = {
    "auto",   "x_v2",   "x_v1",          "reddit",      "bluesky",  "mastodon",
    "yelp",   "amazon", "app_store_rss", "app_scraper", "twcs_csv", "generic"};

// The keys DetectJsonFormat looks for, one bit each.
constexpr std::array<std::string_view, 30> kKeys = {
    "did",         "time_us",   "statuses",       "id_str",    "user",
    "data",        "author_id", "matching_rules", "includes",  "edit_history_tweet_ids",
    "meta",        "errors",    "kind",           "subreddit", "subreddit_id",
    "text",        "id",        "feed",           "entry",     "reviewId",
    "content",     "review_id", "business_id",    "asin",      "reviewerID",
    "parent_asin", "account",   "review",         "rating",    "userName"};
constexpr size_t kLongestKey = 22;

// kKeys indices by a hash of a key's length and its first and last bytes: a candidate is compared
// with at most one key. The multipliers were searched for no collision among kKeys (checked below).
constexpr uint8_t kNoKey = 0xFF;
constexpr size_t KeySlot(size_t length, char first, char last) {
  return (length * 42 + static_cast<unsigned char>(first) * 9 + static_cast<unsigned char>(last)) &
         63;
}
constexpr auto kKeySlots = [] {
  std::array<uint8_t, 64> table{};
  table.fill(kNoKey);
  for (size_t i = 0; i < kKeys.size(); ++i) {
    table[KeySlot(kKeys[i].size(), kKeys[i].front(), kKeys[i].back())] = static_cast<uint8_t>(i);
  }
  return table;
}();
static_assert(
    [] {
      for (size_t i = 0; i < kKeys.size(); ++i) {
        if (kKeySlots[KeySlot(kKeys[i].size(), kKeys[i].front(), kKeys[i].back())] != i)
          return false;
      }
      return true;
    }(),
    "two detection keys share a slot: choose other multipliers in KeySlot");

// The bit of a detection key; compile-time only, so a key missing from kKeys does not build.
consteval uint64_t Bit(std::string_view key) {
  for (size_t i = 0; i < kKeys.size(); ++i) {
    if (kKeys[i] == key) return uint64_t{1} << i;
  }
  throw "not a detection key";
}

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Two bitmaps of the 64 bytes at p, of which `n` are in the input (n may exceed 64; bytes past
// the input count as neither): bit i of `quotes` when p[i] is a double quote, bit i of
// `before_colon` when p[i + 1] is a colon or white space (only such a quote can close a key).
struct BlockMasks {
  uint64_t quotes;
  uint64_t before_colon;
};

BlockMasks ScanBlock(const char* p, size_t n) {
#if defined(__AVX2__)
  alignas(32) char block[96];
  if (n < 65) {
    std::memset(block, 0, sizeof block);
    std::memcpy(block, p, n);
    p = block;
  }
  auto load = [](const char* at) {
    return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(at));
  };
  auto bits = [](__m256i v) { return static_cast<uint32_t>(_mm256_movemask_epi8(v)); };
  const __m256i quote = _mm256_set1_epi8('"');
  auto colon_or_space = [](__m256i v) {
    __m256i m = _mm256_cmpeq_epi8(v, _mm256_set1_epi8(':'));
    m = _mm256_or_si256(m, _mm256_cmpeq_epi8(v, _mm256_set1_epi8(' ')));
    m = _mm256_or_si256(m, _mm256_cmpeq_epi8(v, _mm256_set1_epi8('\t')));
    m = _mm256_or_si256(m, _mm256_cmpeq_epi8(v, _mm256_set1_epi8('\n')));
    return _mm256_or_si256(m, _mm256_cmpeq_epi8(v, _mm256_set1_epi8('\r')));
  };
  BlockMasks m;
  m.quotes = uint64_t{bits(_mm256_cmpeq_epi8(load(p + 32), quote))} << 32 |
             bits(_mm256_cmpeq_epi8(load(p), quote));
  m.before_colon =
      uint64_t{bits(colon_or_space(load(p + 33)))} << 32 | bits(colon_or_space(load(p + 1)));
  return m;
#else
  BlockMasks m{0, 0};
  for (size_t i = 0; i < std::min<size_t>(n, 64); ++i) {
    m.quotes |= uint64_t{p[i] == '"'} << i;
    if (i + 1 < n) m.before_colon |= uint64_t{p[i + 1] == ':' || IsJsonSpace(p[i + 1])} << i;
  }
  return m;
#endif
}

// The detection keys that appear in `s` as keys: `"key"`, white space, then a colon, with an
// opening quote that is not escaped (so a key inside a string value does not count). Every quote
// is the opening one of a candidate that the next quote closes; only closing quotes followed by
// a colon or white space are looked at, found with bitmaps of 64 bytes at a time.
uint64_t ScanKeys(std::string_view s) {
  uint64_t keys = 0;
  const char* const begin = s.data();
  const char* const end = begin + s.size();
  auto candidate = [&](const char* open, const char* close) {
    const size_t length = static_cast<size_t>(close - open - 1);
    if (length < 2 || length > kLongestKey || (open != begin && open[-1] == '\\')) return;
    const char* k = close + 1;
    while (k < end && IsJsonSpace(*k)) ++k;
    if (k >= end || *k != ':') return;
    const std::string_view key(open + 1, length);
    const uint8_t i = kKeySlots[KeySlot(length, key.front(), key.back())];
    if (i != kNoKey && kKeys[i] == key) keys |= uint64_t{1} << i;
  };
  const char* last_quote = nullptr;  // the last quote before the current block
  for (size_t base = 0; base < s.size(); base += 64) {
    const char* const block = begin + base;
    const BlockMasks m = ScanBlock(block, s.size() - base);
    for (uint64_t closes = m.quotes & m.before_colon; closes != 0; closes &= closes - 1) {
      const int at = __builtin_ctzll(closes);
      const uint64_t before = m.quotes & ((uint64_t{1} << at) - 1);
      const char* open = before != 0 ? block + 63 - __builtin_clzll(before) : last_quote;
      if (open != nullptr) candidate(open, block + at);
    }
    if (m.quotes != 0) last_quote = block + 63 - __builtin_clzll(m.quotes);
  }
  return keys;
}

// True when the object `s` opens with one of the keys of X v1.1's streaming control messages
// ({"delete": ...}, {"limit": ...}); the adapter skips them.
bool OpensWithControlKey(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && IsJsonSpace(s[i])) ++i;
  if (i >= s.size() || s[i] != '{') return false;
  ++i;
  while (i < s.size() && IsJsonSpace(s[i])) ++i;
  if (i >= s.size() || s[i] != '"') return false;
  const size_t close = s.find('"', i + 1);
  if (close == std::string_view::npos) return false;
  const std::string_view key = s.substr(i + 1, close - i - 1);
  for (std::string_view control : {"delete", "limit", "warning", "scrub_geo", "status_withheld",
                                   "user_withheld", "disconnect"}) {
    if (key == control) return true;
  }
  return false;
}

}  // namespace

std::string_view FormatName(Format format) { return kNames[static_cast<size_t>(format)]; }

std::optional<Format> FormatFromName(std::string_view name) {
  for (size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == name) return static_cast<Format>(i);
  }
  if (name == "x") return Format::kXV2;
  if (name == "twitter_v1" || name == "x_v1.1") return Format::kXV1;
  if (name == "jetstream") return Format::kBluesky;
  if (name == "google_play" || name == "app_store") return Format::kAppScraper;
  return std::nullopt;
}

std::string_view FormatNames() {
  return "auto, x_v2, x_v1, reddit, bluesky, mastodon, yelp, amazon, app_store_rss, app_scraper, "
         "twcs_csv, generic";
}

namespace {

std::optional<Format> DetectIn(std::string_view s) {
  const uint64_t keys = ScanKeys(s);
  auto has = [keys](uint64_t bit) { return (keys & bit) != 0; };
  constexpr uint64_t kDid = Bit("did"), kTimeUs = Bit("time_us"), kStatuses = Bit("statuses"),
                     kIdStr = Bit("id_str"), kUser = Bit("user"), kData = Bit("data"),
                     kKind = Bit("kind"), kErrors = Bit("errors"), kText = Bit("text"),
                     kId = Bit("id"), kContent = Bit("content");
  if (has(kDid) && has(kTimeUs)) return Format::kBluesky;
  // Search results: X v1's statuses have a "user", Mastodon's an "account" and HTML "content".
  if (has(kStatuses) && has(Bit("account")) && has(kContent) && !has(kUser)) {
    return Format::kMastodon;
  }
  if (has(kStatuses) || (has(kIdStr) && has(kUser))) return Format::kXV1;
  if (OpensWithControlKey(s)) return Format::kXV1;
  if (has(kData) && has(Bit("author_id") | Bit("matching_rules") | Bit("includes") |
                        Bit("edit_history_tweet_ids") | Bit("meta"))) {
    return Format::kXV2;
  }
  if (has(kErrors) && !has(kKind)) return Format::kXV2;
  if (has(Bit("subreddit") | Bit("subreddit_id")) ||
      (has(kKind) && has(kData) &&
       (s.find("\"Listing\"") != std::string_view::npos ||
        s.find("\"t1\"") != std::string_view::npos ||
        s.find("\"t3\"") != std::string_view::npos))) {
    return Format::kReddit;
  }
  if (has(kData) && has(kText) && has(kId)) return Format::kXV2;
  if (has(Bit("feed")) && has(Bit("entry"))) return Format::kAppStoreRss;
  if (has(Bit("reviewId")) && has(kContent)) return Format::kAppScraper;
  if (has(Bit("review_id")) && has(Bit("business_id"))) return Format::kYelp;
  if (has(Bit("asin") | Bit("reviewerID") | Bit("parent_asin"))) return Format::kAmazon;
  if (has(Bit("account")) && has(kContent)) return Format::kMastodon;
  if (has(Bit("review")) && has(Bit("rating")) && has(Bit("userName"))) {
    return Format::kAppScraper;
  }
  return std::nullopt;
}

}  // namespace

std::optional<Format> DetectJsonFormat(std::string_view record) {
  // Most records tell their format in their first keys. A record whose long text comes before
  // them (Reddit dumps sort their keys: "body" before "subreddit") is scanned whole.
  constexpr size_t kPrefix = 8192;
  if (auto format = DetectIn(record.substr(0, kPrefix))) return format;
  return record.size() > kPrefix ? DetectIn(record) : std::nullopt;
}

}  // namespace earshot::ingest
