// libFuzzer target for one input format, chosen at compile time with EARSHOT_FUZZ_FORMAT (an
// ingest::Format enumerator name such as kXV2). fuzz/CMakeLists.txt compiles this file once per
// format.
//
// JSON formats go through PostParser::Parse on a buffer with exactly SIMDJSON_PADDING bytes after
// the record (so AddressSanitizer sees any read past the padding); kAuto and kTwcsCsv go through
// ParseInput, which also exercises the framing (JSON Lines, documents, SSE, CSV).
//
// Invariants checked on every produced Post: non-empty id, created_at_ms > 0, text or title
// present, and AppendPostJson output that is valid UTF-8 and parses as one JSON object. Every
// Rejection carries a detail. A broken invariant aborts with a message (a libFuzzer crash).
#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/adapter.h"
#include "ingest/format.h"
#include "ingest/post.h"
#include "ingest/post_parser.h"
#include "ingest/record_reader.h"
#include "ingest/text.h"

#ifndef EARSHOT_FUZZ_FORMAT
#error "define EARSHOT_FUZZ_FORMAT to an earshot::ingest::Format enumerator, e.g. kXV2"
#endif

namespace {

using earshot::ingest::Format;
using earshot::ingest::ParseOutput;
using earshot::ingest::Post;

constexpr Format kFormat = Format::EARSHOT_FUZZ_FORMAT;

[[noreturn]] void Fail(const char* what, const Post* post) {
  std::fprintf(stderr, "earshot fuzz invariant broken: %s\n", what);
  if (post != nullptr) {
    std::fprintf(stderr, "  post id='%s' created_at_ms=%lld text.size=%zu\n", post->id.c_str(),
                 static_cast<long long>(post->created_at_ms), post->text.size());
  }
  std::abort();
}

earshot::ingest::ParserOptions MakeOptions() {
  earshot::ingest::ParserOptions options;
  options.max_record_bytes = 64 * 1024;
  if (kFormat == Format::kGeneric) {
    // A fixed mapping touching every field kind: strings, ids, times, counts, a rating.
    auto& m = options.generic;
    m.source = earshot::ingest::Source::kGeneric;
    m.id = "/id";
    m.text = "/body/text";
    m.title = "/title";
    m.created_at = "/ts";
    m.author_id = "/user/id";
    m.author_handle = "/user/handle";
    m.author_name = "/user/name";
    m.author_followers = "/user/followers";
    m.lang = "/lang";
    m.url = "/url";
    m.rating = "/stars";
    m.parent_id = "/parent";
    m.community = "/meta/0/community";
    m.likes = "/counts/likes";
    m.reposts = "/counts/reposts";
    m.replies = "/counts/replies";
  }
  return options;
}

struct State {
  earshot::ingest::PostParser parser{MakeOptions()};
  simdjson::dom::parser json_checker;
  std::string json;
};

void CheckOutput(State& state, const ParseOutput& out) {
  for (const Post& post : out.posts) {
    if (post.id.empty()) Fail("post with empty id", &post);
    if (post.created_at_ms <= 0) Fail("post with created_at_ms <= 0", &post);
    if (earshot::ingest::TrimAscii(post.text).empty() &&
        earshot::ingest::TrimAscii(post.title).empty()) {
      Fail("post without text or title", &post);
    }
    state.json.clear();
    earshot::ingest::AppendPostJson(post, state.json);
    if (!earshot::ingest::IsValidUtf8(state.json)) Fail("AppendPostJson: invalid UTF-8", &post);
    simdjson::dom::element element;
    if (state.json_checker.parse(state.json).get(element) != simdjson::SUCCESS ||
        !element.is_object()) {
      std::fprintf(stderr, "%s\n", state.json.c_str());
      Fail("AppendPostJson: not a JSON object", &post);
    }
  }
  for (const auto& rejection : out.rejections) {
    if (rejection.detail.empty()) Fail("rejection without detail", nullptr);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static State* state = new State();  // reused like a worker's parser; never freed
  // Exactly SIMDJSON_PADDING readable bytes after the input; ASan flags anything beyond.
  std::unique_ptr<char[]> buffer(new char[size + simdjson::SIMDJSON_PADDING]);
  if (size != 0) std::memcpy(buffer.get(), data, size);
  std::memset(buffer.get() + size, 0, simdjson::SIMDJSON_PADDING);
  std::string_view input(buffer.get(), size);

  if constexpr (kFormat == Format::kAuto || kFormat == Format::kTwcsCsv) {
    earshot::ingest::ParseInput(state->parser, input, kFormat, "fuzz",
                                [&](ParseOutput& out) { CheckOutput(*state, out); });
  } else {
    ParseOutput out;
    earshot::ingest::Origin origin;
    origin.topic = "fuzz";
    // Mastodon records arrive from SSE "update" events as well as from the REST API.
    std::string_view event = kFormat == Format::kMastodon && size % 2 == 1 ? "update" : "";
    state->parser.Parse(kFormat, input, size + simdjson::SIMDJSON_PADDING, origin, event, out);
    CheckOutput(*state, out);
  }
  return 0;
}
