// Parse benchmarks: every format adapter (through PostParser, in place on a padded JSON Lines
// buffer) next to a bare simdjson On-Demand pass over the same bytes that reads the same few
// fields without building Posts. The bare pass is the ceiling an adapter is measured against;
// scripts/bench.sh prints both and their ratio. See bench/README.md for the method.
//
// Inputs are the real samples in ../shared/fixtures (EARSHOT_SHARED_DIR, or the environment
// variable of that name), replicated in memory to EARSHOT_BENCH_MB megabytes (default 50). A
// benchmark whose fixtures are absent is skipped with an error message naming the missing file.
#include <benchmark/benchmark.h>
#include <simdjson.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/adapter.h"
#include "ingest/format.h"
#include "ingest/generic_mapping.h"
#include "ingest/post_parser.h"
#include "ingest/record_reader.h"
#include "ingest/twcs_csv.h"

#ifndef EARSHOT_SHARED_DIR
#define EARSHOT_SHARED_DIR "../shared"
#endif

namespace {

namespace od = simdjson::ondemand;
using earshot::ingest::Format;
using simdjson::error_code;
using simdjson::SUCCESS;

// ---------------------------------------------------------------------------------------------
// The bare passes. Each reads the fields an adapter needs for a Post's identity and content and
// hands them to a Sink (which only sums lengths, so nothing is optimised away).

struct Sink {
  uint64_t bytes = 0;
  uint64_t posts = 0;
};

std::string_view Key(od::field& field) {
  const char* begin = field.key().raw();
  const char* end = begin;
  while (*end != '"') end += (*end == '\\') ? 2 : 1;
  return {begin, static_cast<size_t>(end - begin)};
}

void TakeString(od::value value, Sink& sink) {
  std::string_view s;
  if (value.get_string().get(s) == SUCCESS) sink.bytes += s.size();
}

// Ids and times that may be strings or numbers: numbers are read as their digits, like an
// adapter that keeps ids exact.
void TakeScalar(od::value value, Sink& sink) {
  od::json_type type;
  if (value.type().get(type) != SUCCESS) return;
  if (type == od::json_type::string) {
    TakeString(value, sink);
  } else if (type == od::json_type::number) {
    sink.bytes += value.raw_json_token().size();
  }
}

// {"label": "..."} (App Store RSS wraps every value like this).
error_code TakeLabel(od::value value, Sink& sink) {
  od::object obj;
  if (value.get_object().get(obj) != SUCCESS) return SUCCESS;
  for (auto field_result : obj) {
    od::field field;
    if (auto e = std::move(field_result).get(field)) return e;
    if (Key(field) == "label") TakeString(field.value(), sink);
  }
  return SUCCESS;
}

template <typename Fn>
error_code ForEachObject(od::value value, Fn&& fn) {
  od::json_type type;
  if (auto e = value.type().get(type)) return e;
  if (type == od::json_type::object) {
    od::object obj;
    if (auto e = value.get_object().get(obj)) return e;
    return fn(obj);
  }
  if (type != od::json_type::array) return SUCCESS;
  od::array arr;
  if (auto e = value.get_array().get(arr)) return e;
  for (auto item_result : arr) {
    od::object obj;
    if (auto e = std::move(item_result).get_object().get(obj)) return e;
    if (auto e = fn(obj)) return e;
  }
  return SUCCESS;
}

// Root documents are objects or arrays of objects.
template <typename Fn>
error_code ForEachRootObject(od::document& doc, Fn&& fn) {
  od::json_type type;
  if (auto e = doc.type().get(type)) return e;
  if (type == od::json_type::object) {
    od::object obj;
    if (auto e = doc.get_object().get(obj)) return e;
    return fn(obj);
  }
  od::array arr;
  if (auto e = doc.get_array().get(arr)) return e;
  for (auto item_result : arr) {
    od::object obj;
    if (auto e = std::move(item_result).get_object().get(obj)) return e;
    if (auto e = fn(obj)) return e;
  }
  return SUCCESS;
}

// Reads `keys` with TakeScalar and counts one post per object (ids are checked by the adapters,
// not here).
template <size_t N>
error_code FlatRecord(od::object obj, const std::string_view (&keys)[N], Sink& sink) {
  for (auto field_result : obj) {
    od::field field;
    if (auto e = std::move(field_result).get(field)) return e;
    std::string_view key = Key(field);
    for (std::string_view k : keys) {
      if (key == k) {
        TakeScalar(field.value(), sink);
        break;
      }
    }
  }
  ++sink.posts;
  return SUCCESS;
}

// X v2: data (object or array): id, text, created_at, author_id, lang; includes.users: id,
// username (the author join).
error_code BareXV2(od::document& doc, Sink& sink) {
  od::object root;
  if (auto e = doc.get_object().get(root)) return e;
  static constexpr std::string_view kTweet[] = {"id", "text", "created_at", "author_id", "lang"};
  static constexpr std::string_view kUser[] = {"id", "username"};
  for (auto field_result : root) {
    od::field field;
    if (auto e = std::move(field_result).get(field)) return e;
    std::string_view key = Key(field);
    if (key == "data") {
      if (auto e = ForEachObject(field.value(), [&](od::object t) {
            return FlatRecord(t, kTweet, sink);
          })) {
        return e;
      }
    } else if (key == "includes") {
      od::object includes;
      if (field.value().get_object().get(includes) != SUCCESS) continue;
      for (auto inc_result : includes) {
        od::field inc;
        if (auto e = std::move(inc_result).get(inc)) return e;
        if (Key(inc) != "users") continue;
        uint64_t posts = sink.posts;
        if (auto e = ForEachObject(inc.value(), [&](od::object u) {
              return FlatRecord(u, kUser, sink);
            })) {
          return e;
        }
        sink.posts = posts;  // users are not posts
      }
    }
  }
  return SUCCESS;
}

// X v1.1: a status (id_str, text, extended_tweet.full_text, created_at, lang, user.id_str,
// user.screen_name) or a search response holding them under "statuses".
error_code BareXV1Status(od::object status, Sink& sink) {
  static constexpr std::string_view kUser[] = {"id_str", "screen_name"};
  static constexpr std::string_view kExtended[] = {"full_text"};
  for (auto field_result : status) {
    od::field field;
    if (auto e = std::move(field_result).get(field)) return e;
    std::string_view key = Key(field);
    if (key == "id_str" || key == "text" || key == "created_at" || key == "lang") {
      TakeString(field.value(), sink);
    } else if (key == "user" || key == "extended_tweet") {
      od::object obj;
      if (field.value().get_object().get(obj) != SUCCESS) continue;
      uint64_t posts = sink.posts;
      if (auto e = key == "user" ? FlatRecord(obj, kUser, sink) : FlatRecord(obj, kExtended, sink)) {
        return e;
      }
      sink.posts = posts;
    } else if (key == "statuses") {
      od::array statuses;
      if (auto e = field.value().get_array().get(statuses)) return e;
      for (auto s_result : statuses) {
        od::object s;
        if (auto e = std::move(s_result).get_object().get(s)) return e;
        if (auto e = BareXV1Status(s, sink)) return e;
      }
      --sink.posts;  // the search response itself
    }
  }
  ++sink.posts;
  return SUCCESS;
}

error_code BareXV1(od::document& doc, Sink& sink) {
  return ForEachRootObject(doc, [&](od::object s) { return BareXV1Status(s, sink); });
}

// Reddit: dump objects (id, body or title + selftext, author, author_fullname, subreddit,
// created_utc) and API things ({kind, data}) and Listings (data.children[]).
error_code BareRedditThing(od::object obj, Sink& sink) {
  bool post = false;
  for (auto field_result : obj) {
    od::field field;
    if (auto e = std::move(field_result).get(field)) return e;
    std::string_view key = Key(field);
    if (key == "data" || key == "children") {
      if (auto e = ForEachObject(field.value(), [&](od::object o) {
            return BareRedditThing(o, sink);
          })) {
        return e;
      }
    } else if (key == "id" || key == "body" || key == "title" || key == "selftext" ||
               key == "author" || key == "author_fullname" || key == "subreddit" ||
               key == "created_utc") {
      TakeScalar(field.value(), sink);
      post |= key == "id";
    }
  }
  if (post) ++sink.posts;
  return SUCCESS;
}

error_code BareReddit(od::document& doc, Sink& sink) {
  return ForEachRootObject(doc, [&](od::object o) { return BareRedditThing(o, sink); });
}

// Bluesky Jetstream: did, time_us, kind, commit.{operation, collection, rkey} and, for post
// creates, commit.record.{text, createdAt, langs}.
error_code BareBluesky(od::document& doc, Sink& sink) {
  od::object root;
  if (auto e = doc.get_object().get(root)) return e;
  for (auto field_result : root) {
    od::field field;
    if (auto e = std::move(field_result).get(field)) return e;
    std::string_view key = Key(field);
    if (key == "did" || key == "kind" || key == "time_us") {
      TakeScalar(field.value(), sink);
    } else if (key == "commit") {
      od::object commit;
      if (field.value().get_object().get(commit) != SUCCESS) continue;
      bool is_post = false, is_create = false;
      for (auto cf_result : commit) {
        od::field cf;
        if (auto e = std::move(cf_result).get(cf)) return e;
        std::string_view ckey = Key(cf);
        if (ckey == "operation") {
          std::string_view op;
          if (cf.value().get_string().get(op) == SUCCESS) is_create = op == "create";
        } else if (ckey == "collection") {
          std::string_view c;
          if (cf.value().get_string().get(c) == SUCCESS) is_post = c == "app.bsky.feed.post";
        } else if (ckey == "rkey") {
          TakeString(cf.value(), sink);
        } else if (ckey == "record" && is_post && is_create) {
          od::object record;
          if (cf.value().get_object().get(record) != SUCCESS) continue;
          for (auto rf_result : record) {
            od::field rf;
            if (auto e = std::move(rf_result).get(rf)) return e;
            std::string_view rkey = Key(rf);
            if (rkey == "text" || rkey == "createdAt") {
              TakeString(rf.value(), sink);
            } else if (rkey == "langs") {
              od::array langs;
              if (rf.value().get_array().get(langs) != SUCCESS) continue;
              for (auto l : langs) {
                std::string_view s;
                if (l.get_string().get(s) == SUCCESS) sink.bytes += s.size();
              }
            }
          }
          ++sink.posts;
        }
      }
    }
  }
  return SUCCESS;
}

// Mastodon Status: id, created_at, content, spoiler_text, language, url, account.{id, acct}.
error_code BareMastodonStatus(od::object status, Sink& sink) {
  static constexpr std::string_view kAccount[] = {"id", "acct"};
  for (auto field_result : status) {
    od::field field;
    if (auto e = std::move(field_result).get(field)) return e;
    std::string_view key = Key(field);
    if (key == "id" || key == "created_at" || key == "content" || key == "spoiler_text" ||
        key == "language" || key == "url") {
      TakeScalar(field.value(), sink);
    } else if (key == "account") {
      od::object account;
      if (field.value().get_object().get(account) != SUCCESS) continue;
      if (auto e = FlatRecord(account, kAccount, sink)) return e;
      --sink.posts;
    }
  }
  ++sink.posts;
  return SUCCESS;
}

error_code BareMastodon(od::document& doc, Sink& sink) {
  return ForEachRootObject(doc, [&](od::object s) { return BareMastodonStatus(s, sink); });
}

constexpr std::string_view kYelpKeys[] = {"review_id", "user_id", "business_id",
                                          "stars",     "text",    "date"};

error_code BareYelp(od::document& doc, Sink& sink) {
  return ForEachRootObject(doc, [&](od::object o) { return FlatRecord(o, kYelpKeys, sink); });
}

error_code BareAmazon(od::document& doc, Sink& sink) {
  static constexpr std::string_view kKeys[] = {"reviewerID", "asin",    "reviewerName",
                                               "overall",    "reviewText", "summary",
                                               "unixReviewTime"};
  return ForEachRootObject(doc, [&](od::object o) { return FlatRecord(o, kKeys, sink); });
}

// App Store RSS: feed.entry[]: id, title, content, updated, im:rating, im:version (each a
// {"label"} object) and author.name.label.
error_code BareAppStoreRssEntry(od::object entry, Sink& sink) {
  for (auto field_result : entry) {
    od::field field;
    if (auto e = std::move(field_result).get(field)) return e;
    std::string_view key = Key(field);
    if (key == "id" || key == "title" || key == "content" || key == "updated" ||
        key == "im:rating" || key == "im:version") {
      if (auto e = TakeLabel(field.value(), sink)) return e;
    } else if (key == "author") {
      od::object author;
      if (field.value().get_object().get(author) != SUCCESS) continue;
      for (auto af_result : author) {
        od::field af;
        if (auto e = std::move(af_result).get(af)) return e;
        if (Key(af) == "name") {
          if (auto e = TakeLabel(af.value(), sink)) return e;
        }
      }
    }
  }
  ++sink.posts;
  return SUCCESS;
}

error_code BareAppStoreRss(od::document& doc, Sink& sink) {
  od::object root;
  if (auto e = doc.get_object().get(root)) return e;
  for (auto field_result : root) {
    od::field field;
    if (auto e = std::move(field_result).get(field)) return e;
    if (Key(field) != "feed") continue;
    od::object feed;
    if (auto e = field.value().get_object().get(feed)) return e;
    for (auto ff_result : feed) {
      od::field ff;
      if (auto e = std::move(ff_result).get(ff)) return e;
      if (Key(ff) != "entry") continue;
      if (auto e = ForEachObject(ff.value(), [&](od::object entry) {
            return BareAppStoreRssEntry(entry, sink);
          })) {
        return e;
      }
    }
  }
  return SUCCESS;
}

// google-play-scraper (reviewId, userName, content, score, at, thumbsUpCount, appVersion) and
// app-store-scraper (date, review, rating, title, userName) output.
error_code BareAppScraper(od::document& doc, Sink& sink) {
  static constexpr std::string_view kKeys[] = {
      "reviewId", "userName", "content", "score", "at",  "thumbsUpCount",
      "appVersion", "date",   "review",  "rating", "title"};
  return ForEachRootObject(doc, [&](od::object o) { return FlatRecord(o, kKeys, sink); });
}

using BareFn = error_code (*)(od::document& doc, Sink& sink);

// ---------------------------------------------------------------------------------------------
// Corpora.

struct Spec {
  const char* name;  // benchmark and table row name
  Format format;
  std::vector<const char*> files;  // under the fixtures directory
  BareFn bare;                     // null: no bare pass (CSV)
};

earshot::ingest::GenericMapping YelpMapping() {
  earshot::ingest::GenericMapping m;
  m.source = earshot::ingest::Source::kYelp;
  m.kind = earshot::ingest::PostKind::kReview;
  m.id = "/review_id";
  m.text = "/text";
  m.created_at = "/date";
  m.author_id = "/user_id";
  m.rating = "/stars";
  m.community = "/business_id";
  return m;
}

const std::vector<Spec>& Specs() {
  static const std::vector<Spec> specs = {
      {"x_v2", Format::kXV2,
       {"twitter_v2/twarc-csv_streaming_output.jsonl",
        "twitter_v2/twarc-csv_streaming_output_with_error.jsonl",
        "twitter_v2/twarc-csv_kpop_search_page.jsonl"},
       BareXV2},
      {"x_v1", Format::kXV1,
       {"twitter_v1/python-twitter_streaming_lines.jsonl", "twitter_v1/simdjson_twitter.json"},
       BareXV1},
      {"reddit", Format::kReddit,
       {"reddit/pushshift-importer_test_comments.ndjson",
        "reddit/pushshift-importer_test_submissions.ndjson",
        "reddit/go-reddit_search-posts_listing.json"},
       BareReddit},
      {"bluesky", Format::kBluesky,
       {"bluesky/jetstream_corpus_expected_v1.jsonl", "bluesky/jetstream_subscribe_golden_v1.jsonl"},
       BareBluesky},
      {"mastodon", Format::kMastodon,
       {"mastodon/mastodon-docs_streaming_examples.sse", "mastodon/mastodon4j_public_timeline.json",
        "mastodon/mastodon-docs_Status_entity_example.json"},
       BareMastodon},
      {"yelp", Format::kYelp, {"yelp/yelp_academic_dataset_review.head.json"}, BareYelp},
      {"amazon", Format::kAmazon, {"amazon/amazon2018_Gift_Cards_5.json"}, BareAmazon},
      {"app_store_rss", Format::kAppStoreRss, {"app_reviews/appvox_itunes_rss_reviews.json"},
       BareAppStoreRss},
      {"app_scraper", Format::kAppScraper,
       {"app_reviews/googleplay-scraper_mox_ps-reviews.json",
        "app_reviews/appstore-scraper_mox_as-reviews.json"},
       BareAppScraper},
      // The generic adapter, mapped onto the Yelp sample by JSON pointers.
      {"generic", Format::kGeneric, {"yelp/yelp_academic_dataset_review.head.json"}, BareYelp},
      {"twcs_csv", Format::kTwcsCsv, {"support_tweets/twcs_small.csv"}, nullptr},
  };
  return specs;
}

struct Record {
  size_t offset;
  size_t size;
  std::string_view event;  // SSE event name; static storage
};

struct Corpus {
  std::string name;
  simdjson::padded_string buffer;  // records separated by '\n', SIMDJSON_PADDING after the end
  std::vector<Record> records;
  size_t distinct_records = 0;
  std::string error;  // non-empty: the corpus could not be built
};

std::string FixturesDir() {
  const char* env = std::getenv("EARSHOT_SHARED_DIR");
  std::string dir = env != nullptr && *env != '\0' ? env : EARSHOT_SHARED_DIR;
  return dir + "/fixtures";
}

size_t TargetBytes() {
  const char* env = std::getenv("EARSHOT_BENCH_MB");
  double mb = env != nullptr ? std::atof(env) : 50.0;
  if (mb <= 0) mb = 50.0;
  return static_cast<size_t>(mb * 1e6);
}

bool ReadFile(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return true;
}

std::string_view InternEvent(std::string_view event) {
  if (event == "update") return "update";
  if (event == "status.update") return "status.update";
  return {};
}

struct RawRecord {
  std::string text;
  std::string_view event;
};

// Splits one fixture into single-line JSON records: JSON Lines as they are, a whole document
// minified onto one line, and the payloads of an SSE stream's status events.
std::string SplitFixture(const std::string& path, std::vector<RawRecord>& out) {
  std::string data;
  if (!ReadFile(path, data)) return "fixture " + path + " is absent";
  std::string_view view(data);
  switch (earshot::ingest::DetectFraming(view, Format::kAuto)) {
    case earshot::ingest::Framing::kJsonLines: {
      std::istringstream lines(data);
      for (std::string line; std::getline(lines, line);) {
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        out.push_back({std::move(line), {}});
      }
      return {};
    }
    case earshot::ingest::Framing::kJsonDocument: {
      std::string minified(data.size(), '\0');
      size_t length = 0;
      if (simdjson::minify(data.data(), data.size(), minified.data(), length) != SUCCESS) {
        return "fixture " + path + " is not valid JSON";
      }
      minified.resize(length);
      out.push_back({std::move(minified), {}});
      return {};
    }
    case earshot::ingest::Framing::kSse: {
      std::istringstream lines(data);
      std::string event;
      for (std::string line; std::getline(lines, line);) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty()) {
          event.clear();
        } else if (line.rfind("event:", 0) == 0) {
          event = line.substr(line.find_first_not_of(' ', 6));
        } else if (line.rfind("data:", 0) == 0 && !InternEvent(event).empty()) {
          out.push_back({line.substr(line.find_first_not_of(' ', 5)), InternEvent(event)});
        }
      }
      return {};
    }
    case earshot::ingest::Framing::kCsv:
      out.push_back({std::move(data), {}});
      return {};
  }
  return {};
}

