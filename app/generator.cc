#include "app/generator.h"

#include <charconv>
#include <cmath>
#include <string_view>
#include <type_traits>

#include "ingest/text.h"
#include "ingest/time_parse.h"

namespace earshot::app {
namespace {

// Templates written for earshot. {b} is the brand, {h} its handle, {e} an emoji.
const std::vector<std::string> kPositive = {
    "Honestly {b} nailed it today {e}",
    "Shoutout to {h} for sorting my issue in five minutes. Great support!",
    "{b} just keeps getting better, love the new update {e}",
    "Best experience I've had with {b} in years. The staff were lovely.",
    "Big thanks {h}, refund arrived faster than promised {e}",
    "Can't believe how smooth that was with {b}. 10/10 would recommend",
    "{b} > everyone else. Not even close {e}",
};
const std::vector<std::string> kNegative = {
    "Not impressed with {b} lately, quality has gone downhill {e}",
    "{b} prices went up again and the service got worse. Meh.",
    "Ugh, {b} app is so slow today",
    "Pretty disappointed by {b} this time, expected more",
    "{b} ads everywhere and the product is just ok {e}",
};
const std::vector<std::string> kComplaint = {
    "{h} my order never arrived and nobody answers the chat. Still no refund after 3 weeks!!",
    "Charged twice by {b} for one order. On hold for an hour, then disconnected {e}",
    "{b} cancelled my booking with no notice. Never again.",
    "Been waiting 45 minutes at the counter, {b} is a mess today {e}",
    "{h} the app crashes every time I try to pay. Fix it please, this is unacceptable",
    "Third time {b} lost my package this month. Where is my refund {h}?",
    "{b} delayed again, 4 hours at the gate and no update from staff",
    "My {b} account was hacked and support keeps closing the ticket without an answer",
    "WORST customer service ever. {b} broke my item and refuses to replace it {e}",
};
const std::vector<std::string> kNeutral = {
    "Anyone know if {b} is open on Sunday?",
    "{b} announced a new loyalty program today",
    "Switching my phone plan, comparing {b} with the others",
    "Does {h} ship to Canada?",
    "Reading about {b}'s quarterly results",
};
const std::vector<std::string> kChatter = {
    "what a game last night, still can't believe that ending {e}",
    "Coffee first, then emails. Monday again",
    "Just finished a 10k run, legs are jelly {e}",
    "This weather is unreal today",
    "Anyone else watching the new season? No spoilers please",
    "Made pasta from scratch for the first time {e}",
    "Traffic on the ring road is terrible again",
};
struct Foreign {
  const char* lang;
  const char* text;
};
const std::vector<Foreign> kForeign = {
    {"es", "Pésimo servicio de {b}, llevo dos semanas esperando mi reembolso"},
    {"es", "Me encanta lo nuevo de {b} {e}"},
    {"de", "{b} hat mein Paket schon wieder verloren. Keine Antwort vom Kundenservice."},
    {"fr", "Merci {h}, service impeccable aujourd'hui {e}"},
    {"pt", "{b} atrasou minha entrega de novo"},
    {"ja", "{b}のアプリがまた落ちた…サポートに連絡しても返事がない"},
};
const std::vector<std::string> kEmoji = {"😍", "🙏", "🔥", "😡", "🤬", "😤", "✈️", "📦",
                                         "☕", "👍", "👎🏽", "😂", "💯", "🙄"};

void Replace(std::string& s, std::string_view from, const std::string& to) {
  for (size_t pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size())) {
    s.replace(pos, from.size(), to);
  }
}

// Parts of a record for Append: a JSON string literal of `text`, and (part of) the ISO 8601
// time of `ms` ("2026-11-26T12:00:00.000Z").
struct JsonText {
  std::string_view text;
};
struct IsoTime {
  int64_t ms;
  size_t from = 0, length = 24;
};

void Put(std::string& s, std::string_view part) { s.append(part); }
void Put(std::string& s, const char* part) { s.append(part); }
void Put(std::string& s, const JsonText& part) { ingest::AppendJsonString(part.text, s); }
void Put(std::string& s, const IsoTime& part) {
  char buf[24];
  ingest::FormatIsoMillis(part.ms, buf);
  s.append(buf + part.from, part.length);
}
template <typename Int>
requires std::is_integral_v<Int>
void Put(std::string& s, Int part) {
  char buf[24];
  const auto end = std::to_chars(buf, buf + sizeof buf, part).ptr;
  s.append(buf, end);
}
// Appends the parts in order: text as it is, integers in decimal.
template <typename... Parts>
void Append(std::string& s, const Parts&... parts) {
  (Put(s, parts), ...);
}

}  // namespace

