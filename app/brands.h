// Compiles the config's brands into a match::RuleSet, translating query compile errors into
// config errors at the query's position in the YAML file.
#pragma once

#include <memory>
#include <vector>

#include "app/config.h"
#include "pipeline/match/rule_set.h"

namespace earshot::app {

[[nodiscard]] std::shared_ptr<const pipeline::match::RuleSet> CompileBrands(
    const Config& config, std::vector<ConfigError>& errors);

// What every command that needs brands starts with: the config loaded and validated and its
// brands compiled, or every error printed to stderr as file:line:col (rules and config null).
struct LoadedBrands {
  std::shared_ptr<const Config> config;
  std::shared_ptr<const pipeline::match::RuleSet> rules;
  size_t error_count = 0;
  bool ok() const { return error_count == 0; }
};
[[nodiscard]] LoadedBrands LoadConfigAndBrands(const std::string& path);

}  // namespace earshot::app