std::unique_ptr<Corpus> BuildCorpus(const Spec& spec) {
  auto corpus = std::make_unique<Corpus>();
  corpus->name = spec.name;
  std::vector<RawRecord> raw;
  for (const char* file : spec.files) {
    corpus->error = SplitFixture(FixturesDir() + "/" + file, raw);
    if (!corpus->error.empty()) return corpus;
  }
  corpus->distinct_records = raw.size();
  size_t target = TargetBytes();
  std::string text;
  text.reserve(target + (target >> 3));
  if (spec.format == Format::kTwcsCsv) {
    // Header once, then the rows repeated.
    std::string_view csv = raw.at(0).text;
    size_t header_end = csv.find('\n') + 1;
    text.append(csv.substr(0, header_end));
    std::string_view rows = csv.substr(header_end);
    while (text.size() < target) {
      text.append(rows);
      if (text.back() != '\n') text.push_back('\n');
    }
    corpus->records.push_back({0, text.size(), {}});
  } else {
    while (text.size() < target) {
      for (const RawRecord& r : raw) {
        corpus->records.push_back({text.size(), r.text.size(), r.event});
        text.append(r.text);
        text.push_back('\n');
      }
    }
  }
  corpus->buffer = simdjson::padded_string(text);
  return corpus;
}

