#include "app/brands.h"

#include <cstdio>

namespace earshot::app {
namespace {

// Position of byte `offset` of a query string whose scalar starts at `at`. Quoted scalars
// start one column after their quote; multi-line scalars report the scalar's start.
SourceLocation Locate(const std::string& query, const SourceLocation& at, bool quoted,
                      uint32_t offset) {
  if (at.line == 0) return at;
  SourceLocation loc = at;
  if (query.find('\n') != std::string::npos) return loc;
  loc.column += static_cast<int>(offset) + (quoted ? 1 : 0);
  return loc;
}

}  // namespace

std::shared_ptr<const pipeline::match::RuleSet> CompileBrands(const Config& config,
                                                              std::vector<ConfigError>& errors) {
  std::vector<pipeline::match::BrandRule> rules;
  rules.reserve(config.brands.size());
  for (const BrandConfig& b : config.brands) {
    rules.push_back({b.id, b.name, b.query, b.exclude, b.competitors, b.tags});
  }
  std::vector<pipeline::match::CompileError> compile_errors;
  auto rule_set =
      pipeline::match::RuleSet::Compile(std::move(rules), config.matching, compile_errors);
  for (const auto& e : compile_errors) {
    const BrandConfig& b = config.brands[e.brand];
    const std::string& text = e.in_exclude ? b.exclude : b.query;
    SourceLocation at = e.in_exclude ? b.exclude_location : b.query_location;
    bool quoted = e.in_exclude ? b.exclude_quoted : b.query_quoted;
    std::string what = "brand '" + b.id + "' " + (e.in_exclude ? "exclude" : "query") + ": ";
    if (e.message.rfind("matching.", 0) == 0 || e.message.rfind("RE2::Set", 0) == 0) {
      errors.push_back({config.path, config.matching_location, e.message});
    } else {
      errors.push_back({config.path, Locate(text, at, quoted, e.offset), what + e.message});
    }
  }
  return rule_set;
}

LoadedBrands LoadConfigAndBrands(const std::string& path) {
  LoadedBrands out;
  ConfigResult loaded = LoadConfig(path);
  std::vector<ConfigError> errors = loaded.errors;
  std::shared_ptr<const pipeline::match::RuleSet> rules;
  if (loaded.ok()) rules = CompileBrands(*loaded.config, errors);
  for (const auto& e : errors) std::fprintf(stderr, "%s\n", e.ToString().c_str());
  out.error_count = errors.size();
  if (errors.empty()) {
    out.config = loaded.config;
    out.rules = std::move(rules);
  }
  return out;
}

}  // namespace earshot::app
