#include "sinks/alertmanager.h"

#include <curl/curl.h>

#include <cstdio>
#include <ctime>
#include <mutex>

namespace earshot::sinks {
namespace {

size_t Collect(char* data, size_t size, size_t n, void* self) {
  auto* out = static_cast<std::string*>(self);
  size_t bytes = size * n;
  if (out->size() < 4096) out->append(data, std::min(bytes, 4096 - out->size()));
  return bytes;
}

}  // namespace

std::unique_ptr<AlertmanagerClient> AlertmanagerClient::Create(const std::string& url,
                                                               int timeout_ms, std::string& error) {
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
    error = "Alertmanager url '" + url + "' must start with http:// or https://";
    return nullptr;
  }
  static std::once_flag init;
  std::call_once(init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  std::unique_ptr<AlertmanagerClient> client(new AlertmanagerClient());
  CURL* curl = curl_easy_init();
  if (curl == nullptr) {
    error = "cannot start libcurl";
    return nullptr;
  }
  client->curl_ = curl;
  std::string base = url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  client->endpoint_ = base + "/api/v2/alerts";
  client->timeout_ms_ = timeout_ms;
  client->headers_ = curl_slist_append(nullptr, "Content-Type: application/json");
  curl_easy_setopt(curl, CURLOPT_URL, client->endpoint_.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, static_cast<curl_slist*>(client->headers_));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_ms));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeout_ms));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Collect);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &client->response_);
  return client;
}

AlertmanagerClient::~AlertmanagerClient() {
  if (curl_) curl_easy_cleanup(static_cast<CURL*>(curl_));
  if (headers_) curl_slist_free_all(static_cast<curl_slist*>(headers_));
}

bool AlertmanagerClient::Post(std::string_view alerts, std::string& error, int* status_out) {
  CURL* curl = static_cast<CURL*>(curl_);
  if (status_out) *status_out = 0;
  response_.clear();
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, alerts.data());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(alerts.size()));
  CURLcode rc = curl_easy_perform(curl);
  if (rc != CURLE_OK) {
    error = "POST " + endpoint_ + ": " + curl_easy_strerror(rc);
    return false;
  }
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  if (status_out) *status_out = static_cast<int>(status);
  if (status < 200 || status >= 300) {
    error =
        "POST " + endpoint_ + ": HTTP " + std::to_string(status) + ": " + response_.substr(0, 200);
    return false;
  }
  return true;
}

std::string Rfc3339Ms(int64_t ms) {
  time_t secs = static_cast<time_t>(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
  int millis = static_cast<int>(ms - static_cast<int64_t>(secs) * 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
  return buf;
}

}  // namespace earshot::sinks
