#include "ingest/format.h"

#include <array>
#include <cstring>
#include <initializer_list>

namespace earshot::ingest {
namespace {

constexpr std::array<std::string_view, kFormatCount> kNames = {
    "auto",   "x_v2",   "x_v1",          "reddit",      "bluesky",  "mastodon",
    "yelp",   "amazon", "app_store_rss", "app_scraper", "twcs_csv", "generic"};

// True when `"key":` (optionally with white space before the colon) appears as a key, that is
// not inside a string value (the quote is not escaped).
bool HasKey(std::string_view s, std::string_view key) {
  size_t pos = 0;
  while (true) {
    pos = s.find(key, pos);
    if (pos == std::string_view::npos) return false;
    size_t before = pos;
    size_t after = pos + key.size();
    pos = after;
    if (before == 0 || s[before - 1] != '"' || (before >= 2 && s[before - 2] == '\\')) continue;
    if (after >= s.size() || s[after] != '"') continue;
    size_t k = after + 1;
    while (k < s.size() && (s[k] == ' ' || s[k] == '\t' || s[k] == '\n' || s[k] == '\r')) ++k;
    if (k < s.size() && s[k] == ':') return true;
  }
}

// True when the object `s` opens with the key `key` ({"key": ...).
bool FirstKeyIs(std::string_view s, std::string_view key) {
  size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
  if (i >= s.size() || s[i] != '{') return false;
  ++i;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
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
  if (HasKey(s, "did") && HasKey(s, "time_us")) return Format::kBluesky;
  if (HasKey(s, "statuses") || (HasKey(s, "id_str") && HasKey(s, "user"))) return Format::kXV1;
  // X v1.1 streaming control messages ({"delete": ...}, {"limit": ...}); the adapter skips them.
  for (std::string_view key : {"delete", "limit", "warning", "scrub_geo", "status_withheld",
                               "user_withheld", "disconnect"}) {
    if (FirstKeyIs(s, key)) return Format::kXV1;
  }
  if (HasKey(s, "data") && (HasKey(s, "author_id") || HasKey(s, "matching_rules") ||
                            HasKey(s, "includes") || HasKey(s, "edit_history_tweet_ids") ||
                            HasKey(s, "meta"))) {
    return Format::kXV2;
  }
  if (HasKey(s, "errors") && !HasKey(s, "kind")) return Format::kXV2;
  if (HasKey(s, "subreddit") || HasKey(s, "subreddit_id") ||
      (HasKey(s, "kind") && HasKey(s, "data") &&
       (s.find("\"Listing\"") != std::string_view::npos ||
        s.find("\"t1\"") != std::string_view::npos ||
        s.find("\"t3\"") != std::string_view::npos))) {
    return Format::kReddit;
  }
  if (HasKey(s, "data") && HasKey(s, "text") && HasKey(s, "id")) return Format::kXV2;
  if (HasKey(s, "feed") && HasKey(s, "entry")) return Format::kAppStoreRss;
  if (HasKey(s, "reviewId") && HasKey(s, "content")) return Format::kAppScraper;
  if (HasKey(s, "review_id") && HasKey(s, "business_id")) return Format::kYelp;
  if (HasKey(s, "asin") || HasKey(s, "reviewerID") || HasKey(s, "parent_asin")) {
    return Format::kAmazon;
  }
  if (HasKey(s, "account") && HasKey(s, "content")) return Format::kMastodon;
  if (HasKey(s, "review") && HasKey(s, "rating") && HasKey(s, "userName")) {
    return Format::kAppScraper;
  }
  return std::nullopt;
}

}  // namespace earshot::ingest
