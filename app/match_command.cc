#include <cstdio>
#include <map>
#include <string>

#include "app/brands.h"
#include "app/commands.h"
#include "app/config.h"
#include "ingest/post_parser.h"
#include "ingest/record_reader.h"
#include "ingest/text.h"
#include "pipeline/match/matcher.h"

namespace earshot::app {
namespace {

void AppendSpans(const std::vector<pipeline::match::Span>& spans, std::string& out) {
  out.push_back('[');
  for (size_t i = 0; i < spans.size(); ++i) {
    if (i) out.push_back(',');
    out.append("[").append(std::to_string(spans[i].begin)).append(",");
    out.append(std::to_string(spans[i].end)).append("]");
  }
  out.push_back(']');
}

void AppendResult(const std::string& id, const pipeline::match::MatchResult& result,
                  const pipeline::match::RuleSet& rules, std::string& out) {
  out.append("{\"id\":");
  ingest::AppendJsonString(id, out);
  out.append(",\"brands\":[");
  for (size_t i = 0; i < result.count; ++i) {
    const auto& hit = result.hits[i];
    if (i) out.push_back(',');
    out.append("{\"id\":");
    ingest::AppendJsonString(rules.brands()[hit.brand].rule.id, out);
    out.append(",\"spans\":");
    AppendSpans(hit.spans, out);
    if (!hit.title_spans.empty()) {
      out.append(",\"title_spans\":");
      AppendSpans(hit.title_spans, out);
    }
    out.push_back('}');
  }
  out.append("]}\n");
}

}  // namespace

int RunMatch(const MatchCommandOptions& options) {
  LoadedBrands loaded = LoadConfigAndBrands(options.config);
  if (!loaded.ok()) return kExitUsage;
  const auto& rules = loaded.rules;
  auto format = ingest::FormatFromName(options.format);
  if (!format) {
    std::fprintf(stderr, "earshot match: unknown format '%s'\n", options.format.c_str());
    return kExitUsage;
  }
  pipeline::match::Matcher matcher(rules);
  pipeline::match::MatchResult result;
  std::vector<std::string> files = options.files;
  if (files.empty()) files.push_back("-");
  int64_t inputs = 0, matched = 0;
  std::map<std::string, int64_t> skipped;
  std::string out;
  int status = kExitOk;

  ingest::ParserOptions parser_options;
  parser_options.max_record_bytes = loaded.config->max_record_bytes;
  ingest::PostParser parser(parser_options);
  for (const auto& file : files) {
    simdjson::padded_string data;
    std::string error = ingest::ReadInput(file, data);
    if (!error.empty()) {
      std::fprintf(stderr, "earshot match: %s\n", error.c_str());
      status = kExitRuntime;
      continue;
    }
    std::string_view all(data.data(), data.size());
    if (options.text) {
      ingest::Post post;
      int64_t line = 0;
      size_t pos = 0;
      while (pos < all.size()) {
        size_t end = all.find('\n', pos);
        if (end == std::string_view::npos) end = all.size();
        std::string_view text = all.substr(pos, end - pos);
        if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
        pos = end + 1;
        ++line;
        post.text.assign(text);
        post.id = std::to_string(line);
        matcher.Match(post, result);
        ++inputs;
        matched += result.count > 0;
        out.clear();
        AppendResult(post.id, result, *rules, out);
        std::fwrite(out.data(), 1, out.size(), stdout);
      }
      continue;
    }
    ingest::ParseInput(parser, all, *format, file, [&](ingest::ParseOutput& parsed) {
      out.clear();
      for (const auto& post : parsed.posts) {
        matcher.Match(post, result);
        ++inputs;
        matched += result.count > 0;
        AppendResult(post.id, result, *rules, out);
      }
      std::fwrite(out.data(), 1, out.size(), stdout);
      for (const auto& r : parsed.rejections) {
        ++skipped[std::string(ingest::RejectReasonName(r.reason))];
        if (!options.quiet) {
          std::fprintf(stderr, "skipped %s:%lld: %s: %s\n", r.origin.topic.c_str(),
                       static_cast<long long>(r.origin.line),
                       std::string(ingest::RejectReasonName(r.reason)).c_str(), r.detail.c_str());
        }
      }
    });
  }
  if (std::fflush(stdout) != 0) status = kExitRuntime;
  int64_t total_skipped = 0;
  for (const auto& [reason, n] : skipped) total_skipped += n;
  std::fprintf(stderr, "summary: %lld inputs, %lld matched a brand, %lld records skipped\n",
               static_cast<long long>(inputs), static_cast<long long>(matched),
               static_cast<long long>(total_skipped));
  const pipeline::match::MatcherStats& ms = matcher.stats();
  std::fprintf(stderr,
               "prefilter: %llu of %llu posts scanned with the rule sets (%llu dropped on the raw "
               "text, %llu after normalization)\n",
               static_cast<unsigned long long>(ms.scanned),
               static_cast<unsigned long long>(ms.posts),
               static_cast<unsigned long long>(ms.no_key_ascii),
               static_cast<unsigned long long>(ms.no_key_view));
  return status;
}

}  // namespace earshot::app
