// Framing of whole inputs (files, stdin) into records, and the loop that hands each record to a
// PostParser. Detects JSON Lines, single JSON documents (objects, arrays, listings,
// pretty-printed), Mastodon SSE streams and the TWCS CSV layout.
//
// Thread-compatible. Inputs are read whole into a padded buffer so JSON records are parsed in
// place without copies.
#pragma once

#include <simdjson.h>

#include <functional>
#include <string>
#include <string_view>

#include "ingest/adapter.h"
#include "ingest/format.h"
#include "ingest/post_parser.h"

namespace earshot::ingest {

enum class Framing : uint8_t { kJsonLines, kJsonDocument, kSse, kCsv };

[[nodiscard]] std::string_view FramingName(Framing framing);

// Decides how `data` is framed. `format` is the configured format (kTwcsCsv forces CSV).
[[nodiscard]] Framing DetectFraming(std::string_view data, Format format);

// Called once per record with what it produced. The callee may move posts out; the output is
// cleared after the call.
using RecordCallback = std::function<void(ParseOutput& out)>;

// Parses every record of `data`, which must be followed by simdjson::SIMDJSON_PADDING readable
// bytes (a simdjson::padded_string's contents are). `name` is the origin's topic field (a path,
// or "-" for stdin).
void ParseInput(PostParser& parser, std::string_view data, Format format, std::string_view name,
                const RecordCallback& on_record);

// Reads a whole file (or stdin for "-") into `out`. Returns an error message, empty on success.
[[nodiscard]] std::string ReadInput(const std::string& path, simdjson::padded_string& out);

}  // namespace earshot::ingest
