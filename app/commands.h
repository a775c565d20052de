// The CLI's subcommands, one function each. main.cc only wires CLI11 to these; each returns the
// process exit code (kExitOk, kExitRuntime, kExitUsage).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace earshot::pipeline::sentiment {
class SentimentSnapshot;
}  // namespace earshot::pipeline::sentiment
namespace earshot::pipeline::complaints {
class ComplaintSnapshot;
}  // namespace earshot::pipeline::complaints

namespace earshot::app {

inline constexpr int kExitOk = 0;
inline constexpr int kExitRuntime = 1;  // a runtime failure (unreadable input, broken pipe)
inline constexpr int kExitUsage = 2;    // bad usage or a bad configuration

// A "KEY=VALUE" option argument (librdkafka properties on the command line): the key must not be
// empty, the value may be.
[[nodiscard]] inline std::optional<std::pair<std::string, std::string>> SplitKeyValue(
    std::string_view kv) {
  const size_t eq = kv.find('=');
  if (eq == std::string_view::npos || eq == 0) return std::nullopt;
  return std::pair<std::string, std::string>(kv.substr(0, eq), kv.substr(eq + 1));
}

struct ParseOptions {
  std::string format = "auto";
  std::vector<std::string> files;  // "-" or empty: stdin
  std::string config;              // optional: limits and the generic mapping come from it
  std::string input;               // with config: which input's format and mapping to use
  bool quiet = false;              // no per-record rejection lines, only the summary
};

struct MatchCommandOptions {
  std::string config;  // required: the brands
  std::string format = "auto";
  std::vector<std::string> files;
  bool text = false;  // one plain text per line instead of posts
  bool quiet = false;
};

struct RunOptions {
  std::string config;
  double duration_s = 0;        // stop after this long (0: until SIGINT/SIGTERM)
  bool summary = false;         // print a live summary on stderr
  std::string admin_listen;     // overrides service.admin_listen
  std::string bootstrap;        // overrides kafka.bootstrap
  std::string bootstrap_file;   // write the bootstrap servers here once started
  std::string admin_port_file;  // write the admin port here once listening
  std::function<void(const std::string& bootstrap)> on_started;  // for the demo driver
};

struct AggregateCommandOptions {
  std::string config;
  double duration_s = 0;        // stop after this long (0: until SIGINT/SIGTERM)
  std::string bootstrap;        // overrides kafka.bootstrap
  std::string admin_listen;     // overrides aggregator.admin_listen
  std::string admin_port_file;  // write the admin port here once listening
  std::string alertmanager;     // overrides aggregator.alertmanager.url
};

struct BrokerOptions {
  int brokers = 3;
  int partitions = 6;
  std::vector<std::string> topics;
  std::string bootstrap_file;
};

struct GenerateOptions {
  double rate = 100;       // records per second
  double duration_s = 10;  // 0: until --count
  int64_t count = 0;       // stop after this many (0: no limit)
  std::string config;      // brands from this config
  std::string brands_file;  // or one brand name per line
  std::string scenario = "steady";
  double storm_at_s = 60;
  std::string to = "stdout";  // stdout | kafka
  std::string bootstrap;
  std::string bootstrap_file;  // read the bootstrap servers from here (waits for it)
  std::string topic_prefix = "raw.";
  std::string topic;  // when set, every record goes to this one topic
  uint64_t seed = 1;
  // librdkafka producer properties, "key=value", over the generator's defaults.
  std::vector<std::string> kafka_properties;
  // Load-test mode: generate this many records up front and send them in turn (0: off).
  int64_t pool = 0;
};

struct ScoreOptions {
  std::string config;  // optional: brands to mask and the sentiment section
  std::string engine;  // overrides the config's engine
  std::string lang;    // language tag for every line (empty: detect)
  bool no_language_gate = false;
};

struct EvalSentimentOptions {
  std::string data;
  std::string format;
  std::string config;
  std::string engine;
  std::string lang;
  std::string handles = "mask";  // mask | remove | word
  bool only_handles = false;     // only texts with an @handle
  bool no_language_gate = false;
  bool json = false;
  bool dump = false;  // print gold, predicted, compound and text per item
  std::string model;             // model file (overrides the config and the default)
  double ensemble_weight = -1;   // >= 0: the ensemble's lexicon weight
  bool print_texts = false;      // print the texts as scored, one per line, and stop
  std::string scores;            // another tool's scores, one line per text (eval.h ReadScores)
  double positive_threshold = 0.05;  // labels for --scores
  double negative_threshold = -0.05;
};

struct TrainSentimentOptions {
  std::string data_dir;  // holds semeval2013-2016/ and tweeteval/
  std::string out;
  uint32_t hash_bits = 19;
  int epochs = 10;
  double learning_rate = 0.1;
  double l2 = 1e-6;
  uint32_t feature_flags = 15;  // pipeline/sentiment/features.h FeatureFlag bits
  uint64_t seed = 42;
  int average_every = 256;   // 0: no weight averaging
  double balance_power = 1;  // class weights (N / (3 n_class))^power
  bool tune_shift = false;   // shift the class log-odds to maximize validation macro-F1
  // After choosing the epoch (and shift) on validation, train again from scratch on training +
  // validation for that many epochs and write that model.
  bool refit = false;
};

struct EnrichCommandOptions {
  std::string config;  // required: brands, and the sentiment and complaints sections
  std::string format = "auto";
  std::vector<std::string> files;
  bool all = false;    // also print posts that matched no brand
  bool quiet = false;  // no per-record rejection lines
};

struct TrainComplaintsOptions {
  std::string data = "../shared/data/sentiment/complaints/complaints-data.csv";
  std::string out = "pipeline/complaints/model/complaints.model";
  uint32_t hash_bits = 18;
  int epochs = 12;
  double learning_rate = 0.5;
  double l2 = 1e-5;
  double balance_power = 1;
  uint64_t seed = 42;
  double threshold = 0.5;
  bool no_cv = false;  // skip the domain-held-out cross-validation
};

struct EvalComplaintsOptions {
  std::string data;
  std::string config;      // optional: the complaints and sentiment sections
  std::string model;       // evaluate this fixed model on the data (no cross-validation)
  std::string categories;  // category gold file (tweet_id, domain, category)
  bool json = false;
  bool dump = false;  // per item: gold, predicted, probability, category, text
  bool strict_domains = false;  // background domains are folds of their own too
  // Cross-validation trainer settings (defaults: the committed model's).
  TrainComplaintsOptions train;
};

struct BenchOptions {
  std::string shared = "../shared";  // the brand lists and the Python peer
  std::string lexicon = "data/vendor/vader-sentiment-1.1.3/package/vader_lexicon.txt";
  int64_t records = 200000;  // catch-up corpus
  int seconds = 15;          // latency and sustained phases
  long rate = 0;             // sustained phase: generator rate (0: search for the maximum)
  int sustain_linger_ms = 20;  // sustained phase: the generator's producer linger.ms
  int64_t sustain_pool = 100000;  // sustained phase: records the generator makes up front
  int workers = 2;
  int memory_budget_mb = 256;
  int enriched_partitions = 16;  // earshot.enriched's partitions
  // earshot's producer properties (KEY=VALUE) written under kafka.producer in the bench config.
  std::vector<std::string> producer_properties;
  bool no_python = false;
  bool keep = false;  // keep the temporary folder (config, logs)
};

int RunParse(const ParseOptions& options);
int RunBench(const BenchOptions& options);
int RunEnrich(const EnrichCommandOptions& options);
int RunTrainComplaints(const TrainComplaintsOptions& options);
int RunEvalComplaints(const EvalComplaintsOptions& options);
int RunScore(const ScoreOptions& options);
int RunEvalSentiment(const EvalSentimentOptions& options);
int RunTrainSentiment(const TrainSentimentOptions& options);
int RunGenerate(const GenerateOptions& options);
int RunService(const RunOptions& options);
int RunBroker(const BrokerOptions& options);
int RunAggregate(const AggregateCommandOptions& options);
int RunMatch(const MatchCommandOptions& options);
int RunCheckConfig(const std::string& path);

struct Config;
// Builds the sentiment snapshot from the defaults and the config's sentiment section (config may
// be null); prints the error and returns null on failure.
// `model_override` (a model file) and `ensemble_weight_override` (>= 0) win over the config.
std::shared_ptr<const pipeline::sentiment::SentimentSnapshot> LoadSentiment(
    const Config* config, const std::string& engine_override, bool language_gate,
    const std::string& model_override = {}, double ensemble_weight_override = -1);

// Builds the complaint snapshot from the defaults and the config's complaints section (config may
// be null); `model_override` wins over the config ("none": cue rules only). Prints the error and
// returns null on failure; returns null without error when the section disables complaints
// (`disabled` is then set).
std::shared_ptr<const pipeline::complaints::ComplaintSnapshot> LoadComplaints(
    const Config* config, const std::string& model_override, bool* disabled = nullptr);

}  // namespace earshot::app
