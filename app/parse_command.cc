#include <cstdio>
#include <map>
#include <string>

#include "app/brands.h"
#include "app/commands.h"
#include "app/config.h"
#include "ingest/post_parser.h"
#include "ingest/record_reader.h"
#include "ingest/text.h"
#include "pipeline/complaints/complaints.h"
#include "pipeline/sentiment/sentiment.h"

namespace earshot::app {
namespace {

void AppendRejectionJson(const ingest::Rejection& r, std::string& out) {
  out.append("{\"reason\":\"").append(ingest::RejectReasonName(r.reason)).append("\",\"detail\":");
  ingest::AppendJsonString(r.detail, out);
  out.append(",\"origin\":{\"topic\":");
  ingest::AppendJsonString(r.origin.topic, out);
  if (r.origin.line > 0) out.append(",\"line\":").append(std::to_string(r.origin.line));
  if (r.origin.index >= 0) out.append(",\"index\":").append(std::to_string(r.origin.index));
  out.append("}}\n");
}

}  // namespace

int RunParse(const ParseOptions& options) {
  ingest::ParserOptions parser_options;
  auto format = ingest::FormatFromName(options.format);
  if (!format) {
    std::fprintf(stderr, "earshot parse: unknown format '%s'; expected one of %s\n",
                 options.format.c_str(), std::string(ingest::FormatNames()).c_str());
    return kExitUsage;
  }
  if (!options.config.empty()) {
    ConfigResult loaded = LoadConfig(options.config);
    if (!loaded.ok()) {
      for (const auto& e : loaded.errors) std::fprintf(stderr, "%s\n", e.ToString().c_str());
      return kExitUsage;
    }
    parser_options.max_record_bytes = loaded.config->max_record_bytes;
    const InputConfig* chosen = nullptr;
    for (const auto& input : loaded.config->inputs) {
      if (options.input.empty() ? input.format == ingest::Format::kGeneric
                                : input.name == options.input) {
        chosen = &input;
        break;
      }
    }
    if (!options.input.empty() && chosen == nullptr) {
      std::fprintf(stderr, "earshot parse: %s has no input named '%s'\n", options.config.c_str(),
                   options.input.c_str());
      return kExitUsage;
    }
    if (chosen != nullptr) {
      parser_options.generic = chosen->mapping;
      if (!options.input.empty()) format = chosen->format;
    }
  } else if (*format == ingest::Format::kGeneric) {
    std::fprintf(stderr, "earshot parse: format 'generic' needs --config with a mapping\n");
    return kExitUsage;
  }

  ingest::PostParser parser(parser_options);
  std::vector<std::string> files = options.files;
  if (files.empty()) files.push_back("-");
  int64_t records = 0, posts = 0;
  std::map<std::string, int64_t> skipped;
  std::string buffer;
  int status = kExitOk;
  for (const auto& file : files) {
    simdjson::padded_string data;
    std::string error = ingest::ReadInput(file, data);
    if (!error.empty()) {
      std::fprintf(stderr, "earshot parse: %s\n", error.c_str());
      status = kExitRuntime;
      continue;
    }
    ingest::ParseInput(parser, std::string_view(data.data(), data.size()), *format, file,
                       [&](ingest::ParseOutput& out) {
                         ++records;
                         buffer.clear();
                         for (const auto& post : out.posts) {
                           ingest::AppendPostJson(post, buffer);
                           buffer.push_back('\n');
                         }
                         posts += static_cast<int64_t>(out.posts.size());
                         std::fwrite(buffer.data(), 1, buffer.size(), stdout);
                         buffer.clear();
                         for (const auto& r : out.rejections) {
                           ++skipped[std::string(ingest::RejectReasonName(r.reason))];
                           if (!options.quiet) AppendRejectionJson(r, buffer);
                         }
                         if (!buffer.empty()) std::fwrite(buffer.data(), 1, buffer.size(), stderr);
                       });
  }
  if (std::fflush(stdout) != 0) status = kExitRuntime;
  int64_t total_skipped = 0;
  std::string by_reason;
  for (const auto& [reason, n] : skipped) {
    total_skipped += n;
    by_reason += (by_reason.empty() ? " (" : ", ") + reason + ": " + std::to_string(n);
  }
  if (!by_reason.empty()) by_reason += ")";
  std::fprintf(stderr, "summary: read %lld records, parsed %lld posts, skipped %lld%s\n",
               static_cast<long long>(records), static_cast<long long>(posts),
               static_cast<long long>(total_skipped), by_reason.c_str());
  return status;
}

int RunCheckConfig(const std::string& path) {
  LoadedBrands loaded = LoadConfigAndBrands(path);
  if (!loaded.ok()) {
    std::fprintf(stderr, "%s: %zu error%s\n", path.c_str(), loaded.error_count,
                 loaded.error_count == 1 ? "" : "s");
    return kExitUsage;
  }
  const auto& rules = loaded.rules;
  const Config& config = *loaded.config;
  std::printf("%s: ok\n", path.c_str());
  std::printf("inputs: %zu\n", config.inputs.size());
  for (const auto& input : config.inputs) {
    std::printf("  %-20s %-6s %-30s format=%s\n", input.name.c_str(),
                input.topic.empty() ? "file" : "topic",
                (input.topic.empty() ? input.file : input.topic).c_str(),
                std::string(ingest::FormatName(input.format)).c_str());
  }
  std::printf("kafka: bootstrap=%s group_id=%s properties=%zu\n", config.kafka.bootstrap.c_str(),
              config.kafka.group_id.c_str(), config.kafka.properties.size());
  std::printf("limits: max_record_bytes=%zu\n", config.max_record_bytes);
  std::printf("brands: %zu (%zu distinct terms in %zu pattern sets)\n", config.brands.size(),
              rules->atoms().size(), rules->folded_sets().size() + rules->cased_sets().size());
  for (const auto& brand : config.brands) {
    std::printf("  %-20s %s\n", brand.id.c_str(), brand.name.c_str());
  }
  // The stages' data files and names are checked too (lexicons, models, cue files, categories
  // and routing rules), so a deployment fails here rather than at start-up.
  auto sentiment = LoadSentiment(&config, "", true);
  if (!sentiment) return kExitUsage;
  std::printf("sentiment: engine=%s\n", std::string(pipeline::sentiment::EngineName(
                                                         sentiment->options().engine)).c_str());
  bool disabled = false;
  auto complaints = LoadComplaints(&config, "", &disabled);
  if (disabled) {
    std::printf("complaints: disabled\n");
  } else if (!complaints) {
    return kExitUsage;
  } else {
    std::printf("complaints: %s, threshold %.2f, %zu categories, %zu cues, %zu routing rules, "
                "default queue %s\n",
                complaints->model() ? "model" : "cue rules only", complaints->options().threshold,
                complaints->categories().size(), complaints->cues().size(),
                complaints->routes().size(), complaints->options().default_queue.c_str());
  }
  return kExitOk;
}

}  // namespace earshot::app
