// Realistic brand rule sets built from the public company lists in ../shared/data/brands, for
// tests and the matching benchmark. Test-only; no GoogleTest dependency (bench/ links it too).
//
//   S&P 500 (sp500_constituents.csv) and Fortune 500 (fortune500_2019_utf16.csv, UTF-16 LE with
//   a byte-order mark, converted with a checked decoder) give company names; each brand's query
//   is its full name as a phrase OR its name without corporate suffixes (Inc., Corp., Co.,
//   Holdings, Group, plc, ...) OR its $TICKER. Names that are common words or very short (Apple,
//   Target, Gap, Visa, Ball, HP, ...) are matched case-sensitively only, and the famous ambiguous
//   ones carry an `exclude` (Apple -> apple pie, Target -> target audience, Amazon -> the
//   rainforest, ...). Companies in both lists are merged into one brand.
//   optd_travel_players_twitter_accounts.csv gives @handles: one brand per IATA code with all of
//   its accounts (as @handle OR #handle).
//   SyntheticRules() makes pseudo-word brands to reach benchmark sizes beyond the real lists.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/match/rule_set.h"

namespace earshot::testing {

struct RealisticRules {
  std::vector<pipeline::match::BrandRule> rules;
  size_t sp500_rows = 0;     // companies read from each file
  size_t fortune_rows = 0;
  size_t company_brands = 0;  // after merging the two lists
  size_t travel_brands = 0;   // IATA codes with handles
  std::string error;          // non-empty when a file could not be read or decoded
};

// Reads the three files under `shared_dir`/data/brands.
[[nodiscard]] RealisticRules LoadRealisticRules(const std::string& shared_dir);

// `count` brands named after deterministic pseudo-words (no collisions with real words likely).
[[nodiscard]] std::vector<pipeline::match::BrandRule> SyntheticRules(size_t count, uint64_t seed);

// The first `count` brands of `real`, topped up with synthetic ones when `real` is shorter.
[[nodiscard]] std::vector<pipeline::match::BrandRule> RulesOfSize(
    const std::vector<pipeline::match::BrandRule>& real, size_t count);

// Helpers, exposed for their own tests.
// Decodes UTF-16 (BOM-detected, little-endian without one); false on an unpaired surrogate or an
// odd byte count.
[[nodiscard]] bool Utf16ToUtf8(std::string_view bytes, std::string& out);
// Splits CSV text (RFC 4180 quoting) into rows of fields.
[[nodiscard]] std::vector<std::vector<std::string>> ParseCsv(std::string_view text);
// "Apple Inc." -> "Apple", "Booking Holdings" -> "Booking", "Amazon.com" -> "Amazon".
[[nodiscard]] std::string StripCorporateSuffixes(std::string_view name);

}  // namespace earshot::testing
