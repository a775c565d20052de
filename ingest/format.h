// Input formats and their detection. A Format names how to read one record; `kAuto` sniffs each
// record's leading bytes for the keys that tell the sources apart.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace earshot::ingest {

enum class Format : uint8_t {
  kAuto,
  kXV2,
  kXV1,
  kReddit,
  kBluesky,
  kMastodon,
  kYelp,
  kAmazon,
  kAppStoreRss,
  kAppScraper,  // google-play-scraper and app-store-scraper JSON output
  kTwcsCsv,     // Customer Support on Twitter CSV (tweet_id,author_id,inbound,...)
  kGeneric,
};

inline constexpr int kFormatCount = 12;

[[nodiscard]] std::string_view FormatName(Format format);
[[nodiscard]] std::optional<Format> FormatFromName(std::string_view name);
// Comma-separated list of every name, for help texts and error messages.
[[nodiscard]] std::string_view FormatNames();

// Detects the format of one JSON record from its first bytes (at most 8 KiB are looked at).
// Returns nullopt when no adapter recognises it. Never returns kAuto, kTwcsCsv or kGeneric.
[[nodiscard]] std::optional<Format> DetectJsonFormat(std::string_view record);

}  // namespace earshot::ingest
