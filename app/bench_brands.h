// The brand set `earshot bench` matches: 1,000 real brands built from the public lists in
// ../shared/data/brands (S&P 500 and Fortune 500 names without legal suffixes, then travel
// companies' X handles, then S&P cashtags). Control plane.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace earshot::app::bench {

// Appends (display name, query) pairs to `out`, at most 1,000 in all; names are unique ignoring
// case. Returns an error message naming `dir`, or empty.
[[nodiscard]] std::string BuildBrands(const std::string& dir,
                                      std::vector<std::pair<std::string, std::string>>& out);

// UTF-16LE bytes (an optional byte-order mark first) as UTF-8; a lone surrogate becomes U+FFFD.
[[nodiscard]] std::string Utf16LeToUtf8(const std::string& bytes);

}  // namespace earshot::app::bench
