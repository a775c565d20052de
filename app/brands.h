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

}  // namespace earshot::app
