// Generic JSON: a record of a source earshot has no adapter for, read through a configured
// GenericMapping of RFC 6901 JSON pointers (ctx.generic). The record is one object, or an array
// of objects whose pointers are relative to each element.
//
// The mapping is compiled once per PostParser into a GenericPlan: the distinct pointers (each read
// once per record, however many fields it feeds) arranged as a tree of object keys. A record is
// then read in one pass over its fields, matching each key against the tree (keys compared raw,
// first occurrence wins, exactly like simdjson's at_pointer / find_field), descending only into
// objects some pointer leads into. Inside one object the walk stops once every pointer under it
// has been found, so the same fields are read as by one at_pointer per pointer. A root object is
// always walked to its end, so a truncated record is still reported as malformed.
//
// A record the walk finds malformed is read again from a fresh document the reference way, one
// at_pointer per pointer in mapping order and then the root walk: which error is reported, and
// whether a lookup runs into the damage at all, depends on the order of reading, and this keeps
// the outcome for broken records what it always was.
//
// Pointers the tree does not handle are looked up with simdjson's at_pointer afterwards, as
// before: those whose path meets an array in the record (array index tokens), and the rare ones
// with a token that is not a plain key (a '\\' or '"' in a key, a malformed '~' escape, no leading
// '/'). On a document at_pointer rewinds before every lookup, which also rewinds simdjson's string
// buffer, so every value is applied to the post before the next lookup; inside an array element
// the element object is reset() before each lookup instead (at_pointer on an object walks
// forward only).
#include <charconv>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ingest/adapter.h"
#include "ingest/json_fields.h"
#include "ingest/time_parse.h"

namespace earshot::ingest {

using simdjson::error_code;
using simdjson::SUCCESS;

namespace {

// The Post fields a pointer can feed, one bit each in GenericPlan::Slot::targets.
enum Target : uint8_t {
  kId,
  kText,
  kTitle,
  kCreatedAt,
  kAuthorId,
  kAuthorHandle,
  kAuthorName,
  kAuthorFollowers,
  kLang,
  kUrl,
  kRating,
  kParentId,
  kCommunity,
  kLikes,
  kReposts,
  kReplies,
  kTargetCount,
};

const std::string& TargetPointer(const GenericMapping& m, Target t) {
  switch (t) {
    case kId:
      return m.id;
    case kText:
      return m.text;
    case kTitle:
      return m.title;
    case kCreatedAt:
      return m.created_at;
    case kAuthorId:
      return m.author_id;
    case kAuthorHandle:
      return m.author_handle;
    case kAuthorName:
      return m.author_name;
    case kAuthorFollowers:
      return m.author_followers;
    case kLang:
      return m.lang;
    case kUrl:
      return m.url;
    case kRating:
      return m.rating;
    case kParentId:
      return m.parent_id;
    case kCommunity:
      return m.community;
    case kLikes:
      return m.likes;
    case kReposts:
      return m.reposts;
    case kReplies:
      break;
    case kTargetCount:
      break;
  }
  return m.replies;
}

// Splits `pointer` into its decoded reference tokens the way simdjson's object::at_pointer
// decodes them. Returns false for a pointer the key tree does not handle: no leading '/', a '~'
// not followed by '0' or '1', or a token holding '\\' or '"' (raw key comparison could then
// match one key to two tokens).
bool SplitPointer(std::string_view pointer, std::vector<std::string>& tokens) {
  tokens.clear();
  if (pointer.empty() || pointer[0] != '/') return false;
  size_t pos = 1;
  while (true) {
    size_t slash = pointer.find('/', pos);
    std::string_view raw =
        pointer.substr(pos, slash == std::string_view::npos ? slash : slash - pos);
    std::string& token = tokens.emplace_back();
    for (size_t i = 0; i < raw.size(); ++i) {
      char c = raw[i];
      if (c == '\\' || c == '"') return false;
      if (c != '~') {
        token.push_back(c);
      } else if (i + 1 < raw.size() && (raw[i + 1] == '0' || raw[i + 1] == '1')) {
        token.push_back(raw[++i] == '0' ? '~' : '/');
      } else {
        return false;
      }
    }
    if (slash == std::string_view::npos) return true;
    pos = slash + 1;
  }
}

}  // namespace

// A GenericMapping compiled for the one-pass walk (see the top of this file).
class GenericPlan {
 public:
  // One distinct non-empty pointer of the mapping.
  struct Slot {
    std::string pointer;
    uint32_t targets = 0;      // bit per Target it feeds
    bool lookup_only = false;  // resolved with at_pointer, never through the tree
  };
  // A place in the record reached by a path of keys from the root (nodes[0]).
  struct Node {
    std::string key;                 // decoded token leading here from the parent
    int32_t slot = -1;               // the slot whose pointer ends here, if any
    uint32_t below = 0;              // bit per slot ending strictly below this node
    std::vector<uint32_t> children;  // node indexes
  };