// Corpora are built on first use and kept (about 50 MB each): with random interleaving the
// benchmarks of one format do not run back to back.
const Corpus& GetCorpus(const Spec& spec) {
  static std::map<std::string, std::unique_ptr<Corpus>> cache;
  std::unique_ptr<Corpus>& corpus = cache[spec.name];
  if (corpus == nullptr) corpus = BuildCorpus(spec);
  return *corpus;
}

void SetCounters(benchmark::State& state, const Corpus& corpus, uint64_t posts) {
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * corpus.buffer.size()));
  state.counters["posts/s"] = benchmark::Counter(static_cast<double>(posts),
                                                 benchmark::Counter::kIsRate);
  state.counters["posts_per_pass"] =
      static_cast<double>(posts) / static_cast<double>(state.iterations());
  state.counters["MB"] = static_cast<double>(corpus.buffer.size()) / 1e6;
}

// The adapter under test: PostParser::Parse record by record, in place.
void BM_Adapter(benchmark::State& state, const Spec* spec) {
  const Corpus& corpus = GetCorpus(*spec);
  if (!corpus.error.empty()) {
    state.SkipWithError(("skipped: " + corpus.error).c_str());
    return;
  }
  uint64_t posts = 0;
  const char* base = corpus.buffer.data();
  size_t capacity_end = corpus.buffer.size() + simdjson::SIMDJSON_PADDING;
  if (spec->format == Format::kTwcsCsv) {
    std::string_view data(base, corpus.buffer.size());
    for (auto _ : state) {
      earshot::ingest::ParseTwcsCsv(data, spec->name, [&](earshot::ingest::ParseOutput& out) {
        posts += out.posts.size();
      });
    }
    SetCounters(state, corpus, posts);
    return;
  }
  earshot::ingest::ParserOptions options;
  if (spec->format == Format::kGeneric) options.generic = YelpMapping();
  earshot::ingest::PostParser parser(std::move(options));
  earshot::ingest::ParseOutput out;
  earshot::ingest::Origin origin;
  origin.topic = spec->name;
  uint64_t rejections = 0;
  for (auto _ : state) {
    for (const Record& r : corpus.records) {
      parser.Parse(spec->format, std::string_view(base + r.offset, r.size),
                   capacity_end - r.offset, origin, r.event, out);
      posts += out.posts.size();
      rejections += out.rejections.size();
      out.Clear();
    }
  }
  SetCounters(state, corpus, posts);
  state.counters["rejections_per_pass"] =
      static_cast<double>(rejections) / static_cast<double>(state.iterations());
}

