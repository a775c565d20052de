#include "tests/pipeline/rule_sets.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <unordered_set>
#include "ingest/text.h"

namespace earshot::testing {

using pipeline::match::BrandRule;

namespace {

bool ReadFile(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return true;
}


// Trims ASCII white space and no-break spaces (the Fortune file has a few).
std::string Trim(std::string_view s) {
  for (;;) {
    if (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
      s.remove_prefix(1);
    } else if (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
      s.remove_suffix(1);
    } else if (s.size() >= 2 && s.substr(s.size() - 2) == "\xC2\xA0") {
      s.remove_suffix(2);
    } else if (s.size() >= 2 && s.substr(0, 2) == "\xC2\xA0") {
      s.remove_prefix(2);
    } else {
      return std::string(s);
    }
  }
}

std::string LowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Merge key: lowercase letters and digits only ("McDonald’s" and "McDonald's" agree).
std::string Key(std::string_view s) {
  std::string out;
  for (char c : LowerAscii(s)) {
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) out.push_back(c);
  }
  return out;
}

std::vector<std::string> Words(std::string_view s) {
  std::vector<std::string> words;
  std::string cur;
  for (char c : s) {
    if (c == ' ') {
      if (!cur.empty()) words.push_back(cur);
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  if (!cur.empty()) words.push_back(cur);
  return words;
}

// Names well known by one common word: matched case-sensitively, with exclusions where famous.
const std::map<std::string, std::string>& CasedOnly() {
  static const auto* m = new std::map<std::string, std::string>{
      {"apple",
       "\"apple pie\" OR \"apple juice\" OR \"apple tree\" OR \"apple cider\" OR \"big apple\" OR "
       "\"candy apple\""},
      {"target",
       "\"target audience\" OR \"target market\" OR \"target practice\" OR \"on target\" OR "
       "\"target date\""},
      {"amazon",
       "\"amazon rainforest\" OR \"amazon river\" OR (amazon NEAR/3 (rainforest OR river OR "
       "jungle OR deforestation OR tribe OR tribes))"},
      {"gap", "\"gap year\" OR \"mind the gap\" OR \"gender gap\" OR \"wage gap\" OR \"pay gap\""},
      {"delta", "\"delta variant\" OR \"river delta\" OR \"delta force\" OR \"delta 8\""},
      {"visa",
       "\"visa application\" OR \"student visa\" OR \"work visa\" OR \"tourist visa\" OR "
       "\"visa waiver\""},
      {"oracle", "\"oracle of omaha\" OR \"oracle of delphi\""},
      {"ford", "\"harrison ford\" OR \"tom ford\" OR \"ford madox\""},
      {"fox", "\"red fox\" OR \"arctic fox\" OR \"megan fox\""},
      {"chevron", ""},
      {"intel", "\"intel report\" OR \"military intel\""},
  };
  return *m;
}

// Single common words that say nothing on their own: only the full name is used.
const std::set<std::string>& DropAlone() {
  static const auto* s = new std::set<std::string>{
      "ball",      "block",    "match",    "carrier",  "discover",  "progressive", "principal",
      "regions",   "citizens", "travelers", "nationwide", "southern", "united",     "american",
      "general",   "international", "national", "first", "public",  "realty",      "equity",
      "energy",    "waste",    "dollar",   "best",     "universal", "global",      "state",
      "western",   "eastern",  "northern", "central",  "pacific",   "union",       "gen",
      "corning",   "mosaic",   "crown",    "entergy",  "lear",      "nucor",       "jabil",
      "textron",   "everest",  "builders", "ventas",   "amcor",     "cummins",     "fortive",
      "charter",   "southwest", "performance", "genuine", "live",   "news",        "domino",
      "coterra",   "brown",    "church",   "jacobs",   "keurig",    "masco",       "paycom"};
  return *s;
}

// Extra aliases people use for a few companies (keyed by Key() of the stripped name).
const std::map<std::string, std::vector<std::string>>& ExtraAliases() {
  static const auto* m = new std::map<std::string, std::vector<std::string>>{
      {"alphabet", {"Google", "YouTube"}},
      {"metaplatforms", {"Facebook", "Instagram", "WhatsApp"}},
      {"fordmotor", {"{Ford}"}},
      {"deltaairlines", {"{Delta}", "#DeltaAirlines"}},
      {"unitedairlines", {"@united", "#UnitedAirlines"}},
      {"exxonmobil", {"ExxonMobil", "Exxon"}},
      {"walmart", {"Wal-Mart", "@Walmart"}},
      {"cocacola", {"Coke", "@CocaCola"}},
      {"mcdonalds", {"McDonalds", "@McDonalds"}},
      {"microsoft", {"@Microsoft", "Xbox"}},
      {"apple", {"iPhone", "iPad", "MacBook", "@Apple"}},
      {"amazon", {"@amazon", "\"Prime Video\""}},
  };
  return *m;
}

struct Company {
  std::string full;      // as listed, parentheticals removed
  std::string stripped;  // without corporate suffixes
  std::vector<std::string> tickers;
  std::string id;
};

bool UsableAlias(std::string_view s) {
  return !s.empty() && s.find_first_of("\"{}()") == std::string_view::npos;
}

std::string PhraseTerm(std::string_view alias, bool cased) {
  std::string inner = "\"" + std::string(alias) + "\"";
  return cased ? "{" + inner + "}" : inner;
}

std::string BuildQuery(const Company& c, std::string& exclude) {
  std::vector<std::string> terms;
  std::set<std::string> seen;
  auto add = [&](std::string term) {
    std::string k = LowerAscii(term);
    if (seen.insert(k).second) terms.push_back(std::move(term));
  };
  std::string key = Key(c.stripped);
  bool single = Words(c.stripped).size() == 1;
  auto cased_it = CasedOnly().find(key);
  if (UsableAlias(c.full) && (c.full != c.stripped || !single)) add(PhraseTerm(c.full, false));
  if (UsableAlias(c.stripped)) {
    if (single && cased_it != CasedOnly().end()) {
      add(PhraseTerm(c.stripped, true));
      exclude = cased_it->second;
    } else if (single && DropAlone().count(key)) {
      // the full name alone (added above when it differs)
      if (c.full == c.stripped) add(PhraseTerm(c.stripped, true));
    } else if (Key(c.stripped).size() <= 3) {
      add(PhraseTerm(c.stripped, true));  // HP, GE, 3M, IBM: as written
    } else {
      add(PhraseTerm(c.stripped, false));
    }
  }
  auto extra = ExtraAliases().find(key);
  if (extra != ExtraAliases().end()) {
    for (const auto& a : extra->second) {
      add(a[0] == '{' || a[0] == '@' || a[0] == '#' || a[0] == '"' ? a : PhraseTerm(a, false));
      auto cased = CasedOnly().find(Key(a));
      if (a[0] == '{' && exclude.empty() && cased != CasedOnly().end()) exclude = cased->second;
    }
  }
  for (const auto& t : c.tickers) {
    bool letters = !t.empty() && std::all_of(t.begin(), t.end(), [](char ch) {
      return ch >= 'A' && ch <= 'Z';
    });
    if (letters) add("$" + t);
  }
  std::string q;
  for (const auto& t : terms) {
    if (!q.empty()) q += " OR ";
    q += t;
  }
  return q;
}

}  // namespace

bool Utf16ToUtf8(std::string_view bytes, std::string& out) {
  out.clear();
  bool big_endian = false;
  size_t pos = 0;
  if (bytes.size() >= 2) {
    auto b0 = static_cast<unsigned char>(bytes[0]), b1 = static_cast<unsigned char>(bytes[1]);
    if (b0 == 0xFE && b1 == 0xFF) {
      big_endian = true;
      pos = 2;
    } else if (b0 == 0xFF && b1 == 0xFE) {
      pos = 2;
    }
  }
  if ((bytes.size() - pos) % 2 != 0) return false;
  auto unit = [&](size_t i) -> uint32_t {
    auto a = static_cast<unsigned char>(bytes[i]), b = static_cast<unsigned char>(bytes[i + 1]);
    return big_endian ? (uint32_t{a} << 8 | b) : (uint32_t{b} << 8 | a);
  };
  while (pos < bytes.size()) {
    uint32_t u = unit(pos);
    pos += 2;
    if (u >= 0xD800 && u <= 0xDBFF) {
      if (pos >= bytes.size()) return false;
      uint32_t low = unit(pos);
      if (low < 0xDC00 || low > 0xDFFF) return false;
      pos += 2;
      ingest::AppendUtf8(0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00), out);
    } else if (u >= 0xDC00 && u <= 0xDFFF) {
      return false;
    } else {
      ingest::AppendUtf8(u, out);
    }
  }
  return true;
}

std::vector<std::vector<std::string>> ParseCsv(std::string_view text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false, any = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field.push_back('"');
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field.push_back(c);
      }
      continue;
    }
    any = true;
    if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      row.push_back(std::move(field));
      field.clear();
    } else if (c == '\n') {
      if (!field.empty() && field.back() == '\r') field.pop_back();
      row.push_back(std::move(field));
      field.clear();
      rows.push_back(std::move(row));
      row.clear();
      any = false;
    } else {
      field.push_back(c);
    }
  }
  if (any || !field.empty() || !row.empty()) {
    row.push_back(std::move(field));
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string StripCorporateSuffixes(std::string_view name) {
  std::string s = Trim(name);
  size_t paren = s.find(" (");
  if (paren != std::string::npos) s = Trim(s.substr(0, paren));
  if (s.size() > 4 && LowerAscii(s.substr(s.size() - 4)) == ".com") s.resize(s.size() - 4);
  static const std::set<std::string> kSuffixes = {
      "inc",  "incorporated", "corp", "corporation", "co",  "company", "companies", "holdings",
      "holding", "group", "plc", "ltd", "limited", "nv", "sa", "ag", "lp", "llc", "&", "the"};
  std::vector<std::string> words = Words(s);
  if (words.size() > 1 && LowerAscii(words.front()) == "the") words.erase(words.begin());
  while (words.size() > 1) {
    std::string w = LowerAscii(words.back());
    while (!w.empty() && (w.back() == '.' || w.back() == ',')) w.pop_back();
    std::string plain;
    for (char c : w) {
      if (c != '.') plain.push_back(c);
    }
    if (!kSuffixes.count(plain)) break;
    words.pop_back();
  }
  std::string out;
  for (const auto& w : words) {
    if (!out.empty()) out += ' ';
    out += w;
  }
  while (!out.empty() && (out.back() == ',' || out.back() == '.')) {
    if (out.back() == '.' && out.size() >= 2 && out[out.size() - 2] >= 'A' &&
        out[out.size() - 2] <= 'Z' && out.find(' ') != std::string::npos) {
      break;  // "A. O." style initials keep their dot
    }
    out.pop_back();
  }
  return out;
}

RealisticRules LoadRealisticRules(const std::string& shared_dir) {
  RealisticRules result;
  const std::string dir = shared_dir + "/data/brands/";
  std::string sp, fortune_raw, fortune, travel;
  if (!ReadFile(dir + "sp500_constituents.csv", sp) ||
      !ReadFile(dir + "fortune500_2019_utf16.csv", fortune_raw) ||
      !ReadFile(dir + "optd_travel_players_twitter_accounts.csv", travel)) {
    result.error = "cannot read the files in " + dir;
    return result;
  }
  if (!Utf16ToUtf8(fortune_raw, fortune)) {
    result.error = "fortune500_2019_utf16.csv is not valid UTF-16";
    return result;
  }

  std::vector<Company> companies;
  std::map<std::string, size_t> by_key;
  std::unordered_set<std::string> ids;
  auto add_company = [&](const std::string& name, const std::string& ticker) {
    Company c;
    c.full = Trim(name);
    size_t paren = c.full.find(" (");
    if (paren != std::string::npos) c.full = Trim(c.full.substr(0, paren));
    c.stripped = StripCorporateSuffixes(c.full);
    std::string key = Key(c.stripped);
    if (key.empty()) return;
    auto it = by_key.find(key);
    if (it != by_key.end()) {
      Company& existing = companies[it->second];
      if (!ticker.empty()) existing.tickers.push_back(ticker);
      return;
    }
    if (!ticker.empty()) c.tickers.push_back(ticker);
    c.id = ticker.empty() ? "f500_" + key : LowerAscii(ticker);
    for (char& ch : c.id) {
      if (ch == '.') ch = '_';
    }
    while (!ids.insert(c.id).second) c.id += "_2";
    by_key.emplace(key, companies.size());
    companies.push_back(std::move(c));
  };
  auto sp_rows = ParseCsv(sp);
  for (size_t i = 1; i < sp_rows.size(); ++i) {
    if (sp_rows[i].size() < 2 || sp_rows[i][1].empty()) continue;
    ++result.sp500_rows;
    add_company(sp_rows[i][1], Trim(sp_rows[i][0]));
  }
  auto f_rows = ParseCsv(fortune);
  for (size_t i = 1; i < f_rows.size(); ++i) {
    if (f_rows[i].empty() || Trim(f_rows[i][0]).empty()) continue;
    ++result.fortune_rows;
    add_company(f_rows[i][0], "");
  }
  for (const Company& c : companies) {
    BrandRule rule;
    rule.id = c.id;
    rule.name = c.full;
    rule.query = BuildQuery(c, rule.exclude);
    rule.tags = {"company"};
    if (!rule.query.empty()) result.rules.push_back(std::move(rule));
  }
  result.company_brands = result.rules.size();

  // Travel handles, grouped by IATA code (in file order).
  std::vector<std::string> codes;
  std::map<std::string, std::vector<std::string>> handles;
  std::map<std::string, std::string> kinds;
  auto t_rows = ParseCsv(travel);
  for (size_t i = 1; i < t_rows.size(); ++i) {
    if (t_rows[i].size() < 3) continue;
    std::string handle = Trim(t_rows[i][0]), code = Trim(t_rows[i][2]);
    if (handle.empty() || code.empty()) continue;
    if (!handles.count(code)) codes.push_back(code);
    handles[code].push_back(handle);
    kinds.emplace(code, Trim(t_rows[i][1]));
  }
  for (const auto& code : codes) {
    BrandRule rule;
    rule.id = "iata_" + LowerAscii(code);
    rule.name = handles[code].front();
    for (const auto& h : handles[code]) {
      if (!rule.query.empty()) rule.query += " OR ";
      rule.query += "@" + h + " OR #" + h;
    }
    rule.tags = {"travel", kinds[code]};
    result.rules.push_back(std::move(rule));
    ++result.travel_brands;
  }
  return result;
}

std::vector<BrandRule> SyntheticRules(size_t count, uint64_t seed) {
  static const char* kOnsets[] = {"b", "br", "c", "cr", "d", "dr", "f", "g", "gr", "k", "kl",
                                  "l",  "m",  "n", "p",  "pr", "qu", "r", "s", "st", "t", "tr",
                                  "v",  "vr", "x", "z",  "zh", "j",  "h", "sk"};
  static const char* kNuclei[] = {"a", "e", "i", "o", "u", "ae", "io", "ou", "y"};
  static const char* kCodas[] = {"", "n", "x", "r", "l", "m", "sk", "th", "v", "nd"};
  static const char* kKinds[] = {"Labs", "Systems", "Foods", "Motors", "Bank", "Health",
                                 "Energy", "Air", "Games", "Apparel"};
  uint64_t state = seed * 0x9E3779B97F4A7C15ull + 1;
  auto next = [&]() {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  std::vector<BrandRule> rules;
  std::unordered_set<std::string> names;
  while (rules.size() < count) {
    std::string word;
    int syllables = 2 + static_cast<int>(next() % 2);
    for (int i = 0; i < syllables; ++i) {
      word += kOnsets[next() % std::size(kOnsets)];
      word += kNuclei[next() % std::size(kNuclei)];
    }
    word += kCodas[next() % std::size(kCodas)];
    if (!names.insert(word).second) continue;
    std::string cap = word;
    cap[0] = static_cast<char>(cap[0] - 'a' + 'A');
    std::string kind = kKinds[next() % std::size(kKinds)];
    BrandRule rule;
    rule.id = "syn_" + word;
    rule.name = cap + " " + kind;
    size_t n = rules.size();
    rule.query = "\"" + cap + " " + kind + "\" OR " + word + " OR @" + word + " OR #" + word + "hq";
    if (n % 7 == 3) rule.query = "(" + word + " NEAR/3 (app OR store OR support)) OR @" + word;
    if (n % 11 == 5) rule.query += " OR " + word.substr(0, std::min<size_t>(word.size(), 5)) + "*";
    if (n % 5 == 1) rule.exclude = "\"" + word + " river\" OR \"" + word + " county\"";
    rule.tags = {"synthetic"};
    rules.push_back(std::move(rule));
  }
  return rules;
}

std::vector<BrandRule> RulesOfSize(const std::vector<BrandRule>& real, size_t count) {
  std::vector<BrandRule> out(real.begin(), real.begin() + static_cast<std::ptrdiff_t>(
                                                            std::min(count, real.size())));
  if (out.size() < count) {
    auto extra = SyntheticRules(count - out.size(), 42);
    out.insert(out.end(), extra.begin(), extra.end());
  }
  return out;
}

}  // namespace earshot::testing
