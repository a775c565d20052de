// PLACEHOLDER: to be written.
#include "ingest/adapter.h"

namespace earshot::ingest {

simdjson::error_code ParseAppScraper(od::document&, RecordContext& ctx) {
  ctx.Reject(RejectReason::kNotAPost, "adapter not written yet");
  return simdjson::SUCCESS;
}

}  // namespace earshot::ingest
