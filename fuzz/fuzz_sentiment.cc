// libFuzzer target for sentiment scoring: the lexicon engine's tokenizer (its vector paths read
// 32 bytes at a time near the ends of the text) and rules, the feature extractor and the model,
// on arbitrary bytes.
//
// The first byte of an input chooses masks (brand spans, possibly out of range or inverted) from
// the next bytes; the rest is the text. Invariants:
//   - compound is finite and in [-1, 1]; pos, neu and neg lie in [0, 1] and sum to 1;
//   - every token lies within the lowered text;
//   - white space around the text and where the text sits in memory change nothing (a text is
//     scored again with a space before it, after it, and copied to an odd address): the windows
//     the tokenizer reads past a chunk come from the text or its zero-padded tail copy alike;
//   - the full analyzer (ensemble engine, language gate on) labels every text and keeps its
//     scores in range.
// The lexicon is written here (emoticons, a word-then-punctuation key, phrases, an apostrophe and
// a non-ASCII key); the analyzer uses the repository's default lexicon and model when
// scripts/setup.sh has fetched them, and is skipped otherwise.
#include <unistd.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/sentiment/lexicon.h"
#include "pipeline/sentiment/lexicon_scorer.h"
#include "pipeline/sentiment/sentiment.h"

#ifndef EARSHOT_SOURCE_DIR
#define EARSHOT_SOURCE_DIR "."
#endif

namespace {

namespace ps = earshot::pipeline::sentiment;

[[noreturn]] void Broken(const char* what, std::string_view text) {
  std::fprintf(stderr, "earshot fuzz invariant broken: %s (text of %zu bytes)\n", what,
               text.size());
  std::abort();
}

std::shared_ptr<const ps::Lexicon> FuzzLexicon() {
  static const std::shared_ptr<const ps::Lexicon> lexicon = [] {
    const std::string path = "/tmp/earshot_fuzz_sentiment_" + std::to_string(::getpid()) + ".tsv";
    std::ofstream(path) << "good\t1.9\nbad\t-2.5\ngreat\t3.1\nhate\t-2.7\nlol\t1.8\n"
                           ":)\t2\n:-(\t-2\n<3\t1.9\n8)\t1.5\nxd:\t2\nd:\t-1\n"
                           "on hold\t-1.8\nkiss of death\t-1.5\nno refund\t-2\n"
                           "don't care\t-1\ncaf\xC3\xA9\t1\nsooo\t0.5\n";
    auto loaded = ps::Lexicon::Load({{path, ps::LexiconFormat::kEarshot, "", 1.0, true}});
    std::remove(path.c_str());
    if (!loaded.lexicon) {
      std::fprintf(stderr, "fuzz_sentiment: %s\n", loaded.error.c_str());
      std::abort();
    }
    return loaded.lexicon;
  }();
  return lexicon;
}

ps::SentimentAnalyzer* Analyzer() {
  static ps::SentimentAnalyzer* analyzer = []() -> ps::SentimentAnalyzer* {
    ps::SentimentOptions options = ps::DefaultSentimentOptions(EARSHOT_SOURCE_DIR);
    auto created = ps::SentimentSnapshot::Create(options);
    if (!created.snapshot) {
      std::fprintf(stderr, "fuzz_sentiment: analyzer skipped: %s\n", created.error.c_str());
      return nullptr;
    }
    return new ps::SentimentAnalyzer(created.snapshot);
  }();
  return analyzer;
}

// `tolerance`: how far pos + neu + neg may be from 1 (the model's probabilities are floats).
void CheckScores(double compound, double pos, double neu, double neg, std::string_view text,
                 double tolerance) {
  if (!std::isfinite(compound) || compound < -1 || compound > 1) Broken("compound range", text);
  for (double p : {pos, neu, neg}) {
    if (!std::isfinite(p) || p < 0 || p > 1) Broken("proportion range", text);
  }
  if (std::fabs(pos + neu + neg - 1) > tolerance) Broken("proportions do not sum to 1", text);
}

bool Same(const ps::LexiconScores& a, const ps::LexiconScores& b) {
  return a.compound == b.compound && a.pos == b.pos && a.neu == b.neu && a.neg == b.neg &&
         a.pos_sum == b.pos_sum && a.neg_sum == b.neg_sum &&
         a.sentiment_words == b.sentiment_words && a.negated == b.negated &&
         a.caps_words == b.caps_words && a.exclamations == b.exclamations &&
         a.questions == b.questions && a.emoji_valence_sign == b.emoji_valence_sign;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t control = data[0];
  size_t at = 1;
  std::vector<ps::ByteSpan> mask;
  for (int i = 0; i < (control & 3) && at + 2 <= size; ++i, at += 2) {
    mask.push_back({data[at], static_cast<uint32_t>(data[at]) + data[at + 1] % 40});
  }
  const std::string text(reinterpret_cast<const char*>(data + at), size - at);

  static ps::LexiconScorer scorer(FuzzLexicon());
  ps::LexiconScores scores;
  scorer.Score(text, mask, scores);
  CheckScores(scores.compound, scores.pos, scores.neu, scores.neg, text, 1e-9);
  for (const ps::ScoredToken& t : scorer.tokens()) {
    if (t.length == 0 || t.begin + t.length > scorer.lowered().size()) Broken("token bounds", text);
  }

  if (mask.empty()) {
    // Surroundings that must not matter.
    ps::LexiconScores other;
    scorer.Score(" " + text, other);
    if (!Same(scores, other)) Broken("a leading space changed the scores", text);
    scorer.Score(text + " ", other);
    if (!Same(scores, other)) Broken("a trailing space changed the scores", text);
    std::string shifted(text.size() + 1, '\0');
    text.copy(shifted.data() + 1, text.size());
    scorer.Score(std::string_view(shifted).substr(1), other);
    if (!Same(scores, other)) Broken("the text's address changed the scores", text);
  }

  if (ps::SentimentAnalyzer* analyzer = Analyzer()) {
    ps::SentimentResult result;
    analyzer->Score(text, (control & 4) ? "en" : "", mask, result);
    if (result.label != ps::Label::kUnsupported) {
      CheckScores(result.compound, result.pos, result.neu, result.neg, text, 1e-5);
    } else if (result.unsupported_reason.empty()) {
      Broken("unsupported without a reason", text);
    }
  }
  return 0;
}
