// Generic JSON: a record of a source earshot has no adapter for, read through a configured
// GenericMapping of RFC 6901 JSON pointers (ctx.generic). The record is one object, or an array
// of objects whose pointers are relative to each element.
//
// Lookups use simdjson's at_pointer. On a document it rewinds before every lookup; inside an
// array element the element object is reset() before each lookup instead (at_pointer on an
// object walks forward only). After the lookups the root object is walked once to the end, so a
// truncated record is still reported as malformed.
#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ingest/adapter.h"
#include "ingest/json_fields.h"
#include "ingest/time_parse.h"

namespace earshot::ingest {
namespace {

using simdjson::error_code;
using simdjson::SUCCESS;

// A pointer that leads nowhere is a missing field, not bad JSON.
bool IsAbsence(error_code e) {
  return e == simdjson::NO_SUCH_FIELD || e == simdjson::INDEX_OUT_OF_BOUNDS ||
         e == simdjson::INCORRECT_TYPE || e == simdjson::INVALID_JSON_POINTER;
}

// Resolves a pointer against the document's root object.
struct DocumentLookup {
  od::document& doc;
  simdjson::simdjson_result<od::value> operator()(std::string_view pointer) {
    return doc.at_pointer(pointer);
  }
};

// Resolves a pointer against one array element.
struct ElementLookup {
  od::object& element;
  simdjson::simdjson_result<od::value> operator()(std::string_view pointer) {
    if (auto e = element.reset().error()) return e;
    return element.at_pointer(pointer);
  }
};

// A looked-up value copied out of the document: a string's contents, a number's token, or
// nothing (null, bool, object, array, absent).
//
// Each distinct pointer is read once per record and copied. Besides saving lookups, this keeps
// simdjson's string buffer bounded: inside an array element nothing rewinds that buffer, so two
// fields mapped to one long string must not unescape it twice.
struct Scalar {
  enum class Kind : uint8_t { kNone, kString, kNumber } kind = Kind::kNone;
  std::string text;
};

error_code Materialize(od::value value, Scalar& out) {
  od::json_type type;
  if (auto e = value.type().get(type)) return e;
  if (type == od::json_type::string) {
    std::string_view s;
    if (auto e = value.get_string().get(s)) return e;
    out.kind = Scalar::Kind::kString;
    out.text.assign(s);
  } else if (type == od::json_type::number) {
    std::string_view token = value.raw_json_token();
    size_t end = token.find_first_of(" \t\r\n,}]");
    out.kind = Scalar::Kind::kNumber;
    out.text.assign(token.substr(0, end));
  }
  return SUCCESS;
}

// Ids: strings as they are, numbers digit for digit ("3.0" keeps its integral part).
void SetId(const Scalar& v, std::string& out) {
  if (v.kind == Scalar::Kind::kNone) return;
  std::string_view s = v.text;
  if (v.kind == Scalar::Kind::kNumber) {
    if (size_t dot = s.find('.');
        dot != std::string_view::npos &&
        s.substr(dot + 1).find_first_not_of('0') == std::string_view::npos) {
      s = s.substr(0, dot);
    }
  }
  out.assign(s);
}

void SetString(const Scalar& v, std::string& out) {
  if (v.kind == Scalar::Kind::kString) out = v.text;
}

std::optional<double> ToDouble(const Scalar& v) {
  if (v.kind == Scalar::Kind::kNone) return std::nullopt;
  double d;
  const char* end = v.text.data() + v.text.size();
  auto [ptr, ec] = std::from_chars(v.text.data(), end, d);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return d;
}

std::optional<int64_t> ToCount(const Scalar& v) {
  if (v.kind == Scalar::Kind::kString) return json::ParseCount(v.text);
  if (v.kind != Scalar::Kind::kNumber) return std::nullopt;
  int64_t i;
  const char* end = v.text.data() + v.text.size();
  auto [ptr, ec] = std::from_chars(v.text.data(), end, i);
  if (ec == std::errc() && ptr == end) return i;
  std::optional<double> d = ToDouble(v);
  if (d && *d >= 0 && *d < 9.2e18) return static_cast<int64_t>(*d);
  return std::nullopt;
}

std::optional<int64_t> ToTime(const Scalar& v) {
  if (v.kind == Scalar::Kind::kString) return ParseAnyTime(v.text);
  if (v.kind != Scalar::Kind::kNumber) return std::nullopt;
  if (auto t = ParseEpochText(v.text)) return t;
  if (std::optional<double> d = ToDouble(v)) return EpochToMillis(*d);  // "1.6e9"
  return std::nullopt;
}

// Looks pointers up once each for one record.
template <typename Lookup>
class Resolver {
 public:
  explicit Resolver(Lookup& lookup) : lookup_(lookup) { cache_.reserve(16); }

