#include "app/bench_brands.h"

#include <algorithm>
#include <cctype>
#include <regex>
#include <set>

#include "app/bench_harness.h"
#include "ingest/text.h"
#include "ingest/twcs_csv.h"

namespace earshot::app::bench {
namespace {

std::vector<std::vector<std::string>> ReadCsv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> fields;
  size_t pos = 0;
  int64_t lines = 0;
  bool malformed = false;
  while (ingest::ReadCsvRecord(text, pos, fields, lines, malformed)) rows.push_back(fields);
  return rows;
}

int Column(const std::vector<std::string>& header, const std::string& name) {
  for (size_t i = 0; i < header.size(); ++i) {
    if (header[i] == name) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace

std::string Utf16LeToUtf8(const std::string& bytes) {
  std::string out;
  size_t i = bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0xFF &&
                     static_cast<unsigned char>(bytes[1]) == 0xFE
                 ? 2
                 : 0;
  auto unit = [&](size_t k) {
    return static_cast<uint32_t>(static_cast<unsigned char>(bytes[k]) |
                                 (static_cast<unsigned char>(bytes[k + 1]) << 8));
  };
  for (; i + 1 < bytes.size(); i += 2) {
    uint32_t cp = unit(i);
    if (cp >= 0xD800 && cp < 0xDC00 && i + 3 < bytes.size() && unit(i + 2) >= 0xDC00 &&
        unit(i + 2) < 0xE000) {
      cp = 0x10000 + ((cp - 0xD800) << 10) + (unit(i + 2) - 0xDC00);
      i += 2;
    } else if (cp >= 0xD800 && cp < 0xE000) {
      cp = 0xFFFD;  // a lone surrogate
    }
    ingest::AppendUtf8(static_cast<char32_t>(cp), out);
  }
  return out;
}

std::string BuildBrands(const std::string& dir,
                        std::vector<std::pair<std::string, std::string>>& out) {
  static const std::regex suffix(
      R"([,.]?\s+(inc|corp|corporation|co|company|plc|ltd|group|holdings|incorporated|the|companies|international)\.?$)",
      std::regex::icase);
  auto clean = [](std::string name) {
    while (!name.empty() && (name.back() == ' ' || name.back() == '"')) name.pop_back();
    while (!name.empty() && (name.front() == ' ' || name.front() == '"')) name.erase(0, 1);
    for (int i = 0; i < 3; ++i) {
      name = std::regex_replace(name, suffix, "");
      while (!name.empty() && name.back() == ' ') name.pop_back();
    }
    return name;
  };
  // Names, handles and cashtags are each kept once, ignoring case (the lists repeat some).
  std::set<std::string> seen;
  auto first_time = [&seen](const std::string& name) {
    std::string key = name;
    std::transform(key.begin(), key.end(), key.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    return seen.insert(std::move(key)).second;
  };
  std::vector<std::string> names;
  auto add = [&](const std::string& name) {
    if (name.size() >= 3 && name.find('"') == std::string::npos && first_time(name)) {
      names.push_back(name);
    }
  };
  auto sp = ReadCsv(ReadAll(dir + "/sp500_constituents.csv"));
  auto fortune = ReadCsv(Utf16LeToUtf8(ReadAll(dir + "/fortune500_2019_utf16.csv")));
  auto travel = ReadCsv(ReadAll(dir + "/optd_travel_players_twitter_accounts.csv"));
  if (sp.empty() || fortune.empty() || travel.empty()) return dir + ": brand lists are missing";
  int sec = Column(sp[0], "Security"), sym = Column(sp[0], "Symbol");
  int company = Column(fortune[0], "company_name"), handle = Column(travel[0], "twitter_account");
  if (sec < 0 || sym < 0 || company < 0 || handle < 0) return dir + ": unexpected CSV headers";
  for (size_t i = 1; i < sp.size(); ++i) {
    if (static_cast<int>(sp[i].size()) > sec) add(clean(sp[i][sec]));
  }
  for (size_t i = 1; i < fortune.size(); ++i) {
    if (static_cast<int>(fortune[i].size()) > company) add(clean(fortune[i][company]));
  }
  for (const auto& n : names) out.emplace_back(n, "\"" + n + "\"");
  for (size_t i = 1; i < travel.size(); ++i) {
    if (static_cast<int>(travel[i].size()) > handle && !travel[i][handle].empty() &&
        first_time("@" + travel[i][handle])) {
      out.emplace_back("@" + travel[i][handle], "@" + travel[i][handle]);
    }
  }
  for (size_t i = 1; i < sp.size(); ++i) {
    if (static_cast<int>(sp[i].size()) > sym && !sp[i][sym].empty() &&
        sp[i][sym].find('.') == std::string::npos && first_time("$" + sp[i][sym])) {
      out.emplace_back("$" + sp[i][sym], "$" + sp[i][sym]);
    }
  }
  if (out.size() > 1000) out.resize(1000);
  return {};
}

}  // namespace earshot::app::bench
