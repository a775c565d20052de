// The brand query language: parsing text into a small syntax tree. Grammar and examples are in
// README.md beside this file. Control plane only; pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace earshot::pipeline::match {

enum class FieldName : uint8_t {
  kAuthor,
  kLang,
  kSource,
  kSite,
  kUrl,
  kSubreddit,
  kRating,
  kFollowers,
};

enum class Comparison : uint8_t { kEq, kLt, kLe, kGt, kGe };

struct FieldFilter {
  FieldName name;
  Comparison cmp = Comparison::kEq;
  std::string value;  // lowercased for text fields
  double number = 0;  // for rating and followers
};

// A term or phrase as written: bare words may hold wildcards (* ?) and the @ # $ prefixes.
struct TermSpec {
  std::string text;     // to match: an escaped wildcard (\* \?) is two spaces, a word break
  bool cased = false;   // written {Term}: matched case-sensitively
  bool phrase = false;  // written "in quotes"
  uint32_t offset = 0;  // byte offset in the query
  std::string written;  // as the query writes it, for messages
};

enum class NodeKind : uint8_t { kTerm, kField, kNear, kAnd, kOr, kNot };

struct Node {
  NodeKind kind;
  uint32_t offset = 0;  // where the node starts in the query, for messages
  int index = -1;       // kTerm: into Query::terms; kField: into Query::fields
  int distance = 0;     // kNear: at most this many tokens between the operands
  bool ordered = false;  // kNear: left operand must come first
  std::vector<int> children;  // indices into Query::nodes
};

struct Query {
  std::vector<Node> nodes;
  int root = -1;
  std::vector<TermSpec> terms;
  std::vector<FieldFilter> fields;
};

struct QueryError {
  uint32_t offset = 0;  // byte offset in the query text
  std::string message;
};

inline constexpr size_t kMaxQueryBytes = 64 * 1024;
inline constexpr int kMaxQueryDepth = 64;
inline constexpr int kMaxNearDistance = 100;

// Parses `text` into `query`. Returns false and fills `error` when the query is not valid.
[[nodiscard]] bool ParseQuery(std::string_view text, Query& query, QueryError& error);

[[nodiscard]] std::string_view FieldNameString(FieldName name);

}  // namespace earshot::pipeline::match
