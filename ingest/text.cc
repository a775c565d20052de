#include "ingest/text.h"

#include <array>
#include <cstdint>
#include <cstring>

namespace earshot::ingest {
namespace {

struct NamedEntity {
  std::string_view name;
  char32_t code_point;
};

// Named references seen in social and review text. Kept sorted by name for binary search.
constexpr std::array<NamedEntity, 41> kNamedEntities = {{
    {"Agrave", 0xC0},  {"Eacute", 0xC9}, {"agrave", 0xE0},  {"amp", '&'},       {"apos", '\''},
    {"bull", 0x2022},  {"cent", 0xA2},   {"copy", 0xA9},    {"deg", 0xB0},      {"eacute", 0xE9},
    {"egrave", 0xE8},  {"euro", 0x20AC}, {"gt", '>'},       {"hellip", 0x2026}, {"iexcl", 0xA1},
    {"iquest", 0xBF},  {"laquo", 0xAB},  {"ldquo", 0x201C}, {"lsquo", 0x2018},  {"lt", '<'},
    {"mdash", 0x2014}, {"middot", 0xB7}, {"nbsp", 0xA0},    {"ndash", 0x2013},  {"ntilde", 0xF1},
    {"ouml", 0xF6},    {"para", 0xB6},   {"pound", 0xA3},   {"quot", '"'},      {"raquo", 0xBB},
    {"rdquo", 0x201D}, {"reg", 0xAE},    {"rsquo", 0x2019}, {"sect", 0xA7},     {"shy", 0xAD},
    {"szlig", 0xDF},   {"times", 0xD7},  {"trade", 0x2122}, {"uuml", 0xFC},     {"yen", 0xA5},
    {"zwj", 0x200D},
}};

bool LookupNamed(std::string_view name, char32_t& cp) {
  size_t lo = 0, hi = kNamedEntities.size();
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (kNamedEntities[mid].name < name) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  if (lo < kNamedEntities.size() && kNamedEntities[lo].name == name) {
    cp = kNamedEntities[lo].code_point;
    return true;
  }
  return false;
}

// Decodes one reference starting at in[i] == '&'. On success appends it, returns the length
// consumed; returns 0 when it is not a reference.
size_t DecodeReference(std::string_view in, size_t i, std::string& out) {
  // A reference is at most 12 bytes with its '&' and ';': look no further, so a text of many
  // '&' without a ';' costs linear time.
  const size_t window = in.substr(i + 1, 12).find(';');
  if (window == std::string_view::npos || window == 0) return 0;
  const size_t semi = i + 1 + window;
  std::string_view body = in.substr(i + 1, semi - i - 1);
  char32_t cp = 0;
  if (body[0] == '#') {
    bool hex = body.size() > 1 && (body[1] == 'x' || body[1] == 'X');
    std::string_view digits = body.substr(hex ? 2 : 1);
    if (digits.empty()) return 0;
    uint32_t value = 0;
    for (char c : digits) {
      int d;
      if (c >= '0' && c <= '9') {
        d = c - '0';
      } else if (hex && c >= 'a' && c <= 'f') {
        d = c - 'a' + 10;
      } else if (hex && c >= 'A' && c <= 'F') {
        d = c - 'A' + 10;
      } else {
        return 0;
      }
      value = value * (hex ? 16 : 10) + static_cast<uint32_t>(d);
      if (value > 0x10FFFF) return 0;
    }
    if (value == 0 || (value >= 0xD800 && value <= 0xDFFF)) return 0;
    cp = value;
  } else if (!LookupNamed(body, cp)) {
    return 0;
  }
  AppendUtf8(cp, out);
  return semi - i + 1;
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

}  // namespace

namespace {

// The last `n` (< 8) bytes at `p`, little-endian, zero-extended: what memcpy into a zeroed word
// gives, without a call for a variable-length copy. Overlapping loads put equal bytes in equal
// places.
inline uint64_t LoadTail(const char* p, size_t n) {
  if (n >= 4) {
    uint32_t lo, hi;
    std::memcpy(&lo, p, 4);
    std::memcpy(&hi, p + n - 4, 4);
    return static_cast<uint64_t>(lo) | (static_cast<uint64_t>(hi) << (8 * (n - 4)));
  }
  if (n == 0) return 0;
  auto byte = [&](size_t k) { return static_cast<uint64_t>(static_cast<uint8_t>(p[k])); };
  return byte(0) | (byte(n / 2) << (8 * (n / 2))) | (byte(n - 1) << (8 * (n - 1)));
}

uint64_t MixBytes(std::string_view s, uint64_t h) {
  constexpr uint64_t kMul = 0x9E3779B97F4A7C15ULL;
  size_t i = 0;
  if (s.size() >= 32) {
    // Four independent lanes: one lane's multiply chain would bound the speed on long texts.
    uint64_t lane[4] = {h, h ^ 0x13198A2E03707344ULL, h ^ 0xA4093822299F31D0ULL,
                        h ^ 0x082EFA98EC4E6C89ULL};
    for (; i + 32 <= s.size(); i += 32) {
      for (int k = 0; k < 4; ++k) {
        uint64_t word;
        std::memcpy(&word, s.data() + i + 8 * k, 8);
        lane[k] = (lane[k] ^ word) * kMul;
        lane[k] ^= lane[k] >> 29;
      }
    }
    h = lane[0];
    for (int k = 1; k < 4; ++k) h = ((h ^ (h >> 31)) + lane[k]) * kMul;
  }
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t word;
    std::memcpy(&word, s.data() + i, 8);
    h = (h ^ word) * kMul;
    h ^= h >> 29;
  }
  uint64_t tail = LoadTail(s.data() + i, s.size() - i);
  h = (h ^ tail ^ (static_cast<uint64_t>(s.size()) << 56)) * kMul;
  return h ^ (h >> 32);
}

}  // namespace

void AppendContentDigest(std::string_view title, std::string_view text, std::string& out) {
  static constexpr char kDigits[] = "0123456789abcdef";
  uint64_t h = MixBytes(text, MixBytes(title, 0x243F6A8885A308D3ULL));
  auto v = static_cast<uint32_t>(h ^ (h >> 32));
  char hex[8];
  for (int i = 0; i < 8; ++i) hex[i] = kDigits[(v >> (28 - 4 * i)) & 0xF];
  out.append(hex, sizeof(hex));
}

void AppendUtf8(char32_t cp, std::string& out) {
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

void AppendHtmlUnescaped(std::string_view in, std::string& out) {
  size_t i = 0;
  while (i < in.size()) {
    size_t amp = in.find('&', i);
    if (amp == std::string_view::npos) {
      out.append(in.substr(i));
      return;
    }
    out.append(in.substr(i, amp - i));
    size_t used = DecodeReference(in, amp, out);
    if (used == 0) {
      out.push_back('&');
      i = amp + 1;
    } else {
      i = amp + used;
    }
  }
}

void AppendHtmlAsText(std::string_view html, std::string& out) {
  std::string text;
  text.reserve(html.size());
  size_t i = 0;
  // Set once no '>' follows: every later '<' is then text, without searching again (a text of
  // many "<a" costs linear time).
  bool no_close_left = false;
  while (i < html.size()) {
    char c = html[i];
    if (c == '<') {
      // A tag starts with a letter, '/' or '!'; anything else ("a < b") is text.
      char next = i + 1 < html.size() ? html[i + 1] : ' ';
      bool starts_tag = (next >= 'a' && next <= 'z') || (next >= 'A' && next <= 'Z') ||
                        next == '/' || next == '!';
      size_t close = starts_tag && !no_close_left ? html.find('>', i + 1) : std::string_view::npos;
      no_close_left = no_close_left || (starts_tag && close == std::string_view::npos);
      if (close == std::string_view::npos) {  // a stray '<' is text
        text.push_back('<');
        ++i;
        continue;
      }
      std::string_view tag = html.substr(i + 1, close - i - 1);
      bool closing = !tag.empty() && tag[0] == '/';
      if (closing) tag.remove_prefix(1);
      size_t name_end = 0;
      while (name_end < tag.size() && !IsSpace(tag[name_end]) && tag[name_end] != '/') ++name_end;
      std::string_view name = tag.substr(0, name_end);
      auto is = [&](std::string_view n) {
        if (name.size() != n.size()) return false;
        for (size_t k = 0; k < n.size(); ++k) {
          char a = name[k];
          if (a >= 'A' && a <= 'Z') a = static_cast<char>(a - 'A' + 'a');
          if (a != n[k]) return false;
        }
        return true;
      };
      if (is("br")) {
        text.push_back('\n');
      } else if (closing && (is("p") || is("div") || is("li") || is("blockquote") || is("h1") ||
                             is("h2") || is("h3") || is("pre"))) {
        text.append("\n\n");
      }
      i = close + 1;
      continue;
    }
    size_t next = html.find('<', i);
    if (next == std::string_view::npos) next = html.size();
    AppendHtmlUnescaped(html.substr(i, next - i), text);
    i = next;
  }
  // Collapse three or more newlines into two and trim.
  std::string_view trimmed = TrimAscii(text);
  int newlines = 0;
  for (char ch : trimmed) {
    if (ch == '\n') {
      if (++newlines > 2) continue;
    } else {
      newlines = 0;
    }
    out.push_back(ch);
  }
}

std::string_view TrimAscii(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

size_t Utf8SequenceLength(std::string_view s, size_t i) {
  auto b = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  uint8_t c = b(i);
  if (c < 0x80) return 1;
  size_t n = s.size() - i;
  auto cont = [&](size_t k) { return (b(k) & 0xC0) == 0x80; };
  if (c >= 0xC2 && c <= 0xDF) return (n >= 2 && cont(i + 1)) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (n < 3 || !cont(i + 1) || !cont(i + 2)) return 0;
    if (c == 0xE0 && b(i + 1) < 0xA0) return 0;  // overlong
    if (c == 0xED && b(i + 1) > 0x9F) return 0;  // surrogate
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (n < 4 || !cont(i + 1) || !cont(i + 2) || !cont(i + 3)) return 0;
    if (c == 0xF0 && b(i + 1) < 0x90) return 0;
    if (c == 0xF4 && b(i + 1) > 0x8F) return 0;
    return 4;
  }
  return 0;
}

bool IsValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    size_t len = Utf8SequenceLength(s, i);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

void AppendJsonString(std::string_view s, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  size_t i = 0;
  while (i < s.size()) {
    // Copy the longest run that needs no escaping in one go.
    size_t run = i;
    while (run < s.size()) {
      uint8_t c = static_cast<uint8_t>(s[run]);
      if (c < 0x20 || c == '"' || c == '\\' || c >= 0x80) break;
      ++run;
    }
    out.append(s.data() + i, run - i);
    i = run;
    if (i >= s.size()) break;
    uint8_t c = static_cast<uint8_t>(s[i]);
    if (c >= 0x80) {
      size_t len = Utf8SequenceLength(s, i);
      if (len == 0) {
        out.append("\xEF\xBF\xBD");
        ++i;
      } else {
        out.append(s.data() + i, len);
        i += len;
      }
      continue;
    }
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      case '\b':
        out.append("\\b");
        break;
      case '\f':
        out.append("\\f");
        break;
      default:
        out.append("\\u00");
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 0xF]);
    }
    ++i;
  }
  out.push_back('"');
}

}  // namespace earshot::ingest
