// earshot enrich: the whole stateless chain offline — parse, normalize, match, sentiment,
// complaints — from files or stdin, one enriched record per matched post on stdout.
#include <cstdio>
#include <map>
#include <string>

#include "app/brands.h"
#include "app/commands.h"
#include "app/config.h"
#include "ingest/post_parser.h"
#include "ingest/record_reader.h"
#include "pipeline/enrich.h"

namespace earshot::app {

int RunEnrich(const EnrichCommandOptions& options) {
  LoadedBrands loaded = LoadConfigAndBrands(options.config);
  if (!loaded.ok()) return kExitUsage;
  auto format = ingest::FormatFromName(options.format);
  if (!format) {
    std::fprintf(stderr, "earshot enrich: unknown format '%s'; expected one of %s\n",
                 options.format.c_str(), std::string(ingest::FormatNames()).c_str());
    return kExitUsage;
  }
  const Config& config = *loaded.config;
  ingest::ParserOptions parser_options;
  parser_options.max_record_bytes = config.max_record_bytes;
  bool has_mapping = false;
  for (const auto& input : config.inputs) {
    if (input.format == ingest::Format::kGeneric) {
      parser_options.generic = input.mapping;
      has_mapping = true;
      break;
    }
  }
  if (*format == ingest::Format::kGeneric && !has_mapping) {
    std::fprintf(stderr, "earshot enrich: format 'generic' needs an input with a mapping in %s\n",
                 options.config.c_str());
    return kExitUsage;
  }
  auto sentiment = LoadSentiment(&config, "", true);
  if (!sentiment) return kExitUsage;
  bool complaints_disabled = false;
  auto complaints = LoadComplaints(&config, "", &complaints_disabled);
  if (!complaints && !complaints_disabled) return kExitUsage;

  pipeline::EnrichOptions enrich_options;
  enrich_options.per_post = true;
  enrich_options.include_unmatched = options.all;
  pipeline::Enricher enricher(parser_options, loaded.rules, sentiment, complaints, enrich_options);
  ingest::PostParser parser(parser_options);
  pipeline::EnrichResult result;
  std::vector<std::string> files = options.files;
  if (files.empty()) files.push_back("-");
  int64_t posts = 0, matched = 0, complaint_posts = 0;
  std::map<std::string, int64_t> skipped;
  std::string out;
  int status = kExitOk;
  for (const auto& file : files) {
    simdjson::padded_string data;
    std::string error = ingest::ReadInput(file, data);
    if (!error.empty()) {
      std::fprintf(stderr, "earshot enrich: %s\n", error.c_str());
      status = kExitRuntime;
      continue;
    }
    ingest::ParseInput(parser, std::string_view(data.data(), data.size()), *format, file,
                       [&](ingest::ParseOutput& parsed) {
                         result.count = 0;
                         result.posts = 0;
                         result.matched_posts = 0;
                         enricher.EnrichPosts(parsed.posts, result);
                         posts += static_cast<int64_t>(result.posts);
                         matched += static_cast<int64_t>(result.matched_posts);
                         out.clear();
                         for (size_t i = 0; i < result.count; ++i) {
                           const pipeline::OutputRecord& rec = result.records[i];
                           complaint_posts += rec.matched && rec.complaint;
                           out.append(rec.value);
                           out.push_back('\n');
                         }
                         std::fwrite(out.data(), 1, out.size(), stdout);
                         for (const auto& r : parsed.rejections) {
                           ++skipped[std::string(ingest::RejectReasonName(r.reason))];
                           if (!options.quiet) {
                             std::fprintf(stderr, "skipped %s:%lld: %s: %s\n",
                                          r.origin.topic.c_str(),
                                          static_cast<long long>(r.origin.line),
                                          std::string(ingest::RejectReasonName(r.reason)).c_str(),
                                          r.detail.c_str());
                           }
                         }
                       });
  }
  if (std::fflush(stdout) != 0) status = kExitRuntime;
  int64_t total_skipped = 0;
  std::string reasons;
  for (const auto& [reason, n] : skipped) {
    total_skipped += n;
    reasons += " " + reason + "=" + std::to_string(n);
  }
  std::fprintf(stderr,
               "summary: %lld posts, %lld matched a brand (%lld complaints), %lld matched no "
               "brand (%s), %lld records skipped%s\n",
               static_cast<long long>(posts), static_cast<long long>(matched),
               static_cast<long long>(complaint_posts), static_cast<long long>(posts - matched),
               options.all ? "printed" : "counted, not printed",
               static_cast<long long>(total_skipped), reasons.c_str());
  return status;
}

}  // namespace earshot::app