  // The value at `pointer` (kNone when the pointer is empty or leads nowhere). Sets `error` only
  // when the JSON itself is bad.
  const Scalar& Get(const std::string& pointer, error_code& error) {
    static const Scalar kNone;
    if (pointer.empty() || error != SUCCESS) return kNone;
    for (const auto& [p, v] : cache_) {
      if (*p == pointer) return v;
    }
    auto& [p, scalar] = cache_.emplace_back(&pointer, Scalar{});
    od::value value;
    error_code e = lookup_(pointer).get(value);
    if (e == SUCCESS) e = Materialize(value, scalar);
    if (e != SUCCESS && !IsAbsence(e)) error = e;
    return scalar;
  }

 private:
  Lookup& lookup_;
  std::vector<std::pair<const std::string*, Scalar>> cache_;
};

template <typename Lookup>
error_code ParseRecord(Lookup& lookup, const GenericMapping& m, RecordContext& ctx, int32_t index) {
  Post& post = ctx.NewPost(index);
  post.source = m.source;
  post.kind = m.kind;
  Resolver<Lookup> r(lookup);
  error_code e = SUCCESS;
  SetId(r.Get(m.id, e), post.id);
  SetString(r.Get(m.text, e), post.text);
  SetString(r.Get(m.title, e), post.title);
  if (auto t = ToTime(r.Get(m.created_at, e))) post.created_at_ms = *t;
  SetId(r.Get(m.author_id, e), post.author.id);
  SetString(r.Get(m.author_handle, e), post.author.handle);
  SetString(r.Get(m.author_name, e), post.author.name);
  post.author.followers = ToCount(r.Get(m.author_followers, e));
  SetString(r.Get(m.lang, e), post.lang);
  SetString(r.Get(m.url, e), post.url);
  post.rating = ToDouble(r.Get(m.rating, e));
  SetId(r.Get(m.parent_id, e), post.parent_id);
  SetId(r.Get(m.community, e), post.community);
  post.engagement.likes = ToCount(r.Get(m.likes, e));
  post.engagement.reposts = ToCount(r.Get(m.reposts, e));
  post.engagement.replies = ToCount(r.Get(m.replies, e));
  if (e != SUCCESS) return e;
  if (!post.author.handle.empty() && post.author.handle[0] == '@') post.author.handle.erase(0, 1);
  if (!post.parent_id.empty()) post.kind = PostKind::kReply;
  FinishPost(ctx);
  return SUCCESS;
}

const GenericMapping& DefaultMapping() {
  static const GenericMapping kDefault;
  return kDefault;
}

}  // namespace

error_code ParseGeneric(od::document& doc, RecordContext& ctx) {
  const GenericMapping& mapping = ctx.generic != nullptr ? *ctx.generic : DefaultMapping();
  od::json_type type;
  if (auto e = doc.type().get(type)) return e;
  if (type == od::json_type::object) {
    DocumentLookup lookup{doc};
    if (auto e = ParseRecord(lookup, mapping, ctx, -1)) return e;
    // Walk the whole record once so truncation or garbage inside it is still caught.
    doc.rewind();
    od::object root;
    if (auto e = doc.get_object().get(root)) return e;
    for (auto field_result : root) {
      od::field field;
      if (auto e = std::move(field_result).get(field)) return e;
    }
    return SUCCESS;
  }
  if (type != od::json_type::array) {
    ctx.Reject(RejectReason::kNotAPost, "generic record is neither an object nor an array");
    return SUCCESS;
  }
  od::array items;
  if (auto e = doc.get_array().get(items)) return e;
  int32_t index = 0;
  for (auto item_result : items) {
    od::value item;
    if (auto e = std::move(item_result).get(item)) return e;
    od::json_type item_type;
    if (auto e = item.type().get(item_type)) return e;
    if (item_type != od::json_type::object) {
      ctx.Reject(RejectReason::kNotAPost, "generic array element is not an object", index++);
      continue;
    }
    od::object element;
    if (auto e = item.get_object().get(element)) return e;
    ElementLookup lookup{element};
    if (auto e = ParseRecord(lookup, mapping, ctx, index++)) return e;
  }
  return SUCCESS;
}

}  // namespace earshot::ingest
