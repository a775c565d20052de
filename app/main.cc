// earshot's command line: wiring only. Each subcommand's work lives in its own function
// (app/commands.h).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <string>

#include "app/commands.h"
#include "ingest/format.h"

#ifndef EARSHOT_VERSION
#define EARSHOT_VERSION "0.0.0"
#endif

int main(int argc, char** argv) {
  using namespace earshot::app;
  CLI::App app{"earshot: hear what people say about your brands, within seconds."};
  app.set_version_flag("--version", std::string("earshot ") + EARSHOT_VERSION);
  app.require_subcommand(1);

  ParseOptions parse;
  CLI::App* parse_cmd =
      app.add_subcommand("parse", "Parse posts from files or stdin into one JSON Post per line");
  parse_cmd->add_option("--format,-f", parse.format,
                        std::string("Input format: ") + std::string(earshot::ingest::FormatNames()))
      ->capture_default_str();
  parse_cmd->add_option("--config,-c", parse.config,
                        "Config file (limits; the generic adapter's field mapping)");
  parse_cmd->add_option("--input", parse.input, "With --config: the input whose format to use");
  parse_cmd->add_flag("--quiet,-q", parse.quiet, "Print only the summary on stderr, not each skip");
  parse_cmd->add_option("files", parse.files, "Input files; '-' or none reads stdin");
  parse_cmd->footer(
      "Posts go to stdout, one JSON object per line (schemas/post.schema.json).\n"
      "Each skipped record is a JSON line on stderr, followed by a summary line.");

  MatchCommandOptions match;
  CLI::App* match_cmd = app.add_subcommand(
      "match", "Find the brands each post (or, with --text, each line) mentions");
  match_cmd->add_option("--config,-c", match.config, "Config file with the brands")->required();
  match_cmd->add_option("--format,-f", match.format, "Input format (as for parse)")
      ->capture_default_str();
  match_cmd->add_flag("--text", match.text, "Read one plain text per line instead of posts");
  match_cmd->add_flag("--quiet,-q", match.quiet, "Do not print each skipped record");
  match_cmd->add_option("files", match.files, "Input files; '-' or none reads stdin");
  match_cmd->footer(
      "Writes one JSON line per input: {\"id\": ..., \"brands\": [{\"id\": ..., \"spans\": "
      "[[begin, end], ...]}]}\nSpans are byte offsets into the post's text (title_spans: its "
      "title).");

  std::string config_path;
  CLI::App* check_cmd =
      app.add_subcommand("check-config", "Validate a config file and print a summary");
  check_cmd->add_option("file", config_path, "The YAML config file")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitUsage;
  }
  if (*parse_cmd) return RunParse(parse);
  if (*check_cmd) return RunCheckConfig(config_path);
  if (*match_cmd) return RunMatch(match);
  return kExitUsage;
}
