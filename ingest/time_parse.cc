#include "ingest/time_parse.h"

#include <cmath>
#include <cstring>

namespace earshot::ingest {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Reads exactly `n` digits at s[pos], advancing pos.
bool ReadDigits(std::string_view s, size_t& pos, size_t n, int64_t& value) {
  if (pos + n > s.size()) return false;
  int64_t v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (!IsDigit(c)) return false;
    v = v * 10 + (c - '0');
  }
  value = v;
  pos += n;
  return true;
}

bool ValidDate(int64_t y, int64_t mo, int64_t d) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1) return false;
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return d <= kDays[mo - 1] + (mo == 2 && leap ? 1 : 0);
}

std::optional<int64_t> Compose(int64_t y, int64_t mo, int64_t d, int64_t h, int64_t mi, int64_t sec,
                               int64_t ms, int64_t offset_minutes) {
  if (!ValidDate(y, mo, d) || h > 23 || mi > 59 || sec > 60) return std::nullopt;
  int64_t days = DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  int64_t secs = days * 86400 + h * 3600 + mi * 60 + sec - offset_minutes * 60;
  // In UTC too, the time must lie in 1970-9999 ("9999-12-31T23:00:00-05:00" does not).
  if (secs < 0 || secs * 1000 + ms >= kMaxTimeMs) return std::nullopt;
  return secs * 1000 + ms;
}

int MonthFromName(std::string_view m) {
  static constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (int i = 0; i < 12; ++i) {
    if (m == kMonths[i]) return i + 1;
  }
  return 0;
}

}  // namespace

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  // Civil-to-days conversion over 400-year eras (public-domain algorithm by H. Hinnant).
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

std::optional<int64_t> ParseIsoTime(std::string_view s) {
  size_t p = 0;
  // Zero-initialised only to quiet g++ -O3 -Wmaybe-uninitialized (ReadDigits sets them).
  int64_t y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0, ms = 0, offset = 0;
  if (!ReadDigits(s, p, 4, y) || p >= s.size() || s[p++] != '-') return std::nullopt;
  if (!ReadDigits(s, p, 2, mo) || p >= s.size() || s[p++] != '-') return std::nullopt;
  if (!ReadDigits(s, p, 2, d)) return std::nullopt;
  if (p == s.size()) return Compose(y, mo, d, 0, 0, 0, 0, 0);
  if (s[p] != 'T' && s[p] != 't' && s[p] != ' ') return std::nullopt;
  ++p;
  if (!ReadDigits(s, p, 2, h) || p >= s.size() || s[p++] != ':') return std::nullopt;
  if (!ReadDigits(s, p, 2, mi)) return std::nullopt;
  if (p < s.size() && s[p] == ':') {
    ++p;
    if (!ReadDigits(s, p, 2, sec)) return std::nullopt;
  }
  if (p < s.size() && (s[p] == '.' || s[p] == ',')) {
    ++p;
    size_t start = p;
    int64_t frac = 0;
    while (p < s.size() && IsDigit(s[p])) {
      if (p - start < 3) frac = frac * 10 + (s[p] - '0');
      ++p;
    }
    if (p == start) return std::nullopt;
    for (size_t k = p - start; k < 3; ++k) frac *= 10;
    ms = frac;
  }
  if (p < s.size()) {
    char z = s[p];
    if (z == 'Z' || z == 'z') {
      ++p;
    } else if (z == '+' || z == '-') {
      ++p;
      int64_t oh = 0, om = 0;
      if (!ReadDigits(s, p, 2, oh)) return std::nullopt;
      if (p < s.size() && s[p] == ':') ++p;
      if (p < s.size() && !ReadDigits(s, p, 2, om)) return std::nullopt;
      if (oh > 23 || om > 59) return std::nullopt;
      offset = (oh * 60 + om) * (z == '-' ? -1 : 1);
    } else {
      return std::nullopt;
    }
  }
  if (p != s.size()) return std::nullopt;
  return Compose(y, mo, d, h, mi, sec, ms, offset);
}

