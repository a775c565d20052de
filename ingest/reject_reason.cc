#include "ingest/reject_reason.h"

#include <array>

namespace earshot::ingest {

std::string_view RejectReasonName(RejectReason reason) {
  static constexpr std::array<std::string_view, kRejectReasonCount> kNames = {
      "malformed_json", "not_a_post",   "missing_id",        "missing_text", "bad_timestamp",
      "too_large",      "unsupported_event", "stream_error", "deleted",      "bad_encoding"};
  return kNames[static_cast<size_t>(reason)];
}

}  // namespace earshot::ingest
