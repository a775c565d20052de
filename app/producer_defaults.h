// Defaults of earshot's output producer that depend on where the brokers are.
#pragma once

#include <string_view>

namespace earshot::app {

// True when every host of a librdkafka bootstrap list ("host:port,host:port", hosts optionally
// with a "PLAINTEXT://"-style prefix, IPv6 hosts in brackets) is a loopback address: "localhost",
// 127.0.0.0/8 or ::1. The embedded broker's list is of this kind.
[[nodiscard]] inline bool AllLoopback(std::string_view bootstrap) {
  bool any = false;
  while (!bootstrap.empty()) {
    size_t comma = bootstrap.find(',');
    std::string_view entry = bootstrap.substr(0, comma);
    bootstrap = comma == std::string_view::npos ? std::string_view() : bootstrap.substr(comma + 1);
    while (!entry.empty() && entry.front() == ' ') entry.remove_prefix(1);
    while (!entry.empty() && entry.back() == ' ') entry.remove_suffix(1);
    if (entry.empty()) continue;
    if (size_t scheme = entry.find("://"); scheme != std::string_view::npos) {
      entry.remove_prefix(scheme + 3);
    }
    std::string_view host;
    if (entry.front() == '[') {
      size_t close = entry.find(']');
      if (close == std::string_view::npos) return false;
      host = entry.substr(1, close - 1);
    } else {
      host = entry.substr(0, entry.rfind(':'));
    }
    const bool loopback = host == "localhost" || host == "::1" ||
                          (host.starts_with("127.") &&
                           host.find_first_not_of("0123456789.") == std::string_view::npos);
    if (!loopback) return false;
    any = true;
  }
  return any;
}

// The output producer's compression.type unless the config sets one. Compression trades CPU for
// network and broker storage. Against a real cluster the trade is worth it: lz4 makes enriched
// records about 3.5 times smaller in batches of 20. Against brokers on this host, such as the
// embedded one, there is no network to spare, and compressing the enriched topic cost about
// 0.45 us a record, 7 % of earshot's CPU, in `earshot bench`'s live phase (bench/README.md).
[[nodiscard]] inline std::string_view DefaultOutputCompression(std::string_view bootstrap) {
  return AllLoopback(bootstrap) ? "none" : "lz4";
}

}  // namespace earshot::app