// The ceiling: a bare On-Demand pass reading the same fields, no Posts.
void BM_Bare(benchmark::State& state, const Spec* spec) {
  const Corpus& corpus = GetCorpus(*spec);
  if (!corpus.error.empty()) {
    state.SkipWithError(("skipped: " + corpus.error).c_str());
    return;
  }
  od::parser parser;
  Sink sink;
  uint64_t errors = 0;
  const char* base = corpus.buffer.data();
  size_t capacity_end = corpus.buffer.size() + simdjson::SIMDJSON_PADDING;
  for (auto _ : state) {
    for (const Record& r : corpus.records) {
      od::document doc;
      error_code e = parser.iterate(base + r.offset, r.size, capacity_end - r.offset).get(doc);
      if (e == SUCCESS) e = spec->bare(doc, sink);
      errors += e != SUCCESS;
    }
    benchmark::DoNotOptimize(sink.bytes);
  }
  SetCounters(state, corpus, sink.posts);
  state.counters["errors_per_pass"] =
      static_cast<double>(errors) / static_cast<double>(state.iterations());
}

}  // namespace

int main(int argc, char** argv) {
  // On-Demand has no run-time dispatch: the kernel is the one the compile flags allow.
  std::fprintf(stderr,
               "earshot parse_bench: fixtures from %s, %.0f MB per corpus, simdjson kernel %s\n",
               FixturesDir().c_str(), static_cast<double>(TargetBytes()) / 1e6,
               simdjson::builtin_implementation()->name().c_str());
  // Throughput is per CPU second (the default): other work shares these machines, and wall time
  // would charge its preemptions to whichever benchmark happened to be running.
  for (const Spec& spec : Specs()) {
    benchmark::RegisterBenchmark((std::string("adapter/") + spec.name).c_str(), BM_Adapter, &spec)
        ->Unit(benchmark::kMillisecond);
    if (spec.bare != nullptr) {
      benchmark::RegisterBenchmark((std::string("bare/") + spec.name).c_str(), BM_Bare, &spec)
          ->Unit(benchmark::kMillisecond);
    }
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
