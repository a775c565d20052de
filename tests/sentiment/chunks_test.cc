// ScanChunks (AVX2 bitmaps when built for it) against the byte-at-a-time reference: random and
// adversarial texts, every white-space byte, non-ASCII and NUL bytes, chunks across 64-byte
// blocks, and texts that end exactly at the end of their buffer (under ASan a read past it fails).
#include "pipeline/sentiment/chunks.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace earshot::pipeline::sentiment {
namespace {

std::string Describe(const ChunkScan& s) {
  std::string out = "!" + std::to_string(s.exclamations) + " ?" + std::to_string(s.questions);
  for (const TextChunk& c : s.chunks) {
    out += " [" + std::to_string(c.begin) + "," + std::to_string(c.end) + (c.plain ? "p]" : "]");
  }
  return out;
}

// Scans `text` copied into a heap buffer of exactly its size, with both scanners.
void ExpectSameScan(const std::string& text) {
  std::unique_ptr<char[]> exact(new char[text.size() + 1]);
  std::copy(text.begin(), text.end(), exact.get());
  const std::string_view view(exact.get(), text.size());
  ChunkScan fast, reference;
  ScanChunks(view, fast);
  ScanChunksScalar(view, reference);
  ASSERT_EQ(Describe(fast), Describe(reference)) << "text of " << text.size() << " bytes";
}

TEST(ChunksTest, ScalarReferenceSplitsOnWhiteSpace) {
  ChunkScan s;
  ScanChunksScalar("  Good day!\tcaf\xC3\xA9 a_b ?? x", s);
  EXPECT_EQ(Describe(s), "!1 ?2 [2,6p] [7,11] [12,17] [18,21] [22,24] [25,26p]");
  ScanChunksScalar("", s);
  EXPECT_EQ(Describe(s), "!0 ?0");
}

TEST(ChunksTest, EmoticonTypedRightAfterAWordIsAChunkOfItsOwn) {
  ChunkScan s;
  ScanChunksScalar("monday:( love<3 ok.:-))) wow;D", s);
  EXPECT_EQ(Describe(s), "!0 ?0 [0,6p] [6,8] [9,13p] [13,15] [16,19] [19,24] [25,28p] [28,30]");
  // A number's colon, a URL's, a lone emoticon and one with nothing before it stay whole.
  ScanChunksScalar("10:30 10:) http://x :) a,b :-( ::)", s);
  EXPECT_EQ(Describe(s), "!0 ?0 [0,5] [6,10] [11,19] [20,22] [23,26] [27,30] [31,34]");
  // Nor what reads as code or a link: '=' eyes take punctuation mouths only, '3' is a heart's.
  ScanChunksScalar("n=3 x=D so:3 HTTPS://x.example/?p=:( www.x.example/a:)", s);
  EXPECT_EQ(Describe(s), "!0 ?1 [0,3] [4,7] [8,12] [13,36] [37,54]");
  EXPECT_EQ(GluedEmoticonAt("so=)"), 2u);
  EXPECT_EQ(GluedEmoticonAt("win:'("), 3u);
  EXPECT_EQ(GluedEmoticonAt("win=]"), 3u);
  EXPECT_EQ(GluedEmoticonAt("win:"), 0u);
}

TEST(ChunksTest, FastEqualsReferenceOnFixedCases) {
  const std::vector<std::string> cases = {
      "",
      " ",
      "a",
      "!",
      "?",
      "\x80",
      std::string(1, '\0'),
      "a b",
      " a ",
      "\t\n\r\f\v",
      "\x0b\x0c\x0e\x08\x1f",
      "AZaz09",
      "@`[{/:",
      "\xC3\xA9t\xC3\xA9",
      "good!! bad??",
      std::string(63, 'a'),
      std::string(64, 'a'),
      std::string(65, 'a'),
      std::string(64, ' '),
      std::string(63, 'a') + " b",
      std::string(64, 'a') + " b",
      std::string(63, ' ') + "ab",
      std::string(127, 'x') + "!",
      std::string(128, 'x') + "?" + std::string(70, ' ') + "y",
      std::string(200, '!'),
      std::string(130, '\xFF'),
      std::string(64, 'a') + "\x80",
      std::string(62, ' ') + "a" + std::string(64, 'b') + "," + std::string(64, 'c'),
      "monday:( love<3 ok.:-))) wow;D 10:30",
      std::string(60, 'a') + ":)))",  // a chunk still open at the end of the text
      std::string(61, 'a') + ":(" + std::string(70, ')'),
      std::string(90, 'a') + ";-)" + std::string(40, 'b') + ":D"};
  for (const std::string& text : cases) ExpectSameScan(text);
}

TEST(ChunksTest, FastEqualsReferenceOnRandomTexts) {
  // Bytes near every class boundary: white space and its neighbours, digits, letters, '@', '[',
  // '`', '{', '!', '?', '_', NUL, DEL, UTF-8 lead and continuation bytes.
  // And the bytes of emoticons, so words with a face glued on come up: ';', '=', '<', '(',
  // ')', '-', '\'', 'D', '3'.
  const std::string alphabet = std::string(
                                   "\t\n\v\f\r \x08\x0e\x1f!?_@[`{/:09azAZ\x7f\x80\xbf\xc3"
                                   "\xe2\xf0\xff;=<()-'D3") +
                               std::string(1, '\0');
  std::mt19937_64 rng(2026);
  for (int round = 0; round < 20000; ++round) {
    const size_t length = rng() % (round % 10 == 0 ? 700 : 150);
    const int space_bias = static_cast<int>(rng() % 4);  // some texts mostly spaces or none
    std::string text;
    for (size_t i = 0; i < length; ++i) {
      const uint64_t r = rng();
      if (space_bias == 1 && r % 3 == 0) {
        text.push_back(' ');
      } else if (space_bias == 2 && r % 5 != 0) {
        text.push_back(static_cast<char>('a' + (r >> 8) % 26));
      } else if (space_bias == 3) {
        text.push_back(static_cast<char>(r >> 16));  // any byte
      } else {
        text.push_back(alphabet[(r >> 8) % alphabet.size()]);
      }
    }
    ExpectSameScan(text);
    if (HasFatalFailure()) return;
  }
}

TEST(ChunksTest, EveryByteValueClassifiedLikeTheReference) {
  for (int b = 0; b < 256; ++b) {
    for (size_t at : {0, 31, 32, 63, 64, 65}) {
      std::string text(70, 'k');
      text[at] = static_cast<char>(b);
      ExpectSameScan(text);
      ExpectSameScan(text.substr(0, at + 1));
    }
  }
}

}  // namespace
}  // namespace earshot::pipeline::sentiment
