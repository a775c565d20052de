// Generator: realistic synthetic posts in the real source formats (X v2 and v1.1, Reddit,
// Bluesky Jetstream, Mastodon, Yelp, Amazon, Google Play), for the demo, the integration tests
// and the benchmark. Texts are earshot's own templates; reach is heavy-tailed (Pareto); a small
// share of records is malformed on purpose; scenarios script incidents such as a complaint
// storm about one brand.
//
// Deterministic for a given seed. Thread-compatible.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace earshot::app {

struct GeneratorOptions {
  std::vector<std::string> brands;  // brand names as people write them ("Nimbus Air")
  uint64_t seed = 1;
  double mention_rate = 0.35;     // share of posts that mention a brand
  double malformed_rate = 0.003;  // share of records that are broken on purpose
  std::string scenario = "steady";  // steady | complaint-storm
  double storm_at_s = 60;           // complaint-storm: when the storm starts
  size_t storm_brand = 0;           // complaint-storm: index into brands
  std::string topic_prefix = "raw.";
};

struct GeneratedRecord {
  std::string topic;  // topic_prefix + x | x.v1 | reddit | bluesky | mastodon | reviews
  std::string key;
  std::string value;
};

class Generator {
 public:
  explicit Generator(GeneratorOptions options);

  // Writes the next record, as of `elapsed_s` seconds into the run and wall time `now_ms`.
  void Next(double elapsed_s, int64_t now_ms, GeneratedRecord& out);

  // The raw topics the generator writes.
  std::vector<std::string> Topics() const;

 private:
  enum class Mood { kPositive, kNegative, kComplaint, kNeutral };
  // The post's text and language.
  void Text(const std::string* brand, Mood mood, std::string& text, std::string& lang);
  std::string Handle(const std::string& brand) const;
  int64_t Followers();
  double Uniform() { return std::uniform_real_distribution<double>(0, 1)(rng_); }
  size_t Pick(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }

  GeneratorOptions options_;
  std::mt19937_64 rng_;
  uint64_t counter_ = 0;
  std::string text_, lang_, html_;  // Next's buffers, reused
};

}  // namespace earshot::app
