// Test helpers: locating ../shared data (tests skip when it is absent) and parsing a whole input
// into posts and rejections.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ingest/adapter.h"
#include "ingest/format.h"

namespace earshot::testing {

// The absolute path of `relative` under the shared data folder, or nullopt when it is missing.
std::optional<std::string> SharedPath(const std::string& relative);

// A folder for scratch files of this test process only (created on first use, removed at exit). ctest runs each
// test as its own process, in parallel: a fixed name under the shared temp folder would be
// written by one test while another reads it.
std::string ScratchDir();

// Writes `content` to ScratchDir()/name and returns the path.
std::string WriteScratchFile(const std::string& name, const std::string& content);

// Skips the current test with a clear message when a shared file is missing.
#define EARSHOT_REQUIRE_SHARED(var, relative)                                                  \
  auto var##_opt = ::earshot::testing::SharedPath(relative);                                   \
  if (!var##_opt) GTEST_SKIP() << "../shared/" << (relative) << " is absent; skipping";        \
  const std::string var = *var##_opt

struct Parsed {
  std::vector<ingest::Post> posts;
  std::vector<ingest::Rejection> rejections;
  // Rejection counts by reason name.
  std::map<std::string, int> ReasonCounts() const;
  // The post with this id, or nullptr.
  const ingest::Post* Find(const std::string& id) const;
};

// Parses a whole file (path) with the given format, as `earshot parse` does.
Parsed ParseFile(const std::string& path, ingest::Format format = ingest::Format::kAuto);

// Parses in-memory text as if it were a file.
Parsed ParseText(const std::string& text, ingest::Format format = ingest::Format::kAuto);

}  // namespace earshot::testing
