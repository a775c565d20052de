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

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/generic_mapping.h"
#include "ingest/post.h"
#include "ingest/reject_reason.h"

namespace earshot::ingest {

namespace od = simdjson::ondemand;

class GenericPlan;  // adapters/generic.cc

struct Rejection {
  RejectReason reason;
  std::string detail;  // short and human-readable: "jetstream event kind 'identity'"
  Origin origin;
};

// What one record produced.
//
// Clear() keeps the cleared Posts and Rejections aside, strings and all, and NewPost() /
// NewRejection() hand them out again reset to their default values: a caller that reuses one
// ParseOutput across records (as PostParser's callers do) then builds most posts without
// allocating. Posts moved out by the caller are reused too, just without capacity.
struct ParseOutput {
  std::vector<Post> posts;
  std::vector<Rejection> rejections;

  void Clear() {
    RecycleFrom(posts, 0, spare_posts_);
    RecycleFrom(rejections, 0, spare_rejections_);
  }
  // Appends a Post in its default state (a reused one when there is one).
  Post& NewPost() {
    if (spare_posts_.empty()) return posts.emplace_back();
    if (posts.empty() && spare_posts_.size() == 1) {
      // The common single-post record: Clear() swapped the vectors, swap them back (no moves).
      posts.swap(spare_posts_);
      posts.back().Reset();
      return posts.back();
    }
    Post& post = posts.emplace_back(std::move(spare_posts_.back()));
    spare_posts_.pop_back();
    post.Reset();
    return post;
  }
  // Appends a Rejection with an empty detail and a default origin.
  Rejection& NewRejection() {
    if (spare_rejections_.empty()) return rejections.emplace_back();
    Rejection& r = rejections.emplace_back(std::move(spare_rejections_.back()));
    spare_rejections_.pop_back();
    r.reason = RejectReason{};
    r.detail.clear();
    r.origin.topic.clear();
    r.origin.partition = -1;
    r.origin.offset = -1;
    r.origin.line = 0;
    r.origin.index = -1;
    return r;
  }
  // Removes posts (rejections) from index `size` on, keeping them for reuse.
  void TruncatePosts(size_t size) { RecycleFrom(posts, size, spare_posts_); }
  void TruncateRejections(size_t size) { RecycleFrom(rejections, size, spare_rejections_); }

 private:
  // Spares kept at most: enough for the largest arrays the sources send per record, without
  // holding on to an unbounded amount of memory after one huge record.
  static constexpr size_t kMaxSpares = 1024;

  template <typename T>
  static void RecycleFrom(std::vector<T>& items, size_t from, std::vector<T>& spares) {
    if (from >= items.size()) return;
    if (from == 0 && spares.empty()) {
      items.swap(spares);  // no moves: the spares vector's buffer becomes the (empty) items one
    } else {
      for (size_t i = from; i < items.size() && spares.size() < kMaxSpares; ++i) {
        spares.push_back(std::move(items[i]));
      }
      items.resize(from);
    }
    if (spares.size() > kMaxSpares) spares.resize(kMaxSpares);
  }

  std::vector<Post> spare_posts_;
  std::vector<Rejection> spare_rejections_;
};

struct RecordContext {
  const Origin& origin;
  ParseOutput& out;
  std::string_view event;  // SSE event name, when the record came from an SSE stream
  const GenericMapping* generic = nullptr;
  const GenericPlan* generic_plan = nullptr;  // ParseGeneric's compiled form of *generic
  // The parser and bytes the document was iterated from (set by PostParser), so an adapter can
  // start over on a fresh document: ParseGeneric does when a record turns out to be malformed.
  od::parser* parser = nullptr;
  std::string_view record;     // the JSON bytes, in place or in the parser's padded copy
  size_t record_capacity = 0;  // readable bytes from record.data() on

  // Starts a new post with its origin filled in; `index` is the element index within the
  // record, or -1 when the record is a single post.
  Post& NewPost(int32_t index = -1) {
    Post& post = out.NewPost();
    post.origin = origin;
    post.origin.index = index;
    return post;
  }
  // Drops the most recently started post (used when validation fails after NewPost()).
  void DropLastPost() { out.TruncatePosts(out.posts.size() - 1); }
  // Records a rejection; returns its detail, for callers that build it in place (no allocation
  // once the ParseOutput has been reused).
  std::string& Reject(RejectReason reason, std::string_view detail = {}, int32_t index = -1) {
    Rejection& r = out.NewRejection();
    r.reason = reason;
    r.detail.assign(detail);
    r.origin = origin;
    r.origin.index = index;
    return r.detail;
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

// Compiles a mapping for ParseGeneric (RecordContext::generic_plan); PostParser does it once.
std::shared_ptr<const GenericPlan> CompileGenericPlan(const GenericMapping& mapping);

// Calls `parse(object, index)` for every element of `items` (index 0, 1, ...); elements that are
// not objects (a null in a page of statuses) are rejected as not_a_post naming `what`, and the
// others still parsed.
template <typename ParseFn>
simdjson::error_code ForEachObjectIn(od::array& items, RecordContext& ctx, std::string_view what,
                                     ParseFn&& parse) {
  int32_t index = 0;
  for (auto item_result : items) {
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

// ForEachObjectIn over the root array. The document must be an array.
template <typename ParseFn>
simdjson::error_code ForEachArrayObject(od::document& doc, RecordContext& ctx,
                                        std::string_view what, ParseFn&& parse) {
  od::array records;
  if (auto e = doc.get_array().get(records)) return e;
  return ForEachObjectIn(records, ctx, what, std::forward<ParseFn>(parse));
}

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
  return ForEachArrayObject(doc, ctx, what, std::forward<ParseFn>(parse));
}

// Checks the fields every post must have (id, text or title, creation time). Returns false and
// records the rejection when the post is unusable.
bool ValidatePost(const Post& post, RecordContext& ctx);

// Validates the most recently started post and drops it when it is unusable.
bool FinishPost(RecordContext& ctx);

}  // namespace earshot::ingest
