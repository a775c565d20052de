// AlertmanagerClient: posts alerts to Alertmanager's v2 API (POST <url>/api/v2/alerts, a JSON
// array of {labels, annotations, startsAt, endsAt, generatorURL}), over HTTP or HTTPS (libcurl).
//
// Alertmanager keeps an alert until its endsAt; a sender that wants it kept longer re-posts it
// before then, and resolves it by posting it with endsAt in the past. Which alerts to send and
// when is the caller's business; this class is the transport. Blocking, with a timeout; one
// client per thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace earshot::sinks {

class AlertmanagerClient {
 public:
  // `url` is Alertmanager's base URL ("http://alertmanager:9093", a path prefix allowed). Null
  // and `error` when it is not an http(s) URL.
  static std::unique_ptr<AlertmanagerClient> Create(const std::string& url, int timeout_ms,
                                                    std::string& error);
  ~AlertmanagerClient();

  AlertmanagerClient(const AlertmanagerClient&) = delete;
  AlertmanagerClient& operator=(const AlertmanagerClient&) = delete;

  // Posts `alerts` (a JSON array). True on a 2xx answer; otherwise `error` says what happened
  // (connection failure, timeout, or the status and the start of the body) and `status` (when
  // given) is the HTTP status, 0 when there was no answer.
  bool Post(std::string_view alerts, std::string& error, int* status = nullptr);

  const std::string& endpoint() const { return endpoint_; }

 private:
  AlertmanagerClient() = default;

  void* curl_ = nullptr;     // CURL*
  void* headers_ = nullptr;  // curl_slist*
  std::string endpoint_;
  std::string response_;
  int timeout_ms_ = 0;
};

// "2026-11-28T04:05:06.789Z" for Alertmanager's startsAt / endsAt.
[[nodiscard]] std::string Rfc3339Ms(int64_t ms);

}  // namespace earshot::sinks
