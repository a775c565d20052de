// earshot's YAML configuration: the inputs (Kafka topics or files, each with a format), Kafka
// client settings, limits, and the brands to listen for.
//
// Loading is strict: unknown keys are errors (with a did-you-mean), every value is type-checked,
// and every problem is reported with its position as `file:line:col: what is wrong`. A Config is
// immutable once loaded and shared as shared_ptr<const Config>. Control plane only.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ingest/format.h"
#include "ingest/generic_mapping.h"
#include "pipeline/aggregate/aggregator.h"
#include "pipeline/complaints/complaints.h"
#include "pipeline/match/rule_set.h"
#include "pipeline/sentiment/lexicon.h"

namespace earshot::app {

// A position in a config file (1-based line and column).
struct SourceLocation {
  int line = 0;
  int column = 0;
};

struct InputConfig {
  std::string name;
  std::string topic;  // exactly one of topic and file is set
  std::string file;
  ingest::Format format = ingest::Format::kAuto;
  ingest::GenericMapping mapping;  // for format: generic
  SourceLocation location;
};

struct KafkaConfig {
  std::string bootstrap = "embedded";  // "embedded" starts librdkafka's mock cluster in-process
  std::string group_id = "earshot";
  std::map<std::string, std::string> properties;  // passed through to librdkafka, both clients
  std::map<std::string, std::string> consumer;    // consumer-only settings
  std::map<std::string, std::string> producer;    // producer-only settings
};

struct TopicsConfig {
  std::string enriched = "earshot.enriched";
  std::string dead_letter = "earshot.dead-letter";
  std::string alerts = "earshot.alerts";  // written by `earshot aggregate`
};

struct ServiceConfig {
  int workers = 0;  // 0: one per core
  int queue_capacity = 1024;  // records per worker queue
  int commit_interval_ms = 1000;
  int shutdown_timeout_ms = 10000;
  std::string admin_listen = "127.0.0.1:9464";
  int max_inflight_records = 50000;  // consumed but not yet finished; beyond it, pause
  int embedded_partitions = 12;      // partitions per topic of the embedded broker
  // What the instance may hold in records: librdkafka's prefetch, the producer's queue and the
  // records in flight are sized from it, unless set explicitly (kafka.consumer
  // queued.max.messages.kbytes / fetch.max.bytes, kafka.producer queue.buffering.max.kbytes,
  // service.max_inflight_records). docs/operations.md.
  int memory_budget_mb = 256;
  bool max_inflight_set = false;  // max_inflight_records was given explicitly
};

struct BrandConfig {
  std::string id;
  std::string name;
  std::string query;
  std::string exclude;
  std::string competitors;  // competitor group, for share of voice
  std::vector<std::string> tags;
  SourceLocation location;
  SourceLocation query_location;    // where the query string starts, for query compile errors
  SourceLocation exclude_location;
};

// The `sentiment:` section. Relative paths are resolved against the config file's folder.
struct SentimentConfig {
  bool present = false;
  std::string engine;  // lexicon | model | ensemble; empty: the default (ensemble)
  double positive_threshold = 0.05;
  double negative_threshold = -0.05;
  double ensemble_lexicon_weight = 0.1;
  bool language_gate = true;
  std::string model;  // model file; empty: the committed default
  std::vector<pipeline::sentiment::LexiconSource> lexicons;  // added after the defaults
  bool replace_default_lexicons = false;
  std::vector<pipeline::sentiment::LexiconOverride> overrides;
  SourceLocation location;
};

// The `complaints:` section (pipeline/complaints/README.md). Relative paths are resolved against
// the config file's folder.
struct ComplaintsConfig {
  bool present = false;
  bool enabled = true;
  std::string model;      // model file; empty: the committed default; "none": cue rules only
  double threshold = 0.5;
  std::vector<std::string> cue_files;  // added after the default cue file
  std::vector<pipeline::complaints::CategoryExtension> categories;
  pipeline::complaints::PriorityOptions priority;
  std::vector<pipeline::complaints::RouteRuleSpec> routes;
  std::string default_queue = "care";
  SourceLocation location;
};

// The `aggregator:` section, read by `earshot aggregate` (docs/aggregator.md): windows, spike
// rules, and where alerts go besides the alerts topic.
struct AggregatorConfig {
  std::string group_id;  // empty: kafka.group_id + "-aggregator"
  pipeline::aggregate::AggregatorOptions options;
  std::string alertmanager_url;  // empty: alerts go to the alerts topic only
  int alertmanager_timeout_ms = 2000;
  int resend_interval_ms = 60000;  // firing alerts are re-posted this often
  // Alerts about windows that ended longer ago go to the alerts topic only.
  int64_t alertmanager_max_age_ms = 3'600'000;
  std::string admin_listen = "127.0.0.1:9465";
  int commit_interval_ms = 1000;
  std::map<std::string, std::string> labels;  // added to every Alertmanager alert
};

struct Config {
  std::string path;
  std::string source;  // the YAML text as loaded: query errors are placed by reading it back
  std::vector<InputConfig> inputs;
  KafkaConfig kafka;
  TopicsConfig topics;
  ServiceConfig service;
  size_t max_record_bytes = 1 << 20;
  pipeline::match::MatchOptions matching;
  SourceLocation matching_location;
  std::vector<BrandConfig> brands;
  SentimentConfig sentiment;
  ComplaintsConfig complaints;
  AggregatorConfig aggregator;
};

struct ConfigError {
  std::string file;
  SourceLocation location;
  std::string message;
  std::string ToString() const;  // "file:line:col: message"
};

struct ConfigResult {
  std::shared_ptr<const Config> config;  // null when errors is not empty
  std::vector<ConfigError> errors;
  bool ok() const { return errors.empty(); }
};

// Loads and validates the config file at `path`.
[[nodiscard]] ConfigResult LoadConfig(const std::string& path);

// Loads and validates YAML text; `name` is used as the file name in errors.
[[nodiscard]] ConfigResult LoadConfigFromString(const std::string& yaml, const std::string& name);

// Keys a section accepts, for did-you-mean suggestions; exposed for tests.
[[nodiscard]] std::string SuggestKey(const std::string& key, const std::vector<std::string>& known);

}  // namespace earshot::app
