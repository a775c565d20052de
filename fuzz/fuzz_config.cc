// libFuzzer target for the YAML config loader (app::LoadConfigFromString) and the brand compiler
// (app::CompileBrands). Neither may throw or crash on any text; a result is either a config or at
// least one positioned error, and brands either compile or report errors.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "app/brands.h"
#include "app/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 64 * 1024) return 0;  // config files are small; keep the fuzzer on structure
  std::string yaml(reinterpret_cast<const char*>(data), size);
  earshot::app::ConfigResult result = earshot::app::LoadConfigFromString(yaml, "fuzz.yaml");
  if (result.ok() != (result.config != nullptr)) {
    std::fprintf(stderr, "earshot fuzz invariant broken: ok() disagrees with config\n");
    std::abort();
  }
  for (const auto& error : result.errors) {
    if (error.message.empty()) {
      std::fprintf(stderr, "earshot fuzz invariant broken: error without message\n");
      std::abort();
    }
    (void)error.ToString();
  }
  if (result.config) {
    // Brand queries compile, or their errors are placed by reading the YAML back.
    std::vector<earshot::app::ConfigError> errors;
    auto rules = earshot::app::CompileBrands(*result.config, errors);
    if ((rules == nullptr) == errors.empty()) {
      std::fprintf(stderr, "earshot fuzz invariant broken: brands neither compiled nor errors\n");
      std::abort();
    }
    for (const auto& error : errors) (void)error.ToString();
    for (const auto& input : result.config->inputs) {
      if (input.topic.empty() == input.file.empty()) {
        std::fprintf(stderr, "earshot fuzz invariant broken: input needs exactly one of topic/file\n");
        std::abort();
      }
    }
  }
  return 0;
}
