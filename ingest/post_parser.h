// PostParser turns one record's bytes into Posts and Rejections, choosing the adapter by format.
//
// Owns a simdjson On-Demand parser and a padded scratch buffer, both reused across calls:
// thread-compatible, one per thread. On the hot path: a record whose buffer already has
// simdjson::SIMDJSON_PADDING readable bytes after it is parsed in place; any other is copied once.
#pragma once

#include <simdjson.h>

#include <array>
#include <cstdint>
#include <memory>
#include <string_view>

#include "ingest/adapter.h"
#include "ingest/format.h"
#include "ingest/generic_mapping.h"

namespace earshot::ingest {

struct ParserOptions {
  size_t max_record_bytes = 1 << 20;  // larger records are rejected as too large
  GenericMapping generic;             // used by Format::kGeneric
};

class PostParser {
 public:
  explicit PostParser(ParserOptions options = {});

  PostParser(const PostParser&) = delete;
  PostParser& operator=(const PostParser&) = delete;

  // Parses one JSON record. `capacity` is how many bytes starting at record.data() may be read;
  // pass record.size() when nothing after the record is readable. `event` is the SSE event name
  // for records from an SSE stream, empty otherwise. Results are appended to `out`.
  void Parse(Format format, std::string_view record, size_t capacity, const Origin& origin,
             std::string_view event, ParseOutput& out);

  // Parses a whole input read as one JSON document (a file, stdin: a review dump, a page of
  // statuses). max_record_bytes, which bounds one Kafka record or line, does not apply: the
  // input is in memory already, and a 5 MB array of reviews is no broken record.
  void ParseDocument(Format format, std::string_view document, size_t capacity,
                     const Origin& origin, ParseOutput& out) {
    ParseJson(format, document, capacity, origin, {}, out);
  }

  const ParserOptions& options() const { return options_; }

 private:
  void ParseJson(Format format, std::string_view record, size_t capacity, const Origin& origin,
                 std::string_view event, ParseOutput& out);

  ParserOptions options_;
  std::shared_ptr<const GenericPlan> generic_plan_;  // options_.generic, compiled
  simdjson::ondemand::parser parser_;
  // Full validation, off the hot path: records no adapter recognises, and records with a post
  // missing its id, text or time (PostParser::Parse).
  simdjson::dom::parser validator_;
  simdjson::padded_string scratch_;
};

// The adapter for a concrete JSON format (not kAuto, not kTwcsCsv).
[[nodiscard]] AdapterFn AdapterFor(Format format);

}  // namespace earshot::ingest