Generator::Generator(GeneratorOptions options) : options_(std::move(options)), rng_(options_.seed) {
  if (options_.brands.empty()) options_.brands = {"Nimbus Air", "Brightbean", "Parcelly"};
}

std::vector<std::string> Generator::Topics() const {
  std::vector<std::string> topics;
  for (const char* t : {"x", "x.v1", "reddit", "bluesky", "mastodon", "reviews"}) {
    topics.push_back(options_.topic_prefix + t);
  }
  return topics;
}

std::string Generator::Handle(const std::string& brand) const {
  std::string h = "@";
  for (char c : brand) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) h.push_back(c);
  }
  return h;
}

int64_t Generator::Followers() {
  // Pareto(alpha = 1.2, min 20): most authors are small, a few are huge.
  double u = std::max(1e-9, Uniform());
  return static_cast<int64_t>(std::min(5e7, 20.0 / std::pow(u, 1.0 / 1.2)));
}

void Generator::Text(const std::string* brand, Mood mood, std::string& text, std::string& lang) {
  lang = "en";
  if (brand != nullptr && Uniform() < 0.08) {
    const Foreign& f = kForeign[Pick(kForeign.size())];
    text = f.text;
    lang = f.lang;
  } else if (brand == nullptr) {
    text = kChatter[Pick(kChatter.size())];
  } else {
    const auto& pool = mood == Mood::kPositive    ? kPositive
                       : mood == Mood::kNegative  ? kNegative
                       : mood == Mood::kComplaint ? kComplaint
                                                  : kNeutral;
    text = pool[Pick(pool.size())];
  }
  if (brand != nullptr) {
    Replace(text, "{b}", *brand);
    Replace(text, "{h}", Handle(*brand));
  }
  Replace(text, "{e}", kEmoji[Pick(kEmoji.size())]);
}

