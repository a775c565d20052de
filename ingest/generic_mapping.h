// Field mapping for the generic JSON adapter: where, as RFC 6901 JSON pointers, each Post field
// lives in a record of a source earshot has no adapter for. Immutable once loaded from config.
#pragma once

#include <string>

#include "ingest/post.h"

namespace earshot::ingest {

struct GenericMapping {
  Source source = Source::kGeneric;
  PostKind kind = PostKind::kPost;
  std::string id = "/id";  // required
  std::string text = "/text";  // required
  std::string title;
  std::string created_at;  // ISO 8601, X v1.1 format or epoch (s, ms, us), as string or number
  std::string author_id;
  std::string author_handle;
  std::string author_name;
  std::string author_followers;
  std::string lang;
  std::string url;
  std::string rating;
  std::string parent_id;
  std::string community;
  std::string likes;
  std::string reposts;
  std::string replies;
};

}  // namespace earshot::ingest
