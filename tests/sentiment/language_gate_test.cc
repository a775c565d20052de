// How the language gate's detection (CLD2, used only when a post has no `lang` tag) does on real
// short posts: the fixtures' posts whose source tagged a language (X v1.1 and v2, Bluesky,
// Mastodon), and the English tweets of the VADER gold set. Prints the figures and checks them;
// skips when ../shared is absent. pipeline/sentiment/README.md quotes the output.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <string>

#include "pipeline/sentiment/language.h"
#include "tests/testing/fixtures.h"

namespace earshot::pipeline::sentiment {
namespace {

struct Tally {
  int n = 0, rejected = 0;
  double rate() const { return n ? static_cast<double>(rejected) / n : 0; }
};

std::string Bucket(size_t bytes) {
  return bytes < 50 ? "<50 bytes" : bytes < 140 ? "50-139 bytes" : ">=140 bytes";
}

TEST(LanguageGateMeasurement, DetectionOnTaggedPostsAndEnglishTweets) {
  EARSHOT_REQUIRE_SHARED(v1, "fixtures/twitter_v1/python-twitter_streaming_lines.jsonl");
  EARSHOT_REQUIRE_SHARED(gold, "data/sentiment/vader_gold/tweets_GroundTruth.txt");
  const char* files[] = {
      "fixtures/twitter_v1/python-twitter_streaming_lines.jsonl",
      "fixtures/twitter_v1/simdjson_twitter.json",
      "fixtures/twitter_v2/twarc-csv_kpop_search_page.jsonl",
      "fixtures/twitter_v2/twarc-csv_streaming_output.jsonl",
      "fixtures/bluesky/jetstream_corpus_expected_v1.jsonl",
      "fixtures/mastodon/mastodon-docs_streaming_examples.sse",
  };
  std::map<std::string, Tally> other_by_length, english_by_length;
  Tally other, english, tweets;
  for (const char* f : files) {
    auto path = testing::SharedPath(f);
    if (!path) continue;
    for (const auto& post : testing::ParseFile(*path).posts) {
      std::string lang = post.lang.substr(0, post.lang.find('-'));
      if (lang.empty() || lang == "und" || lang == "zxx" || post.text.empty()) continue;
      // Detection only: as if the post carried no tag.
      bool rejected = !CheckLanguage("", post.text).supported;
      Tally& t = lang == "en" ? english : other;
      Tally& b = (lang == "en" ? english_by_length : other_by_length)[Bucket(post.text.size())];
      ++t.n;
      ++b.n;
      t.rejected += rejected;
      b.rejected += rejected;
    }
  }
  std::ifstream in(gold);
  std::string line;
  while (std::getline(in, line)) {
    size_t t = line.find('\t', line.find('\t') + 1);
    if (t == std::string::npos) continue;
    ++tweets.n;
    tweets.rejected += !CheckLanguage("", line.substr(t + 1)).supported;
  }
  std::printf("language gate, detection only (CLD2; the post's tag wins when present):\n");
  std::printf("  non-English tagged posts rejected: %d of %d (%.1f %%)\n", other.rejected, other.n,
              100 * other.rate());
  for (const auto& [bucket, t] : other_by_length) {
    std::printf("    %-13s %3d of %3d (%.1f %%)\n", bucket.c_str(), t.rejected, t.n, 100 * t.rate());
  }
  std::printf("  English tagged posts wrongly rejected: %d of %d (%.1f %%)\n", english.rejected,
              english.n, 100 * english.rate());
  std::printf("  English tweets (VADER gold) wrongly rejected: %d of %d (%.2f %%)\n",
              tweets.rejected, tweets.n, 100 * tweets.rate());
  ASSERT_GT(other.n, 100);
  ASSERT_GT(tweets.n, 4000);
  // Detection is conservative by design: English must almost never be refused; most other
  // languages are caught, short texts least.
  EXPECT_LE(tweets.rate(), 0.01);
  EXPECT_LE(english.rate(), 0.03);
  EXPECT_GE(other.rate(), 0.6);
}

}  // namespace
}  // namespace earshot::pipeline::sentiment
