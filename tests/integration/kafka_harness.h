// Helpers for the integration tests on the embedded broker: a temp dir, config files, producing
// records, reading topics back, committed offsets, and a tiny HTTP GET for the admin endpoint.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "app/generator.h"

namespace earshot::testing {

struct TempDir {
  TempDir();
  ~TempDir();
  std::string path;
};

struct Record {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  std::string key;
  std::string value;
  std::map<std::string, std::string> headers;
};

// Produces `records` (topic, key, value) and waits for every acknowledgement. Returns false on
// any failure.
bool ProduceAll(const std::string& bootstrap, const std::vector<app::GeneratedRecord>& records);

// Reads every record of `topic` from the beginning to the current end.
std::vector<Record> ReadTopic(const std::string& bootstrap, const std::string& topic);

// Sum over partitions of the high watermarks of `topic`.
int64_t EndOffsets(const std::string& bootstrap, const std::string& topic);

// Sum over partitions of `group`'s committed offsets on `topic` (missing commits count 0).
int64_t CommittedOffsets(const std::string& bootstrap, const std::string& group,
                         const std::string& topic, int partitions);

// GET http://127.0.0.1:port/path; returns the status code (0 when unreachable).
int HttpGet(int port, const std::string& path, std::string* body = nullptr);

// The (post id, brand id) pairs of enriched records.
std::multiset<std::pair<std::string, std::string>> EnrichedPairs(const std::vector<Record>& records);

}  // namespace earshot::testing
