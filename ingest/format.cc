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

// kKeys indices by key length, each list ended by kNoKey (at most 7 keys share a length).
constexpr uint8_t kNoKey = 0xFF;
constexpr auto kKeysByLength = [] {
  std::array<std::array<uint8_t, 8>, kLongestKey + 1> table{};
  for (auto& list : table) list.fill(kNoKey);
  for (size_t i = 0; i < kKeys.size(); ++i) {
    auto& list = table[kKeys[i].size()];
    size_t n = 0;
    while (list[n] != kNoKey) ++n;
    list[n] = static_cast<uint8_t>(i);  // n < 7: checked below
  }
  return table;
}();
static_assert([] {
  for (const auto& list : kKeysByLength) {
    if (list.back() != kNoKey) return false;
  }
  return true;
}());

// The bit of a detection key; compile-time only, so a key missing from kKeys does not build.
consteval uint64_t Bit(std::string_view key) {
  for (size_t i = 0; i < kKeys.size(); ++i) {
    if (kKeys[i] == key) return uint64_t{1} << i;
  }
  throw "not a detection key";
}

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Bit i set when p[i] is a double quote, for the `n` <= 64 bytes at p.
uint64_t QuoteMask(const char* p, size_t n) {
#if defined(__AVX2__)
  alignas(32) char block[64];
  if (n < 64) {
    std::memset(block, 0, sizeof block);
    std::memcpy(block, p, n);
    p = block;
  }
  const __m256i quote = _mm256_set1_epi8('"');
  const auto lo = static_cast<uint32_t>(_mm256_movemask_epi8(
      _mm256_cmpeq_epi8(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)), quote)));
  const auto hi = static_cast<uint32_t>(_mm256_movemask_epi8(
      _mm256_cmpeq_epi8(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32)), quote)));
  return uint64_t{hi} << 32 | lo;
#else
  uint64_t mask = 0;
  for (size_t i = 0; i < n; ++i) mask |= uint64_t{p[i] == '"'} << i;
  return mask;
#endif
}

// The detection keys that appear in `s` as keys: `"key"`, white space, then a colon, with an
// opening quote that is not escaped (so a key inside a string value does not count). One pass
// over a bitmap of the quotes: every quote is tried as the opening one, the next quote closes
// the candidate.
uint64_t ScanKeys(std::string_view s) {
  uint64_t keys = 0;
  const char* const begin = s.data();
  const char* const end = begin + s.size();
  const char* open = nullptr;
  auto candidate = [&](const char* close) {
    const size_t length = static_cast<size_t>(close - open - 1);
    if (length < 2 || length > kLongestKey || (open != begin && open[-1] == '\\')) return;
    const char* k = close + 1;
    while (k < end && IsJsonSpace(*k)) ++k;
    if (k >= end || *k != ':') return;
    const std::string_view key(open + 1, length);
    for (const uint8_t* i = kKeysByLength[length].data(); *i != kNoKey; ++i) {
      if (kKeys[*i][0] == key[0] && kKeys[*i] == key) keys |= uint64_t{1} << *i;
    }
  };
  for (size_t base = 0; base < s.size(); base += 64) {
    for (uint64_t quotes = QuoteMask(begin + base, std::min<size_t>(64, s.size() - base));
         quotes != 0; quotes &= quotes - 1) {
      const char* quote = begin + base + static_cast<size_t>(__builtin_ctzll(quotes));
      if (open != nullptr) candidate(quote);
      open = quote;
    }
  }
  return keys;
}

// True when the object `s` opens with the key `key` ({"key": ...).
bool FirstKeyIs(std::string_view s, std::string_view key) {
  size_t i = 0;
  while (i < s.size() && IsJsonSpace(s[i])) ++i;
  if (i >= s.size() || s[i] != '{') return false;
  ++i;
  while (i < s.size() && IsJsonSpace(s[i])) ++i;
  if (s.size() < i + key.size() + 2) return false;
  return s[i] == '"' && s.substr(i + 1, key.size()) == key && s[i + 1 + key.size()] == '"';
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

std::optional<Format> DetectJsonFormat(std::string_view record) {
  std::string_view s = record.substr(0, 8192);
  const uint64_t keys = ScanKeys(s);
  auto has = [keys](uint64_t bit) { return (keys & bit) != 0; };
  constexpr uint64_t kDid = Bit("did"), kTimeUs = Bit("time_us"), kStatuses = Bit("statuses"),
                     kIdStr = Bit("id_str"), kUser = Bit("user"), kData = Bit("data"),
                     kKind = Bit("kind"), kErrors = Bit("errors"), kText = Bit("text"),
                     kId = Bit("id"), kContent = Bit("content");
  if (has(kDid) && has(kTimeUs)) return Format::kBluesky;
  if (has(kStatuses) || (has(kIdStr) && has(kUser))) return Format::kXV1;
  // X v1.1 streaming control messages ({"delete": ...}, {"limit": ...}); the adapter skips them.
  for (std::string_view key : {"delete", "limit", "warning", "scrub_geo", "status_withheld",
                               "user_withheld", "disconnect"}) {
    if (FirstKeyIs(s, key)) return Format::kXV1;
  }
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

}  // namespace earshot::ingest
