// Why a record did not become a post. A small closed set: every value is a metric label and a
// dead-letter header, so adding one is a schema change (schemas/rejection.schema.json).
#pragma once

#include <cstdint>
#include <string_view>

namespace earshot::ingest {

enum class RejectReason : uint8_t {
  kMalformedJson,     // not valid JSON (a string's escapes too), or truncated
  kNotAPost,          // valid JSON of a shape no adapter knows, or the wrong format for its input
  kMissingId,         // a post without an id
  kMissingText,       // a post without any text
  kBadTimestamp,      // a timestamp that does not parse
  kTooLarge,          // record above the configured size limit
  kUnsupportedEvent,  // a known event that is not a post (likes, deletes, follows, notifications)
  kStreamError,       // an error message in the stream (X v2 "errors" lines)
  kDeleted,           // deleted or removed content
  kBadEncoding,       // invalid UTF-8
};

inline constexpr int kRejectReasonCount = 10;

[[nodiscard]] std::string_view RejectReasonName(RejectReason reason);

}  // namespace earshot::ingest