std::optional<int64_t> ParseTwitterTime(std::string_view s) {
  // "Sun Aug 31 00:29:15 +0000 2014"
  if (s.size() != 30 || s[3] != ' ' || s[7] != ' ' || s[10] != ' ' || s[19] != ' ' ||
      s[25] != ' ') {
    return std::nullopt;
  }
  int month = MonthFromName(s.substr(4, 3));
  if (month == 0) return std::nullopt;
  size_t p = 8;
  int64_t d, h, mi, sec, oh, om, y;
  if (!ReadDigits(s, p, 2, d) || s[p++] != ' ') return std::nullopt;
  if (!ReadDigits(s, p, 2, h) || s[p++] != ':') return std::nullopt;
  if (!ReadDigits(s, p, 2, mi) || s[p++] != ':') return std::nullopt;
  if (!ReadDigits(s, p, 2, sec) || s[p++] != ' ') return std::nullopt;
  char sign = s[p++];
  if (sign != '+' && sign != '-') return std::nullopt;
  if (!ReadDigits(s, p, 2, oh) || !ReadDigits(s, p, 2, om) || s[p++] != ' ') return std::nullopt;
  if (!ReadDigits(s, p, 4, y)) return std::nullopt;
  return Compose(y, month, d, h, mi, sec, 0, (oh * 60 + om) * (sign == '-' ? -1 : 1));
}

std::optional<int64_t> ParseAmazonReviewTime(std::string_view s) {
  // "06 17, 2018"; days may be one digit ("09 2, 2015").
  size_t p = 0;
  int64_t mo, d = 0, y;
  if (!ReadDigits(s, p, 2, mo) || p >= s.size() || s[p++] != ' ') return std::nullopt;
  size_t start = p;
  while (p < s.size() && IsDigit(s[p]) && p - start < 2) d = d * 10 + (s[p++] - '0');
  if (p == start || p + 2 > s.size() || s[p] != ',' || s[p + 1] != ' ') return std::nullopt;
  p += 2;
  if (!ReadDigits(s, p, 4, y) || p != s.size()) return std::nullopt;
  return Compose(y, mo, d, 0, 0, 0, 0, 0);
}

std::optional<int64_t> EpochToMillis(double v) {
  if (!std::isfinite(v) || v < 0) return std::nullopt;
  if (v < 1e11) return static_cast<int64_t>(std::llround(v * 1000.0));
  if (v < 1e14) return static_cast<int64_t>(std::llround(v));
  if (v < 1e17) return static_cast<int64_t>(v / 1000.0);
  return std::nullopt;
}

std::optional<int64_t> EpochIntToMillis(int64_t v) {
  if (v < 0) return std::nullopt;
  if (v < 100'000'000'000LL) return v * 1000;
  if (v < 100'000'000'000'000LL) return v;
  if (v < 100'000'000'000'000'000LL) return v / 1000;
  return std::nullopt;
}

std::optional<int64_t> ParseEpochText(std::string_view s) {
  if (s.empty() || s.size() > 24) return std::nullopt;
  int64_t whole = 0;
  size_t p = 0;
  while (p < s.size() && IsDigit(s[p])) {
    if (p >= 18) return std::nullopt;
    whole = whole * 10 + (s[p++] - '0');
  }
  if (p == 0) return std::nullopt;
  if (p == s.size()) return EpochIntToMillis(whole);
  if (s[p] != '.') return std::nullopt;
  size_t frac_start = ++p;
  double frac = 0, scale = 0.1;
  while (p < s.size() && IsDigit(s[p])) {
    frac += (s[p++] - '0') * scale;
    scale /= 10;
  }
  if (p != s.size() || p == frac_start) return std::nullopt;
  return EpochToMillis(static_cast<double>(whole) + frac);
}

std::optional<int64_t> ParseAnyTime(std::string_view s) {
  if (auto t = ParseIsoTime(s)) return t;
  if (auto t = ParseTwitterTime(s)) return t;
  if (auto t = ParseEpochText(s)) return t;
  return ParseAmazonReviewTime(s);
}

void FormatIsoMillis(int64_t millis, char out[24]) {
  int64_t secs = millis / 1000;
  int ms = static_cast<int>(millis % 1000);
  if (ms < 0) {
    ms += 1000;
    --secs;
  }
  int64_t days = secs / 86400;
  int64_t rem = secs % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  // Days-to-civil (inverse of DaysFromCivil).
  int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
  auto put = [&](int pos, int64_t v, int width) {
    for (int i = width - 1; i >= 0; --i) {
      out[pos + i] = static_cast<char>('0' + v % 10);
      v /= 10;
    }
  };
  put(0, y, 4);
  out[4] = '-';
  put(5, m, 2);
  out[7] = '-';
  put(8, d, 2);
  out[10] = 'T';
  put(11, rem / 3600, 2);
  out[13] = ':';
  put(14, (rem / 60) % 60, 2);
  out[16] = ':';
  put(17, rem % 60, 2);
  out[19] = '.';
  put(20, ms, 3);
  out[23] = 'Z';
}

}  // namespace earshot::ingest
