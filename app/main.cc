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

  EnrichCommandOptions enrich;
  CLI::App* enrich_cmd = app.add_subcommand(
      "enrich", "Run the whole stateless chain offline: parse, match, sentiment, complaints");
  enrich_cmd->add_option("--config,-c", enrich.config,
                         "Config file: brands, sentiment and complaints sections")
      ->required();
  enrich_cmd->add_option("--format,-f", enrich.format, "Input format (as for parse)")
      ->capture_default_str();
  enrich_cmd->add_flag("--all", enrich.all, "Also print posts that matched no brand");
  enrich_cmd->add_flag("--quiet,-q", enrich.quiet, "Do not print each skipped record");
  enrich_cmd->add_option("files", enrich.files, "Input files; '-' or none reads stdin");
  enrich_cmd->footer(
      "Writes one enriched record per matched post, one JSON object per line\n"
      "(schemas/enriched_post.schema.json: post, brands, sentiment, intent, complaint).\n"
      "Posts matching no brand are counted in the summary on stderr, not printed (unless --all).");

  RunOptions run;
  CLI::App* run_cmd = app.add_subcommand(
      "run", "Run the streaming service: consume raw topics, enrich, produce, commit");
  run_cmd->add_option("--config,-c", run.config, "Config file")->required();
  run_cmd->add_option("--duration", run.duration_s, "Stop after this many seconds (default: run "
                                                    "until SIGINT/SIGTERM)");
  run_cmd->add_flag("--summary", run.summary, "Print a live summary on stderr every 2 s");
  run_cmd->add_option("--admin-listen", run.admin_listen,
                      "host:port for /metrics, /healthz, /readyz (overrides the config)");
  run_cmd->add_option("--bootstrap", run.bootstrap,
                      "Kafka bootstrap servers, or 'embedded' (overrides the config)");
  run_cmd->add_option("--bootstrap-file", run.bootstrap_file,
                      "Write the Kafka bootstrap servers to this file once started");
  run_cmd->add_option("--admin-port-file", run.admin_port_file,
                      "Write the admin HTTP port to this file once listening");

  AggregateCommandOptions aggregate;
  CLI::App* aggregate_cmd = app.add_subcommand(
      "aggregate",
      "Run the aggregator: windows per brand over the enriched topic, spike detection, alerts");
  aggregate_cmd->add_option("--config,-c", aggregate.config, "Config file")->required();
  aggregate_cmd->add_option("--duration", aggregate.duration_s,
                            "Stop after this many seconds (default: run until SIGINT/SIGTERM)");
  aggregate_cmd->add_option("--bootstrap", aggregate.bootstrap,
                            "Kafka bootstrap servers (overrides the config)");
  aggregate_cmd->add_option("--admin-listen", aggregate.admin_listen,
                            "host:port for /metrics, /healthz, /readyz, /stats (overrides the "
                            "config)");
  aggregate_cmd->add_option("--admin-port-file", aggregate.admin_port_file,
                            "Write the admin HTTP port to this file once listening");
  aggregate_cmd->add_option("--alertmanager", aggregate.alertmanager,
                            "Alertmanager base URL (overrides aggregator.alertmanager.url)");
  aggregate_cmd->footer(
      "Reads topics.enriched, writes alerts to topics.alerts (schemas/alert.schema.json) and, "
      "with\n"
      "an Alertmanager URL, posts them there. Settings: the config's `aggregator:` section.");

  BrokerOptions broker;
  CLI::App* broker_cmd = app.add_subcommand(
      "broker", "Run an embedded Kafka broker (librdkafka's mock cluster) on loopback");
  broker_cmd->add_option("--partitions", broker.partitions, "Partitions per topic")
      ->capture_default_str();
  broker_cmd->add_option("--brokers", broker.brokers, "Number of brokers")->capture_default_str();
  broker_cmd
      ->add_option("--topics", broker.topics,
                   "Topics to create: NAME or NAME:PARTITIONS, comma-separated")
      ->delimiter(',');
  broker_cmd->add_option("--bootstrap-file", broker.bootstrap_file,
                         "Also write the bootstrap servers to this file");
  broker_cmd->footer("Prints the bootstrap servers on stdout and runs until SIGINT/SIGTERM.\n"
                     "Retention is about 5 MiB per partition: use enough partitions.");

  GenerateOptions generate;
  CLI::App* gen_cmd = app.add_subcommand(
      "generate", "Write realistic synthetic posts in the real source formats");
  gen_cmd->add_option("--rate", generate.rate, "Records per second")->capture_default_str();
  gen_cmd->add_option("--duration", generate.duration_s, "Seconds to run (0: until --count)")
      ->capture_default_str();
  gen_cmd->add_option("--count", generate.count, "Stop after this many records");
  gen_cmd->add_option("--config,-c", generate.config, "Take brand names from this config");
  gen_cmd->add_option("--brands", generate.brands_file, "File with one brand name per line");
  gen_cmd->add_option("--scenario", generate.scenario, "steady | complaint-storm")
      ->capture_default_str();
  gen_cmd->add_option("--storm-at", generate.storm_at_s, "complaint-storm: start (seconds)")
      ->capture_default_str();
  gen_cmd->add_option("--to", generate.to, "stdout | kafka")->capture_default_str();
  gen_cmd->add_option("--bootstrap", generate.bootstrap, "Kafka bootstrap servers");
  gen_cmd->add_option("--bootstrap-file", generate.bootstrap_file,
                      "Read the bootstrap servers from this file (waits up to 30 s for it)");
  gen_cmd->add_option("--topic-prefix", generate.topic_prefix, "Prefix of the raw topics")
      ->capture_default_str();
  gen_cmd->add_option("--topic", generate.topic,
                      "Write every record to this one topic (format auto) instead");
  gen_cmd->add_option("--seed", generate.seed, "Random seed")->capture_default_str();
  gen_cmd->add_option("--kafka-property", generate.kafka_properties,
                      "librdkafka producer property KEY=VALUE (repeatable; overrides the "
                      "defaults, e.g. linger.ms=5)");
  gen_cmd
      ->add_option("--pool", generate.pool,
                   "Load-test mode: generate this many records up front and send them in turn "
                   "(0: off; --scenario steady only)")
      ->capture_default_str();
  gen_cmd->footer("Topics: <prefix>x (X v2), x.v1, reddit, bluesky, mastodon, reviews (Yelp, "
                  "Amazon, Google Play).\nAbout 0.3% of records are malformed on purpose.");

  BenchOptions bench;
  CLI::App* bench_cmd = app.add_subcommand(
      "bench", "End-to-end benchmark on an embedded broker: 1,000 real brands, the generator's "
               "mix, next to the Python pipeline (needs ../shared)");
  bench_cmd->add_option("--shared", bench.shared, "The shared data folder")->capture_default_str();
  bench_cmd->add_option("--lexicon", bench.lexicon, "VADER lexicon for the Python peer")
      ->capture_default_str();
  bench_cmd->add_option("--records", bench.records, "Catch-up corpus size")->capture_default_str();
  bench_cmd->add_option("--seconds", bench.seconds, "Latency and sustained phases, seconds")
      ->capture_default_str();
  bench_cmd
      ->add_option("--rate", bench.rate,
                   "Maximum sustained rate to test (0: probe for it; latency runs at half)")
      ->capture_default_str();
  bench_cmd
      ->add_option("--sustain-linger-ms", bench.sustain_linger_ms,
                   "The generator's linger.ms in the sustained phase (the other phases use 5)")
      ->check(CLI::Range(0, 60000))
      ->capture_default_str();
  bench_cmd
      ->add_option("--sustain-pool", bench.sustain_pool,
                   "Records the generator makes before the sustained phase's clock starts and "
                   "sends in turn (0: it formats each as it goes)")
      ->check(CLI::Range(int64_t{0}, int64_t{10000000}))
      ->capture_default_str();
  bench_cmd->add_option("--workers", bench.workers, "earshot workers")->capture_default_str();
  bench_cmd->add_option("--memory-budget-mb", bench.memory_budget_mb, "service.memory_budget_mb")
      ->capture_default_str();
  bench_cmd
      ->add_option("--enriched-partitions", bench.enriched_partitions,
                   "Partitions of earshot.enriched")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  bench_cmd->add_option("--producer-property", bench.producer_properties,
                        "earshot's producer property KEY=VALUE (repeatable; kafka.producer in "
                        "the bench config)");
  bench_cmd->add_flag("--no-python", bench.no_python, "Skip the Python pipeline");
  bench_cmd->add_flag("--keep", bench.keep, "Keep the temporary folder (config, logs)");

  std::string config_path;
  CLI::App* check_cmd =
      app.add_subcommand("check-config", "Validate a config file and print a summary");
  check_cmd->add_option("file", config_path, "The YAML config file")->required();

  ScoreOptions score;
  CLI::App* score_cmd =
      app.add_subcommand("score", "Score the sentiment of one text per line from stdin");
  score_cmd->add_option("--config,-c", score.config,
                        "Config file: brands to mask and the sentiment section");
  score_cmd->add_option("--engine", score.engine, "lexicon, model or ensemble (overrides config)");
  score_cmd->add_option("--lang", score.lang, "Language tag of every line (default: detect)");
  score_cmd->add_flag("--no-language-gate", score.no_language_gate, "Score every line as English");
  score_cmd->footer(
      "Writes one JSON line per text: {\"label\", \"compound\", \"pos\", \"neu\", \"neg\", "
      "\"engine\"}.");

  EvalSentimentOptions eval_sentiment;
  CLI::App* eval_cmd = app.add_subcommand("eval", "Evaluate a component against gold data");
  eval_cmd->require_subcommand(1);
  CLI::App* eval_sentiment_cmd =
      eval_cmd->add_subcommand("sentiment", "Score a gold data set and print the metrics");
  eval_sentiment_cmd->add_option("--data", eval_sentiment.data, "Gold data file")->required();
  eval_sentiment_cmd->add_option("--format", eval_sentiment.format, "vader-gold, semeval, tweeteval")
      ->required();
  eval_sentiment_cmd->add_option("--config,-c", eval_sentiment.config, "Config (sentiment section)");
  eval_sentiment_cmd->add_option("--engine", eval_sentiment.engine, "lexicon, model or ensemble");
  eval_sentiment_cmd->add_option("--lang", eval_sentiment.lang, "Language tag of every text");
  eval_sentiment_cmd->add_option("--handles", eval_sentiment.handles,
                                 "@handles: mask (default), remove, or word (keep as a word)");
  eval_sentiment_cmd->add_flag("--only-handles", eval_sentiment.only_handles,
                               "Only texts that contain an @handle");
  eval_sentiment_cmd->add_flag("--no-language-gate", eval_sentiment.no_language_gate,
                               "Score every text as English");
  eval_sentiment_cmd->add_flag("--json", eval_sentiment.json, "One JSON line of metrics");
  eval_sentiment_cmd->add_flag("--dump", eval_sentiment.dump, "Print each item's prediction");
  eval_sentiment_cmd->add_option("--model", eval_sentiment.model, "Sentiment model file");
  eval_sentiment_cmd->add_option("--ensemble-weight", eval_sentiment.ensemble_weight,
                                 "The ensemble's lexicon weight (0..1)")
      ->check(CLI::Range(0.0, 1.0));
  CLI::Option* print_texts_opt = eval_sentiment_cmd->add_flag(
      "--print-texts", eval_sentiment.print_texts,
      "Print the texts as earshot scores them, one per line, and stop (input for another tool)");
  eval_sentiment_cmd
      ->add_option("--scores", eval_sentiment.scores,
                   "Measure another tool instead: its scores, one line per text in the order "
                   "--print-texts gives, the score first (after it, a TAB and anything)")
      ->excludes(print_texts_opt);
  eval_sentiment_cmd->add_option("--positive-threshold", eval_sentiment.positive_threshold,
                                 "With --scores: a score at or above it is positive (0.05)");
  eval_sentiment_cmd->add_option("--negative-threshold", eval_sentiment.negative_threshold,
                                 "With --scores: a score at or below it is negative (-0.05)");

  EvalComplaintsOptions eval_complaints;
  CLI::App* eval_complaints_cmd = eval_cmd->add_subcommand(
      "complaints", "Complaint detection figures: cross-validation holding out whole domains, "
                    "baselines, per-domain and category figures");
  eval_complaints_cmd->add_option("--data", eval_complaints.data,
                                  "complaints-data.csv (tweet_id,text,label,domain)")
      ->required();
  eval_complaints_cmd->add_option("--config,-c", eval_complaints.config,
                                  "Config (sentiment and complaints sections)");
  eval_complaints_cmd->add_option("--model", eval_complaints.model,
                                  "Score this fixed model instead of cross-validating");
  eval_complaints_cmd->add_option("--categories", eval_complaints.categories,
                                  "Category gold (tests/data/complaint_categories.tsv)");
  eval_complaints_cmd->add_flag("--json", eval_complaints.json, "One JSON line of figures");
  eval_complaints_cmd->add_flag("--dump", eval_complaints.dump, "Print each item's prediction");
  eval_complaints_cmd->add_flag("--strict-domains", eval_complaints.strict_domains,
                                "Hold out the background domains (no complaints) as folds too");
  eval_complaints_cmd->add_option("--epochs", eval_complaints.train.epochs, "Trainer epochs")
      ->capture_default_str();
  eval_complaints_cmd->add_option("--l2", eval_complaints.train.l2, "Trainer L2 penalty")
      ->capture_default_str();
  eval_complaints_cmd->add_option("--learning-rate", eval_complaints.train.learning_rate,
                                  "Trainer AdaGrad rate")
      ->capture_default_str();
  eval_complaints_cmd->add_option("--balance-power", eval_complaints.train.balance_power,
                                  "Trainer class-weight power")
      ->capture_default_str();

  TrainSentimentOptions train_sentiment;
  train_sentiment.data_dir = "../shared/data/sentiment";
  train_sentiment.out = "pipeline/sentiment/model/sentiment.model";
  CLI::App* train_cmd = app.add_subcommand("train", "Train a model");
  train_cmd->require_subcommand(1);
  CLI::App* train_sentiment_cmd = train_cmd->add_subcommand(
      "sentiment", "Train the sentiment model on SemEval 2013-2016 (see its README)");
  train_sentiment_cmd->add_option("--data-dir", train_sentiment.data_dir,
                                  "Folder with semeval2013-2016/ and tweeteval/")
      ->capture_default_str();
  train_sentiment_cmd->add_option("--out", train_sentiment.out, "Model file to write")
      ->capture_default_str();
  train_sentiment_cmd->add_option("--hash-bits", train_sentiment.hash_bits, "log2 of buckets")
      ->capture_default_str();
  train_sentiment_cmd->add_option("--epochs", train_sentiment.epochs, "Epochs")
      ->capture_default_str();
  train_sentiment_cmd->add_option("--learning-rate", train_sentiment.learning_rate, "AdaGrad rate")
      ->capture_default_str();
  train_sentiment_cmd->add_option("--l2", train_sentiment.l2, "L2 penalty")->capture_default_str();
  train_sentiment_cmd->add_option("--features", train_sentiment.feature_flags,
                                  "Feature flag bits (pipeline/sentiment/features.h)")
      ->capture_default_str();
  train_sentiment_cmd->add_option("--seed", train_sentiment.seed, "Shuffle seed")
      ->capture_default_str();
  train_sentiment_cmd->add_option("--average-every", train_sentiment.average_every,
                                  "Average the weights sampled every N examples (0: off)")
      ->capture_default_str();
  train_sentiment_cmd->add_option("--balance-power", train_sentiment.balance_power,
                                  "Class weights (N / (3 n_class))^power; 0: unweighted")
      ->capture_default_str();
  train_sentiment_cmd->add_flag("--tune-shift", train_sentiment.tune_shift,
                                "Shift class log-odds to maximize validation macro-F1");
  train_sentiment_cmd->add_flag("--refit", train_sentiment.refit,
                                "Choose epoch and shift on validation, then train again on "
                                "training + validation and write that model");

  TrainComplaintsOptions train_complaints;
  CLI::App* train_complaints_cmd = train_cmd->add_subcommand(
      "complaints", "Train the complaint model (logistic regression) on the complaints data set");
  train_complaints_cmd->add_option("--data", train_complaints.data, "complaints-data.csv")
      ->capture_default_str();
  train_complaints_cmd->add_option("--out", train_complaints.out, "Model file to write")
      ->capture_default_str();
  train_complaints_cmd->add_option("--hash-bits", train_complaints.hash_bits, "log2 of buckets")
      ->capture_default_str();
  train_complaints_cmd->add_option("--epochs", train_complaints.epochs, "Epochs")
      ->capture_default_str();
  train_complaints_cmd->add_option("--learning-rate", train_complaints.learning_rate,
                                   "AdaGrad rate")
      ->capture_default_str();
  train_complaints_cmd->add_option("--l2", train_complaints.l2, "L2 penalty")->capture_default_str();
  train_complaints_cmd->add_option("--balance-power", train_complaints.balance_power,
                                   "Class weights (N / (2 n_class))^power")
      ->capture_default_str();
  train_complaints_cmd->add_option("--seed", train_complaints.seed, "Shuffle seed")
      ->capture_default_str();
  train_complaints_cmd->add_flag("--no-cv", train_complaints.no_cv,
                                 "Skip the domain-held-out cross-validation");

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
  if (*score_cmd) return RunScore(score);
  if (*eval_sentiment_cmd) return RunEvalSentiment(eval_sentiment);
  if (*train_sentiment_cmd) return RunTrainSentiment(train_sentiment);
  if (*match_cmd) return RunMatch(match);
  if (*enrich_cmd) return RunEnrich(enrich);
  if (*bench_cmd) return RunBench(bench);
  if (*eval_complaints_cmd) return RunEvalComplaints(eval_complaints);
  if (*train_complaints_cmd) return RunTrainComplaints(train_complaints);
  if (*run_cmd) return RunService(run);
  if (*gen_cmd) return RunGenerate(generate);
  if (*broker_cmd) return RunBroker(broker);
  if (*aggregate_cmd) return RunAggregate(aggregate);
  return kExitUsage;
}
