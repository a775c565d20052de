// The Customer Support on Twitter (TWCS) CSV layout:
//   tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id
// RFC 4180 quoting (quoted fields may hold commas, quotes and newlines), ids that look like
// floats ("3.0"), comma-joined reply lists. Each row becomes an X post.
#pragma once

#include <functional>
#include <string_view>

#include "ingest/adapter.h"

namespace earshot::ingest {

// Parses the CSV text in `data`, calling `on_record` once per row (the header excluded).
void ParseTwcsCsv(std::string_view data, std::string_view name,
                  const std::function<void(ParseOutput&)>& on_record);

}  // namespace earshot::ingest
