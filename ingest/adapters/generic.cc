// PLACEHOLDER: to be written.
#include "ingest/adapter.h"

namespace earshot::ingest {

simdjson::error_code ParseGeneric(od::document&, RecordContext& ctx) {
  ctx.Reject(RejectReason::kNotAPost, "adapter not written yet");
  return simdjson::SUCCESS;
}

}  // namespace earshot::ingest