void Generator::Next(double elapsed_s, int64_t now_ms, GeneratedRecord& out) {
  uint64_t n = ++counter_;
  const std::string* brand = nullptr;
  Mood mood = Mood::kNeutral;
  bool storm = options_.scenario == "complaint-storm" && elapsed_s >= options_.storm_at_s &&
               options_.storm_brand < options_.brands.size();
  if (storm && Uniform() < 0.4) {
    brand = &options_.brands[options_.storm_brand];
    mood = Mood::kComplaint;
  } else if (Uniform() < options_.mention_rate) {
    brand = &options_.brands[Pick(options_.brands.size())];
    double r = Uniform();
    mood = r < 0.35 ? Mood::kPositive : r < 0.55 ? Mood::kNegative : r < 0.75 ? Mood::kComplaint
                                                                             : Mood::kNeutral;
  }
  // Records are written part by part into buffers that keep their capacity across calls: at the
  // bench's rates the generator shares the cores with what it feeds.
  std::string& text = text_;
  std::string& lang = lang_;
  Text(brand, mood, text, lang);
  int64_t followers = Followers();
  int64_t created = now_ms - static_cast<int64_t>(Uniform() * 2000);
  uint64_t user = 1000 + static_cast<uint64_t>(Uniform() * 5e6);
  const uint64_t id = 1800000000000000000ULL + n;
  double source = Uniform();
  std::string& v = out.value;
  v.clear();
  out.key.clear();
  if (source < 0.40) {
    out.topic.assign(options_.topic_prefix).append("x");
    const size_t likes = Pick(500), replies = Pick(10), retweets = Pick(50);
    Append(out.key, id);
    Append(v, "{\"data\":{\"id\":\"", id, "\",\"text\":", JsonText{text}, ",\"author_id\":\"", user,
           "\",\"created_at\":\"", IsoTime{created}, "\",\"lang\":\"", lang,
           "\",\"conversation_id\":\"", id, "\",\"public_metrics\":{\"retweet_count\":", retweets,
           ",\"reply_count\":", replies, ",\"like_count\":", likes,
           ",\"quote_count\":0}},\"includes\":{\"users\":[{\"id\":\"", user,
           "\",\"username\":\"user", user, "\",\"name\":\"User ", user,
           "\",\"public_metrics\":{\"followers_count\":", followers,
           "}}]},\"matching_rules\":[{\"id\":1800000000000000999,\"tag\":\"brands\"}]}");
  } else if (source < 0.50) {
    out.topic.assign(options_.topic_prefix).append("x.v1");
    Append(out.key, id);
    Append(v, "{\"created_at\":\"Thu Nov 26 12:00:00 +0000 2026\",\"id\":", id, ",\"id_str\":\"",
           id, "\",\"text\":", JsonText{text}, ",\"truncated\":false,\"user\":{\"id_str\":\"", user,
           "\",\"screen_name\":\"user", user,
           "\",\"name\":\"User\",\"followers_count\":", followers, "},\"lang\":\"", lang,
           "\",\"favorite_count\":", Pick(100), ",\"retweet_count\":0,\"timestamp_ms\":\"", created,
           "\"}");
  } else if (source < 0.65) {
    out.topic.assign(options_.topic_prefix).append("reddit");
    Append(out.key, "g", n);
    Append(v, "{\"id\":\"", out.key, "\",\"link_id\":\"t3_thread", n % 97,
           "\",\"parent_id\":\"t3_thread", n % 97, "\",\"author\":\"redditor", user,
           "\",\"subreddit\":\"", brand != nullptr ? "CustomerService" : "AskReddit",
           "\",\"body\":", JsonText{text}, ",\"created_utc\":", created / 1000,
           ",\"score\":", Pick(200), "}");
  } else if (source < 0.80) {
    out.topic.assign(options_.topic_prefix).append("bluesky");
    Append(out.key, "did:plc:gen", user);
    Append(v, "{\"did\":\"", out.key, "\",\"time_us\":", created * 1000,
           ",\"kind\":\"commit\",\"commit\":{\"rev\":\"r", n,
           "\",\"operation\":\"create\",\"collection\":\"app.bsky.feed.post\",\"rkey\":\"k", n,
           "\",\"record\":{\"$type\":\"app.bsky.feed.post\",\"createdAt\":\"", IsoTime{created},
           "\",\"langs\":[\"", lang, "\"],\"text\":", JsonText{text}, "},\"cid\":\"c", n, "\"}}");
  } else if (source < 0.90) {
    out.topic.assign(options_.topic_prefix).append("mastodon");
    Append(out.key, 113000000000000000ULL + n);
    std::string& html = html_;
    html.assign("<p>");
    for (char c : text) {  // Mastodon content is HTML: escape what HTML needs
      if (c == '&') {
        html += "&amp;";
      } else if (c == '<') {
        html += "&lt;";
      } else if (c == '>') {
        html += "&gt;";
      } else {
        html.push_back(c);
      }
    }
    html += "</p>";
    const size_t favourites = Pick(50), reblogs = Pick(20);
    Append(v, "{\"id\":\"", out.key, "\",\"created_at\":\"", IsoTime{created},
           "\",\"in_reply_to_id\":null,\"spoiler_text\":\"\",\"language\":\"", lang,
           "\",\"url\":\"https://social.example/@u", user, "/", out.key,
           "\",\"replies_count\":0,\"reblogs_count\":", reblogs,
           ",\"favourites_count\":", favourites, ",\"content\":", JsonText{html},
           ",\"reblog\":null,\"account\":{\"id\":\"", user, "\",\"username\":\"u", user,
           "\",\"acct\":\"u", user, "\",\"display_name\":\"U\",\"followers_count\":", followers,
           "}}");
  } else {
    out.topic.assign(options_.topic_prefix).append("reviews");
    int stars = mood == Mood::kPositive ? 5 : mood == Mood::kNeutral ? 3 : 1 + static_cast<int>(Pick(2));
    double kind = Uniform();
    Append(out.key, "gen-review-", n);
    if (kind < 0.4) {
      Append(v, "{\"review_id\":\"", out.key, "\",\"user_id\":\"u", user,
             "\",\"business_id\":\"biz", n % 50, "\",\"stars\":", stars, ".0,\"useful\":", Pick(5),
             ",\"funny\":0,\"cool\":0,\"text\":", JsonText{text}, ",\"date\":\"",
             IsoTime{created, 0, 10}, " ", IsoTime{created, 11, 8}, "\"}");
    } else if (kind < 0.7) {
      Append(v, "{\"overall\":", stars, ".0,\"verified\":true,\"reviewerID\":\"A", user,
             "\",\"asin\":\"B0GEN", n % 300,
             "\",\"reviewerName\":\"R\",\"reviewText\":", JsonText{text},
             ",\"summary\":\"Review\",\"unixReviewTime\":", created / 1000, ",\"vote\":\"",
             Pick(3000), "\"}");
    } else {
      Append(v, "{\"reviewId\":\"", out.key, "\",\"userName\":\"R\",\"content\":", JsonText{text},
             ",\"score\":", stars, ",\"thumbsUpCount\":", Pick(30), ",\"at\":\"",
             IsoTime{created, 0, 10}, " ", IsoTime{created, 11, 8}, "\",\"appVersion\":\"5.4.0\"}");
    }
  }
  if (Uniform() < options_.malformed_rate) {
    double k = Uniform();
    if (k < 0.5) {
      out.value.resize(out.value.size() / 2);  // truncated
    } else if (k < 0.75) {
      out.value.insert(out.value.size() / 2, "\xff\xfe");  // not UTF-8
    } else {
      out.value = "{\"event\":\"heartbeat\",\"seq\":" + std::to_string(n) + "}";  // not a post
    }
  }
}

}  // namespace earshot::app
