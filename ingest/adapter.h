// The contract between the record framing (files, Kafka) and the per-source format adapters.
//
// An adapter turns one JSON document (one record) into zero or more Posts and zero or more
// Rejections. It is a free function with the AdapterFn signature, one per source file under
// adapters/. Adapters are stateless; all per-call state lives in RecordContext, which is owned by
// the calling PostParser (thread-compatible: one per thread). On the hot path.
//
// Error contract: an adapter returns a simdjson error code when the JSON itself is bad (the whole
// record is then rejected as malformed and any posts it produced are dropped); it records
// semantic problems (a post without text, an unsupported event) with ctx.Reject() and returns
// SUCCESS. It never throws.
#pragma once

#include <simdjson.h>

#include <string>
#include <string_view>
#include <vector>

#include "ingest/generic_mapping.h"
#include "ingest/post.h"
#include "ingest/reject_reason.h"

namespace earshot::ingest {

namespace od = simdjson::ondemand;

struct Rejection {
  RejectReason reason;
  std::string detail;  // short and human-readable: "jetstream event kind 'identity'"
  Origin origin;
};

// What one record produced.
struct ParseOutput {
  std::vector<Post> posts;
  std::vector<Rejection> rejections;
  void Clear() {
    posts.clear();
    rejections.clear();
  }
};

struct RecordContext {
  const Origin& origin;
  ParseOutput& out;
  std::string_view event;  // SSE event name, when the record came from an SSE stream
  const GenericMapping* generic = nullptr;

  // Starts a new post with its origin filled in; `index` is the element index within the
  // record, or -1 when the record is a single post.
  Post& NewPost(int32_t index = -1) {
    Post& post = out.posts.emplace_back();
    post.origin = origin;
    post.origin.index = index;
    return post;
  }
  // Drops the most recently started post (used when validation fails after NewPost()).
  void DropLastPost() { out.posts.pop_back(); }
  void Reject(RejectReason reason, std::string detail, int32_t index = -1) {
    Rejection& r = out.rejections.emplace_back(Rejection{reason, std::move(detail), origin});
    r.origin.index = index;
  }
};

using AdapterFn = simdjson::error_code (*)(od::document& doc, RecordContext& ctx);

// One function per source; each lives in adapters/<name>.cc.
simdjson::error_code ParseXV2(od::document& doc, RecordContext& ctx);
simdjson::error_code ParseXV1(od::document& doc, RecordContext& ctx);
simdjson::error_code ParseReddit(od::document& doc, RecordContext& ctx);
simdjson::error_code ParseBlueskyJetstream(od::document& doc, RecordContext& ctx);
simdjson::error_code ParseMastodon(od::document& doc, RecordContext& ctx);
simdjson::error_code ParseYelp(od::document& doc, RecordContext& ctx);
simdjson::error_code ParseAmazon(od::document& doc, RecordContext& ctx);
simdjson::error_code ParseAppStoreRss(od::document& doc, RecordContext& ctx);
simdjson::error_code ParseAppScraper(od::document& doc, RecordContext& ctx);
simdjson::error_code ParseGeneric(od::document& doc, RecordContext& ctx);

// Calls `parse(object, index)` for a root object (index -1) or for every element of a root array
// (index 0, 1, ...), the shapes in which review and scraper dumps arrive. Elements that are not
// objects, and roots that are neither, are rejected as not_a_post naming `what`.
template <typename ParseFn>
simdjson::error_code ForEachRecordObject(od::document& doc, RecordContext& ctx,
                                         std::string_view what, ParseFn&& parse) {
  od::json_type type;
  if (auto e = doc.type().get(type)) return e;
  if (type == od::json_type::object) {
    od::object record;
    if (auto e = doc.get_object().get(record)) return e;
    return parse(record, -1);
  }
  if (type != od::json_type::array) {
    ctx.Reject(RejectReason::kNotAPost,
               std::string(what) + " record is neither an object nor an array");
    return simdjson::SUCCESS;
  }
  od::array records;
  if (auto e = doc.get_array().get(records)) return e;
  int32_t index = 0;
  for (auto item_result : records) {
    od::value item;
    if (auto e = std::move(item_result).get(item)) return e;
    od::json_type item_type;
    if (auto e = item.type().get(item_type)) return e;
    if (item_type != od::json_type::object) {
      ctx.Reject(RejectReason::kNotAPost, std::string(what) + " array element is not an object",
                 index++);
      continue;
    }
    od::object record;
    if (auto e = item.get_object().get(record)) return e;
    if (auto e = parse(record, index++)) return e;
  }
  return simdjson::SUCCESS;
}

// Checks the fields every post must have (id, text or title, creation time). Returns false and
// records the rejection when the post is unusable.
bool ValidatePost(const Post& post, RecordContext& ctx);

// Validates the most recently started post and drops it when it is unusable.
bool FinishPost(RecordContext& ctx);

}  // namespace earshot::ingest
