#include "tests/testing/fixtures.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "ingest/post_parser.h"
#include "ingest/record_reader.h"

namespace earshot::testing {

std::optional<std::string> SharedPath(const std::string& relative) {
  std::filesystem::path path = std::filesystem::path(EARSHOT_SHARED_DIR) / relative;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return std::nullopt;
  return path.string();
}

std::string ScratchDir() {
  // Never destroyed, so the exit handler that removes the folder can still read it.
  static const std::string* dir = [] {
    std::filesystem::path path = std::filesystem::path(::testing::TempDir()) /
                                 ("earshot-test-" + std::to_string(getpid()));
    std::filesystem::create_directories(path);
    auto* kept = new std::string(path.string());
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(ScratchDir(), ec);
    });
    return kept;
  }();
  return *dir;
}

std::string WriteScratchFile(const std::string& name, const std::string& content) {
  std::string path = ScratchDir() + "/" + name;
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

std::map<std::string, int> Parsed::ReasonCounts() const {
  std::map<std::string, int> counts;
  for (const auto& r : rejections) ++counts[std::string(ingest::RejectReasonName(r.reason))];
  return counts;
}

const ingest::Post* Parsed::Find(const std::string& id) const {
  for (const auto& p : posts) {
    if (p.id == id) return &p;
  }
  return nullptr;
}

namespace {

Parsed ParseBuffer(const simdjson::padded_string& buffer, const std::string& name,
                   ingest::Format format) {
  Parsed parsed;
  ingest::PostParser parser;
  ingest::ParseInput(parser, std::string_view(buffer.data(), buffer.size()), format, name,
                     [&](ingest::ParseOutput& out) {
                       for (auto& p : out.posts) parsed.posts.push_back(std::move(p));
                       for (auto& r : out.rejections) parsed.rejections.push_back(std::move(r));
                     });
  return parsed;
}

}  // namespace

Parsed ParseFile(const std::string& path, ingest::Format format) {
  simdjson::padded_string buffer;
  std::string error = ingest::ReadInput(path, buffer);
  EXPECT_EQ(error, "");
  return ParseBuffer(buffer, path, format);
}

Parsed ParseText(const std::string& text, ingest::Format format) {
  simdjson::padded_string buffer(text);
  return ParseBuffer(buffer, "text", format);
}

}  // namespace earshot::testing
