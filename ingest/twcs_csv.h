// The Customer Support on Twitter (TWCS) CSV layout:
//   tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id
// RFC 4180 quoting (quoted fields may hold commas, quotes and newlines), ids that look like
// floats ("3.0"), comma-joined reply lists. Each row becomes an X post.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/adapter.h"

namespace earshot::ingest {

// Reads one RFC 4180 record starting at data[pos] (quoted fields may hold commas, doubled
// quotes and newlines); the unquoted fields go to `fields`. Returns false at end of input.
// `lines` counts the newlines consumed; `malformed` is set when a quote is left open at the end.
// Shared by every CSV reader in earshot (TWCS, the complaints data set, the brand lists).
bool ReadCsvRecord(std::string_view data, size_t& pos, std::vector<std::string>& fields,
                   int64_t& lines, bool& malformed);

// Parses the CSV text in `data`, calling `on_record` once per row (the header excluded).
void ParseTwcsCsv(std::string_view data, std::string_view name,
                  const std::function<void(ParseOutput&)>& on_record);

}  // namespace earshot::ingest
