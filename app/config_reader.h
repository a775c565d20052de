// The strict YAML reading every config section shares: type checks, ranges, unknown keys with a
// did-you-mean, and every problem reported as `file:line:col: what is wrong`. Internal to
// app/config*.cc.
#pragma once

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "app/config.h"

namespace earshot::app::config_internal {

inline std::string TypeName(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Null:
      return "null";
    case YAML::NodeType::Scalar:
      return "a scalar";
    default:
      return "nothing";
  }
}

class ConfigReader {
 public:
  ConfigReader(std::string file, std::vector<ConfigError>& errors)
      : file_(std::move(file)), errors_(errors) {}

  void Error(const YAML::Node& node, const std::string& message) {
    errors_.push_back({file_, Location(node), message});
  }

  static SourceLocation Location(const YAML::Node& node) {
    YAML::Mark mark = node.Mark();
    if (mark.is_null()) return {};
    return {mark.line + 1, mark.column + 1};
  }

  // Reports keys of `map` not in `known`. Returns false when `map` is not a mapping.
  bool CheckMap(const YAML::Node& map, const std::vector<std::string>& known,
                const std::string& what) {
    if (!map.IsMap()) {
      Error(map, what + " must be a mapping, found " + TypeName(map));
      return false;
    }
    std::map<std::string, SourceLocation> seen;
    for (const auto& kv : map) {
      std::string key = kv.first.Scalar();
      // YAML leaves a repeated key to the loader; yaml-cpp keeps both and reads the first.
      if (auto [at, fresh] = seen.emplace(key, Location(kv.first)); !fresh) {
        Error(kv.first, "duplicate key '" + key + "' in " + what + " (first at line " +
                            std::to_string(at->second.line) + ")");
        continue;
      }
      if (std::find(known.begin(), known.end(), key) != known.end()) continue;
      std::string message = "unknown key '" + key + "' in " + what;
      std::string suggestion = SuggestKey(key, known);
      if (!suggestion.empty()) message += "; did you mean '" + suggestion + "'?";
      Error(kv.first, message);
    }
    return true;
  }

  bool String(const YAML::Node& map, const std::string& key, std::string& out, bool required,
              const std::string& what) {
    YAML::Node node = map[key];
    if (!node) {
      if (required) Error(map, what + " is missing required key '" + key + "'");
      return false;
    }
    if (!node.IsScalar()) {
      Error(node, "'" + key + "' in " + what + " must be a string, found " + TypeName(node));
      return false;
    }
    out = node.Scalar();
    if (required && out.empty()) {
      Error(node, "'" + key + "' in " + what + " must not be empty");
      return false;
    }
    return true;
  }

  bool Integer(const YAML::Node& map, const std::string& key, int64_t& out, int64_t min,
               int64_t max, const std::string& what) {
    YAML::Node node = map[key];
    if (!node) return false;
    int64_t value = 0;
    bool ok = node.IsScalar() && YAML::convert<int64_t>::decode(node, value);
    if (!ok) {
      Error(node, "'" + key + "' in " + what + " must be an integer");
      return false;
    }
    if (value < min || value > max) {
      Error(node, "'" + key + "' in " + what + " must be between " + std::to_string(min) + " and " +
                      std::to_string(max) + ", found " + std::to_string(value));
      return false;
    }
    out = value;
    return true;
  }

  bool Number(const YAML::Node& map, const std::string& key, double& out, double min, double max,
              const std::string& what) {
    YAML::Node node = map[key];
    if (!node) return false;
    double value = 0;
    if (!node.IsScalar() || !YAML::convert<double>::decode(node, value)) {
      Error(node, "'" + key + "' in " + what + " must be a number");
      return false;
    }
    if (value < min || value > max) {
      Error(node, "'" + key + "' in " + what + " must be between " + std::to_string(min) + " and " +
                      std::to_string(max));
      return false;
    }
    out = value;
    return true;
  }

  std::string Resolve(const std::string& path) const {
    if (path.empty() || path[0] == '/') return path;
    size_t slash = file_.rfind('/');
    return slash == std::string::npos ? path : file_.substr(0, slash + 1) + path;
  }

  bool Bool(const YAML::Node& map, const std::string& key, bool& out, const std::string& what) {
    YAML::Node node = map[key];
    if (!node) return false;
    bool value = false;
    if (!node.IsScalar() || !YAML::convert<bool>::decode(node, value)) {
      Error(node, "'" + key + "' in " + what + " must be true or false");
      return false;
    }
    out = value;
    return true;
  }

 protected:
  std::string file_;
  std::vector<ConfigError>& errors_;
};

// The `aggregator:` section (app/config_aggregator.cc).
void LoadAggregator(ConfigReader& reader, const YAML::Node& node, Config& config);

}  // namespace earshot::app::config_internal
