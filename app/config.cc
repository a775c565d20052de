#include "app/config.h"

#include <librdkafka/rdkafka.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "app/config_reader.h"

namespace earshot::app {
namespace {

using config_internal::TypeName;

size_t EditDistance(const std::string& a, const std::string& b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

// Walks the YAML tree, collecting every error with its position.
class Loader : public config_internal::ConfigReader {
 public:
  using ConfigReader::ConfigReader;

  void LoadInputs(const YAML::Node& node, Config& config) {
    if (!node.IsSequence()) {
      Error(node, "'inputs' must be a list, found " + TypeName(node));
      return;
    }
    std::set<std::string> names;
    std::map<std::string, size_t> topics;
    for (size_t i = 0; i < node.size(); ++i) {
      const YAML::Node& item = node[i];
      std::string what = "inputs[" + std::to_string(i) + "]";
      if (!CheckMap(item, {"name", "topic", "file", "format", "mapping"}, what)) continue;
      InputConfig input;
      input.location = Location(item);
      String(item, "name", input.name, true, what);
      bool has_topic = String(item, "topic", input.topic, false, what);
      bool has_file = String(item, "file", input.file, false, what);
      if (has_topic && input.topic.empty())
        Error(item["topic"], "'topic' in " + what + " must not be empty");
      if (has_file && input.file.empty())
        Error(item["file"], "'file' in " + what + " must not be empty");
      if (has_topic == has_file) {
        Error(item, what + " needs exactly one of 'topic' (Kafka) and 'file'");
      }
      std::string format = "auto";
      if (String(item, "format", format, false, what)) {
        auto parsed = ingest::FormatFromName(format);
        if (!parsed) {
          Error(item["format"], "unknown format '" + format + "'; expected one of " +
                                    std::string(ingest::FormatNames()));
        } else {
          input.format = *parsed;
        }
      }
      if (item["mapping"]) {
        if (input.format != ingest::Format::kGeneric) {
          Error(item["mapping"], "'mapping' applies only to format 'generic'");
        }
        LoadMapping(item["mapping"], input.mapping, what + ".mapping");
      } else if (input.format == ingest::Format::kGeneric) {
        Error(item, what + " has format 'generic' but no 'mapping'");
      }
      if (!input.name.empty() && !names.insert(input.name).second) {
        Error(item["name"], "duplicate input name '" + input.name + "'");
      }
      // One topic, one format: a topic listed twice would be read once, with one of them.
      if (!input.topic.empty()) {
        if (auto [at, fresh] = topics.emplace(input.topic, i); !fresh) {
          Error(item["topic"], "topic '" + input.topic + "' is already the topic of inputs[" +
                                   std::to_string(at->second) + "]");
        }
      }
      config.inputs.push_back(std::move(input));
    }
  }

  void LoadMapping(const YAML::Node& node, ingest::GenericMapping& m, const std::string& what) {
    static const std::vector<std::string> kKeys = {
        "source", "kind",      "id",              "text",      "title",   "created_at",
        "author_id", "author_handle", "author_name", "author_followers", "lang", "url",
        "rating", "parent_id", "community",       "likes",     "reposts", "replies"};
    if (!CheckMap(node, kKeys, what)) return;
    std::string value;
    if (String(node, "source", value, false, what)) {
      if (auto s = ingest::SourceFromName(value)) {
        m.source = *s;
      } else {
        Error(node["source"], "unknown source '" + value + "'");
      }
    }
    if (String(node, "kind", value, false, what)) {
      if (auto k = ingest::PostKindFromName(value)) {
        m.kind = *k;
      } else {
        Error(node["kind"], "unknown kind '" + value + "'");
      }
    }
    std::pair<const char*, std::string*> pointers[] = {
        {"id", &m.id},
        {"text", &m.text},
        {"title", &m.title},
        {"created_at", &m.created_at},
        {"author_id", &m.author_id},
        {"author_handle", &m.author_handle},
        {"author_name", &m.author_name},
        {"author_followers", &m.author_followers},
        {"lang", &m.lang},
        {"url", &m.url},
        {"rating", &m.rating},
        {"parent_id", &m.parent_id},
        {"community", &m.community},
        {"likes", &m.likes},
        {"reposts", &m.reposts},
        {"replies", &m.replies},
    };
    for (auto& [key, target] : pointers) {
      if (!String(node, key, *target, false, what)) continue;
      if (!target->empty() && (*target)[0] != '/') {
        Error(node[key], "'" + std::string(key) + "' must be a JSON pointer starting with '/'");
      }
    }
  }

  void LoadService(const YAML::Node& node, ServiceConfig& s) {
    if (!CheckMap(node,
                  {"workers", "queue_capacity", "commit_interval_ms", "shutdown_timeout_ms",
                   "admin_listen", "max_inflight_records", "embedded_partitions",
                   "memory_budget_mb"},
                  "service")) {
      return;
    }
    int64_t v = 0;
    if (Integer(node, "workers", v, 0, 256, "service")) s.workers = static_cast<int>(v);
    if (Integer(node, "queue_capacity", v, 16, 1 << 20, "service")) {
      s.queue_capacity = static_cast<int>(v);
    }
    if (Integer(node, "commit_interval_ms", v, 10, 600000, "service")) {
      s.commit_interval_ms = static_cast<int>(v);
    }
    if (Integer(node, "shutdown_timeout_ms", v, 100, 600000, "service")) {
      s.shutdown_timeout_ms = static_cast<int>(v);
    }
    if (Integer(node, "max_inflight_records", v, 16, 10000000, "service")) {
      s.max_inflight_records = static_cast<int>(v);
      s.max_inflight_set = true;
    }
    if (Integer(node, "memory_budget_mb", v, 32, 1 << 20, "service")) {
      s.memory_budget_mb = static_cast<int>(v);
    }
    if (Integer(node, "embedded_partitions", v, 1, 1000, "service")) {
      s.embedded_partitions = static_cast<int>(v);
    }
    if (String(node, "admin_listen", s.admin_listen, false, "service") &&
        s.admin_listen.find(':') == std::string::npos) {
      Error(node["admin_listen"], "'admin_listen' must be host:port (port 0 picks a free one)");
    }
  }

  void LoadProperties(const YAML::Node& props, const std::string& what,
                      std::map<std::string, std::string>& out) {
    if (!props.IsMap()) {
      Error(props, "'" + what + "' in kafka must be a mapping of librdkafka settings");
      return;
    }
    // One scratch librdkafka configuration for the whole map (a refused setting leaves it as
    // it was).
    rd_kafka_conf_t* probe = rd_kafka_conf_new();
    for (const auto& kv : props) {
      const std::string key = kv.first.Scalar();
      if (!kv.second.IsScalar()) {
        Error(kv.second, "kafka property '" + key + "' must be a scalar");
        continue;
      }
      if (out.count(key) != 0) {
        Error(kv.first, "duplicate kafka property '" + key + "' in '" + what + "'");
        continue;
      }
      // librdkafka checks names and values when the clients are made; check them here, so a
      // typo stops start-up (and check-config) with its line.
      char errstr[256];
      const bool valid = rd_kafka_conf_set(probe, key.c_str(), kv.second.Scalar().c_str(), errstr,
                                           sizeof errstr) == RD_KAFKA_CONF_OK;
      if (!valid) Error(kv.first, "kafka property '" + key + "' in '" + what + "': " + errstr);
      // earshot stores and commits offsets itself, only once a record's outputs are
      // acknowledged: librdkafka's automatic commits would break the at-least-once guarantee.
      // The value as librdkafka reads it: "false", "False" and "0" are all off.
      char value[16] = "";
      size_t value_size = sizeof value;
      if (valid && (key == "enable.auto.commit" || key == "enable.auto.offset.store") &&
          rd_kafka_conf_get(probe, key.c_str(), value, &value_size) == RD_KAFKA_CONF_OK &&
          std::string(value) != "false") {
        Error(kv.second, "'" + key +
                             "' cannot be turned on: earshot commits offsets only after "
                             "the outputs of their records are acknowledged");
      }
      // earshot's rebalance callback assigns and revokes whole assignments (the eager
      // protocol); the cooperative one hands out increments it would treat as whole.
      if (valid && key == "partition.assignment.strategy" &&
          kv.second.Scalar().find("cooperative") != std::string::npos) {
        Error(kv.second, "'" + key +
                             "': the cooperative protocol is not supported; use range "
                             "or roundrobin (earshot drains and commits a whole assignment on a "
                             "rebalance)");
      }
      out[key] = kv.second.Scalar();
    }
    rd_kafka_conf_destroy(probe);
  }

  void LoadKafka(const YAML::Node& node, Config& config) {
    if (!CheckMap(node, {"bootstrap", "group_id", "properties", "consumer", "producer"}, "kafka")) {
      return;
    }
    String(node, "bootstrap", config.kafka.bootstrap, false, "kafka");
    String(node, "group_id", config.kafka.group_id, false, "kafka");
    if (YAML::Node p = node["properties"]) LoadProperties(p, "properties", config.kafka.properties);
    if (YAML::Node p = node["consumer"]) LoadProperties(p, "consumer", config.kafka.consumer);
    if (YAML::Node p = node["producer"]) LoadProperties(p, "producer", config.kafka.producer);
  }

  void LoadBrands(const YAML::Node& node, Config& config) {
    if (!node.IsSequence()) {
      Error(node, "'brands' must be a list, found " + TypeName(node));
      return;
    }
    std::set<std::string> ids;
    for (size_t i = 0; i < node.size(); ++i) {
      const YAML::Node& item = node[i];
      std::string what = "brands[" + std::to_string(i) + "]";
      if (!CheckMap(item, {"id", "name", "query", "exclude", "competitors", "tags"}, what)) {
        continue;
      }
      BrandConfig brand;
      brand.location = Location(item);
      if (String(item, "id", brand.id, true, what)) {
        bool valid = std::all_of(brand.id.begin(), brand.id.end(), [](char c) {
          return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
        });
        if (!valid) {
          Error(item["id"], "brand id '" + brand.id +
                                "' may hold only lowercase letters, digits, '_' and '-'");
        } else if (!ids.insert(brand.id).second) {
          Error(item["id"], "duplicate brand id '" + brand.id + "'");
        }
      }
      if (!String(item, "name", brand.name, false, what)) brand.name = brand.id;
      if (String(item, "query", brand.query, true, what)) {
        brand.query_location = Location(item["query"]);
      }
      if (String(item, "exclude", brand.exclude, false, what)) {
        brand.exclude_location = Location(item["exclude"]);
      }
      String(item, "competitors", brand.competitors, false, what);
      if (YAML::Node tags = item["tags"]) {
        if (!tags.IsSequence()) {
          Error(tags, "'tags' in " + what + " must be a list of strings");
        } else {
          for (const auto& tag : tags) {
            if (!tag.IsScalar()) {
              Error(tag, "tags must be strings");
            } else {
              brand.tags.push_back(tag.Scalar());
            }
          }
        }
      }
      config.brands.push_back(std::move(brand));
    }
  }

  void LoadSentiment(const YAML::Node& node, Config& config) {
    SentimentConfig& s = config.sentiment;
    s.present = true;
    s.location = Location(node);
    const std::string what = "sentiment";
    if (!CheckMap(node, {"engine", "thresholds", "ensemble_lexicon_weight", "language_gate",
                         "model", "lexicons", "replace_default_lexicons", "overrides"},
                  what)) {
      return;
    }
    if (String(node, "engine", s.engine, false, what) && s.engine != "lexicon" &&
        s.engine != "model" && s.engine != "ensemble") {
      Error(node["engine"], "unknown engine '" + s.engine + "'; expected lexicon, model or ensemble");
    }
    if (YAML::Node t = node["thresholds"]) {
      if (CheckMap(t, {"positive", "negative"}, "sentiment.thresholds")) {
        Number(t, "positive", s.positive_threshold, 0, 1, "sentiment.thresholds");
        Number(t, "negative", s.negative_threshold, -1, 0, "sentiment.thresholds");
      }
    }
    Number(node, "ensemble_lexicon_weight", s.ensemble_lexicon_weight, 0, 1, what);
    Bool(node, "language_gate", s.language_gate, what);
    Bool(node, "replace_default_lexicons", s.replace_default_lexicons, what);
    if (String(node, "model", s.model, false, what)) s.model = Resolve(s.model);
    if (YAML::Node lexicons = node["lexicons"]) {
      if (!lexicons.IsSequence()) {
        Error(lexicons, "'lexicons' in sentiment must be a list");
      } else {
        for (size_t i = 0; i < lexicons.size(); ++i) {
          const YAML::Node& item = lexicons[i];
          std::string w = "sentiment.lexicons[" + std::to_string(i) + "]";
          if (!CheckMap(item, {"path", "format", "sha256", "scale"}, w)) continue;
          pipeline::sentiment::LexiconSource source;
          if (String(item, "path", source.path, true, w)) source.path = Resolve(source.path);
          std::string format = "earshot";
          if (String(item, "format", format, false, w)) {
            if (format == "vader") {
              source.format = pipeline::sentiment::LexiconFormat::kVader;
            } else if (format != "earshot") {
              Error(item["format"], "unknown lexicon format '" + format +
                                        "'; expected vader or earshot");
            }
          }
          if (String(item, "sha256", source.sha256, false, w) &&
              (source.sha256.size() != 64 ||
               source.sha256.find_first_not_of("0123456789abcdef") != std::string::npos)) {
            Error(item["sha256"], "'sha256' in " + w + " must be 64 lowercase hex digits");
          }
          Number(item, "scale", source.scale, -10, 10, w);
          s.lexicons.push_back(std::move(source));
        }
      }
    }
    if (YAML::Node overrides = node["overrides"]) {
      if (!overrides.IsMap()) {
        Error(overrides, "'overrides' in sentiment must be a mapping of term: valence");
      } else {
        for (const auto& kv : overrides) {
          double v = 0;
          if (!kv.second.IsScalar() || !YAML::convert<double>::decode(kv.second, v) || v < -4 ||
              v > 4) {
            Error(kv.second, "override for '" + kv.first.Scalar() +
                                 "' must be a number between -4 and 4");
            continue;
          }
          s.overrides.push_back({kv.first.Scalar(), v});
        }
      }
    }
  }

  std::string Where(const YAML::Node& node) const {
    SourceLocation l = Location(node);
    return file_ + ":" + std::to_string(l.line) + ":" + std::to_string(l.column);
  }

  // A scalar or a list of scalars, as a list of strings.
  bool StringList(const YAML::Node& map, const std::string& key, std::vector<std::string>& out,
                  const std::string& what) {
    YAML::Node node = map[key];
    if (!node) return false;
    out.clear();
    if (node.IsScalar()) {
      out.push_back(node.Scalar());
      return true;
    }
    if (!node.IsSequence()) {
      Error(node, "'" + key + "' in " + what + " must be a string or a list of strings");
      return false;
    }
    for (const auto& item : node) {
      if (!item.IsScalar()) {
        Error(item, "'" + key + "' in " + what + " must hold strings only");
        return false;
      }
      out.push_back(item.Scalar());
    }
    return true;
  }

  // [{at_least|at_most: N, points: P}, ...]
  void Steps(const YAML::Node& map, const std::string& key, const char* bound,
             std::vector<pipeline::complaints::Step>& out, const std::string& what) {
    YAML::Node node = map[key];
    if (!node) return;
    if (!node.IsSequence()) {
      Error(node, "'" + key + "' in " + what + " must be a list of {" + bound + ", points}");
      return;
    }
    out.clear();
    for (size_t i = 0; i < node.size(); ++i) {
      std::string w = what + "." + key + "[" + std::to_string(i) + "]";
      if (!CheckMap(node[i], {bound, "points"}, w)) continue;
      pipeline::complaints::Step step;
      if (!node[i][bound]) Error(node[i], w + " is missing required key '" + bound + "'");
      Number(node[i], bound, step.threshold, -1e12, 1e12, w);
      int64_t points = 0;
      if (!node[i]["points"]) Error(node[i], w + " is missing required key 'points'");
      if (Integer(node[i], "points", points, 0, 100, w)) step.points = static_cast<int>(points);
      out.push_back(step);
    }
    bool descending = std::string(bound) == "at_least";
    for (size_t i = 1; i < out.size(); ++i) {
      if (descending ? out[i].threshold > out[i - 1].threshold
                     : out[i].threshold < out[i - 1].threshold) {
        Error(node, "'" + key + "' in " + what + " must be ordered from the strongest step (" +
                        (descending ? "largest" : "smallest") + " " + bound + ") down");
        break;
      }
    }
  }

  void LoadComplaints(const YAML::Node& node, Config& config) {
    ComplaintsConfig& c = config.complaints;
    c.present = true;
    c.location = Location(node);
    const std::string what = "complaints";
    if (!CheckMap(node, {"enabled", "model", "threshold", "cue_files", "categories", "priority",
                         "routing"},
                  what)) {
      return;
    }
    Bool(node, "enabled", c.enabled, what);
    if (String(node, "model", c.model, false, what) && c.model != "none") c.model = Resolve(c.model);
    Number(node, "threshold", c.threshold, 0, 1, what);
    if (StringList(node, "cue_files", c.cue_files, what)) {
      for (auto& f : c.cue_files) f = Resolve(f);
    }
    if (YAML::Node cats = node["categories"]) {
      if (!cats.IsSequence()) {
        Error(cats, "'categories' in complaints must be a list of {id, name, cues}");
      } else {
        std::set<std::string> seen;
        for (size_t i = 0; i < cats.size(); ++i) {
          std::string w = "complaints.categories[" + std::to_string(i) + "]";
          if (!CheckMap(cats[i], {"id", "name", "cues"}, w)) continue;
          pipeline::complaints::CategoryExtension ext;
          ext.where = Where(cats[i]);
          if (String(cats[i], "id", ext.id, true, w)) {
            bool valid = std::all_of(ext.id.begin(), ext.id.end(), [](char ch) {
              return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_';
            });
            if (!valid) {
              Error(cats[i]["id"], "category id '" + ext.id +
                                       "' may hold only lowercase letters, digits and '_'");
            } else if (ext.id == "other") {
              Error(cats[i]["id"], "category 'other' is built in and takes no cues");
            } else if (!seen.insert(ext.id).second) {
              Error(cats[i]["id"], "duplicate category '" + ext.id + "'");
            }
          }
          String(cats[i], "name", ext.name, false, w);
          StringList(cats[i], "cues", ext.cues, w);
          c.categories.push_back(std::move(ext));
        }
      }
    }
    if (YAML::Node p = node["priority"]) {
      const std::string pw = "complaints.priority";
      if (CheckMap(p, {"followers", "engagement", "sentiment", "urgency", "complaint_points",
                       "levels"},
                   pw)) {
        Steps(p, "followers", "at_least", c.priority.followers, pw);
        Steps(p, "engagement", "at_least", c.priority.engagement, pw);
        Steps(p, "sentiment", "at_most", c.priority.sentiment, pw);
        int64_t v = 0;
        if (Integer(p, "complaint_points", v, 0, 100, pw)) c.priority.complaint_base = static_cast<int>(v);
        if (YAML::Node u = p["urgency"]) {
          const std::string uw = pw + ".urgency";
          if (CheckMap(u, {"safety", "legal", "press", "churn"}, uw)) {
            if (Integer(u, "safety", v, 0, 100, uw)) c.priority.safety = static_cast<int>(v);
            if (Integer(u, "legal", v, 0, 100, uw)) c.priority.legal = static_cast<int>(v);
            if (Integer(u, "press", v, 0, 100, uw)) c.priority.press = static_cast<int>(v);
            if (Integer(u, "churn", v, 0, 100, uw)) c.priority.churn = static_cast<int>(v);
          }
        }
        if (YAML::Node l = p["levels"]) {
          const std::string lw = pw + ".levels";
          if (CheckMap(l, {"p1", "p2", "p3"}, lw)) {
            if (Integer(l, "p1", v, 1, 1000, lw)) c.priority.p1 = static_cast<int>(v);
            if (Integer(l, "p2", v, 1, 1000, lw)) c.priority.p2 = static_cast<int>(v);
            if (Integer(l, "p3", v, 1, 1000, lw)) c.priority.p3 = static_cast<int>(v);
            if (!(c.priority.p1 > c.priority.p2 && c.priority.p2 > c.priority.p3)) {
              Error(l, "levels must satisfy p1 > p2 > p3 (points needed for each priority)");
            }
          }
        }
      }
    }
    if (YAML::Node r = node["routing"]) {
      const std::string rw = "complaints.routing";
      if (CheckMap(r, {"default_queue", "rules"}, rw)) {
        String(r, "default_queue", c.default_queue, false, rw);
        if (YAML::Node rules = r["rules"]) {
          if (!rules.IsSequence()) {
            Error(rules, "'rules' in complaints.routing must be a list");
          } else {
            for (size_t i = 0; i < rules.size(); ++i) {
              std::string w = rw + ".rules[" + std::to_string(i) + "]";
              if (!CheckMap(rules[i], {"queue", "brand", "category", "priority", "lang", "source",
                                       "intent"},
                            w)) {
                continue;
              }
              pipeline::complaints::RouteRuleSpec spec;
              spec.where = Where(rules[i]);
              String(rules[i], "queue", spec.queue, true, w);
              StringList(rules[i], "brand", spec.brands, w);
              StringList(rules[i], "category", spec.categories, w);
              StringList(rules[i], "priority", spec.priorities, w);
              StringList(rules[i], "lang", spec.langs, w);
              StringList(rules[i], "source", spec.sources, w);
              StringList(rules[i], "intent", spec.intents, w);
              for (const auto& b : spec.brands) {
                bool known = std::any_of(config.brands.begin(), config.brands.end(),
                                         [&](const BrandConfig& bc) { return bc.id == b; });
                if (!known) Error(rules[i]["brand"], "unknown brand '" + b + "' in " + w);
              }
              c.routes.push_back(std::move(spec));
            }
          }
        }
      }
    }
  }

  void Load(const YAML::Node& root, Config& config) {
    if (root.IsNull()) {
      errors_.push_back({file_, {1, 1}, "the config is empty"});
      return;
    }
    if (!CheckMap(root,
                  {"inputs", "kafka", "topics", "service", "limits", "matching", "brands",
                   "sentiment", "complaints", "aggregator"},
                  "the config")) {
      return;
    }
    YAML::Node topics = root["topics"];
    if (topics) {
      if (CheckMap(topics, {"enriched", "dead_letter", "alerts"}, "topics")) {
        String(topics, "enriched", config.topics.enriched, false, "topics");
        String(topics, "dead_letter", config.topics.dead_letter, false, "topics");
        String(topics, "alerts", config.topics.alerts, false, "topics");
        for (const char* key : {"enriched", "dead_letter", "alerts"}) {
          if (topics[key] && topics[key].IsScalar() && topics[key].Scalar().empty()) {
            Error(topics[key], std::string("'") + key + "' in topics must not be empty");
          }
        }
        if (config.topics.enriched == config.topics.dead_letter) {
          Error(topics, "topics 'enriched' and 'dead_letter' must differ");
        }
        if (config.topics.alerts == config.topics.enriched ||
            config.topics.alerts == config.topics.dead_letter) {
          Error(topics, "topic 'alerts' must differ from 'enriched' and 'dead_letter'");
        }
      }
    }
    if (YAML::Node service = root["service"]) LoadService(service, config.service);
    if (YAML::Node inputs = root["inputs"]) {
      LoadInputs(inputs, config);
      // An input on an output topic would read earshot's own records back.
      for (const InputConfig& input : config.inputs) {
        if (!input.topic.empty() &&
            (input.topic == config.topics.enriched || input.topic == config.topics.dead_letter ||
             input.topic == config.topics.alerts)) {
          errors_.push_back(
              {file_, input.location,
               "input topic '" + input.topic +
                   "' is one of earshot's output topics (topics.enriched, "
                   "topics.dead_letter, topics.alerts): it would read its own records"});
        }
      }
    } else {
      Error(root, "the config has no 'inputs'");
    }
    if (YAML::Node kafka = root["kafka"]) LoadKafka(kafka, config);
    if (YAML::Node limits = root["limits"]) {
      if (CheckMap(limits, {"max_record_bytes"}, "limits")) {
        int64_t value = 0;
        if (Integer(limits, "max_record_bytes", value, 1024, int64_t{1} << 30, "limits")) {
          config.max_record_bytes = static_cast<size_t>(value);
        }
      }
    }
    if (YAML::Node matching = root["matching"]) {
      config.matching_location = Location(matching);
      if (CheckMap(matching, {"max_mem_bytes", "patterns_per_set"}, "matching")) {
        int64_t value = 0;
        if (Integer(matching, "max_mem_bytes", value, int64_t{16} << 20, int64_t{16} << 30,
                    "matching")) {
          config.matching.max_mem_bytes = static_cast<size_t>(value);
        }
        if (Integer(matching, "patterns_per_set", value, 1, 100000, "matching")) {
          config.matching.patterns_per_set = static_cast<size_t>(value);
        }
      }
    }
    if (YAML::Node brands = root["brands"]) LoadBrands(brands, config);
    if (YAML::Node sentiment = root["sentiment"]) LoadSentiment(sentiment, config);
    if (YAML::Node complaints = root["complaints"]) LoadComplaints(complaints, config);
    if (YAML::Node aggregator = root["aggregator"]) {
      config_internal::LoadAggregator(*this, aggregator, config);
    }
  }
};

}  // namespace

std::string ConfigError::ToString() const {
  std::ostringstream out;
  out << file << ':' << location.line << ':' << location.column << ": " << message;
  return out.str();
}

std::string SuggestKey(const std::string& key, const std::vector<std::string>& known) {
  std::string best;
  size_t best_distance = std::max<size_t>(2, key.size() / 3) + 1;
  for (const auto& candidate : known) {
    size_t d = EditDistance(key, candidate);
    if (d < best_distance) {
      best_distance = d;
      best = candidate;
    }
  }
  return best;
}

ConfigResult LoadConfigFromString(const std::string& yaml, const std::string& name) {
  ConfigResult result;
  YAML::Node root;
  try {
    root = YAML::Load(yaml);
  } catch (const YAML::Exception& e) {
    result.errors.push_back({name, {e.mark.line + 1, e.mark.column + 1}, e.msg});
    return result;
  }
  auto config = std::make_shared<Config>();
  config->path = name;
  config->source = yaml;
  Loader loader(name, result.errors);
  try {
    loader.Load(root, *config);
  } catch (const YAML::Exception& e) {
    result.errors.push_back({name, {e.mark.line + 1, e.mark.column + 1}, e.msg});
  }
  if (result.errors.empty()) result.config = std::move(config);
  return result;
}

ConfigResult LoadConfig(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    ConfigResult result;
    result.errors.push_back({path, {0, 0}, "cannot open the config file"});
    return result;
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  return LoadConfigFromString(buffer.str(), path);
}

}  // namespace earshot::app