  explicit GenericPlan(const GenericMapping& mapping) {
    nodes_.emplace_back();
    std::vector<std::string> tokens;
    for (int t = 0; t < kTargetCount; ++t) {
      const std::string& pointer = TargetPointer(mapping, static_cast<Target>(t));
      if (pointer.empty()) continue;  // unmapped
      size_t slot = 0;
      while (slot < slots_.size() && slots_[slot].pointer != pointer) ++slot;
      if (slot == slots_.size()) {
        Slot& added = slots_.emplace_back();
        added.pointer = pointer;
        added.lookup_only = !SplitPointer(pointer, tokens);
        if (added.lookup_only) {
          lookup_only_ |= 1u << slot;
        } else {
          AddToTree(tokens, static_cast<int32_t>(slot));
        }
      }
      slots_[slot].targets |= 1u << t;
    }
  }

  const std::vector<Slot>& slots() const { return slots_; }
  const Node& node(uint32_t i) const { return nodes_[i]; }
  const Node& root() const { return nodes_[0]; }
  uint32_t lookup_only_slots() const { return lookup_only_; }

 private:
  void AddToTree(const std::vector<std::string>& tokens, int32_t slot) {
    uint32_t at = 0;
    for (const std::string& token : tokens) {
      nodes_[at].below |= 1u << slot;
      uint32_t next = 0;
      for (uint32_t child : nodes_[at].children) {
        if (nodes_[child].key == token) next = child;
      }
      if (next == 0) {
        next = static_cast<uint32_t>(nodes_.size());
        nodes_.emplace_back().key = token;
        nodes_[at].children.push_back(next);
      }
      at = next;
    }
    nodes_[at].slot = slot;
  }

