// Timestamp parsing for every time format the sources use. All results are UTC milliseconds since
// the Unix epoch. Pure functions, thread-safe, no locale, no allocation; on the hot path.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace earshot::ingest {

// 10000-01-01T00:00:00Z: times are parsed into [0, kMaxTimeMs), the years FormatIsoMillis writes.
inline constexpr int64_t kMaxTimeMs = 253402300800000;

// RFC 3339 / ISO 8601: "2021-04-01T15:52:31.000Z", "2021-11-20T10:25:34-07:00",
// "2024-11-18 17:22:44" (a space separator and no zone is read as UTC), "2018-08-18".
[[nodiscard]] std::optional<int64_t> ParseIsoTime(std::string_view s);

// X API v1.1 `created_at`: "Sun Aug 31 00:29:15 +0000 2014".
[[nodiscard]] std::optional<int64_t> ParseTwitterTime(std::string_view s);

// Amazon 2018 `reviewTime`: "06 17, 2018" (month, day, year).
[[nodiscard]] std::optional<int64_t> ParseAmazonReviewTime(std::string_view s);

// An epoch number of seconds, milliseconds or microseconds, told apart by magnitude (anything
// below 1e11 is seconds, below 1e14 milliseconds, else microseconds). Fractions of a second kept to
// the millisecond. Returns nullopt for negative or non-finite values.
[[nodiscard]] std::optional<int64_t> EpochToMillis(double value);
[[nodiscard]] std::optional<int64_t> EpochIntToMillis(int64_t value);

// A decimal epoch given as text ("1520690595660", "1397853025.0").
[[nodiscard]] std::optional<int64_t> ParseEpochText(std::string_view s);

// Tries every format above, in turn.
[[nodiscard]] std::optional<int64_t> ParseAnyTime(std::string_view s);

// Days since 1970-01-01 of a proleptic Gregorian date.
[[nodiscard]] int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day);

// Formats `millis`, in [0, kMaxTimeMs), as "YYYY-MM-DDTHH:MM:SS.mmmZ" into `out` (24 characters).
void FormatIsoMillis(int64_t millis, char out[24]);

}  // namespace earshot::ingest
