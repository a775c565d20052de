#include "app/generator.h"

#include <cmath>

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

std::string Iso(int64_t ms) {
  char buf[24];
  ingest::FormatIsoMillis(ms, buf);
  return std::string(buf, 24);
}

std::string Json(std::string_view s) {
  std::string out;
  ingest::AppendJsonString(s, out);
  return out;
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

std::string Generator::Text(const std::string* brand, Mood mood, std::string& lang) {
  std::string text;
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
  return text;
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
  std::string lang;
  std::string text = Text(brand, mood, lang);
  int64_t followers = Followers();
  int64_t created = now_ms - static_cast<int64_t>(Uniform() * 2000);
  uint64_t user = 1000 + static_cast<uint64_t>(Uniform() * 5e6);
  std::string id = std::to_string(1800000000000000000ULL + n);
  double source = Uniform();
  out.key.clear();
  if (source < 0.40) {
    out.topic = options_.topic_prefix + "x";
    out.key = id;
    out.value = "{\"data\":{\"id\":\"" + id + "\",\"text\":" + Json(text) + ",\"author_id\":\"" +
                std::to_string(user) + "\",\"created_at\":\"" + Iso(created) + "\",\"lang\":\"" +
                lang + "\",\"conversation_id\":\"" + id +
                "\",\"public_metrics\":{\"retweet_count\":" + std::to_string(Pick(50)) +
                ",\"reply_count\":" + std::to_string(Pick(10)) + ",\"like_count\":" +
                std::to_string(Pick(500)) + ",\"quote_count\":0}},\"includes\":{\"users\":[{\"id\":\"" +
                std::to_string(user) + "\",\"username\":\"user" + std::to_string(user) +
                "\",\"name\":\"User " + std::to_string(user) +
                "\",\"public_metrics\":{\"followers_count\":" + std::to_string(followers) +
                "}}]},\"matching_rules\":[{\"id\":1800000000000000999,\"tag\":\"brands\"}]}";
  } else if (source < 0.50) {
    out.topic = options_.topic_prefix + "x.v1";
    out.key = id;
    out.value = "{\"created_at\":\"Thu Nov 26 12:00:00 +0000 2026\",\"id\":" + id + ",\"id_str\":\"" +
                id + "\",\"text\":" + Json(text) + ",\"truncated\":false,\"user\":{\"id_str\":\"" +
                std::to_string(user) + "\",\"screen_name\":\"user" + std::to_string(user) +
                "\",\"name\":\"User\",\"followers_count\":" + std::to_string(followers) +
                "},\"lang\":\"" + lang + "\",\"favorite_count\":" + std::to_string(Pick(100)) +
                ",\"retweet_count\":0,\"timestamp_ms\":\"" + std::to_string(created) + "\"}";
  } else if (source < 0.65) {
    out.topic = options_.topic_prefix + "reddit";
    std::string rid = "g" + std::to_string(n);
    out.key = rid;
    out.value = "{\"id\":\"" + rid + "\",\"link_id\":\"t3_thread" + std::to_string(n % 97) +
                "\",\"parent_id\":\"t3_thread" + std::to_string(n % 97) + "\",\"author\":\"redditor" +
                std::to_string(user) + "\",\"subreddit\":\"" +
                (brand != nullptr ? "CustomerService" : "AskReddit") + "\",\"body\":" + Json(text) +
                ",\"created_utc\":" + std::to_string(created / 1000) + ",\"score\":" +
                std::to_string(Pick(200)) + "}";
  } else if (source < 0.80) {
    out.topic = options_.topic_prefix + "bluesky";
    std::string did = "did:plc:gen" + std::to_string(user);
    out.key = did;
    out.value = "{\"did\":\"" + did + "\",\"time_us\":" + std::to_string(created * 1000) +
                ",\"kind\":\"commit\",\"commit\":{\"rev\":\"r" + std::to_string(n) +
                "\",\"operation\":\"create\",\"collection\":\"app.bsky.feed.post\",\"rkey\":\"k" +
                std::to_string(n) + "\",\"record\":{\"$type\":\"app.bsky.feed.post\",\"createdAt\":\"" +
                Iso(created) + "\",\"langs\":[\"" + lang + "\"],\"text\":" + Json(text) +
                "},\"cid\":\"c" + std::to_string(n) + "\"}}";
  } else if (source < 0.90) {
    out.topic = options_.topic_prefix + "mastodon";
    std::string mid = std::to_string(113000000000000000ULL + n);
    out.key = mid;
    std::string html = "<p>";
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
    out.value = "{\"id\":\"" + mid + "\",\"created_at\":\"" + Iso(created) +
                "\",\"in_reply_to_id\":null,\"spoiler_text\":\"\",\"language\":\"" + lang +
                "\",\"url\":\"https://social.example/@u" + std::to_string(user) + "/" + mid +
                "\",\"replies_count\":0,\"reblogs_count\":" + std::to_string(Pick(20)) +
                ",\"favourites_count\":" + std::to_string(Pick(50)) + ",\"content\":" + Json(html) +
                ",\"reblog\":null,\"account\":{\"id\":\"" + std::to_string(user) +
                "\",\"username\":\"u" + std::to_string(user) + "\",\"acct\":\"u" +
                std::to_string(user) + "\",\"display_name\":\"U\",\"followers_count\":" +
                std::to_string(followers) + "}}";
  } else {
    out.topic = options_.topic_prefix + "reviews";
    int stars = mood == Mood::kPositive ? 5 : mood == Mood::kNeutral ? 3 : 1 + static_cast<int>(Pick(2));
    double kind = Uniform();
    std::string rid = "gen-review-" + std::to_string(n);
    out.key = rid;
    if (kind < 0.4) {
      out.value = "{\"review_id\":\"" + rid + "\",\"user_id\":\"u" + std::to_string(user) +
                  "\",\"business_id\":\"biz" + std::to_string(n % 50) + "\",\"stars\":" +
                  std::to_string(stars) + ".0,\"useful\":" + std::to_string(Pick(5)) +
                  ",\"funny\":0,\"cool\":0,\"text\":" + Json(text) + ",\"date\":\"" +
                  Iso(created).substr(0, 10) + " " + Iso(created).substr(11, 8) + "\"}";
    } else if (kind < 0.7) {
      out.value = "{\"overall\":" + std::to_string(stars) +
                  ".0,\"verified\":true,\"reviewerID\":\"A" + std::to_string(user) +
                  "\",\"asin\":\"B0GEN" + std::to_string(n % 300) + "\",\"reviewerName\":\"R\"," +
                  "\"reviewText\":" + Json(text) + ",\"summary\":\"Review\",\"unixReviewTime\":" +
                  std::to_string(created / 1000) + ",\"vote\":\"" + std::to_string(Pick(3000)) + "\"}";
    } else {
      out.value = "{\"reviewId\":\"" + rid + "\",\"userName\":\"R\",\"content\":" + Json(text) +
                  ",\"score\":" + std::to_string(stars) + ",\"thumbsUpCount\":" +
                  std::to_string(Pick(30)) + ",\"at\":\"" + Iso(created).substr(0, 10) + " " +
                  Iso(created).substr(11, 8) + "\",\"appVersion\":\"5.4.0\"}";
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