  std::vector<Slot> slots_;  // at most kTargetCount, so a node has at most that many children
  std::vector<Node> nodes_;
  uint32_t lookup_only_ = 0;
};

std::shared_ptr<const GenericPlan> CompileGenericPlan(const GenericMapping& mapping) {
  return std::make_shared<const GenericPlan>(mapping);
}

namespace {

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

// A looked-up value: a string's contents, a number's token, or nothing (null, bool, object,
// array, absent). Views into the document or simdjson's string buffer: applied to the post
// before anything rewinds the document.
struct Scalar {
  enum class Kind : uint8_t { kNone, kString, kNumber } kind = Kind::kNone;
  std::string_view text;
};

error_code Materialize(od::value value, Scalar& out) {
  od::json_type type;
  if (auto e = value.type().get(type)) return e;
  if (type == od::json_type::string) {
    std::string_view s;
    if (auto e = value.get_string().get(s)) return e;
    out.kind = Scalar::Kind::kString;
    out.text = s;
  } else if (type == od::json_type::number) {
    std::string_view token = value.raw_json_token();
    size_t end = token.find_first_of(" \t\r\n,}]");
    out.kind = Scalar::Kind::kNumber;
    out.text = token.substr(0, end);
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
  if (v.kind == Scalar::Kind::kString) out.assign(v.text);
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
  // A count below zero is a broken field (the schema says counts are >= 0): absent.
  if (ec == std::errc() && ptr == end) return i >= 0 ? std::optional<int64_t>(i) : std::nullopt;
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

// Sets the post fields fed by one pointer. Fields whose pointer is unmapped or leads nowhere keep
// their default (empty, unset, 0).
void Apply(uint32_t targets, const Scalar& v, Post& post) {
  if (v.kind == Scalar::Kind::kNone) return;
  for (; targets != 0; targets &= targets - 1) {
    switch (static_cast<Target>(__builtin_ctz(targets))) {
      case kId:
        SetId(v, post.id);
        break;
      case kText:
        SetString(v, post.text);
        break;
      case kTitle:
        SetString(v, post.title);
        break;
      case kCreatedAt:
        if (auto t = ToTime(v)) post.created_at_ms = *t;
        break;
      case kAuthorId:
        SetId(v, post.author.id);
        break;
      case kAuthorHandle:
        SetString(v, post.author.handle);
        break;
      case kAuthorName:
        SetString(v, post.author.name);
        break;
      case kAuthorFollowers:
        post.author.followers = ToCount(v);
        break;
      case kLang:
        SetString(v, post.lang);
        break;
      case kUrl:
        SetString(v, post.url);
        break;
      case kRating:
        post.rating = ToDouble(v);
        break;
      case kParentId:
        SetId(v, post.parent_id);
        break;
      case kCommunity:
        SetId(v, post.community);
        break;
      case kLikes:
        post.engagement.likes = ToCount(v);
        break;
      case kReposts:
        post.engagement.reposts = ToCount(v);
        break;
      case kReplies:
        post.engagement.replies = ToCount(v);
        break;
      case kTargetCount:
        break;
    }
  }
}

// One record's walk over the key tree.
class Walker {
 public:
  Walker(const GenericPlan& plan, Post& post) : plan_(plan), post_(post) {}

  // Pointers left for at_pointer: they meet an array in this record.
  uint32_t deferred() const { return deferred_; }

  // Walks `obj`, the value at `node`. `to_end`: read every field even once all pointers below
  // are found (the root of a document).
  error_code WalkObject(const GenericPlan::Node& node, od::object obj, bool to_end) {
    const std::vector<uint32_t>& children = node.children;
    uint32_t pending = (1u << children.size()) - 1;  // children.size() <= kTargetCount
    if (pending == 0 && !to_end) return SUCCESS;
    for (auto field_result : obj) {
      if (auto e = field_result.error()) return e;
      od::field&& field = std::move(field_result).value_unsafe();
      simdjson::ondemand::raw_json_string key = field.key();
      for (uint32_t bits = pending; bits != 0; bits &= bits - 1) {
        uint32_t i = static_cast<uint32_t>(__builtin_ctz(bits));
        const GenericPlan::Node& child = plan_.node(children[i]);
        // find_field's comparison: the raw key, escapes not decoded (tokens hold no '\\' or '"').
        if (!key.unsafe_is_equal(child.key)) continue;
        pending &= ~(1u << i);  // first occurrence wins
        if (auto e = Visit(child, field.value())) return e;
        break;
      }
      // Like a find_field per pointer, stop at the last one found: fields after it are not read
      // (the parent skips them), except in a document's root.
      if (pending == 0 && !to_end) break;
    }
    return SUCCESS;
  }

 private:
  error_code Visit(const GenericPlan::Node& node, od::value value) {
    if (node.children.empty()) return Resolve(node.slot, value);
    od::json_type type;
    if (auto e = value.type().get(type)) return e;
    if (type == od::json_type::object) {
      od::object obj;
      if (auto e = value.get_object().get(obj)) return e;
      return WalkObject(node, obj, false);  // a pointer ending here reads an object: nothing
    }
    if (type == od::json_type::array) {
      deferred_ |= node.below;  // index tokens: at_pointer's array semantics, afterwards
      return SUCCESS;
    }
    // A scalar: pointers going deeper lead nowhere.
    return node.slot >= 0 ? Resolve(node.slot, value) : SUCCESS;
  }

  error_code Resolve(int32_t slot, od::value value) {
    Scalar scalar;
    error_code e = Materialize(value, scalar);
    if (e != SUCCESS) return IsAbsence(e) ? SUCCESS : e;
    Apply(plan_.slots()[static_cast<size_t>(slot)].targets, scalar, post_);
    return SUCCESS;
  }

  const GenericPlan& plan_;
  Post& post_;
  uint32_t deferred_ = 0;
};

// Resolves the slots in `mask` with at_pointer, applying each value before the next lookup.
template <typename Lookup>
error_code LookUp(Lookup& lookup, const GenericPlan& plan, uint32_t mask, Post& post) {
  for (; mask != 0; mask &= mask - 1) {
    const GenericPlan::Slot& slot = plan.slots()[static_cast<size_t>(__builtin_ctz(mask))];
    od::value value;
    Scalar scalar;
    error_code e = lookup(slot.pointer).get(value);
    if (e == SUCCESS) e = Materialize(value, scalar);
    if (e != SUCCESS) {
      if (IsAbsence(e)) continue;
      return e;
    }
    Apply(slot.targets, scalar, post);
  }
  return SUCCESS;
}

void FinishRecord(RecordContext& ctx) {
  Post& post = ctx.out.posts.back();
  if (!post.author.handle.empty() && post.author.handle[0] == '@') post.author.handle.erase(0, 1);
  if (!post.parent_id.empty()) post.kind = PostKind::kReply;
  FinishPost(ctx);
}

Post& StartPost(const GenericMapping& m, RecordContext& ctx, int32_t index) {
  Post& post = ctx.NewPost(index);
  post.source = m.source;
  post.kind = m.kind;
  return post;
}

const GenericMapping& DefaultMapping() {
  static const GenericMapping kDefault;
  return kDefault;
}

uint32_t AllSlots(const GenericPlan& plan) { return (1u << plan.slots().size()) - 1; }

// The one-pass reading (see the top of this file).
error_code ParseByWalk(od::document& doc, RecordContext& ctx, const GenericMapping& mapping,
                       const GenericPlan& plan) {
  const uint32_t lookup_only = plan.lookup_only_slots();
  od::json_type type;
  if (auto e = doc.type().get(type)) return e;
  if (type == od::json_type::object) {
    Post& post = StartPost(mapping, ctx, -1);
    od::object root;
    if (auto e = doc.get_object().get(root)) return e;
    Walker walker(plan, post);
    // Walks the whole record, so truncation or garbage inside it is caught.
    if (auto e = walker.WalkObject(plan.root(), root, true)) return e;
    if (uint32_t rest = walker.deferred() | lookup_only) {
      DocumentLookup lookup{doc};
      if (auto e = LookUp(lookup, plan, rest, post)) return e;
    }
    FinishRecord(ctx);
    return SUCCESS;
  }
  if (type != od::json_type::array) {
    ctx.Reject(RejectReason::kNotAPost, "generic record is neither an object nor an array");
    return SUCCESS;
  }
  return ForEachArrayObject(doc, ctx, "generic", [&](od::object& element, int32_t index) {
    Post& post = StartPost(mapping, ctx, index);
    Walker walker(plan, post);
    if (auto e = walker.WalkObject(plan.root(), element, false)) return e;
    if (uint32_t rest = walker.deferred() | lookup_only) {
      ElementLookup lookup{element};
      if (auto e = LookUp(lookup, plan, rest, post)) return e;
    }
    FinishRecord(ctx);
    return SUCCESS;
  });
}

// The reference reading: one at_pointer per pointer in mapping order, then (for a root object) a
// walk of the whole root. Used again on a fresh document when a record turns out to be
// malformed, because which error is reported, or whether a lookup runs into the damage at all,
// depends on the order in which the record is read.
error_code ParseByLookups(od::document& doc, RecordContext& ctx, const GenericMapping& mapping,
                          const GenericPlan& plan) {
  od::json_type type;
  if (auto e = doc.type().get(type)) return e;
  if (type == od::json_type::object) {
    Post& post = StartPost(mapping, ctx, -1);
    DocumentLookup lookup{doc};
    if (auto e = LookUp(lookup, plan, AllSlots(plan), post)) return e;
    FinishRecord(ctx);
    doc.rewind();
    od::object root;
    if (auto e = doc.get_object().get(root)) return e;
    for (auto field_result : root) {
      if (auto e = field_result.error()) return e;
    }
    return SUCCESS;
  }
  if (type != od::json_type::array) {
    ctx.Reject(RejectReason::kNotAPost, "generic record is neither an object nor an array");
    return SUCCESS;
  }
  return ForEachArrayObject(doc, ctx, "generic", [&](od::object& element, int32_t index) {
    Post& post = StartPost(mapping, ctx, index);
    ElementLookup lookup{element};
    if (auto e = LookUp(lookup, plan, AllSlots(plan), post)) return e;
    FinishRecord(ctx);
    return SUCCESS;
  });
}

}  // namespace

error_code ParseGeneric(od::document& doc, RecordContext& ctx) {
  const GenericMapping& mapping = ctx.generic != nullptr ? *ctx.generic : DefaultMapping();
  std::shared_ptr<const GenericPlan> compiled;  // only when the caller brought no plan
  const GenericPlan* plan = ctx.generic_plan;
  if (plan == nullptr) {
    if (ctx.generic == nullptr) {
      static const GenericPlan kDefaultPlan(DefaultMapping());
      plan = &kDefaultPlan;
    } else {
      compiled = CompileGenericPlan(mapping);
      plan = compiled.get();
    }
  }
  size_t first_post = ctx.out.posts.size();
  size_t first_rejection = ctx.out.rejections.size();
  error_code error = ParseByWalk(doc, ctx, mapping, *plan);
  if (error == SUCCESS || ctx.parser == nullptr) return error;
  // Malformed: start over on a fresh document (an error may have left this one unusable, and
  // re-iterating also resets simdjson's string buffer) and read it the reference way.
  ctx.out.TruncatePosts(first_post);
  ctx.out.TruncateRejections(first_rejection);
  od::document fresh;
  error_code e =
      ctx.parser->iterate(ctx.record.data(), ctx.record.size(), ctx.record_capacity).get(fresh);
  if (e != SUCCESS) return e;
  return ParseByLookups(fresh, ctx, mapping, *plan);
}

}  // namespace earshot::ingest
